"""The tutor's chat prompt, and parsing of what the model writes back.

No torch or Django imports: the web process uses this module too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Literal

Message = dict[str, str]  # the same shape as inference.backends.Message
Mode = Literal["hint", "check", "solve", "followup"]

ZERO_WIDTH_SPACE = "\u200b"
# Phi-4-mini's control tokens. Any other "<|...|>" string is neutralised by the generic rule too.
DEFAULT_SPECIALS: tuple[str, ...] = (
    "<|system|>",
    "<|user|>",
    "<|assistant|>",
    "<|end|>",
    "<|endoftext|>",
    "<|tool|>",
    "<|/tool|>",
    "<|tool_call|>",
    "<|/tool_call|>",
    "<|tool_response|>",
)
# C0 controls except tab and newline; they have no place in a math problem.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

SYSTEM_PROMPT = (
    "You are Stepwise, a patient math tutor for students. "
    "Write one step per line, with no blank lines between steps. "
    "Use plain text and LaTeX for math."
)

_MODE_RULES: dict[Mode, str] = {
    "hint": (
        "The student asked for hint {rung} of {rungs} on this problem; each hint reveals more "
        "than the one before. Build on the earlier hints in this conversation instead of "
        "repeating them, and start from the steps the student has written so far (listed in "
        "their first message): if one of those steps is wrong, point to it. The hint is about "
        "the next step only. Do not solve the problem and never state the final answer. "
        "{rung_rule}"
    ),
    "check": (
        "The student asked you to check their work. Go through their steps in order and say "
        "for each whether it is correct. Stop at the first mistake and explain what went "
        "wrong, without finishing the problem. If every step is correct, give the final "
        "answer in \\boxed{}."
    ),
    "solve": (
        "The student asked for a full worked solution. Solve the problem step by step and "
        "put the final answer in \\boxed{}."
    ),
    "followup": (
        "The student is asking a follow-up question about this problem. Answer it directly "
        "and briefly. If you state a final answer, put it in \\boxed{}."
    ),
}

HINT_RUNGS = 3
# What each rung of the hint ladder gives away, from a nudge to the bottom-out hint.
_HINT_RUNG_RULES: dict[int, str] = {
    1: (
        "This is a small nudge: name the idea to use or ask one guiding question. Do not set "
        "up or do the next step for them."
    ),
    2: (
        "Reveal more than a nudge: set up the next step concretely (say what to do to which "
        "expression, or write the equation to work on) and leave the working-out to the "
        "student."
    ),
    3: (
        "This is the bottom-out hint: do the next step itself and show its result, then stop "
        "and let the student go on from there. Do not go past that one step."
    ),
}
_HINT_REQUESTS: dict[int, str] = {
    1: "Can I have a hint for the next step?",
    2: "Can I have a bigger hint for the next step?",
    3: "Please show me just the next step.",
}

_REQUESTS: dict[Mode, str] = {
    "check": "Please check my work.",
    "solve": "Please show me the full worked solution.",
}

# Prompt sizing. The chat template wraps each message in role tags (2 special tokens for
# Phi-4-mini, 4 counted), and adds the generation prompt and possibly a system line of its
# own (the card's "Your name is Phi, ..." line is about 15 tokens).
MESSAGE_TOKENS = 4
TEMPLATE_TOKENS = 32
CHARS_PER_TOKEN = 3

TokenCounter = Callable[[str], int]


def estimate_tokens(text: str) -> int:
    """About one token per 3 characters, rounded up: an estimate, not a bound (dense LaTeX or
    non-Latin text can take more tokens). Pass the model's own counter
    (``TransformersBackend.count_tokens``) where there is one."""
    return -(-len(text) // CHARS_PER_TOKEN)


def sanitize(text: str, special_tokens: Iterable[str] = DEFAULT_SPECIALS) -> str:
    """Make user text unable to open or close a chat turn.

    transformers parses special-token strings inside message content into real control tokens
    (a student typing ``<|end|><|assistant|>`` would otherwise end their turn and speak as the
    tutor). A zero-width space after ``<`` breaks every ``<|...|>`` token and, generically, every
    token in ``special_tokens`` (pass ``tokenizer.all_special_tokens`` for another model).
    """
    text = _CONTROL_CHARS.sub("", text)
    text = text.replace("<|", "<" + ZERO_WIDTH_SPACE + "|")
    for token in sorted(set(special_tokens), key=len, reverse=True):
        if len(token) > 1 and token in text:
            text = text.replace(token, token[0] + ZERO_WIDTH_SPACE + token[1:])
    return text


def build_messages(
    *,
    mode: Mode,
    problem: str,
    attempt_steps: Sequence[str] = (),
    history: Sequence[tuple[str, str]] = (),
    question: str = "",
    hint_rung: int = 1,
    max_prompt_tokens: int | None = None,
    count_tokens: TokenCounter | None = None,
) -> list[Message]:
    """The chat for one tutor turn.

    The system message holds the tutor's rules for ``mode`` (for a hint, the rung of the hint
    ladder, 1 to ``HINT_RUNGS``; other modes ignore it). The first user message carries the
    problem and the student's attempt; earlier (question, answer) pairs of this session follow
    as user/assistant messages, each answer without its thinking, and the last user message is
    the request (or ``question`` for a follow-up). Every piece of user text goes through
    ``sanitize``.

    With ``max_prompt_tokens`` the whole prompt fits that many tokens as ``count_tokens``
    counts them (default: ``estimate_tokens``), template overhead included: the oldest history
    pairs are dropped first; if the problem, the attempt and the request alone do not fit, the
    attempt's oldest steps are left out and the text says so. ValueError when even the problem
    and the request do not fit.
    """
    if mode not in _MODE_RULES:
        raise ValueError(f"unknown mode {mode!r}")
    if mode == "followup" and not question.strip():
        raise ValueError("a follow-up needs a question")
    if isinstance(hint_rung, bool) or not isinstance(hint_rung, int):
        raise ValueError("hint_rung must be an integer")
    if not 1 <= hint_rung <= HINT_RUNGS:
        raise ValueError(f"hint_rung must be in 1..{HINT_RUNGS}")
    if question.strip():
        request = sanitize(question.strip())
    elif mode == "hint":
        request = _HINT_REQUESTS[hint_rung]
    else:
        request = _REQUESTS[mode]
    system = f"{SYSTEM_PROMPT}\n{_rules(mode, hint_rung)}"
    steps = [sanitize(s.strip()) for s in attempt_steps if s.strip()]
    turns = [(sanitize(q), sanitize(split_thinking(a)[1])) for q, a in history]
    problem_text = sanitize(problem.strip())
    if max_prompt_tokens is None:
        return _assemble(system, _context(problem_text, steps), turns, request)
    count = count_tokens or estimate_tokens
    fitted = _fit(system, problem_text, steps, turns, request, max_prompt_tokens, count)
    if fitted is None:
        raise ValueError(
            f"the problem and the request alone do not fit in {max_prompt_tokens} tokens"
        )
    return fitted


def prompt_tokens(messages: Sequence[Message], count_tokens: TokenCounter | None = None) -> int:
    """The size ``build_messages`` gives a chat: its contents plus the template's overhead."""
    count = count_tokens or estimate_tokens
    return TEMPLATE_TOKENS + sum(count(m["content"]) + MESSAGE_TOKENS for m in messages)


