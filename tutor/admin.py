"""The Django admin: accounts, classes and sets to manage; the record, to read.

The admin must not get around the audit trail. Flag decisions and answer-key changes are
made on the review page (tutor.services.flags.flag_resolve, which requires a note and writes
a FlagEvent with the old and new key); transcripts, attempts, verdicts and the audit events
themselves are shown read-only. Nothing that the retention rules own is deleted from a page:
students go with `manage.py delete_student`, old records with `manage.py purge_old_data`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tutor import models


class ReadOnly:
    """Viewable, never added, changed or deleted from a page."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.User)
class StepwiseUserAdmin(UserAdmin):
    list_display = ("username", "email", "role", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Stepwise", {"fields": ("role", "must_change_password")}),
    )

    # An account is deactivated here, never deleted: a student's delete takes their work
    # with them and is done from the command line (manage.py delete_student).
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EnrolmentInline(admin.TabularInline):
    model = models.Enrolment
    extra = 0


@admin.register(models.Classroom)
class ClassroomAdmin(admin.ModelAdmin):
    list_display = ("name", "teacher", "join_code", "created_at")
    list_select_related = ("teacher",)
    inlines = [EnrolmentInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Another teacher would take over the class's students and their work.
        return ("teacher",) if obj is not None else ()


class ProblemInline(admin.StackedInline):
    model = models.Problem
    extra = 0
    can_delete = False
    # A key is changed on the review page, where the change is kept with a note.
    readonly_fields = ("answer_key",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.ProblemSet)
class ProblemSetAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "updated_at")
    list_select_related = ("owner",)
    inlines = [ProblemInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # The owner decides who sees the set's flags and students' work on it.
        return ("owner",) if obj is not None else ()


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = models.Assignment
        fields = (
            "problem_set",
            "classroom",
            "due_at",
            "late_penalty_percent",
            "max_tries",
            "show_answer_after_due",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        problem_set, classroom = data.get("problem_set"), data.get("classroom")
        if problem_set and classroom and problem_set.owner_id != classroom.teacher_id:
            raise forms.ValidationError(
                gettext("A set can only be assigned to its own teacher's class.")
            )
        return data


@admin.register(models.Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    form = AssignmentForm
    list_display = ("problem_set", "classroom", "due_at")
    list_select_related = ("problem_set", "classroom")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Withdraw (delete) and assign again: a change in place would tell no open socket.
        return ("problem_set", "classroom") if obj is not None else ()


@admin.register(models.Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("name", "prior", "learn", "guess", "slip", "fitted_at", "fit_observations")
    search_fields = ("name",)
    # What the last fit_mastery run found; the parameters themselves may be set by hand.
    readonly_fields = ("fitted_at", "fit_observations")


@admin.register(models.SkillMastery)
class SkillMasteryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("student", "skill", "p_known", "answers", "updated_at")
    list_select_related = ("student", "skill")
    list_filter = ("skill",)


class AnswerSubmissionInline(ReadOnly, admin.TabularInline):
    model = models.AnswerSubmission
    extra = 0


@admin.register(models.Attempt)
class AttemptAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("__str__", "student", "status", "score", "updated_at")
    list_filter = ("status",)
    list_select_related = ("student", "problem__problem_set")
    inlines = [AnswerSubmissionInline]


class TurnInline(ReadOnly, admin.StackedInline):
    model = models.Turn
    extra = 0
    fields = ("index", "mode", "question", "status", "text", "token_count", "queued_at")
    readonly_fields = fields


@admin.register(models.TutoringSession)
class TutoringSessionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("__str__", "student", "created_at")
    list_select_related = ("student", "problem__problem_set")
    inlines = [TurnInline]


@admin.register(models.Turn)
class TurnAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("__str__", "mode", "status", "token_count", "queued_at")
    list_filter = ("status", "mode")


@admin.register(models.StepVerdict)
class StepVerdictAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("__str__", "verdict", "rule")
    list_filter = ("verdict",)


class FlagEventInline(ReadOnly, admin.TabularInline):
    model = models.FlagEvent
    extra = 0


@admin.register(models.Flag)
class FlagAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("__str__", "kind", "status", "problem", "created_at", "reviewer", "review")
    list_filter = ("status", "kind")
    list_select_related = ("problem__problem_set", "reviewer")
    inlines = [FlagEventInline]

    @admin.display(description=_("decide"))
    def review(self, flag: models.Flag) -> str:
        # Decisions are made there: a note is required and the trail records it.
        url = reverse("review_flag", args=[flag.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("On the review page"))


@admin.register(models.FlagEvent)
class FlagEventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("__str__", "action", "actor", "created_at")
    list_filter = ("action",)
