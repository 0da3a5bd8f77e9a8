"""Reads, including every permission question: who may see which session, attempt or class."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from tutor import turn_state
from tutor.models import (
    AnswerSubmission,
    Assignment,
    Attempt,
    Classroom,
    Flag,
    Problem,
    ProblemSet,
    StepVerdict,
    Turn,
    TutoringSession,
    User,
)
from tutor.problem_variants import shown_problem

# The largest id a database row can have (a bigint): a larger one from a URL or a message
# would make PostgreSQL raise instead of finding nothing.
MAX_ID = 2**63 - 1


def is_row_id(value: object) -> bool:
    """A value that can name a row: a positive int, never a bool, within the bigint range."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def session_visible_to(*, user: User, session_id: int) -> TutoringSession | None:
    """The session if this user may watch it now.

    Its student, while the problem is still assigned to them; a teacher whose own problem
    set it is, assigned to a class of theirs the student is in; or a reviewer. Access follows
    enrolment and assignment, not ownership alone: a removed student loses the tutor, and a
    teacher never sees a shared student's work on another teacher's set.
    """
    if not user.is_authenticated or not is_row_id(session_id):
        return None
    session = (
        TutoringSession.objects.select_related("student", "problem__problem_set")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        return None
    if user.is_reviewer:
        return session
    if session.student_id == user.pk:
        assigned = is_assigned(student_id=user.pk, problem_id=session.problem_id)
        return session if assigned else None
    if user.is_teacher and teaches_student(
        teacher=user, student_id=session.student_id, problem_set_id=session.problem.problem_set_id
    ):
        return session
    return None


def turn_visible_to(*, user: User, turn_id: int) -> Turn | None:
    """A tutor turn if this user may read it: the same people who may watch its session."""
    if not is_row_id(turn_id):
        return None
    turn = Turn.objects.filter(pk=turn_id).only("pk", "session_id", "final_verdict").first()
    if turn is None or session_visible_to(user=user, session_id=turn.session_id) is None:
        return None
    return turn


def teaches_student(*, teacher: User, student_id: int, problem_set_id: int) -> bool:
    """Whether the teacher's own set is assigned to a class of theirs that has the student."""
    return Assignment.objects.filter(
        problem_set_id=problem_set_id,
        problem_set__owner=teacher,
        classroom__teacher=teacher,
        classroom__enrolments__student_id=student_id,
    ).exists()


def is_assigned(*, student_id: int, problem_id: int) -> bool:
    """Whether the problem's set is assigned to a class the student is enrolled in now."""
    return Problem.objects.filter(
        pk=problem_id, problem_set__assignments__classroom__enrolments__student_id=student_id
    ).exists()


def problems_for_student(*, student: User) -> QuerySet[Problem]:
    """Problems from sets assigned to any class the student is enrolled in."""
    return Problem.objects.filter(
        problem_set__assignments__classroom__enrolments__student=student
    ).distinct()


def problem_visible_to(*, user: User, problem_id: int) -> Problem | None:
    if user.is_reviewer:
        return Problem.objects.filter(pk=problem_id).first()
    if user.is_teacher:
        return Problem.objects.filter(pk=problem_id, problem_set__owner=user).first()
    return problems_for_student(student=user).filter(pk=problem_id).first()


def assignments_for_student(*, student: User) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(classroom__enrolments__student=student)
        .select_related("problem_set", "classroom")
        .order_by("due_at")
    )


def queue_position(turn: Turn) -> int:
    """1 means next to start."""
    return Turn.objects.filter(status=Turn.Status.QUEUED, queued_at__lt=turn.queued_at).count() + 1


SUMMARY_COUNTS = {
    "answer_steps": Count("verdicts", filter=Q(verdicts__thinking=False)),
    "thinking_steps": Count("verdicts", filter=Q(verdicts__thinking=True)),
    "answer_wrong": Count(
        "verdicts", filter=Q(verdicts__thinking=False, verdicts__verdict=StepVerdict.Verdict.WRONG)
    ),
    "thinking_wrong": Count(
        "verdicts", filter=Q(verdicts__thinking=True, verdicts__verdict=StepVerdict.Verdict.WRONG)
    ),
    "last_step": Max("verdicts__index"),
}