def _rules(mode: Mode, hint_rung: int) -> str:
    rules = _MODE_RULES[mode]
    if mode != "hint":
        return rules
    return rules.format(rung=hint_rung, rungs=HINT_RUNGS, rung_rule=_HINT_RUNG_RULES[hint_rung])


def _assemble(
    system: str, context: str, turns: Sequence[tuple[str, str]], request: str
) -> list[Message]:
    messages: list[Message] = [{"role": "system", "content": system}]
    for i, (asked, answered) in enumerate(turns):
        content = f"{context}\n\n{asked}" if i == 0 else asked
        messages.append({"role": "user", "content": content})
        messages.append({"role": "assistant", "content": answered})
    last = request if turns else f"{context}\n\n{request}"
    messages.append({"role": "user", "content": last})
    return messages


def _fit(
    system: str,
    problem: str,
    steps: list[str],
    turns: list[tuple[str, str]],
    request: str,
    budget: int,
    count: TokenCounter,
) -> list[Message] | None:
    """The newest history that fits with everything else, or fewer attempt steps, or None."""
    context = _context(problem, steps)
    fixed = prompt_tokens(_assemble(system, context, [], request), count)
    if fixed > budget:
        return _fit_steps(system, problem, steps, request, budget, count)
    # Each pair counted once; the sum is checked against the assembled prompt below, since a
    # tokenizer need not count a joined text as the sum of its parts.
    costs = [count(q) + count(a) + 2 * MESSAGE_TOKENS for q, a in turns]
    room, first = budget - fixed, len(turns)
    while first > 0 and costs[first - 1] <= room:
        first -= 1
        room -= costs[first]
    while True:
        messages = _assemble(system, context, turns[first:], request)
        if prompt_tokens(messages, count) <= budget or first == len(turns):
            return messages
        first += 1


