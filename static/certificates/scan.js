// "Verify by camera" (/v/quet/): checks a HọcSố certificate's QR code in the browser, steps 1–5 of
// docs/certificates.md ("Verifying"), with the issuer's key set cached so that it works offline.
// certificates/payload.py is the reference; this file must agree with it byte for byte.
// Every visible string comes from the data-* attributes of #scan, so that Django translates them.
import { verifyAsync } from "../vendor/noble-ed25519/index.js";

const root = document.getElementById("scan");
const text = root.dataset;
const resultBox = document.getElementById("scan-result");
const keysNotice = document.getElementById("scan-keys");
const pasteForm = document.getElementById("scan-paste");
const pasteInput = document.getElementById("scan-text");
const photoInput = document.getElementById("scan-photo");
const cameraButton = document.getElementById("scan-camera-start");
const stopButton = document.getElementById("scan-camera-stop");
const video = document.getElementById("scan-video");

const VERSION = 1;
const SIGNATURE_LENGTH = 64;
const KIND_COURSE = 1;
const KIND_PROFILE = 2;
const KEYS_TIMEOUT_MS = 8000;
const KEYS_STORE = "hocso.certificate-keys:" + text.keysUrl;
// Enough pixels for a version 10 QR code filling a fifth of the frame, few enough for a cheap phone.
const FRAME_MAX = 800;
const PHOTO_SIZES = [1200, 2400];

const MESSAGES = {
  valid: text.msgValid,
  malformed: text.msgMalformed,
  unknown_key: text.msgUnknownKey,
  compromised_key: text.msgCompromised,
  forged: text.msgForged,
};

class Malformed extends Error {}

// ---- Step 1: the text after the last "/", base32 (RFC 4648, padding optional) -------------------

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function payloadText(qrText) {
  const trimmed = qrText.trim().replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1).replace(/\s+/g, "").toUpperCase();
}

function base32Decode(encoded) {
  const clean = encoded.replace(/=+$/, "");
  // 1, 3 or 6 characters past a multiple of 8 cannot come from whole bytes (Python refuses them too).
  if (!clean || /[^A-Z2-7]/.test(clean) || [1, 3, 6].includes(clean.length % 8)) throw new Malformed();
  const bytes = new Uint8Array(Math.floor((clean.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const character of clean) {
    buffer = ((buffer << 5) | BASE32.indexOf(character)) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes[index++] = (buffer >> bits) & 0xff;
    }
  }
  return bytes;
}

// ---- Step 2: parse version 1 exactly -----------------------------------------------------------

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function ascii(bytes) {
  if (bytes.some((byte) => byte > 0x7f)) throw new Malformed();
  return String.fromCharCode(...bytes);
}

function decodeText(bytes) {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new Malformed();
  }
}

function parsePayload(payload) {
  let position = 0;
  const byte = () => {
    if (position >= payload.length) throw new Malformed();
    return payload[position++];
  };
  const field = () => {
    const length = byte();
    if (position + length > payload.length) throw new Malformed();
    position += length;
    return payload.subarray(position - length, position);
  };
  if (byte() !== VERSION) throw new Malformed();
  const kid = ascii(field());
  const serial = ascii(field());
  const days = (byte() << 8) | byte();
  const kind = byte();
  const code = decodeText(field());
  const name = decodeText(field());
  if ((kind !== KIND_COURSE && kind !== KIND_PROFILE) || payload.length - position !== SIGNATURE_LENGTH) {
    throw new Malformed();
  }
  return {
    kid,
    serial,
    kind,
    code,
    name,
    issued: new Date(Date.UTC(2020, 0, 1 + days)),
    signed: payload.subarray(0, position),
    signature: payload.subarray(position),
  };
}

// ---- Step 3: the key set, from the network or the copy kept on this phone ----------------------

function base64urlDecode(value) {
  const binary = atob(value.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (character) => character.charCodeAt(0));
}

