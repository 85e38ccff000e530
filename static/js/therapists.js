// Therapist pages: a Print button where JavaScript runs (the browser's own
// print works everywhere; the page has a print layout either way).
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
