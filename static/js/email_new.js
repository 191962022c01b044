// The new email's page: picking a contact pre-selects the default template of the same
// type in their language; the document menu shown is the one of the template's kind.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const defaults = JSON.parse(document.getElementById("default-templates").textContent);
  const select = document.getElementById("id_template");
  const documentMenus = document.querySelectorAll("fieldset.template-document");

  const showDocumentMenu = () => {
    const kind = select.selectedOptions[0]?.dataset.kind ?? "";
    documentMenus.forEach((fieldset) => {
      const shown = fieldset.dataset.kind === kind;
      fieldset.hidden = !shown;
      // A hidden menu is not posted: only the template's own document is.
      fieldset.querySelector("select").disabled = !shown;
    });
  };

  document.querySelectorAll('input[name="contact"]').forEach((radio) => radio.addEventListener("change", () => {
    const type = select.selectedOptions[0]?.dataset.type;
    const match = defaults[`${type}:${radio.dataset.language}`] ?? defaults[`${type}:fr`];
    const option = match && select.querySelector(`option[value="${match}"]`);
    if (option && !option.disabled) select.value = String(match);
    showDocumentMenu();
  }));
  select.addEventListener("change", showDocumentMenu);
  showDocumentMenu();
});