function storedKeys() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEYS_STORE));
    return saved && Array.isArray(saved.keys) ? saved : null;
  } catch {
    return null;
  }
}

async function loadKeys() {
  // On a weak 2G signal a fetch can hang for minutes: give up and use the saved copy instead.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), KEYS_TIMEOUT_MS);
  try {
    const response = await fetch(text.keysUrl, { cache: "no-cache", signal: controller.signal });
    const keySet = response.ok ? await response.json() : null;
    if (!keySet || !Array.isArray(keySet.keys)) throw new Error("No key set");
    try {
      localStorage.setItem(KEYS_STORE, JSON.stringify(keySet));
    } catch {
      // Storage full or disabled: the service worker's cache still has a copy.
    }
    // scan-sw.js marks the copy it answers with when the network is down.
    if (response.headers.get("X-HocSo-Offline")) keysNotice.textContent = text.msgOfflineKeys;
    return keySet;
  } catch {
    keysNotice.textContent = text.msgOfflineKeys;
    return storedKeys() || { keys: [] };
  } finally {
    clearTimeout(timer);
  }
}

const keysReady = loadKeys();

// Returns the 32-byte public key, or the reason to refuse the payload.
function findKey(keySet, kid) {
  const entries = keySet.keys.filter((entry) => entry && entry.kid === kid);
  // One compromised entry taints the id, whatever else the set says about it.
  if (entries.some((entry) => entry.status === "compromised")) return "compromised_key";
  for (const entry of entries) {
    const usable = entry.status === "active" || entry.status === "retired";
    if (!usable || entry.kty !== "OKP" || entry.crv !== "Ed25519" || typeof entry.x !== "string") continue;
    try {
      const publicKey = base64urlDecode(entry.x);
      if (publicKey.length === 32) return publicKey;
    } catch {
      // Not base64url: no usable key under this entry.
    }
  }
  return "unknown_key";
}

// ---- Step 4: the signature -----------------------------------------------------------------------

async function verifyQrText(qrText) {
  let claims;
  const encoded = payloadText(qrText);
  try {
    claims = parsePayload(base32Decode(encoded));
  } catch (error) {
    if (error instanceof Malformed) return { result: "malformed" };
    throw error;
  }
  const key = findKey(await keysReady, claims.kid);
  if (typeof key === "string") return { result: key };
  // zip215: false is RFC 8032's strict rule, which docs/certificates.md names.
  const good = await verifyAsync(claims.signature, claims.signed, key, { zip215: false });
  return good ? { result: "valid", claims, payloadText: encoded.replace(/=+$/, "") } : { result: "forged" };
}

// ---- Showing the result ----------------------------------------------------------------------------

function element(tag, className, content) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (content !== undefined) node.textContent = content;
  return node;
}

function formatDate(date) {
  const two = (number) => String(number).padStart(2, "0");
  return `${two(date.getUTCDate())}/${two(date.getUTCMonth() + 1)}/${date.getUTCFullYear()}`;
}

function details(claims) {
  const kind = claims.kind === KIND_COURSE ? text.labelKindCourse : text.labelKindProfile;
  const rows = [
    [text.labelSerial, claims.serial],
    [text.labelName, claims.name],
    [text.labelAchievement, `${claims.code} (${kind})`],
    [text.labelDate, formatDate(claims.issued)],
    [text.labelKey, claims.kid],
  ];
  const list = element("dl", "scan-details");
  for (const [label, value] of rows) list.append(element("dt", "", label), element("dd", "", value));
  return list;
}

function show(outcome) {
  const valid = outcome.result === "valid";
  resultBox.className = `scan-result ${valid ? "is-valid" : "is-invalid"}`;
  resultBox.replaceChildren(element("p", "scan-verdict", MESSAGES[outcome.result]));
  if (valid) {
    // A good signature proves who issued it, not that it has not been revoked since. The register
    // answers the QR's own address without a check code: the payload shows the paper is at hand.
    const link = element("a", "button secondary", text.msgCheckOnline);
    link.href = `/V/${encodeURIComponent(outcome.claims.serial)}/${outcome.payloadText}`;
    const linkLine = element("p");
    linkLine.append(link);
    resultBox.append(details(outcome.claims), linkLine);
  }
  document.body.dataset.scanResult = outcome.result;
}

