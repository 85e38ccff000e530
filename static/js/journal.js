// Journal: the paced-breathing timer. The page works without it (the
// circle simply keeps breathing); with it, Start runs a two-minute timer,
// the words pace each breath (also when motion is reduced: then the circle
// stays still and only the words change), and the end leads to the
// "how strong is it now?" question.
(() => {
  "use strict";

  const pad = (n) => String(n).padStart(2, "0");
  const clock = (s) => `${Math.floor(s / 60)}:${pad(s % 60)}`;

  const setup = (box) => {
    const total = Number(box.dataset.seconds) || 120;
    const inhale = Number(box.dataset.in) || 4;
    const exhale = Number(box.dataset.out) || 6;
    const cycle = inhale + exhale;
    const phase = box.querySelector("[data-phase]");
    const count = box.querySelector("[data-count]");
    const time = box.querySelector("[data-time]");
    const live = box.querySelector("[data-live]");
    const controls = box.querySelector("[data-controls]");
    const start = box.querySelector("[data-start]");
    const stop = box.querySelector("[data-stop]");
    const circle = box.querySelector(".breather-circle");
    const after = document.querySelector("[data-after]");
    const restingWords = phase.textContent;
    let timer = null;
    let began = 0;
    let lastPhase = "";

    box.dataset.ready = "1";
    controls.hidden = false;
    time.textContent = clock(total);

    const finish = (done) => {
      clearInterval(timer);
      timer = null;
      delete box.dataset.running;
      start.hidden = false;
      stop.hidden = true;
      start.textContent = gettext("Start again");
      count.textContent = "";
      if (done) {
        phase.textContent = gettext("Well done.");
        time.textContent = gettext("Done");
        live.textContent = gettext("Two minutes are up. Well done.");
        if (after) {
          after.focus({ preventScroll: true });
          after.scrollIntoView({ behavior: "smooth", block: "start" });
        }
      } else {
        phase.textContent = restingWords;
        time.textContent = clock(total);
        live.textContent = gettext("Stopped.");
      }
    };

    const tick = () => {
      const elapsed = (Date.now() - began) / 1000;
      if (elapsed >= total) {
        finish(true);
        return;
      }
      const within = elapsed % cycle;
      const breathingIn = within < inhale;
      const left = Math.ceil(breathingIn ? inhale - within : cycle - within);
      const words = breathingIn ? gettext("Breathe in") : gettext("Breathe out");
      phase.textContent = words;
      count.textContent = String(left);
      time.textContent = interpolate(gettext("%(time)s left"), { time: clock(Math.ceil(total - elapsed)) }, true);
      if (words !== lastPhase) {
        lastPhase = words;
        live.textContent = words;
      }
    };

    start.addEventListener("click", () => {
      // Restart the animation from its beginning, in step with the words.
      circle.style.animation = "none";
      void circle.offsetWidth;
      circle.style.animation = "";
      box.dataset.running = "1";
      began = Date.now();
      lastPhase = "";
      start.hidden = true;
      stop.hidden = false;
      stop.focus();
      tick();
      timer = setInterval(tick, 200);
    });
    stop.addEventListener("click", () => {
      finish(false);
      start.focus();
    });
  };

  // The trigger log, one question at a time (Back, Next, Skip on the
  // optional ones), with a draft kept on this phone (localStorage) if the
  // page is left before saving. Without JavaScript every question is shown
  // at once and nothing is kept. The draft never leaves the phone; saving
  // (or "Start again, empty", or signing out: steady.js) removes it.
  const DRAFT_DAYS = 7;

  const stepper = (form) => {
    const questions = [...form.querySelectorAll("[data-question]")];
    const nav = form.querySelector("[data-step-nav]");
    const next = form.querySelector("[data-step-next]");
    const skip = form.querySelector("[data-step-skip]");
    const back = form.querySelector("[data-step-back]");
    const finish = form.querySelector("[data-step-finish]");
    const progress = form.querySelector("[data-progress]");
    const stepError = form.querySelector("[data-step-error]");
    const note = form.querySelector("[data-draft-note]");
    const key = form.dataset.draftKey;
    const fields = [...form.querySelectorAll("textarea, input[type=radio]")];
    let current = 0;

    const answered = (q) =>
      [...q.querySelectorAll("textarea")].some((t) => t.value.trim() !== "") ||
      [...q.querySelectorAll("input[type=radio]")].some((r) => r.checked);

    const values = () => {
      const out = {};
      fields.forEach((f) => {
        if (f.type === "radio") {
          if (f.checked) out[f.name] = f.value;
        } else if (f.value) {
          out[f.name] = f.value;
        }
      });
      return out;
    };

    const store = {
      read() {
        try {
          const draft = JSON.parse(localStorage.getItem(key) || "null");
          if (!draft || Date.now() - draft.saved > DRAFT_DAYS * 864e5) return null;
          return draft;
        } catch (e) {
          return null;
        }
      },
      write() {
        const data = values();
        try {
          if (Object.keys(data).length === 0) localStorage.removeItem(key);
          else localStorage.setItem(key, JSON.stringify({ values: data, step: current, saved: Date.now() }));
        } catch (e) {
          /* private mode or full: the log still works, unkept */
        }
      },
      clear() {
        try {
          localStorage.removeItem(key);
        } catch (e) {
          /* nothing kept */
        }
      },
    };

    const show = (n, focus) => {
      current = Math.max(0, Math.min(n, questions.length - 1));
      questions.forEach((q, i) => {
        q.hidden = i !== current;
      });
      const q = questions[current];
      const last = current === questions.length - 1;
      progress.textContent = interpolate(gettext("Question %(n)s of %(total)s"), { n: current + 1, total: questions.length }, true);
      back.hidden = current === 0;
      next.hidden = last;
      skip.hidden = last || Boolean(q.dataset.required);
      finish.hidden = !last;
      stepError.hidden = true;
      stepError.textContent = "";
      if (focus) q.focus();
    };

    next.addEventListener("click", () => {
      const q = questions[current];
      if (q.dataset.required && !answered(q)) {
        stepError.textContent = q.dataset.required;
        stepError.hidden = false;
        return;
      }
      show(current + 1, true);
      store.write();
    });
    skip.addEventListener("click", () => {
      show(current + 1, true);
      store.write();
    });
    back.addEventListener("click", () => {
      show(current - 1, true);
      store.write();
    });

    form.addEventListener("input", store.write);
    form.addEventListener("change", store.write);
    window.addEventListener("pagehide", () => {
      if (!form.dataset.sent) store.write();
    });
    form.addEventListener("submit", () => {
      form.dataset.sent = "1";
      store.clear();
    });

    // Start: at the first question with an error from the server; or where a
    // kept draft left off, when the page came back empty.
    let start = questions.findIndex((q) => q.querySelector(".has-error"));
    if (start === -1) {
      start = 0;
      const draft = store.read();
      const pristine = Object.keys(values()).length === 0;
      if (draft && pristine) {
        fields.forEach((f) => {
          const value = draft.values[f.name];
          if (value === undefined) return;
          if (f.type === "radio") f.checked = f.value === value;
          else f.value = value;
        });
        start = Number(draft.step) || 0;
        note.hidden = false;
      }
    }
    note.querySelector("[data-draft-discard]").addEventListener("click", () => {
      store.clear();
      fields.forEach((f) => {
        if (f.type === "radio") f.checked = false;
        else f.value = "";
      });
      note.hidden = true;
      show(0, true);
    });

    progress.hidden = false;
    nav.hidden = false;
    form.dataset.stepping = "1";
    show(start, false);
  };

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-breather]").forEach(setup);
    document.querySelectorAll("form[data-trigger-steps]").forEach(stepper);
  });
})();
