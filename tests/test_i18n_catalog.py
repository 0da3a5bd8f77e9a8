"""The English and Spanish catalogs are complete and compiled: every string Stepwise marks
for translation is in both, translated, and the committed .mo files are the .po files."""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"
DOMAINS = ("django", "djangojs")
LANGUAGES = ("es", "en")
CATALOGS = [(language, domain) for language in LANGUAGES for domain in DOMAINS]
IGNORE = ["var", "tests", "bench", "docs", "static/vendor", "scripts", "test-artifacts"]


def _need_gettext() -> None:
    if shutil.which("msgfmt") is None:
        if os.environ.get("CI"):
            pytest.fail("GNU gettext (msgfmt) is missing; scripts/test.sh installs it")
        pytest.skip("GNU gettext (msgfmt) is not installed")


def _run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def fresh_catalogs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed catalogs with every string in the code today merged in."""
    _need_gettext()
    copy = tmp_path_factory.mktemp("locale") / "locale"
    shutil.copytree(LOCALE, copy)
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        with override_settings(LOCALE_PATHS=[copy]):
            for domain in DOMAINS:
                call_command(
                    "makemessages",
                    locale=list(LANGUAGES),
                    domain=domain,
                    no_obsolete=True,
                    no_location=True,
                    no_wrap=True,
                    ignore_patterns=IGNORE,
                    verbosity=0,
                )
    finally:
        os.chdir(cwd)
    return copy


@pytest.mark.parametrize(("language", "domain"), CATALOGS)
def test_every_marked_string_is_translated(
    fresh_catalogs: Path, language: str, domain: str
) -> None:
    po = fresh_catalogs / language / "LC_MESSAGES" / f"{domain}.po"
    untranslated = _run("msgattrib", "--untranslated", "--no-wrap", str(po))
    fuzzy = _run("msgattrib", "--only-fuzzy", "--no-wrap", str(po))
    missing = [line for line in untranslated.splitlines() if line.startswith("msgid ")][1:]
    unsure = [line for line in fuzzy.splitlines() if line.startswith("msgid ")][1:]
    assert not missing, f"untranslated in {language}/{domain}.po (make messages): {missing[:20]}"
    assert not unsure, f"fuzzy in {language}/{domain}.po: {unsure[:20]}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_english_catalog_is_the_source_text(domain: str) -> None:
    _need_gettext()
    po = LOCALE / "en" / "LC_MESSAGES" / f"{domain}.po"
    # msgen fills every entry with its msgid: an English msgstr that differs is an edit made
    # in the wrong place (change the source text instead).
    assert _run("msgen", "--no-wrap", str(po)) == po.read_text()


@pytest.mark.parametrize(("language", "domain"), CATALOGS)
def test_the_committed_mo_files_are_the_po_files(
    tmp_path: Path, language: str, domain: str
) -> None:
    _need_gettext()
    folder = LOCALE / language / "LC_MESSAGES"
    compiled = tmp_path / f"{domain}.mo"
    _run("msgfmt", "--check", "-o", str(compiled), str(folder / f"{domain}.po"))
    with compiled.open("rb") as fresh, (folder / f"{domain}.mo").open("rb") as committed:
        want = gettext.GNUTranslations(fresh)._catalog  # type: ignore[attr-defined]
        have = gettext.GNUTranslations(committed)._catalog  # type: ignore[attr-defined]
    assert have == want, f"locale/{language}/LC_MESSAGES/{domain}.mo is stale: make messages"


def test_spanish_is_served_from_the_catalog() -> None:
    with translation.override("es"):
        assert translation.gettext("Log in") != "Log in"
    with translation.override("en"):
        assert translation.gettext("Log in") == "Log in"
