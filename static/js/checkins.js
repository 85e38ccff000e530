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
        note.textContent = left <= 200 ? `${left} of ${max} characters left.` : `Up to ${max} characters.`;
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
    const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
    const words = (ms) => {
      const minutes = Math.max(0, Math.round(ms / 60000));
      const days = Math.floor(minutes / 1440);
      const hours = Math.floor((minutes % 1440) / 60);
      const mins = minutes % 60;
      if (days) return hours ? `${plural(days, "day")}, ${plural(hours, "hour")}` : plural(days, "day");
      if (hours) return mins ? `${plural(hours, "hour")}, ${plural(mins, "minute")}` : plural(hours, "hour");
      return plural(mins, "minute");
    };
    const tick = () => {
      nodes.forEach((node) => {
        const at = Date.parse(node.dataset.countdown);
        if (Number.isNaN(at)) return;
        const ms = at - Date.now();
        node.textContent = ms > 30000 ? `(in ${words(ms)})` : "(opening now)";
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
