"""axe-core in the browser tests: every page is checked against the WCAG 2.x A and AA rules.

axe is vendored under tests/browser/vendor/axe-core/ (test-only; the app never serves it). It
goes in as an init script, which the page's Content-Security-Policy does not apply to, so the
pages are tested under their real policy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import ARTIFACTS

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe has no separate "wcag22a" tag).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}
REPORTS = ARTIFACTS / "axe"

_RUN = """async (tags) => {
  const result = await window.axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations", "incomplete"],
  });
  const summary = (v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({
      target: n.target.join(" "), impact: n.impact, html: n.html.slice(0, 200),
    })),
  });
  return {violations: result.violations.map(summary), incomplete: result.incomplete.map(summary)};
}"""


def install(context: Any) -> None:
    """Load axe into every page the context opens, before the page's own scripts."""
    context.add_init_script(path=str(AXE))


def violations(page: Any, name: str) -> list[dict[str, Any]]:
    """Every violation on the page as it is now. They are saved under test-artifacts, with
    what axe could not decide alone ("incomplete": for a person to look at)."""
    # From the top of the page, once its load-time focus has settled: scrolled, the phone's
    # sticky jump bar lies over whatever passes under it, and target-size would then judge
    # the uncovered part of a target, which varies with where the page happened to scroll.
    # That the bar never hides what has focus is the keyboard test's to check.
    page.wait_for_load_state("load")
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.evaluate("() => window.scrollTo(0, 0)")
    result: dict[str, list[dict[str, Any]]] = page.evaluate(_RUN, TAGS)
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{name}.json").write_text(json.dumps(result, indent=2))
    return result["violations"]


def blocking(found: list[dict[str, Any]]) -> list[str]:
    """The serious and critical ones, one line per failing element."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {n['target']}: {n['html']}"
        for v in found
        for n in v["nodes"]
        if (n.get("impact") or v["impact"]) in BLOCKING
    ]
