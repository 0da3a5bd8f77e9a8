"""The optional math keypad (MathLive) in Chromium, under the page's real CSP.

What a student enters with the keypad becomes the plain text the checker reads, and gets the
verdict that typing it gets. MathLive loads only when asked for; the plain text boxes stay
labelled, focusable and the accessible path; axe passes with the keypad and its on-screen
keyboard open. The page weight with and without the editor goes to test-artifacts/.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import axe
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS, PageErrors, shot
from tests.conftest import ARTIFACTS, Cast, LiveStack, session_cookie
from tutor.checker.answers import read_key
from tutor.models import Problem, User

pytestmark = [pytest.mark.browser, pytest.mark.live]

STATIC = Path(__file__).resolve().parents[2] / "static"

# LaTeX as MathLive writes it -> the plain text put in the box. Each must also be read by the
# checker exactly as the LaTeX itself is (its answer reader understands some LaTeX).
CONVERSIONS = [
    (r"\frac34", "3/4"),  # typing 3/4 in the field gives this, without braces
    (r"\frac{3}{4}", "3/4"),
    (r"\sqrt{2}", "sqrt(2)"),
    (r"\sqrt2", "sqrt(2)"),  # the √ key, then 2
    (r"x=\frac{3}{4}", "x=3/4"),
    (r"2\cdot\pi", "2*pi"),
    (r"3\times4", "3*4"),
    (r"x^{n+1}", "x^(n+1)"),
    (r"\sqrt[3]{8}", "root(8, 3)"),
    (r"\left(x+1\right)^2", "(x+1)^2"),
    (r"\frac{x+1}{2}", "(x+1)/2"),
    (r"\frac{1}{2x}", "1/(2x)"),
    (r"\frac{1}{2}x", "(1/2)x"),  # never 1/2x
    (r"2\frac{3}{4}", "2 3/4"),  # a mixed number
    (r"x\le3", "x<=3"),
    (r"\pi r^2", "pi r^2"),
    (r"\frac{\sqrt{2}}{2}", "sqrt(2)/2"),
    (r"e^{-x}", "e^(-x)"),
    (r"\sin x", "sin x"),
]


Opener = Callable[..., tuple[Any, PageErrors]]


@pytest.fixture
def open_page(browser: Any, live: LiveStack) -> Iterator[Opener]:
    """Opens a page logged in as a user, with axe; every context is closed before the live
    stack's database is flushed (an open page keeps talking to daphne meanwhile)."""
    contexts: list[Any] = []

    def opener(user: User, viewport: dict[str, int] = DESKTOP) -> tuple[Any, PageErrors]:
        context = browser.new_context(viewport=viewport, base_url=live.url)
        contexts.append(context)
        context.add_cookies([{"name": "sessionid", "value": session_cookie(user), "url": live.url}])
        context.set_default_timeout(20_000)
        axe.install(context)
        page = context.new_page()
        errors = PageErrors()
        errors.watch(page)
        return page, errors

    yield opener
    for context in contexts:
        context.close()


def _problem(cast: Cast, key: str, statement: str) -> Problem:
    position = cast.problem_set.problems.count()
    return Problem.objects.create(
        problem_set=cast.problem_set, position=position, statement=statement, answer_key=key
    )


def _open_keypad(page: Any) -> None:
    page.get_by_role("button", name="Math keypad").click()
    page.locator("#work-keypad math-field").wait_for()
    page.wait_for_function("() => window.mathVirtualKeyboard && window.mathVirtualKeyboard.visible")


