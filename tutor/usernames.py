"""Usernames and names: one spelling per person, no look-alikes, nothing invisible.

Children pick their own usernames, and a classmate's name written with a Cyrillic a, a
capital "I" for an "l" or full-width letters looks the same on every page and in the
gradebook. A username is read in NFKC (full-width letters become plain ones, as Django's
own forms read them), in one alphabet, and must not share a skeleton (its letters mapped
to the Latin ones they look like) with another account's. Names may not hold line breaks or
invisible characters, which break CSV exports and can reverse how a row reads.

Wired in tutor.models.User: `User.username_validator` (what the sign-up form calls) and
`User.clean()` (what the admin's forms call).
"""

from __future__ import annotations

import re
import unicodedata

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db.models.functions import Length
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext

ALLOWED = re.compile(r"^[\w.@+-]+\Z")
# Scripts that are written together in one name.
SCRIPT_FAMILIES = {"HIRAGANA": "HAN", "KATAKANA": "HAN", "CJK": "HAN"}
# Letters of other alphabets that look like a Latin one, after casefolding, and Latin
# sequences that read as another letter.
LOOK_ALIKES = str.maketrans(
    {
        **dict(zip("авсԁеһіјӏкмոорԛѕтսухԝ", "abcdehijlkmnopqstuyxw", strict=True)),
        **dict(zip("αβεικνορτυχω", "abeiknoptuxw", strict=True)),
        "0": "o",
        "1": "l",
        "|": "l",
    }
)
INVISIBLE = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def normalise_username(value: str) -> str:
    """The username as it is stored: NFKC, without surrounding blanks."""
    return unicodedata.normalize("NFKC", value).strip()


def skeleton(username: str) -> str:
    """What the username looks like: look-alike letters mapped to the Latin ones."""
    text = normalise_username(username).replace("I", "l").casefold().translate(LOOK_ALIKES)
    return text.replace("rn", "m").replace("vv", "w")


def _scripts(username: str) -> set[str]:
    scripts = set()
    for char in username:
        if char.isalpha():
            script = unicodedata.name(char, "UNKNOWN").split()[0]
            scripts.add(SCRIPT_FAMILIES.get(script, script))
    return scripts


def username_problem(value: str) -> str | None:
    """What is wrong with the username's spelling, or None."""
    username = normalise_username(value)
    if not ALLOWED.match(username):
        return gettext("Use letters, digits and . @ + - _ only, with no spaces or line breaks.")
    if len(_scripts(username)) > 1:
        return gettext(
            "Use one alphabet in a username: letters from two can look like someone else's."
        )
    return None


def look_alike_taken(value: str, *, exclude_pk: int | None = None) -> bool:
    """Whether another account's username looks like this one (the same one aside: the
    caller's "already taken" check says that)."""
    from django.contrib.auth import get_user_model

    wanted = skeleton(value)
    # Each letter of a skeleton comes from one or two characters ("rn" reads as "m").
    others = (
        get_user_model()
        .objects.annotate(length=Length("username"))
        .filter(length__gte=len(wanted), length__lte=2 * len(wanted))
    )
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return any(
        skeleton(other) == wanted and other.casefold() != value.strip().casefold()
        for other in others.values_list("username", flat=True).iterator()
    )


@deconstructible
class UsernameValidator(UnicodeUsernameValidator):
    """A username's spelling, and that it looks like no one else's.

    A kind of Django's validator, where User.username_validator expects one; it checks more.
    """

    def __call__(self, value: str) -> None:
        problem = username_problem(value)
        if problem:
            raise ValidationError(problem, code="invalid")
        if look_alike_taken(value):
            raise ValidationError(
                gettext("That username looks too much like one already taken; choose another."),
                code="look_alike",
            )


def validate_person_name(value: str) -> None:
    """A first or last name: any letters, but no line breaks or invisible characters."""
    if any(unicodedata.category(char) in INVISIBLE for char in value):
        raise ValidationError(
            gettext("Names cannot contain line breaks or invisible characters."),
            code="invisible",
        )