// Checks can overlap (a paste while a photo decodes): only the latest one may show its result.
let latestCheck = 0;

// Not a verdict (no code found, no camera): the previous verdict goes away with its box.
function notice(message) {
  latestCheck++;
  delete document.body.dataset.scanResult;
  resultBox.className = "scan-result is-notice";
  resultBox.replaceChildren(element("p", "scan-verdict", message));
}

async function check(qrText) {
  const thisCheck = ++latestCheck;
  delete document.body.dataset.scanResult;
  let outcome;
  try {
    outcome = await verifyQrText(qrText);
  } catch (error) {
    // Only a browser without WebCrypto (an insecure context) gets here.
    if (thisCheck === latestCheck) notice(text.msgInsecure);
    throw error;
  }
  if (thisCheck !== latestCheck) return;
  show(outcome);
  resultBox.scrollIntoView({ block: "nearest" });
}

// ---- (c) Pasted text ------------------------------------------------------------------------------

// Without a secure context (plain http on a LAN address) there is no WebCrypto, camera or service
// worker: say so rather than fail silently.
if (!window.isSecureContext) notice(text.msgInsecure);

pasteForm.addEventListener("submit", (event) => {
  event.preventDefault();
  check(pasteInput.value);
});

// ---- jsQR, loaded on first use: most people paste or never need it -------------------------------

let jsQRReady = null;

function loadJsQR() {
  // jsQR is a UMD bundle: imported as a module it attaches itself to self.jsQR.
  if (!jsQRReady) {
    jsQRReady = import("../vendor/jsqr/jsQR.js").then(() => self.jsQR);
    // Offline before the service worker had cached it: let the next try fetch it again.
    jsQRReady.catch(() => {
      jsQRReady = null;
    });
  }
  return jsQRReady;
}

// Most Android phones decode QR codes themselves (BarcodeDetector): there jsQR, 57 KB compressed,
// is never downloaded. Elsewhere (desktop Chromium, Firefox, older phones) jsQR does the work.
async function nativeReader() {
  if (!("BarcodeDetector" in self)) return null;
  try {
    const formats = await self.BarcodeDetector.getSupportedFormats();
    if (!formats.includes("qr_code")) return null;
    const detector = new self.BarcodeDetector({ formats: ["qr_code"] });
    return async (canvas) => {
      const codes = await detector.detect(canvas);
      return codes.length ? codes[0].rawValue : null;
    };
  } catch {
    return null;
  }
}

let readerReady = null;

function loadReader() {
  if (!readerReady) {
    readerReady = nativeReader().then(
      (native) =>
        native ||
        loadJsQR().then((jsQR) => async (canvas, context, inversion) => readCode(jsQR, context, canvas, inversion)),
    );
    readerReady.catch(() => {
      readerReady = null;
    });
  }
  return readerReady;
}

