"""Congruences between whole numbers: ``2^{10} \\equiv 1 \\pmod{11}``, ``31 \\equiv 5 \\pmod{13}``.

Each side is read by the grammar without evaluating, then reduced modulo n as it is built, so
``7^{2023}`` costs a modular power, never a 1,700-digit integer. A side with a letter is not
judged (it is an equation to solve, not a claim).
"""

from __future__ import annotations

import itertools
import re

import sympy as sp

from tutor.checker import wording as W
from tutor.checker.grammar import parse_statement
from tutor.checker.limits import ParseError
from tutor.checker.relations import Decision

# "a ≡ b ≡ c (mod n)" or "a = b ≡ c mod n"; the modulus is a whole number.
_CONGRUENCE = re.compile(r"^(?P<chain>.*?)\(?\s*\bmod\s+(?P<n>\d{1,12})\s*\)?\s*$")
MAX_MODULUS = 10**12


def judge_congruence(text: str) -> Decision | None:
    """Whether every link of ``a ≡ b (mod n)`` holds; None when it is not one of whole numbers.

    An ``=`` in the chain is read modulo n as well ("4^6 = 6 * 16 ≡ 21 mod 25" reduces as it
    goes): a link is wrong only when it fails even modulo n."""
    m = _CONGRUENCE.match(text.strip())
    if m is None or "\u2261" not in m.group("chain"):
        return None
    n = int(m.group("n"))
    if not 1 < n <= MAX_MODULUS:
        return None
    residues = []
    for side in re.split("[\u2261=]", m.group("chain")):
        try:
            statement = parse_statement(side, evaluate=False)
        except ParseError:
            return None
        if statement.is_relation:
            return None
        residue = _residue(statement.sides[0].expr, n)
        if residue is None:
            return None
        residues.append((side.strip(), residue))
    for (a, ra), (b, rb) in itertools.pairwise(residues):
        if ra != rb:
            return Decision("wrong", W.NOT_CONGRUENT.format(a=a, ra=ra, n=n, b=b, rb=rb))
    return Decision("ok", W.CONGRUENT.format(n=n))


def _residue(expr: sp.Expr, n: int, depth: int = 0) -> int | None:
    """``expr`` modulo ``n`` for sums, products and powers of whole numbers; else None."""
    if depth > 60:
        return None
    if expr.is_Integer:
        return int(expr) % n
    if isinstance(expr, sp.Add | sp.Mul):
        parts = [_residue(a, n, depth + 1) for a in expr.args]
        if any(p is None for p in parts):
            return None
        total = 0 if isinstance(expr, sp.Add) else 1
        for p in parts:
            assert p is not None
            total = (total + p) % n if isinstance(expr, sp.Add) else (total * p) % n
        return total
    if isinstance(expr, sp.Pow) and expr.exp.is_Integer and expr.exp >= 0:
        base = _residue(expr.base, n, depth + 1)
        return None if base is None else pow(base, int(expr.exp), n)
    if isinstance(expr, sp.factorial) and expr.args[0].is_Integer:
        k = int(expr.args[0])
        total = 1
        for i in range(2, min(k, n) + 1):
            total = total * i % n
        return 0 if k >= n else total
    return None
