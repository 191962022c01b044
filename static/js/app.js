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
