// /hoc-khong-can-mang/ (templates/learning/offline.html): a resident turns on learning without a
// connection. Registers /sw.js (scope "/"), tells it to keep the lessons opened from now on, and
// shows what waits to be sent. The words come from the template's data-* attributes.
const root = document.getElementById("offline");
const statusLine = document.getElementById("offline-status");
const onButton = document.getElementById("offline-on");
const offButton = document.getElementById("offline-off");
const say = (name, n) => (root.dataset[name] || "").replace("{n}", n);

function ask(message) {
  return navigator.serviceWorker.ready.then(
    (registration) =>
      new Promise((resolve, reject) => {
        const channel = new MessageChannel();
        const timer = setTimeout(() => reject(new Error("no answer")), 30000);
        channel.port1.onmessage = (event) => {
          clearTimeout(timer);
          resolve(event.data);
        };
        registration.active.postMessage(message, [channel.port2]);
      }),
  );
}

function show(status) {
  const parts = [say(status.lessons ? "msgOn" : "msgOff")];
  if (status.waiting) parts.push(say("msgWaiting", status.waiting));
  if (status.failed) parts.push(say("msgFailed", status.failed));
  statusLine.textContent = parts.join(" ");
  root.dataset.state = status.lessons ? "on" : "off";
  root.dataset.waiting = String(status.waiting || 0);
  onButton.hidden = Boolean(status.lessons);
  offButton.hidden = !status.lessons;
}

function failed(error) {
  statusLine.textContent = say("msgError", "").replace("{error}", error && error.message ? error.message : error);
  onButton.hidden = false;
}

async function turn(on) {
  onButton.disabled = offButton.disabled = true;
  statusLine.textContent = say("msgWorking");
  try {
    await navigator.serviceWorker.register(root.dataset.swUrl, { scope: "/" });
    if (on && navigator.storage && navigator.storage.persist) await navigator.storage.persist().catch(() => {});
    const sheet = document.querySelector('link[rel="stylesheet"]');
    show(
      await ask({
        type: "lessons",
        on,
        css: sheet ? new URL(sheet.href).pathname : "",
        strings: {
          lang: document.documentElement.lang,
          title: root.dataset.savedTitle,
          text: root.dataset.savedText,
          back: root.dataset.savedBack,
        },
      }),
    );
  } catch (error) {
    failed(error);
  } finally {
    onButton.disabled = offButton.disabled = false;
  }
}

async function start() {
  if (!("serviceWorker" in navigator) || !("indexedDB" in window) || !("caches" in window)) {
    statusLine.textContent = say("msgUnsupported");
    return;
  }
  onButton.addEventListener("click", () => turn(true));
  offButton.addEventListener("click", () => turn(false));
  const registration = await navigator.serviceWorker.getRegistration("/");
  if (!registration) {
    onButton.hidden = false;
    root.dataset.state = "off";
    return;
  }
  try {
    // Online, this also sends what waits; offline, it only counts it.
    show(await ask({ type: navigator.onLine ? "drain" : "status" }));
  } catch (error) {
    failed(error);
  }
  window.addEventListener("online", () => ask({ type: "drain" }).then(show, failed));
}

start();
