"""A new student whose browser speaks Spanish: the whole journey in Spanish, decimal commas
in the work, Spanish verdicts on English-stored checks, the tutor's English note, and a switch
back to English from the footer. In real Chromium against the live stack."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from tests.browser import axe
from tests.browser.conftest import DESKTOP, PHONE, PageErrors, shot
from tests.conftest import Cast, LiveStack
from tutor.checker_text import translate_detail
from tutor.models import Attempt, StepVerdict, Turn, User

pytestmark = [pytest.mark.browser, pytest.mark.live]

CATALOG = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.mo"


def test_a_spanish_student_works_a_problem_in_spanish(
    browser: Any, live: LiveStack, cast: Cast
) -> None:
    if not CATALOG.exists():
        pytest.fail("the Spanish catalog is not compiled (make messages)")
    context = browser.new_context(viewport=DESKTOP, base_url=live.url, locale="es-ES")
    context.set_default_timeout(20_000)
    axe.install(context)
    page = context.new_page()
    errors = PageErrors()
    errors.watch(page)

    page.goto("/signup/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_label("Nombre de usuario").fill("lucia")
    page.get_by_label("Nombre", exact=True).fill("Lucía")
    page.get_by_label("Contraseña").fill("una-clave-bastante-larga-42")
    page.get_by_label("Código de la clase").fill(cast.classroom.join_code)
    shot(page, "es-1-signup")
    page.get_by_role("button", name="Crear mi cuenta").click()
    page.get_by_role("heading", name="Tus tareas").wait_for()
    shot(page, "es-2-dashboard")

    page.get_by_role("link", name="Algebra basics").click()  # the teacher's title, as written
    page.get_by_role("link", name=re.compile("Problema 1")).click()
    page.locator(".statement .katex").first.wait_for()
    area = page.get_by_label(re.compile("Un paso por línea"))
    area.fill("x = 0,5 + 0,25\nx = 0,75\nx = 0,9")
    area.press("End")
    area.press("Enter")
    wrong = page.locator("#step-results .step.verdict-wrong")
    wrong.wait_for()
    lucia = User.objects.get(username="lucia")
    attempt = Attempt.objects.get(student=lucia, problem=cast.problem)
    assert attempt.steps == ["x = 0,5 + 0,25", "x = 0,75", "x = 0,9"]  # saved as typed
    saved = StepVerdict.objects.get(attempt=attempt, index=2)
    assert saved.verdict == "wrong"
    assert StepVerdict.objects.get(attempt=attempt, index=1).verdict == "ok"
    with translation.override("es"):
        spanish = translate_detail(saved.detail)
    assert spanish != saved.detail, "the wrong step's reason has no Spanish wording"
    shown = wrong.locator(".detail").inner_text()
    assert spanish in shown and saved.detail not in shown
    shot(page, "es-3-steps-checked")

    page.get_by_label("Tu respuesta final").fill("x = 5")
    page.get_by_role("button", name="Comprobar la respuesta").click()
    page.get_by_text("Correcto: x = 5 coincide con la respuesta.").wait_for()

    assert page.get_by_text("El tutor explica en inglés").is_visible()
    failures = axe.blocking(axe.violations(page, "es-problem"))
    assert not failures, failures

    page.get_by_role("button", name="Dame una pista").click()
    page.wait_for_function(
        "() => { const t = document.querySelector('#turns .turn');"
        " return t && ['done', 'failed'].includes(t.dataset.status); }",
        timeout=90_000,
    )
    turn = Turn.objects.get(session__student=lucia)
    assert turn.status == Turn.Status.DONE
    page.locator("#turns .turn .turn-status", has_text="Terminado").wait_for()
    shot(page, "es-4-tutor-answered")

    # Spanish runs longer than English: on a phone nothing may overflow, and axe still passes.
    page.set_viewport_size(PHONE)
    shot(page, "es-5-problem-phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (
        "the Spanish problem page scrolls sideways on a phone"
    )
    failures = axe.blocking(axe.violations(page, "es-problem-phone"))
    assert not failures, failures
    page.set_viewport_size(DESKTOP)

    # Back to English from the footer: saved for the account, kept across pages.
    page.get_by_label("Idioma").select_option("en")
    page.get_by_role("button", name="Cambiar idioma").click()
    page.get_by_label("Your final answer").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    lucia.refresh_from_db()
    assert lucia.language == "en"
    page.goto("/")
    page.get_by_role("heading", name="Your assignments").wait_for()
    shot(page, "es-6-back-to-english")
    assert not errors.messages, errors.messages
    context.close()
