"""Problem sets, their problems and order, and assigning a set to a class."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from tutor.errors import UserError
from tutor.models import Assignment, Classroom, Problem, ProblemSet, User
from tutor.problem_variants import ShownProblem, previews
from tutor.services.skills import (
    problem_skills_set,
    skill_names_parse,
    skill_slug,
    skills_for_names,
)

# The forms a question may ask its answer in; "" is any form (tutor.checker.answer_forms).
ANSWER_FORMS = frozenset(
    {"", "expanded", "factored", "simplified", "exact", "lowest_terms", "units"}
)


def problem_set_create(*, owner: User, title: str, description: str = "") -> ProblemSet:
    if not title.strip():
        raise UserError(gettext("Give the problem set a title."))
    return ProblemSet.objects.create(
        owner=owner, title=title.strip()[:200], description=description.strip()
    )


def problem_set_update(*, problem_set: ProblemSet, title: str, description: str) -> ProblemSet:
    if not title.strip():
        raise UserError(gettext("Give the problem set a title."))
    problem_set.title = title.strip()[:200]
    problem_set.description = description.strip()
    problem_set.save(update_fields=["title", "description", "updated_at"])
    return problem_set


def _next_position(problem_set: ProblemSet) -> int:
    last = problem_set.problems.aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def answer_key_problem(key: str) -> str | None:
    """Why the checker cannot read ``key``, or None when it can (or could not finish the
    check, which is no reason to refuse a key). An unreadable key makes every answer to it
    undecided, so it is refused where it is written."""
    from tutor.checker import check_key

    reading = check_key(key)
    if reading.readable is False:
        return reading.problem or gettext("the checker cannot read it")
    return None


class TemplateRefused(UserError):
    """Variants of a template could not be made; ``reason`` is the checker's why."""

    def __init__(self, reason: str) -> None:
        super().__init__(gettext("The template was not saved: %(reason)s.") % {"reason": reason})
        self.reason = reason


def template_previews(
    *, parameters: str, statement: str, answer_key: str, **_: object
) -> list[ShownProblem]:
    """Three variants of a template, or UserError saying why it cannot make them: a line it
    cannot read, conditions no values meet, or a key the checker cannot read in a variant."""
    from tutor.checker import TemplateError

    if not parameters.strip():
        raise UserError(gettext("Give the parameters first, like 'a in 2..9'."))
    try:
        return previews(
            parameters=parameters, statement=statement.strip(), answer_key=answer_key.strip()
        )
    except TemplateError as exc:
        raise TemplateRefused(str(exc)) from None


def problem_save(
    *,
    problem_set: ProblemSet,
    statement: str,
    answer_key: str,
    reference_solution: str = "",
    topic: str = "",
    skills: str = "",
    answer_form: str = "",
    parameters: str = "",
    problem: Problem | None = None,
) -> Problem:
    """Create a problem at the end of the set, or update the given one in place.

    The key is read by the checker first: one it cannot read is refused with the reason.
    ``skills`` is a comma-separated list; a ``topic`` (the older single tag) is one more skill.
    With parameters, the problem is a template: it is saved only if its variants can be
    made and each variant's key can be read.
    """
    names = skill_names_parse([*skill_names_parse(skills), topic])
    # A browser's textarea sends CRLF; stored one parameter a line, as the teacher reads it.
    parameters = "\n".join(line.strip() for line in parameters.strip().splitlines())
    if not statement.strip():
        raise UserError(gettext("The problem needs a statement."))
    if not answer_key.strip():
        raise UserError(gettext("The problem needs an answer key."))
    if answer_form not in ANSWER_FORMS:
        raise UserError(gettext("Choose one of the listed answer forms."))
    if parameters.strip():
        template_previews(parameters=parameters, statement=statement, answer_key=answer_key)
    else:
        unreadable = answer_key_problem(answer_key.strip()[:500])
        if unreadable is not None:
            raise UserError(
                gettext(
                    "The answer key was not saved: %(reason)s. "
                    "Every answer to it would be undecided."
                )
                % {"reason": unreadable}
            )
    if problem is None:
        problem = Problem(problem_set=problem_set, position=_next_position(problem_set))
    problem.statement = statement.strip()
    problem.answer_key = answer_key.strip()[:500]
    problem.answer_form = answer_form
    problem.parameters = parameters.strip()
    problem.reference_solution = reference_solution.strip()
    problem.topic = names[0] if names else ""
    with transaction.atomic():
        problem.save()
        problem_skills_set(problem=problem, names=names)
        problem_set.save(update_fields=["updated_at"])
    return problem


