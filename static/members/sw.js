// HọcSố service worker, served at /sw.js (members/offline_views.py) with scope "/". Registered by the
// group leaders' pages (leader.js) and, for residents, by /hoc-khong-can-mang/ (offline.js).
//
// - Leaders: their pages (/to-cua-toi/, /to/<code>/…) are network-first with the copy on the phone
//   as fallback, and warmed on request (the group page lists its sessions). Attendance marks wait in
//   IndexedDB (outbox.js) and are sent from the page, or from here on the next fetch or "sync".
// - Residents, once they turned it on: the lessons they open are kept the same way, and the lesson
//   "done" and quiz forms sent without a connection are kept and sent later through the API
//   (/api/v1/lessons/<id>/complete/ and …/quiz/; the server counts each submission once:
//   submission_id, and "done" is a get_or_create).
// - Never cached: answers to POSTs, /api/, the admins, documents, any PDF, and pages the server sends
//   with "Cache-Control: no-store" (restricted lessons); a kept lesson the server now answers with
//   no-store, 403, 404, 410 or a redirect is deleted from the phone.
//
// Bump VERSION when the shell changes: old caches ("hocso-sw-…") are deleted on activation.
importScripts("/static/attendance/outbox.js");

const VERSION = "2";
const PREFIX = "hocso-sw-";
const PAGES = `${PREFIX}pages-${VERSION}`;
const LESSONS = `${PREFIX}lessons-${VERSION}`;
const STATIC = `${PREFIX}static-${VERSION}`;
const SHELL = [
  "/static/css/site.css",
  "/static/attendance/leader.css",
  "/static/attendance/outbox.js",
  "/static/attendance/leader.js",
  "/static/learning/offline.js",
  "/static/members/icon-192.png",
];
const O = self.HocSoOutbox;

const LEADER_PAGE =
  /^(?:\/en)?\/(?:to-cua-toi\/|to\/[^/]+\/(?:|buoi-moi\/|buoi\/moi\/|buoi\/[0-9a-f-]{36}\/|diem-danh\/))$/;
const OFFLINE_SESSION = /^(?:\/en)?\/to\/[^/]+\/buoi\/moi\/$/;
const LESSON_PAGE = /^(?:\/khoa-hoc\/|\/en\/courses\/)/;
const LESSON_POST = /^(?:\/en)?\/hoc\/bai\/\d+\/(?:xong|tra-loi)\/$/;
const SIGN_OUT = /^(?:\/en)?\/dang-xuat\/$/;
const SIGN_IN = /^(?:\/en)?\/dang-nhap\/$/;
const OUR_STATIC = /^\/static\/(?:css|members)\//;
const NEVER = /^\/(?:api|admin|django-admin|documents)\/|\.pdf$/i;
// Production names static files "leader.0123456789ab.js"; offline, the plain name stands in.
const HASHED_NAME = /\.[0-9a-f]{12}(\.[A-Za-z0-9]+)$/;
// Django answers with "Vary: Cookie, Accept-Language": one copy per address is what we want.
const MATCH = { ignoreVary: true };
const NETWORK_WAIT = 6000; // on a weak signal, show the copy on the phone after 6 s
const POST_WAIT = 20000;
const DRAIN_EVERY = 30000;

const sleep = (ms, value) => new Promise((resolve) => setTimeout(resolve, ms, value));

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(STATIC)
      .then((cache) =>
        Promise.all(SHELL.map((url) => cache.add(new Request(url, { cache: "reload" })).catch(() => {}))),
      )
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  const current = [PAGES, LESSONS, STATIC];
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((n) => n.startsWith(PREFIX) && !current.includes(n)).map((n) => caches.delete(n))),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || NEVER.test(url.pathname)) return;
  const path = url.pathname;
  if (request.method === "POST") {
    if (LESSON_POST.test(path)) event.respondWith(lessonPost(event));
    else if (SIGN_OUT.test(path)) event.respondWith(signOut(event));
    return;
  }
  if (request.method !== "GET") return;
  if (self.navigator.onLine !== false && Date.now() - lastDrain > DRAIN_EVERY) event.waitUntil(drain());
  if (OUR_STATIC.test(path)) {
    event.respondWith(staticFile(event));
  } else if (request.mode === "navigate" && LEADER_PAGE.test(path)) {
    if (url.search && !OFFLINE_SESSION.test(path)) return; // e.g. ?format=csv
    event.respondWith(page(event, PAGES, url.origin + path, true));
  } else if (request.mode === "navigate" && LESSON_PAGE.test(path)) {
    const keep = !url.search || /^\?attempt=\d+$/.test(url.search);
    event.respondWith(lessons().then((on) => page(event, LESSONS, url.origin + path, on.on && keep)));
  } else if (path.startsWith("/media/images/")) {
    event.respondWith(lessons().then((on) => (on.on ? image(event) : fetch(request))));
  }
});

