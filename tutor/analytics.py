"""Reads for a teacher's class analytics on one assignment (a set given to a class).

Each section is an ``AnalyticsTable``: the page draws it as a table (and a chart drawn from
that same table), and the CSV export writes it, so the three never disagree. The query count
does not grow with the class: one query per kind of evidence, aggregated in the database
where it groups well and in Python where a median or a first-try needs the rows.

Scope: the assignment comes from ``selectors.assignment_for_teacher``, so only the teacher's
own class and set reach here; students are the class's roster now.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast, Extract
from django.utils.translation import gettext

from inference.prompts import HINT_RUNGS
from tutor.mastery.bkt import MASTERED
from tutor.models import (
    AnswerSubmission,
    Assignment,
    Attempt,
    Enrolment,
    NamedMisconception,
    Problem,
    SkillMastery,
    Turn,
    User,
)
from tutor.selectors import roster


@dataclass(frozen=True)
class Cell:
    text: str
    value: float | None = None  # the number behind the text: for the chart and the CSV


@dataclass(frozen=True)
class Chart:
    kind: str  # "bar" or "stacked"
    label_column: int
    value_columns: tuple[int, ...]
    axis: str  # what the values are, for the axis title


@dataclass
class AnalyticsTable:
    key: str
    title: str
    about: str  # what is measured, and how
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    chart: Chart | None = None
    empty: str = field(default_factory=lambda: gettext("Nothing yet."))


def _n(value: int) -> Cell:
    return Cell(str(value), value)


def _share(part: int, whole: int) -> Cell:
    return Cell(f"{part / whole:.0%}", round(part / whole, 4)) if whole else Cell("—")


def _minutes(seconds: float | None) -> Cell:
    if seconds is None:
        return Cell("—")
    return Cell(gettext("%(minutes).1f min") % {"minutes": seconds / 60}, round(seconds / 60, 2))


def _label(rule: str) -> str:
    try:
        from tutor.checker.misconceptions import RULES
    except ImportError:
        return rule
    from tutor.checker_text import translate_detail

    return translate_detail({m.name: m.label for m in RULES}.get(rule, rule))


def _name(student: User) -> str:
    return student.get_full_name() or student.username


@dataclass(frozen=True)
class _Scope:
    assignment: Assignment
    problems: list[Problem]
    students: list[User]


def _roster_ids(assignment: Assignment) -> QuerySet[Enrolment, Any]:
    # A subquery, not a list of ids: the database joins it, whatever the class size.
    return Enrolment.objects.filter(classroom_id=assignment.classroom_id).values("student_id")


def _counts(counts: Counter[tuple[int, str]], key: int, rules: list[str]) -> list[Cell]:
    row = [counts[(key, rule)] for rule in rules]
    return [*map(_n, row), _n(sum(row))]


def _misconception_tables(scope: _Scope) -> list[AnalyticsTable]:
    # The log of named mistakes, not the saved verdicts: a line the student fixed still counts.
    named = NamedMisconception.objects.filter(
        problem__problem_set_id=scope.assignment.problem_set_id,
        student_id__in=_roster_ids(scope.assignment),
    )
    # Two groupings (rule x problem, rule x student) rather than one by all three: a few
    # hundred rows each instead of ten thousand for a class of 200 x 50.
    total: Counter[str] = Counter()
    students: Counter[str] = Counter()
    by_problem: Counter[tuple[int, str]] = Counter()
    by_student: Counter[tuple[int, str]] = Counter()
    for rule, problem_id, n in named.values_list("rule", "problem_id").annotate(n=Count("id")):
        total[rule] += n
        by_problem[(problem_id, rule)] = n
    for rule, student_id, n in named.values_list("rule", "student_id").annotate(n=Count("id")):
        students[rule] += 1
        by_student[(student_id, rule)] = n
    frequency = AnalyticsTable(
        "misconceptions",
        gettext("Misconceptions by frequency"),
        gettext(
            "Steps of the students' own work that the checker marked wrong and explained by a "
            "known mistake, counted over the class."
        ),
        [gettext("Misconception"), gettext("What it is"), gettext("Steps"), gettext("Students")],
        [
            [Cell(rule), Cell(_label(rule)), _n(n), _n(students[rule])]
            for rule, n in total.most_common()
        ],
        Chart("bar", 0, (2,), gettext("steps")),
        gettext("The checker has named no misconception in this class's work yet."),
    )
    # Pivoted, one row per problem or student and one column per misconception: a teacher
    # reads across a student's row, and the page has a few thousand cells, not ten thousand.
    rules = [rule for rule, _ in total.most_common()]
    per_problem = AnalyticsTable(
        "misconceptions_by_problem",
        gettext("Misconceptions per problem"),
        gettext("The same steps, by problem."),
        [gettext("Problem"), *rules, gettext("Total")],
        [
            [
                Cell(gettext("Problem %(number)s") % {"number": i}, i),
                *_counts(by_problem, p.pk, rules),
            ]
            for i, p in enumerate(scope.problems, start=1)
        ],
        Chart("stacked", 0, tuple(range(1, len(rules) + 1)), gettext("steps")),
        empty=gettext("No misconceptions named yet."),
    )
    per_student = AnalyticsTable(
        "misconceptions_by_student",
        gettext("Misconceptions per student"),
        gettext("The same steps, by student, over the whole roster."),
        [gettext("Student"), *rules, gettext("Total")],
        [[Cell(_name(s)), *_counts(by_student, s.pk, rules)] for s in scope.students],
        empty=gettext("No misconceptions named yet."),
    )
    if not rules:
        per_problem.rows, per_student.rows = [], []
    return [frequency, per_problem, per_student]


def _time_spent() -> Func | ExpressionWrapper:
    """From the attempt's first checked line or answer to its last save, in seconds."""
    spent = ExpressionWrapper(F("updated_at") - F("started_at"), output_field=DurationField())
    if connection.vendor == "postgresql":
        # Subtracted in the database: loading two datetimes a row into Python took about
        # 50 ms for a class of 200 x 50 (bench/analytics.py), a float takes a few.
        return Cast(Extract(spent, "epoch"), FloatField())
    return spent


