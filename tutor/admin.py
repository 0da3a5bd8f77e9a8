from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from tutor import models


@admin.register(models.User)
class StepwiseUserAdmin(UserAdmin):
    list_display = ("username", "email", "role", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Stepwise", {"fields": ("role",)}))


class EnrolmentInline(admin.TabularInline):
    model = models.Enrolment
    extra = 0


@admin.register(models.Classroom)
class ClassroomAdmin(admin.ModelAdmin):
    list_display = ("name", "teacher", "join_code", "created_at")
    inlines = [EnrolmentInline]


class ProblemInline(admin.StackedInline):
    model = models.Problem
    extra = 0


@admin.register(models.ProblemSet)
class ProblemSetAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "updated_at")
    inlines = [ProblemInline]


@admin.register(models.Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("problem_set", "classroom", "due_at")


@admin.register(models.Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ("student", "problem", "status", "score", "updated_at")
    list_filter = ("status",)


class TurnInline(admin.StackedInline):
    model = models.Turn
    extra = 0
    readonly_fields = ("text", "status", "token_count", "queued_at", "finished_at")


@admin.register(models.TutoringSession)
class TutoringSessionAdmin(admin.ModelAdmin):
    list_display = ("student", "problem", "created_at")
    inlines = [TurnInline]


@admin.register(models.Turn)
class TurnAdmin(admin.ModelAdmin):
    list_display = ("session", "index", "mode", "status", "token_count", "queued_at")
    list_filter = ("status", "mode")


@admin.register(models.StepVerdict)
class StepVerdictAdmin(admin.ModelAdmin):
    list_display = ("index", "verdict", "rule", "attempt", "turn")
    list_filter = ("verdict",)


@admin.register(models.Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ("kind", "status", "problem", "created_at", "reviewer")
    list_filter = ("status", "kind")


@admin.register(models.FlagEvent)
class FlagEventAdmin(admin.ModelAdmin):
    list_display = ("flag", "action", "actor", "created_at")
    list_filter = ("action",)
    readonly_fields = ("flag", "actor", "action", "note", "old_value", "new_value", "created_at")
