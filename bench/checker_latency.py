"""Per-step latency of the step-checker: median and p99, in-process and through the pool.

Run: .venv/bin/python bench/checker_latency.py [--limit N]
Checkable steps are the GSM8K gold steps that get an ok or wrong verdict, plus a few student
algebra lines, every line of the typed student work in tests/checker/data, and the checkable
steps of 150 OlympiadBench and 150 Omni-MATH solutions from ProcessBench. The pool
figure includes the IPC round trip to a warm worker.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tutor.checker import check_steps  # noqa: E402
from tutor.checker.evaluate import data_dir  # noqa: E402
from tutor.checker.steps import Context, judge_one  # noqa: E402

STUDENT = [
    ["2(x+3)", "2x+6"],
    ["2x+3=7", "2x=4", "x=2"],
    ["x^2-5x+6=0", "(x-2)(x-3)=0", "x=2 or x=3"],
    ["-2x<4", "x>-2"],
    ["(x+1)^2", "x^2+1"],
]


def _steps(limit: int) -> list[tuple[str, str]]:
    path = data_dir(None) / "gsm8k_test.jsonl"
    out: list[tuple[str, str]] = []
    with path.open() as fh:
        for line in fh:
            row = json.loads(line)
            for step in row["answer"].split("\n"):
                if not step.startswith("#### "):
                    out.append(("model", step))
            if len(out) >= limit:
                break
    return out


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=1500)
    args = parser.parse_args()
    rows = [r for r in _steps(args.limit)]
    in_process: list[float] = []
    checkable: list[tuple[str, str]] = []
    for source, step in rows:
        started = time.perf_counter()
        result = judge_one(step, 0, source, Context())
        elapsed = time.perf_counter() - started
        if result.verdict in ("ok", "wrong"):
            in_process.append(elapsed * 1000)
            checkable.append((source, step))
    student: list[float] = []
    for steps in STUDENT * 5:
        ctx = Context()
        for i, step in enumerate(steps):
            started = time.perf_counter()
            judge_one(step, i, "student", ctx)
            student.append((time.perf_counter() - started) * 1000)
    # Typed student work, every line in its derivation's context (tests/checker/data).
    work: list[float] = []
    with (ROOT / "tests" / "checker" / "data" / "correct_student_work.jsonl").open() as fh:
        for line in fh:
            ctx = Context()
            for i, step in enumerate(json.loads(line)["steps"]):
                started = time.perf_counter()
                judge_one(step, i, "student", ctx)
                work.append((time.perf_counter() - started) * 1000)
    # Olympiad-level prose, each step in its solution's context; the checkable ones.
    olympiad: list[float] = []
    for name in ("processbench_olympiadbench.jsonl", "processbench_omnimath.jsonl"):
        with (data_dir(None) / name).open() as fh:
            for line in list(fh)[:150]:
                ctx = Context()
                for i, step in enumerate(json.loads(line)["steps"]):
                    started = time.perf_counter()
                    result = judge_one(step, i, "model", ctx)
                    if result.verdict in ("ok", "wrong"):
                        olympiad.append((time.perf_counter() - started) * 1000)
    check_steps(["1+1=2"], source="model")  # start and warm the pool
    pooled: list[float] = []
    for _source, step in checkable[:400]:
        started = time.perf_counter()
        check_steps([step], source="model")
        pooled.append((time.perf_counter() - started) * 1000)
    print(f"{'path':<36}{'steps':>8}{'median ms':>12}{'p99 ms':>10}")
    for name, values in (
        ("in-process, GSM8K checkable steps", in_process),
        ("in-process, student algebra lines", student),
        ("in-process, typed student work", work),
        ("in-process, olympiad prose checkable", olympiad),
        ("pool (warm), GSM8K checkable steps", pooled),
    ):
        print(
            f"{name:<36}{len(values):>8}"
            f"{statistics.median(values):>12.2f}{_pct(values, 0.99):>10.2f}"
        )
    ratio = statistics.median(pooled) / max(1e-9, statistics.median(in_process))
    print(f"{'pool / in-process median ratio':<36}{'':>8}{ratio:>12.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
