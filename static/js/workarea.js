// The student's work area: one step per line. Lines are posted (debounced, and at once on
// Enter); each comes back with how the checker read it and its verdict.
(function () {
  "use strict";
  // The script catalog (/jsi18n/, loaded first) defines these; without it the English is
  // shown as written.
  const gettext = window.gettext || ((s) => s);
  const ngettext = window.ngettext || ((s, p, n) => (n === 1 ? s : p));
  const interpolate = window.interpolate || ((fmt, obj, named) => (named
    ? fmt.replace(/%\((\w+)\)s/g, (m, name) => String(obj[name]))
    : fmt.replace(/%s/g, () => String(obj.shift()))));
  const work = document.getElementById("work");
  if (!work) return;
  const area = document.getElementById("work-lines");
  const results = document.getElementById("step-results");
  const summary = document.getElementById("work-summary");
  const MAX_BYTES = 20 * 1024;
  const MAX_LINES = 100;
  const MARKS = {ok: "✓", wrong: "✗", weaker: "~", unknown: "?", none: "·", unchecked: "…"};
  const LABELS = {
    ok: gettext("Follows"),
    wrong: gettext("Wrong"),
    weaker: gettext("Only implied"),
    unknown: gettext("Cannot decide"),
    none: gettext("No math to check"),
    unchecked: gettext("Not checked"),
  };
  // "2 wrong", for the summary: one phrase per verdict, so each language agrees it with the count.
  const COUNTED = {
    ok: (n) => ngettext("%(count)s follows", "%(count)s follows", n),
    wrong: (n) => ngettext("%(count)s wrong", "%(count)s wrong", n),
    weaker: (n) => ngettext("%(count)s only implied", "%(count)s only implied", n),
    unknown: (n) => ngettext("%(count)s cannot decide", "%(count)s cannot decide", n),
    none: (n) => ngettext("%(count)s no math to check", "%(count)s no math to check", n),
    unchecked: (n) => ngettext("%(count)s not checked", "%(count)s not checked", n),
  };
  let lastSent = null;
  // The edit number: the server keeps the lines of the highest number it has seen, so checks
  // that finish out of order (quick typing, or another tab) never put older lines back.
  let version = Number(work.dataset.stepsVersion || 0);
  let recheck = null;
  // One check at a time from this page: an edit made meanwhile is sent when the reply comes,
  // so quick typing costs one check in flight, not one per keystroke pause.
  let inFlight = false;
  let pending = false;

  function setSummary(message, isError) {
    // A live region speaks every change: the same summary after a re-check is left alone.
    if (summary.textContent !== message) summary.textContent = message;
    summary.classList.toggle("error", Boolean(isError));
  }

  // `about`: the line's visible verdict and text, which the button is described by.
  function disputeButton(step, about) {
    return window.Stepwise.disputeButton(
      work.dataset.disputeUrl,
      {problem: Number(work.dataset.problem), index: step.index},
      about,
      setSummary,
    );
  }

  function stepItem(step) {
    const li = document.createElement("li");
    li.className = "step verdict-" + step.verdict;
    li.dataset.index = step.index;
    li.value = step.index + 1;
    const mark = document.createElement("span");
    mark.className = "mark";
    mark.setAttribute("aria-hidden", "true");
    mark.textContent = MARKS[step.verdict] || "?";
    const label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = (LABELS[step.verdict] || step.verdict) + ": ";
    const text = document.createElement("code");
    text.className = "step-text";
    text.textContent = step.text;
    li.append(mark, " ", label, text);
    if (step.read_as) {
      const read = document.createElement("span");
      read.className = "read-as";
      const code = document.createElement("code");
      code.textContent = step.read_as;
      read.append(...window.Stepwise.formatNodes(gettext("read as %(reading)s"), {reading: code}));
      li.append(" ", read);
    }
    if (step.detail && step.verdict !== "ok") {
      const detail = document.createElement("span");
      detail.className = "detail";
      detail.textContent = step.detail;
      if (step.rule) {
        const rule = document.createElement("span");
        rule.className = "rule";
        rule.textContent = " (" + step.rule + ")";
        detail.appendChild(rule);
      }
      li.append(" ", detail);
    }
    if (step.verdict === "wrong" || step.verdict === "weaker" || step.verdict === "unknown") li.append(" ", disputeButton(step, [label, text]));
    return li;
  }

  function show(steps) {
    const shown = steps.filter((s) => s.text && s.text.trim());
    results.replaceChildren(...shown.map(stepItem));
    const counts = {};
    shown.forEach((s) => { counts[s.verdict] = (counts[s.verdict] || 0) + 1; });
    if (!shown.length) { setSummary(""); return; }
    const parts = Object.keys(counts).map((v) => (COUNTED[v] ? interpolate(COUNTED[v](counts[v]), {count: counts[v]}, true) : counts[v] + " " + v.toLowerCase()));
    const checked = ngettext("%(count)s line checked: %(verdicts)s.", "%(count)s lines checked: %(verdicts)s.", shown.length);
    setSummary(interpolate(checked, {count: shown.length, verdicts: parts.join(", ")}, true));
  }

  async function check(force) {
    const text = area.value;
    if (text === lastSent && force !== true) return;
    const lines = text.split("\n");
    if (new Blob([text]).size > MAX_BYTES || lines.length > MAX_LINES) {
      setSummary(interpolate(gettext("That is too much to check at once: at most %(lines)s lines and 20 KB."), {lines: MAX_LINES}, true), true);
      return;
    }
    if (inFlight) { pending = true; return; }
    clearTimeout(recheck);
    lastSent = text;
    version += 1;
    work.setAttribute("aria-busy", "true");
    inFlight = true;
    const reply = await window.Stepwise.postJson(work.dataset.stepsUrl, {lines: lines, version: version});
    inFlight = false;
    if (typeof reply.data.version === "number") version = Math.max(version, reply.data.version);
    if (pending) {
      pending = false;
      if (area.value !== text) { check(); return; } // this answer is already out of date
    }
    work.removeAttribute("aria-busy");
    if (!reply.ok) {
      lastSent = null;
      setSummary(reply.data.error || gettext("The check failed; keep typing to try again."), true);
      // Too many checks at once: the lines are kept here and sent again shortly.
      if (reply.status === 429) recheck = setTimeout(() => check(true), 3000);
      return;
    }
    if (reply.data.saved === false && area.value === text) {
      // Another tab saved a newer edit meanwhile; what is typed here is newer still.
      check(true);
      return;
    }
    const steps = reply.data.steps || [];
    show(steps);
    // Lines the busy checker did not get to are checked again shortly. The server marks them
    // `retry`; the English detail is the older sign, kept for replies saved before that.
    if (steps.some((s) => s.verdict === "unchecked" && (s.retry || /^not checked yet/.test(s.detail || "")))) recheck = setTimeout(() => check(true), 3000);
  }

  const scheduled = window.Stepwise.debounce(check, 600);
  area.addEventListener("input", (ev) => {
    if (ev.inputType === "insertLineBreak" || ev.inputType === "insertParagraph") scheduled.now();
    else scheduled();
  });
  area.addEventListener("blur", () => scheduled.now());
  const saved = document.getElementById("saved-steps");
  if (saved) show(JSON.parse(saved.textContent));
  lastSent = area.value;
})();
