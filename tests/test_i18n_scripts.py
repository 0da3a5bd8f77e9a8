"""The page scripts speak through the script catalog.

Every sentence static/js/*.js shows or has read out goes through `gettext()`/`ngettext()`,
every msgid is a literal (so `makemessages -d djangojs` extracts it), each script still works
without the catalog, and `/jsi18n/` serves the catalog in the page's language.

The scan is a heuristic over a small JavaScript tokenizer: a string literal is English prose
when it reads like a sentence (a capitalised word then more words, or sentence punctuation),
or when it has words and is put where people see or hear it (textContent, aria-label, el()'s
text, append(), a status line, the fallback after `||`, a table of labels).
"""

from __future__ import annotations

import gettext as gnu_gettext
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

SCRIPTS = sorted((Path(settings.BASE_DIR) / "static" / "js").glob("*.js"))
MO = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "djangojs.mo"

MSGID_CALLS = {"gettext": 1, "ngettext": 2, "gettext_noop": 1}
# Calls whose arguments are shown or read out as they are.
TEXT_CALLS = {
    "setStatus", "setSummary", "setError", "announce", "report", "append", "prepend", "push",
    "after", "before", "replaceChildren", "replaceWith", "createTextNode", "alert", "confirm",
}  # fmt: skip
TEXT_ATTRIBUTES = {
    "aria-label",
    "aria-description",
    "aria-valuetext",
    "title",
    "placeholder",
    "alt",
}
TEXT_PROPERTIES = {
    "textContent",
    "innerText",
    "ariaLabel",
    "title",
    "placeholder",
    "alt",
    "label",
    "text",
}
# Machine strings that read like words: HTTP header names.
ALLOWED = {"Content-Type", "Accept", "X-CSRFToken"}
REGEX_BEFORE = set("(,=:[!&|?{};+-*%<>~^")
REGEX_AFTER_WORDS = {
    "return",
    "typeof",
    "case",
    "do",
    "else",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
}
PUNCTUATORS = (
    "===",
    "!==",
    "...",
    "=>",
    "==",
    "!=",
    "||",
    "&&",
    "??",
    "?.",
    "<=",
    ">=",
    "+=",
    "-=",
)


@dataclass
class Token:
    kind: str  # "str", "ident", "punct", "num", "regex"
    value: str
    line: int
    has_expr: bool = False  # a template literal with ${...} in it


