// The new email's page: picking a contact pre-selects the default template of the same
// type in their language.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const defaults = JSON.parse(document.getElementById("default-templates").textContent);
  const select = document.getElementById("id_template");
  document.querySelectorAll('input[name="contact"]').forEach((radio) => radio.addEventListener("change", () => {
    const type = select.selectedOptions[0]?.dataset.type;
    const match = defaults[`${type}:${radio.dataset.language}`] ?? defaults[`${type}:fr`];
    if (match) select.value = String(match);
  }));
});