self.addEventListener("sync", (event) => {
  if (event.tag === "hocso-sync") event.waitUntil(drain(true));
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  const reply = (message) => (event.ports[0] || event.source).postMessage(message);
  let work = null;
  if (data.type === "warm") work = warm(data.urls || []).then((result) => ({ type: "warmed", ...result }));
  else if (data.type === "lessons") work = setLessons(data).then(status);
  else if (data.type === "status") work = status();
  else if (data.type === "drain") work = drain(true).then(status);
  if (work) event.waitUntil(work.then(reply, (error) => reply({ type: "error", error: String(error) })));
});

// ---- Pages: network first, the copy on the phone when there is no (or a very slow) network ------

// The server's word goes: a page sent with "Cache-Control: no-store" (restricted lessons, see
// courses/serving.py) is never kept, and the copy of a lesson the server now says is no-store,
// refused or gone is deleted (a restriction added later must not leave the page on the phone).
// Leaders' pages keep their copy as before whatever the answer (they are never no-store).
const noStore = (response) => /(?:^|,)\s*no-store\s*(?:,|$)/i.test(response.headers.get("Cache-Control") || "");
const GONE = [403, 404, 410];

function storable(response) {
  return (
    response.status === 200 &&
    response.type === "basic" &&
    !response.redirected &&
    !noStore(response) &&
    (response.headers.get("Content-Type") || "").startsWith("text/html")
  );
}

// A lesson's address that now sends the browser elsewhere (a navigation's redirect reaches the worker
// as an "opaqueredirect": to the sign-in page when the lesson was restricted to others) no longer
// serves what the phone kept.
function forgettable(response) {
  if (response.type === "opaqueredirect") return true;
  return response.type === "basic" && (GONE.includes(response.status) || noStore(response));
}

async function page(event, cacheName, key, store) {
  const cache = await caches.open(cacheName);
  const network = fetch(event.request).then(async (response) => {
    if (store && storable(response)) await cache.put(key, response.clone());
    else if (cacheName === LESSONS && forgettable(response)) await cache.delete(key, MATCH);
    return response;
  });
  try {
    const first = await Promise.race([network, sleep(NETWORK_WAIT, "slow")]);
    if (first !== "slow" && first.status < 500) return first;
    const cached = await cache.match(key, MATCH);
    if (cached) {
      event.waitUntil(network.catch(() => {}));
      return cached;
    }
    return first === "slow" ? await network : first;
  } catch (error) {
    const cached = await cache.match(key, MATCH);
    return cached || Response.error();
  }
}

async function staticFile(event) {
  const request = event.request;
  const cache = await caches.open(STATIC);
  const url = new URL(request.url);
  const plain = url.origin + url.pathname.replace(HASHED_NAME, "$1");
  const hashed = plain !== url.origin + url.pathname;
  if (hashed) {
    const cached = await cache.match(request, MATCH);
    if (cached) return cached; // a hashed name never changes
  }
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") {
      const copy = response.clone();
      event.waitUntil(cache.put(plain, copy.clone()).then(() => hashed && cache.put(request, copy)));
    }
    return response;
  } catch (error) {
    const cached = (await cache.match(request, MATCH)) || (await cache.match(plain, MATCH));
    if (cached) return cached;
    throw error;
  }
}

async function image(event) {
  const cache = await caches.open(LESSONS);
  const cached = await cache.match(event.request, MATCH);
  if (cached) return cached; // renditions keep their name for the same picture
  const response = await fetch(event.request);
  if (response.ok && response.type === "basic") event.waitUntil(cache.put(event.request, response.clone()));
  return response;
}

