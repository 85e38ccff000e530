// Steady's service worker (served by pwa.views.service_worker; VERSION above
// is a hash of every static file, the offline page and this script).
//
// What it stores, and why no more: partners write private things here. The
// ONLY responses ever put in the cache are the offline page (rendered
// without any user) and files under the static URL. Pages are fetched from
// the network every time and never stored; API responses, and anything that
// is not a GET, are not touched at all. Going offline shows the offline
// page, never a stale copy of someone's check-in, journal or notes.
"use strict";

const CONFIG = {{ config|safe }};
const CACHE = `steady-${VERSION}`;

const isStatic = (url) => url.origin === self.location.origin && url.pathname.startsWith(CONFIG.staticUrl);

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // "reload": past the HTTP cache, so a new version stores new files.
      // "omit": without the session cookie, so even by mistake nothing
      // stored here could be about the person signed in.
      const shell = [...CONFIG.shell, CONFIG.offlineUrl];
      await cache.addAll(shell.map((url) => new Request(url, { cache: "reload", credentials: "omit" })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith("steady-") && key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

async function staticFirst(request) {
  const cache = await caches.open(CACHE);
  const stored = await cache.match(request);
  if (stored) return stored;
  const response = await fetch(request);
  // Only a whole, same-origin static file: never an error, a redirect or a part.
  if (response.ok && response.status === 200 && response.type === "basic") {
    await cache.put(request, response.clone());
  }
  return response;
}

async function pageOrOffline(request) {
  try {
    return await fetch(request); // not stored: pages hold private data
  } catch {
    const offline = await caches.match(CONFIG.offlineUrl);
    return offline || new Response("You're offline.", { status: 503, headers: { "Content-Type": "text/plain" } });
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (isStatic(url)) {
    event.respondWith(staticFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(pageOrOffline(request));
  }
  // Everything else (the API above all) goes to the network as if this
  // worker were not here, and nothing of it is kept.
});

// --- Web Push ------------------------------------------------------------
// The payload is {title, url, tag} (reminders/delivery.py). The title is a
// fixed phrase and the body is left empty: content-free on the lock screen
// by construction. A repeated reminder has the same tag and replaces the
// one already shown, quietly.

const samePath = (value) => {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//")) return "/";
  try {
    const url = new URL(value, self.location.origin);
    return url.origin === self.location.origin ? url.pathname + url.search + url.hash : "/";
  } catch {
    return "/";
  }
};

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  const title = typeof data.title === "string" && data.title.trim() ? data.title.trim().slice(0, 120) : "Steady";
  const options = { icon: CONFIG.icon, badge: CONFIG.badge, data: { url: samePath(data.url) } };
  if (typeof data.tag === "string" && data.tag) options.tag = data.tag.slice(0, 64);
  // The recipient's language (reminders/delivery.py): an Arabic title reads right to left.
  if (typeof data.lang === "string" && /^[a-z]{2}(-[A-Za-z]{2,4})?$/.test(data.lang)) options.lang = data.lang;
  options.dir = data.dir === "rtl" || data.dir === "ltr" ? data.dir : "auto";
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(samePath(event.notification.data && event.notification.data.url), self.location.origin);
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
      if (open) {
        const focused = await open.focus();
        if (focused && focused.url !== target.href && "navigate" in focused) {
          try {
            await focused.navigate(target.href);
          } catch {
            // An uncontrolled window cannot be sent elsewhere; it is focused.
          }
        }
        return;
      }
      await self.clients.openWindow(target.href);
    })(),
  );
});
