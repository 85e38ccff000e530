// Taking space: small enhancements; the pages work without them.
(() => {
  "use strict";

  document.addEventListener("DOMContentLoaded", () => {
    // The time box only for "Another time".
    document.querySelectorAll("[data-when]").forEach((fieldset) => {
      const custom = fieldset.querySelector("[data-custom]");
      if (!custom) return;
      const hasError = custom.querySelector(".error");
      const update = () => {
        const chosen = fieldset.querySelector("input[name=when]:checked");
        custom.hidden = !hasError && (!chosen || chosen.value !== "custom");
      };
      fieldset.querySelectorAll("input[name=when]").forEach((r) =>
        r.addEventListener("change", () => {
          update();
          if (r.checked && r.value === "custom") custom.querySelector("input").focus();
        }),
      );
      update();
    });

    // A character count for the note.
    document.querySelectorAll("textarea[data-count]").forEach((box) => {
      const max = Number(box.dataset.count);
      const count = document.querySelector(`[data-count-for="${box.id}"]`);
      if (!count) return;
      const update = () => {
        const left = max - box.value.replace(/\r\n/g, "\n").trim().length;
        count.textContent =
        left >= 0
          ? interpolate(ngettext("%(n)s character left", "%(n)s characters left", left), { n: left }, true)
          : interpolate(ngettext("%(n)s character too many", "%(n)s characters too many", -left), { n: -left }, true);
        count.classList.toggle("is-near", left < 40);
      };
      box.addEventListener("input", update);
      update();
    });
  });
})();