def tokenize(src: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(src)

    def line_at(pos: int) -> int:
        return src.count("\n", 0, pos) + 1

    while i < n:
        c = src[i]
        if c.isspace():
            i += 1
        elif src.startswith("//", i):
            i = src.find("\n", i) if "\n" in src[i:] else n
        elif src.startswith("/*", i):
            i = src.index("*/", i) + 2
        elif c in "\"'":
            j, out = i + 1, []
            while src[j] != c:
                if src[j] == "\\":
                    out.append({"n": "\n", "t": "\t"}.get(src[j + 1], src[j + 1]))
                    j += 2
                else:
                    out.append(src[j])
                    j += 1
            tokens.append(Token("str", "".join(out), line_at(i)))
            i = j + 1
        elif c == "`":
            j, depth = i + 1, 0
            while depth or src[j] != "`":
                if src[j] == "\\":
                    j += 1
                elif src.startswith("${", j):
                    depth += 1
                elif src[j] == "}" and depth:
                    depth -= 1
                j += 1
            body = src[i + 1 : j]
            tokens.append(Token("str", body, line_at(i), has_expr="${" in body))
            i = j + 1
        elif c == "/" and _regex_allowed(tokens):
            j, in_class = i + 1, False
            while in_class or src[j] != "/":
                if src[j] == "\\":
                    j += 1
                elif src[j] == "[":
                    in_class = True
                elif src[j] == "]":
                    in_class = False
                j += 1
            j += 1
            while j < n and src[j].isalpha():
                j += 1
            tokens.append(Token("regex", src[i:j], line_at(i)))
            i = j
        elif c.isalpha() or c in "_$":
            m = re.compile(r"[\w$]+").match(src, i)
            assert m
            tokens.append(Token("ident", m.group(), line_at(i)))
            i = m.end()
        elif c.isdigit():
            m = re.compile(r"[\w.]+").match(src, i)
            assert m
            tokens.append(Token("num", m.group(), line_at(i)))
            i = m.end()
        else:
            op = next((p for p in PUNCTUATORS if src.startswith(p, i)), c)
            tokens.append(Token("punct", op, line_at(i)))
            i += len(op)
    return tokens


def _regex_allowed(tokens: list[Token]) -> bool:
    if not tokens:
        return True
    last = tokens[-1]
    if last.kind == "punct":
        return last.value not in (")", "]", "}") and (
            last.value[-1] in REGEX_BEFORE or last.value == "=>"
        )
    return last.kind == "ident" and last.value in REGEX_AFTER_WORDS


@dataclass
class Frame:
    opener: str
    callee: str | None
    dictionary: bool = False  # `const LABELS = {` : a table of words
    arg: int = 0
    first_arg: str | None = None
    segment: list[Token] = field(default_factory=list)  # this argument or statement so far


@dataclass
class Literal:
    token: Token
    frame: Frame
    arg: int  # which argument of the call it is in, when it was read
    segment: list[Token]
    is_key: bool


@dataclass
class Call:
    name: str
    line: int
    args: list[list[Token]]


def walk(tokens: list[Token]) -> tuple[list[Literal], list[Call]]:
    """Every string literal with where it stands, and every call with its argument tokens."""
    literals: list[Literal] = []
    calls: list[Call] = []
    stack = [Frame("", None)]
    open_calls: list[tuple[Frame, Call]] = []
    for k, tok in enumerate(tokens):
        top = stack[-1]
        # A call's own `,` and `)` separate and end its arguments; all else is in one.
        own = tok.kind == "punct" and tok.value in (",", ")")
        for frame, call in open_calls:
            if not (own and frame is top):
                call.args[-1].append(tok)
        if tok.kind == "punct" and tok.value in "([{":
            prev = tokens[k - 1] if k else None
            before = tokens[k - 2] if k > 1 else None
            callee = (
                prev.value
                if tok.value == "(" and prev is not None and prev.kind == "ident"
                else None
            )
            if before is not None and before.kind == "ident" and before.value == "function":
                callee = None
            dictionary = (
                tok.value == "{"
                and prev is not None
                and prev.value == "="
                and before is not None
                and re.fullmatch(r"[A-Z][A-Z_]+", before.value) is not None
            )
            frame = Frame(tok.value, callee, dictionary)
            top.segment.append(tok)
            stack.append(frame)
            if callee is not None:
                call = Call(callee, tok.line, [[]])
                calls.append(call)
                open_calls.append((frame, call))
            continue
        if tok.kind == "punct" and tok.value in ")]}":
            closed = stack.pop()
            open_calls = [(f, c) for f, c in open_calls if f is not closed]
            continue
        if tok.kind == "punct" and tok.value in (",", ";"):
            if tok.value == ",":
                top.arg += 1
                for frame, call in open_calls:
                    if frame is top:
                        call.args.append([])
            top.segment = []
            continue
        if tok.kind == "str":
            following = tokens[k + 1] if k + 1 < len(tokens) else None
            # `{a: "x", "b-c": 1}`: a key, not a ternary's `cond ? "x" : y`.
            is_key = (
                top.opener == "{"
                and following is not None
                and following.value == ":"
                and tokens[k - 1].value in ("{", ",")
            )
            literals.append(Literal(tok, top, top.arg, list(top.segment), is_key))
            if top.arg == 0 and top.first_arg is None:
                top.first_arg = tok.value
        top.segment.append(tok)
    return literals, calls


WORD = re.compile(r"[A-Za-z]{2,}")
PLACEHOLDER = re.compile(r"%\(\w+\)s|%s|\$\{[^}]*\}")


def has_words(text: str) -> bool:
    """Two words or more, one capitalised word ("Stop", "Done"), or a word with a space at
    either end: a piece of a sentence being put together (`n + " lines"`)."""
    plain = PLACEHOLDER.sub(" ", text)
    if WORD.search(plain) and (plain[:1].isspace() or plain[-1:].isspace()):
        return True
    words = WORD.findall(plain)
    return (len(words) >= 2 and re.search(r"[A-Za-z]\W*\s\W*[A-Za-z]", plain) is not None) or bool(
        re.fullmatch(r"\W*[A-Z][a-z]+\W*", plain)
    )


def reads_like_a_sentence(text: str) -> bool:
    """A capitalised word followed by more words, or words ending in sentence punctuation."""
    plain = PLACEHOLDER.sub(" ", text).strip()
    if re.match(r"[A-Z][a-z]+[\s,:;]+\S", plain):
        return True
    return has_words(plain) and re.search(r"[a-z][.…!?:]\s*$", plain) is not None


def shown_to_people(lit: Literal) -> bool:
    frame = lit.frame
    if frame.dictionary and not lit.is_key:
        return True
    if frame.opener == "(" and frame.callee in TEXT_CALLS:
        return True
    if frame.opener == "(" and frame.callee == "el" and lit.arg == 2:
        return True
    if (
        frame.opener == "("
        and frame.callee == "setAttribute"
        and lit.arg == 1
        and frame.first_arg in TEXT_ATTRIBUTES
    ):
        return True
    seg = lit.segment
    for a, b in itertools.pairwise(seg):
        if a.kind == "ident" and a.value in TEXT_PROPERTIES and b.value in ("=", ":"):
            return True
    return any(t.kind == "punct" and t.value in ("||", "??") for t in seg)


def unmarked_prose(src: str) -> list[str]:
    literals, _ = walk(tokenize(src))
    found = []
    for lit in literals:
        text = lit.token.value
        if lit.is_key or text in ALLOWED:
            continue
        if lit.frame.opener == "(" and lit.frame.callee in MSGID_CALLS:
            continue
        if reads_like_a_sentence(text) or (has_words(text) and shown_to_people(lit)):
            found.append(f"line {lit.token.line}: {text!r}")
    return found


def non_literal_msgids(src: str) -> list[str]:
    _, calls = walk(tokenize(src))
    bad = []
    for call in calls:
        count = MSGID_CALLS.get(call.name)
        if count is None:
            continue
        for arg in call.args[:count]:
            if len(arg) != 1 or arg[0].kind != "str" or arg[0].has_expr:
                bad.append(f"line {call.line}: {call.name}(" + " ".join(t.value for t in arg) + ")")
    return bad


# -- the scan itself ---------------------------------------------------------------------


def test_the_scan_finds_prose_where_people_see_it() -> None:
    src = """
      const LABELS = {ok: "Follows", "x-y": gettext("Fine")};
      node.textContent = "read as " + x;
      el("button", "small secondary", "Stop");
      box.setAttribute("aria-label", "New line, visual editor");
      report(reply.data.error || "could not send", true);
      const a = "The check failed; keep typing.";
      parts.push(`Waiting ${n} more`);
      summary.textContent = count + " lines";
    """
    assert [f.split(": ", 1)[1] for f in unmarked_prose(src)] == [
        "'Follows'",
        "'read as '",
        "'Stop'",
        "'New line, visual editor'",
        "'could not send'",
        "'The check failed; keep typing.'",
        "'Waiting ${n} more'",
        "' lines'",
    ]


def test_the_scan_leaves_machine_strings_and_marked_text_alone() -> None:
    src = r"""
      "use strict";
      const MARKS = {ok: "✓", wrong: "✗"};
      el("span", "steps answer-steps", gettext("Stop"));
      node.setAttribute("aria-describedby", "keypad-note");
      node.querySelectorAll("button, [aria-hidden='true']");
      const re = /^not checked yet/, half = a / 2, s = "a" + "/b c/";
      headers: {"Content-Type": "application/json", "Accept": "application/json"};
      reject(new Error("not loaded"));
      x.textContent = ngettext("%(count)s line", "%(count)s lines", n) + " · ";
    """
    assert unmarked_prose(src) == []


def test_the_scan_finds_msgids_that_are_not_literals() -> None:
    src = 'gettext(name); gettext("a" + b); ngettext("one", plural, n); gettext(`x ${y}`);'
    src += ' gettext("ok"); ngettext("one", "two", n)'
    assert len(non_literal_msgids(src)) == 4


# -- the scripts -----------------------------------------------------------------------


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_no_english_prose_is_left_unmarked(script: Path) -> None:
    found = unmarked_prose(script.read_text(encoding="utf-8"))
    assert not found, f"{script.name}: wrap these in gettext()/ngettext(): {found}"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_every_msgid_is_a_literal(script: Path) -> None:
    """makemessages reads msgids from the source: a variable or a sum is never extracted."""
    bad = non_literal_msgids(script.read_text(encoding="utf-8"))
    assert not bad, f"{script.name}: msgids must be one string literal: {bad}"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_each_script_works_without_the_catalog(script: Path) -> None:
    """A page without /jsi18n/ (or one that failed to load it) shows the English as written."""
    src = script.read_text(encoding="utf-8")
    _, calls = walk(tokenize(src))
    for name in {c.name for c in calls} & {"gettext", "ngettext", "interpolate"}:
        assert re.search(rf"\bconst {name} = window\.{name} \|\|", src), (
            f"{script.name}: no fallback for {name}"
        )


# -- the catalog -----------------------------------------------------------------------


def test_the_script_catalog_is_served(db: None) -> None:
    url = reverse("javascript-catalog")
    assert url == "/jsi18n/"
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] in ("text/javascript", "application/javascript")
    assert b"gettext" in response.content


def test_the_script_catalog_speaks_spanish(db: None) -> None:
    if not MO.exists():
        pytest.skip(f"{MO.relative_to(settings.BASE_DIR)} is not built yet")
    with MO.open("rb") as mo:
        catalog = gnu_gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    translated = {k: v for k, v in catalog.items() if isinstance(k, str) and k and v and v != k}
    if not translated:
        pytest.skip("djangojs.mo has no translations yet")
    msgid = (
        "I think this is wrong" if "I think this is wrong" in translated else sorted(translated)[0]
    )
    spanish = translated[msgid]
    response = Client().get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    body = response.content.decode()
    assert spanish in body or json.dumps(spanish)[1:-1] in body