def problem_move(*, problem: Problem, offset: int) -> None:
    """Swap the problem with its neighbour (offset -1 is up, +1 is down)."""
    with transaction.atomic():
        ordered = list(
            Problem.objects.select_for_update()
            .filter(problem_set_id=problem.problem_set_id)
            .order_by("position", "id")
        )
        index = next(i for i, p in enumerate(ordered) if p.pk == problem.pk)
        target = index + offset
        if not 0 <= target < len(ordered):
            return
        ordered[index], ordered[target] = ordered[target], ordered[index]
        # Renumber the whole set: positions may have gaps or ties after imports and deletes.
        for position, item in enumerate(ordered):
            if item.position != position:
                Problem.objects.filter(pk=item.pk).update(position=position)


def problem_delete(*, problem: Problem) -> None:
    if problem.attempts.exists() or problem.sessions.exists():
        raise UserError(gettext("Students have worked on this problem, so it cannot be deleted."))
    problem.delete()


@dataclass(frozen=True)
class AssignmentTerms:
    """What a teacher chooses when assigning: the due date and the optional rules."""

    due_at: datetime
    late_penalty_percent: int = 0
    max_tries: int | None = None
    show_answer_after_due: bool = False


class AlreadyAssigned(UserError):
    """The class already has the set: moving its due date needs the teacher's yes."""

    def __init__(self, assignment: Assignment) -> None:
        super().__init__(
            gettext("%(set)s is already assigned to %(class_name)s.")
            % {"set": assignment.problem_set.title, "class_name": assignment.classroom.name}
        )
        self.assignment = assignment


def _check_terms(terms: AssignmentTerms) -> None:
    if terms.due_at <= timezone.now():
        raise UserError(
            gettext("The due date is in the past. Choose a date and time still to come.")
        )
    if not 0 <= terms.late_penalty_percent <= 100:
        raise UserError(gettext("The late penalty is a percentage from 0 to 100."))
    if terms.max_tries is not None and terms.max_tries < 1:
        raise UserError(gettext("Allow at least one try, or leave the limit empty for no limit."))


def assignment_create(
    *,
    problem_set: ProblemSet,
    classroom: Classroom,
    terms: AssignmentTerms,
    replace: bool = False,
) -> Assignment:
    """Assign the set to the class, or, with ``replace``, change the terms it already has.

    Without ``replace`` an existing assignment is left alone and AlreadyAssigned is raised:
    moving a due date students are working to is asked for, never done by a second click.
    """
    if problem_set.owner_id != classroom.teacher_id:
        raise UserError(gettext("You can only assign your own problem sets to your own classes."))
    if not problem_set.problems.exists():
        raise UserError(gettext("Add at least one problem before assigning the set."))
    _check_terms(terms)
    fields = {
        "due_at": terms.due_at,
        "late_penalty_percent": terms.late_penalty_percent,
        "max_tries": terms.max_tries,
        "show_answer_after_due": terms.show_answer_after_due,
    }
    with transaction.atomic():
        assignment, created = Assignment.objects.select_for_update().get_or_create(
            problem_set=problem_set, classroom=classroom, defaults=fields
        )
        if not created:
            if not replace:
                raise AlreadyAssigned(assignment)
            for name, value in fields.items():
                setattr(assignment, name, value)
            assignment.save(update_fields=list(fields))
    return assignment


