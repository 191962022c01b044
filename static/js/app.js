// Behaviour the templates ask for with data- attributes: the Content-Security-Policy runs
// no inline handler or style attribute, only this file.
"use strict";

// <button data-confirm="Question ?">: the click goes on only if the user confirms.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});

// <select data-submit-on-change>: choosing submits its form.
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-submit-on-change]")) event.target.form.requestSubmit();
});

// <span data-width-percent="40">: a bar's width, also in what htmx swaps in.
function widthsApply(root) {
  root.querySelectorAll("[data-width-percent]").forEach((bar) => {
    bar.style.width = `${Number(bar.dataset.widthPercent) || 0}%`;
  });
}
document.addEventListener("DOMContentLoaded", () => widthsApply(document));
document.addEventListener("htmx:load", (event) => widthsApply(event.target));

// <table class="cards">: on a phone each row is a card (app.css); each cell is labelled with
// its column's heading, which the card shows before the value.
function cardLabelsApply(root) {
  root.querySelectorAll("table.cards").forEach((table) => {
    const headings = [...table.querySelectorAll(":scope > thead > tr > th")].map((th) => th.textContent.trim());
    table.querySelectorAll(":scope > tbody > tr").forEach((row) => {
      let column = 0;
      for (const cell of row.cells) {
        if (!cell.hasAttribute("data-label") && cell.colSpan === 1) cell.dataset.label = headings[column] ?? "";
        column += cell.colSpan;
      }
    });
  });
}
document.addEventListener("DOMContentLoaded", () => cardLabelsApply(document));
document.addEventListener("htmx:load", () => cardLabelsApply(document));

// <a data-dialog-open="ID" hx-get=…>: the click opens the dialog ID while htmx loads its
// content (without scripts, the link leads to the same content as a page).
document.addEventListener("click", (event) => {
  const opener = event.target.closest("[data-dialog-open]");
  const dialog = opener && document.getElementById(opener.dataset.dialogOpen);
  if (!dialog) return;
  event.preventDefault();
  if (!dialog.open) dialog.showModal();
});

// <button data-zoom>: a tap shows the page it holds twice as large, a second one fits it again.
document.addEventListener("click", (event) => {
  const page = event.target.closest("[data-zoom]");
  if (!page) return;
  const zoomed = page.getAttribute("aria-pressed") !== "true";
  page.setAttribute("aria-pressed", String(zoomed));
});
