"""``python -m tutor.checker.evaluate``: the checker's numbers on the development set.

Reads ``../shared/eval/`` relative to the repository root (``--data DIR`` or
``STEPWISE_EVAL_DIR`` override it); the data is never copied into the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from tutor.checker.api import check_answer, check_solution, check_steps, settings

T = TypeVar("T")
R = TypeVar("R")
REPO = Path(__file__).resolve().parents[2]


def data_dir(override: str | None) -> Path:
    chosen = override or os.environ.get("STEPWISE_EVAL_DIR")
    return Path(chosen) if chosen else REPO.parent / "shared" / "eval"


def _rows(path: Path, limit: int | None) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return rows[:limit] if limit else rows


def _parallel(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    # Threads only wait on the worker processes; the pool bounds the real work.
    with ThreadPoolExecutor(max_workers=settings().workers) as ex:
        return list(ex.map(fn, items))


# What the checker is given besides the steps: ProcessBench itself gives the problem only; the
# key and the reference solution come from the GSM8K test set, matched on the problem text, as a
# teacher's imported problem carries them.
SETTINGS = ("problem", "problem + key", "problem + key + reference")


def _gsm8k_by_question(path: Path) -> dict[str, dict[str, Any]]:
    return {" ".join(row["question"].split()): row for row in _rows(path, None)}


def processbench(path: Path, gsm8k: Path, limit: int | None) -> dict[str, dict[str, float]]:
    rows = _rows(path, limit)
    library = _gsm8k_by_question(gsm8k)
    scores = {}
    for setting in SETTINGS:

        def predict(row: dict[str, Any], setting: str = setting) -> int:
            gold = library.get(" ".join(row["problem"].split()))
            key = reference = ""
            if gold and setting != "problem":
                reference_text, _, key = gold["answer"].rpartition("####")
                reference = reference_text if setting.endswith("reference") else ""
            solution = check_solution(
                row["steps"],
                problem=row["problem"],
                answer_key=key.strip(),
                reference=reference,
                source="model",
            )
            return solution.first_error

        scores[setting] = _score(rows, _parallel(predict, rows))
    return scores


# Olympiad-level ProcessBench sets: no key exists for them, so only the problem is given.
ABOVE_SCHOOL = (
    ("ProcessBench-OlympiadBench", "processbench_olympiadbench.jsonl"),
    ("ProcessBench-Omni-MATH", "processbench_omnimath.jsonl"),
)


def processbench_problem_only(path: Path, limit: int | None) -> dict[str, float]:
    """A ProcessBench set judged as ProcessBench gives it: the steps and the problem."""
    rows = _rows(path, limit)

    def predict(row: dict[str, Any]) -> int:
        return check_solution(row["steps"], problem=row["problem"], source="model").first_error

    return _score(rows, _parallel(predict, rows))


def _score(rows: list[dict[str, Any]], predictions: list[int]) -> dict[str, float]:
    pairs = list(zip(predictions, rows, strict=True))
    err = [p == r["label"] for p, r in pairs if r["label"] != -1]
    cor = [p == -1 for p, r in pairs if r["label"] == -1]
    error_acc = 100 * sum(err) / max(1, len(err))
    correct_acc = 100 * sum(cor) / max(1, len(cor))
    f1 = 2 * error_acc * correct_acc / max(1e-9, error_acc + correct_acc)
    return {
        "error_acc": error_acc,
        "correct_acc": correct_acc,
        "f1": f1,
        "rows": len(rows),
        "correct": len(cor),
        "false_alarms": len(cor) - sum(cor),
    }


def gold_steps(path: Path, limit: int | None) -> list[str]:
    steps = []
    for row in _rows(path, limit):
        for line in row["answer"].split("\n"):
            if not line.startswith("#### "):
                steps.append(line)
    return steps


def false_alarms(path: Path, limit: int | None, *, with_key: bool) -> dict[str, float]:
    """``wrong`` verdicts on the gold steps, judged alone or with the problem and its key."""
    rows = _rows(path, limit)

    def judge(row: dict[str, Any]) -> list[str]:
        lines = [s for s in row["answer"].split("\n") if not s.startswith("#### ")]
        key = row["answer"].rpartition("#### ")[2]
        if not with_key:
            return [r.verdict for r in check_steps(lines, source="model")]
        solution = check_solution(lines, problem=row["question"], answer_key=key.strip())
        return [r.verdict for r in solution.steps]

    verdicts = [v for vs in _parallel(judge, rows) for v in vs]
    wrong = verdicts.count("wrong")
    checked = sum(v in ("ok", "wrong") for v in verdicts)
    return {
        "steps": len(verdicts),
        "wrong": wrong,
        "rate": 100 * wrong / max(1, len(verdicts)),
        "checked": checked,
    }


def stack(path: Path, limit: int | None) -> dict[str, float]:
    """AlgEquiv rows. Expected 1/0 are gold; -1 (invalid input) should stay undecided; -3
    marks STACK's own known failures, left out of agreement (decisions there are not scored)."""
    rows = [r for r in _rows(path, None) if r["test"] == "AlgEquiv"]
    rows = rows[:limit] if limit else rows

    def judge(row: dict[str, Any]) -> bool | None:
        return check_answer(row["student_answer"], row["teacher_answer"], strict=True).equivalent

    results = _parallel(judge, rows)
    decided = agree = wrongly = 0
    for row, got in zip(rows, results, strict=True):
        expected = row["expected"]
        if got is None or expected == -3:
            continue
        decided += 1
        if expected in (0, 1) and got == bool(expected):
            agree += 1
        else:
            wrongly += 1
    return {
        "rows": len(rows),
        "decided": decided,
        "agreement": 100 * agree / max(1, decided),
        "decided_wrongly": 100 * wrongly / max(1, len(rows)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tutor.checker.evaluate", description=__doc__)
    parser.add_argument("--data", help="folder with the eval files (default ../shared/eval)")
    parser.add_argument("--limit", type=int, help="only the first N rows of each file")
    parser.add_argument("--only", choices=["processbench", "olympiad", "gsm8k", "stack"])
    args = parser.parse_args(argv)
    folder = data_dir(args.data)
    started = time.monotonic()
    print(f"data: {folder}")
    print(f"{'measure':<44}{'value':>12}")
    if args.only in (None, "processbench"):
        scores = processbench(
            folder / "processbench_gsm8k.jsonl", folder / "gsm8k_test.jsonl", args.limit
        )
        for setting, pb in scores.items():
            print(f"ProcessBench-GSM8K, given the {setting}")
            print(f"{'  error accuracy':<44}{pb['error_acc']:>12.1f}")
            print(f"{'  correct accuracy':<44}{pb['correct_acc']:>12.1f}")
            print(f"{'  F1':<44}{pb['f1']:>12.1f}")
    if args.only in (None, "olympiad"):
        for name, file in ABOVE_SCHOOL:
            pb = processbench_problem_only(folder / file, args.limit)
            alarms = f"{pb['false_alarms']:.0f} of {pb['correct']:.0f}"
            print(f"{name}, given the problem")
            print(f"{'  error accuracy':<44}{pb['error_acc']:>12.1f}")
            print(f"{'  correct accuracy':<44}{pb['correct_acc']:>12.1f}")
            print(f"{'  F1':<44}{pb['f1']:>12.1f}")
            print(f"{'  correct solutions with a false alarm':<44}{alarms:>12}")
    if args.only in (None, "gsm8k"):
        fa = false_alarms(folder / "gsm8k_test.jsonl", args.limit, with_key=False)
        print(f"{'GSM8K gold steps':<44}{fa['steps']:>12.0f}")
        print(f"{'GSM8K gold steps checked (ok or wrong)':<44}{fa['checked']:>12.0f}")
        print(f"{'GSM8K false alarms (wrong)':<44}{fa['wrong']:>12.0f}")
        print(f"{'GSM8K false-alarm rate %':<44}{fa['rate']:>12.2f}")
        fk = false_alarms(folder / "gsm8k_test.jsonl", args.limit, with_key=True)
        print(f"{'GSM8K false alarms, given problem + key':<44}{fk['wrong']:>12.0f}")
        print(f"{'GSM8K false-alarm rate %, given problem + key':<44}{fk['rate']:>12.2f}")
    if args.only in (None, "stack"):
        st = stack(folder / "stack_answertests.jsonl", args.limit)
        print(f"{'STACK AlgEquiv rows':<44}{st['rows']:>12.0f}")
        print(f"{'STACK rows decided':<44}{st['decided']:>12.0f}")
        print(f"{'STACK agreement on decided rows %':<44}{st['agreement']:>12.1f}")
        print(f"{'STACK rows decided wrongly (of all) %':<44}{st['decided_wrongly']:>12.2f}")
    print(f"{'seconds':<44}{time.monotonic() - started:>12.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
