"""The checker's English details in the page's language: templates translated, values kept."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.template import Context, Template
from django.utils import translation

from tests.checker.test_wording import sample_details, sample_values
from tutor import checker_text
from tutor.checker import wording as W
from tutor.checker_text import translate_detail

SPANISH = {
    W.SOLVES_BEFORE_NOT_THIS.template: "{value} resuelve la línea anterior, pero no esta",
    W.WITH_MISCONCEPTION.template: "{detail}. {label}",
    W.SIGN_MOVING_TERM.text: "Un término que pasa al otro lado del = cambia de signo.",
    W.COULD_NOT_READ_LINE.template: "no se pudo leer esta línea ({reason})",
    W.UNKNOWN_WORD.template: "palabra desconocida {word}",
    W.TRY_POINT.template: "Prueba con {point}: {right} vale {right_value}, pero {left} vale "
    "{left_value}",
}


def _spanish(text: str) -> str:
    return SPANISH.get(text, text)


def _upper(text: str) -> str:
    """Upper-cases a template's words, not its placeholders."""
    return re.sub(r"[^{}]+(?=\{|$)|(?<=\})[^{}]+", lambda m: m.group(0).upper(), text)


@pytest.fixture
def fake_spanish(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # A Spanish page (English pages skip the reading), with these tests' own translations.
    monkeypatch.setattr(checker_text, "gettext", _spanish)
    with translation.override("es"):
        yield


@pytest.fixture
def fake_upper(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(checker_text, "gettext", _upper)
    with translation.override("es"):
        yield


@pytest.mark.usefixtures("fake_spanish")
def test_the_template_is_translated_and_the_values_kept() -> None:
    detail = W.SOLVES_BEFORE_NOT_THIS.format(value="x = {3, -4}")
    assert translate_detail(detail) == "x = {3, -4} resuelve la línea anterior, pero no esta"


@pytest.mark.usefixtures("fake_spanish")
def test_a_translation_may_put_the_values_in_another_order() -> None:
    detail = W.TRY_POINT.format(
        point="x = 1", left="(x + 1)^2", left_value="4", right="x^2 + 1", right_value="2"
    )
    assert translate_detail(detail) == "Prueba con x = 1: x^2 + 1 vale 2, pero (x + 1)^2 vale 4"


@pytest.mark.usefixtures("fake_spanish")
def test_nested_details_are_translated() -> None:
    detail = W.WITH_MISCONCEPTION.format(
        detail=W.SOLVES_BEFORE_NOT_THIS.format(value="x = 6"), label=W.SIGN_MOVING_TERM.text
    )
    assert translate_detail(detail) == (
        "x = 6 resuelve la línea anterior, pero no esta. "
        "Un término que pasa al otro lado del = cambia de signo."
    )
    unread = W.COULD_NOT_READ_LINE.format(reason=W.UNKNOWN_WORD.format(word="'apples'"))
    assert translate_detail(unread) == "no se pudo leer esta línea (palabra desconocida 'apples')"


@pytest.mark.usefixtures("fake_spanish")
def test_the_students_words_are_not_translated() -> None:
    # Words that happen to be a template's English stay as the student wrote them.
    detail = W.WORDS_NOT_MATH.format(words=W.SIGN_MOVING_TERM.text)
    assert translate_detail(detail) == detail


@pytest.mark.usefixtures("fake_upper")
def test_every_template_is_translated_through_gettext() -> None:
    for wording in W.ALL:
        values = sample_values(wording)
        shown = translate_detail(wording.format(**values))
        for name, value in values.items():
            if name not in W.NESTED:
                assert value in shown, (wording.template, shown)
        literal = "".join(part for part, _ in wording.parts)
        if any(c.isalpha() for c in literal):
            assert shown != wording.format(**values), wording.template


@pytest.mark.usefixtures("fake_spanish")
@pytest.mark.usefixtures("fake_spanish")
def test_unknown_text_is_returned_unchanged() -> None:
    for text in ("a sentence the checker never wrote", "", "x = 2", "<b>3</b>"):
        assert translate_detail(text) == text


def test_a_broken_translation_falls_back_to_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checker_text, "gettext", lambda text: "{nombre} mal")
    detail = W.SOLVES_BEFORE_NOT_THIS.format(value="x = 1")
    with translation.override("es"):
        assert translate_detail(detail) == detail


def test_english_details_are_unchanged() -> None:
    details = sample_details(every=40)
    details += [w.format(**sample_values(w)) for w in W.ALL]
    with translation.override("en"):
        changed = [d for d in details if translate_detail(d) != d]
    assert not changed, changed[:10]


@pytest.mark.usefixtures("fake_spanish")
def test_the_template_filter_translates_and_escapes() -> None:
    page = Template("{% load checker_text %}{{ detail|checker_text }}|{{ none|checker_text }}")
    detail = W.SOLVES_BEFORE_NOT_THIS.format(value="x < <b>2</b>")
    html = page.render(Context({"detail": detail, "none": None}))
    assert html == ("x &lt; &lt;b&gt;2&lt;/b&gt; resuelve la línea anterior, pero no esta|")


def test_an_english_page_shows_the_stored_detail_without_reading_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(W, "match", lambda *a, **k: pytest.fail("English needs no reading"))
    detail = W.SOLVES_BEFORE_NOT_THIS.format(value="x = 3")
    with translation.override("en"):
        assert translate_detail(detail) == detail


def test_a_reading_past_its_budget_shows_the_english(fake_spanish: None) -> None:
    detail = W.SOLVES_BEFORE_NOT_THIS.format(value="x = 3")
    # Readings are cached: one made earlier would come back whatever the budget.
    W._best.cache_clear()
    W._best_single.cache_clear()
    assert W.match(detail, budget_s=0.0) is None
    assert W.match(detail) is not None
    long = "; ".join([detail] * 40)
    assert len(long) > checker_text.MAX_DETAIL_CHARS
    with translation.override("es"):
        assert translate_detail(detail) != detail
        assert translate_detail(long) == long