function scaledCanvas(source, width, height, maxSize) {
  const scale = Math.min(1, maxSize / Math.max(width, height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  return { canvas, context };
}

function readCode(jsQR, context, canvas, inversionAttempts) {
  const image = context.getImageData(0, 0, canvas.width, canvas.height);
  const code = jsQR(image.data, image.width, image.height, { inversionAttempts });
  return code ? code.data : null;
}

function found(qrText) {
  pasteInput.value = qrText;
  check(qrText);
}

// ---- (a) The camera -------------------------------------------------------------------------------

let stream = null;
let starting = false;
let frameTimer = null;

function stopCamera() {
  clearInterval(frameTimer);
  frameTimer = null;
  if (stream) stream.getTracks().forEach((track) => track.stop());
  stream = null;
  video.srcObject = null;
  video.hidden = true;
  stopButton.hidden = true;
  cameraButton.hidden = false;
}

async function startCamera() {
  // A second tap while the permission prompt is open would start a second camera.
  if (starting || stream) return;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    notice(text.msgCameraDenied);
    return;
  }
  starting = true;
  try {
    // "ideal", not "exact": a laptop has only a front camera and that will do.
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: "environment" } },
      audio: false,
    });
  } catch {
    notice(text.msgCameraDenied);
    return;
  } finally {
    starting = false;
  }
  if (document.hidden) {
    stopCamera();
    return;
  }
  video.srcObject = stream;
  video.hidden = false;
  stopButton.hidden = false;
  cameraButton.hidden = true;
  await video.play().catch(() => {});
  let read;
  try {
    read = await loadReader();
  } catch {
    stopCamera();
    notice(text.msgCameraDenied);
    return;
  }
  let frame = null;
  let busy = false;
  frameTimer = setInterval(async () => {
    if (busy || !stream || video.readyState < video.HAVE_CURRENT_DATA || !video.videoWidth) return;
    busy = true;
    try {
      if (!frame) frame = scaledCanvas(video, video.videoWidth, video.videoHeight, FRAME_MAX);
      frame.context.drawImage(video, 0, 0, frame.canvas.width, frame.canvas.height);
      // Printed certificates are dark on light: skipping the inverted pass halves the work per frame.
      const qrText = await read(frame.canvas, frame.context, "dontInvert");
      if (qrText && stream) {
        stopCamera();
        found(qrText);
      }
    } finally {
      busy = false;
    }
  }, 250);
}

cameraButton.addEventListener("click", startCamera);
stopButton.addEventListener("click", stopCamera);
// A camera left running drains a phone's battery: stop it when the page is hidden.
document.addEventListener("visibilitychange", () => {
  if (document.hidden) stopCamera();
});

// ---- (b) A photo ---------------------------------------------------------------------------------

async function loadImage(file) {
  if (self.createImageBitmap) {
    try {
      return await createImageBitmap(file);
    } catch {
      // Some browsers cannot make a bitmap of every format; try an <img> below.
    }
  }
  // A data: URL, because the Content-Security-Policy allows data: images but not blob: ones.
  const url = await new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = reject;
    reader.readAsDataURL(file);
  });
  const image = new Image();
  image.src = url;
  await image.decode();
  return image;
}

photoInput.addEventListener("change", async () => {
  const file = photoInput.files[0];
  // Let the same photo be chosen again after a retry.
  photoInput.value = "";
  if (!file) return;
  stopCamera();
  let qrText = null;
  let image = null;
  try {
    let read;
    [image, read] = await Promise.all([loadImage(file), loadReader()]);
    const width = image.naturalWidth || image.width;
    const height = image.naturalHeight || image.height;
    // A phone photo is 12 megapixels: try a small copy first, a larger one if the code is tiny.
    for (const size of PHOTO_SIZES) {
      const { canvas, context } = scaledCanvas(image, width, height, size);
      qrText = await read(canvas, context, "attemptBoth");
      if (qrText || Math.max(width, height) <= size) break;
    }
  } catch {
    qrText = null;
  } finally {
    // A 12-megapixel bitmap holds 48 MB until it is closed.
    if (image && image.close) image.close();
  }
  if (qrText) found(qrText);
  else notice(text.msgNoCode);
});

// ---- Offline: the service worker keeps this page, its scripts and the key set ---------------------

function registerServiceWorker() {
  // Scope: the folder the worker is served from (/v/quet/sw.js → /v/quet/).
  const scope = new URL("./", new URL(text.swUrl, location.href)).pathname;
  navigator.serviceWorker.register(text.swUrl, { scope }).catch(() => {
    // No service worker (private window, insecure origin): the page still works online.
  });
}

if ("serviceWorker" in navigator && text.swUrl) {
  // After the page has loaded, so that precaching does not compete with it on a slow line.
  if (document.readyState === "complete") registerServiceWorker();
  else window.addEventListener("load", registerServiceWorker);
}