def turn_snapshot_event(turn: Turn) -> dict[str, Any]:
    """A turn's state without its steps, small whatever the answer's length.

    The steps themselves are read page by page over HTTP (``turn_steps_page``): a 30,000-token
    answer's steps are several hundred KB, and a websocket frame must stay far below daphne's
    message cap. The snapshot carries the seq of the newest event it reflects; a client drops
    a snapshot older than what it already shows (events from web and worker can cross).
    """
    if not hasattr(turn, "answer_steps"):
        turn = Turn.objects.annotate(**SUMMARY_COUNTS).get(pk=turn.pk)
    seq = turn.last_seq
    if turn.status == Turn.Status.RUNNING:
        seq = max(seq, turn_state.live_seq(turn.pk) or 0)
    return {
        "type": "turn.snapshot",
        "turn": turn.pk,
        "seq": seq,
        "index": turn.index,
        "mode": turn.mode,
        "hint_rung": turn.hint_rung,
        "question": turn.question[:200],
        "status": turn.status,
        "error": turn.error,
        "finish_reason": turn.finish_reason,
        "tokens": turn.token_count,
        "is_demo": turn.is_demo,
        "position": queue_position(turn) if turn.status == Turn.Status.QUEUED else None,
        "final": {"answer": turn.final_answer, "verdict": turn.final_verdict}
        if turn.final_verdict
        else None,
        "rewrites": turn.rewrites,
        "counts": {
            "answer": turn.answer_steps,  # type: ignore[attr-defined]
            "thinking": turn.thinking_steps,  # type: ignore[attr-defined]
            "answer_wrong": turn.answer_wrong,  # type: ignore[attr-defined]
            "thinking_wrong": turn.thinking_wrong,  # type: ignore[attr-defined]
        },
        "last_step": -1 if turn.last_step is None else turn.last_step,  # type: ignore[attr-defined]
    }


SNAPSHOT_TURNS = 40  # newest first; ~0.6 KB each keeps the frame well under 32 KB


def session_snapshot(*, session: TutoringSession) -> list[dict[str, Any]]:
    """Summaries of the session's newest turns, oldest of them first."""
    newest = session.turns.annotate(**SUMMARY_COUNTS).order_by("-index")[:SNAPSHOT_TURNS]
    return [turn_snapshot_event(t) for t in reversed(newest)]


STEPS_PAGE = 200


def turn_steps_page(
    *, turn: Turn, thinking: bool, after: int = -1, limit: int = STEPS_PAGE
) -> dict[str, Any]:
    """Saved steps of one part of a turn (its thinking or its answer), in order, after a step.

    Rejected drafts are counted, not shown: their text is evidence for the reviewer.
    """
    limit = max(1, min(limit, STEPS_PAGE))
    rows = list(
        turn.verdicts.filter(thinking=thinking, index__gt=after)
        .order_by("index")
        .values("index", "text", "verdict", "detail", "rule", "drafts")[: limit + 1]
    )
    steps = [
        {
            "index": row["index"],
            "text": row["text"],
            "verdict": row["verdict"],
            "detail": row["detail"],
            "rule": row["rule"] or None,
            "thinking": thinking,
            "rewritten": len(row["drafts"]),
            "final": _final_mark(turn, row["text"]) if not thinking else None,
        }
        for row in rows[:limit]
    ]
    return {"turn": turn.pk, "steps": steps, "more": len(rows) > limit}


def _final_mark(turn: Turn, text: str) -> str | None:
    # The step that carries the final answer shows the key check with it, as it did live.
    if turn.final_verdict and "\\boxed" in text:
        return turn.final_verdict
    return None


def queued_positions(*, session: TutoringSession) -> list[tuple[int, int]]:
    return [
        (turn.pk, queue_position(turn)) for turn in session.turns.filter(status=Turn.Status.QUEUED)
    ]


@dataclass(frozen=True)
class TurnInputs:
    """What the worker needs to answer one turn: the prompt's parts and the problem's key."""

    mode: str
    question: str
    hint_rung: int | None
    problem: str
    answer_key: str
    reference: str
    attempt_steps: list[str]
    history: list[tuple[str, str]]  # (what was asked, what the tutor answered), oldest first
    step_count: int  # steps already saved: a continued answer numbers on from here