# Import: JSONL or CSV, described in docs/import-format.md.
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_PROBLEMS = 500
MAX_STATEMENT_CHARS = 10_000
MAX_REPORTED_ERRORS = 20
# GSM8K reference solutions carry calculator annotations such as <<48/2=24>>; they are
# noise to a reader, so they are dropped.
_CALCULATOR = re.compile(r"<<[^<>]*>>")


class ImportFailed(UserError):
    """A bad file: every error found, each naming its line or row; nothing was saved."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(
            gettext("The file was not imported: %(errors)s") % {"errors": "; ".join(errors[:3])}
        )
        self.errors = errors


@dataclass(frozen=True)
class ProblemDraft:
    statement: str
    answer_key: str
    reference_solution: str
    topic: str
    answer_form: str = ""
    skills: tuple[str, ...] = ()
    parameters: str = ""


def _draft(record: dict[str, Any], where: str, errors: list[str]) -> ProblemDraft | None:
    def text(name: str) -> str:
        value = record.get(name)
        if value is None:
            return ""
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            errors.append(
                gettext("%(where)s: '%(name)s' must be text") % {"where": where, "name": name}
            )
            return ""
        return str(value).strip()

    statement = text("statement") or text("question")
    key = text("answer_key")
    reference = text("reference_solution")
    if not key and "answer" in record:
        answer = text("answer")
        if "####" not in answer:
            errors.append(
                gettext("%(where)s: 'answer' has no '#### ' line with the final answer")
                % {"where": where}
            )
            return None
        reference, _, key = answer.rpartition("####")
        reference = _CALCULATOR.sub("", reference).strip()
        key = key.strip()
    problems = []
    if not statement:
        problems.append(gettext("no statement (or question)"))
    elif len(statement) > MAX_STATEMENT_CHARS:
        problems.append(
            gettext("the statement is longer than %(count)s characters")
            % {"count": MAX_STATEMENT_CHARS}
        )
    parameters = "\n".join(line.strip() for line in text("parameters").splitlines())
    if not key:
        problems.append(gettext("no answer_key (or GSM8K answer after '#### ')"))
    elif len(key) > 500:
        problems.append(
            gettext("the answer key is longer than %(count)s characters") % {"count": 500}
        )
    elif parameters:
        try:
            template_previews(parameters=parameters, statement=statement, answer_key=key)
        except TemplateRefused as exc:
            problems.append(gettext("the template: %(reason)s.") % {"reason": exc.reason})
        except UserError as exc:
            problems.append(exc.message)
    elif (unreadable := answer_key_problem(key)) is not None:
        problems.append(
            gettext("the answer key %(key)s cannot be used: %(reason)s")
            % {"key": repr(key[:40]), "reason": unreadable}
        )
    form = text("answer_form")
    if form not in ANSWER_FORMS:
        problems.append(
            gettext("answer_form must be one of %(forms)s")
            % {"forms": ", ".join(sorted(ANSWER_FORMS - {""}))}
        )
    skills = _skill_names(record, problems)
    if problems:
        errors.append(
            gettext("%(where)s: %(problems)s") % {"where": where, "problems": ", ".join(problems)}
        )
        return None
    topic = text("topic")[:80]
    return ProblemDraft(
        statement, key, reference, topic or next(iter(skills), ""), form, skills, parameters
    )


def _skill_names(record: dict[str, Any], problems: list[str]) -> tuple[str, ...]:
    """``skills`` (a JSON list, or names separated by commas or semicolons) and ``topic``."""
    value = record.get("skills") or ""
    topic = record.get("topic")
    # A topic that is not text is reported by _draft already; here it is simply no skill.
    topic = str(topic) if isinstance(topic, (str, int, float)) else ""
    if not isinstance(value, (str, list)) or not all(isinstance(v, str) for v in value):
        problems.append(gettext("'skills' must be a list of names or a text of names"))
        return ()
    try:
        return tuple(skill_names_parse([*skill_names_parse(value), topic]))
    except UserError as exc:
        problems.append(exc.message)
        return ()


def _records_jsonl(text: str, errors: list[str]) -> list[tuple[str, dict[str, Any]]]:
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(
                gettext("line %(number)s: not valid JSON (%(error)s)")
                % {"number": number, "error": exc.msg}
            )
            continue
        if not isinstance(value, dict):
            errors.append(gettext("line %(number)s: expected a JSON object") % {"number": number})
            continue
        records.append((gettext("line %(number)s") % {"number": number}, value))
    return records


def _records_csv(text: str, errors: list[str]) -> list[tuple[str, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    header = {name.strip() for name in reader.fieldnames or []}
    if not header & {"statement", "question"}:
        errors.append(gettext("row 1: the header needs a 'statement' (or 'question') column"))
        return []
    records = []
    try:
        for row in reader:
            cleaned = {(k or "").strip(): v for k, v in row.items() if k}
            if any((v or "").strip() for v in cleaned.values()):
                records.append((gettext("row %(number)s") % {"number": reader.line_num}, cleaned))
    except csv.Error as exc:
        errors.append(
            gettext("row %(number)s: %(error)s") % {"number": reader.line_num, "error": exc}
        )
    return records


def import_parse(*, data: bytes, filename: str) -> list[ProblemDraft]:
    """Every problem in the file, or ImportFailed listing what is wrong with it."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFailed(
            [
                gettext("the file is larger than %(size)s MB")
                % {"size": MAX_IMPORT_BYTES // (1024 * 1024)}
            ]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed([gettext("the file is not UTF-8 text")]) from None
    errors: list[str] = []
    name = filename.lower()
    if name.endswith((".jsonl", ".json", ".ndjson")):
        records = _records_jsonl(text, errors)
    elif name.endswith(".csv"):
        records = _records_csv(text, errors)
    else:
        raise ImportFailed([gettext("the file name must end in .jsonl or .csv")])
    drafts = [d for where, record in records if (d := _draft(record, where, errors))]
    if not records and not errors:
        errors.append(gettext("the file holds no problems"))
    if len(records) > MAX_IMPORT_PROBLEMS:
        errors.append(
            gettext("at most %(count)s problems per file") % {"count": MAX_IMPORT_PROBLEMS}
        )
    if errors:
        extra = len(errors) - MAX_REPORTED_ERRORS
        more = [gettext("and %(count)s more") % {"count": extra}] if extra > 0 else []
        shown = errors[:MAX_REPORTED_ERRORS] + more
        raise ImportFailed(shown)
    return drafts


def problems_import(*, problem_set: ProblemSet, data: bytes, filename: str) -> list[Problem]:
    """Append every problem in the file to the set, in one transaction: all or nothing."""
    drafts = import_parse(data=data, filename=filename)
    with transaction.atomic():
        ProblemSet.objects.select_for_update().get(pk=problem_set.pk)
        start = _next_position(problem_set)
        created = Problem.objects.bulk_create(
            Problem(
                problem_set=problem_set,
                position=start + offset,
                statement=draft.statement,
                answer_key=draft.answer_key,
                answer_form=draft.answer_form,
                reference_solution=draft.reference_solution,
                topic=draft.topic,
                parameters=draft.parameters,
            )
            for offset, draft in enumerate(drafts)
        )
        _import_skills(created, drafts)
        problem_set.save(update_fields=["updated_at"])
    return created


def _import_skills(problems: list[Problem], drafts: list[ProblemDraft]) -> None:
    # One through-table insert for the whole file rather than a .set() per problem.
    skills = {s.slug: s for s in skills_for_names(n for d in drafts for n in d.skills)}
    Through = Problem.skills.through
    Through.objects.bulk_create(
        Through(problem_id=problem.pk, skill_id=skills[skill_slug(name)].pk)
        for problem, draft in zip(problems, drafts, strict=True)
        for name in draft.skills
    )
