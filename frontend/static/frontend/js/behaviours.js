// Small page behaviours declared in data attributes, so that no template carries inline
// script and the Content-Security-Policy can forbid it (script-src 'self').
//   data-confirm="…"        on a form (submit) or a button/link (click): ask first
//   data-autosubmit         on a select: send its form when it changes
//   data-shows-custom="id"  on a select: show element #id only while the value is "custom"
//   data-copy-from="id"     on a button: copy #id's value (or text); data-copied-text says so
//   data-check-all="sel"    on a checkbox: tick or untick every box matching sel
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  }, true);

  document.addEventListener("click", function (event) {
    const asking = event.target.closest("button[data-confirm], a[data-confirm]");
    if (asking && !window.confirm(asking.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    const copier = event.target.closest("[data-copy-from]");
    if (copier) {
      const source = document.getElementById(copier.dataset.copyFrom);
      const text = ("value" in source ? source.value : source.textContent).trim();
      navigator.clipboard.writeText(text).then(function () {
        const label = copier.querySelector("span") || copier;
        if (copier.dataset.copiedText) label.textContent = copier.dataset.copiedText;
      });
    }
    const all = event.target.closest("input[data-check-all]");
    if (all) {
      document.querySelectorAll(all.dataset.checkAll).forEach(function (box) {
        box.checked = all.checked;
      });
    }
  });

  document.addEventListener("change", function (event) {
    const select = event.target;
    if (select.matches("[data-autosubmit]") && select.form) select.form.submit();
    if (select.matches("[data-shows-custom]")) {
      const custom = document.getElementById(select.dataset.showsCustom);
      if (custom) custom.classList.toggle("d-none", select.value !== "custom");
    }
  });
})();
