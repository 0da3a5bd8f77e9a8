"""Inputs the 10,000-example fuzz run found crashing the checker, kept as regressions."""

from __future__ import annotations

import pytest

from tutor.checker import check_answer, check_steps, read_as


@pytest.mark.parametrize(
    "line",
    [
        "🄀",  # a Unicode digit that str.isdigit() accepts but the number pattern does not read
        "٣ + 1 = 4",  # Arabic-Indic digit three
        "60^2500",  # 4,445 digits: Python refuses to print it
        "60^2500 = 3",
    ],
)
def test_fuzz_findings_are_judged_not_crashed(line: str) -> None:
    """Each gets a verdict (none or unknown) and a readable detail, not an exception."""
    (result,) = check_steps([line], source="student")
    assert result.verdict in ("none", "unknown")
    assert "Traceback" not in result.detail
    read_as(line)  # must not raise either


def test_a_huge_answer_is_undecided() -> None:
    """An answer too large to print is 'cannot decide', never a crash."""
    assert check_answer("60^2500", "1").equivalent is None
