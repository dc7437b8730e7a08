// omnicast page behaviour that htmx does not cover. Kept tiny on purpose.
(function () {
  "use strict";
  // Close an open <details> menu when clicking elsewhere.
  document.addEventListener("click", function (ev) {
    document.querySelectorAll("details.menu[open]").forEach(function (d) {
      if (!d.contains(ev.target)) d.removeAttribute("open");
    });
  });
  // Flash messages can be dismissed.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-dismiss]");
    if (btn) btn.closest(".flash").remove();
  });
  // Submit a form when a control marked data-autosubmit changes.
  document.addEventListener("change", function (ev) {
    if (ev.target.matches("[data-autosubmit]")) ev.target.form.requestSubmit();
  });
})();
