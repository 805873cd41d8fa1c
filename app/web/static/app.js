// The pages work without this script; it only shows that long work is under way.
"use strict";

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-busy")) return;
  // Disabled after the browser has read the form, so the button's own value still goes along.
  window.setTimeout(() => {
    form.setAttribute("aria-busy", "true");
    for (const button of form.querySelectorAll("button[type=submit]")) {
      button.disabled = true;
      button.dataset.label = button.textContent;
      button.textContent = "Arbetar…";
    }
  }, 0);
});

// Back from the browser's page cache: the buttons work again.
window.addEventListener("pageshow", () => {
  for (const button of document.querySelectorAll("button[data-label]")) {
    button.disabled = false;
    button.textContent = button.dataset.label;
    button.closest("form")?.removeAttribute("aria-busy");
  }
});

// The report frame: say when it is ready, and let it be as tall as the report.
for (const frame of document.querySelectorAll("iframe[data-report-frame]")) {
  frame.addEventListener("load", () => {
    const status = document.querySelector("[data-frame-status]");
    if (status) status.textContent = "Rapporten är klar.";
    try {
      const height = frame.contentDocument?.documentElement?.scrollHeight;
      if (height) frame.style.height = `${height + 32}px`;
    } catch (_) {
      // Another origin: keep the frame's own height.
    }
  });
}
