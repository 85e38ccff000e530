// Live check-in: both partners on their own phones, same step, answers
// revealed together. The database holds the state; socket messages are only
// hints to re-read it (GET .../session/), so a phone that slept, a dropped
// network or a restarted Redis loses nothing. Protocol: docs/realtime.md.
(() => {
  "use strict";
  const root = document.querySelector("[data-live]");
  const configEl = document.getElementById("live-config");
  if (!root || !configEl) return;
  const config = JSON.parse(configEl.textContent);
  const stage = root.querySelector("[data-stage]");
  const banner = root.querySelector("[data-banner]");
  const presenceEl = root.querySelector("[data-presence]");
  const partner = config.partnerName;
  let snapshot = config.snapshot;
  let socket = null;
  let attempt = 0;
  let lastSeq = snapshot.last_event_seq;
  let refreshing = null;
  let draft = {}; // what I typed but did not share yet, by step key
  let error = "";
  let countdown = null;

  // --- tiny DOM helpers (textContent only: nothing anyone wrote becomes HTML)
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "on") for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) if (child) node.append(child);
    return node;
  }
  const moodWord = (v) => (config.moods.find((m) => m.value === v) || {}).word || String(v);
  const show = (step, value) => (value === null || value === undefined ? "—" : step.kind === "mood" ? moodWord(value) : String(value));
  const localTime = (iso) =>
    new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", timeZone: config.timezone }).format(new Date(iso));

  // --- the socket -------------------------------------------------------------------
  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}${config.socketPath}`);
    socket.addEventListener("open", () => {
      attempt = 0;
      setBanner("");
    });
    socket.addEventListener("message", (e) => {
      let m;
      try {
        m = JSON.parse(e.data);
      } catch {
        return;
      }
      if ((m.type === "hello" || m.type === "sync") && m.last_event_seq !== lastSeq) refresh();
      else if (m.type === "event") {
        if (m.seq > lastSeq) refresh();
      } else if (m.type === "presence") setPresence(m.here);
      else if (m.type === "error") {
        error = typeof m.detail === "string" ? m.detail : Object.values(m.detail).flat().join(" ");
        render();
      }
    });
    socket.addEventListener("close", (e) => {
      setPresence([config.me]);
      if (e.code === 4404 || e.code === 4410) {
        setBanner(e.code === 4410 ? "This couple has ended, so the session has closed." : "This session isn't available.");
        stage.replaceChildren();
        return;
      }
      // Exponential backoff with full jitter, capped at 20 s.
      const delay = Math.random() * Math.min(20000, 500 * 2 ** attempt++);
      setBanner("Connection lost. Reconnecting… nothing you shared is lost.");
      setTimeout(connect, delay);
    });
  }

  function send(message) {
    error = "";
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    else {
      error = "Not connected right now; try again in a moment.";
      render();
    }
  }

  async function refresh() {
    if (refreshing) return refreshing;
    refreshing = fetch(config.snapshotUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((data) => {
        snapshot = data;
        lastSeq = Math.max(lastSeq, data.last_event_seq);
        render();
      })
      .catch(() => setBanner("Couldn't load the latest. Retrying…"))
      .finally(() => (refreshing = null));
    return refreshing;
  }

  function setBanner(text) {
    banner.textContent = text;
    banner.hidden = !text;
  }

  function setPresence(here) {
    const partnerHere = here.some((id) => id !== config.me);
    presenceEl.textContent = partnerHere ? `${partner} is here.` : `Waiting for ${partner} to open this page…`;
    presenceEl.classList.toggle("is-here", partnerHere);
  }

  // --- rendering --------------------------------------------------------------------
  function render() {
    clearInterval(countdown);
    const s = snapshot;
    let body;
    if (s.status === "finished") body = finished(s);
    else if (s.status === "paused") body = paused(s);
    else body = current(s);
    stage.replaceChildren(body);
  }

  function progress(s) {
    return el("p", { class: "progress-text", "data-testid": "live-progress", text: `Step ${s.step_index + 1} of ${s.steps.length}` });
  }

  function current(s) {
    const step = s.steps[s.step_index];
    const card = el("section", { class: "card live-step", "data-testid": "live-step" }, progress(s), el("h2", { class: "step-prompt", text: step.prompt }));
    if (step.help) card.append(el("p", { class: "hint", text: step.help }));
    if (error) card.append(el("div", { class: "error", role: "alert" }, el("p", { text: error })));
    if (step.revealed) {
      card.append(
        el("dl", { class: "live-reveal", "data-testid": "live-reveal" },
          el("dt", { text: "You" }), el("dd", { text: show(step, step.mine) }),
          el("dt", { text: partner }), el("dd", { text: show(step, step.partner) })),
      );
      const partnerReady = s.ready.some((id) => id !== config.me);
      if (s.me_ready) card.append(el("p", { class: "muted", "data-testid": "live-waiting-ready", text: `You're ready. Moving on when ${partner} is too.` }));
      else {
        if (partnerReady) card.append(el("p", { class: "muted", text: `${partner} is ready to go on.` }));
        card.append(el("button", { class: "button", type: "button", "data-testid": "live-ready", on: { click: () => send({ type: "ready" }) } },
          s.step_index + 1 === s.steps.length ? "I'm ready to finish" : "I'm ready to go on"));
      }
    } else if (step.mine !== null && step.mine !== undefined) {
      card.append(el("p", { class: "muted", "data-testid": "live-waiting", text: `Your answer is in. You'll both see each other's answer once ${partner} has answered too.` }));
    } else {
      card.append(answerForm(step));
    }
    const breakRow = el("details", { class: "live-break" },
      el("summary", { text: "Need a break?" }),
      el("p", { class: "hint", text: "When it gets heated, pause. You'll both see when you're coming back, and both get a reminder." }),
      el("div", { class: "break-choices" }, [20, 30, 45, 60].map((m) =>
        // plural-ok: every choice is many minutes.
        el("button", { class: "button secondary", type: "button", "data-testid": `live-break-${m}`, on: { click: () => send({ type: "pause", minutes: m }) } }, `${m} minutes`))));
    return el("div", {}, card, breakRow);
  }

  function answerForm(step) {
    const form = el("form", { class: "live-answer", novalidate: true });
    let valueOf;
    if (step.kind === "mood") {
      const group = el("div", { class: "moods", role: "radiogroup", "aria-label": step.prompt });
      for (const m of config.moods) {
        const input = el("input", { type: "radio", name: "value", value: m.value, id: `live-mood-${m.value}` });
        if (draft[step.key] === m.value) input.checked = true;
        input.addEventListener("change", () => (draft[step.key] = m.value));
        group.append(el("label", { class: "mood", for: `live-mood-${m.value}` }, input, el("span", { class: "mood-word", text: m.word })));
      }
      form.append(group);
      valueOf = () => draft[step.key];
    } else if (step.kind === "choice") {
      const group = el("div", { class: "options" });
      step.options.forEach((o, i) => {
        const input = el("input", { type: "radio", name: "value", value: o, id: `live-opt-${i}` });
        input.addEventListener("change", () => (draft[step.key] = o));
        group.append(el("label", { class: "option", for: `live-opt-${i}` }, input, el("span", { class: "option-title", text: o })));
      });
      form.append(group);
      valueOf = () => draft[step.key];
    } else {
      const area = el("textarea", { rows: 4, maxlength: 2000, "aria-label": step.prompt, "data-testid": "live-text" });
      area.value = draft[step.key] || "";
      area.addEventListener("input", () => (draft[step.key] = area.value));
      form.append(area);
      valueOf = () => (draft[step.key] || "").trim();
    }
    form.append(el("div", { class: "actions" }, el("button", { class: "button", type: "submit", "data-testid": "live-share" }, "Share my answer")));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const value = valueOf();
      if (value === undefined || value === "") {
        error = "Choose or write an answer first.";
        render();
        return;
      }
      send({ type: "answer", step: step.key, value });
    });
    return form;
  }

  function paused(s) {
    const until = new Date(s.paused_until);
    const remaining = el("p", { class: "countdown", "data-testid": "live-countdown" });
    const tick = () => {
      const left = Math.max(0, until - Date.now());
      remaining.textContent = `${Math.floor(left / 60000)} min ${String(Math.floor((left % 60000) / 1000)).padStart(2, "0")} s`;
      if (left <= 0) refresh();
    };
    tick();
    countdown = setInterval(tick, 1000);
    const who = s.paused_by === config.me ? "You asked" : `${partner} asked`;
    return el("section", { class: "card live-paused", "data-testid": "live-paused" },
      el("h2", { text: "Taking a break" }),
      el("p", { text: `${who} for a break. You'll pick up where you left off at ${localTime(s.paused_until)}.` }),
      remaining,
      el("p", { class: "hint", text: "Breathe slowly. Nothing you've shared is lost, and you'll both get a reminder." }),
      el("button", { class: "button secondary", type: "button", "data-testid": "live-resume", on: { click: () => send({ type: "resume" }) } }, "We're ready to continue"));
  }

  function finished(s) {
    const list = el("div", { class: "live-summary", "data-testid": "live-finished" });
    for (const step of s.steps) {
      list.append(el("section", { class: "card" }, el("h2", { class: "step-prompt", text: step.prompt }),
        el("dl", { class: "live-reveal" }, el("dt", { text: "You" }), el("dd", { text: show(step, step.mine) }),
          el("dt", { text: partner }), el("dd", { text: show(step, step.partner) }))));
    }
    const end = el("section", { class: "card" }, el("h2", { text: "You did this together" }),
      el("p", { text: `Is there something ${partner} said that you'd like to thank them for?` }));
    if (config.noteUrl) end.append(el("a", { class: "button", href: config.noteUrl, "data-testid": "live-note" }, `Send ${partner} a note of appreciation`));
    return el("div", {}, end, list);
  }

  render();
  connect();
  // A phone that comes back from sleep re-reads the state at once.
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && refresh());
})();