def _difficulty_table(scope: _Scope) -> AnalyticsTable:
    first = AnswerSubmission.objects.filter(attempt=OuterRef("pk")).order_by("created_at", "id")
    attempts = (
        Attempt.objects.filter(
            problem__problem_set_id=scope.assignment.problem_set_id,
            student_id__in=_roster_ids(scope.assignment),
        )
        .annotate(first_right=Subquery(first.values("equivalent")[:1]), spent=_time_spent())
        .values_list("problem_id", "tries", "status", "spent", "first_right")
    )
    answered: Counter[int] = Counter()
    right_first: Counter[int] = Counter()
    solved: Counter[int] = Counter()
    tries: dict[int, list[int]] = defaultdict(list)
    seconds: dict[int, list[float]] = defaultdict(list)
    for problem_id, n_tries, status, spent, first_right in attempts:
        seconds[problem_id].append(spent if isinstance(spent, float) else spent.total_seconds())
        if n_tries:  # an attempt with checked lines and no final answer yet
            answered[problem_id] += 1
            tries[problem_id].append(n_tries)
            right_first[problem_id] += first_right is True
            solved[problem_id] += status == Attempt.Status.CORRECT
    rows = []
    for number, problem in enumerate(scope.problems, start=1):
        pid = problem.pk
        mean_tries = statistics.fmean(tries[pid]) if tries[pid] else None
        rows.append(
            [
                Cell(gettext("Problem %(number)s") % {"number": number}, number),
                _n(answered[pid]),
                _share(right_first[pid], answered[pid]),
                _share(solved[pid], answered[pid]),
                Cell(f"{mean_tries:.1f}", round(mean_tries, 2)) if mean_tries else Cell("—"),
                _minutes(statistics.median(seconds[pid]) if seconds[pid] else None),
            ]
        )
    return AnalyticsTable(
        "difficulty",
        gettext("Item difficulty and time spent"),
        gettext(
            "Of the students who gave a final answer: the share right at the first try, the "
            "share solved, and the mean number of final answers. Time is the median, over "
            "students who started the problem, from their first checked line or answer to "
            "their last."
        ),
        [
            gettext("Problem"),
            gettext("Answered"),
            gettext("Right at first try"),
            gettext("Solved"),
            gettext("Mean tries"),
            gettext("Median time"),
        ],
        rows,
        Chart("bar", 0, (2,), gettext("share right at the first try")),
    )