// Keep the pages a leader needs for a session without signal: sent by leader.js with the addresses
// listed on the page (data-offline-urls); a group page fetched here adds its own list.
async function warm(urls) {
  const pages = await caches.open(PAGES);
  const statics = await caches.open(STATIC);
  const queue = [];
  const seen = new Set();
  const add = (value) => {
    let url;
    try {
      url = new URL(value, self.location.origin);
    } catch (error) {
      return;
    }
    const allowed = LEADER_PAGE.test(url.pathname) || OUR_STATIC.test(url.pathname);
    if (url.origin !== self.location.origin || !allowed || seen.has(url.pathname) || queue.length >= 100) return;
    seen.add(url.pathname);
    queue.push(url);
  };
  urls.forEach(add);
  let count = 0;
  let complete = true;
  // One after the other: gentle on a weak connection (and on the server).
  for (const url of queue) {
    try {
      if (OUR_STATIC.test(url.pathname)) {
        const response = await fetch(url.href);
        if (response.ok) await statics.put(url.href.replace(HASHED_NAME, "$1"), response.clone());
        if (response.ok && HASHED_NAME.test(url.pathname)) await statics.put(url.href, response);
        count++;
        continue;
      }
      const response = await fetch(url.href, { credentials: "same-origin", cache: "no-cache" });
      const landed = new URL(response.url);
      if (response.redirected) {
        if (SIGN_IN.test(landed.pathname)) {
          complete = false; // signed out: nothing to keep
          break;
        }
        // /to-cua-toi/ sends a leader of one group to that group's page.
        if (LEADER_PAGE.test(landed.pathname) && !landed.search) {
          await pages.put(url.origin + url.pathname, Response.redirect(landed.pathname, 302));
          add(landed.href);
        }
        continue;
      }
      if (response.status !== 200 || !(response.headers.get("Content-Type") || "").startsWith("text/html")) continue;
      const html = await response.text();
      await pages.put(url.origin + url.pathname, new Response(html, { status: 200, headers: response.headers }));
      count++;
      const more = html.match(/data-offline-urls="([^"]*)"/);
      if (more) more[1].replace(/&amp;/g, "&").split(/\s+/).filter(Boolean).forEach(add);
    } catch (error) {
      complete = false; // the connection went away
      break;
    }
  }
  return { count, complete };
}

// ---- Lessons without a connection (residents who turned it on) ---------------------------------

let lessonSettings = null;

function lessons() {
  if (!lessonSettings) {
    lessonSettings = O.tx(["settings"], "readonly", (t) => O.req(t.objectStore("settings").get("lessons")))
      .then((value) => value || { on: false })
      .catch(() => ({ on: false }));
  }
  return lessonSettings;
}

async function setLessons({ on, strings, css }) {
  const value = { on: Boolean(on), strings: strings || {}, css: css || "/static/css/site.css", at: Date.now() };
  await O.tx(["settings"], "readwrite", (t) => O.req(t.objectStore("settings").put(value, "lessons")));
  lessonSettings = Promise.resolve(value);
  if (!value.on) await caches.delete(LESSONS);
}

async function allPosts() {
  return O.tx(["posts"], "readonly", (t) => O.req(t.objectStore("posts").getAll()));
}

async function status() {
  const settings = await lessons();
  const posts = await allPosts();
  const counts = await O.counts();
  return {
    type: "status",
    lessons: settings.on,
    waiting: posts.filter((p) => p.state === "waiting").length,
    failed: posts.filter((p) => p.state === "failed").length,
    marks: counts.waiting,
  };
}

async function lessonPost(event) {
  const request = event.request;
  const settings = await lessons();
  if (!settings.on) return fetch(request);
  const body = await request.clone().text();
  if (self.navigator.onLine !== false) {
    try {
      const answer = await Promise.race([fetch(request), sleep(POST_WAIT, null)]);
      if (answer) {
        event.waitUntil(drain(true));
        return answer;
      }
      // No answer in 20 s: keep it. If the server did get it, sending it again changes nothing.
    } catch (error) {
      // No connection: keep it below.
    }
  }
  await keep(request.url, body, request.referrer);
  if (self.registration.sync) self.registration.sync.register("hocso-sync").catch(() => {});
  return savedPage(settings, request.referrer);
}

// The same form sent twice is kept once; the same quiz form sent again with other answers is
// another attempt, so it gets a submission id of its own.
function keep(url, body, referrer) {
  return O.tx(["posts"], "readwrite", async (t) => {
    const store = t.objectStore("posts");
    const path = new URL(url).pathname;
    const form = new URLSearchParams(body);
    const id = form.get("submission_id");
    const same = (await O.req(store.getAll())).filter(
      (p) => p.path === path && (id ? new URLSearchParams(p.body).get("submission_id") === id : p.state === "waiting"),
    );
    if (same.some((p) => p.body === body || !id)) return;
    if (same.length) {
      form.set("submission_id", O.uuid());
      body = form.toString();
    }
    store.add({ id: O.uuid(), url, path, body, referrer, state: "waiting", at: Date.now() });
  });
}

