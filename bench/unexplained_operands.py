"""An experiment that did not ship: flag the first number a computation uses unexplained.

Run: .venv/bin/python bench/unexplained_operands.py

Without an answer key the CAS locates a wrong ProcessBench-GSM8K solution's first error only
when that step's arithmetic fails (F1 25.3). This script scores one more signal on top of the
CAS verdicts: the first step whose pure arithmetic (no unknowns) computes with a number that is
in neither the problem, nor an earlier step, nor a result of the same step. It prints
ProcessBench's F1 for each variant, and how many GSM8K gold steps (all correct) each would
flag given their problem. docs/checker.md records the table and why none of it ships.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tutor.checker import check_solution  # noqa: E402
from tutor.checker.evaluate import data_dir  # noqa: E402
from tutor.checker.extract import claims_in  # noqa: E402
from tutor.checker.reference import grounded_values, is_grounded, numbers_in  # noqa: E402

# Unit facts a correct solution may bring in, when a word of the problem or step calls for them.
UNIT_FACTS: list[tuple[str, tuple[float, ...]]] = [
    (r"week", (7, 52, 4)),
    (r"hour|minute|min\b|second", (60, 3600, 24)),
    (r"day|daily", (24, 7, 365, 30)),
    (r"month", (12, 30, 4)),
    (r"year|annual", (12, 52, 365)),
    (r"dozen", (12,)),
    (r"inch|foot|feet", (12, 3, 36)),
    (r"yard", (3, 36)),
    (r"mile", (5280,)),
    (r"ounce|pound|\blb", (16,)),
    (r"kilo|gram|meter|liter|litre|milli|thousand|km|kg", (1000,)),
    (r"cent|dime|nickel|quarter|penn", (100, 25, 10, 5, 1)),
    (r"quarter", (4,)),
    (r"decade", (10,)),
    (r"percent|%", (100,)),
    (r"pair|twin|double|twice|half|round trip|both", (2,)),
    (r"triple|thrice|triplet|third", (3,)),
    (r"gallon|quart|pint|cup", (4, 2, 8, 16)),
]
ALWAYS = {0.0, 1.0, 2.0, 100.0}
_UNKNOWN = re.compile(r"[A-Za-wyz]")  # a letter other than x (read as "times") is an unknown


def unit_facts(text: str) -> set[float]:
    lowered = text.lower()
    return {float(v) for pattern, vals in UNIT_FACTS if re.search(pattern, lowered) for v in vals}


def derived(values: Iterable[float]) -> set[float]:
    """Factors a correct solution writes without stating them: 1.2 for 20% more, 1/3, 4 - 1."""
    out: set[float] = set()
    for v in values:
        if 0 < v <= 1:
            out |= {1 + v, 1 - v}
        if 1 < v <= 100 and float(v).is_integer():
            out |= {1 + v / 100, 1 - v / 100, 1 / v, v + 1, v - 1, 1 - 1 / v}
    return out


def first_unexplained(steps: list[str], problem: str, variant: str) -> int:
    values = grounded_values(problem, "")
    if variant != "any":
        values |= ALWAYS | unit_facts(problem)
    for index, step in enumerate(steps):
        claims = claims_in(step)
        local = unit_facts(step) if variant != "any" else set()
        for claim in claims:
            for side in claim.text.split("=")[1:]:
                local |= {float(n.replace(",", "")) for n in numbers_in(side)}
        for claim in claims:
            if variant != "any" and _UNKNOWN.search(claim.text):
                continue
            sides = claim.text.split("=")
            allowed = values | local
            if variant == "new result":
                result = numbers_in(sides[-1])
                if result and is_grounded(result[-1], values):
                    continue  # solving for an operand, not building a new quantity
                allowed |= derived(values)
            if any(not is_grounded(n, allowed) for n in numbers_in(sides[0])):
                return index
        values |= {float(n.replace(",", "")) for n in numbers_in(step)}
    return -1


def _rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _parallel(fn: Callable[[dict[str, Any]], int], rows: list[dict[str, Any]]) -> list[int]:
    with ThreadPoolExecutor(max_workers=2) as ex:
        return list(ex.map(fn, rows))


def main() -> int:
    folder = data_dir(None)
    bench = _rows(folder / "processbench_gsm8k.jsonl")
    gold = _rows(folder / "gsm8k_test.jsonl")
    cas = _parallel(
        lambda r: check_solution(r["steps"], problem=r["problem"], source="model").first_error,
        bench,
    )
    gold_steps = [
        (r["question"], [s for s in r["answer"].split("\n") if not s.startswith("#### ")])
        for r in gold
    ]
    total_gold = sum(len(steps) for _, steps in gold_steps)
    print(f"{'variant':<44}{'F1':>6}{'err':>7}{'correct':>9}{'gold flagged':>14}")
    for variant in ("CAS alone", "any", "unit facts", "new result"):
        predicted = []
        for row, first in zip(bench, cas, strict=True):
            extra = (
                -1
                if variant == "CAS alone"
                else first_unexplained(row["steps"], row["problem"], variant)
            )
            predicted.append(min((i for i in (first, extra) if i != -1), default=-1))
        err = [p == r["label"] for p, r in zip(predicted, bench, strict=True) if r["label"] != -1]
        cor = [p == -1 for p, r in zip(predicted, bench, strict=True) if r["label"] == -1]
        e, c = 100 * sum(err) / len(err), 100 * sum(cor) / len(cor)
        f1 = 2 * e * c / max(1e-9, e + c)
        if variant == "CAS alone":
            share = "see evaluate"
        else:
            flagged = sum(first_unexplained(s, q, variant) != -1 for q, s in gold_steps)
            share = f"{flagged} ({100 * flagged / total_gold:.2f}%)"
        print(f"{variant:<44}{f1:>6.1f}{e:>7.1f}{c:>9.1f}{share:>14}")
    print(f"gold flagged: correct GSM8K gold steps the signal would call wrong, of {total_gold}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
