"""Sign-up with a class join code, joining another class, and changing one's password."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from tutor.errors import UserError
from tutor.forms import JoinForm, SignupForm
from tutor.login_throttle import client_address
from tutor.services import classes
from tutor.views.common import current_user, student_required


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None, initial={"join_code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = classes.student_signup(
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                password=data["password"],
                code=data["join_code"],
                client=client_address(request),
            )
        except UserError as exc:
            form.add_error("join_code", exc.message)
        else:
            # login() rotates the session key, so a session fixed before sign-up is useless.
            # The first configured backend: it must be one the session can be restored with.
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            messages.success(request, gettext("Welcome to Stepwise. Your assignments are below."))
            return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


@require_POST
@student_required
def join(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Type the join code your teacher gave you."))
        return redirect("home")
    try:
        enrolment = classes.student_join(
            student=current_user(request), code=form.cleaned_data["join_code"]
        )
    except UserError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            gettext("You joined %(class_name)s.") % {"class_name": enrolment.classroom.name},
        )
    return redirect("home")


class PasswordChange(auth_views.PasswordChangeView):
    """Any signed-in user's password change; the only page open to a student whose teacher
    set a temporary password (tutor.password_change), until they choose their own."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        # Cleared on the same object the form saves, in the same save.
        form.user.must_change_password = False
        response = super().form_valid(form)
        messages.success(self.request, gettext("Your password is changed."))
        return response
