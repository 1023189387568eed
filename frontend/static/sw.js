// Lift's service worker, served at /sw.js with scope "/". Reminders (push and
// notificationclick) live in sw-push.js; everything else here keeps Lift usable with no signal.
//
// - The shell, CSS, htmx, icons, the offline pages, Get help now and the education cards are
//   precached per version, fetched WITHOUT cookies: what is kept is what anybody would see,
//   so no personal data is ever stored and no one's page can be shown to someone else.
// - Navigations go to the network first; after a short wait, or with no signal, the kept copy
//   of that page, then the offline page. Signed-in pages are never cached.
// - Static files are cache-first; their names carry the version, so a deploy never mixes old
//   and new files.
// - A new version installs beside the old one and waits: the page shows "New version — reload"
//   and the patient chooses when. Old caches are deleted when the new version takes over.
"use strict";

importScripts("/static/js/sw-push.js");
// The version and the list to precache (they change with every deploy), and the check-in
// queue the pages use.
importScripts("/sw-config.js", "/static/js/offline-queue.js");

const CONFIG = self.LIFT_OFFLINE;
const CACHE = `lift-${CONFIG.version}`;
// Where a navigation goes with no signal, when not to the kept copy of the page itself.
const OFFLINE_COPIES = { "/checkin": "/offline/checkin", "/help": "/offline/help", "/safety-plan": "/offline/safety-plan" };

self.addEventListener("install", (event) => {
  const requests = [...CONFIG.assets, ...CONFIG.pages].map(
    (url) => new Request(url, { credentials: "omit", cache: "reload" })
  );
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(requests)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith("lift-") && name !== CACHE).map((name) => caches.delete(name)));
    // Take control of the page that registered the worker on first install, so a
    // notification tap can reuse that window and the page works offline at once.
    await self.clients.claim();
  })());
});

// "lift:update": the patient tapped "Reload" on the new-version banner.
// "lift:claim": a page that was still loading when this worker activated is not claimed by
// activate's clients.claim() (the spec skips clients not yet execution-ready), so it asks.
self.addEventListener("message", (event) => {
  const type = event.data && event.data.type;
  if (type === "lift:update") self.skipWaiting();
  if (type === "lift:claim") event.waitUntil(self.clients.claim());
});

function timeout(ms) {
  return new Promise((resolve, reject) => setTimeout(() => reject(new Error("timed out")), ms));
}

async function keptPage(url) {
  const cache = await caches.open(CACHE);
  const path = OFFLINE_COPIES[url.pathname] || url.pathname;
  const copy = CONFIG.pages.includes(path) ? await cache.match(path) : undefined;
  return copy || (await cache.match("/offline")) || Response.error();
}

// A server error is no page to show: for a page kept for no signal (Get help now, the check-in,
// the safety plan) the kept copy works without Lift; elsewhere, a reverse proxy's own error page
// ("502 Bad Gateway" while Lift restarts; Lift titles every page "… · Lift") says nothing, and
// not even how to reach help.
async function unusable(response, url) {
  if (response.status < 500) return false;
  return url.pathname in OFFLINE_COPIES || !/· Lift<\/title>/.test(await response.clone().text());
}

async function networkFirst(request, url) {
  try {
    const response = await Promise.race([fetch(request), timeout(CONFIG.navigationTimeoutMs)]);
    return (await unusable(response, url)) ? keptPage(url) : response;
  } catch (error) {
    return keptPage(url);
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate" || request.headers.get("HX-Boosted") === "true") {
    // A boosted link is htmx fetching a whole page: treat it like the navigation it replaces.
    event.respondWith(networkFirst(request, url));
  }
});

async function tellPages(message) {
  const windows = await self.clients.matchAll({ type: "window" });
  windows.forEach((client) => client.postMessage(message));
}

// Background Sync: the browser wakes the worker when the signal returns, even with Lift closed.
self.addEventListener("sync", (event) => {
  if (event.tag !== LiftQueue.SYNC_TAG) return;
  event.waitUntil(
    LiftQueue.sendAll()
      .then((sent) => tellPages({ type: "lift:queue-changed", sent }))
      .catch((error) => tellPages({ type: "lift:queue-changed", sent: [] }).then(() => { throw error; }))
  );
});
