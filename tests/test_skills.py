"""Skills on problems: old topic tags become skills, the editor and imports take skills."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import Cast, Login
from tutor.errors import UserError
from tutor.models import Problem, Skill
from tutor.services.problem_sets import ImportFailed, import_parse, problem_save
from tutor.services.skills import skill_names_parse

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("tutor.migrations.0010_skills_mastery")


def _skills(problem: Problem) -> list[str]:
    return sorted(problem.skills.values_list("name", flat=True))


def test_the_migration_turns_each_topic_into_a_skill(cast: Cast) -> None:
    """Two problems tagged 'Linear equations' and 'linear  equations' share one skill."""
    Problem.objects.filter(pk=cast.problem.pk).update(topic="Linear equations")
    Problem.objects.filter(pk=cast.word_problem.pk).update(topic="linear  equations")
    MIGRATION.topics_to_skills(apps, None)
    [skill] = Skill.objects.all()
    assert skill.slug == "linear-equations" and skill.name == "Linear equations"
    assert set(skill.problems.all()) == {cast.problem, cast.word_problem}


def test_skill_names_are_read_from_commas_or_semicolons_once_each() -> None:
    """'Fractions; fractions, ratio' is two skills, in the order given."""
    assert skill_names_parse("Fractions; fractions,  ratio ,") == ["Fractions", "ratio"]
    with pytest.raises(UserError, match="letter or digit"):
        skill_names_parse("???")


def test_the_editor_saves_skills_and_shows_them_again(cast: Cast, login: Login) -> None:
    """The editor's Skills field takes a list; the first skill is also the problem's topic."""
    client = login(cast.teacher)
    url = f"/teach/sets/{cast.problem_set.pk}/problems/{cast.problem.pk}/"
    response = client.post(
        url,
        {
            "statement": "Solve $3x + 5 = 20$.",
            "answer_key": "x = 5",
            "skills": "linear equations, inverse operations",
        },
    )
    assert response.status_code == 302
    cast.problem.refresh_from_db()
    assert _skills(cast.problem) == ["inverse operations", "linear equations"]
    assert cast.problem.topic == "linear equations"
    assert 'value="inverse operations, linear equations"' in client.get(url).content.decode()


def test_saving_without_skills_clears_them(cast: Cast) -> None:
    """A problem saved with an empty skills field carries none."""
    problem_save(
        problem_set=cast.problem_set,
        problem=cast.problem,
        statement="Solve.",
        answer_key="x = 5",
        skills="algebra",
    )
    problem_save(
        problem_set=cast.problem_set, problem=cast.problem, statement="Solve.", answer_key="x = 5"
    )
    assert _skills(cast.problem) == [] and cast.problem.topic == ""


def test_an_import_takes_skills_as_a_list_a_text_or_a_topic(cast: Cast, login: Login) -> None:
    """JSONL skills lists, CSV names separated by semicolons, and the older topic column."""
    lines = [
        {"statement": "Solve $2x = 4$.", "answer_key": "x = 2", "skills": ["linear equations"]},
        {"statement": "Add $1/2 + 1/4$.", "answer_key": "3/4", "skills": "fractions; addition"},
        {"statement": "Expand $(x+1)^2$.", "answer_key": "x^2 + 2x + 1", "topic": "expansion"},
    ]
    data = "\n".join(json.dumps(line) for line in lines).encode()
    client = login(cast.teacher)
    upload = SimpleUploadedFile("set.jsonl", data)
    response = client.post(f"/teach/sets/{cast.problem_set.pk}/import", {"file": upload})
    assert response.status_code == 302
    imported = list(cast.problem_set.problems.order_by("position"))[-3:]
    assert [_skills(p) for p in imported] == [
        ["linear equations"],
        ["addition", "fractions"],
        ["expansion"],
    ]
    assert [p.topic for p in imported] == ["linear equations", "fractions", "expansion"]


def test_a_csv_import_reads_a_skills_column() -> None:
    """A quoted CSV cell may list several skills."""
    data = b'statement,answer_key,skills\nTwo?,2,"counting, number sense"\n'
    [draft] = import_parse(data=data, filename="set.csv")
    assert draft.skills == ("counting", "number sense") and draft.topic == "counting"


def test_a_bad_skills_value_is_an_import_error() -> None:
    """Skills that are not names are refused with the line number."""
    data = json.dumps({"statement": "Two?", "answer_key": "2", "skills": [1, 2]}).encode()
    with pytest.raises(ImportFailed, match="line 1: 'skills' must be"):
        import_parse(data=data, filename="set.jsonl")
