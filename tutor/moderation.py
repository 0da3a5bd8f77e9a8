"""Moderation of student and model text: a small table of rules, no Django, no network.

The site is used by minors, and what they type (and what the model writes back) is read by
no one in real time, so a handful of precise rules route the worrying cases to a human: the
review queue and the class's teacher. Nothing is blocked here; a flag is a request for a
person to look.

Precision matters more than recall: math text is full of words that look alarming out of
context ("kill the x term", "x is negative", "a sex-tuple", "the baby's sex", "ignore the
constant"). Every rule is therefore a phrase, not a single word, and the table of cases in
tests/test_moderation.py holds both what must be flagged and what must not.

To add a rule: append a `Rule` to `RULES` with a category, a compiled pattern and a short
note, and add at least one flagged and one not-flagged case to the test table. A pattern may
name a group `hit`; the reported span is then that group instead of the whole match (so a
phone number found after "call me at" is reported as the number alone).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    SELF_HARM = "self_harm"
    SEXUAL_MINORS = "sexual_minors"
    HARASSMENT = "harassment"
    PERSONAL_DATA = "personal_data"
    PROMPT_INJECTION = "prompt_injection"


LABELS: dict[Category, str] = {
    Category.SELF_HARM: "Self-harm",
    Category.SEXUAL_MINORS: "Sexual content (the users are minors)",
    Category.HARASSMENT: "Harassment or slurs",
    Category.PERSONAL_DATA: "Personal data shared",
    Category.PROMPT_INJECTION: "Attempt to make the tutor ignore its instructions",
}

# Personal data is reported by kind, never copied into a flag or a log.
REDACTED: frozenset[Category] = frozenset({Category.PERSONAL_DATA})


@dataclass(frozen=True)
class Rule:
    category: Category
    pattern: re.Pattern[str]
    note: str


@dataclass(frozen=True)
class ModerationResult:
    """The first rule that matched, or `flagged=False`.

    `span` indexes into `normalise(text)`, which equals the input for ordinary text (it only
    differs when the input held compatibility characters or zero-width characters).
    """

    flagged: bool
    category: Category | None = None
    span: tuple[int, int] | None = None
    matched: str = ""
    note: str = ""

    @property
    def label(self) -> str:
        return LABELS[self.category] if self.category else ""

    def excerpt(self) -> str:
        """What may be stored in a flag: the matched text, or only its kind for personal data."""
        if self.category is None:
            return ""
        if self.category in REDACTED:
            return f"[{self.note}, redacted]"
        return self.matched[:200]


CLEAN = ModerationResult(flagged=False)

_I = re.IGNORECASE


def _rule(category: Category, note: str, pattern: str, flags: int = _I) -> Rule:
    return Rule(category, re.compile(pattern, flags), note)


_YOU = r"(?:you|u|ur|you're|youre|you\s+are)"
_MINOR = (
    r"(?:child|children|kid|kids|minor|minors|underage|teen|teens|(?:\d{1,2})[- ]?year[- ]?old)"
)
_SEXUAL = r"(?:sexual(?:ly)?|sexy|porn\w*|nudes?|naked|sex(?![-\w]))"
_STREET = r"(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Way|Place|Pl)"

RULES: tuple[Rule, ...] = (
    # Self-harm: first-person phrases only. "kill the x term" and "cut the cake" stay clean.
    _rule(
        Category.SELF_HARM,
        "self-harm",
        r"\b(?:kill|hurt|harm|cut|starve)\s+myself\b|\bsuicid(?:e|al)\b|\bself[- ]harm"
        r"|\bend\s+(?:my\s+life|it\s+all)\b|\b(?:want|wanna|going)\s+(?:to\s+)?die\b"
        r"|\bdon'?t\s+want\s+to\s+(?:live|be\s+alive)\b|\bno\s+reason\s+to\s+live\b",
    ),
    # Sexual content: explicit terms are enough on a site for minors; bare "sex" only with a
    # person next to it ("sex with", "have sex"), so "sex-tuple" and "the baby's sex" stay clean.
    _rule(
        Category.SEXUAL_MINORS,
        "sexual content",
        rf"\b(?:porn\w*|nudes|sexting|sext)\b|\bsexual(?:ly)?\b|\bnaked\s+(?:pics?|pictures?|photos?)"
        rf"|\b(?:have|had|having)\s+sex\b|\bsex\s+with\b"
        rf"|\b{_SEXUAL}\b.{{0,40}}\b{_MINOR}\b|\b{_MINOR}\b.{{0,40}}\b{_SEXUAL}",
        _I | re.DOTALL,
    ),
    # Harassment: an insult aimed at a person, threats, and a short list of slurs.
    _rule(
        Category.HARASSMENT,
        "insult or threat",
        rf"\b{_YOU}\s+(?:are\s+)?(?:a\s+|an\s+|so\s+|such\s+an?\s+)?"
        r"(?:stupid|idiot|moron|dumb|loser|retard(?:ed)?|ugly|worthless)\b"
        r"|\b(?:kill|go\s+die|hang)\s+yourself\b|\bkys\b"
        r"|\bi(?:'ll|\s+will|\s+am\s+going\s+to|'m\s+going\s+to|\s+gonna)\s+(?:kill|hurt|beat\s+up|find)\s+(?:you|u|him|her|them)\b",
    ),
    _rule(
        Category.HARASSMENT,
        "slur",
        r"\b(?:retards?|faggots?|fags?|tranny|trannies|nigg(?:er|a)s?|spics?|chinks?|kikes?)\b",
    ),
    # Personal data: contact details and addresses. Math such as "512 - 256 - 1024" has spaces
    # round its operators and no contact word, so dash-only numbers need one ("call me at").
    _rule(
        Category.PERSONAL_DATA,
        "an email address",
        r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b",
    ),
    _rule(
        Category.PERSONAL_DATA,
        "a phone number",
        r"(?<![\w.+-])(?:\+\d{1,3}[ .-]?)?"
        r"(?:\(\d{3}\)\s?\d{3}[ .-]?|\d{3}[ .]\d{3}[ .])\d{4}(?![\w.])"
        r"|(?<![\w)])\+\d{1,3}[ .]\d{2,5}[ .]?\d{3,4}[ .]?\d{3,4}(?![\w.])"
        r"|\b(?:call|text|phone|number|cell|mobile|whatsapp|reach)\b[^\n]{0,30}?"
        r"(?P<hit>(?<![\d.-])\d{3}-\d{3}-\d{4})(?![\d.])",
    ),
    _rule(
        Category.PERSONAL_DATA,
        "a street address",
        rf"\b\d{{1,5}}\s+(?:[A-Z][a-z]+\s+){{1,3}}{_STREET}\b\.?",
        0,
    ),
    _rule(
        Category.PERSONAL_DATA,
        "an address or account",
        r"\b(?:i\s+live\s+(?:at|on)|my\s+(?:home\s+)?address\s+is)\b"
        r"|\b(?:my|add\s+me\s+on)\s+(?:snap(?:chat)?|insta(?:gram)?|discord|tiktok|whatsapp)\b",
    ),
    # Attempts to make the tutor drop its instructions, including its chat-format tokens.
    _rule(
        Category.PROMPT_INJECTION,
        "instruction override",
        r"\b(?:ignore|disregard|forget|override|bypass)\s+(?:(?:all|the|your|any|every|previous"
        r"|prior|above|earlier|preceding|system|of|these|those|my|original)\s+){0,4}"
        r"(?:instructions?|rules|prompts?|directions|guidelines|guardrails|programming)\b"
        r"|\b(?:system|developer)\s+prompt\b|\bjailbr(?:eak|oken)\b|\bdeveloper\s+mode\b"
        r"|\byou\s+are\s+now\s+(?:DAN|unrestricted|unfiltered|free)\b"
        r"|\bdo\s+anything\s+now\b|<\|(?:system|user|assistant|end)\|>",
    ),
)

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def normalise(text: str) -> str:
    """NFKC and no zero-width characters, so full-width letters or "su\u200bicide" still match."""
    return unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH)


def moderate(
    text: str, *, categories: Iterable[Category] | None = None, rules: Iterable[Rule] = RULES
) -> ModerationResult:
    """The first rule (in table order) that matches `text`, restricted to `categories`."""
    wanted = set(categories) if categories is not None else None
    clean = normalise(text)
    for rule in rules:
        if wanted is not None and rule.category not in wanted:
            continue
        match = rule.pattern.search(clean)
        if match is None:
            continue
        group = "hit" if "hit" in rule.pattern.groupindex and match.group("hit") else 0
        start, end = match.span(group)
        return ModerationResult(True, rule.category, (start, end), clean[start:end], rule.note)
    return CLEAN
