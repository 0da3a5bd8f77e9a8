"""LaTeX answers against LaTeX keys: the project's reader, and a maintained LaTeX parser.

``.venv/bin/python bench/latex_answers.py`` reads ``tests/checker/data/latex_answers.jsonl``
(pairs built from sympy's LaTeX parser cases, the MATH answer normalisation and public
graders' normalisers) and prints, for each reader, the pairs decided rightly, wrongly and not
at all. The maintained parser (``latex2sympy2_extended``) is measured only when it can be
imported; it runs here in-process on trusted data, never on a user's text.
"""

from __future__ import annotations

import json
import signal
import sys
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tutor.checker import check_answer

DATA = Path(__file__).resolve().parents[1] / "tests" / "checker" / "data" / "latex_answers.jsonl"


def _ours(row: dict[str, Any]) -> bool | None:
    return check_answer(row["answer"], row["key"]).equivalent


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise TimeoutError


def _maintained(row: dict[str, Any]) -> bool | None:
    import sympy as sp
    from latex2sympy2_extended import latex2sympy

    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(2)
    try:
        a, k = latex2sympy(row["answer"]), latex2sympy(row["key"])
        if a == k:
            return True
        if isinstance(a, sp.Expr) and isinstance(k, sp.Expr):
            return bool(sp.simplify(a - k) == 0)
        return False
    except Exception:
        return None
    finally:
        signal.alarm(0)


def _score(rows: list[dict[str, Any]], judge: Any) -> Counter[str]:
    counts: Counter[str] = Counter()
    for row in rows:
        got = judge(row)
        counts[
            "undecided" if got is None else "right" if got == row["equivalent"] else "wrong"
        ] += 1
    return counts


def main() -> int:
    rows = [json.loads(line) for line in DATA.open(encoding="utf-8") if line.strip()]
    readers = [("Stepwise's reader (check_answer)", _ours)]
    try:
        import latex2sympy2_extended  # noqa: F401

        readers.append(("latex2sympy2_extended 1.11 + sympy.simplify", _maintained))

        def both(row: dict[str, Any]) -> bool | None:
            ours = _ours(row)
            return ours if ours is not None else _maintained(row)

        readers.append(("Stepwise's reader, then the parser when undecided", both))
    except ImportError:
        print("(latex2sympy2_extended is not installed: only the project's reader is measured)")
    print(f"{len(rows)} pairs ({sum(r['equivalent'] for r in rows)} equivalent)")
    print(f"{'reader':<52}{'right':>7}{'wrong':>7}{'undecided':>11}")
    for name, judge in readers:
        c = _score(rows, judge)
        print(f"{name:<52}{c['right']:>7}{c['wrong']:>7}{c['undecided']:>11}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
