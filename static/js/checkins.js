// Check-ins: small enhancements. Every page works without them.
(() => {
  "use strict";

  // Text answers: how much room is left, once it starts to matter.
  const counters = () => {
    document.querySelectorAll("textarea[data-count]").forEach((area) => {
      const max = Number(area.dataset.count);
      const note = document.querySelector(`[data-count-for="${area.id}"]`);
      if (!note || !max) return;
      const update = () => {
        const used = area.value.length;
        const left = max - used;
        note.textContent =
          left <= 200
            ? interpolate(ngettext("%(left)s of %(max)s character left.", "%(left)s of %(max)s characters left.", max), { left, max }, true)
            : interpolate(ngettext("Up to %(max)s character.", "Up to %(max)s characters.", max), { max }, true);
        note.classList.toggle("is-near", left <= 200);
      };
      area.addEventListener("input", update);
      update();
    });
  };

  // "(in 2 hours, 5 minutes)" next to the next check-in, kept current.
  const countdowns = () => {
    const nodes = [...document.querySelectorAll("[data-countdown]")];
    if (!nodes.length) return;
    const dayWords = (n) => interpolate(ngettext("%(n)s day", "%(n)s days", n), { n }, true);
    const hourWords = (n) => interpolate(ngettext("%(n)s hour", "%(n)s hours", n), { n }, true);
    const minuteWords = (n) => interpolate(ngettext("%(n)s minute", "%(n)s minutes", n), { n }, true);
    // Two parts of a time ("2 hours, 5 minutes").
    const both = (first, second) => interpolate(gettext("%(first)s, %(second)s"), { first, second }, true);
    const words = (ms) => {
      const minutes = Math.max(0, Math.round(ms / 60000));
      const days = Math.floor(minutes / 1440);
      const hours = Math.floor((minutes % 1440) / 60);
      const mins = minutes % 60;
      if (days) return hours ? both(dayWords(days), hourWords(hours)) : dayWords(days);
      if (hours) return mins ? both(hourWords(hours), minuteWords(mins)) : hourWords(hours);
      return minuteWords(mins);
    };
    const tick = () => {
      nodes.forEach((node) => {
        const at = Date.parse(node.dataset.countdown);
        if (Number.isNaN(at)) return;
        const ms = at - Date.now();
        node.textContent =
          ms > 30000 ? interpolate(gettext("(in %(time)s)"), { time: words(ms) }, true) : gettext("(opening now)");
      });
    };
    tick();
    setInterval(tick, 30000);
  };

  // Waiting for the reveal: look quietly for the "revealed" event and show
  // it when it comes. Nothing else from the event stream is used or shown.
  const revealWatch = () => {
    const box = document.querySelector("[data-reveal-watch]");
    if (!box || !window.fetch) return;
    const url = box.dataset.revealWatch;
    let since = Number(box.dataset.since) || 0;
    let delay = 10000;
    const started = Date.now();
    const look = async () => {
      if (Date.now() - started > 2 * 3600 * 1000) return;
      if (document.visibilityState === "visible") {
        try {
          const response = await fetch(`${url}?since=${since}`, {
            credentials: "same-origin",
            headers: { Accept: "application/json" },
          });
          if (response.ok) {
            const body = await response.json();
            if ((body.results || []).some((e) => e.kind === "revealed")) {
              window.location.reload();
              return;
            }
            since = body.last_seq || since;
            delay = 10000;
          } else {
            delay = Math.min(delay * 2, 120000);
          }
        } catch {
          delay = Math.min(delay * 2, 120000);
        }
      }
      setTimeout(look, delay);
    };
    setTimeout(look, delay);
  };

  document.addEventListener("DOMContentLoaded", () => {
    counters();
    countdowns();
    revealWatch();
  });
})();
