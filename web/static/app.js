// A little JavaScript: copy buttons, confirmations, and live progress of a generation.
"use strict";

document.addEventListener("click", (event) => {
  const button = event.target.closest("button.copy");
  if (!button) return;
  const box = document.getElementById(button.dataset.copy);
  box.select();
  // The words on the button come from the page, in its language.
  const label = button.textContent;
  const done = () => {
    button.textContent = document.body.dataset.copied || label;
    setTimeout(() => { button.textContent = label; }, 1500);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(box.value).then(done, () => { document.execCommand("copy"); done(); });
  } else {
    document.execCommand("copy");
    done();
  }
});

// Print buttons: a listener here rather than inline handlers, which the Content-Security-Policy forbids.
document.addEventListener("click", (event) => {
  if (event.target.closest("button.print")) window.print();
});

document.addEventListener("submit", (event) => {
  const question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});

// The progress page polls its job every second: each figure arrives as the page shows it
// (translated on the server); once the job has made a timetable, the page goes to it. The page
// of a job that had ended before it was opened (data-follow absent) just shows how it ended.
function showProgress(section, p) {
  for (const el of section.querySelectorAll("[data-key]")) {
    el.textContent = p.text[el.dataset.key];
  }
  const bar = document.getElementById("job-time");
  if (bar && p.time_limit) bar.value = Math.min(1, p.elapsed / p.time_limit);
  const active = p.status === "queued" || p.status === "running";
  const stop = document.getElementById("stop-form"); // absent for viewers, who cannot stop
  if (stop) {
    stop.hidden = !active;
    if (p.stop_requested) stopping(stop.querySelector("button"));
  }
  document.getElementById("done-link").hidden = active;
  if (!active && p.done_url) window.location.assign(p.done_url);
  return active;
}

function stopping(button) {
  button.disabled = true;
  button.textContent = button.dataset.stopping;
}

const jobSection = document.getElementById("job");
if (jobSection) {
  const poll = () => {
    fetch(jobSection.dataset.progressUrl, { headers: { Accept: "application/json" } })
      .then((r) => { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then((p) => { if (showProgress(jobSection, p)) setTimeout(poll, 1000); })
      .catch(() => setTimeout(poll, 3000));
  };
  if ("follow" in jobSection.dataset) poll();
  // Stopping needs no page load: the form is posted in the background and the polling shows
  // the outcome (without JavaScript the form posts as usual).
  const stopForm = document.getElementById("stop-form");
  stopForm?.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = stopForm.querySelector("button");
    stopping(button);
    fetch(stopForm.action, { method: "POST", body: new FormData(stopForm) })
      .catch(() => { button.disabled = false; });
  });
}

// A failed save: each problem listed at the top names its field and leads to it, and the first
// wrong field has the focus (without scrolling away from the list at the top).
const summary = document.getElementById("form-error");
if (summary) {
  let first = null;
  for (const link of summary.querySelectorAll("a[data-error]")) {
    const message = document.getElementById(link.dataset.error);
    const control = message && document.querySelector(`[aria-describedby~="${link.dataset.error}"]`);
    if (!control) {
      link.replaceWith(document.createTextNode(link.textContent));
      continue;
    }
    const label = control.labels && control.labels[0];
    if (label) link.textContent = `${label.textContent.trim()}: ${link.textContent}`;
    link.href = `#${control.id}`;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      control.focus();
      control.scrollIntoView({ block: "center" });
    });
    first = first || control;
  }
  if (first) first.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

// "Go back" on error pages: the browser's back, which keeps what was typed in the form before.
document.addEventListener("click", (event) => {
  if (event.target.closest("button.back")) window.history.back();
});

// A form larger than the server takes is stopped here, before what was typed leaves the page.
const maxBody = Number(document.querySelector("meta[name=max-content-length]")?.content || 0);
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!maxBody || form.method.toLowerCase() !== "post" || event.defaultPrevented) return;
  let size = 0;
  for (const [, value] of new FormData(form)) {
    size += typeof value === "string" ? new Blob([encodeURIComponent(value)]).size : value.size;
  }
  if (size <= maxBody) return;
  event.preventDefault();
  let box = document.getElementById("too-large");
  if (!box) {
    box = document.createElement("p");
    box.id = "too-large";
    box.className = "flash error";
    box.setAttribute("role", "alert");
    box.tabIndex = -1;
    document.getElementById("main").prepend(box);
  }
  box.textContent = document.querySelector("meta[name=max-content-length]").dataset.message;
  box.focus();
});

// The timetable's filters: a name (startup, investor or organisation), a field, pinned only.
// Cells that do not match are dimmed, so that the grid keeps its shape.
const timetable = document.getElementById("timetable");
if (timetable) {
  const find = document.getElementById("grid-find");
  const field = document.getElementById("grid-field");
  const pinned = document.getElementById("grid-pinned");
  const filter = () => {
    const words = find.value.trim().toLowerCase();
    const active = words || field.value || pinned.checked;
    for (const cell of timetable.querySelectorAll("td.meeting")) {
      const match = (!words || cell.dataset.names.toLowerCase().includes(words))
        && (!field.value || cell.dataset.field === field.value)
        && (!pinned.checked || cell.classList.contains("pinned"));
      cell.classList.toggle("dim", Boolean(active) && !match);
      cell.classList.toggle("hit", Boolean(active) && match);
    }
  };
  for (const control of [find, field, pinned]) control.addEventListener("input", filter);
}
