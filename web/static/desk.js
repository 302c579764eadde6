// The check-in desk: search as you type, marks that update the list without losing the search,
// and the QR code of a printed agenda read by the camera (where the browser has BarcodeDetector;
// elsewhere the search, or a phone's camera app opening the personal link, does the same).
"use strict";

const desk = document.getElementById("desk");
const search = document.getElementById("q");
const status = document.getElementById("desk-status");

function filter() {
  const words = search.value.trim().toLocaleLowerCase().split(/\s+/).filter(Boolean);
  for (const line of desk.querySelectorAll("li[data-search]")) {
    line.hidden = !words.every((word) => line.dataset.search.includes(word));
  }
}

// The desk page the server answered with: its message, its counts, and the lines it changed.
function show(html) {
  const page = new DOMParser().parseFromString(html, "text/html");
  const flash = page.querySelector("main > p.flashed");
  status.textContent = flash ? flash.textContent : "";
  status.classList.toggle("error", Boolean(flash && flash.classList.contains("error")));
  status.hidden = !flash;
  for (const id of ["desk-summary", "replanned"]) {
    const fresh = page.getElementById(id);
    const old = document.getElementById(id);
    if (fresh && old) old.replaceWith(document.importNode(fresh, true));
  }
  for (const line of page.querySelectorAll("#desk li[id]")) {
    const old = document.getElementById(line.id);
    if (old) old.replaceWith(document.importNode(line, true));
  }
  filter();
}

function post(url, body) {
  body.set("q", "");  // the answer lists everyone: the search here decides what is shown
  return fetch(url, { method: "POST", body, credentials: "same-origin" })
    .then((response) => response.text())
    .then(show);
}

if (desk && search) {
  search.addEventListener("input", filter);
  document.getElementById("desk-search").addEventListener("submit", (event) => {
    event.preventDefault();  // the list is already filtered
  });
  filter();

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.classList.contains("desk-actions") || event.defaultPrevented) return;
    event.preventDefault();
    const body = new FormData(form);
    if (event.submitter && event.submitter.name) body.set(event.submitter.name, event.submitter.value);
    post(form.action, body).catch(() => form.submit());
  });
}

const scanner = document.getElementById("scanner");
if (scanner && "BarcodeDetector" in window && navigator.mediaDevices) {
  scanner.hidden = false;
  const toggle = document.getElementById("scan-toggle");
  const video = document.getElementById("scan-video");
  const startLabel = toggle.textContent;
  let stream = null;
  let detector = null;
  let last = "";
  let lastAt = 0;

  const stop = () => {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.hidden = true;
    toggle.textContent = startLabel;
  };

  const look = () => {
    if (!stream) return;
    detector.detect(video)
      .then((codes) => {
        const code = codes.find((c) => c.rawValue.includes("/p/"));
        const now = Date.now();
        // The same agenda held up for a few seconds is one arrival, not many.
        if (code && !(code.rawValue === last && now - lastAt < 5000)) {
          last = code.rawValue;
          lastAt = now;
          const body = new FormData();
          body.set("csrf_token", scanner.dataset.csrf);
          body.set("link", code.rawValue);
          return post(scanner.dataset.scanUrl, body);
        }
        return null;
      })
      .catch(() => null)
      .finally(() => setTimeout(look, 250));
  };

  toggle.addEventListener("click", () => {
    if (stream) {
      stop();
      return;
    }
    detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } })
      .then((camera) => {
        stream = camera;
        video.srcObject = camera;
        video.hidden = false;
        video.play();
        toggle.textContent = toggle.dataset.stop;
        look();
      })
      .catch(() => {
        status.textContent = scanner.dataset.noCamera;
        status.hidden = false;
      });
  });
}
