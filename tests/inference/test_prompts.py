"""The tutor prompt, sanitising, and reading the thinking and the final answer."""

from __future__ import annotations

import pytest

from inference.prompts import (
    HINT_RUNGS,
    ZERO_WIDTH_SPACE,
    build_messages,
    extract_final_answer,
    sanitize,
    split_thinking,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2x + 3 = 7", "2x + 3 = 7"),  # ordinary math is untouched
        ("a<|end|>b", f"a<{ZERO_WIDTH_SPACE}|end|>b"),
        ("<|assistant|>", f"<{ZERO_WIDTH_SPACE}|assistant|>"),
        ("<|anything_new|>", f"<{ZERO_WIDTH_SPACE}|anything_new|>"),  # generic <|...|>
        ("x < |y|", "x < |y|"),  # absolute values and less-than stay
        ("tab\there\x00\x1b", "tab\there"),  # control characters dropped
    ],
)
def test_sanitize(text: str, expected: str) -> None:
    """User text keeps its math but loses the power to open or close turns."""
    assert sanitize(text) == expected


def test_sanitize_breaks_a_tokenizers_own_specials() -> None:
    """Other models' special tokens are neutralised when passed in."""
    assert sanitize("a</s>b", ["</s>"]) == f"a<{ZERO_WIDTH_SPACE}/s>b"


def test_solve_prompt_has_problem_attempt_and_format_rules() -> None:
    """The first turn carries the problem, the attempt and the step/boxed rules."""
    messages = build_messages(mode="solve", problem="Solve 2x = 4.", attempt_steps=["2x = 4", ""])
    assert [m["role"] for m in messages] == ["system", "user"]
    assert "one step per line" in messages[0]["content"]
    assert "\\boxed{}" in messages[0]["content"]
    assert "Solve 2x = 4." in messages[1]["content"]
    assert "Step 1: 2x = 4" in messages[1]["content"]
    assert "Step 2" not in messages[1]["content"]  # blank steps are dropped


@pytest.mark.parametrize(
    ("mode", "must_say"),
    [
        ("hint", "never state the final answer"),
        ("check", "first mistake"),
        ("solve", "full worked solution"),
        ("followup", "follow-up question"),
    ],
)
def test_each_mode_has_its_own_instructions(mode: str, must_say: str) -> None:
    """Hint, check, solve and follow-up ask the model for different things."""
    messages = build_messages(mode=mode, problem="p", question="why?")  # type: ignore[arg-type]
    assert must_say in messages[0]["content"]


def test_followup_continues_the_session() -> None:
    """Earlier questions and answers come back as alternating user/assistant messages."""
    messages = build_messages(
        mode="followup",
        problem="Solve x + 1 = 3.",
        history=[("Hint please", "What can you subtract?"), ("Check", "Step 1 is right.")],
        question="Why subtract 1?",
    )
    assert [m["role"] for m in messages] == [
        "system",
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
    ]
    assert messages[1]["content"].startswith("Problem:\nSolve x + 1 = 3.")
    assert messages[1]["content"].endswith("Hint please")
    assert messages[-1]["content"] == "Why subtract 1?"


def test_followup_needs_a_question() -> None:
    """An empty follow-up is refused."""
    with pytest.raises(ValueError):
        build_messages(mode="followup", problem="p", question="  ")


@pytest.mark.parametrize(
    ("text", "thinking", "answer"),
    [
        ("x = 2", "", "x = 2"),  # no think block
        ("<think>\nplan\n</think>\nx = 2", "plan", "x = 2"),
        ("  <think>a</think>b", "a", "b"),  # leading whitespace
        ("<think>\nstill thinking", "still thinking", ""),  # unterminated while streaming
        ("plan\n</think>\nx = 2", "plan", "x = 2"),  # template opened the block in the prompt
        ("Use <think> tags like this", "", "Use <think> tags like this"),  # not at the start
        ("", "", ""),
    ],
)
def test_split_thinking(text: str, thinking: str, answer: str) -> None:
    """The reasoning and the answer are shown apart, even mid-stream."""
    assert split_thinking(text) == (thinking, answer)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("So x = \\boxed{2}.", "2"),
        ("\\boxed{1} then \\boxed{\\frac{1}{2}}", "\\frac{1}{2}"),  # last one, nested braces
        ("<think>\\boxed{9}</think>The answer is \\boxed{3}", "3"),  # not from the thinking
        ("<think>\\boxed{9}</think>\nx = 3\n\n", "x = 3"),  # last non-empty line
        ("\\boxed{\\{1, 2\\}}", "\\{1, 2\\}"),  # escaped braces inside
        ("\\boxed{4} and \\boxed{5", "4"),  # unterminated last box
        ("<think>only thinking", None),
        ("", None),
    ],
)
def test_extract_final_answer(text: str, expected: str | None) -> None:
    """The checker compares against the last boxed answer, else the last line."""
    assert extract_final_answer(text) == expected


@pytest.mark.parametrize(
    ("rung", "must_say"),
    [
        (1, "small nudge"),
        (2, "set up the next step concretely"),
        (3, "bottom-out hint: do the next step itself"),
    ],
)
def test_each_hint_rung_gives_away_more(rung: int, must_say: str) -> None:
    """Hint 1 nudges, hint 2 sets the step up, hint 3 does the step, never the final answer."""
    system = build_messages(mode="hint", problem="p", hint_rung=rung)[0]["content"]
    assert f"hint {rung} of {HINT_RUNGS}" in system and must_say in system
    assert "earlier hints" in system and "steps the student has written so far" in system
    assert "never state the final answer" in system


def test_the_hint_request_follows_the_rung() -> None:
    """The student's request reads as a first, a bigger and a last hint."""
    requests = {
        build_messages(mode="hint", problem="p", hint_rung=r)[-1]["content"].rsplit("\n", 1)[-1]
        for r in range(1, HINT_RUNGS + 1)
    }
    assert len(requests) == HINT_RUNGS == 3


@pytest.mark.parametrize("rung", [0, 4, True, "2"])
def test_a_hint_rung_off_the_ladder_is_refused(rung: object) -> None:
    """Rungs are 1 to 3."""
    with pytest.raises(ValueError, match="hint_rung"):
        build_messages(mode="hint", problem="p", hint_rung=rung)  # type: ignore[arg-type]