def _hint_table(scope: _Scope) -> AnalyticsTable:
    rows = (
        Turn.objects.filter(
            mode=Turn.Mode.HINT,
            status=Turn.Status.DONE,
            session__problem__problem_set_id=scope.assignment.problem_set_id,
            session__student_id__in=_roster_ids(scope.assignment),
        )
        .values_list("session__problem_id", "hint_rung", "session__student_id")
        .annotate(n=Count("id"))
    )
    by_rung: Counter[tuple[int, int]] = Counter()
    askers: dict[int, set[int]] = defaultdict(set)
    for problem_id, rung, student_id, n in rows:
        by_rung[(problem_id, min(max(rung or 1, 1), HINT_RUNGS))] += n
        askers[problem_id].add(student_id)
    rungs = range(1, HINT_RUNGS + 1)
    return AnalyticsTable(
        "hints",
        gettext("Hints used, by rung"),
        gettext(
            "Hints the tutor gave, by rung of the ladder (1 is a nudge, %(rungs)s the "
            "bottom-out hint), and how many students asked for any."
        )
        % {"rungs": HINT_RUNGS},
        [
            gettext("Problem"),
            *[gettext("Rung %(rung)s") % {"rung": r} for r in rungs],
            gettext("Students who asked"),
        ],
        [
            [
                Cell(gettext("Problem %(number)s") % {"number": number}, number),
                *[_n(by_rung[(p.pk, r)]) for r in rungs],
                _n(len(askers[p.pk])),
            ]
            for number, p in enumerate(scope.problems, start=1)
        ],
        Chart("stacked", 0, tuple(range(1, HINT_RUNGS + 1)), gettext("hints")),
    )


def _mastery_tables(scope: _Scope) -> list[AnalyticsTable]:
    skills = list({s.pk: s for p in scope.problems for s in p.skills.all()}.values())
    skills.sort(key=lambda s: s.name)
    known = {
        (skill_id, student_id): (p_known, answers)
        for skill_id, student_id, p_known, answers in SkillMastery.objects.filter(
            skill__in=skills, student_id__in=_roster_ids(scope.assignment)
        ).values_list("skill_id", "student_id", "p_known", "answers")
    }
    summary = AnalyticsTable(
        "mastery",
        gettext("Mastery per skill across the roster"),
        gettext(
            "Each student's estimated P(known) by knowledge tracing; a student with no answer "
            "on a skill counts at the skill's prior. Mastered is %(mastered)s or more."
        )
        % {"mastered": f"{MASTERED:.0%}"},
        [
            gettext("Skill"),
            gettext("Students with answers"),
            gettext("Mean mastery"),
            gettext("Mastered"),
        ],
        empty=gettext("The problems in this set carry no skills yet."),
        chart=Chart("bar", 0, (2,), gettext("mean P(known)")),
    )
    grid = AnalyticsTable(
        "mastery_by_student",
        gettext("Mastery per student"),
        gettext(
            "P(known) per student and skill; — where the student has not answered on the skill."
        ),
        [gettext("Student"), *[s.name for s in skills]],
        empty=gettext("No students or no skills yet."),
    )
    for skill in skills:
        levels = [known.get((skill.pk, s.pk), (skill.prior, 0)) for s in scope.students]
        with_answers = sum(1 for _, answers in levels if answers)
        mean = statistics.fmean(p for p, _ in levels) if levels else None
        summary.rows.append(
            [
                Cell(skill.name),
                _n(with_answers),
                Cell(f"{mean:.0%}", round(mean, 4)) if mean is not None else Cell("—"),
                _n(sum(1 for p, _ in levels if p >= MASTERED)),
            ]
        )
    for student in scope.students:
        cells = [Cell(_name(student))]
        for skill in skills:
            p_known, answers = known.get((skill.pk, student.pk), (skill.prior, 0))
            cells.append(Cell(f"{p_known:.0%}", round(p_known, 4)) if answers else Cell("—"))
        grid.rows.append(cells)
    return [summary, grid] if skills else [summary]


# Each builder reads its own evidence and makes one or more tables, named by their keys.
_SECTIONS: list[tuple[tuple[str, ...], Callable[[_Scope], list[AnalyticsTable]]]] = [
    (("misconceptions", "misconceptions_by_problem", "misconceptions_by_student"),
     _misconception_tables),
    (("difficulty",), lambda scope: [_difficulty_table(scope)]),
    (("hints",), lambda scope: [_hint_table(scope)]),
    (("mastery", "mastery_by_student"), _mastery_tables),
]  # fmt: skip
TABLE_KEYS = frozenset(key for keys, _ in _SECTIONS for key in keys)


def class_analytics(*, assignment: Assignment, only: str | None = None) -> list[AnalyticsTable]:
    """Every section of the analytics page for one assignment, in page order; with ``only``,
    just the section that makes that table (the CSV export reads no more than it writes)."""
    scope = _Scope(
        assignment,
        list(assignment.problem_set.problems.prefetch_related("skills")),
        list(roster(classroom=assignment.classroom)),
    )
    return [
        table for keys, build in _SECTIONS if only is None or only in keys for table in build(scope)
    ]
