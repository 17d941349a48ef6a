// HọcSố, group leaders' pages: attendance with one tap per person, sessions planned on the phone,
// and the status of the outbox (static/attendance/outbox.js, loaded first). Every page works without
// this script; with it, marks are kept on the phone and sent when there is a signal.
// The words shown come from the templates (data-msg-* attributes), never from here.
(function () {
  "use strict";

  // The current-attendance rule, mirroring attendance/selectors.py (mark_order_key and
  // current_marks): the mark recorded latest counts, a tie goes to the greater UUID (as text), so
  // that the phone shows what the server will count once everything is sent. recorded_at is compared
  // as an instant (the phone writes milliseconds; the server keeps microseconds, never needed here).
  // tests/browser/test_leader_rule.py holds the two to the same answers.
  function isLater(a, b) {
    const at = Date.parse(a.recorded_at);
    const bt = Date.parse(b.recorded_at);
    if (at !== bt) return at > bt;
    return String(a.uuid).toLowerCase() > String(b.uuid).toLowerCase();
  }

  // The mark that counts for each member, whatever the order of ``marks`` (all of one session).
  function currentMarks(marks) {
    const current = new Map();
    for (const mark of marks) {
      const best = current.get(mark.member);
      if (!best || isLater(mark, best)) current.set(mark.member, mark);
    }
    return current;
  }
  self.HocSoAttendance = { isLater, currentMarks };

  const O = self.HocSoOutbox;
  if (!O || !("indexedDB" in self) || !self.crypto) return;

  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
  const bar = $("#sync");
  const text = (element, name, n) => ((element && element.dataset[name]) || "").replace("{n}", n);
  const PERIOD = 30000; // while something waits and the phone is online, try every 30 s

  function csrf() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // A stable id for this phone (the server keeps it with each mark).
  function device() {
    try {
      let id = localStorage.getItem("hocso-device");
      if (!id) {
        id = "phone-" + O.uuid();
        localStorage.setItem("hocso-device", id);
      }
      return id;
    } catch (error) {
      return "phone";
    }
  }

  // ---- The service worker: pages on the phone for use without a connection --------------------

  function askWorker(message) {
    return navigator.serviceWorker.ready.then(
      (registration) =>
        new Promise((resolve, reject) => {
          const channel = new MessageChannel();
          const timer = setTimeout(() => reject(new Error("no answer")), 120000);
          channel.port1.onmessage = (event) => {
            clearTimeout(timer);
            resolve(event.data);
          };
          registration.active.postMessage(message, [channel.port2]);
        }),
    );
  }

  function offlineReady() {
    document.documentElement.dataset.offlineReady = "1";
    refresh();
  }

  function worker() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
    const lists = $$("[data-offline-urls]");
    if (!lists.length || !navigator.onLine) {
      navigator.serviceWorker.ready.then(offlineReady);
      return;
    }
    const urls = [location.pathname];
    for (const element of lists) urls.push(...element.dataset.offlineUrls.split(/\s+/).filter(Boolean));
    // This page's own scripts and styles, under the names production gives them.
    for (const element of $$("script[src], link[rel=stylesheet]")) urls.push(element.src || element.href);
    // Fetched again at most every 15 minutes, unless the list changed (a new session, say).
    const memo = "hocso-warm:" + location.pathname;
    const list = urls.join(" ");
    let last = null;
    try {
      last = JSON.parse(localStorage.getItem(memo));
    } catch (error) {
      // nothing remembered
    }
    if (last && last.list === list && Date.now() - last.at < 15 * 60000) {
      navigator.serviceWorker.ready.then(offlineReady);
      return;
    }
    askWorker({ type: "warm", urls }).then((reply) => {
      if (!reply.complete) return;
      try {
        localStorage.setItem(memo, JSON.stringify({ list, at: Date.now() }));
      } catch (error) {
        // storage full: warm again next time
      }
      offlineReady();
    }, () => {});
  }

  // ---- Sending, and the status bar -------------------------------------------------------------

  let state = navigator.onLine ? "idle" : "offline";
  let running = false;
  let again = false;
  let timer = null;

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(send, delay);
  }

  async function send(force) {
    if (running) {
      again = true;
      return;
    }
    running = true;
    state = navigator.onLine ? "sending" : "offline";
    await refresh();
    let result;
    try {
      result = await O.sync({ csrf, force: force === true });
    } catch (error) {
      result = { state: "later" };
    }
    running = false;
    state = result.state;
    if (state === "later") schedule(Math.max(2000, (result.retryAt || 0) - Date.now()));
    if (again) {
      again = false;
      schedule(300);
    }
    await refresh();
  }

  function backgroundSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready
      .then((registration) => registration.sync && registration.sync.register("hocso-sync"))
      .catch(() => {});
  }

  let renderers = [];
  let rendering = Promise.resolve();

  function refresh() {
    rendering = rendering.then(paint).catch(() => {});
    return rendering;
  }

  async function paint() {
    const counts = await O.counts();
    for (const render of renderers) await render().catch(() => {});
    if (!bar) return;
    const waiting = counts.waiting + counts.sessions;
    bar.hidden = false;
    bar.dataset.waiting = String(waiting);
    bar.dataset.rejected = String(counts.rejected);
    bar.dataset.state = waiting ? (navigator.onLine ? state : "offline") : "sent";
    $("#sync-text", bar).textContent = waiting
      ? text(bar, waiting === 1 ? "msgWaitingOne" : "msgWaiting", waiting)
      : text(bar, "msgSent");
    const notes = [];
    if (waiting && !navigator.onLine) notes.push(text(bar, "msgOffline"));
    else if (waiting && state === "sending") notes.push(text(bar, "msgSending"));
    else if (waiting && state === "signin") notes.push(text(bar, "msgSignin"));
    else if (waiting && (state === "later" || state === "busy")) notes.push(text(bar, "msgLater"));
    if (counts.rejected) notes.push(text(bar, "msgRejected", counts.rejected));
    if (!waiting && document.documentElement.dataset.offlineReady) notes.push(text(bar, "msgReady"));
    $("#sync-note", bar).textContent = notes.join(" · ");
    $("#sync-now", bar).hidden = !waiting || !navigator.onLine;
  }

  // ---- Attendance: one tap per person ------------------------------------------------------------

  async function attendance(form) {
    const group = form.dataset.group;
    let session = form.dataset.session;
    if (form.dataset.offline) {
      const id = new URLSearchParams(location.search).get("uuid") || "";
      const planned = /^[0-9a-f-]{36}$/.test(id) ? await O.getSession(id) : null;
      if (!planned || planned.group !== group) {
        $("#session-when").textContent = text(form, "msgMissing");
        return;
      }
      if (planned.sent && navigator.onLine) {
        // The server has it now: its own page shows every mark, from every phone.
        location.replace(location.pathname.replace(/moi\/$/, planned.uuid + "/"));
        return;
      }
      session = planned.uuid;
      form.dataset.session = session;
      $("#session-title").textContent = planned.topic;
      const [day, time] = planned.starts_at.split("T");
      $("#session-when").textContent =
        `${day.split("-").reverse().join("/")} ${time.slice(0, 5)}` +
        (planned.place ? ` · ${planned.place}` : "") +
        (planned.rejected ? ` · ${planned.rejected.message}` : "");
    }
    if (!session) return;

    const rendered = Number(form.dataset.rendered || 0) * 1000;
    const order = O.STATUSES;
    const labels = {};
    const people = new Map();
    for (const fieldset of $$("fieldset.person", form)) {
      for (const input of $$("input[type=radio]", fieldset)) {
        labels[input.value] = input.closest("label").textContent.trim();
      }
      const member = Number(fieldset.dataset.member);
      const button = document.createElement("button");
      button.type = "button";
      button.className = "tap";
      button.dataset.member = String(member);
      const name = document.createElement("span");
      name.className = "tap-name";
      name.textContent = $("legend", fieldset).textContent.trim();
      const status = document.createElement("span");
      status.className = "tap-status";
      button.append(name, status);
      const result = document.createElement("span");
      result.className = "tap-result";
      result.setAttribute("aria-live", "polite");
      fieldset.hidden = true;
      fieldset.after(button, result);
      people.set(member, {
        fieldset,
        button,
        status,
        result,
        name: name.textContent,
        server: fieldset.dataset.status || "",
        shown: fieldset.dataset.status || "",
        unsaved: 0, // taps not yet written: what the button shows wins over what is stored
      });
    }
    if (!people.size) return;
    for (const person of people.values()) show(person, person.server);
    form.classList.add("taps");
    for (const element of $$(".js-only", form.parentNode)) element.hidden = false;
    const submit = $("button[type=submit]", form);
    if (submit) submit.hidden = true;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      send(true);
    });

    // Writes go one after another, in the order of the taps.
    let writing = Promise.resolve();
    function record(list) {
      const touched = list.map((m) => people.get(Number(m.member)));
      touched.forEach((person) => person.unsaved++);
      writing = writing
        .then(() => O.addMarks(list.map((m) => ({ ...m, session, group, device: device() }))))
        .finally(() => touched.forEach((person) => person.unsaved--))
        .then(
          () => {
            backgroundSync();
            if (navigator.onLine) schedule(800);
          },
          () => {}, // not stored: the refresh below shows what the phone really holds
        )
        .then(refresh);
      return writing;
    }

    function show(person, status) {
      person.shown = status;
      person.button.className = "tap" + (status ? " is-" + status : "");
      person.status.textContent = labels[status] || text(form, "msgUnmarked");
      person.button.setAttribute("aria-label", `${person.name}: ${person.status.textContent}`);
      const radio = $(`input[value="${status}"]`, person.fieldset);
      if (radio) radio.checked = true;
    }

    form.addEventListener("click", (event) => {
      const button = event.target.closest("button.tap");
      if (!button) return;
      const person = people.get(Number(button.dataset.member));
      const next = order[(order.indexOf(person.shown) + 1) % order.length];
      show(person, next);
      person.result.textContent = text(form, "msgWait");
      person.result.className = "tap-result is-waiting";
      record([{ member: button.dataset.member, status: next }]);
    });

    const everyone = $("#everyone");
    if (everyone) {
      everyone.addEventListener("click", () => {
        const list = [];
        for (const [member, person] of people) {
          if (person.shown) continue;
          show(person, "present");
          list.push({ member, status: "present" });
        }
        if (list.length) record(list);
      });
    }

    const rejectedBox = $("#rejected");
    if (rejectedBox) {
      rejectedBox.addEventListener("click", (event) => {
        const button = event.target.closest("button[data-dismiss]");
        if (button) O.dismiss(button.dataset.dismiss).then(refresh);
      });
    }

    renderers.push(async () => {
      const view = await O.view(session);
      // Marks still on the phone count, and sent ones newer than this page (older ones
      // are in the page already, as the server counted them).
      const fresh = view.sent.filter((mark) => Date.parse(mark.recorded_at) >= rendered);
      const latest = currentMarks([...fresh, ...view.waiting]);
      // The line under each name tells what became of this phone's current mark, refused ones too.
      const result = currentMarks([...view.sent, ...view.waiting, ...view.rejected]);
      for (const [member, person] of people) {
        if (person.unsaved) continue;
        const mark = latest.get(member);
        show(person, mark ? mark.status : person.server);
        const last = result.get(member);
        let line = "";
        let kind = "";
        if (last && last.reason !== undefined) {
          line = `${text(form, "msgRejected")}: ${last.message || last.reason}`;
          kind = "is-rejected";
        } else if (last && last.outcome && Date.parse(last.recorded_at) >= rendered) {
          line = text(form, "msgSent");
          kind = "is-sent";
        } else if (last && !last.outcome) {
          line = text(form, "msgWait");
          kind = "is-waiting";
        }
        person.result.textContent = line;
        person.result.className = "tap-result " + kind;
      }
      if (everyone) everyone.disabled = ![...people.values()].some((person) => !person.shown);
      if (!rejectedBox) return;
      const list = $("ul", rejectedBox);
      list.replaceChildren(
        ...view.rejected.map((mark) => {
          const item = document.createElement("li");
          const who = document.createElement("strong");
          who.textContent = (people.get(mark.member) || { name: "#" + mark.member }).name;
          const what = document.createElement("span");
          what.textContent = ` · ${labels[mark.status] || mark.status} · ${mark.message || mark.reason}`;
          const dismiss = document.createElement("button");
          dismiss.type = "button";
          dismiss.className = "button secondary small";
          dismiss.dataset.dismiss = mark.uuid;
          dismiss.textContent = text(rejectedBox, "msgDismiss");
          item.append(who, what, document.createElement("br"), dismiss);
          return item;
        }),
      );
      rejectedBox.hidden = !view.rejected.length;
    });
  }

  // ---- Planning a session on the phone ----------------------------------------------------------

  function planForm(form) {
    // The server's initial time carries seconds ("19:00:34"), and a time field counts its steps from
    // its initial value: every whole minute would then be "invalid". Whole minutes it is.
    const clock = form.elements.time;
    if (clock && clock.defaultValue.length > 5) clock.defaultValue = clock.defaultValue.slice(0, 5);
    form.addEventListener("submit", async (event) => {
      if (!form.reportValidity()) return;
      event.preventDefault();
      const value = (name) => (form.elements[name] ? form.elements[name].value.trim() : "");
      const time = value("time").slice(0, 5) + ":00";
      const offset = form.dataset.tz || "+0700"; // the site's time zone, like the form without script
      try {
        const session = await O.addSession({
          group: form.dataset.group,
          starts_at: `${value("date")}T${time}${offset.slice(0, 3)}:${offset.slice(3)}`,
          topic: value("topic"),
          place: value("place"),
        });
        backgroundSync();
        location.assign(`${form.dataset.offlineUrl}?uuid=${session.uuid}`);
      } catch (error) {
        form.submit(); // no storage on this phone: the server plans it, as without script
      }
    });
  }

  // ---- The group page: sessions planned on this phone and not sent yet ------------------------

  function localSessions(box) {
    renderers.push(async () => {
      const sessions = (await O.sessionsOf(box.dataset.group)).filter((s) => !s.sent);
      $("ul", box).replaceChildren(
        ...sessions.map((s) => {
          const item = document.createElement("li");
          const link = document.createElement("a");
          link.href = `${box.dataset.offlineUrl}?uuid=${s.uuid}`;
          const [day, time] = s.starts_at.split("T");
          const when = document.createElement("strong");
          when.textContent = `${day.split("-").reverse().join("/")} ${time.slice(0, 5)}`;
          link.append(when, ` · ${s.topic}`);
          const note = document.createElement("span");
          note.className = "muted";
          note.textContent = s.rejected ? s.rejected.message : text(box, "msgUnsent");
          item.append(link, document.createElement("br"), note);
          return item;
        }),
      );
      box.hidden = !sessions.length;
    });
  }

  // ---- Start -------------------------------------------------------------------------------------

  async function start() {
    const form = $("#attendance");
    if (form) await attendance(form).catch(() => {});
    const plan = $("#session-form");
    if (plan) planForm(plan);
    const box = $("#local-sessions");
    if (box) localSessions(box);
    if (bar) {
      $("#sync-now", bar).addEventListener("click", () => send(true));
    }
    // "Has left the group": asked once more, and only with a signal (it is not kept on the phone).
    for (const confirmed of $$("form[data-confirm]")) {
      confirmed.addEventListener("submit", (event) => {
        if (!navigator.onLine) alert(confirmed.dataset.msgOffline);
        if (!navigator.onLine || !confirm(confirmed.dataset.confirm)) event.preventDefault();
      });
    }
    if (O.channel) O.channel.onmessage = () => refresh();
    window.addEventListener("online", () => send(true));
    window.addEventListener("offline", () => {
      state = "offline";
      refresh();
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") send();
    });
    setInterval(() => {
      if (navigator.onLine && bar && bar.dataset.waiting !== "0") send();
    }, PERIOD);
    await refresh();
    worker();
    send(true);
  }

  start();
})();
