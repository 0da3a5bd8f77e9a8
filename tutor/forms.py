"""Forms: input shape and size only. What the input means is decided by the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation

from tutor.models import Flag, User


class SignupForm(forms.Form):
    username = forms.CharField(max_length=150, widget=forms.TextInput({"autocomplete": "username"}))
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    password = forms.CharField(
        widget=forms.PasswordInput({"autocomplete": "new-password"}), max_length=128
    )
    join_code = forms.CharField(label="Class join code", max_length=16)

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip()
        User.username_validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is taken; choose another.")
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password"):
            candidate = User(
                username=data.get("username", ""), first_name=data.get("first_name", "")
            )
            try:
                password_validation.validate_password(data["password"], candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class JoinForm(forms.Form):
    join_code = forms.CharField(label="Class join code", max_length=16)


class ClassroomForm(forms.Form):
    name = forms.CharField(label="Class name", max_length=120)


class ProblemSetForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea({"rows": 3}), required=False, max_length=5000
    )


ANSWER_FORMS = [
    ("", "any form"),
    ("expanded", "expanded"),
    ("factored", "fully factored"),
    ("simplified", "fully simplified"),
    ("exact", "exact (no decimals)"),
    ("lowest_terms", "lowest terms"),
    ("units", "units required"),
]


class ProblemForm(forms.Form):
    statement = forms.CharField(
        widget=forms.Textarea({"rows": 6, "data-preview": "statement-preview"}),
        max_length=10_000,
        help_text="Markdown; math between $...$ or \\(...\\), display math between $$...$$.",
    )
    answer_key = forms.CharField(
        label="Answer key",
        max_length=500,
        help_text="The checker reads the key when you save; a key it cannot read is refused.",
    )
    answer_form = forms.ChoiceField(
        label="The answer must be",
        choices=ANSWER_FORMS,
        required=False,
        help_text="A right value in another form is told so, not marked wrong.",
    )
    skills = forms.CharField(
        label="Skills",
        max_length=900,
        required=False,
        help_text="Separated by commas, e.g. linear equations, fractions. "
        "Mastery is tracked per skill.",
    )
    reference_solution = forms.CharField(
        label="Reference solution",
        widget=forms.Textarea({"rows": 5, "data-preview": "solution-preview"}),
        required=False,
        max_length=20_000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        statement = self.data.get("statement") if self.is_bound else self.initial.get("statement")
        self.suggested_form = ""
        if isinstance(statement, str) and statement.strip():
            from tutor.checker.answer_forms import suggest_form

            self.suggested_form = suggest_form(statement)
        if self.suggested_form:
            label = dict(ANSWER_FORMS)[self.suggested_form]
            self.fields["answer_form"].help_text = (
                f"Suggested from the statement: {label}. "
                "A right value in another form is told so, not marked wrong."
            )
            if not self.is_bound and "answer_form" not in self.initial:
                self.initial["answer_form"] = self.suggested_form


class ImportForm(forms.Form):
    file = forms.FileField(help_text="JSONL or CSV, up to 2 MB. See the import format.")


class AssignForm(forms.Form):
    problem_set = forms.TypedChoiceField(label="Problem set", coerce=int)
    due_at = forms.DateTimeField(
        label="Due", widget=forms.DateTimeInput({"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )

    def __init__(self, *args: Any, sets: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["problem_set"].choices = sets  # type: ignore[attr-defined]


class ResolveForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("confirm", "Confirm: the verdict or flag is right"),
            ("dismiss", "Dismiss as a false alarm"),
            ("fix_key", "Fix the answer key"),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(widget=forms.Textarea({"rows": 3}), max_length=2000)
    new_key = forms.CharField(label="Corrected answer key", max_length=500, required=False)


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "All kinds"), *Flag.Kind.choices], required=False)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Flag.Status.choices], required=False, initial="open"
    )
