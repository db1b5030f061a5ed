/* Candidates pages (loaded with <script src>: the CSP forbids inline code).
 *   form[data-once-submit]   its submit buttons are disabled once it is sent (a double click
 *                            sends one application; the server refuses a second one anyway)
 *   input[data-pick-all]     ticks or unticks every input[name=ids] of its form
 */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-once-submit]")) { return; }
    if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
    form.setAttribute("data-sent", "1");
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.setAttribute("aria-disabled", "true");
    });
  });
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[data-pick-all]")) { return; }
    var scope = box.form || document;
    scope.querySelectorAll("input[name=ids]").forEach(function (input) {
      input.checked = box.checked;
    });
  });
})();
