/* Orientation: games, quiz and class mode, online and offline (no inline script: CSP).
 *
 *   [data-orientation-sw]        registers the offline worker (scope /orientation/) and asks
 *                                it to keep this page, its assets and [data-orientation-precache]
 *                                URLs; <html data-offline-ready> is set once they are kept
 *   [data-orientation-status]    says how many answers wait for the network
 *   [data-orientation-like]      "J'aime" on a world (class mode)
 *   [data-orientation-event]     an event sent once when the page opens (a job sheet opened)
 *   form[data-orientation-game]  a world's game, scored in the browser
 *   form[data-orientation-quiz]  the quiz in class mode, scored in the browser
 *
 * Class-mode answers go to a queue in localStorage, each with an id made here; the queue is
 * sent when the network is there, and an answer leaves the queue only when the server has
 * acknowledged it (the server keeps each id once: resending is harmless).
 */
(function () {
  "use strict";

  var QUEUE_KEY = "parcours.orientation.queue";
  var flushing = false;
  var sentSome = false;

  function readJSON(key, fallback) {
    try {
      var value = JSON.parse(window.localStorage.getItem(key) || "null");
      return value === null ? fallback : value;
    } catch (e) {
      return fallback;
    }
  }

  function writeJSON(key, value) {
    try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full */ }
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function showStatus() {
    var status = document.querySelector("[data-orientation-status]");
    if (!status) { return; }
    var count = readJSON(QUEUE_KEY, []).length;
    status.setAttribute("data-count", String(count));
    if (count > 0) {
      status.textContent = count + " " + status.getAttribute("data-pending");
    } else {
      status.textContent = sentSome ? status.getAttribute("data-sent") : "";
    }
  }

  function enqueue(source, answer) {
    var endpoint = source.getAttribute("data-endpoint");
    var token = source.getAttribute("data-token");
    if (!endpoint || !token) { return; }
    answer.id = newId();
    var queue = readJSON(QUEUE_KEY, []);
    queue.push({ endpoint: endpoint, token: token, answer: answer });
    writeJSON(QUEUE_KEY, queue);
    showStatus();
    flush();
  }

  function forget(ids) {
    var gone = {};
    ids.forEach(function (id) { gone[id] = true; });
    writeJSON(QUEUE_KEY, readJSON(QUEUE_KEY, []).filter(function (entry) { return !gone[entry.answer.id]; }));
  }

  function flush() {
    if (flushing) { return; }
    // The browser knows it is offline: keep the queue, the "online" event sends it. (A request
    // tried anyway could leave through the offline worker's network path and arrive later.)
    if (navigator.onLine === false) { showStatus(); return; }
    var queue = readJSON(QUEUE_KEY, []);
    if (!queue.length) { showStatus(); return; }
    var first = queue[0];
    var batch = queue.filter(function (entry) {
      return entry.endpoint === first.endpoint && entry.token === first.token;
    }).slice(0, 100);
    flushing = true;
    window.fetch(first.endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: first.token, answers: batch.map(function (e) { return e.answer; }) })
    }).then(function (response) {
      if (response.ok) {
        return response.json().then(function (receipt) {
          forget((receipt.accepted || []).concat(receipt.rejected || []));
          sentSome = true;
          return true;
        });
      }
      if (response.status === 403 || response.status === 410 || response.status === 400) {
        forget(batch.map(function (e) { return e.answer.id; }));  // can never be stored
        return true;
      }
      return false;
    }).catch(function () {
      return false;  // offline: they stay in the queue
    }).then(function (progressed) {
      flushing = false;
      showStatus();
      if (progressed && readJSON(QUEUE_KEY, []).length) { flush(); }
    });
  }

  // --- Offline worker --------------------------------------------------------------------------

  function registerWorker() {
    var marker = document.querySelector("[data-orientation-sw]");
    if (!marker || !("serviceWorker" in navigator)) { return; }
    var urls = [window.location.pathname + window.location.search];
    document.querySelectorAll("link[rel=stylesheet][href], script[src]").forEach(function (el) {
      urls.push(el.getAttribute("href") || el.getAttribute("src"));
    });
    document.querySelectorAll("[data-orientation-precache]").forEach(function (el) {
      try { urls = urls.concat(JSON.parse(el.getAttribute("data-orientation-precache"))); } catch (e) { /* ignore */ }
    });
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "precached") {
        document.documentElement.setAttribute("data-offline-ready", "true");
      }
    });
    navigator.serviceWorker.register(marker.getAttribute("data-orientation-sw"), {
      scope: marker.getAttribute("data-scope") || "/orientation/"
    }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      if (registration.active) { registration.active.postMessage({ type: "precache", urls: urls }); }
    }).catch(function () { /* no offline mode on this browser */ });
  }

  // --- Class mode: likes, opened sheets --------------------------------------------------------

  function setUpLikes() {
    document.querySelectorAll("[data-orientation-like]").forEach(function (button) {
      var key = "parcours.orientation.liked." + button.getAttribute("data-token");
      var world = button.getAttribute("data-world");
      if (readJSON(key, []).indexOf(world) >= 0) { button.setAttribute("aria-pressed", "true"); }
      button.addEventListener("click", function () {
        if (button.getAttribute("aria-pressed") === "true") { return; }
        button.setAttribute("aria-pressed", "true");
        var liked = readJSON(key, []);
        liked.push(world);
        writeJSON(key, liked);
        enqueue(button, { kind: "world", world: Number(world) });
      });
    });
  }

  function sendPageEvent() {
    var el = document.querySelector("[data-orientation-event]");
    if (!el) { return; }
    var event;
    try { event = JSON.parse(el.getAttribute("data-orientation-event")); } catch (e) { return; }
    var key = "parcours.orientation.sent." + el.getAttribute("data-token") + "." + event.kind + "." + (event.sheet || event.world);
    if (window.localStorage.getItem(key)) { return; }
    window.localStorage.setItem(key, "1");
    enqueue(el, event);
  }

  // --- Games -----------------------------------------------------------------------------------

  function setUpGame(form) {
    var total = Number(form.getAttribute("data-total"));
    var right = 0;
    var answered = 0;
    var submit = form.querySelector("[data-game-submit]");
    if (submit) { submit.hidden = true; }
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.querySelectorAll("[data-question]").forEach(function (fieldset) {
      fieldset.addEventListener("change", function (event) {
        if (fieldset.hasAttribute("data-answered")) { return; }
        fieldset.setAttribute("data-answered", "");
        var chosen = event.target;
        var ok = chosen.value === fieldset.getAttribute("data-correct");
        fieldset.classList.add(ok ? "play-right" : "play-wrong");
        fieldset.querySelectorAll("input").forEach(function (input) {
          if (input !== chosen) { input.disabled = true; }
        });
        var feedback = fieldset.querySelector("[data-feedback]");
        feedback.textContent = ok ? form.getAttribute("data-right")
          : form.getAttribute("data-wrong") + " " + fieldset.getAttribute("data-answer");
        var explanation = fieldset.querySelector("[data-explanation]");
        if (explanation) { explanation.hidden = false; }
        answered += 1;
        if (ok) { right += 1; }
        if (answered === total) {
          var score = form.querySelector("[data-game-score]");
          score.textContent = form.getAttribute("data-score") + " " + right + " / " + total;
          score.focus();
          enqueue(form, { kind: "game", world: Number(form.getAttribute("data-world")), value: right });
        }
      });
    });
  }

  // --- Quiz in class mode ----------------------------------------------------------------------

  function setUpQuiz(form) {
    var names = JSON.parse(form.getAttribute("data-worlds") || "{}");
    var order = JSON.parse(form.getAttribute("data-order") || "[]");
    var section = document.querySelector("[data-quiz-result]");
    var list = section.querySelector("[data-quiz-worlds]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var answers = {};
      var points = {};
      var possible = {};
      form.querySelectorAll("[data-statement]").forEach(function (fieldset) {
        var checked = fieldset.querySelector("input:checked");
        if (!checked) { return; }
        var world = fieldset.getAttribute("data-world");
        answers[fieldset.getAttribute("data-statement")] = Number(checked.value);
        points[world] = (points[world] || 0) + Number(checked.value);
        possible[world] = (possible[world] || 0) + 2;
      });
      list.textContent = "";
      if (!Object.keys(answers).length) {
        var empty = document.createElement("li");
        empty.textContent = form.getAttribute("data-empty");
        list.appendChild(empty);
      } else {
        var scored = order.filter(function (w) { return possible[w] && points[w] > 0; });
        scored.sort(function (a, b) {
          return Math.floor(100 * points[b] / possible[b]) - Math.floor(100 * points[a] / possible[a]);
        });
        scored.slice(0, 3).forEach(function (w) {
          var item = document.createElement("li");
          item.textContent = names[String(w)] + " (" + Math.floor(100 * points[w] / possible[w]) + " %)";
          list.appendChild(item);
        });
        enqueue(form, { kind: "quiz", answers: answers });
      }
      section.hidden = false;
      section.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    registerWorker();
    setUpLikes();
    sendPageEvent();
    document.querySelectorAll("form[data-orientation-game]").forEach(setUpGame);
    document.querySelectorAll("form[data-orientation-quiz]").forEach(setUpQuiz);
    showStatus();
    flush();
    window.addEventListener("online", flush);
    window.setInterval(flush, 4000);
  });
})();
