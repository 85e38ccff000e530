// Notes of appreciation: small enhancements; the pages work without them.
(() => {
  "use strict";

  document.addEventListener("DOMContentLoaded", () => {
    const box = document.querySelector("textarea[data-count]");

    // A character count that speaks up only near the limit.
    if (box) {
      const max = Number(box.dataset.count);
      const count = document.querySelector(`[data-count-for="${box.id}"]`);
      const update = () => {
        const used = box.value.replace(/\r\n/g, "\n").trim().length;
        const left = max - used;
        if (count) {
          count.textContent =
          left >= 0
            ? interpolate(ngettext("%(n)s character left", "%(n)s characters left", left), { n: left }, true)
            : interpolate(ngettext("%(n)s character too many", "%(n)s characters too many", -left), { n: -left }, true);
          count.classList.toggle("is-near", left < 100);
        }
      };
      box.addEventListener("input", update);
      update();
    }

    // Prompts start the note in place instead of reloading the page.
    document.querySelectorAll("a[data-prompt]").forEach((link) => {
      if (!box) return;
      link.addEventListener("click", (event) => {
        event.preventDefault();
        const start = `${link.dataset.prompt} `;
        box.value = box.value.trim() ? `${box.value.trimEnd()}\n${start}` : start;
        box.dispatchEvent(new Event("input"));
        box.focus();
        box.setSelectionRange(box.value.length, box.value.length);
      });
    });

    // "At a time I choose" shows the date and time; "Now" hides them.
    document.querySelectorAll("[data-when]").forEach((fieldset) => {
      const later = fieldset.querySelector("[data-when-later]");
      const radios = fieldset.querySelectorAll("input[type=radio]");
      const update = () => {
        const chosen = fieldset.querySelector("input[type=radio]:checked");
        later.hidden = !chosen || chosen.value !== "later";
      };
      radios.forEach((r) => r.addEventListener("change", update));
      update();
    });
  });
})();
