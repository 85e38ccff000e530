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
      start.textContent = "Start again";
      count.textContent = "";
      if (done) {
        phase.textContent = "Well done.";
        time.textContent = "Done";
        live.textContent = "Two minutes are up. Well done.";
        if (after) {
          after.focus({ preventScroll: true });
          after.scrollIntoView({ behavior: "smooth", block: "start" });
        }
      } else {
        phase.textContent = restingWords;
        time.textContent = clock(total);
        live.textContent = "Stopped.";
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
      const words = breathingIn ? "Breathe in" : "Breathe out";
      phase.textContent = words;
      count.textContent = String(left);
      time.textContent = `${clock(Math.ceil(total - elapsed))} left`;
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

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-breather]").forEach(setup);
  });
})();
