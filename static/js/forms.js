/* Conveniences for the clinician forms. Everything works without this file:
   "Add another tumour" then submits the form and the server adds the row. */
(function () {
  "use strict";

  // Move keyboard and screen-reader focus to the error summary after a failed submit.
  var summary = document.getElementById("error-summary") || document.getElementById("stale-edit");
  if (summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }

  // Add a formset row in the page instead of a round trip to the server.
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.getAttribute("data-formset-add");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-empty-row");
    var rows = document.querySelector('[data-formset-rows="' + prefix + '"]');
    if (!total || !template || !rows) {
      return;
    }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var added = rows.lastElementChild;
      var first = added && added.querySelector("input:not([type=hidden]), select, textarea");
      if (first) {
        first.focus();
      }
    });
  });
})();
