/* Replay viewing hours: while a replay's <video data-replay-beacon="<url>"> plays, post the
 * seconds watched every data-beat-seconds seconds (numbered beats, one viewing id per page
 * load; the server ignores a beat it has already counted and bounds what one beat and one
 * viewing may add). A platform link (data-replay-link) cannot be measured from the page. */
(function () {
  "use strict";
  function viewId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return "v" + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }
  function start(video) {
    var url = video.getAttribute("data-replay-beacon");
    var every = parseInt(video.getAttribute("data-beat-seconds"), 10) || 15;
    var token = video.getAttribute("data-csrf") || "";
    var id = viewId();
    var beat = 0;
    var watched = 0;
    var last = null;
    function tick() {
      if (!video.paused && !video.ended) {
        var now = video.currentTime;
        if (last !== null && now > last && now - last < every * 2) { watched += now - last; }
        last = now;
      } else {
        last = null;
      }
    }
    function send(final) {
      var seconds = Math.floor(watched);
      if (seconds < 1) { return; }
      watched -= seconds;
      beat += 1;
      var body = new FormData();
      body.append("view", id);
      body.append("beat", String(beat));
      body.append("seconds", String(seconds));
      body.append("csrfmiddlewaretoken", token);
      if (final && navigator.sendBeacon) { navigator.sendBeacon(url, body); return; }
      fetch(url, { method: "POST", body: body, credentials: "same-origin",
                   headers: { "X-CSRFToken": token } }).catch(function () {});
    }
    setInterval(tick, 1000);
    setInterval(function () { send(false); }, every * 1000);
    window.addEventListener("pagehide", function () { send(true); });
  }
  document.querySelectorAll("video[data-replay-beacon]").forEach(start);
})();
