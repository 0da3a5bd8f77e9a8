"""Skills: the names teachers tag problems with, read the same way by the editor and imports."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.text import slugify
from django.utils.translation import gettext

from tutor.errors import UserError
from tutor.models import Problem, Skill

MAX_SKILL_CHARS = 80
MAX_SKILLS_PER_PROBLEM = 10


def skill_slug(name: str) -> str:
    return slugify(name, allow_unicode=True)[:MAX_SKILL_CHARS]


def skill_names_parse(text: str | Iterable[str]) -> list[str]:
    """Skill names from a comma- or semicolon-separated text (or a list), tidied, each once
    (by slug, so "Fractions" and "fractions" are one), in the order given."""
    parts = text.replace(";", ",").split(",") if isinstance(text, str) else list(text)
    names: list[str] = []
    seen: set[str] = set()
    for part in parts:
        name = " ".join(str(part).split())
        if not name:
            continue
        if len(name) > MAX_SKILL_CHARS:
            raise UserError(
                gettext("A skill name is limited to %(count)s characters.")
                % {"count": MAX_SKILL_CHARS}
            )
        slug = skill_slug(name)
        if not slug:
            raise UserError(
                gettext("The skill %(name)s needs at least one letter or digit.")
                % {"name": repr(name)}
            )
        if slug not in seen:
            seen.add(slug)
            names.append(name)
    if len(names) > MAX_SKILLS_PER_PROBLEM:
        raise UserError(
            gettext("A problem carries at most %(count)s skills.")
            % {"count": MAX_SKILLS_PER_PROBLEM}
        )
    return names


def skills_for_names(names: Iterable[str]) -> list[Skill]:
    """The skills with these names, created when new; an existing skill keeps its name."""
    wanted = {skill_slug(name): name for name in names}
    existing = {s.slug: s for s in Skill.objects.filter(slug__in=wanted)}
    for slug, name in wanted.items():
        if slug not in existing:
            existing[slug], _ = Skill.objects.get_or_create(slug=slug, defaults={"name": name})
    return [existing[slug] for slug in wanted]


def problem_skills_set(*, problem: Problem, names: Iterable[str]) -> list[Skill]:
    skills = skills_for_names(names)
    problem.skills.set(skills)
    return skills
