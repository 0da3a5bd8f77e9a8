// Shared by every page: safe Markdown to DOM, KaTeX typesetting, and JSON posts with CSRF.
// Untrusted text (the model's, a student's, a teacher's draft) never goes through innerHTML:
// the Markdown here builds elements with textContent, and KaTeX's auto-render only ever
// replaces text nodes, with trust off and finite size and macro-expansion limits.
(function () {
  "use strict";
  // The script catalog (/jsi18n/, loaded first) defines gettext; without it the English
  // is shown as written.
  const gettext = window.gettext || ((s) => s);
  document.documentElement.classList.add("js");

  const KATEX_OPTIONS = {
    delimiters: [
      {left: "$$", right: "$$", display: true},
      {left: "\\[", right: "\\]", display: true},
      {left: "\\(", right: "\\)", display: false},
      {left: "$", right: "$", display: false},
    ],
    // Throw and swallow: KaTeX's own error fallback sets a style attribute, which the CSP
    // (style-src 'self') refuses; on an error the raw text simply stays as text.
    throwOnError: true,
    errorCallback: function () {},
    trust: false, // no \href, \url, \htmlData, \includegraphics
    maxSize: 10, // em; stops \rule{1000em} style page takeovers
    maxExpand: 100, // stops \def macro bombs
    strict: "ignore",
    ignoredTags: ["script", "noscript", "style", "textarea", "pre", "code", "option"],
  };

  function renderMath(el) {
    if (!el || typeof window.renderMathInElement !== "function") return;
    try {
      window.renderMathInElement(el, KATEX_OPTIONS);
    } catch (err) {
      // A KaTeX failure leaves the text as typed, which is still readable.
    }
  }

  const INLINE = /(\$\$[\s\S]+?\$\$|\\\([\s\S]+?\\\)|\\\[[\s\S]+?\\\]|\$[^$\n]+?\$|`[^`\n]+`|\*\*[^*\n]+?\*\*|\*[^*\s][^*\n]*?\*)/g;

  function appendInline(parent, text) {
    let last = 0;
    text.replace(INLINE, (match, _g, offset) => {
      if (offset > last) appendText(parent, text.slice(last, offset));
      if (match[0] === "`") {
        const code = document.createElement("code");
        code.textContent = match.slice(1, -1);
        parent.appendChild(code);
      } else if (match.startsWith("**")) {
        const strong = document.createElement("strong");
        appendInline(strong, match.slice(2, -2));
        parent.appendChild(strong);
      } else if (match[0] === "*") {
        const em = document.createElement("em");
        appendInline(em, match.slice(1, -1));
        parent.appendChild(em);
      } else {
        parent.appendChild(document.createTextNode(match)); // math: KaTeX takes it later
      }
      last = offset + match.length;
      return match;
    });
    if (last < text.length) appendText(parent, text.slice(last));
  }

  function appendText(parent, text) {
    // Single newlines inside a paragraph are kept: in worked math, a line is a step.
    text.split("\n").forEach((part, i) => {
      if (i > 0) parent.appendChild(document.createElement("br"));
      if (part) parent.appendChild(document.createTextNode(part));
    });
  }

  const LIST_ITEM = /^\s*([-*+]|\d+[.)])\s+(.*)$/;
  const HEADING = /^(#{1,6})\s+(.*)$/;

  function renderMarkdown(container, text) {
    container.replaceChildren();
    const lines = String(text || "").replace(/\r\n?/g, "\n").split("\n");
    let paragraph = [];
    let list = null;
    const flush = () => {
      if (paragraph.length) {
        const p = document.createElement("p");
        appendInline(p, paragraph.join("\n"));
        container.appendChild(p);
      }
      paragraph = [];
    };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (line.trim().startsWith("```")) {
        flush(); list = null;
        const pre = document.createElement("pre");
        const code = document.createElement("code");
        const body = [];
        for (i++; i < lines.length && !lines[i].trim().startsWith("```"); i++) body.push(lines[i]);
        code.textContent = body.join("\n");
        pre.appendChild(code);
        container.appendChild(pre);
        continue;
      }
      if (!line.trim()) { flush(); list = null; continue; }
      const heading = HEADING.exec(line);
      if (heading) {
        flush(); list = null;
        const h = document.createElement("h" + Math.min(6, heading[1].length + 2));
        appendInline(h, heading[2]);
        container.appendChild(h);
        continue;
      }
      const item = LIST_ITEM.exec(line);
      if (item) {
        flush();
        const ordered = /\d/.test(item[1]);
        if (!list || list.ordered !== ordered) {
          list = {ordered: ordered, el: document.createElement(ordered ? "ol" : "ul")};
          container.appendChild(list.el);
        }
        const li = document.createElement("li");
        appendInline(li, item[2]);
        list.el.appendChild(li);
        continue;
      }
      list = null;
      paragraph.push(line);
    }
    flush();
    renderMath(container);
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  async function postJson(url, body) {
    try {
      const response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json"},
        body: JSON.stringify(body),
      });
      let data = {};
      try { data = await response.json(); } catch (err) { data = {}; }
      return {ok: response.ok, status: response.status, data: data};
    } catch (err) {
      return {ok: false, status: 0, data: {error: gettext("No connection. Your work is kept here; it will be checked when you are back online.")}};
    }
  }

  function debounce(fn, ms) {
    let timer = null;
    const wrapped = function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
    wrapped.now = function () { clearTimeout(timer); fn(); };
    return wrapped;
  }

  // "I think this is wrong": one button for the student's own lines and the tutor's steps.
  // Its name is its visible text (WCAG 2.5.3, label in name); which step it is about comes
  // from `about`, the visible elements of that step, as its description. A made-up label such
  // as "tutor step 21" would name something the student cannot see.
  // `report(message, isError)` shows the outcome where the caller keeps its status line.
  let describedIds = 0;
  function idOf(node) {
    if (!node.id) node.id = "step-about-" + (++describedIds);
    return node.id;
  }

  function disputeButton(url, payload, about, report) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "dispute small secondary";
    button.textContent = gettext("I think this is wrong");
    const described = (Array.isArray(about) ? about : [about]).filter((n) => n && n.nodeType === 1);
    if (described.length) button.setAttribute("aria-describedby", described.map(idOf).join(" "));
    button.addEventListener("click", async () => {
      // Read before disabling: a disabled button may lose focus to <body>.
      const hadFocus = document.activeElement === button;
      button.disabled = true;
      const reply = await postJson(url, payload);
      if (reply.ok) {
        const done = Object.assign(document.createElement("span"), {className: "reported", textContent: gettext("Reported for review")});
        // The button goes away: keep focus where it was rather than dropping it to <body>.
        done.tabIndex = -1;
        button.replaceWith(done);
        if (hadFocus) done.focus();
        report(reply.data.message || gettext("Reported."), false);
      } else {
        button.disabled = false;
        if (hadFocus) button.focus();
        report(reply.data.error || gettext("Could not report this step; try again."), true);
      }
    });
    return button;
  }

  // A translated sentence with elements in it (code, a verdict glyph): `fmt` has named
  // %(name)s placeholders, and `values` maps each name to a node or a plain value. Returns
  // what to pass to append(): text stays text (never HTML), so the sentence's word order is
  // the translation's while the math and the student's words are inserted as nodes.
  function formatNodes(fmt, values) {
    const text = String(fmt);
    const parts = [];
    let last = 0;
    text.replace(/%\((\w+)\)s/g, (match, name, offset) => {
      if (offset > last) parts.push(text.slice(last, offset));
      const value = values[name];
      parts.push(value && value.nodeType ? value : String(value));
      last = offset + match.length;
      return match;
    });
    if (last < text.length) parts.push(text.slice(last));
    return parts;
  }

  // After a page load that follows an action (a flash message, a form's errors), focus goes
  // to the outcome and it is scrolled into view, instead of staying on <body> at the top.
  function focusOutcome() {
    if (document.activeElement && document.activeElement !== document.body) return; // autofocus won
    const target = document.querySelector("[data-focus-on-load]");
    if (!target) return;
    target.focus({preventScroll: true});
    target.scrollIntoView({block: "center"});
  }

  window.Stepwise = {renderMath, renderMarkdown, postJson, csrfToken, debounce, disputeButton, formatNodes, KATEX_OPTIONS};

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".math-render").forEach(renderMath);
    focusOutcome();
  });
  // Scrolling to a URL's fragment (the answer form's redirect ends in #answer) can reset
  // focus to <body> after DOMContentLoaded: once the page has loaded, focus it again.
  window.addEventListener("load", focusOutcome);
})();
