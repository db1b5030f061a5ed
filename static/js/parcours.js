/* Parcours: the few behaviours pages need, as one static file (the Content-Security-Policy
 * allows no inline script). Each is switched on by a data attribute:
 *
 *   [data-error-summary]        focused when the page loads or htmx swaps it in
 *   <dialog data-htmx-dialog>   opened when htmx swaps content into its [data-dialog-content];
 *                               its heading ([data-dialog-heading], else h1/h2) gets the focus;
 *                               closing it gives the focus back to the element that was clicked
 *                               ([data-opens-dialog], [data-opens-panel] or [data-confirms]);
 *                               4xx answers (400, 409, 422) aimed at it are shown in it
 *   [data-copy="<input id>"]    copies that input's value; status in #<input id>-status
 *                               (text from data-done)
 *   [data-print]                prints the page
 *   [data-swap-errors]          4xx answers (400, 409, 422) aimed inside it are swapped in place
 *                               (a grid's row fails in place); the new [data-error-summary]
 *                               in the swapped content gets the focus
 */
(function () {
  "use strict";
  var opener = null;

  function focusSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary) {
      if (!summary.hasAttribute("tabindex")) { summary.setAttribute("tabindex", "-1"); }
      summary.focus();
    }
  }

  function dialogOf(target) {
    var content = target && target.closest && target.closest("[data-dialog-content]");
    return content ? content.closest("dialog[data-htmx-dialog]") : null;
  }

  document.addEventListener("DOMContentLoaded", function () { focusSummary(document); });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) { return; }
    var clicked = target.closest("[data-opens-dialog], [data-opens-panel], [data-confirms]");
    if (clicked) { opener = clicked; }
    var copy = target.closest("[data-copy]");
    if (copy) {
      var id = copy.getAttribute("data-copy");
      var input = document.getElementById(id);
      if (input) {
        input.select();
        var done = function () {
          var status = document.getElementById(id + "-status");
          if (status) { status.textContent = copy.getAttribute("data-done") || ""; }
        };
        if (navigator.clipboard) { navigator.clipboard.writeText(input.value).then(done, done); }
        else { document.execCommand("copy"); done(); }
      }
    }
    if (target.closest("[data-print]")) { window.print(); }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var target = event.detail.target;
    var inPlace = target && target.closest && target.closest("[data-swap-errors]");
    if ((dialogOf(target) || inPlace) && (status === 400 || status === 409 || status === 422)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.closest && elt.closest("[data-swap-errors]")) { focusSummary(elt); }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var dialog = dialogOf(target);
    if (dialog) {
      if (!dialog.open) {
        dialog.showModal();
        dialog.addEventListener("close", function () {
          if (opener && document.contains(opener)) { opener.focus(); }
        }, { once: true });
      }
      var heading = dialog.querySelector("[data-dialog-heading], h1, h2");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    }
    if (target && target.querySelector && target.querySelector("[data-error-summary]")) {
      focusSummary(target);
    }
  });
})();
