"""The tutor's chat prompt, and parsing of what the model writes back.

No torch or Django imports: the web process uses this module too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
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
        "The student asked for a hint. Give one Socratic hint for the next step only: ask a "
        "guiding question or name the idea to use. Do not solve the problem, do not do the "
        "next step for them and never state the final answer."
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

_REQUESTS: dict[Mode, str] = {
    "hint": "Can I have a hint for the next step?",
    "check": "Please check my work.",
    "solve": "Please show me the full worked solution.",
}


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
) -> list[Message]:
    """The chat for one tutor turn.

    The system message holds the tutor's rules for ``mode``. The first user message carries the
    problem and the student's attempt; earlier (question, answer) pairs of this session follow as
    user/assistant messages, and the last user message is the request (or ``question`` for a
    follow-up). Every piece of user text goes through ``sanitize``.
    """
    if mode not in _MODE_RULES:
        raise ValueError(f"unknown mode {mode!r}")
    if mode == "followup" and not question.strip():
        raise ValueError("a follow-up needs a question")
    request = sanitize(question.strip()) if question.strip() else _REQUESTS[mode]
    context = _context(problem, attempt_steps)
    turns: list[tuple[str, str]] = [(sanitize(q), sanitize(a)) for q, a in history]
    messages: list[Message] = [
        {"role": "system", "content": f"{SYSTEM_PROMPT}\n{_MODE_RULES[mode]}"}
    ]
    for i, (asked, answered) in enumerate(turns):
        content = f"{context}\n\n{asked}" if i == 0 else asked
        messages.append({"role": "user", "content": content})
        messages.append({"role": "assistant", "content": answered})
    last = request if turns else f"{context}\n\n{request}"
    messages.append({"role": "user", "content": last})
    return messages


def _context(problem: str, attempt_steps: Sequence[str]) -> str:
    lines = [f"Problem:\n{sanitize(problem.strip())}"]
    steps = [sanitize(s.strip()) for s in attempt_steps if s.strip()]
    if steps:
        lines.append("My attempt so far:")
        lines.extend(f"Step {i}: {step}" for i, step in enumerate(steps, 1))
    else:
        lines.append("I have not written any steps yet.")
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
