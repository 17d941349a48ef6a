// HọcSố outbox: attendance marks and sessions planned on a leader's phone, kept in IndexedDB until
// the server has acknowledged them. A classic script with no dependencies, loaded by the leaders'
// pages (before leader.js) and by the service worker (importScripts), so that either can send.
//
// The rules (static/attendance/README.md):
// - every mark has its own UUID; it leaves the "marks" store only when the server answered
//   "accepted" or "duplicate" (it then moves to "sent"), or "rejected" (it moves to "rejected",
//   with the reason, until the leader dismisses it);
// - marks travel in frozen batches: a batch (≤ 500 marks and the unsent sessions) is written to
//   the "batches" store with its Idempotency-Key BEFORE it is sent, and sent again with the same key
//   and the same bytes until an answer comes; only then is the next batch frozen;
// - one sender at a time across tabs and the service worker (Web Locks).
(function (scope) {
  "use strict";

  const DB_NAME = "hocso-offline";
  const DB_VERSION = 1;
  const SYNC_URL = "/api/v1/attendance/sync/";
  const MAX_MARKS = 500; // the API's limit per batch
  const MAX_SESSIONS = 100;
  const KEEP_MS = 30 * 24 * 3600 * 1000; // sent marks and answered batches are kept 30 days
  const STATUSES = ["present", "late", "excused", "absent"];
  const channel = "BroadcastChannel" in scope ? new BroadcastChannel("hocso-outbox") : null;

  let opening = null;

  function req(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  function open() {
    if (!opening) {
      opening = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, DB_VERSION);
        request.onupgradeneeded = () => {
          const db = request.result;
          db.createObjectStore("marks", { keyPath: "uuid" }).createIndex("session", "session");
          db.createObjectStore("sessions", { keyPath: "uuid" });
          db.createObjectStore("batches", { keyPath: "key" });
          db.createObjectStore("rejected", { keyPath: "uuid" }).createIndex("session", "session");
          db.createObjectStore("sent", { keyPath: "uuid" }).createIndex("session", "session");
          db.createObjectStore("done", { keyPath: "key" });
          db.createObjectStore("posts", { keyPath: "id" }); // lesson forms sent offline (sw.js)
          db.createObjectStore("settings");
        };
        request.onsuccess = () => {
          const db = request.result;
          db.onversionchange = () => {
            db.close();
            opening = null;
          };
          resolve(db);
        };
        request.onerror = () => {
          opening = null;
          reject(request.error);
        };
      });
    }
    return opening;
  }

  // Run fn(transaction) and resolve with its result once the transaction has committed.
  async function tx(stores, mode, fn) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const t = db.transaction(stores, mode);
      let result;
      t.oncomplete = () => resolve(result);
      t.onerror = t.onabort = () => reject(t.error || new Error("IndexedDB transaction aborted"));
      Promise.resolve()
        .then(() => fn(t))
        .then(
          (value) => (result = value),
          (error) => {
            try {
              t.abort();
            } catch (ignored) {
              // already finished
            }
            reject(error);
          },
        );
    });
  }

  // crypto.randomUUID needs a secure context (https, or localhost while developing).
  function uuid() {
    if (scope.crypto.randomUUID) return scope.crypto.randomUUID();
    const b = scope.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  const byTime = (a, b) => (a.recorded_at < b.recorded_at ? -1 : a.recorded_at > b.recorded_at ? 1 : 0);

  function changed() {
    if (channel) channel.postMessage("changed");
  }

  // ---- Writing ---------------------------------------------------------------------------------

  async function addMark({ session, member, status, group, device }) {
    if (!STATUSES.includes(status)) throw new Error("bad status " + status);
    const mark = {
      uuid: uuid(),
      session,
      member: Number(member),
      status,
      recorded_at: new Date().toISOString(),
      device_id: String(device || "").slice(0, 64),
      group,
    };
    await tx(["marks"], "readwrite", (t) => req(t.objectStore("marks").add(mark)));
    changed();
    return mark;
  }

  // Several marks in one transaction (the "everyone present" button): all or none.
  async function addMarks(list) {
    const now = new Date().toISOString();
    const marks = list.map((m) => ({
      uuid: uuid(),
      session: m.session,
      member: Number(m.member),
      status: m.status,
      recorded_at: now,
      device_id: String(m.device || "").slice(0, 64),
      group: m.group,
    }));
    await tx(["marks"], "readwrite", (t) => Promise.all(marks.map((m) => req(t.objectStore("marks").add(m)))));
    changed();
    return marks;
  }

  async function addSession({ group, starts_at, topic, place }) {
    const session = { uuid: uuid(), group, starts_at, topic, place: place || "", created: Date.now() };
    await tx(["sessions"], "readwrite", (t) => req(t.objectStore("sessions").add(session)));
    changed();
    return session;
  }

  const getSession = (id) => tx(["sessions"], "readonly", (t) => req(t.objectStore("sessions").get(id)));

  const sessionsOf = (group) =>
    tx(["sessions"], "readonly", (t) => req(t.objectStore("sessions").getAll())).then((all) =>
      all.filter((s) => s.group === group).sort((a, b) => (a.starts_at < b.starts_at ? -1 : 1)),
    );

  async function dismiss(id) {
    await tx(["rejected"], "readwrite", (t) => req(t.objectStore("rejected").delete(id)));
    changed();
  }

  // ---- Reading ---------------------------------------------------------------------------------

  // What this phone knows about a session: marks waiting, sent and rejected, each oldest first.
  function view(session) {
    return tx(["marks", "sent", "rejected"], "readonly", async (t) => {
      const get = (name) => req(t.objectStore(name).index("session").getAll(session));
      const [waiting, sent, rejected] = await Promise.all([get("marks"), get("sent"), get("rejected")]);
      return { waiting: waiting.sort(byTime), sent: sent.sort(byTime), rejected: rejected.sort(byTime) };
    });
  }

  function counts() {
    return tx(["marks", "rejected", "sessions"], "readonly", async (t) => {
      const [waiting, rejected, sessions] = await Promise.all([
        req(t.objectStore("marks").count()),
        req(t.objectStore("rejected").count()),
        req(t.objectStore("sessions").getAll()),
      ]);
      return { waiting, rejected, sessions: sessions.filter((s) => !s.sent && !s.rejected).length };
    });
  }

  // ---- Sending ---------------------------------------------------------------------------------

  const markBody = (m) => ({
    uuid: m.uuid,
    session: m.session,
    member: m.member,
    status: m.status,
    recorded_at: m.recorded_at,
    device_id: m.device_id,
  });
  const sessionBody = (s) => ({ uuid: s.uuid, group: s.group, starts_at: s.starts_at, topic: s.topic, place: s.place });

  // The batch to send: the one already frozen, or a new one frozen now (null: nothing to send).
  function freeze() {
    return tx(["marks", "sessions", "batches"], "readwrite", async (t) => {
      const frozen = await req(t.objectStore("batches").getAll());
      if (frozen.length) return frozen.sort((a, b) => a.created - b.created)[0];
      const marks = (await req(t.objectStore("marks").getAll()))
        .filter((m) => !m.batch)
        .sort(byTime)
        .slice(0, MAX_MARKS);
      const needed = new Set(marks.map((m) => m.session));
      const sessions = (await req(t.objectStore("sessions").getAll()))
        .filter((s) => !s.sent && !s.rejected)
        .sort((a, b) => needed.has(b.uuid) - needed.has(a.uuid) || a.created - b.created)
        .slice(0, MAX_SESSIONS);
      if (!marks.length && !sessions.length) return null;
      const batch = {
        key: uuid(),
        created: Date.now(),
        tries: 0,
        next: 0,
        body: { sessions: sessions.map(sessionBody), marks: marks.map(markBody) },
      };
      t.objectStore("batches").add(batch);
      for (const mark of marks) t.objectStore("marks").put({ ...mark, batch: batch.key });
      return batch;
    });
  }

  // Apply the server's answer to a batch, in one transaction.
  function apply(batch, reply) {
    const stores = ["marks", "sessions", "batches", "rejected", "sent", "done"];
    return tx(stores, "readwrite", async (t) => {
      const now = Date.now();
      const outcomes = new Map((reply.marks || []).map((o) => [String(o.uuid), o]));
      const result = { accepted: 0, duplicate: 0, rejected: 0 };
      for (const body of batch.body.marks) {
        const mark = await req(t.objectStore("marks").get(body.uuid));
        if (!mark) continue; // already applied (another tab, or the service worker)
        const outcome = outcomes.get(body.uuid);
        delete mark.batch;
        if (!outcome) {
          t.objectStore("marks").put(mark); // not answered: it goes in the next batch
          continue;
        }
        t.objectStore("marks").delete(body.uuid);
        result[outcome.outcome] = (result[outcome.outcome] || 0) + 1;
        if (outcome.outcome === "rejected") {
          t.objectStore("rejected").put({ ...mark, reason: outcome.reason, message: outcome.message, at: now });
        } else {
          t.objectStore("sent").put({ ...mark, outcome: outcome.outcome, at: now });
        }
      }
      for (const outcome of reply.sessions || []) {
        const session = await req(t.objectStore("sessions").get(String(outcome.uuid)));
        if (!session) continue;
        if (outcome.outcome === "rejected") session.rejected = { reason: outcome.reason, message: outcome.message };
        else session.sent = session.sent || now;
        t.objectStore("sessions").put(session);
      }
      t.objectStore("batches").delete(batch.key);
      t.objectStore("done").put({ key: batch.key, body: batch.body, reply, at: now });
      await prune(t, now);
      return result;
    });
  }

  // Forget what was sent more than 30 days ago (never what waits or was rejected).
  async function prune(t, now) {
    for (const name of ["sent", "done"]) {
      const store = t.objectStore(name);
      for (const item of await req(store.getAll())) {
        if (item.at < now - KEEP_MS) store.delete(name === "done" ? item.key : item.uuid);
      }
    }
    for (const session of await req(t.objectStore("sessions").getAll())) {
      if (session.sent && session.sent < now - KEEP_MS) t.objectStore("sessions").delete(session.uuid);
    }
  }

  // A server that refuses the whole batch as malformed (400): its marks are shown as rejected,
  // with the server's words, never dropped silently.
  function refuse(batch, message) {
    return apply(batch, {
      sessions: batch.body.sessions.map((s) => ({ uuid: s.uuid, outcome: "rejected", reason: "invalid", message })),
      marks: batch.body.marks.map((m) => ({ uuid: m.uuid, outcome: "rejected", reason: "invalid", message })),
    });
  }

  // Try again later: 5 s, 10 s, 20 s … up to 5 minutes, with some jitter.
  function later(batch) {
    const tries = (batch.tries || 0) + 1;
    const wait = Math.min(300000, 5000 * 2 ** (tries - 1)) * (0.75 + Math.random() / 2);
    return tx(["batches"], "readwrite", async (t) => {
      const stored = await req(t.objectStore("batches").get(batch.key));
      if (stored) t.objectStore("batches").put({ ...stored, tries, next: Date.now() + wait });
    }).then(() => Date.now() + wait);
  }

  // 422 means that this key was used with other bytes: it cannot happen with a frozen batch, but if
  // it does, the same marks go again under a new key (their UUIDs keep them from counting twice).
  function rekey(batch) {
    return tx(["marks", "batches"], "readwrite", async (t) => {
      const key = uuid();
      t.objectStore("batches").delete(batch.key);
      t.objectStore("batches").add({ ...batch, key, tries: 0, next: 0 });
      for (const body of batch.body.marks) {
        const mark = await req(t.objectStore("marks").get(body.uuid));
        if (mark) t.objectStore("marks").put({ ...mark, batch: key });
      }
    });
  }

  // Send what waits, batch after batch. options.csrf() gives the CSRF token (the cookie's value);
  // options.force ignores the back-off (a tap on "Send now", the "online" event).
  // Resolves with { state: "idle" | "offline" | "later" | "signin" | "busy", retryAt, sent }.
  async function sync(options = {}) {
    if (scope.navigator && scope.navigator.onLine === false) return { state: "offline" };
    const run = () => send(options);
    if (scope.navigator && scope.navigator.locks) {
      return scope.navigator.locks.request("hocso-outbox-sync", { ifAvailable: true }, (lock) =>
        lock ? run() : { state: "busy" },
      );
    }
    return run();
  }

  async function send({ csrf, force }) {
    let sent = 0;
    for (let round = 0; round < 50; round++) {
      const batch = await freeze();
      if (!batch) return { state: "idle", sent };
      if (!force && batch.next > Date.now()) return { state: "later", retryAt: batch.next, sent };
      const headers = { "Content-Type": "application/json", Accept: "application/json", "Idempotency-Key": batch.key };
      const token = csrf ? await csrf() : "";
      if (token) headers["X-CSRFToken"] = token;
      let response;
      try {
        response = await fetch(SYNC_URL, {
          method: "POST",
          headers,
          body: JSON.stringify(batch.body),
          credentials: "same-origin",
          cache: "no-store",
          redirect: "manual",
        });
      } catch (error) {
        return { state: "later", retryAt: await later(batch), sent };
      }
      if (response.status === 200) {
        let reply;
        try {
          reply = await response.json();
        } catch (error) {
          return { state: "later", retryAt: await later(batch), sent };
        }
        await apply(batch, reply);
        changed();
        sent += batch.body.marks.length;
        force = true; // the next batch may go at once
      } else if (response.status === 401 || response.status === 403 || response.type === "opaqueredirect") {
        return { state: "signin", sent };
      } else if (response.status === 422) {
        await rekey(batch);
      } else if (response.status === 400) {
        let message = "";
        try {
          message = (await response.json()).error.message;
        } catch (error) {
          message = String(response.status);
        }
        await refuse(batch, message);
        changed();
      } else {
        // 409 (the same key is still being processed), 429, 5xx, a proxy's error page: later.
        return { state: "later", retryAt: await later(batch), sent };
      }
    }
    return { state: "later", retryAt: Date.now(), sent };
  }

  scope.HocSoOutbox = {
    STATUSES,
    uuid,
    open,
    tx,
    req,
    addMark,
    addMarks,
    addSession,
    getSession,
    sessionsOf,
    dismiss,
    view,
    counts,
    sync,
    channel,
  };
})(self);
