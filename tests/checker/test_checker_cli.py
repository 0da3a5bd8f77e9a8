"""The command line: one JSON line out per line in, errors as objects."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(mode: str, lines: list[str]) -> list[dict[str, object]]:
    proc = subprocess.run(
        [sys.executable, "-m", "tutor.checker", mode],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_steps_round_trip() -> None:
    """Steps in, verdicts out, in order; a malformed line gets an error object."""
    rows = [
        json.dumps(
            {"id": "a", "steps": ["So 18 - 6 = 12.", "Then 12 + 6 = 19."], "answer_key": "19"}
        ),
        "not json",
        json.dumps({"id": "b", "steps": "oops"}),
        json.dumps({"id": "c", "steps": ["No math here."]}),
    ]
    out = run("steps", rows)
    assert [o.get("id") for o in out] == ["a", None, "b", "c"]
    assert out[0]["first_error"] == 1
    assert out[0]["steps"][0]["verdict"] == "ok"  # type: ignore[index]
    assert out[0]["final_answer"] == {"equivalent": True}
    assert "error" in out[1] and "error" in out[2]
    assert out[3]["first_error"] == -1 and "final_answer" not in out[3]


def test_answers_round_trip() -> None:
    """Answers in, equivalence out."""
    rows = [
        json.dumps({"id": "1", "answer": "0.5", "key": "1/2"}),
        json.dumps({"id": "2", "answer": "x=1 or x=-3", "key": "{1,-3}"}),
        json.dumps({"id": "3", "answer": "7", "key": "8"}),
        json.dumps({"id": "4"}),
    ]
    out = run("answers", rows)
    assert [o.get("equivalent") for o in out[:3]] == [True, True, False]
    assert "error" in out[3]
