// Service worker of the "verify by camera" page. Django serves it at /v/quet/sw.js with
// "Service-Worker-Allowed: /v/quet/"; it controls that page only.
//
// Offline, the page needs itself, its scripts and styles, and the issuer's key set. The key set is
// network-first (a key can be marked compromised at any time); everything else is cache-first.
//
// Bump VERSION when a file in ASSETS changes, so that phones fetch the new copies.
const VERSION = "2";
const CACHE_PREFIX = "hocso-scan-";
const CACHE = CACHE_PREFIX + VERSION;

const PAGE_URL = new URL(self.registration.scope).pathname; // /v/quet/
const KEYS_URL = "/certificates/keys.json"; // fixed by docs/certificates.md
const STATIC_URL = "/static/";
const ASSETS = [
  "certificates/scan.js",
  "certificates/scan.css",
  "vendor/noble-ed25519/index.js",
  "vendor/jsqr/jsQR.js",
  "css/site.css",
].map((path) => STATIC_URL + path);

// In production ManifestStaticFilesStorage names files "scan.0123456789ab.js". Such a name always
// holds the same content, so the browser's own cache usually answers it; offline, the copy kept
// under the plain name ("scan.js") stands in for it.
const HASHED_NAME = /\.[0-9a-f]{12}(\.[A-Za-z0-9]+)$/;

// Django answers the page with "Vary: Accept-Language, Cookie"; one copy serves every visit here.
const MATCH = { ignoreVary: true };

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      // "reload": precache fresh copies, not what the HTTP cache may hold from an older release.
      .then((cache) => cache.addAll([PAGE_URL, KEYS_URL, ...ASSETS].map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE).map((name) => caches.delete(name))),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === KEYS_URL) {
    event.respondWith(keySet(request));
  } else if (request.mode === "navigate" && url.pathname === PAGE_URL) {
    event.respondWith(page(event));
  } else if (url.pathname.startsWith(STATIC_URL)) {
    event.respondWith(staticFile(request));
  }
});

function storable(response) {
  return response.ok && response.type === "basic";
}

async function keySet(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (storable(response)) {
      await cache.put(KEYS_URL, response.clone());
      return response;
    }
  } catch {
    // Offline: answer with the cached copy below.
  }
  const cached = await cache.match(KEYS_URL, MATCH);
  if (!cached) return Response.error();
  // Tell the page that this copy may be old, so that it can say so.
  const headers = new Headers(cached.headers);
  headers.set("X-HocSo-Offline", "1");
  return new Response(cached.body, { status: cached.status, statusText: cached.statusText, headers });
}

// Cache-first, and refreshed in the background so that the next visit shows a new release.
async function page(event) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(PAGE_URL, MATCH);
  const refresh = fetch(event.request).then(async (response) => {
    if (storable(response)) await cache.put(PAGE_URL, response.clone());
    return response;
  });
  if (!cached) return refresh;
  event.waitUntil(refresh.catch(() => {}));
  return cached;
}

async function staticFile(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const url = new URL(request.url);
  const plainUrl = url.origin + url.pathname.replace(HASHED_NAME, "$1");
  try {
    const response = await fetch(request);
    if (storable(response)) await cache.put(plainUrl === request.url ? request : plainUrl, response.clone());
    return response;
  } catch (error) {
    const plain = await cache.match(plainUrl);
    if (plain) return plain;
    throw error;
  }
}