def turn_inputs(*, turn: Turn) -> TurnInputs:
    """The problem, the student's work so far and the session's earlier finished answers."""
    session = turn.session
    problem = session.problem
    attempt = problem.attempts.filter(student_id=session.student_id).first()
    # The tutor explains the student's own variant of a templated problem.
    shown = shown_problem(problem=problem, student=session.student, attempt=attempt)
    earlier = session.turns.filter(index__lt=turn.index, status=Turn.Status.DONE)
    return TurnInputs(
        mode=turn.mode,
        question=turn.question,
        hint_rung=turn.hint_rung,
        problem=shown.statement,
        answer_key=shown.answer_key,
        reference=problem.reference_solution,
        attempt_steps=list(attempt.steps) if attempt else [],
        history=[(t.question or t.get_mode_display(), t.text) for t in earlier],
        step_count=turn.verdicts.count(),
    )


# Students: their dashboard and their own attempts. A student only ever sees rows keyed on
# their own user, so no attempt id from a URL is ever trusted.


@dataclass(frozen=True)
class AssignmentProgress:
    assignment: Assignment
    done: int
    total: int
    score: float

    @property
    def overdue(self) -> bool:
        return self.done < self.total and self.assignment.due_at < timezone.now()


def student_dashboard(*, student: User) -> list[AssignmentProgress]:
    rows = []
    for assignment in assignments_for_student(student=student):
        problems = assignment.problem_set.problems.all()
        attempts = Attempt.objects.filter(student=student, problem__in=problems)
        total = problems.count()
        done = attempts.filter(status=Attempt.Status.CORRECT).count()
        score = sum(a.score for a in attempts)
        rows.append(AssignmentProgress(assignment, done, total, score))
    return rows


def attempt_of(*, student: User, problem: Problem) -> Attempt | None:
    return (
        Attempt.objects.filter(student=student, problem=problem)
        .prefetch_related("verdicts", "submissions")
        .first()
    )


# Teachers: everything goes through the teacher's own classes and sets; anything else is
# None, which the views turn into a 404 so that another teacher's ids reveal nothing.


def classrooms_for_teacher(*, teacher: User) -> QuerySet[Classroom]:
    return Classroom.objects.filter(teacher=teacher).order_by("name", "id")


def classroom_for_teacher(*, teacher: User, classroom_id: int) -> Classroom | None:
    if not teacher.is_teacher:
        return None
    return Classroom.objects.filter(pk=classroom_id, teacher=teacher).first()


def problem_sets_for_owner(*, owner: User) -> QuerySet[ProblemSet]:
    return ProblemSet.objects.filter(owner=owner).annotate(n_problems=Count("problems"))


def problem_set_for_owner(*, owner: User, set_id: int) -> ProblemSet | None:
    if not owner.is_teacher:
        return None
    return ProblemSet.objects.filter(pk=set_id, owner=owner).first()


def problem_for_owner(*, owner: User, problem_id: int) -> Problem | None:
    if not owner.is_teacher:
        return None
    return Problem.objects.filter(pk=problem_id, problem_set__owner=owner).first()


def assignment_for_teacher(*, teacher: User, assignment_id: int) -> Assignment | None:
    """The teacher's own set assigned to the teacher's own class: its progress, gradebook and
    students' work. Either half alone (a class of theirs given another teacher's set by an
    admin) shows nothing."""
    if not teacher.is_teacher:
        return None
    return (
        Assignment.objects.select_related("problem_set", "classroom")
        .filter(pk=assignment_id, classroom__teacher=teacher, problem_set__owner=teacher)
        .first()
    )


def assignment_for_work(*, student: User, problem: Problem) -> Assignment | None:
    """The assignment a student answers a problem under, from the classes they are in now.

    A student in two classes that both have the set works under the one due last: the later
    due date, with its own penalty, limit and key rule, is the one not yet past."""
    return (
        Assignment.objects.filter(
            problem_set_id=problem.problem_set_id, classroom__enrolments__student=student
        )
        .order_by("-due_at", "-id")
        .first()
    )


def decided_tries(*, student: User, problem: Problem) -> int:
    """Final answers the checker decided, right or wrong: what an attempt limit counts."""
    return AnswerSubmission.objects.filter(
        attempt__student=student, attempt__problem=problem, equivalent__isnull=False
    ).count()


def roster(*, classroom: Classroom) -> QuerySet[User]:
    return User.objects.filter(enrolments__classroom=classroom).order_by(
        "last_name", "first_name", "username"
    )