def _press_key(page: Any, latex: str) -> None:
    """Press the on-screen keycap that inserts ``latex`` (MathLive labels keycaps so), and wait
    until the focused field has changed.

    MathLive rebuilds the keyboard for a field that has just taken focus, and a press in the
    first few hundred milliseconds can land on the keys being replaced and be lost (8 tries:
    3 lost at once, none after 500 ms). A person never presses that fast after a tap, so a
    lost press is pressed again, once.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    before = page.evaluate("() => document.activeElement.value")
    for _ in range(2):
        found = page.evaluate(
            """(latex) => {
              const cap = [...document.querySelectorAll('.MLK__keycap')]
                .find((k) => k.getAttribute('aria-label') === latex && k.offsetParent !== null);
              return cap ? cap.id : null;
            }""",
            latex,
        )
        assert found, f"no keycap for {latex}"
        page.locator(f"#{found}").click()
        try:
            page.wait_for_function(
                "(before) => document.activeElement.value !== before", arg=before, timeout=1500
            )
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"the {latex} key changed nothing")


def _answer_verdict(page: Any) -> str:
    page.get_by_role("button", name="Check answer").click()
    return str(page.locator("#answer-result").inner_text()).strip()


def test_it_writes_the_plain_text_the_checker_reads(browser: Any) -> None:
    """Each keypad LaTeX becomes plain text that the checker reads as it reads the LaTeX."""
    page = browser.new_page()
    page.set_content("<!doctype html><title>t</title>")
    page.add_script_tag(path=str(STATIC / "js" / "mathinput.js"))
    got = page.evaluate(
        "(cases) => cases.map((tex) => window.Stepwise.latexToPlain(tex))",
        [tex for tex, _ in CONVERSIONS],
    )
    page.close()
    assert got == [plain for _, plain in CONVERSIONS]
    for tex, plain in CONVERSIONS:
        assert read_key(plain).reading == read_key(tex).reading, (tex, plain)


def test_mathlive_loads_only_when_the_keypad_is_asked_for(
    open_page: Opener, live: LiveStack, cast: Cast
) -> None:
    """Without the keypad no MathLive byte is fetched; pressing it loads it, once."""
    page, errors = open_page(cast.alice)
    finished: list[Any] = []
    page.on("requestfinished", lambda r: finished.append(r))

    def fetched_now() -> list[tuple[str, int]]:
        # Bytes of the response body as sent (before any decoding), per request.
        return [(r.url, int(r.sizes()["responseBodySize"])) for r in finished]

    page.goto(f"/problems/{cast.problem.pk}/")
    page.wait_for_load_state("networkidle")
    fetched = fetched_now()
    assert not [u for u, _ in fetched if "mathlive" in u]
    assert page.evaluate("typeof window.MathfieldElement") == "undefined"
    without = list(fetched)

    _open_keypad(page)
    page.wait_for_load_state("networkidle")
    added = fetched_now()[len(without) :]
    assert [u for u, _ in added if "mathlive" in u] == [
        live.url + "/static/vendor/mathlive/mathlive.min.js"
    ]
    page.get_by_role("button", name="Math keypad").click()  # off, then on again: no new fetch
    page.get_by_role("button", name="Math keypad").click()
    page.wait_for_load_state("networkidle")
    assert len([u for u, _ in fetched_now() if "mathlive" in u]) == 1
    assert errors.messages == []

    weight = {"without_keypad": _weight(live, without), "keypad_adds": _weight(live, added)}
    (ARTIFACTS / "page-weight-problem.json").write_text(json.dumps(weight, indent=2))


def _weight(live: LiveStack, fetched: list[tuple[str, int]]) -> dict[str, object]:
    """Bytes as sent (daphne and WhiteNoise send static files uncompressed here), and what
    gzip -9 makes of the static files, as a compressing proxy would send them."""
    files = {u.removeprefix(live.url): n for u, n in fetched}
    static = [path for path in files if path.startswith("/static/")]
    return {
        "requests": len(fetched),
        "bytes": sum(files.values()),
        "static_gzip_bytes": sum(
            len(gzip.compress((STATIC / p.removeprefix("/static/")).read_bytes(), 9))
            for p in static
        ),
        "files": files,
    }


def test_keypad_answers_get_the_verdict_typed_answers_get(open_page: Opener, cast: Cast) -> None:
    """Bob enters \\frac{3}{4} and √2 on the keypad; Alice types 3/4 and sqrt(2). Same verdicts."""
    fraction = _problem(cast, "3/4", "Write $0.75$ as a fraction.")
    root = _problem(cast, "sqrt(2)", "What is the side of a square of area $2$?")

    typed, typed_errors = open_page(cast.alice)
    keypad, keypad_errors = open_page(cast.bob)
    verdicts: dict[str, list[str]] = {"typed": [], "keypad": []}

    typed.goto(f"/problems/{fraction.pk}/")
    typed.get_by_label("Your final answer").fill("3/4")
    typed.locator("#answer-read-as code").wait_for()
    assert typed.locator("#answer-read-as").inner_text() == "read as 3/4"
    verdicts["typed"].append(_answer_verdict(typed))
    typed.goto(f"/problems/{root.pk}/")
    typed.get_by_label("Your final answer").fill("sqrt(2)")
    verdicts["typed"].append(_answer_verdict(typed))

    keypad.goto(f"/problems/{fraction.pk}/")
    _open_keypad(keypad)
    keypad.locator("#answer-keypad math-field").focus()
    keypad.keyboard.type("3/4")  # MathLive makes the fraction \frac34 as it is typed
    assert keypad.get_by_label("Your final answer").input_value() == "3/4"
    keypad.locator("#answer-read-as code").nth(2).wait_for()
    # The echo shows both: what was entered with the keypad and the text it became.
    assert keypad.locator("#answer-read-as").inner_text() == (
        "From the keypad \\frac34, as text 3/4: read as 3/4"
    )
    shot(keypad, "keypad-answer-fraction")
    verdicts["keypad"].append(_answer_verdict(keypad))

    keypad.goto(f"/problems/{root.pk}/")
    _open_keypad(keypad)
    keypad.locator("#answer-keypad math-field").focus()
    _press_key(keypad, "\\sqrt{#0}")  # the √ key of the on-screen keyboard
    keypad.keyboard.type("2")
    # MathLive writes a one-character root without braces, as it writes \\frac34.
    assert keypad.locator("#answer-keypad math-field").evaluate("f => f.value") == "\\sqrt2"
    assert keypad.get_by_label("Your final answer").input_value() == "sqrt(2)"
    keypad.locator("#answer-read-as code").nth(2).wait_for()
    shot(keypad, "keypad-answer-root")
    verdicts["keypad"].append(_answer_verdict(keypad))

    # Plain typing needed no editor: Alice's page never loaded MathLive.
    assert typed.evaluate("typeof window.MathfieldElement") == "undefined"
    assert verdicts["keypad"] == verdicts["typed"]
    assert verdicts["typed"] == [
        "Correct: 3/4 matches the answer.",
        "Correct: sqrt(2) matches the answer.",
    ]
    assert typed_errors.messages == [] and keypad_errors.messages == []


def _line_verdicts(page: Any, count: int) -> list[str]:
    page.locator("#step-results .step").nth(count - 1).wait_for()
    page.wait_for_function(
        "() => !document.querySelector('#step-results .verdict-unchecked')"
        " && !document.getElementById('work').hasAttribute('aria-busy')"
    )
    found = page.locator("#step-results .step").evaluate_all(
        "els => els.map((e) => [...e.classList].find((c) => c.startsWith('verdict-')))"
    )
    return [str(v) for v in found]


def test_keypad_work_lines_get_the_verdict_typed_lines_get(open_page: Opener, cast: Cast) -> None:
    """Lines added with the keypad are checked like typed ones, and show both forms."""
    problem = _problem(cast, "x = 3/4", "Solve $4x = 3$.")
    typed, _ = open_page(cast.alice)
    typed.goto(f"/problems/{problem.pk}/")
    typed.get_by_label("One step per line").fill("4x = 3\nx = 3/4\nx^2 = 9/16\nx = sqrt(2)")
    typed.get_by_label("One step per line").blur()
    typed_verdicts = _line_verdicts(typed, 4)

    keypad, errors = open_page(cast.bob)
    keypad.goto(f"/problems/{problem.pk}/")
    keypad.get_by_label("One step per line").fill("4x = 3")
    _open_keypad(keypad)
    field = keypad.locator("#work-keypad math-field")
    field.focus()
    keypad.keyboard.type("x=3/4")
    assert keypad.locator("#work-keypad-echo").inner_text() == "Becomes the line x=3/4"
    keypad.keyboard.press("Enter")  # adds the line, as the "Add line" button does
    field.focus()
    keypad.keyboard.type("x^2")
    keypad.keyboard.press("ArrowRight")  # out of the exponent
    keypad.keyboard.type("=9/16")
    keypad.get_by_role("button", name="Add line").click()
    field.focus()
    keypad.keyboard.type("x=")
    _press_key(keypad, "\\sqrt{#0}")
    keypad.keyboard.type("2")
    keypad.get_by_role("button", name="Add line").click()
    area = keypad.get_by_label("One step per line")
    assert area.input_value() == "4x = 3\nx=3/4\nx^2=9/16\nx=sqrt(2)"
    assert _line_verdicts(keypad, 4) == typed_verdicts
    assert typed_verdicts[1] == "verdict-ok" and typed_verdicts[3] == "verdict-wrong"
    # The echo of a keypad line shows the LaTeX it was entered as, beside how it was read.
    second = keypad.locator("#step-results .step").nth(1)
    assert "from the keypad x=\\frac34" in second.inner_text()
    assert "read as x = 3/4" in second.inner_text()
    shot(keypad, "keypad-work-lines")
    assert errors.messages == []


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_axe_passes_with_the_keypad_open_and_the_text_boxes_stay_the_way_in(
    open_page: Opener, cast: Cast, viewport: str
) -> None:
    """With the keypad and its keyboard open: no serious axe finding; the text boxes keep their
    labels and take focus; each visual editor is named as an optional visual aid."""
    page, errors = open_page(cast.alice, DESKTOP if viewport == "desktop" else PHONE)
    page.goto(f"/problems/{cast.problem.pk}/")
    toggle = page.get_by_role("button", name="Math keypad", pressed=False)
    toggle.wait_for()
    _open_keypad(page)
    page.get_by_role("button", name="Math keypad", pressed=True).wait_for()
    page.locator("#answer-keypad math-field").focus()
    page.keyboard.type("3/4")
    page.locator("#answer-read-as code").nth(2).wait_for()
    shot(page, f"keypad-open-{viewport}")
    # As the student sees it: the window, with the keyboard along its bottom edge.
    page.screenshot(path=str(SCREENSHOTS / f"keypad-open-{viewport}-window.png"))

    found = axe.violations(page, f"{viewport}-problem-keypad-open")
    assert axe.blocking(found) == []
    # The on-screen keys (pointer and touch only; labelled in raw LaTeX) are not in the tree.
    assert page.locator(".ML__keyboard").get_attribute("aria-hidden") == "true"

    # The accessible path: both text boxes are in the tree under their labels, and focusable.
    for label, element_id in (
        ("One step per line. Each line is checked as you go.", "work-lines"),
        ("Your final answer", "final-answer"),
    ):
        box = page.get_by_role("textbox", name=label, exact=True)
        assert box.count() == 1
        box.focus()
        assert page.evaluate("() => document.activeElement.id") == element_id
    assert page.get_by_label("Your final answer").input_value() == "3/4"
    # The visual editors are marked as an optional visual aid, in a group that says so.
    for name in ("New line, visual editor", "Final answer, visual editor"):
        group = page.get_by_role("group", name=f"{name} (optional visual aid)")
        assert group.count() == 1
        field = group.get_by_role("textbox")
        assert field.count() == 1
        assert "optional visual aid" in str(field.get_attribute("aria-label"))
    snapshot = page.locator("#work").aria_snapshot()
    (ARTIFACTS / f"keypad-aria-{viewport}.yml").write_text(snapshot)
    assert errors.messages == []
