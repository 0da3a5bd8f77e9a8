"""Untrusted text never reaches eval: payloads are refused with no side effect."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.checker import check_answer, check_steps, read_as
from tutor.checker.grammar import parse_statement
from tutor.checker.limits import ParseError

PAYLOADS = [
    '__import__("os").system("touch /tmp/pwned_stepwise")',  # classic import
    "().__class__.__bases__[0].__subclasses__()",  # subclass walk
    "x.__class__.__mro__",  # attribute chain
    "__builtins__",  # dunder name
    "lambda: 1",  # lambda
    "eval('1+1')",  # eval call
    "exec('import os')",  # exec call
    "Symbol('x')",  # sympy constructor
    "open('/etc/passwd').read()",  # file read
    "x_1 + __import__",  # underscore names
    "import os",  # statement
    "getattr(x, 'y')",  # getattr
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_it_rejects_injection_payloads(payload: str) -> None:
    """A payload is a parse error, never executed."""
    with pytest.raises(ParseError):
        parse_statement(payload, strict=True)


def test_payloads_through_every_entry_point_leave_no_trace() -> None:
    """check_steps, check_answer and read_as run no payload (the file is never created)."""
    marker = Path("/tmp/pwned_stepwise")
    marker.unlink(missing_ok=True)
    results = check_steps(PAYLOADS, source="student")
    assert all(r.verdict in ("none", "unknown") for r in results)
    for payload in PAYLOADS[:4]:
        assert check_answer(payload, "1").equivalent is None
        read_as(payload)
    assert not marker.exists()


def test_the_package_never_calls_eval_like_functions() -> None:
    """No sympify, parse_expr, lambdify, eval or exec in the checker's source."""
    root = Path(__file__).resolve().parents[2] / "tutor" / "checker"
    banned = ("sympify(", "parse_expr(", "lambdify(", "eval(", "exec(", 'S("', "S('")
    for path in root.glob("*.py"):
        text = path.read_text()
        for word in banned:
            assert word not in text, f"{word} in {path.name}"


def test_output_is_bounded() -> None:
    """A 5,000-digit result never appears whole in a detail."""
    results = check_steps(["2^16000 = 3"], source="student")
    assert all(len(r.detail) < 600 for r in results)
