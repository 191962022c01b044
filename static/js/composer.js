// The composer saves while one types: htmx posts the form 500 ms after the last change
// (composer.html). What was typed in the last half second, or a save still on its way,
// must not be lost when the page is left: it is posted once more on the way out with
// fetch's keepalive, which outlives the page. The state of the saves is shown beside
// Envoyer, and a page whose last save failed asks before it is left.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("composer");
  const state = document.getElementById("save-state");
  if (!form || !state) return;
  let unsaved = false; // changed since the last save was sent
  let pending = false; // a save sent, not answered yet
  let failed = false; // the last save did not reach the server
  let leaving = false; // the form itself is being submitted: that saves everything

  const show = (key) => {
    state.textContent = state.dataset[key] ?? "";
    state.dataset.state = key;
  };
  const save = () => {
    unsaved = false;
    // HX-Request: the server answers as to htmx (the preview fragment, no flash message).
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      keepalive: true,
      headers: { "HX-Request": "true" },
    });
  };

  form.addEventListener("input", () => {
    unsaved = true;
    show("unsaved");
  });
  form.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt !== form) return;
    unsaved = false;
    pending = true;
    show("saving");
  });
  form.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.elt !== form) return;
    pending = false;
    // A 400 is a save too: what was refused is shown in the preview, the rest is kept.
    failed = !event.detail.xhr || event.detail.xhr.status === 0 || event.detail.xhr.status >= 500;
    show(failed ? "failed" : unsaved ? "unsaved" : "saved");
  });

  document.addEventListener("submit", async (event) => {
    if (event.target === form || event.target.id === "discard-form") {
      leaving = true;
      return;
    }
    // Another form of the page (upload, template): what was typed is saved first, so
    // that the page it leads back to shows it.
    if (!(unsaved || pending) || event.target.dataset.saved) return;
    event.preventDefault();
    const other = event.target;
    try {
      await save();
    } finally {
      other.dataset.saved = "1";
      other.requestSubmit(event.submitter);
    }
  });

  const flush = () => {
    if (leaving || !(unsaved || pending)) return;
    pending = false;
    save().catch(() => {});
  };
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") flush();
  });
  window.addEventListener("pagehide", flush);
  window.addEventListener("beforeunload", (event) => {
    if (failed && !leaving) event.preventDefault();
  });
});
