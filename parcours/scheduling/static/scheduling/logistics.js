/* Logistics pages: forms that fail in place, the planning grid's dialog, the lobby screen's
   refresh. Served as a static file (no inline script: a Content-Security-Policy without
   'unsafe-inline' is coming). Everything works without it: plain links and forms. */
(function () {
  "use strict";

  // A form sent with htmx answers 422 (its errors) or 409 (the slot is taken) with the form
  // fragment again: swap it where the form was (the server may retarget it with HX-Retarget).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 422 || status === 409 || status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  var opener = null;
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-opens-panel]");
    if (link) { opener = link; }
  });

  // After a swap: the error summary (or the conflict) takes the focus, so a screen reader reads
  // it and a keyboard user is where the problem is; a fresh panel focuses its heading.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var dialog = document.getElementById("panneau");
    if (dialog && target.id === "panneau-contenu" && !dialog.open) { dialog.showModal(); }
    var problem = target.querySelector(".error-summary, .conflict-summary");
    if (problem) {
      if (!problem.hasAttribute("tabindex")) { problem.setAttribute("tabindex", "-1"); }
      problem.focus();
      return;
    }
    if (target.id === "panneau-contenu") {
      var heading = target.querySelector("#panneau-titre");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    }
  });

  document.addEventListener("close", function (event) {
    if (event.target.id === "panneau" && opener) { opener.focus(); }
  }, true);

  // Lobby screen: fetch the next state every N seconds (data-refresh-url / -seconds) and swap
  // the screen's content; no meta refresh (axe: a page must not reload by itself).
  var screen = document.querySelector("[data-refresh-url]");
  // When the rooms do not fit the TV (it cannot scroll), ask for as many per page as fit and
  // rotate through the pages, once (an explicit ?par_page= is kept).
  var main = screen && screen.querySelector(".lobby-main");
  if (main && main.scrollHeight > main.clientHeight + 1 && !/[?&]par_page=/.test(location.search)) {
    var bottom = main.getBoundingClientRect().bottom - 3.5 * parseFloat(getComputedStyle(main).fontSize);
    var fit = 0;
    Array.prototype.forEach.call(main.querySelectorAll("tbody tr"), function (row) {
      if (row.getBoundingClientRect().bottom <= bottom) { fit += 1; }
    });
    var params = new URLSearchParams(location.search);
    params.set("par_page", String(Math.max(1, fit)));
    params.set("rotate", "1");
    params.delete("page");
    location.replace(location.pathname + "?" + params.toString());
    return;
  }
  if (screen) {
    var seconds = parseInt(screen.getAttribute("data-refresh-seconds"), 10) || 60;
    var refresh = function () {
      var url = screen.getAttribute("data-refresh-url");
      fetch(url, { headers: { "X-Lobby-Refresh": "1" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          var next = new DOMParser().parseFromString(html, "text/html");
          var fresh = next.querySelector("[data-refresh-url]");
          if (!fresh) { return; }
          screen.innerHTML = fresh.innerHTML;
          screen.setAttribute("data-refresh-url", fresh.getAttribute("data-refresh-url"));
          document.title = next.title;
        })
        .catch(function () { /* offline for a moment: try again next time */ })
        .then(function () { window.setTimeout(refresh, seconds * 1000); });
    };
    window.setTimeout(refresh, seconds * 1000);
  }
})();
