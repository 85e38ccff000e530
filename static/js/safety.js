// Quick exit and the safety pages' history (docs/safety.md).
//
// Loaded in <head> without "defer", before anything on the page can be
// tapped: when this lived in the deferred steady.js, a tap on a slow phone
// (or a loaded machine) could land before it ran, and the browser then
// followed the link normally, leaving the safety page one step back in the
// history for whoever picks up the phone next. The listeners are on the
// document, so they hold for the page parsed after them.
(() => {
  "use strict";

  // Quick exit (docs/safety.md): "Leave this page", or Escape pressed three
  // times, swaps this page for a neutral site with location.replace, so the
  // page it left is not one step back in the history.
  const quickExit = () => {
    const link = document.querySelector("[data-quick-exit]");
    window.location.replace(link ? link.href : "https://www.google.com/search?q=weather");
  };
  document.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest("[data-quick-exit]")) {
      event.preventDefault();
      quickExit();
    }
  });
  let escapes = [];
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const now = Date.now();
    escapes = escapes.filter((t) => now - t < 2000).concat(now);
    if (escapes.length >= 3) quickExit();
  });

  // Safety pages (<body data-replace-history>) never enter the history:
  // each link and form on them, and each link into them
  // (a[data-replace-history]), moves on with location.replace.
  const sameOrigin = (url) => {
    try {
      return new URL(url, window.location.href).origin === window.location.origin;
    } catch {
      return false;
    }
  };
  const onSafetyPage = () => document.body && document.body.hasAttribute("data-replace-history");
  document.addEventListener("click", (event) => {
    if (!(event.target instanceof Element) || event.defaultPrevented) return;
    const link = event.target.closest("a[href]");
    if (!link || link.hasAttribute("data-quick-exit") || link.target === "_blank" || link.hasAttribute("download")) return;
    if (!(onSafetyPage() || link.hasAttribute("data-replace-history"))) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    const href = link.getAttribute("href");
    if (!href || href.startsWith("#") || href.startsWith("tel:") || href.startsWith("sms:")) return;
    event.preventDefault();
    window.location.replace(link.href);
  });
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !onSafetyPage() || form.method.toLowerCase() !== "post") return;
    if (!sameOrigin(form.action) || form.matches("[data-sign-out]")) return;
    event.preventDefault();
    const body = new FormData(form);
    if (event.submitter && event.submitter.name) body.append(event.submitter.name, event.submitter.value);
    // The safety views answer {"location": ...} to this header instead of a
    // redirect (safety/views.py); anything else is followed as it came.
    fetch(form.action, { method: "POST", body, credentials: "same-origin", headers: { "X-Steady-Replace": "1" } })
      .then(async (response) => {
        const type = response.headers.get("Content-Type") || "";
        const next = type.includes("json") ? (await response.json()).location : response.url;
        window.location.replace(new URL(next, window.location.href).href);
      })
      .catch(() => HTMLFormElement.prototype.submit.call(form));
  });
})();
