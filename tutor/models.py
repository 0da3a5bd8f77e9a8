"""Stepwise's durable records. The database is the source of truth for every transcript.

on_delete choices: deleting a teacher or a problem set that students have worked on is
refused (PROTECT), so no student's history disappears as a side effect; a student's own
records go with the student (CASCADE), which is what a per-student delete asks for.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tutor.usernames import (
    UsernameValidator,
    look_alike_taken,
    username_problem,
    validate_person_name,
)

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(8))


class User(AbstractUser):
    class Role(models.TextChoices):
        STUDENT = "student", _("Student")
        TEACHER = "teacher", _("Teacher")
        ADMIN = "admin", pgettext_lazy("role", "Admin")

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STUDENT)
    # Set when a teacher gives the student a temporary password: every page then sends the
    # student to the password-change page until they choose their own
    # (tutor.password_change.ForcePasswordChangeMiddleware).
    must_change_password = models.BooleanField(default=False)
    # The language the user chose for the pages ("" = follow the browser).
    language = models.CharField(max_length=8, blank=True, default="", choices=settings.LANGUAGES)
    # What the sign-up form checks a new username with (tutor/usernames.py). The field's own
    # validators stay Django's, so the schema and its migrations do not change.
    username_validator = UsernameValidator()

    def clean(self) -> None:
        """What the admin's forms check: a username like no one else's, names that print."""
        super().clean()  # reads the username in NFKC
        errors: dict[str, str] = {}
        problem = username_problem(self.username)
        if problem is None and look_alike_taken(self.username, exclude_pk=self.pk):
            problem = gettext(
                "That username looks too much like one already taken; choose another."
            )
        if problem:
            errors["username"] = problem
        for field in ("first_name", "last_name"):
            try:
                validate_person_name(getattr(self, field))
            except ValidationError as error:
                errors[field] = error.messages[0]
        if errors:
            raise ValidationError(errors)

    @property
    def is_teacher(self) -> bool:
        return self.role == self.Role.TEACHER

    @property
    def is_reviewer(self) -> bool:
        return self.role == self.Role.ADMIN or self.is_superuser


class Classroom(models.Model):
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="classrooms"
    )
    name = models.CharField(max_length=120)
    join_code = models.CharField(max_length=16, unique=True, default=new_join_code)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Enrolment(models.Model):
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="enrolments")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["classroom", "student"], name="unique_enrolment")
        ]

    def __str__(self) -> str:
        return f"Student {self.student_id} in {self.classroom}"


class ProblemSet(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="problem_sets"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.title


class Skill(models.Model):
    """What a problem practises (linear equations, expansion, fractions...), with the
    Bayesian knowledge tracing parameters its mastery estimates use (tutor/mastery/bkt.py).

    The parameters start at the defaults; ``fit_mastery`` replaces them once enough answers
    are logged, and ``fitted_at`` says when it last did.
    """

    name = models.CharField(max_length=80, unique=True)
    # The identity of a skill: "Linear equations" and "linear equations" are one skill.
    slug = models.SlugField(max_length=80, unique=True, allow_unicode=True)
    prior = models.FloatField(default=0.3)
    learn = models.FloatField(default=0.15)
    guess = models.FloatField(default=0.2)
    slip = models.FloatField(default=0.1)
    fitted_at = models.DateTimeField(null=True, blank=True)
    fit_observations = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Problem(models.Model):
    problem_set = models.ForeignKey(ProblemSet, on_delete=models.CASCADE, related_name="problems")
    position = models.PositiveIntegerField(default=0)
    statement = models.TextField(help_text=_("Markdown with LaTeX between $...$ or \\(...\\)."))
    answer_key = models.CharField(max_length=500)
    # A template's parameters (tutor.checker.variants): with them, the statement and the key
    # hold {...} placeholders and each student works their own variant.
    parameters = models.TextField(blank=True)
    # The form the question asks its answer in (tutor.checker.answer_forms.FORMS); blank: any.
    answer_form = models.CharField(
        max_length=20,
        blank=True,
        default="",
        choices=[
            ("", _("any form")),
            ("expanded", _("expanded")),
            ("factored", _("fully factored")),
            ("simplified", _("fully simplified")),
            ("exact", _("exact (no decimals)")),
            ("lowest_terms", _("lowest terms")),
            ("units", _("units required")),
        ],
    )
    reference_solution = models.TextField(blank=True)
    # The first skill's name, kept for the pages and files that still say "topic".
    topic = models.CharField(max_length=80, blank=True)
    skills = models.ManyToManyField(Skill, related_name="problems", blank=True)

    class Meta:
        ordering = ["problem_set", "position", "id"]

    def __str__(self) -> str:
        return f"{self.problem_set.title} #{self.position + 1}"


class Assignment(models.Model):
    problem_set = models.ForeignKey(
        ProblemSet, on_delete=models.PROTECT, related_name="assignments"
    )
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="assignments")
    due_at = models.DateTimeField()
    # Percent taken off the score of a problem first answered right after the due date.
    late_penalty_percent = models.PositiveSmallIntegerField(default=0)
    # Final answers the checker decided (right or wrong) allowed per problem; None: no limit.
    max_tries = models.PositiveSmallIntegerField(null=True, blank=True)
    # After the due date the student sees the answer key on the problem page (and no more
    # answers are taken, since the key is in view).
    show_answer_after_due = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["problem_set", "classroom"], name="unique_assignment_per_class"
            ),
            models.CheckConstraint(
                condition=Q(late_penalty_percent__lte=100), name="assignment_penalty_0_100"
            ),
            models.CheckConstraint(
                condition=Q(max_tries__isnull=True) | Q(max_tries__gte=1),
                name="assignment_max_tries_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.problem_set} for {self.classroom}"


class Attempt(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        CORRECT = "correct", _("Correct")
        INCORRECT = "incorrect", _("Incorrect")

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="attempts")
    steps = models.JSONField(default=list, blank=True)
    # The edit number of the saved steps: a save with an older number than the one kept is
    # refused, so checks that finish out of order never put older lines back.
    steps_version = models.PositiveBigIntegerField(default=0)
    # Which variant of a templated problem the student works: "Show me another" counts up.
    variant = models.PositiveIntegerField(default=0)
    final_answer = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    score = models.FloatField(default=0.0)
    tries = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "problem"], name="unique_attempt"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1), name="attempt_score_0_1"
            ),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.pk}: student {self.student_id} on {self.problem}"


class AnswerSubmission(models.Model):
    """One final answer checked against the key: the attempt's history."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="submissions")
    answer = models.CharField(max_length=500)
    equivalent = models.BooleanField(null=True)
    detail = models.CharField(max_length=500, blank=True)
    # Given after the due date of the assignment it was answered under; stamped when given,
    # like a paper marked late, so moving the due date later does not rewrite the history.
    late = models.BooleanField(default=False)
    variant = models.PositiveIntegerField(default=0)  # of a templated problem: Attempt.variant
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Answer {self.pk} to attempt {self.attempt_id}"


