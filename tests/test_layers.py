"""The layers: the checker, the model library and the mastery math run with no Django and no
app code, and the web process never loads the worker."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE = ("inference", "tutor.checker", "tutor.mastery")

# Runs in a fresh interpreter: a finder placed before every other one refuses Django, the
# Channels/Celery stack and the app's own modules, then every module of the pure packages is
# imported. A module that needs a refused one fails to import, and the error names the chain.
IMPORT_EVERYTHING = r"""
import importlib, importlib.abc, json, pkgutil, sys, traceback

PURE = ("inference", "tutor.checker", "tutor.mastery")
REFUSED_TOP = {"django", "channels", "channels_redis", "daphne", "celery", "kombu"}

def refused(name):
    if name.split(".")[0] in REFUSED_TOP:
        return True
    return name.startswith("tutor.") and not any(
        name == p or name.startswith(p + ".") for p in PURE
    )

class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if refused(name):
            raise ImportError(f"refused import of {name}")
        return None

sys.meta_path.insert(0, Refuse())
failures, imported = {}, []
for package in PURE:
    root = importlib.import_module(package)
    names = [package] + [
        info.name for info in pkgutil.walk_packages(root.__path__, package + ".")
    ]
    for name in names:
        if name.rsplit(".", 1)[-1] == "__main__":
            continue  # running it is what importing it does
        try:
            importlib.import_module(name)
            imported.append(name)
        except ImportError as exc:
            failures[name] = "".join(traceback.format_exception_only(exc)).strip()
leaked = sorted(m for m in sys.modules if refused(m))
print(json.dumps({"failures": failures, "imported": imported, "leaked": leaked}))
"""


def test_the_checker_and_the_model_library_import_no_django_or_app_code() -> None:
    """Every module under inference/, tutor/checker/ and tutor/mastery/ imports with Django and
    the app refused."""
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        env={"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1"},  # no DJANGO_SETTINGS_MODULE
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["failures"] == {}
    assert report["leaked"] == []
    # The walk really covered the packages, down to the backends, the judges and the BKT math.
    assert "inference.backends.transformers_backend" in report["imported"]
    assert "tutor.checker.api" in report["imported"]
    assert "tutor.mastery.bkt" in report["imported"]


def _imports_in(path: Path) -> list[str]:
    """Every module a file imports, at the top or inside a function (lazy imports too)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("package", ["inference", "tutor/checker", "tutor/mastery"])
def test_no_lazy_import_inside_a_function_reaches_django_or_the_app(package: str) -> None:
    """Imports that run only when a function is called obey the same rule as the top of a file."""
    bad = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        found = [
            name
            for name in _imports_in(path)
            if name.split(".")[0] in {"django", "channels", "celery"}
            or (
                name.startswith("tutor") and not name.startswith(("tutor.checker", "tutor.mastery"))
            )
        ]
        if found:
            bad[str(path.relative_to(ROOT))] = found
    assert bad == {}


def test_the_web_process_never_loads_the_worker_or_the_model_libraries() -> None:
    """Serving pages and queueing a turn load neither the worker's modules nor torch."""
    code = (
        "import django, os, sys, json; os.environ.setdefault('DJANGO_SETTINGS_MODULE',"
        " 'tutor.settings'); django.setup();"
        "import tutor.asgi, tutor.urls, tutor.services.turns, tutor.consumers;"
        "print(json.dumps(sorted(m for m in sys.modules"
        " if m.startswith('tutor.worker') or m.split('.')[0] in ('torch', 'transformers'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
