"""``python -m tutor.checker steps|answers``: JSON lines in, one JSON line out per input line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from tutor.checker.api import check_answer, check_solution

MAX_LINE_CHARS = 200_000


def _error(row_id: object, message: str) -> dict[str, Any]:
    return {"id": row_id if isinstance(row_id, (str, int)) else None, "error": message}


def steps_row(row: dict[str, Any]) -> dict[str, Any]:
    steps = row.get("steps")
    if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
        return _error(row.get("id"), "steps must be a list of strings")
    key, problem, reference = (
        row.get(name) or "" for name in ("answer_key", "problem", "reference")
    )
    if not all(isinstance(v, str) for v in (key, problem, reference)):
        return _error(row.get("id"), "answer_key, problem and reference must be strings")
    solution = check_solution(
        steps,
        answer_key=key,
        problem=problem,
        reference=reference,
        source="student" if row.get("source") == "student" else "model",
    )
    out: dict[str, Any] = {
        "id": row.get("id"),
        "first_error": solution.first_error,
        "steps": [
            {"index": r.index, "verdict": r.verdict, "detail": r.detail, "rule": r.rule}
            for r in solution.steps
        ],
    }
    if key.strip():
        out["final_answer"] = {"equivalent": solution.equivalent}
    return out


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
