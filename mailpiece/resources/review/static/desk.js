// The review desk's keyboard flow: digits go into the ZIP field (the directory's city/state shows as you
// type), letter keys pick the postage and damage kinds, Enter saves and loads the next piece, Esc skips.
// A countdown per piece, as on a video-coding desk: when it runs out the piece stays queued and the next loads.
(function () {
  "use strict";
  const desk = document.getElementById("desk");
  if (!desk) return;
  const keys = JSON.parse(desk.dataset.keys);
  const zip = document.getElementById("zip");
  const place = document.getElementById("place");
  const error = document.getElementById("error");
  const bar = document.getElementById("bar");
  const secs = document.getElementById("secs");
  const seconds = parseFloat(desk.dataset.countdown);
  let busy = false;
  let lookup = 0;

  zip.focus();
  zip.select();

  function chosen(field) {
    const on = desk.querySelector(`.kinds[data-field="${field}"] .kind.on`);
    return on ? on.dataset.kind : null;
  }

  function choose(field, kind) {
    desk.querySelectorAll(`.kinds[data-field="${field}"] .kind`).forEach((el) => {
      el.classList.toggle("on", el.dataset.kind === kind);
    });
  }

  async function showPlace() {
    const digits = zip.value.slice(0, 5);
    const ticket = ++lookup;
    if (!/^\d{5}$/.test(digits)) {
      place.textContent = digits ? "…" : "no ZIP: unreadable to a human too";
      place.className = "place";
      return;
    }
    const response = await fetch(`/api/zip/${digits}`, { credentials: "same-origin" });
    if (ticket !== lookup) return; // a later keystroke asked again
    const body = await response.json();
    place.textContent = response.ok ? `${body.city}, ${body.state}` : body.detail;
    place.className = response.ok ? "place ok" : "place warn";
  }

  async function confirm() {
    if (busy) return;
    busy = true;
    error.textContent = "";
    const review = { zip: zip.value.trim() || null, postage: chosen("postage"), damage: chosen("damage") };
    try {
      const response = await fetch(desk.dataset.reviewUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(review),
      });
      const body = await response.json();
      if (response.ok) {
        window.location.assign(body.next);
        return;
      }
      error.textContent = body.detail || `error ${response.status}`;
    } catch (failure) {
      error.textContent = `not saved: ${failure.message}`; // the desk server is gone or restarting
    }
    busy = false;
    zip.focus();
  }

  function skip() {
    if (busy) return;
    busy = true;
    window.location.assign(desk.dataset.skipUrl);
  }

  zip.addEventListener("input", () => {
    zip.value = zip.value.replace(/[^\d-]/g, "");
    showPlace();
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key.toLowerCase();
    if (event.key === "Enter") {
      event.preventDefault();
      confirm();
    } else if (event.key === "Escape") {
      event.preventDefault();
      skip();
    } else if (key in keys.postage) {
      event.preventDefault();
      choose("postage", keys.postage[key]);
    } else if (key in keys.damage) {
      event.preventDefault();
      choose("damage", keys.damage[key]);
    } else if (/^[\d-]$/.test(event.key) && document.activeElement !== zip) {
      zip.focus(); // digits always go to the ZIP, wherever the focus wandered
    }
  });

  desk.querySelectorAll(".kinds .kind").forEach((el) => {
    el.addEventListener("click", () => {
      choose(el.parentElement.dataset.field, el.dataset.kind);
      zip.focus();
    });
  });

  if (seconds > 0) {
    const end = performance.now() + seconds * 1000;
    const tick = () => {
      const left = Math.max(0, end - performance.now());
      bar.style.width = `${(100 * left) / (seconds * 1000)}%`;
      bar.classList.toggle("late", left < 3000);
      secs.textContent = `${Math.ceil(left / 1000)} s`;
      if (left <= 0) {
        desk.classList.add("expired");
        skip();
      } else {
        requestAnimationFrame(tick);
      }
    };
    requestAnimationFrame(tick);
  } else {
    secs.textContent = "no limit";
  }
})();