def student_in_class(*, classroom: Classroom, student_id: int) -> User | None:
    """A student enrolled in this class now; None for anyone else (a 404 in the views)."""
    if not is_row_id(student_id):
        return None
    return roster(classroom=classroom).filter(pk=student_id, role=User.Role.STUDENT).first()


def student_of_assignment(*, assignment: Assignment, student_id: int) -> User | None:
    return roster(classroom=assignment.classroom).filter(pk=student_id).first()


@dataclass(frozen=True)
class ProgressCell:
    """One student on one problem. The student's own mistakes and the tutor's are counted
    apart: a tutor step the checker caught is the tutor's error, not the student's."""

    problem: Problem
    attempt: Attempt | None
    wrong_lines: int = 0  # the student's own lines the checker marked wrong
    student_flags: int = 0  # flags on the attempt, and disputes or moderation the student raised
    tutor_flags: int = 0  # the tutor's steps or answers flagged in this student's session
    hints: int = 0  # hints the tutor gave (failed and cancelled ones not counted)
    late: bool = False  # the answer that counts was given after the due date

    @property
    def status(self) -> str:
        return self.attempt.status if self.attempt else "not_started"

    @property
    def seconds(self) -> int:
        if self.attempt is None:
            return 0
        return int((self.attempt.updated_at - self.attempt.started_at).total_seconds())

    @property
    def time_spent(self) -> str:
        seconds = self.seconds
        return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min"


@dataclass(frozen=True)
class ProgressRow:
    student: User
    cells: list[ProgressCell]

    @property
    def score(self) -> float:
        return sum(c.attempt.score for c in self.cells if c.attempt)


Key = tuple[int, int]  # (student id, problem id)

TUTOR_FLAG_KINDS = (Flag.Kind.MODEL_STEP, Flag.Kind.ANSWER_MISMATCH)


def _progress_attempts(students: list[User], problems: list[Problem]) -> dict[Key, Attempt]:
    # distinct=True: Counts over two joins (verdicts, submissions) would multiply each other.
    return {
        (a.student_id, a.problem_id): a
        for a in Attempt.objects.filter(student__in=students, problem__in=problems).annotate(
            n_wrong=Count(
                "verdicts", filter=Q(verdicts__verdict=StepVerdict.Verdict.WRONG), distinct=True
            ),
            n_late=Count("submissions", filter=Q(submissions__late=True), distinct=True),
            n_right_on_time=Count(
                "submissions",
                filter=Q(submissions__late=False, submissions__equivalent=True),
                distinct=True,
            ),
        )
    }


def _progress_flags(
    students: list[User], problems: list[Problem]
) -> tuple[dict[Key, int], dict[Key, int]]:
    """(the student's own flags, the tutor's flags) per student and problem."""
    own: dict[Key, int] = {}
    tutor: dict[Key, int] = {}
    mine = Q(attempt__student__in=students) | Q(raised_by__in=students)
    tutors = Q(kind__in=TUTOR_FLAG_KINDS, turn__session__student__in=students)
    for row in (
        Flag.objects.filter(problem__in=problems)
        .filter(mine | tutors)
        .values(
            "problem_id", "kind", "attempt__student_id", "raised_by_id", "turn__session__student_id"
        )
    ):
        if row["kind"] in TUTOR_FLAG_KINDS and row["turn__session__student_id"]:
            counts, student_id = tutor, row["turn__session__student_id"]
        else:
            counts, student_id = own, row["attempt__student_id"] or row["raised_by_id"]
        key = (student_id, row["problem_id"])
        counts[key] = counts.get(key, 0) + 1
    return own, tutor