const escape = (value) =>
  String(value || "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function savedPage(settings, referrer) {
  const s = settings.strings || {};
  let back = "/";
  try {
    if (new URL(referrer).origin === self.location.origin) back = referrer;
  } catch (error) {
    // no referrer
  }
  const html = `<!doctype html>
<html lang="${escape(s.lang || "vi")}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(s.title)} · HọcSố</title><link rel="stylesheet" href="${escape(settings.css)}"></head>
<body><header class="top"><span class="brand">Học<b>Số</b></span></header><main id="main"><h1>${escape(s.title)}</h1>
<p class="card" id="saved-offline">${escape(s.text)}</p>
<p><a class="button" href="${escape(back)}">${escape(s.back)}</a></p></main></body></html>`;
  return new Response(html, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "Content-Security-Policy": "default-src 'self'; script-src 'none'; style-src 'self'; base-uri 'none'",
    },
  });
}

async function cookieToken() {
  try {
    if (self.cookieStore) {
      const cookie = await self.cookieStore.get("csrftoken");
      return cookie ? cookie.value : "";
    }
  } catch (error) {
    // no Cookie Store API here
  }
  return "";
}

// A form kept on the phone, as the API call that does the same (api/views/learning.py): "done" is
// POST /api/v1/lessons/<id>/complete/ (a get_or_create on the server), answers are
// POST /api/v1/lessons/<id>/quiz/ with the form's submission_id (one attempt per id). Either can be
// sent any number of times: the server counts it once.
function apiCall(post) {
  const [, id, kind] = post.path.match(/\/hoc\/bai\/(\d+)\/(xong|tra-loi)\/$/);
  const form = new URLSearchParams(post.body);
  if (kind === "xong") return { url: `/api/v1/lessons/${id}/complete/`, body: {}, form };
  const answers = {};
  for (const [name, value] of form) {
    if (name.startsWith("q-")) (answers[name.slice(2)] = answers[name.slice(2)] || []).push(Number(value));
  }
  return { url: `/api/v1/lessons/${id}/quiz/`, body: { submission_id: form.get("submission_id") || post.id, answers }, form };
}

async function replayPosts() {
  const waiting = (await allPosts()).filter((p) => p.state === "waiting").sort((a, b) => a.at - b.at);
  for (const post of waiting) {
    const call = apiCall(post);
    // The form's token may be older than the cookie (a sign-in since): the cookie's value is valid.
    const token = (await cookieToken()) || call.form.get("csrfmiddlewaretoken") || "";
    let response;
    try {
      response = await fetch(call.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
        body: JSON.stringify(call.body),
        credentials: "same-origin",
        cache: "no-store",
        redirect: "manual",
      });
    } catch (error) {
      return; // offline again
    }
    // Signed out (or a stale token), busy, or the server is unwell: the forms wait for the next try.
    if ([401, 403, 409, 429].includes(response.status) || response.status >= 500 || !response.status) return;
    let change = { state: "sent", sent: Date.now() };
    if (!response.ok) {
      let message = "";
      try {
        message = (await response.json()).error.message;
      } catch (error) {
        message = String(response.status);
      }
      change = { state: "failed", status: response.status, message };
    }
    await O.tx(["posts"], "readwrite", async (t) => {
      const stored = await O.req(t.objectStore("posts").get(post.id));
      if (stored) t.objectStore("posts").put({ ...stored, ...change });
    });
  }
  // Sent forms are kept a week (to recognise the same form sent again), then forgotten.
  await O.tx(["posts"], "readwrite", async (t) => {
    for (const post of await O.req(t.objectStore("posts").getAll())) {
      if (post.state === "sent" && post.sent < Date.now() - 7 * 24 * 3600 * 1000) t.objectStore("posts").delete(post.id);
    }
  });
}

// ---- Sending what waits: lesson forms, then attendance ----------------------------------------

let lastDrain = 0;
let draining = null;

function drain(force) {
  if (draining) return draining;
  if (!force && Date.now() - lastDrain < DRAIN_EVERY) return Promise.resolve();
  lastDrain = Date.now();
  draining = (async () => {
    if (self.navigator.onLine === false) return;
    try {
      await self.navigator.locks.request("hocso-posts", { ifAvailable: true }, (lock) => lock && replayPosts());
    } catch (error) {
      // try again on the next occasion
    }
    try {
      await O.sync({ csrf: cookieToken });
    } catch (error) {
      // idem
    }
  })().finally(() => {
    draining = null;
  });
  return draining;
}

// Before signing out, send what waits while the session still allows it; then forget the pages.
async function signOut(event) {
  await Promise.race([drain(true), sleep(15000)]);
  const response = await fetch(event.request);
  if (response.type === "opaqueredirect" || response.ok) {
    event.waitUntil(Promise.all([caches.delete(PAGES), caches.delete(LESSONS)]));
  }
  return response;
}