class SkillMastery(models.Model):
    """A student's estimated P(known) for one skill, updated after each final answer."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="masteries"
    )
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="masteries")
    p_known = models.FloatField()
    answers = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "skill"], name="unique_mastery"),
            models.CheckConstraint(
                condition=Q(p_known__gte=0) & Q(p_known__lte=1), name="mastery_p_known_0_1"
            ),
        ]

    def __str__(self) -> str:
        return f"Student {self.student_id} on {self.skill}: {self.p_known:.0%}"


class TutoringSession(models.Model):
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tutoring_sessions"
    )
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="sessions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "problem"], name="unique_session")
        ]

    def __str__(self) -> str:
        return f"Tutoring session {self.pk}: student {self.student_id} on {self.problem}"


class Turn(models.Model):
    class Mode(models.TextChoices):
        HINT = "hint", _("Hint")
        CHECK = "check", _("Check my work")
        SOLVE = "solve", _("Full solution")
        FOLLOWUP = "followup", _("Question")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Final(models.TextChoices):
        """The tutor's final answer against the problem's key."""

        AGREES = "agrees", _("Agrees with the key")
        DISAGREES = "disagrees", _("Disagrees with the key")
        UNDECIDED = "undecided", _("Could not be compared with the key")

    FINISHED = (Status.DONE, Status.FAILED, Status.CANCELLED)

    session = models.ForeignKey(TutoringSession, on_delete=models.CASCADE, related_name="turns")
    index = models.PositiveIntegerField()
    mode = models.CharField(max_length=16, choices=Mode.choices)
    # For a hint: which rung of the hint ladder (1 = a nudge ... the last = bottom-out).
    hint_rung = models.PositiveSmallIntegerField(null=True, blank=True)
    question = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    # The raw transcript, thinking included, written once when the turn ends: the steps below
    # are saved as they are checked, so a long answer is never rewritten on every save.
    text = models.TextField(blank=True)
    # The sequence number of the last event published for this turn; a reconnecting client
    # compares it with its own to know whether it missed anything.
    last_seq = models.PositiveIntegerField(default=0)
    token_count = models.PositiveIntegerField(default=0)
    finish_reason = models.CharField(max_length=16, blank=True)
    error = models.CharField(max_length=500, blank=True)
    model_name = models.CharField(max_length=200, blank=True)
    is_demo = models.BooleanField(default=False)
    final_answer = models.CharField(max_length=500, blank=True)
    final_verdict = models.CharField(max_length=16, choices=Final.choices, blank=True)
    # How many steps were taken back and written again because the checker proved them wrong.
    rewrites = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Stamped by the running worker every few seconds, with the database's clock; a running
    # turn whose stamp is older than TURN_HEARTBEAT_TTL_S has lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    first_token_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "index"]
        constraints = [
            models.UniqueConstraint(fields=["session", "index"], name="unique_turn_index")
        ]
        indexes = [models.Index(fields=["status", "queued_at"])]

    def __str__(self) -> str:
        return (
            f"Turn {self.index + 1} of session {self.session_id} "
            f"({self.get_mode_display()}, {self.get_status_display()})"
        )

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


class StepVerdict(models.Model):
    class Verdict(models.TextChoices):
        OK = "ok", _("Correct")
        WRONG = "wrong", _("Wrong")
        WEAKER = "weaker", _("Only implied")
        UNKNOWN = "unknown", _("Cannot decide")
        NONE = "none", _("No math to check")
        UNCHECKED = "unchecked", _("Not checked")

    # Exactly one owner: a student's attempt or a model's turn.
    attempt = models.ForeignKey(
        Attempt, null=True, blank=True, on_delete=models.CASCADE, related_name="verdicts"
    )
    turn = models.ForeignKey(
        Turn, null=True, blank=True, on_delete=models.CASCADE, related_name="verdicts"
    )
    index = models.PositiveIntegerField()
    text = models.TextField()
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    detail = models.CharField(max_length=500, blank=True)
    rule = models.CharField(max_length=64, blank=True)
    read_as = models.CharField(max_length=500, blank=True)
    # A tutor step inside its <think> block: judged and shown, never flagged or counted.
    thinking = models.BooleanField(default=False)
    # Drafts of this tutor step that the checker proved wrong before this one was written:
    # [{"text": ..., "detail": ..., "rule": ...}], the evidence a reviewer sees.
    drafts = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["index"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(attempt__isnull=False) & Q(turn__isnull=True))
                | (Q(attempt__isnull=True) & Q(turn__isnull=False)),
                name="verdict_has_one_owner",
            ),
            models.UniqueConstraint(
                fields=["attempt", "index"],
                condition=Q(attempt__isnull=False),
                name="unique_attempt_step",
            ),
            models.UniqueConstraint(
                fields=["turn", "index"], condition=Q(turn__isnull=False), name="unique_turn_step"
            ),
        ]
        # Class analytics count the named misconceptions of a class's attempts: about one step
        # in fifteen, so they are read from this index rather than by scanning every step.
        indexes = [
            models.Index(
                fields=["attempt", "rule"],
                condition=Q(attempt__isnull=False) & ~Q(rule=""),
                name="verdict_attempt_named_rule",
            )
        ]

    def __str__(self) -> str:
        owner = f"turn {self.turn_id}" if self.turn_id else f"attempt {self.attempt_id}"
        return f"Step {self.index + 1} of {owner}: {self.get_verdict_display()}"


class Flag(models.Model):
    class Kind(models.TextChoices):
        MODEL_STEP = "model_step", _("Model step marked wrong")
        ANSWER_MISMATCH = "answer_mismatch", _("Final answer disagrees with the key")
        DISPUTE = "dispute", _("Student dispute")
        MODERATION = "moderation", _("Moderation")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Dismissed as a false alarm")
        KEY_FIXED = "key_fixed", _("Answer key fixed")

    kind = models.CharField(max_length=24, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    reason = models.CharField(max_length=500)
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="flags")
    turn = models.ForeignKey(
        Turn, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    attempt = models.ForeignKey(
        Attempt, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    step = models.ForeignKey(
        StepVerdict, null=True, blank=True, on_delete=models.SET_NULL, related_name="flags"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flags_raised",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flags_reviewed",
    )
    resolution = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | (~Q(status="open") & Q(resolved_at__isnull=False)),
                name="flag_resolved_at_matches_status",
            )
        ]

    def __str__(self) -> str:
        return f"Flag {self.pk}: {self.get_kind_display()} ({self.get_status_display()})"


class FlagEvent(models.Model):
    """The audit trail of the review queue: who did what to a flag, when, and why."""

    class Action(models.TextChoices):
        RAISED = "raised", _("Raised")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Dismissed as a false alarm")
        KEY_FIXED = "key_fixed", _("Answer key fixed")

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flag_events",
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    note = models.TextField(blank=True)
    # For a key fix: the key before and after, so the change can be traced and undone by hand.
    old_value = models.CharField(max_length=500, blank=True)
    new_value = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: flag {self.flag_id}"


class NamedMisconception(models.Model):
    """A misconception the checker named on a student's line, kept after the line is fixed.

    A student's saved verdicts are replaced at every check, and the point of a flagged line
    is that the student fixes it; the class's analytics count what students got wrong, so
    each named mistake is logged once (per line text, problem and variant) when first seen.
    """

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="misconceptions"
    )
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="misconceptions")
    variant = models.PositiveIntegerField(default=0)
    rule = models.CharField(max_length=64)
    line = models.CharField(max_length=1000)
    # The line's hash, not the line, is in the unique key: an index entry stays small.
    line_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["student", "problem", "variant", "rule", "line_hash"],
                name="unique_named_misconception",
            )
        ]
        indexes = [models.Index(fields=["problem", "rule"])]

    def __str__(self) -> str:
        return (
            f"Misconception {self.rule} of student {self.student_id} on problem {self.problem_id}"
        )


# LTI links live in their own package; imported here so Django finds them in the tutor app.
from tutor.lti.models import LtiAssignmentLink, LtiClassLink, LtiGrade  # noqa: E402, F401
