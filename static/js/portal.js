// Confirmation for destructive forms (data-confirm names what they act on) and copy buttons.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.textContent.trim()).then(() => {
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});
// The menu folds behind a button at phone widths (CSS decides when; this only wires the button).
document.addEventListener("DOMContentLoaded", () => {
  const header = document.querySelector(".topbar");
  const toggle = header && header.querySelector(".menu-toggle");
  if (!toggle) return;
  header.classList.add("js-menu");
  const narrow = window.matchMedia("(max-width: 700px)");
  const sync = () => { toggle.hidden = !narrow.matches; };
  sync();
  narrow.addEventListener("change", sync);
  toggle.addEventListener("click", () => {
    const open = header.classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(open));
  });
});
// A list in a form that applies itself on change (hx-trigger="change") applies a keyboard choice
// when the user leaves the list or presses Enter: arrow keys step through the options, and each
// step is a change, so applying every step would re-rank and add a history entry per keypress. A
// choice by mouse or touch applies at once.
const STEP_KEYS = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown"]);
const stepping = new WeakSet(); // lists whose next change comes from the keyboard
const held = new WeakMap(); // list -> the value applied before the keyboard changes held back
const appliesOnChange = (el) => el instanceof HTMLSelectElement && !el.multiple && el.closest("[hx-trigger*=change]");
const release = (select) => {
  if (!held.has(select)) return;
  const before = held.get(select);
  held.delete(select);
  if (select.value !== before) select.dispatchEvent(new Event("change", { bubbles: true }));
};
document.addEventListener("keydown", (event) => {
  const select = event.target;
  if (!appliesOnChange(select)) return;
  if (event.key === "Enter" && held.has(select)) {
    event.preventDefault();
    release(select);
  } else if (STEP_KEYS.has(event.key) || event.key.length === 1) {
    stepping.add(select);
  }
}, true);
document.addEventListener("pointerdown", (event) => { stepping.delete(event.target); }, true);
document.addEventListener("focus", (event) => {
  if (appliesOnChange(event.target)) event.target.dataset.appliedValue = event.target.value;
}, true);
document.addEventListener("change", (event) => {
  const select = event.target;
  if (!stepping.has(select) || !appliesOnChange(select)) return;
  stepping.delete(select);
  if (!held.has(select)) held.set(select, select.dataset.appliedValue ?? "");
  event.stopPropagation(); // htmx listens on the form: it hears this change on release
}, true);
document.addEventListener("focusout", (event) => { release(event.target); }, true);

// After htmx swaps in new content, put focus where the user can go on:
// - back on the control that had it, when the swap replaced it with one of the same id (a priority
//   moved up keeps focus on its button), or on the id it names in data-focus-fallback (its other
//   button, when it reached the top);
// - on the new content's heading when the user asked for it (a submit), when the trigger is gone,
//   or when the target asks (data-focus-after-swap);
// - otherwise where it was (a list changed in a form keeps focus while the result updates).
// Text in the new content's [data-announce] is read out through the page's status region.
let focusedBeforeSwap = null;
document.addEventListener("htmx:beforeSwap", () => {
  const active = document.activeElement;
  focusedBeforeSwap = active && active !== document.body ? { id: active.id, fallback: active.dataset.focusFallback } : null;
});
const focusOn = (element) => {
  if (!element.hasAttribute("tabindex") && !element.matches("a[href], button, input, select, textarea")) {
    element.setAttribute("tabindex", "-1");
  }
  element.focus({ preventScroll: false });
};
document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  if (!target) return;
  const announce = target.querySelector("[data-announce]");
  const status = document.getElementById("live-status");
  if (announce && status) status.textContent = announce.dataset.announce;
  const before = focusedBeforeSwap;
  focusedBeforeSwap = null;
  const config = event.detail.requestConfig || {};
  const submitted = Boolean(config.triggeringEvent && config.triggeringEvent.type === "submit");
  const active = document.activeElement;
  const kept = active && active !== document.body && document.body.contains(active);
  if (kept && !submitted) return;
  if (!kept && before) {
    const same = (before.id && document.getElementById(before.id)) || (before.fallback && document.getElementById(before.fallback));
    if (same) { focusOn(same); return; }
  }
  if (!submitted && config.elt && document.body.contains(config.elt) && !target.hasAttribute("data-focus-after-swap")) return;
  focusOn(target.querySelector("h1, h2, h3, [data-focus-first]") || target);
});
