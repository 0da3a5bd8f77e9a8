"""``python -m tutor.checker steps|answers``: JSON lines in, one JSON line out per input line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from tutor.checker.api import check_answer, check_steps

MAX_LINE_CHARS = 200_000


def _error(row_id: object, message: str) -> dict[str, Any]:
    return {"id": row_id if isinstance(row_id, (str, int)) else None, "error": message}


def steps_row(row: dict[str, Any]) -> dict[str, Any]:
    steps = row.get("steps")
    if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
        return _error(row.get("id"), "steps must be a list of strings")
    results = check_steps(steps, source=row.get("source", "model"))
    wrong = [r.index for r in results if r.verdict == "wrong"]
    out: dict[str, Any] = {
        "id": row.get("id"),
        "first_error": wrong[0] if wrong else -1,
        "steps": [
            {"index": r.index, "verdict": r.verdict, "detail": r.detail, "rule": r.rule}
            for r in results
        ],
    }
    key = row.get("answer_key")
    if isinstance(key, str) and key.strip():
        answer = _final_answer(steps)
        verdict = check_answer(answer, key).equivalent if answer else None
        out["final_answer"] = {"equivalent": verdict}
    return out


def _final_answer(steps: list[str]) -> str | None:
    import re

    from tutor.checker.extract import boxed_answers

    for step in reversed(steps):
        boxed = boxed_answers(step)
        if boxed:
            return boxed[-1]
    if not steps:
        return None
    # No box: the last number of the last step, as GSM8K-style solutions end.
    numbers = re.findall(r"-?\$?\d[\d,]*(?:\.\d+)?%?", steps[-1])
    return numbers[-1] if numbers else steps[-1]


def answers_row(row: dict[str, Any]) -> dict[str, Any]:
    answer, key = row.get("answer"), row.get("key")
    if not isinstance(answer, str) or not isinstance(key, str):
        return _error(row.get("id"), "answer and key must be strings")
    result = check_answer(answer, key)
    return {"id": row.get("id"), "equivalent": result.equivalent, "detail": result.detail}


def run(mode: str, stdin: TextIO, stdout: TextIO) -> None:
    handler = steps_row if mode == "steps" else answers_row
    for line in stdin:
        if not line.strip():
            continue
        try:
            row = json.loads(line[:MAX_LINE_CHARS]) if len(line) <= MAX_LINE_CHARS else None
            if not isinstance(row, dict):
                out = _error(None, "each line must be a JSON object (under 200,000 characters)")
            else:
                out = handler(row)
        except json.JSONDecodeError as exc:
            out = _error(None, f"invalid JSON: {exc.msg}")
        except Exception as exc:  # one bad row must never stop the run
            out = _error(row.get("id") if isinstance(row, dict) else None, type(exc).__name__)
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tutor.checker", description=__doc__)
    parser.add_argument("mode", choices=["steps", "answers"])
    args = parser.parse_args(argv)
    run(args.mode, sys.stdin, sys.stdout)
    return 0
