/* LTI pages (parcours.integrations.lti), CSP-safe behaviours:
 *   form[data-lti-autopost]   submitted as soon as the page loads (deep-linking response);
 *   [data-lti-close]          tells the platform that opened the registration page to close
 *                             it: postMessage {subject: "org.imsglobal.lti.close"}.
 */
(function () {
  "use strict";
  function ready() {
    var form = document.querySelector("form[data-lti-autopost]");
    if (form) { form.submit(); }
    var close = document.querySelector("[data-lti-close]");
    if (close) {
      close.addEventListener("click", function () {
        var target = window.opener || window.parent;
        if (target && target !== window) {
          target.postMessage({ subject: "org.imsglobal.lti.close" }, "*");
        }
      });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
