"""Forms: input shape and size only. What the input means is decided by the services."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tutor import counters
from tutor.checker.decimal_comma import to_decimal_points, uses_decimal_comma
from tutor.models import Flag, User
from tutor.usernames import normalise_username, validate_person_name


class SignupForm(forms.Form):
    username = forms.CharField(
        label=_("Username"), max_length=150, widget=forms.TextInput({"autocomplete": "username"})
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=150, validators=[validate_person_name]
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, required=False, validators=[validate_person_name]
    )
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
        max_length=128,
    )
    join_code = forms.CharField(label=_("Class join code"), max_length=16)

    def clean_username(self) -> str:
        # As it is stored (NFKC): full-width "alice" is "alice", and is taken if alice is.
        username = normalise_username(self.cleaned_data["username"])
        User.username_validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(gettext("That username is taken; choose another."))
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
    join_code = forms.CharField(label=_("Class join code"), max_length=16)


class ClassroomForm(forms.Form):
    name = forms.CharField(label=_("Class name"), max_length=120)


class ProblemSetForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea({"rows": 3}), required=False, max_length=5000
    )


ANSWER_FORMS = [
    ("", _("any form")),
    ("expanded", _("expanded")),
    ("factored", _("fully factored")),
    ("simplified", _("fully simplified")),
    ("exact", _("exact (no decimals)")),
    ("lowest_terms", _("lowest terms")),
    ("units", _("units required")),
]


class ProblemForm(forms.Form):
    statement = forms.CharField(
        label=_("Statement"),
        widget=forms.Textarea({"rows": 6, "data-preview": "statement-preview"}),
        max_length=10_000,
        help_text=_("Markdown; math between $...$ or \\(...\\), display math between $$...$$."),
    )
    answer_key = forms.CharField(
        label=_("Answer key"),
        max_length=500,
        help_text=_("The checker reads the key when you save; a key it cannot read is refused."),
    )
    answer_form = forms.ChoiceField(
        label=_("The answer must be"),
        choices=ANSWER_FORMS,
        required=False,
        help_text=_("A right value in another form is told so, not marked wrong."),
    )
    skills = forms.CharField(
        label=_("Skills"),
        max_length=900,
        required=False,
        help_text=_(
            "Separated by commas, e.g. linear equations, fractions. Mastery is tracked per skill."
        ),
    )
    parameters = forms.CharField(
        label=_("Parameters"),
        widget=forms.Textarea({"rows": 4, "spellcheck": "false"}),
        required=False,
        max_length=2000,
        help_text=_(
            "Optional: makes the problem a template, with its own numbers for each student. "
            "One per line: 'a in 2..9', 'b in [1, 3, 5]', 'c = a*k + b', 'require c != 0'; "
            "then {a} in the statement and the key, or {(c - b)/a}."
        ),
    )
    reference_solution = forms.CharField(
        label=_("Reference solution"),
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
            self.fields["answer_form"].help_text = gettext(
                "Suggested from the statement: %(label)s. "
                "A right value in another form is told so, not marked wrong."
            ) % {"label": label}
            if not self.is_bound and "answer_form" not in self.initial:
                self.initial["answer_form"] = self.suggested_form

    def clean_answer_key(self) -> str:
        # Keys are stored as the checker reads them, with decimal points: a teacher on a page
        # that writes 0,5 for a half means a half, and students on any page are then compared
        # with that. Saved keys are shown back with the point.
        key: str = self.cleaned_data["answer_key"]
        if uses_decimal_comma(translation.get_language()):
            return to_decimal_points(key)
        return key


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("JSONL or CSV, up to 2 MB. See the import format.")
    )


class AssignForm(forms.Form):
    problem_set = forms.TypedChoiceField(label=_("Problem set"), coerce=int)
    due_at = forms.DateTimeField(
        label=_("Due"),
        widget=forms.DateTimeInput({"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    late_penalty_percent = forms.IntegerField(
        label=_("Late penalty (%)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Taken off a problem first answered right after the due date. Empty: none."),
    )
    max_tries = forms.IntegerField(
        label=_("Tries per problem"),
        min_value=1,
        max_value=1000,
        required=False,
        help_text=_("Final answers allowed per problem. Empty: no limit."),
    )
    show_answer_after_due = forms.BooleanField(
        label=_("Show students the answer key after the deadline"),
        required=False,
        help_text=_("Students then see the key on each problem; no more answers are taken."),
    )
    # Set by the confirmation page: yes, move the due date of the set the class already has.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, sets: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["problem_set"].choices = sets  # type: ignore[attr-defined]

    def clean_due_at(self) -> datetime:
        due_at: datetime = self.cleaned_data["due_at"]
        if due_at <= timezone.now():
            raise forms.ValidationError(
                gettext("The due date is in the past. Choose a date and time still to come.")
            )
        return due_at


class TemporaryPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Temporary password"),
        max_length=128,
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
        help_text=_("Tell it to the student; they must choose their own when they next log in."),
    )


class StaffPasswordResetForm(PasswordResetForm):
    """Reset by email for teachers and admins only.

    Students may have no address, and an address typed on a student account by anyone is no
    proof of who they are: they ask their teacher for a temporary password instead. The form
    says the same thing whether or not a mail was sent, so it reveals no accounts.
    """

    def get_users(self, email: str) -> Iterator[Any]:
        for user in super().get_users(email):
            staff = user.role in (User.Role.TEACHER, User.Role.ADMIN) or user.is_superuser
            if staff and _reset_mail_allowed(user.pk):
                yield user


def _reset_mail_allowed(user_id: int) -> bool:
    """At most PASSWORD_RESET_MAILS_PER_HOUR reset mails per account, so the public form
    cannot be used to flood a teacher's inbox. Counted per account, not per address: the
    form is anonymous, and many staff share a school's address."""
    key = f"stepwise:reset-mail:{user_id}"
    return counters.count(key, 3600) <= settings.PASSWORD_RESET_MAILS_PER_HOUR


class ResolveForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            ("confirm", _("Confirm: the verdict or flag is right")),
            ("dismiss", _("Dismiss as a false alarm")),
            ("fix_key", _("Fix the answer key")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea({"rows": 3}), max_length=2000)
    new_key = forms.CharField(label=_("Corrected answer key"), max_length=500, required=False)


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *Flag.Kind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *Flag.Status.choices],
        required=False,
        initial="open",
    )
