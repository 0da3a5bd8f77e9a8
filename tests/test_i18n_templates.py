"""Every word a template shows goes through translation, and pages follow the language.

The scan reads the template sources: what is left once the translation tags, the other
template tags and variables, scripts and styles are taken out must hold no words, in the
text and in the attributes people see or hear (title, aria-label, placeholder, alt). The
rendering tests check the Spanish pages when the compiled catalog is there, and what does
not need it (the html lang, the language form, machine numbers) always.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.conftest import Cast, Login

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"
CATALOG = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.mo"

# Words that are not English and stay as they are in every language.
ALLOWED_WORDS = frozenset({"Stepwise"})
# Attributes a reader sees (a tooltip, a placeholder) or a screen reader speaks.
SPOKEN_ATTRIBUTES = frozenset({"title", "aria-label", "placeholder", "alt"})

_TRANSLATED = re.compile(r"{%\s*(blocktranslate|blocktrans)\b.*?%}.*?{%\s*end\1\s*%}", re.S)
_COMMENT = re.compile(r"{%\s*comment\b.*?%}.*?{%\s*endcomment\s*%}", re.S)
_TAG = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
_WORD = re.compile(r"[^\W\d_]+")


def _without_template_code(source: str) -> str:
    """The template's own markup and text: translated blocks, comments, tags and variables out."""
    source = _COMMENT.sub(" ", source)
    source = _TRANSLATED.sub(" ", source)
    return _TAG.sub(" ", source)


def _words(text: str) -> list[str]:
    """The words in a piece of text; math symbols, numbers and punctuation are not words."""
    return [w for w in _WORD.findall(text) if w not in ALLOWED_WORDS]


class _UntranslatedText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skipping += 1
        for name, value in attrs:
            spoken = name in SPOKEN_ATTRIBUTES or (
                name == "value"
                and tag == "input"
                and dict(attrs).get("type") in ("submit", "button", "reset")
            )
            if spoken and value and _words(value):
                self.found.append(f'<{tag} {name}="{value.strip()}">')

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping and _words(data):
            self.found.append(" ".join(data.split()))


def untranslated(source: str, *, html: bool = True) -> list[str]:
    """The visible text and spoken attributes of a template that no translation tag covers."""
    markup = _without_template_code(source)
    if not html:
        return [" ".join(line.split()) for line in markup.splitlines() if _words(line)]
    parser = _UntranslatedText()
    parser.feed(markup)
    parser.close()
    return parser.found


def _template_files() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".txt"))


def test_the_scanner_finds_untranslated_words() -> None:
    """The scan itself: bare words are found, marked words, math and symbols are not."""
    assert untranslated("<p>Hello</p>") == ["Hello"]
    assert untranslated('<nav aria-label="Main"></nav>') == ['<nav aria-label="Main">']
    assert untranslated('<input placeholder="Type here">') == ['<input placeholder="Type here">']
    assert untranslated("Dear {{ name }}", html=False) == ["Dear"]
    assert untranslated('{% load i18n %}<p>{% translate "Hello" %}</p>') == []
    assert untranslated('<nav aria-label="{% translate "Main" %}"></nav>') == []
    block = "{% blocktranslate trimmed %}Hi {{ x }}{% endblocktranslate %}"
    assert untranslated(f"<p>{block}</p>") == []
    plural = "{% blocktranslate count n=k %}1 try{% plural %}many{% endblocktranslate %}"
    assert untranslated(f"<p>{plural}</p>") == []
    times = "\u00d7"  # the multiplication sign, which is not a letter
    assert untranslated(f"<p>{{{{ a }}}} {times} {{{{ b }}}} = 12 · ✓ — ← (3%)</p>") == []
    assert untranslated("<title>Stepwise</title><script>let x = 1;</script>") == []
    assert untranslated("{% comment %}Why this is so{% endcomment %}{# a note #}") == []


