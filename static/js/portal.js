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
// After htmx swaps in new content, move focus to it when the trigger is gone or the swap asks to
// (hx-focus-target), so keyboard and screen reader users land on what changed.
document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  if (!target || document.activeElement && target.contains(document.activeElement)) return;
  const trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (trigger && document.body.contains(trigger) && !target.hasAttribute("data-focus-after-swap")) return;
  const heading = target.querySelector("h1, h2, h3, [data-focus-first]") || target;
  if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
  heading.focus({ preventScroll: false });
});
