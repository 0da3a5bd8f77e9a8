// The tutor panel: one websocket per tutoring session, and checked steps only.
//
// The tutor's text is never shown as it streams. The worker checks each step it writes and
// only then sends it ("turn.step", with its verdict); while a step is being written the page
// shows a placeholder with its length so far ("turn.progress"). So nothing on screen is ever
// an unchecked step. Each step is rendered once, when it arrives: the cost of a frame does
// not grow with the answer. The thinking is collapsed and kept out of the DOM until opened.
//
// The database is the source of truth. The socket's snapshot holds small turn summaries;
// steps are read over HTTP, page by page. A step whose index skips ahead of what the page
// holds means events were lost, and the page reads the missing steps again.
(function () {
  "use strict";
  // The script catalog (/jsi18n/, loaded first) defines these; without it the English is
  // shown as written.
  const gettext = window.gettext || ((s) => s);
  const ngettext = window.ngettext || ((s, p, n) => (n === 1 ? s : p));
  const interpolate = window.interpolate || ((fmt, obj, named) => (named
    ? fmt.replace(/%\((\w+)\)s/g, (m, name) => String(obj[name]))
    : fmt.replace(/%s/g, () => String(obj.shift()))));
  // Numbers shown to people are written the page's way (3,000 in English, 3.000 in Spanish).
  const LANG = document.documentElement.lang || undefined;
  const panel = document.getElementById("tutor");
  if (!panel) return;
  const sessionId = panel.dataset.session;
  const stepsUrl = panel.dataset.stepsUrl; // ".../turns/0/steps", 0 replaced by the turn id
  const list = document.getElementById("turns");
  const statusLine = document.getElementById("tutor-status");
  const announcer = document.getElementById("tutor-announcer");
  const hintButton = panel.querySelector('[data-mode="hint"]');
  const HINT_RUNGS = Number(panel.dataset.hintRungs || 3);
  const PAGE = 200;
  const turns = new Map(); // turn id -> view
  let socket = null;
  let retryDelay = 1000;
  let openedAt = 0;

  const LABELS = {queued: gettext("Queued"), running: gettext("Answering…"), done: gettext("Done"), failed: gettext("Failed"), cancelled: gettext("Stopped")};
  const MODES = {hint: gettext("Hint"), check: gettext("Check my work"), solve: gettext("Full solution"), followup: gettext("Question")};
  const MARKS = {ok: "✓", wrong: "✗", weaker: "~", unknown: "?"};
  const VERDICTS = {ok: gettext("Checked: follows"), wrong: gettext("Checked: wrong"), weaker: gettext("Checked: only implied"), unknown: gettext("Checked: cannot decide")};
  // A verdict glyph's name, as a screen reader says it.
  const MARK_NAMES = {ok: gettext("follows"), wrong: gettext("wrong"), weaker: gettext("only implied"), unknown: gettext("cannot decide")};
  // Said once when an answer the page saw running ends, and never cleared by a later event.
  const ENDED = {
    done: gettext("Done: the tutor has finished, and every step shown was checked."),
    cancelled: gettext("Stopped. Press Try again to ask again."),
    failed: gettext("The tutor stopped before it finished. Press Try again."),
  };
  const CONNECTING = gettext("Connecting to the tutor…");
  const ANNOUNCED_KEPT = 20;

  function setStatus(message) { statusLine.textContent = message; }
  // One addition to the polite region per revealed step or verdict. A copy of what is read
  // on screen (KaTeX's MathML, the verdict in words), without buttons, glyphs or ids.
  function announce(node) {
    const copy = node.cloneNode(true);
    copy.querySelectorAll("button, [aria-hidden='true']").forEach((n) => n.remove());
    copy.removeAttribute("id");
    copy.querySelectorAll("[id]").forEach((n) => n.removeAttribute("id"));
    const item = el("div");
    item.append(...copy.childNodes);
    announcer.append(item);
    while (announcer.childElementCount > ANNOUNCED_KEPT) announcer.firstElementChild.remove();
  }
  function hiddenNow(node) { return node.hidden || Boolean(node.closest("[hidden]")); }
  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function active(view) { return view.status === "queued" || view.status === "running"; }
  function urlFor(id, part, after) {
    return stepsUrl.replace(/\/0\/steps$/, "/" + id + "/steps") + "?part=" + part + "&after=" + after + "&limit=" + PAGE;
  }

  // -- one turn -------------------------------------------------------------------------
  function turnView(id) {
    let view = turns.get(id);
    if (view) return view;
    const li = el("li", "turn");
    li.dataset.turn = id;
    const meta = el("p", "meta");
    const mode = el("span", "turn-mode");
    const status = el("span", "turn-status");
    const queue = el("span", "queue");
    queue.hidden = true;
    const demo = el("span", "demo", gettext("demo model"));
    demo.hidden = true;
    meta.append(mode, " · ", status, " ", queue, " ", demo);
    const toggle = el("button", "small secondary show-turn", gettext("Show this answer"));
    toggle.type = "button";
    toggle.hidden = true;
    const body = el("div", "turn-body");
    const thinking = el("details", "thinking");
    thinking.hidden = true;
    const summary = el("summary", null, gettext("How the tutor thought"));
    thinking.append(summary);
    const answer = el("ol", "steps answer-steps");
    answer.setAttribute("aria-label", gettext("The tutor's steps, each checked"));
    answer.tabIndex = -1; // focus lands here after "Show this answer", which goes away
    const writing = el("p", "writing");
    writing.hidden = true;
    // Not a live region: snapshots redraw it. Its verdict is announced once, on turn.final.
    const final = el("div", "final");
    final.hidden = true;
    const error = el("p", "error");
    error.setAttribute("role", "alert");
    error.hidden = true;
    const actions = el("div", "turn-actions");
    const stop = el("button", "stop", gettext("Stop"));
    const retry = el("button", "retry", gettext("Try again"));
    const more = el("button", "continue", gettext("Continue the answer"));
    [stop, retry, more].forEach((b) => { b.type = "button"; b.hidden = true; actions.append(b); });
    body.append(thinking, answer, writing, final, error, actions);
    li.append(meta, toggle, body);
    // Newest first: the answer being written is where the student is looking.
    list.prepend(li);
    view = {
      id: id, el: li, body: body, mode: mode, statusEl: status, queue: queue, demo: demo,
      toggle: toggle, thinking: thinking, summary: summary, answer: answer, writing: writing,
      final: final, error: error, stop: stop, retry: retry, more: more,
      status: "queued", seq: 0, lastStep: -1, counts: {answer: 0, thinking: 0, answer_wrong: 0, thinking_wrong: 0},
      shown: new Set(), expanded: false, loaded: false, loading: null,
      thinkingAfter: -1, thinkingMore: false, progress: null, finishReason: "", tokens: 0,
      sawActive: false, saidEnd: false,
    };
    stop.addEventListener("click", () => send({type: "stop", turn: Number(id)}));
    retry.addEventListener("click", () => send({type: "retry", turn: Number(id)}));
    more.addEventListener("click", () => send({type: "continue", turn: Number(id)}));
    toggle.addEventListener("click", () => { expand(view); toggle.hidden = true; answer.focus(); });
    thinking.addEventListener("toggle", () => (thinking.open ? openThinking(view) : closeThinking(view)));
    turns.set(id, view);
    return view;
  }

  // Only the newest turn is expanded: earlier ones shrink to their summary line, and their
  // steps leave the DOM, so the page does not grow with every answer.
  function expand(view) {
    view.expanded = true;
    view.body.hidden = false;
    view.toggle.hidden = true;
    if (!view.loaded) loadAnswer(view);
    for (const other of turns.values()) if (other !== view && other.expanded && !active(other)) collapse(other);
  }
  function collapse(view) {
    const hadFocus = view.body.contains(document.activeElement);
    view.expanded = false;
    view.loaded = false;
    view.body.hidden = true;
    view.toggle.hidden = false;
    view.answer.replaceChildren();
    view.shown.clear();
    view.thinking.open = false;
    closeThinking(view);
    if (hadFocus) view.toggle.focus();
  }

  function render(view) {
    const focused = view.el.contains(document.activeElement) ? document.activeElement : null;
    view.el.dataset.status = view.status;
    view.statusEl.textContent = LABELS[view.status] || view.status;
    view.stop.hidden = !active(view);
    view.retry.hidden = !(view.status === "failed" || view.status === "cancelled");
    view.more.hidden = !(view.status === "done" && view.finishReason === "length");
    if (!active(view)) view.writing.hidden = true;
    renderSummary(view);
    if (focused && hiddenNow(focused)) refocus(view);
  }

  // The button that had focus went away (Stop once the answer stops, Try again once it
  // runs): focus moves to the control that took its place, or to the status line.
  function refocus(view) {
    const next = [view.retry, view.more, view.stop].find((b) => !b.hidden);
    (next || statusLine).focus();
  }

  // An answer this page saw queued or running has ended: say so once, in the status line.
  function noteStatus(view) {
    if (active(view)) { view.sawActive = true; view.saidEnd = false; return; }
    if (!view.sawActive || view.saidEnd) return;
    view.saidEnd = true;
    setStatus(ENDED[view.status] || LABELS[view.status] || "");
  }

  function renderSummary(view) {
    const c = view.counts;
    view.thinking.hidden = c.thinking === 0 && !(view.progress && view.progress.thinking);
    const thinkingNow = active(view) && view.progress && view.progress.thinking;
    const label = thinkingNow
      ? ngettext("The tutor is thinking · %(count)s line", "The tutor is thinking · %(count)s lines", c.thinking)
      : ngettext("How the tutor thought · %(count)s line", "How the tutor thought · %(count)s lines", c.thinking);
    view.summary.textContent = interpolate(label, {count: c.thinking.toLocaleString(LANG)}, true);
    if (c.thinking_wrong) {
      const marked = ngettext("%(count)s marked %(mark)s", "%(count)s marked %(mark)s", c.thinking_wrong);
      view.summary.append(" · ", ...window.Stepwise.formatNodes(marked, {count: c.thinking_wrong, mark: mark("wrong")}));
    }
  }

  // A verdict glyph that is read as its word, not as "ballot x".
  function mark(verdict) {
    const node = el("span", "mark", MARKS[verdict]);
    node.setAttribute("role", "img");
    node.setAttribute("aria-label", MARK_NAMES[verdict]);
    return node;
  }

  function setError(view, message) {
    // role="alert" speaks every change: the same message from each snapshot is left alone.
    if (view.error.textContent === (message || "")) return;
    view.error.textContent = message || "";
    view.error.hidden = !message;
  }

  // -- steps ----------------------------------------------------------------------------
  function stepItem(view, step) {
    const li = el("li", "step");
    li.dataset.index = step.index;
    const verdict = MARKS[step.verdict] ? step.verdict : "prose";
    li.classList.add("verdict-" + verdict);
    // The glyph is hidden from screen readers, which read the verdict in words instead.
    const said = el("span", "visually-hidden", MARKS[step.verdict] ? VERDICTS[step.verdict] + ": " : "");
    if (MARKS[step.verdict]) {
      const glyph = el("span", "mark", MARKS[step.verdict]);
      glyph.setAttribute("aria-hidden", "true");
      li.append(glyph, said);
    }
    const text = el("div", "step-text markdown");
    li.append(text);
    window.Stepwise.renderMarkdown(text, step.text);
    if (step.detail && step.verdict !== "ok" && MARKS[step.verdict]) {
      li.append(el("p", "detail", step.detail + (step.rule ? " (" + step.rule + ")" : "")));
    }
    if (step.rewritten) {
      const rewritten = ngettext(
        "Rewritten: an earlier version of this step was proven wrong once.",
        "Rewritten: an earlier version of this step was proven wrong %(count)s times.",
        step.rewritten,
      );
      li.append(el("p", "rewritten", interpolate(rewritten, {count: step.rewritten}, true)));
    }
    if (step.final === "disagrees") {
      li.classList.add("final-disagrees");
      li.append(el("p", "detail", gettext("This answer disagrees with the answer key. A reviewer has been asked to check it.")));
    }
    if (MARKS[step.verdict] && !step.thinking) {
      li.append(window.Stepwise.disputeButton(
        panel.dataset.disputeUrl, {turn: Number(view.id), index: step.index},
        [said, text],
        (message) => setStatus(message),
      ));
    }
    return li;
  }

  // Steps arrive in order, but a page read over HTTP can cross live events: insert by index.
  function insertStep(container, li) {
    const index = Number(li.dataset.index);
    let next = null;
    for (let node = container.lastElementChild; node; node = node.previousElementSibling) {
      if (Number(node.dataset.index) < index) break;
      next = node;
    }
    container.insertBefore(li, next);
  }

  function addStep(view, step) {
    if (step.index > view.lastStep + 1 && view.lastStep >= -1 && view.synced) {
      requestSync(); // events were lost between the last step we hold and this one
    }
    view.lastStep = Math.max(view.lastStep, step.index);
    if (view.shown.has(step.index)) return;
    if (step.thinking) {
      if (view.thinkingBody && !view.thinkingMore) {
        view.shown.add(step.index);
        insertStep(view.thinkingBody, stepItem(view, step));
        view.thinkingAfter = Math.max(view.thinkingAfter, step.index);
      }
      return;
    }
    if (!view.expanded) return;
    view.shown.add(step.index);
    insertStep(view.answer, stepItem(view, step));
  }

  // A live step of the answer, once it is on screen: read out once, as it appears. Steps
  // read over HTTP (an earlier answer, a reload) are not announced.
  function revealed(view, step) {
    if (step.thinking || !view.expanded) return;
    const li = view.answer.querySelector('[data-index="' + step.index + '"]');
    if (li && !li.dataset.announced) { li.dataset.announced = "1"; announce(li); }
  }

  async function fetchSteps(view, part, after) {
    try {
      const response = await fetch(urlFor(view.id, part, after), {credentials: "same-origin", headers: {Accept: "application/json"}});
      if (!response.ok) return null;
      return await response.json();
    } catch (err) {
      return null;
    }
  }

  async function loadAnswer(view) {
    if (view.loading) return view.loading;
    view.loading = (async () => {
      let after = -1;
      for (;;) {
        const page = await fetchSteps(view, "answer", after);
        if (!page || !view.expanded) break;
        page.steps.forEach((s) => addStep(view, s));
        if (!page.more || !page.steps.length) { view.loaded = true; break; }
        after = page.steps[page.steps.length - 1].index;
      }
      view.loading = null;
    })();
    return view.loading;
  }

  async function openThinking(view) {
    if (view.thinkingBody) return;
    view.thinkingBody = el("ol", "steps thinking-steps");
    view.thinkingBody.setAttribute("aria-label", gettext("How the tutor thought, each line checked"));
    view.thinkingMoreButton = el("button", "small secondary", gettext("Show more of the thinking"));
    view.thinkingMoreButton.type = "button";
    view.thinkingMoreButton.hidden = true;
    view.thinkingMoreButton.addEventListener("click", () => loadThinking(view));
    view.thinking.append(view.thinkingBody, view.thinkingMoreButton);
    view.thinkingAfter = -1;
    await loadThinking(view);
  }

  async function loadThinking(view) {
    view.thinkingMoreButton.disabled = true;
    const page = await fetchSteps(view, "thinking", view.thinkingAfter);
    if (!page || !view.thinkingBody) return;
    view.thinkingMore = false;
    page.steps.forEach((s) => addStep(view, s));
    view.thinkingMore = page.more;
    const hadFocus = document.activeElement === view.thinkingMoreButton;
    view.thinkingMoreButton.hidden = !page.more;
    view.thinkingMoreButton.disabled = false;
    if (hadFocus && !page.more) view.summary.focus(); // the last page: the button goes away
  }

  function closeThinking(view) {
    // Collapsed thinking keeps no steps in the DOM: a 30,000-token block would be tens of
    // thousands of elements.
    if (!view.thinkingBody) return;
    view.thinkingBody.remove();
    view.thinkingMoreButton.remove();
    view.thinkingBody = null;
    for (const index of [...view.shown]) {
      if (!view.answer.querySelector('[data-index="' + index + '"]')) view.shown.delete(index);
    }
  }

  function showProgress(view, e) {
    view.progress = e;
    renderSummary(view);
    if (e.thinking) {
      view.writing.hidden = false;
      const line = (view.counts.thinking + 1).toLocaleString(LANG);
      view.writing.textContent = interpolate(gettext("Thinking… line %(line)s (checked before it is shown)"), {line: line}, true);
      return;
    }
    view.writing.hidden = false;
    const writing = ngettext(
      "Writing the next step… %(count)s character so far. It is shown once it is checked.",
      "Writing the next step… %(count)s characters so far. It is shown once it is checked.",
      e.chars,
    );
    view.writing.textContent = interpolate(writing, {count: e.chars}, true);
  }

  function showFinal(view, final) {
    if (!final || !final.verdict) { view.final.hidden = true; return; }
    view.final.hidden = false;
    view.final.className = "final final-" + final.verdict;
    view.final.replaceChildren();
    const answer = el("span", "final-answer markdown");
    window.Stepwise.renderMarkdown(answer, final.answer);
    const glyph = (text) => { const g = el("span", null, text + " "); g.setAttribute("aria-hidden", "true"); return g; };
    if (final.verdict === "agrees") {
      view.final.append(el("strong", null, gettext("Final answer, checked against the key:") + " "), answer);
      view.final.firstChild.prepend(glyph("✓"));
    } else if (final.verdict === "disagrees") {
      view.final.append(
        el("strong", null, gettext("The tutor's final answer disagrees with the answer key:") + " "), answer,
        el("p", null, gettext("Do not rely on it. A reviewer has been asked to check this answer.")),
      );
      view.final.firstChild.prepend(glyph("✗"));
    } else {
      view.final.append(el("strong", null, gettext("The tutor's final answer could not be compared with the key:") + " "), answer);
    }
  }

  // -- events ---------------------------------------------------------------------------
  function applySnapshot(t) {
    const view = turnView(String(t.turn));
    // Events from the web process and the worker can cross: a snapshot older than what is
    // already on screen is dropped.
    if (typeof t.seq === "number" && t.seq < view.seq) return;
    view.seq = t.seq || 0;
    view.status = t.status;
    view.finishReason = t.finish_reason || "";
    view.modeName = t.mode;
    view.counts = t.counts || view.counts;
    view.synced = true;
    view.mode.textContent = modeText(t);
    view.demo.hidden = !t.is_demo;
    if (t.last_step > view.lastStep) view.lastStep = t.last_step;
    setError(view, t.error);
    showFinal(view, t.final);
    setQueue(view, t.position);
    render(view);
    if (view.expanded) loadAnswer(view);
    if (view.thinkingBody) loadThinking(view);
    if (t.status === "queued" && t.position) setStatus(waiting(t.position));
    // A turn failed from outside (its worker died) arrives as a snapshot: the status line
    // must not keep saying the tutor is answering. One the page saw running says how it ended.
    if (t.status === "failed" && !view.sawActive) setStatus(ENDED.failed);
    noteStatus(view);
  }

  // What the turn asked for: "Hint 2 of 3", "Full solution", "Question: why divide by 3?".
  function modeText(t) {
    // The question is the student's own words: it goes in as text (textContent), never HTML.
    if (t.question) return interpolate(gettext("Question: %(question)s"), {question: t.question}, true);
    const name = MODES[t.mode] || t.mode;
    if (!t.hint_rung) return name;
    const fmt = t.mode === "hint" ? gettext("Hint %(rung)s of %(total)s") : gettext("%(mode)s %(rung)s of %(total)s");
    return interpolate(fmt, {mode: name, rung: t.hint_rung, total: HINT_RUNGS}, true);
  }

  function waiting(position) {
    return interpolate(gettext("Waiting for the tutor: number %(position)s in the queue."), {position: position}, true);
  }

  function setQueue(view, position) {
    view.queue.hidden = !(view.status === "queued" && position);
    view.queue.textContent = position ? interpolate(gettext("number %(position)s in the queue"), {position: position}, true) : "";
  }

  function newestFirstExpanded() {
    const ids = [...turns.keys()].map(Number).sort((a, b) => b - a);
    if (!ids.length) return;
    const newest = turns.get(String(ids[0]));
    for (const view of turns.values()) {
      if (view === newest) { if (!view.expanded) expand(view); }
      else if (view.expanded && !active(view)) collapse(view);
      else if (!view.expanded) { view.body.hidden = true; view.toggle.hidden = false; }
    }
  }

  function updateHintButton() {
    const given = [...turns.values()].filter((v) => v.modeName === "hint" && v.status === "done").length;
    if (!hintButton) return;
    hintButton.textContent = given === 0
      ? gettext("Give me a hint")
      : given < HINT_RUNGS
        ? interpolate(gettext("Another hint (%(next)s of %(total)s)"), {next: given + 1, total: HINT_RUNGS}, true)
        : gettext("The last hint again");
  }

  let lastEventAt = Date.now();
  // Frames are delivered at most once: an answer that has gone quiet asks for the saved
  // state (data-quiet-ms, default 15 s), which also reports a worker that died.
  setInterval(() => {
    const quietMs = Number(panel.dataset.quietMs || 15000);
    if ([...turns.values()].some(active) && Date.now() - lastEventAt > quietMs) {
      lastEventAt = Date.now();
      requestSync();
    }
  }, 1000);

  let syncing = false;
  function requestSync() {
    if (syncing) return;
    syncing = true;
    send({type: "sync"});
  }

  function onEvent(e) {
    lastEventAt = Date.now();
    if (e.type === "session.snapshot") {
      syncing = false;
      e.turns.forEach(applySnapshot);
      newestFirstExpanded();
      updateHintButton();
      return;
    }
    if (e.type === "turn.snapshot") { applySnapshot(e); newestFirstExpanded(); return; }
    if (e.type === "error") { setStatus(e.message); return; }
    if (e.turn === undefined) return;
    const view = turnView(String(e.turn));
    if (typeof e.seq === "number" && e.seq > view.seq) view.seq = e.seq;
    switch (e.type) {
      case "turn.queue":
        setQueue(view, e.position);
        setStatus(waiting(e.position));
        break;
      case "turn.status":
        view.status = e.status;
        setQueue(view, null);
        if (e.is_demo) view.demo.hidden = false;
        if (e.status === "running") setStatus(gettext("The tutor is answering. Each step appears once it is checked."));
        newestFirstExpanded();
        render(view);
        noteStatus(view);
        break;
      case "turn.progress":
        view.tokens = e.tokens;
        showProgress(view, e);
        break;
      case "turn.rewrite":
        view.writing.hidden = false;
        view.writing.textContent = interpolate(
          gettext("A step was proven wrong, so the tutor is writing it again (try %(attempt)s of %(total)s)."),
          {attempt: e.attempt, total: e.of},
          true,
        );
        break;
      case "turn.step":
        if (e.step.thinking) view.counts.thinking += 1; else view.counts.answer += 1;
        if (e.step.verdict === "wrong") view.counts[e.step.thinking ? "thinking_wrong" : "answer_wrong"] += 1;
        addStep(view, e.step);
        revealed(view, e.step);
        renderSummary(view);
        if (view.progress && !view.progress.thinking) view.writing.hidden = true;
        break;
      case "turn.final":
        showFinal(view, e);
        if (!view.final.hidden) announce(view.final);
        break;
      case "turn.done":
        view.status = e.status;
        view.finishReason = e.finish_reason || "";
        setError(view, e.error);
        render(view);
        noteStatus(view);
        updateHintButton();
        if (e.steps - 1 > view.lastStep) requestSync();
        break;
    }
  }

  // A click while the socket is still opening (right after a page load) is kept and sent
  // once it opens, instead of being dropped.
  const pending = [];
  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(message)); return; }
    if (message.type !== "sync") pending.push(message);
    setStatus(CONNECTING);
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/session/" + sessionId + "/");
    socket.addEventListener("open", () => {
      openedAt = Date.now();
      panel.dataset.connected = "true";
      syncing = false;
      if (statusLine.textContent === CONNECTING) setStatus("");
      while (pending.length) socket.send(JSON.stringify(pending.shift()));
    });
    socket.addEventListener("message", (m) => onEvent(JSON.parse(m.data)));
    socket.addEventListener("close", (ev) => {
      panel.dataset.connected = "false";
      if (ev.code === 4401 || ev.code === 4403) { setStatus(gettext("You are not allowed to use this tutor session.")); return; }
      // Back off for real: a connection that opens and drops at once must not reset the
      // delay, or a failing server is asked again every second, forever.
      if (openedAt && Date.now() - openedAt > 10000) retryDelay = 1000;
      openedAt = 0;
      const wait = retryDelay * (0.75 + Math.random() / 2);
      retryDelay = Math.min(retryDelay * 2, 30000);
      setStatus(interpolate(gettext("Connection lost, reconnecting in %(seconds)s s…"), {seconds: Math.round(wait / 1000)}, true));
      setTimeout(connect, wait);
    });
  }

  panel.querySelectorAll("[data-mode]").forEach((button) => {
    button.addEventListener("click", () => send({type: "ask", mode: button.dataset.mode}));
  });
  document.getElementById("followup").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const input = document.getElementById("question");
    if (!input.value.trim()) { setStatus(gettext("Type a question first.")); return; }
    send({type: "ask", mode: "followup", question: input.value});
    input.value = "";
  });
  connect();
})();
