// The repair conversation page, live: a socket (/ws/repairs/{id}/) sends a
// snapshot on connect and after every event. When a step was revealed (or
// the conversation closed) since this page was drawn, the page reloads, or,
// if the person has started typing, offers to show it without losing
// their words. Without JavaScript or a socket the page works as it is.
(() => {
  const root = document.querySelector("[data-repair-live]");
  if (!root || !("WebSocket" in window)) return;
  const drawnAt = Number(root.dataset.lastSeq);
  const form = document.querySelector("[data-testid=repair-step-form]");
  const fields = form ? [...form.querySelectorAll("textarea, input[type=date], input[type=time], select")] : [];
  const initial = fields.map((field) => field.value);
  const untouched = () => fields.every((field, i) => field.value === initial[i]);
  const banner = document.querySelector("[data-testid=repair-new]");
  if (banner) banner.querySelector("button").addEventListener("click", () => location.reload());
  let wait = 1000;

  function seen(seq) {
    if (!(seq > drawnAt)) return;
    if (untouched()) location.reload();
    else if (banner) banner.hidden = false;
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}${root.dataset.socketPath}`);
    socket.addEventListener("open", () => { wait = 1000; });
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "snapshot") seen(message.repair.last_event_seq);
    });
    socket.addEventListener("close", (event) => {
      if (event.code === 4404 || event.code === 4410) return; // not ours, or the couple ended
      setTimeout(connect, wait);
      wait = Math.min(wait * 2, 30000);
    });
  }
  connect();
})();