def _fit_steps(
    system: str, problem: str, steps: list[str], request: str, budget: int, count: TokenCounter
) -> list[Message] | None:
    """Keep the newest attempt steps that fit, saying how many were left out."""

    def attempt(kept: int) -> list[Message]:
        return _assemble(system, _context(problem, steps, kept=kept), [], request)

    def fits(kept: int) -> bool:
        return prompt_tokens(attempt(kept), count) <= budget

    if not fits(0):
        return None
    # Binary search: a long attempt is counted a few times, not once per step.
    low, high = 0, len(steps)  # fits(low) holds
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return attempt(low)


def _context(problem: str, steps: Sequence[str], kept: int | None = None) -> str:
    """The problem and the attempt; ``kept``: how many of the newest steps to show."""
    lines = [f"Problem:\n{problem}"]
    shown = len(steps) if kept is None else kept
    left_out = len(steps) - shown
    if not steps:
        lines.append("I have not written any steps yet.")
    elif left_out == 0:
        lines.append("My attempt so far:")
    elif shown == 0:
        lines.append(f"My attempt so far has {len(steps)} steps, left out here to fit.")
    else:
        lines.append(
            f"My attempt so far (steps 1 to {left_out} are left out here to fit; "
            "the latest steps follow):"
        )
    lines.extend(f"Step {i}: {step}" for i, step in enumerate(steps, 1) if i > left_out)
    return "\n".join(lines)


THINK_OPEN, THINK_CLOSE = "<think>", "</think>"


def split_thinking(text: str) -> tuple[str, str]:
    """Return ``(thinking, answer)``.

    Handles a complete ``<think>...</think>`` block, one still open while streaming (everything
    after ``<think>`` is thinking), a lone ``</think>`` (templates that open the block in the
    prompt) and text with no block at all (all answer). Both parts are stripped.
    """
    open_at = text.find(THINK_OPEN)
    close_at = text.find(THINK_CLOSE)
    if open_at != -1 and (close_at == -1 or open_at < close_at) and not text[:open_at].strip():
        body_start = open_at + len(THINK_OPEN)
        close_at = text.find(THINK_CLOSE, body_start)
        if close_at == -1:
            return text[body_start:].strip(), ""
        return text[body_start:close_at].strip(), text[close_at + len(THINK_CLOSE) :].strip()
    if close_at != -1 and THINK_OPEN not in text[:close_at]:
        return text[:close_at].strip(), text[close_at + len(THINK_CLOSE) :].strip()
    return "", text.strip()


_BOXED = "\\boxed{"


def extract_final_answer(text: str) -> str | None:
    """The last balanced ``\\boxed{...}`` of the answer part, else its last non-empty line."""
    _, answer = split_thinking(text)
    boxed = _last_boxed(answer)
    if boxed is not None:
        return boxed
    lines = [line.strip() for line in answer.splitlines() if line.strip()]
    return lines[-1] if lines else None


def _last_boxed(text: str) -> str | None:
    start = text.rfind(_BOXED)
    while start != -1:
        content = _balanced(text, start + len(_BOXED))
        if content is not None:
            return content.strip()
        start = text.rfind(_BOXED, 0, start)  # unterminated: try an earlier one
    return None


def _balanced(text: str, begin: int) -> str | None:
    """Content from ``begin`` up to the brace that closes the one just before it, or None."""
    depth = 1
    for i in range(begin, len(text)):
        char = text[i]
        if char == "{" and text[i - 1] != "\\":
            depth += 1
        elif char == "}" and text[i - 1] != "\\":
            depth -= 1
            if depth == 0:
                return text[begin:i]
    return None
