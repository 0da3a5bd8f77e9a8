"""Prompts that fit the context window: old answers go back without their thinking, the oldest
history goes first, and a huge attempt is shortened from its oldest steps."""

from __future__ import annotations

from typing import Any

import pytest

from inference.prompts import build_messages, estimate_tokens, prompt_tokens

CONTEXT_TOKENS, MAX_NEW_TOKENS = 131072, 32768


def _answer(i: int, thinking_tokens: int, answer_tokens: int) -> str:
    """An answer of about that many estimated tokens, numbered so it can be found again."""
    thinking = f"thinking {i} " + "x" * (3 * thinking_tokens - 20)
    answer = f"answer {i} " + "y" * (3 * answer_tokens - 20)
    return f"<think>{thinking}</think>\n{answer}"


def test_history_answers_go_back_without_their_thinking() -> None:
    """The model sees what it answered before, not how it got there."""
    messages = build_messages(
        mode="followup",
        problem="Solve x + 1 = 3.",
        history=[
            ("Hint please", "<think>\nThey need to subtract.\n</think>\nWhat can you subtract?")
        ],
        question="Why?",
    )
    assert messages[2] == {"role": "assistant", "content": "What can you subtract?"}


def test_twenty_long_answers_fit_the_window_keeping_the_newest() -> None:
    """20 earlier answers of 30,000 tokens each, thinking included: the prompt fits the window
    left after the answer's own 32,768 tokens, and the answers kept are the newest."""
    history = [(f"question {i}", _answer(i, 20_000, 10_000)) for i in range(20)]
    assert all(29_900 < estimate_tokens(a) < 30_100 for _, a in history)
    budget = CONTEXT_TOKENS - MAX_NEW_TOKENS
    messages = build_messages(
        mode="followup",
        problem="Solve x + 1 = 3.",
        attempt_steps=["x = 3 - 1"],
        history=history,
        question="And now?",
        max_prompt_tokens=budget,
    )
    assert prompt_tokens(messages) <= budget
    answers = [m["content"] for m in messages if m["role"] == "assistant"]
    kept = [int(a.split()[1]) for a in answers]
    assert kept == list(range(20 - len(kept), 20)) and 5 <= len(kept) < 20
    assert not any("<think>" in m["content"] or "thinking" in m["content"] for m in messages)
    first_user = messages[1]["content"]
    assert first_user.startswith("Problem:\nSolve x + 1 = 3.") and "Step 1: x = 3 - 1" in first_user
    assert first_user.endswith(f"question {kept[0]}")
    assert messages[-1] == {"role": "user", "content": "And now?"}


def test_without_a_budget_every_pair_is_kept() -> None:
    """Callers that do not size the prompt get the whole session, as before."""
    history = [(f"q{i}", f"a{i}") for i in range(30)]
    messages = build_messages(mode="followup", problem="p", history=history, question="q")
    assert len(messages) == 1 + 2 * 30 + 1


def test_the_prompt_fits_as_the_models_own_tokenizer_counts(backend: Any) -> None:
    """With the tokenizer's count the rendered prompt, template included, fits the budget."""
    line = "Step 1: subtract 3 from both sides, so 2x = 8 and x = 4.\n"
    history = [(f"question {i}", f"<think>{line * 20}</think>{line * 5}") for i in range(20)]
    budget = 2_000
    messages = build_messages(
        mode="followup",
        problem="Solve 2x + 3 = 11.",
        history=history,
        question="And now?",
        max_prompt_tokens=budget,
        count_tokens=backend.count_tokens,
    )
    rendered = backend.encode(messages)["input_ids"]
    assert rendered.shape[1] <= budget
    assert 1 < sum(m["role"] == "assistant" for m in messages) < 20


def test_a_huge_attempt_keeps_its_newest_steps_and_says_so() -> None:
    """The attempt is what the tutor must answer about: its latest steps stay, and the text
    says that the earlier ones were left out."""
    steps = [f"line {i}: " + "z" * 90 for i in range(1, 501)]
    messages = build_messages(
        mode="check",
        problem="Simplify.",
        attempt_steps=steps,
        history=[("q", "a")],
        max_prompt_tokens=3_000,
    )
    assert prompt_tokens(messages) <= 3_000
    assert [m["role"] for m in messages] == ["system", "user"]  # the history went first
    text = messages[1]["content"]
    left_out = int(text.split("steps 1 to ")[1].split()[0])
    assert f"Step {left_out + 1}: line {left_out + 1}:" in text and "Step 500: line 500" in text
    assert f"Step {left_out}:" not in text
    assert text.endswith("Please check my work.")


def test_a_problem_that_cannot_fit_is_an_error() -> None:
    """Nothing can be dropped from the problem itself: the caller is told."""
    with pytest.raises(ValueError, match="do not fit"):
        build_messages(mode="solve", problem="p" * 30_000, max_prompt_tokens=1_000)


def test_a_custom_counter_is_used_for_every_message() -> None:
    """The counter decides: one token per character drops more than the default estimate."""
    history = [(f"q{i}", "a" * 300) for i in range(10)]
    kept = {}
    for name, counter in (("estimate", None), ("chars", len)):
        messages = build_messages(
            mode="followup",
            problem="p",
            history=history,
            question="q",
            max_prompt_tokens=1_500,
            count_tokens=counter,
        )
        assert prompt_tokens(messages, counter) <= 1_500
        kept[name] = sum(m["role"] == "assistant" for m in messages)
    assert kept["chars"] < kept["estimate"]
