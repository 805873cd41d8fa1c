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

// The proposal's live preview: after a change, the same GET the form would send is fetched and
// its result section replaces this one. Without this script the button does the same.
for (const form of document.querySelectorAll("form[data-live-preview]")) {
  const target = form.dataset.livePreview;
  const status = form.querySelector("[data-live-status]");
  let timer;
  let controller;
  const refresh = async () => {
    const url = new URL(form.action, window.location.href);
    url.search = new URLSearchParams(new FormData(form)).toString();
    controller?.abort();
    controller = new AbortController();
    if (status) status.textContent = "Räknar …";
    try {
      const response = await fetch(url, { signal: controller.signal, credentials: "same-origin" });
      const html = await response.text();
      const fresh = new DOMParser().parseFromString(html, "text/html").getElementById(target);
      const current = document.getElementById(target);
      if (!fresh || !current) throw new Error("no result section");
      current.replaceWith(fresh);
      window.history.replaceState(null, "", url);
      const summary = fresh.querySelector("[data-summary] strong");
      if (status) status.textContent = summary ? `Uppdaterad: ${summary.textContent}` : "Uppdaterad.";
    } catch (error) {
      if (error.name !== "AbortError" && status) {
        status.textContent = "Förhandsgranskningen kunde inte uppdateras: tryck Förhandsgranska.";
      }
    }
  };
  const later = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 600);
  };
  form.addEventListener("input", later);
  form.addEventListener("change", later);
}
