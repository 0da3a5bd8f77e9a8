// The tutor panel: one websocket per tutoring session.
// The saved transcript is the source of truth. Every delta carries its character offset:
// a duplicate is dropped, a gap asks the server for a fresh snapshot, and a reconnect
// starts from a snapshot too, so the text on screen always equals the text saved.
(function () {
  "use strict";
  const panel = document.getElementById("tutor");
  if (!panel) return;
  const sessionId = panel.dataset.session;
  const list = document.getElementById("turns");
  const statusLine = document.getElementById("tutor-status");
  const turns = new Map(); // turn id -> {el, text, status}
  let socket = null;
  let retryDelay = 500;

  function setStatus(message) { statusLine.textContent = message; }

  function turnView(id) {
    let view = turns.get(id);
    if (view) return view;
    let el = list.querySelector('[data-turn="' + id + '"]');
    if (!el) {
      el = document.createElement("li");
      el.className = "turn";
      el.dataset.turn = id;
      // Static markup only; every piece of model or user text is set with textContent.
      el.innerHTML = '<p class="meta"><span class="turn-mode"></span> · <span class="turn-status"></span> <span class="queue" hidden></span> <span class="demo" hidden>demo model</span></p>' +
        '<pre class="text"></pre><div class="rendered"></div><ol class="steps" aria-label="Checked steps"></ol><p class="error" role="alert" hidden></p>' +
        '<div class="turn-actions"><button type="button" class="stop" hidden>Stop</button><button type="button" class="retry" hidden>Try again</button></div>';
      list.appendChild(el);
    }
    if (!el.querySelector(".rendered")) {
      const rendered = document.createElement("div");
      rendered.className = "rendered";
      el.querySelector(".text").after(rendered);
    }
    if (!el.querySelector(".queue")) {
      const queue = document.createElement("span");
      queue.className = "queue";
      queue.hidden = true;
      el.querySelector(".turn-status").after(" ", queue);
    }
    if (!el.querySelector(".steps")) {
      const steps = document.createElement("ol");
      steps.className = "steps";
      el.appendChild(steps);
    }
    if (!el.querySelector(".turn-actions")) {
      const actions = document.createElement("div");
      actions.className = "turn-actions";
      actions.innerHTML = '<button type="button" class="stop" hidden>Stop</button><button type="button" class="retry" hidden>Try again</button>';
      el.appendChild(actions);
    }
    el.querySelector(".stop").addEventListener("click", () => send({type: "stop", turn: Number(id)}));
    el.querySelector(".retry").addEventListener("click", () => send({type: "retry", turn: Number(id)}));
    view = {el: el, text: el.querySelector(".text").textContent, status: el.dataset.status || "queued", shown: null, frame: 0, seq: Number(el.dataset.seq || 0)};
    turns.set(id, view);
    return view;
  }

  const LABELS = {queued: "Queued", running: "Answering…", done: "Done", failed: "Failed", cancelled: "Stopped"};
  const MARKS = {ok: "✓", wrong: "✗", weaker: "~", unknown: "?", none: "·", unchecked: "…"};
  const VERDICTS = {ok: "Follows", wrong: "Wrong", weaker: "Only implied", unknown: "Cannot decide", none: "No math", unchecked: "Not checked"};

  // The model's text, split into its thinking (<think>...</think>, possibly still open while
  // streaming) and its answer.
  function splitThinking(text) {
    const open = text.indexOf("<think>");
    const close = text.indexOf("</think>");
    if (open < 0 && close < 0) return {thinking: null, answer: text, thinkingDone: true};
    if (open < 0) return {thinking: text.slice(0, close), answer: text.slice(close + 8), thinkingDone: true};
    const rest = text.slice(open + 7);
    const end = rest.indexOf("</think>");
    if (end < 0) return {thinking: rest, answer: text.slice(0, open), thinkingDone: false};
    return {thinking: rest.slice(0, end), answer: text.slice(0, open) + rest.slice(end + 8), thinkingDone: true};
  }

  function renderRich(view) {
    view.frame = 0;
    if (view.shown === view.text + view.status) return;
    view.shown = view.text + view.status;
    const box = view.el.querySelector(".rendered");
    const parts = splitThinking(view.text);
    let details = box.querySelector("details.thinking");
    if (parts.thinking !== null) {
      if (!details) {
        details = document.createElement("details");
        details.className = "thinking";
        const summary = document.createElement("summary");
        details.append(summary, Object.assign(document.createElement("div"), {className: "thinking-body"}));
        box.prepend(details);
      }
      const finished = !(view.status === "queued" || view.status === "running");
      details.querySelector("summary").textContent = parts.thinkingDone || finished ? "How the tutor thought" : "Thinking…";
      window.Stepwise.renderMarkdown(details.querySelector(".thinking-body"), parts.thinking.trim());
    } else if (details) {
      details.remove();
    }
    let answer = box.querySelector(".answer");
    if (!answer) {
      answer = Object.assign(document.createElement("div"), {className: "answer markdown"});
      box.appendChild(answer);
    }
    window.Stepwise.renderMarkdown(answer, parts.answer.trim());
  }

  function render(view) {
    view.el.dataset.status = view.status;
    view.el.querySelector(".text").textContent = view.text;
    // Markdown and KaTeX at most once a frame, however fast the deltas come.
    if (window.Stepwise && !view.frame) view.frame = requestAnimationFrame(() => renderRich(view));
    view.el.querySelector(".turn-status").textContent = LABELS[view.status] || view.status;
    const active = view.status === "queued" || view.status === "running";
    view.el.querySelector(".stop").hidden = !active;
    view.el.querySelector(".retry").hidden = !(view.status === "failed" || view.status === "cancelled");
  }

  function setError(view, message) {
    const el = view.el.querySelector(".error");
    el.textContent = message || "";
    el.hidden = !message;
  }

  function addStep(view, step) {
    // Lines with no math to check are already in the answer above; listing them again as
    // "no checkable math" buried the verdicts that matter.
    if (step.verdict === "none") return;
    const steps = view.el.querySelector(".steps");
    if (steps.querySelector('[data-index="' + step.index + '"]')) return;
    const li = document.createElement("li");
    li.dataset.index = step.index;
    li.className = "step verdict-" + step.verdict;
    const mark = document.createElement("span");
    mark.className = "mark";
    mark.textContent = MARKS[step.verdict] || "?";
    mark.title = step.verdict;
    const text = document.createElement("span");
    text.className = "step-text";
    text.textContent = step.text;
    li.append(mark, " ", text);
    mark.setAttribute("aria-label", VERDICTS[step.verdict] || step.verdict);
    if (step.verdict === "wrong") {
      const flagged = document.createElement("strong");
      flagged.className = "flagged";
      flagged.textContent = "Flagged";
      li.append(" ", flagged);
    }
    if (step.detail && step.verdict !== "ok") {
      const detail = document.createElement("span");
      detail.className = "detail";
      detail.textContent = " — " + step.detail + (step.rule ? " (" + step.rule + ")" : "");
      li.append(detail);
    }
    if (step.verdict !== "none" && step.verdict !== "unchecked") li.append(" ", disputeButton(view, step));
    steps.appendChild(li);
    if (window.Stepwise) window.Stepwise.renderMath(text);
  }

  function disputeButton(view, step) {
    return window.Stepwise.disputeButton(
      panel.dataset.disputeUrl,
      {turn: Number(view.el.dataset.turn), index: step.index},
      "I think the verdict on tutor step " + (step.index + 1) + " is wrong",
      (message) => setStatus(message),
    );
  }

  function setQueue(view, position) {
    const queue = view.el.querySelector(".queue");
    queue.hidden = !(view.status === "queued" && position);
    queue.textContent = position ? "number " + position + " in the queue" : "";
  }

  function applySnapshot(t) {
    const view = turnView(String(t.turn));
    // Events from the web process and the worker can cross: a snapshot older than what is
    // already on screen is dropped, never allowed to roll the text back.
    if (typeof t.seq === "number" && t.seq < view.seq) return;
    view.seq = t.seq || 0;
    view.text = t.text;
    view.status = t.status;
    view.el.querySelector(".turn-mode") && (view.el.querySelector(".turn-mode").textContent = t.question || t.mode);
    const demo = view.el.querySelector(".demo");
    if (demo) demo.hidden = !t.is_demo;
    view.el.querySelector(".steps").replaceChildren();
    (t.steps || []).forEach((s) => addStep(view, s));
    setError(view, t.error);
    render(view);
    setQueue(view, t.position);
    if (t.status === "queued" && t.position) setStatus("Waiting for the tutor: number " + t.position + " in the queue.");
  }

  // Frames are delivered at most once: one lost while a server reconnects to Redis shows as a
  // gap at the next frame, but a lost last event ("done") would leave the answer "running" for
  // good. So an answer that has gone quiet asks for the saved state (data-quiet-ms, default
  // 15 s), which also reports a worker that died.
  let lastEventAt = Date.now();
  setInterval(() => {
    const quietMs = Number(panel.dataset.quietMs || 15000);
    const active = [...turns.values()].some((v) => v.status === "running" || v.status === "queued");
    if (active && Date.now() - lastEventAt > quietMs) {
      lastEventAt = Date.now();
      send({type: "sync"});
    }
  }, 1000);

  function onEvent(e) {
    lastEventAt = Date.now();
    if (e.type === "session.snapshot") { e.turns.forEach(applySnapshot); return; }
    if (e.type === "turn.snapshot") { applySnapshot(e); return; }
    if (e.type === "error") { setStatus(e.message); return; }
    const view = turnView(String(e.turn));
    if (typeof e.seq === "number" && e.seq > view.seq) view.seq = e.seq;
    switch (e.type) {
      case "turn.queue":
        setQueue(view, e.position);
        setStatus("Waiting for the tutor: number " + e.position + " in the queue.");
        break;
      case "turn.status":
        view.status = e.status;
        setQueue(view, null);
        if (e.is_demo) view.el.querySelector(".demo").hidden = false;
        setStatus(e.status === "running" ? "The tutor is answering." : "");
        render(view);
        break;
      case "turn.delta":
        if (e.offset === view.text.length) {
          view.text += e.text;
        } else if (e.offset < view.text.length) {
          const end = e.offset + e.text.length;
          if (end > view.text.length) view.text += e.text.slice(view.text.length - e.offset);
        } else {
          send({type: "sync"}); // a gap: frames were lost, take the saved text instead
          return;
        }
        view.status = "running";
        render(view);
        break;
      case "turn.step":
        addStep(view, e.step);
        break;
      case "turn.done":
        view.status = e.status;
        setError(view, e.error);
        render(view);
        setStatus(e.status === "done" ? "" : (LABELS[e.status] || ""));
        if (e.length !== view.text.length) send({type: "sync"});
        break;
    }
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    else setStatus("Reconnecting… try again in a moment.");
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/session/" + sessionId + "/");
    socket.addEventListener("open", () => { retryDelay = 500; panel.dataset.connected = "true"; });
    socket.addEventListener("message", (m) => onEvent(JSON.parse(m.data)));
    socket.addEventListener("close", (ev) => {
      panel.dataset.connected = "false";
      if (ev.code === 4401 || ev.code === 4403) { setStatus("You are not allowed to use this tutor session."); return; }
      setStatus("Connection lost, reconnecting…");
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 10000);
    });
  }

  panel.querySelectorAll("[data-mode]").forEach((button) => {
    button.addEventListener("click", () => send({type: "ask", mode: button.dataset.mode}));
  });
  document.getElementById("followup").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const input = document.getElementById("question");
    if (!input.value.trim()) { setStatus("Type a question first."); return; }
    send({type: "ask", mode: "followup", question: input.value});
    input.value = "";
  });
  list.querySelectorAll(".turn").forEach((el) => turnView(el.dataset.turn));
  connect();
})();
