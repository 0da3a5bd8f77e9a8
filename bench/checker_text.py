"""How long reading a stored verdict back into the page's language takes, by length.

    .venv/bin/python bench/checker_text.py [--lengths 50,150,300,500] [--items 1,4,12]

Every checker sentence (``tutor.checker.wording.ALL``) is filled with math of about the
given length, alone and as a list of several details joined by "; " (how a tutor step's
checked claims are stored), and translated to Spanish with ``translate_detail``, its caches
emptied before each call. One table: per length and list size, the median, the 99th
percentile and the slowest call, in milliseconds, and how many came back as stored (a
reading past ``wording.MATCH_BUDGET_S`` shows the English). A Spanish page of 100 checked lines pays
about 100 times the median; English pages skip the reading entirely.
"""

from __future__ import annotations

import argparse
import os
import statistics
import string
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tutor.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.utils import translation  # noqa: E402

from tutor.checker import wording  # noqa: E402
from tutor.checker_text import MAX_DETAIL_CHARS, translate_detail  # noqa: E402


def _math(length: int) -> str:
    """An expression of about ``length`` characters, with the brackets and signs of real work."""
    pieces = ["3(x + 1)", "2x^2", "((1)/(2))", "y - 4", "sqrt(5)"]
    out, i = "", 0
    while len(out) < length:
        out += (" + " if out else "") + pieces[i % len(pieces)]
        i += 1
    return out


def _details(length: int, items: int) -> list[str]:
    names = string.Formatter()
    found = []
    for w in wording.ALL:
        if w is wording.LIST:
            continue
        fields = {n for _, n, _, _ in names.parse(w.template) if n}
        share = max(4, length // max(1, len(fields)) // items)
        one = w.template.format(**{n: _math(share) for n in fields})
        detail = "; ".join([one] * items)
        if len(detail) <= MAX_DETAIL_CHARS:
            found.append(detail)
    return found


def _clear() -> None:
    for cached in (wording._best, wording._best_single):
        cached.cache_clear()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lengths", default="50,150,300,500")
    parser.add_argument("--items", default="1,4,12")
    args = parser.parse_args()
    print(
        f"{'length':>6} {'items':>5} {'details':>7} {'median ms':>9} {'p99 ms':>7}"
        f" {'max ms':>7} {'as stored':>9}"
    )
    with translation.override("es"):
        for length in (int(n) for n in args.lengths.split(",")):
            for items in (int(n) for n in args.items.split(",")):
                times, stored = [], 0
                for detail in _details(length, items):
                    _clear()
                    start = time.perf_counter()
                    shown = translate_detail(detail)
                    times.append((time.perf_counter() - start) * 1000)
                    stored += shown == detail
                if not times:
                    continue
                times.sort()
                p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
                print(
                    f"{length:>6} {items:>5} {len(times):>7} {statistics.median(times):>9.2f}"
                    f" {p99:>7.2f} {times[-1]:>7.2f} {stored:>9}"
                )


if __name__ == "__main__":
    main()
