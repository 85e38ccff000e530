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
  // A sentence with the partner's name in it, in this page's language.
  const withPartner = (text, values = {}) => interpolate(text, { partner, ...values }, true);
  let snapshot = config.snapshot;
  let socket = null;
  let attempt = 0;
  let lastSeq = snapshot.last_event_seq;
  let refreshing = null;
  let draft = {}; // what I typed but did not share yet, by step key
  let error = "";
  let timer = null; // re-reads the snapshot when a break's time comes (never a visible countdown)

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
        setBanner(
          e.code === 4410 ? gettext("This couple has ended, so the session has closed.") : gettext("This session isn't available."),
        );
        stage.replaceChildren();
        return;
      }
      // 1012: the server is restarting (a deploy, a scale-down) and closed
      // every socket on purpose; another one is already serving, so come
      // back soon, spread over a second so that a whole server's phones do
      // not arrive at once. Otherwise: exponential backoff with full
      // jitter, capped at 20 s.
      const restarting = e.code === 1012;
      const delay = restarting ? 250 + Math.random() * 1000 : Math.random() * Math.min(20000, 500 * 2 ** attempt++);
      setBanner(restarting ? gettext("Reconnecting…") : gettext("Connection lost. Reconnecting… nothing you shared is lost."));
      setTimeout(connect, delay);
    });
  }

  function send(message) {
    error = "";
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    else {
      error = gettext("Not connected right now; try again in a moment.");
      render();
    }
  }

  async function refresh() {
    if (refreshing) return refreshing;
    // In this page's language: the API follows Accept-Language first, and the
    // browser's own may not be the one this person chose (accounts.language).
    const headers = { Accept: "application/json", "Accept-Language": document.documentElement.lang || "en" };
    refreshing = fetch(config.snapshotUrl, { credentials: "same-origin", headers })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((data) => {
        snapshot = data;
        lastSeq = Math.max(lastSeq, data.last_event_seq);
        render();
      })
      .catch(() => setBanner(gettext("Couldn't load the latest. Retrying…")))
      .finally(() => (refreshing = null));
    return refreshing;
  }

  function setBanner(text) {
    banner.textContent = text;
    banner.hidden = !text;
  }

  function setPresence(here) {
    const partnerHere = here.some((id) => id !== config.me);
    presenceEl.textContent = partnerHere
      ? withPartner(gettext("%(partner)s is here."))
      : withPartner(gettext("Waiting for %(partner)s to open this page…"));
    presenceEl.classList.toggle("is-here", partnerHere);
  }

  // --- rendering --------------------------------------------------------------------
  // Keyboard and screen-reader users keep their place: every update redraws
  // the stage, so the focused control (by id or test id) is focused again
  // in the new drawing, a text answer keeps its caret, an open "Need a
  // break?" stays open; and when the focused control is gone (the answer
  // was shared, both are ready), focus moves to the new step's heading,
  // never back to the top of the page.
  function focusKey(node) {
    if (node.id) return `#${CSS.escape(node.id)}`;
    if (node.dataset && node.dataset.testid) return `[data-testid="${CSS.escape(node.dataset.testid)}"]`;
    if (node.tagName === "SUMMARY") return "details.live-break > summary";
    return null;
  }

  function render() {
    clearTimeout(timer);
    const active = document.activeElement;
    const hadFocus = !!active && active !== stage && stage.contains(active);
    const key = hadFocus ? focusKey(active) : null;
    const caret = hadFocus && active.tagName === "TEXTAREA" ? [active.selectionStart, active.selectionEnd] : null;
    const breakOpen = !!stage.querySelector("details.live-break[open]");
    const s = snapshot;
    let body;
    if (s.status === "finished") body = finished(s);
    else if (s.status === "paused") body = paused(s);
    else body = current(s);
    stage.replaceChildren(body);
    const details = stage.querySelector("details.live-break");
    if (details && breakOpen) details.open = true;
    if (!hadFocus) return;
    const again = key && stage.querySelector(key);
    if (again) {
      again.focus({ preventScroll: true });
      if (caret && again.setSelectionRange) again.setSelectionRange(caret[0], caret[1]);
      return;
    }
    const heading = stage.querySelector("[role=alert], h2") || stage;
    heading.tabIndex = -1;
    heading.focus();
  }

  function progress(s) {
    return el("p", { class: "progress-text", "data-testid": "live-progress", text: interpolate(gettext("Step %(n)s of %(total)s"), { n: s.step_index + 1, total: s.steps.length }, true) });
  }

  function current(s) {
    const step = s.steps[s.step_index];
    const card = el("section", { class: "card live-step", "data-testid": "live-step" }, progress(s), el("h2", { class: "step-prompt", text: step.prompt }));
    if (step.help) card.append(el("p", { class: "hint", text: step.help }));
    if (error) card.append(el("div", { class: "error", role: "alert" }, el("p", { text: error })));
    if (step.revealed) {
      card.append(
        el("dl", { class: "live-reveal", "data-testid": "live-reveal" },
          el("dt", { text: gettext("You") }), el("dd", { text: show(step, step.mine) }),
          el("dt", { text: partner }), el("dd", { text: show(step, step.partner) })),
      );
      const partnerReady = s.ready.some((id) => id !== config.me);
      if (s.me_ready) card.append(el("p", { class: "muted", "data-testid": "live-waiting-ready", text: withPartner(gettext("You're ready. Moving on when %(partner)s is too.")) }));
      else {
        if (partnerReady) card.append(el("p", { class: "muted", text: withPartner(gettext("%(partner)s is ready to go on.")) }));
        card.append(el("button", { class: "button", type: "button", "data-testid": "live-ready", on: { click: () => send({ type: "ready" }) } },
          s.step_index + 1 === s.steps.length ? gettext("I'm ready to finish") : gettext("I'm ready to go on")));
      }
    } else if (step.mine !== null && step.mine !== undefined) {
      card.append(el("p", { class: "muted", "data-testid": "live-waiting", text: withPartner(gettext("Your answer is in. You'll both see each other's answer once %(partner)s has answered too.")) }));
    } else {
      card.append(answerForm(step));
    }
    const minutes = config.breakMinutes || [20, 30, 45, 60];
    const breakHint = config.breakTimeout
      ? gettext("When it gets heated, take a time-out, as you both agreed. You'll both see when you're coming back; you say when you're back.")
      : gettext("When it gets heated, pause. You'll both see when you're coming back, and both get a reminder.");
    const breakRow = el("details", { class: "live-break" },
      el("summary", { text: config.breakTimeout ? gettext("Need a time-out?") : gettext("Need a break?") }),
      el("p", { class: "hint", text: breakHint }),
      el("div", { class: "break-choices" }, minutes.map((m) =>
        el("button", { class: "button secondary", type: "button", "data-testid": `live-break-${m}`, on: { click: () => send({ type: "pause", minutes: m }) } }, duration(m)))));
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
    form.append(el("div", { class: "actions" }, el("button", { class: "button", type: "submit", "data-testid": "live-share" }, gettext("Share my answer"))));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const value = valueOf();
      if (value === undefined || value === "") {
        error = gettext("Choose or write an answer first.");
        render();
        return;
      }
      send({ type: "answer", step: step.key, value });
    });
    return form;
  }

  function duration(m) {
    if (m < 60 || m % 30) return interpolate(ngettext("%(n)s minute", "%(n)s minutes", m), { n: m }, true);
    const h = m / 60;
    return interpolate(ngettext("%(n)s hour", "%(n)s hours", h), { n: h }, true);
  }

  // A break shows a calm return time on this person's own clock ("back
  // around 20:45", from the server), never a ticking clock. Only the one
  // who asked for it can end it early; the other has nothing to do.
  function paused(s) {
    const b = s.on_break;
    const mine = b.can_end;
    const due = new Date(b.until) <= Date.now();
    let line;
    const at = { time: b.back_around };
    if (b.timeout) {
      if (mine) {
        line = due
          ? withPartner(gettext("It's the time you gave (%(time)s). Come back when you're ready."), at)
          : withPartner(gettext("You're taking a time-out, as you both agreed. Back around %(time)s."), at);
      } else {
        line = due
          ? withPartner(gettext("%(partner)s said around %(time)s. The check-in waits here until they're back."), at)
          : withPartner(gettext("%(partner)s is taking a time-out, as you both agreed. Back around %(time)s."), at);
      }
    } else {
      line = mine
        ? withPartner(gettext("You asked for a break. Back around %(time)s."), at)
        : withPartner(gettext("%(partner)s asked for a break. Back around %(time)s."), at);
    }
    const card = el("section", { class: "card live-paused", "data-testid": "live-paused" },
      el("h2", { text: b.timeout ? gettext("Taking a time-out") : gettext("Taking a break") }),
      el("p", { "data-testid": "live-back-around", text: line }),
      el("p", { class: "hint", text: mine
        ? gettext("Breathe slowly. Nothing you've shared is lost.")
        : gettext("Nothing you've shared is lost, and there's nothing you need to do meanwhile. You'll pick up where you left off.") }));
    if (mine) {
      card.append(el("button", { class: "button secondary", type: "button", "data-testid": "live-resume", on: { click: () => send({ type: "resume" }) } },
        b.timeout ? gettext("I'm back") : gettext("I'm ready to continue")));
    }
    if (error) card.append(el("div", { class: "error", role: "alert" }, el("p", { text: error })));
    // Re-read quietly when the time comes (and, for a time-out past its
    // time, now and then, in case its taker came back from its own page).
    const wait = due ? 60000 : Math.min(new Date(b.until) - Date.now() + 1000, 2 ** 31 - 1);
    timer = setTimeout(refresh, wait);
    return card;
  }

  function finished(s) {
    const list = el("div", { class: "live-summary", "data-testid": "live-finished" });
    for (const step of s.steps) {
      list.append(el("section", { class: "card" }, el("h2", { class: "step-prompt", text: step.prompt }),
        el("dl", { class: "live-reveal" }, el("dt", { text: gettext("You") }), el("dd", { text: show(step, step.mine) }),
          el("dt", { text: partner }), el("dd", { text: show(step, step.partner) }))));
    }
    const end = el("section", { class: "card" }, el("h2", { text: gettext("You did this together") }),
      el("p", { text: withPartner(gettext("Is there something %(partner)s said that you'd like to thank them for?")) }));
    if (config.noteUrl) end.append(el("a", { class: "button", href: config.noteUrl, "data-testid": "live-note" }, withPartner(gettext("Send %(partner)s a note of appreciation"))));
    return el("div", {}, end, list);
  }

  render();
  connect();
  // A phone that comes back from sleep re-reads the state at once.
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && refresh());
})();