@pytest.mark.parametrize("path", _template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_every_word_in_a_template_is_translated(path: Path) -> None:
    """No template shows or speaks a word that is not marked for translation."""
    found = untranslated(path.read_text(encoding="utf-8"), html=path.suffix == ".html")
    assert found == [], f"{path.relative_to(TEMPLATES)}: not marked for translation: {found}"


# -- Pages in Spanish -------------------------------------------------------------------------


def _spanish(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    return client


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _pages(cast: Cast, login: Login) -> dict[str, tuple[Client, str]]:
    return {
        "login": (Client(), "/login/"),
        "signup": (Client(), reverse("signup")),
        "student home": (login(cast.alice), "/"),
        "teacher home": (login(cast.teacher), "/teach/"),
    }


@pytest.mark.parametrize(
    ("page", "spanish"),
    [
        ("login", ["Iniciar sesión", "Nombre de usuario", "Cambiar idioma"]),
        ("signup", ["Registrarse", "Crear mi cuenta"]),
        ("student home", ["Tus tareas", "Únete a otra clase", "Cerrar sesión"]),
        ("teacher home", ["Tus clases", "Clase nueva", "Tus conjuntos de problemas"]),
    ],
)
def test_pages_speak_spanish(cast: Cast, login: Login, page: str, spanish: list[str]) -> None:
    """With the compiled catalog, a browser that asks for Spanish gets Spanish pages."""
    if not CATALOG.exists():
        pytest.skip("locale/es/LC_MESSAGES/django.mo is not compiled in this checkout")
    client, url = _pages(cast, login)[page]
    html = _page(_spanish(client), url)
    assert 'lang="es"' in html
    for text in spanish:
        assert text in html, f"{page}: {text!r} missing"


def test_the_tutor_note_reads_in_spanish(cast: Cast, login: Login) -> None:
    """With the catalog, the note above the tutor panel reads in Spanish."""
    if not CATALOG.exists():
        pytest.skip("locale/es/LC_MESSAGES/django.mo is not compiled in this checkout")
    html = _page(_spanish(login(cast.alice)), f"/problems/{cast.problem.pk}/")
    assert "El tutor explica en inglés" in html


@pytest.mark.parametrize(("accept", "lang"), [("es", "es"), ("en", "en"), ("fr", "en")])
def test_the_html_lang_follows_the_language(cast: Cast, accept: str, lang: str) -> None:
    """<html lang> is the page's language: Spanish when asked for, else English."""
    html = _page(Client(HTTP_ACCEPT_LANGUAGE=accept), "/login/")
    assert f'<html lang="{lang}">' in html


def test_the_html_lang_follows_the_saved_choice(cast: Cast, login: Login) -> None:
    """A signed-in user's saved language beats the browser's."""
    cast.alice.language = "es"
    cast.alice.save(update_fields=["language"])
    html = _page(login(cast.alice), "/")
    assert '<html lang="es">' in html


def test_the_note_above_the_tutor_shows_on_pages_not_in_english(cast: Cast, login: Login) -> None:
    """Only a page in another language says that the tutor explains in English."""
    english = _page(login(cast.alice), f"/problems/{cast.problem.pk}/")
    assert 'id="tutor-language"' not in english
    spanish = _page(_spanish(login(cast.alice)), f"/problems/{cast.problem.pk}/")
    assert 'id="tutor-language"' in spanish
    assert spanish.index('id="tutor-language"') < spanish.index('data-mode="hint"')


# -- The language form ------------------------------------------------------------------------


class _Forms(HTMLParser):
    """The language form's parts, read from a whole page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.form: dict[str, str] | None = None
        self.inputs: list[dict[str, str]] = []
        self.labels: dict[str, str] = {}
        self.options: list[tuple[dict[str, str], str]] = []
        self.select: dict[str, str] | None = None
        self.buttons: list[str] = []
        self.scripts: list[str] = []
        self._in: str | None = None
        self._attrs: dict[str, str] = {}
        self._text = ""
        self._inside_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "script":
            self.scripts.append(a.get("src", ""))
        if tag == "form" and a.get("action") == reverse("language"):
            self.form, self._inside_form = a, True
        if not self._inside_form:
            return
        if tag == "input":
            self.inputs.append(a)
        elif tag == "select":
            self.select = a
        elif tag in ("label", "option", "button"):
            self._in, self._attrs, self._text = tag, a, ""

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside_form = False
        if tag != self._in:
            return
        text = " ".join(self._text.split())
        if tag == "label":
            self.labels[self._attrs.get("for", "")] = text
        elif tag == "option":
            self.options.append((self._attrs, text))
        elif tag == "button":
            self.buttons.append(text)
        self._in = None


def _language_form(html: str) -> _Forms:
    parser = _Forms()
    parser.feed(html)
    parser.close()
    assert parser.form is not None, "no form posts to the language URL"
    return parser


@pytest.mark.parametrize("who", ["anonymous", "alice"])
def test_every_page_has_a_language_form_that_works_without_script(
    cast: Cast, login: Login, who: str
) -> None:
    """A POST form to the language URL with a CSRF token, a labelled select of the languages
    in their own names, the current one selected, the page to come back to, and a button."""
    client = Client() if who == "anonymous" else login(cast.alice)
    url = "/login/?next=/" if who == "anonymous" else "/"
    form = _language_form(_page(client, url))
    assert form.form is not None and form.form.get("method") == "post"
    names = {i.get("name"): i for i in form.inputs}
    assert names["csrfmiddlewaretoken"]["type"] == "hidden"
    assert names["next"] == {"type": "hidden", "name": "next", "value": url}
    assert form.select is not None and form.select["name"] == "language"
    assert form.labels.get(form.select["id"]) == "Language"
    assert [(o["value"], text) for o, text in form.options] == [
        ("en", "English"),
        ("es", "Español"),
    ]
    assert [o["value"] for o, _ in form.options if "selected" in o] == ["en"]
    assert form.buttons == ["Change language"]


def test_the_form_marks_the_current_language(cast: Cast) -> None:
    """On a Spanish page, Spanish is the selected option."""
    form = _language_form(_page(Client(HTTP_ACCEPT_LANGUAGE="es"), "/login/"))
    assert [o["value"] for o, _ in form.options if "selected" in o] == ["es"]


def test_posting_the_form_switches_the_page(cast: Cast) -> None:
    """The form's POST comes back to the same page, now in the chosen language."""
    client = Client()
    response = client.post(reverse("language"), {"language": "es", "next": "/login/"})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert '<html lang="es">' in _page(client, "/login/")


def test_the_script_catalog_comes_before_every_other_script(cast: Cast, login: Login) -> None:
    """The page scripts find gettext() defined: the catalog is the first script, and loads."""
    html = _page(login(cast.alice), f"/problems/{cast.problem.pk}/")
    form = _language_form(html)
    assert form.scripts[0] == reverse("javascript-catalog")
    assert Client().get(reverse("javascript-catalog")).status_code == 200


# -- Numbers that machines read ---------------------------------------------------------------


def test_machine_numbers_stay_unlocalized_in_spanish() -> None:
    """Spanish writes 12,5 for people; a progress bar's value stays 12.5 for the browser."""
    level = SimpleNamespace(
        skill=SimpleNamespace(pk=1234, name="Fractions"), percent=12.5, mastered=False, answers=1
    )
    with translation.override("es"):
        html = render_to_string("includes/mastery_bar.html", {"level": level, "prefix": "p"})
    assert 'value="12.5"' in html and 'id="p-skill-1234"' in html
    assert "12,5%" in html