def _progress_hints(students: list[User], problems: list[Problem]) -> dict[Key, int]:
    rows = (
        Turn.objects.filter(
            session__student__in=students, session__problem__in=problems, mode=Turn.Mode.HINT
        )
        .exclude(status__in=(Turn.Status.FAILED, Turn.Status.CANCELLED))
        .values("session__student_id", "session__problem_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["session__student_id"], r["session__problem_id"]): r["n"] for r in rows}


def _cell(
    problem: Problem, attempt: Attempt | None, key: Key, **counts: dict[Key, int]
) -> ProgressCell:
    return ProgressCell(
        problem,
        attempt,
        wrong_lines=getattr(attempt, "n_wrong", 0),
        student_flags=counts["own"].get(key, 0),
        tutor_flags=counts["tutor"].get(key, 0),
        hints=counts["hints"].get(key, 0),
        # Late work: some answer came after the due date, and no right one before it.
        late=bool(getattr(attempt, "n_late", 0)) and not getattr(attempt, "n_right_on_time", 0),
    )


def assignment_progress(*, assignment: Assignment) -> tuple[list[Problem], list[ProgressRow]]:
    """The grid of students x problems, in a fixed number of queries whatever its size."""
    problems = list(assignment.problem_set.problems.all())
    students = list(roster(classroom=assignment.classroom))
    attempts = _progress_attempts(students, problems)
    own, tutor = _progress_flags(students, problems)
    hints = _progress_hints(students, problems)
    rows = []
    for student in students:
        cells = []
        for problem in problems:
            key = (student.pk, problem.pk)
            cells.append(_cell(problem, attempts.get(key), key, own=own, tutor=tutor, hints=hints))
        rows.append(ProgressRow(student, cells))
    return problems, rows


def flags_for_teacher(*, teacher: User) -> QuerySet[Flag]:
    """Flags on the teacher's own problem sets, and moderation flags about their students.

    A student in two teachers' classes shows each teacher only the flags on that teacher's
    sets: disputes and the tutor's mistakes are about the problem, and belong to its author.
    A moderation flag is about the student's safety, so it goes to every teacher of theirs.
    """
    own_sets = Q(problem__problem_set__owner=teacher)
    about_my_student = Q(raised_by__enrolments__classroom__teacher=teacher) | Q(
        turn__session__student__enrolments__classroom__teacher=teacher
    )
    return (
        Flag.objects.filter(own_sets | (Q(kind=Flag.Kind.MODERATION) & about_my_student))
        .select_related("problem__problem_set", "step", "raised_by")
        .distinct()
        .order_by("-created_at")
    )


# Reviewers: admins and superusers see every flag.


def review_queue(*, user: User, kind: str = "", status: str = "open") -> QuerySet[Flag]:
    if not user.is_reviewer:
        return Flag.objects.none()
    flags = Flag.objects.select_related("problem__problem_set", "step", "raised_by", "reviewer")
    if kind:
        flags = flags.filter(kind=kind)
    if status:
        flags = flags.filter(status=status)
    return flags.order_by("-created_at")


def review_counts(*, user: User) -> dict[str, dict[str, int]]:
    """Open flags by kind, and all flags by status, for the queue's filter bar."""
    if not user.is_reviewer:
        return {"kind": {}, "status": {}}
    open_flags = Flag.objects.filter(status=Flag.Status.OPEN).order_by()
    by_kind = open_flags.values("kind").annotate(n=Count("id")).values_list("kind", "n")
    by_status = (
        Flag.objects.order_by().values("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return {"kind": dict(by_kind), "status": dict(by_status)}


def flag_for_reviewer(*, user: User, flag_id: int) -> Flag | None:
    if not user.is_reviewer:
        return None
    return (
        Flag.objects.select_related(
            "problem__problem_set", "step", "turn__session__student", "attempt__student"
        )
        .prefetch_related("events__actor")
        .filter(pk=flag_id)
        .first()
    )


def flag_context(*, flag: Flag) -> list[StepVerdict]:
    """The flagged step with the steps around it, from the same turn or attempt."""
    owner = Q(turn=flag.turn) if flag.turn_id else Q(attempt=flag.attempt)
    if not (flag.turn_id or flag.attempt_id):
        return []
    steps = StepVerdict.objects.filter(owner).order_by("index")
    if flag.step is not None:
        steps = steps.filter(index__gte=flag.step.index - 2, index__lte=flag.step.index + 2)
    return list(steps[:20])


# Disputes: only the student whose work it is may say a verdict is wrong.


def dispute_turn_for(*, user: User, turn_id: int) -> Turn | None:
    return (
        Turn.objects.select_related("session__problem")
        .filter(pk=turn_id, session__student=user)
        .first()
    )


def dispute_attempt_for(*, user: User, problem_id: int) -> Attempt | None:
    return (
        Attempt.objects.select_related("problem")
        .filter(problem_id=problem_id, student=user)
        .first()
    )
