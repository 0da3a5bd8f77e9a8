// The optional math keypad, and the final answer's "read as" preview.
//
// The plain text boxes (the work lines and the final answer) are what is checked and saved,
// and they stay the accessible way to type. The keypad is a visual aid on top of them:
// MathLive (static/vendor/mathlive/) is fetched only when a student presses "Math keypad",
// and what is entered in it is written into the text boxes as the plain syntax the checker
// reads (\frac{3}{4} -> 3/4, \sqrt{2} -> sqrt(2)). MathLive's own screen-reader support is
// known to announce "blank" and to fight NVDA and JAWS, so its fields are labelled as an
// optional visual aid and never replace a text box.
(function () {
  "use strict";
  // The script catalog (/jsi18n/, loaded first) defines gettext; without it the English is
  // shown as written.
  const gettext = window.gettext || ((s) => s);

  // ---- LaTeX (as MathLive writes it) to the checker's plain syntax ----

  const SYMBOLS = {
    cdot: "*", times: "*", ast: "*", div: "/", pm: "±", mp: "∓",
    le: "<=", leq: "<=", leqslant: "<=", ge: ">=", geq: ">=", geqslant: ">=",
    ne: "!=", neq: "!=", lt: "<", gt: ">", approx: "≈", infty: "oo",
    exponentialE: "e", imaginaryI: "i", differentialD: "d", degree: "°", circ: "°",
    "%": "%", "{": "{", "}": "}", lbrace: "{", rbrace: "}", vert: "|", lvert: "|", rvert: "|",
    mid: "|", "|": "|", ",": " ", ";": " ", ":": " ", ">": " ", "!": "", " ": " ", quad: " ",
    qquad: " ", cdots: "...", ldots: "...", dots: "...", "\\": " ",
  };
  // Written as their names, which the checker reads (2pi, sin x, theta).
  const NAMES = new Set([
    "pi", "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "theta", "vartheta",
    "lambda", "mu", "sigma", "tau", "phi", "varphi", "omega", "rho",
    "sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos", "arctan",
    "sinh", "cosh", "tanh", "ln", "log", "exp", "min", "max",
  ]);
  const FRACTIONS = new Set(["frac", "dfrac", "tfrac", "cfrac"]);
  const FENCES = new Set(["left", "right", "mleft", "mright", "bigl", "bigr", "Bigl", "Bigr", "big", "Big"]);
  const GROUPS = new Set(["text", "textrm", "textit", "mathrm", "mathit", "mathbf", "textbf", "mbox", "operatorname", "mathbb", "boldsymbol"]);
  const STYLES = new Set(["displaystyle", "textstyle", "limits", "nolimits"]);
  const OPERATOR_COMMANDS = new Set(["cdot", "times", "ast", "div", "pm", "mp", "le", "leq", "ge", "geq", "ne", "neq", "lt", "gt", "approx"]);

  // One number or letter, a constant, or a whole function call: needs no brackets around it.
  function atomic(text) {
    if (/^(\d+(\.\d+)?|[A-Za-z]|pi|oo)$/.test(text)) return true;
    const call = /^[A-Za-z]+\(/.exec(text);
    if (!call || !text.endsWith(")")) return false;
    let depth = 0;
    for (let k = call[0].length - 1; k < text.length; k++) {
      if (text[k] === "(") depth++;
      else if (text[k] === ")") depth--;
      if (depth === 0 && k < text.length - 1) return false;
    }
    return true;
  }

  function wrap(text) {
    return atomic(text) ? text : "(" + text + ")";
  }

  function toPlain(tex) {
    const src = String(tex || "");
    let i = 0;

    function skipSpaces() { while (src[i] === " ") i++; }

    function commandName() {
      i++; // the backslash
      const m = /^[A-Za-z]+/.exec(src.slice(i));
      if (m) { i += m[0].length; return m[0]; }
      return src[i++] || "";
    }

    function group(close) {
      let out = "";
      while (i < src.length && src[i] !== close) out = append(out, piece());
      if (src[i] === close) i++;
      return out.trim();
    }

    function argument() {
      skipSpaces();
      if (src[i] === "{") { i++; return group("}"); }
      if (src[i] === "\\") return piece().text;
      return src[i++] || "";
    }

    function optionalArgument() {
      skipSpaces();
      if (src[i] !== "[") return null;
      i++;
      return group("]");
    }

    // Whether what comes next in the source is an operand (so a fraction before it needs
    // brackets: \frac{1}{2}x is (1/2)x, never 1/2x).
    function operandAhead() {
      let k = i;
      while (src[k] === " ") k++;
      const c = src[k];
      if (c === undefined) return false;
      if (/[A-Za-z0-9(.]/.test(c)) return true;
      if (c !== "\\") return false;
      const m = /^[A-Za-z]+/.exec(src.slice(k + 1));
      if (!m) return false;
      return m[0] === "left" || m[0] === "mleft" || (!OPERATOR_COMMANDS.has(m[0]) && !FENCES.has(m[0]));
    }

    function fence() {
      skipSpaces();
      if (src[i] === "\\") {
        const name = commandName();
        return name === "{" || name === "lbrace" ? "{" : name === "}" || name === "rbrace" ? "}" : SYMBOLS[name] || "";
      }
      const c = src[i++] || "";
      return c === "." ? "" : c;
    }

    function command() {
      const name = commandName();
      if (FRACTIONS.has(name)) {
        const top = argument();
        const bottom = argument();
        return {text: wrap(top) + "/" + wrap(bottom), fraction: true, mixed: /^\d+$/.test(top) && /^\d+$/.test(bottom)};
      }
      if (name === "sqrt") {
        const index = optionalArgument();
        const body = argument();
        return {text: index ? "root(" + body + ", " + index + ")" : "sqrt(" + body + ")"};
      }
      if (FENCES.has(name)) return {text: fence()};
      if (GROUPS.has(name)) return {text: argument()};
      if (name === "placeholder") { argument(); return {text: ""}; }
      if (STYLES.has(name)) return {text: ""};
      if (NAMES.has(name)) return {text: name, name: true};
      if (Object.prototype.hasOwnProperty.call(SYMBOLS, name)) return {text: SYMBOLS[name]};
      return {text: "\\" + name}; // unknown: left for the checker to refuse in words
    }

    function piece() {
      const c = src[i];
      if (c === "\\") return command();
      if (c === "{") { i++; return {text: group("}")}; }
      if (c === "^") {
        i++;
        const power = argument();
        return {text: power === "°" ? "°" : "^" + wrap(power)};
      }
      if (c === "_") { i++; return {text: "_" + wrap(argument())}; }
      if (c === "~") { i++; return {text: " "}; }
      i++;
      return {text: c};
    }

    function append(out, p) {
      if (p.fraction) {
        const before = out.replace(/\s+$/, "");
        // 2\frac{3}{4} is the mixed number 2 3/4, which the checker reads as 11/4.
        if (p.mixed && /(^|[^\w.])\d+$/.test(before)) return before + " " + p.text;
        if (/[\w)]$/.test(before) || operandAhead()) return out + "(" + p.text + ")";
        return out + p.text;
      }
      if (p.name) {
        // Spaced from letters around it: "r pi", "sin x", never "rpi" or "sinx".
        const before = /[A-Za-z]$/.test(out) ? " " : "";
        const after = /^\s*[A-Za-z0-9]/.test(src.slice(i)) ? " " : "";
        return out + before + p.text + after;
      }
      return out + p.text;
    }

    let out = "";
    while (i < src.length) out = append(out, piece());
    return out.replace(/\s+/g, " ").trim();
  }

  window.Stepwise = window.Stepwise || {};
  window.Stepwise.latexToPlain = toPlain;

  const work = document.getElementById("work");
  if (!work) return;
  const toggle = document.getElementById("keypad-toggle");
  const area = document.getElementById("work-lines");
  const answerForm = document.querySelector(".answer-form");
  const answer = document.getElementById("final-answer");
  const preview = document.getElementById("answer-read-as");
  const results = document.getElementById("step-results");
  // Plain text -> the LaTeX it came from, for lines and answers entered with the keypad.
  const fromKeypad = new Map();

  // ---- The final answer's "read as" preview (with or without the keypad) ----

  function code(text) {
    const el = document.createElement("code");
    el.textContent = text;
    return el;
  }

  let asked = 0;
  async function readAnswer() {
    if (!answer || !preview) return;
    const text = answer.value.trim();
    const ticket = ++asked;
    if (!text) { preview.replaceChildren(); return; }
    const reply = await window.Stepwise.postJson(answerForm.dataset.readAsUrl, {answer: text});
    if (ticket !== asked) return; // a newer edit is already on its way
    const latex = fromKeypad.get(text);
    // Whole sentences, with the math put in as <code> nodes (never as HTML).
    const values = {latex: latex ? code(latex) : "", text: code(text)};
    let fmt;
    if (reply.ok && reply.data.reading) {
      values.reading = code(reply.data.reading);
      fmt = latex ? gettext("From the keypad %(latex)s, as text %(text)s: read as %(reading)s") : gettext("read as %(reading)s");
    } else {
      values.message = reply.ok ? reply.data.note || "" : reply.data.error || gettext("No preview right now; the answer is still checked when you send it.");
      fmt = latex ? gettext("From the keypad %(latex)s, as text %(text)s: %(message)s") : "%(message)s";
    }
    preview.replaceChildren(...window.Stepwise.formatNodes(fmt, values));
  }

  if (answer && preview && answerForm && answerForm.dataset.readAsUrl) {
    const later = window.Stepwise.debounce(readAnswer, 400);
    answer.addEventListener("input", later);
    if (answer.value.trim()) readAnswer();
  }

  // ---- The keypad ----

  if (!toggle) return;
  toggle.hidden = false;
  let loading = null;
  let editors = [];

  function loadMathLive() {
    if (window.MathfieldElement) return Promise.resolve();
    if (!loading) {
      loading = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = toggle.dataset.script;
        script.addEventListener("load", resolve);
        script.addEventListener("error", () => { loading = null; reject(new Error("not loaded")); });
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function configure() {
    const MF = window.MathfieldElement;
    // No sounds (nothing to fetch), and the KaTeX fonts this page already loads.
    MF.soundsDirectory = null;
    MF.fontsDirectory = toggle.dataset.fonts;
    // The keyboard's tooltips and the field's own words in the page's language, not the
    // browser's (MathLive falls back to English for a language it does not know).
    const lang = document.documentElement.lang;
    if (lang && "locale" in MF) MF.locale = lang;
    const keyboard = window.mathVirtualKeyboard;
    if (keyboard) {
      // Keep the end of the page reachable above the keyboard (CSSOM, which the CSP allows).
      // The room stays while the keypad is on: taking it away when the keyboard hides, as
      // focus moves to a button, would move that button between press and release.
      keyboard.addEventListener("geometrychange", () => {
        if (keyboard.visible) document.body.style.paddingBottom = keyboard.boundingRect.height + "px";
        hideKeysFromScreenReaders();
        keepInView();
      });
    }
  }

  // The keyboard covers the bottom of the window: the field being typed in stays above it.
  function keepInView() {
    const active = document.activeElement;
    const keyboard = window.mathVirtualKeyboard;
    if (!active || active.tagName !== "MATH-FIELD" || !keyboard || !keyboard.visible) return;
    const free = window.innerHeight - keyboard.boundingRect.height;
    const rect = active.closest(".keypad-editor").getBoundingClientRect();
    if (rect.bottom > free) window.scrollBy(0, rect.bottom - free + 8);
    else if (rect.top < 0) window.scrollBy(0, rect.top - 8);
  }

  function showKeyboard() {
    if (!window.mathVirtualKeyboard) return;
    window.mathVirtualKeyboard.show();
    hideKeysFromScreenReaders();
    requestAnimationFrame(keepInView);
  }

  // The keys are for pointer and touch (none takes focus), and a screen reader reads their
  // labels as raw LaTeX ("\sqrt{#0}"): the keyboard is left out of the accessibility tree.
  // MathLive builds it anew each time it is shown.
  function hideKeysFromScreenReaders() {
    const keys = document.querySelector(".ML__keyboard");
    if (keys) keys.setAttribute("aria-hidden", "true");
  }

  // Pressing a page button while typing in a keypad field: the field keeps focus until the
  // click, so the keyboard does not close between press and release. Closing it moves the
  // page under the pointer, and the release then lands beside the button: no click at all.
  document.addEventListener("mousedown", (ev) => {
    const active = document.activeElement;
    if (active && active.tagName === "MATH-FIELD" && ev.target instanceof Element && ev.target.closest("button")) ev.preventDefault();
  });

  function hideKeyboardSoon() {
    setTimeout(() => {
      const active = document.activeElement;
      if (window.mathVirtualKeyboard && !(active && active.tagName === "MATH-FIELD")) window.mathVirtualKeyboard.hide();
    }, 0);
  }

  // A MathLive field in a group that says what it is: an optional visual aid for `target`.
  // `words`: the group's and the field's names, and the echo's sentence (%(plain)s is the
  // plain text the entry becomes).
  function editor(id, words) {
    const box = document.createElement("div");
    box.className = "keypad-editor";
    box.id = id;
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", words.group);
    box.setAttribute("aria-describedby", "keypad-note");
    const field = new window.MathfieldElement();
    field.id = id + "-field";
    field.setAttribute("aria-label", words.field);
    // Options as attributes: MathLive refuses most properties until the field is mounted.
    field.setAttribute("math-virtual-keyboard-policy", "manual");
    field.setAttribute("smart-fence", "");
    // No context menu: its items (colours, LaTeX mode) have no meaning for the checker.
    field.addEventListener("mount", () => { field.menuItems = []; });
    field.addEventListener("focusin", showKeyboard);
    field.addEventListener("focusout", hideKeyboardSoon);
    const echo = document.createElement("p");
    echo.className = "keypad-echo";
    echo.id = id + "-echo";
    const update = () => {
      const plain = toPlain(field.value);
      echo.replaceChildren(...(plain ? window.Stepwise.formatNodes(words.echo, {plain: code(plain)}) : []));
      return plain;
    };
    box.append(field, echo);
    return {box, field, update};
  }

  function workEditor() {
    const ed = editor("work-keypad", {
      group: gettext("New line, visual editor (optional visual aid)"),
      field: gettext("New line, visual editor, optional visual aid; the text box is the accessible way to type"),
      echo: gettext("Becomes the line %(plain)s"),
    });
    const add = document.createElement("button");
    add.type = "button";
    add.className = "keypad-add";
    add.textContent = gettext("Add line");
    ed.box.insertBefore(add, ed.box.lastChild);
    function addLine() {
      const plain = ed.update();
      if (!plain) return;
      fromKeypad.set(plain, ed.field.value);
      const kept = area.value.replace(/\n+$/, "");
      area.value = kept ? kept + "\n" + plain : plain;
      // As if typed and Enter pressed: the work area checks at once.
      area.dispatchEvent(new InputEvent("input", {inputType: "insertLineBreak", bubbles: true}));
      ed.field.value = "";
      ed.update();
      ed.field.focus();
    }
    add.addEventListener("click", addLine);
    ed.field.addEventListener("input", (ev) => {
      if (ev.inputType === "insertLineBreak") addLine();
      else ed.update();
    });
    document.querySelector(".keypad-bar").after(ed.box);
    return ed;
  }

  function answerEditor() {
    const ed = editor("answer-keypad", {
      group: gettext("Final answer, visual editor (optional visual aid)"),
      field: gettext("Final answer, visual editor, optional visual aid; the text box is the accessible way to type"),
      echo: gettext("Becomes the answer %(plain)s"),
    });
    ed.field.addEventListener("input", (ev) => {
      if (ev.inputType === "insertLineBreak") { answerForm.requestSubmit(); return; }
      const plain = ed.update();
      fromKeypad.set(plain, ed.field.value);
      answer.value = plain;
      answer.dispatchEvent(new Event("input", {bubbles: true}));
    });
    answerForm.after(ed.box);
    return ed;
  }

  // A checked line that came from the keypad shows the LaTeX it was entered as, too.
  function markKeypadLines() {
    for (const text of results.querySelectorAll(".step .step-text")) {
      const li = text.closest(".step");
      const latex = fromKeypad.get(text.textContent);
      if (!latex || li.querySelector(".typed-as")) continue;
      const typed = document.createElement("span");
      typed.className = "typed-as";
      typed.append(...window.Stepwise.formatNodes(gettext("from the keypad %(latex)s"), {latex: code(latex)}));
      text.after(" ", typed);
    }
  }

  async function open() {
    toggle.setAttribute("aria-busy", "true");
    try {
      await loadMathLive();
    } catch (err) {
      toggle.removeAttribute("aria-busy");
      toggle.setAttribute("aria-pressed", "false");
      document.getElementById("keypad-note").textContent = gettext("The keypad could not be loaded. Type in the text boxes instead.");
      return;
    }
    toggle.removeAttribute("aria-busy");
    if (!editors.length) {
      configure();
      editors = [workEditor()];
      if (answerForm && answer) editors.push(answerEditor());
      new MutationObserver(markKeypadLines).observe(results, {childList: true});
    }
    editors.forEach((ed) => { ed.box.hidden = false; });
    document.body.classList.add("keypad-open");
    editors[0].field.focus();
  }

  function close() {
    editors.forEach((ed) => { ed.box.hidden = true; });
    document.body.classList.remove("keypad-open");
    document.body.style.paddingBottom = "";
    if (window.mathVirtualKeyboard) window.mathVirtualKeyboard.hide();
  }

  toggle.addEventListener("click", () => {
    const on = toggle.getAttribute("aria-pressed") !== "true";
    toggle.setAttribute("aria-pressed", String(on));
    if (on) open();
    else close();
  });
})();
