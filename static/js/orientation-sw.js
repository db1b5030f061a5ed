/* The offline worker of /orientation/ (served by the view orientation_play:service_worker with
 * Service-Worker-Allowed: /orientation/). Pages under /orientation/: network first, the copy
 * kept last time when the network is gone. Static assets: the kept copy first. Writes (POST)
 * are never touched: the pages queue them in localStorage and send them when back online. */
"use strict";

var CACHE = "parcours-orientation-v1";
var SCOPE = "/orientation/";

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) {
        return k.indexOf("parcours-orientation-") === 0 && k !== CACHE;
      }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function keep(request, response) {
  if (response && response.ok && response.type === "basic") {
    var copy = response.clone();
    caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
  }
  return response;
}

function offlinePage() {
  return new Response(
    "<!doctype html><html lang=\"fr\"><meta charset=\"utf-8\"><title>Hors ligne</title>" +
    "<p>Cette page n'a pas encore été ouverte avec le réseau. / This page was never opened online.</p>",
    { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } }
  );
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request, { ignoreVary: true }).then(function (kept) {
      return kept || fetch(request).then(function (response) { return keep(request, response); });
    }));
    return;
  }
  if (url.pathname.indexOf(SCOPE) !== 0 || url.pathname === SCOPE + "sw.js") { return; }
  event.respondWith(
    fetch(request).then(function (response) {
      return keep(request, response);
    }).catch(function () {
      return caches.match(request, { ignoreVary: true }).then(function (kept) {
        return kept || offlinePage();
      });
    })
  );
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "precache" || !Array.isArray(data.urls)) { return; }
  var urls = data.urls.filter(function (u) {
    return typeof u === "string" && u.charAt(0) === "/" && u.charAt(1) !== "/";
  }).slice(0, 300);
  var source = event.source;
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(urls.map(function (u) {
        return fetch(u, { credentials: "same-origin" }).then(function (response) {
          if (response.ok) { return cache.put(u, response); }
        }).catch(function () { /* offline already: keep what we have */ });
      }));
    }).then(function () {
      if (source) { source.postMessage({ type: "precached", count: urls.length }); }
    })
  );
});
