"""Roster and accounts (issue 16, item 6): removing a student from a class, temporary
passwords with a forced change, password reset by email for staff only, and the class of
each assignment on the student's dashboard."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.test import Client

from tests.conftest import Cast, Login, PublishedEvents
from tests.test_access_follows_enrolment import _close_after
from tutor import events
from tutor.errors import UserError
from tutor.models import Classroom, Enrolment, User
from tutor.services import classes
from tutor.services.turns import session_for

pytestmark = pytest.mark.django_db

OnCommit = Callable[..., AbstractContextManager[Any]]


def _remove_url(cast: Cast, student: User | None = None) -> str:
    student = student or cast.alice
    return f"/teach/classes/{cast.classroom.pk}/students/{student.pk}/remove"


def _password_url(cast: Cast, student: User | None = None) -> str:
    student = student or cast.alice
    return f"/teach/classes/{cast.classroom.pk}/students/{student.pk}/password"


# Removing a student.


def test_removing_asks_first(cast: Cast, login: Login) -> None:
    """The remove link opens a confirmation page with a POST form; nothing is removed yet."""
    page = login(cast.teacher).get(_remove_url(cast)).content.decode()
    assert "Remove alice from Period 3?" in page and 'method="post"' in page
    assert "csrfmiddlewaretoken" in page
    assert Enrolment.objects.filter(student=cast.alice, classroom=cast.classroom).exists()


def test_a_removed_student_loses_the_class(
    cast: Cast,
    login: Login,
    published: PublishedEvents,
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    """After the POST alice is off the roster, her problem is a 404, and her sockets are told."""
    with django_capture_on_commit_callbacks(execute=True):
        response = login(cast.teacher).post(_remove_url(cast))
    assert response.status_code == 302
    assert not Enrolment.objects.filter(student=cast.alice, classroom=cast.classroom).exists()
    assert login(cast.alice).get(f"/problems/{cast.problem.pk}/").status_code == 404
    groups = {p.group for p in published if p.event["type"] == "access.changed"}
    assert events.user_group(cast.alice.pk) in groups
    assert events.user_group(cast.teacher.pk) in groups


def test_removing_needs_the_csrf_token(cast: Cast) -> None:
    """A cross-site POST without the token is refused (403) and alice stays."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.teacher)
    assert client.post(_remove_url(cast)).status_code == 403
    assert Enrolment.objects.filter(student=cast.alice, classroom=cast.classroom).exists()


def test_another_teacher_cannot_remove_or_reset_a_student(cast: Cast, login: Login) -> None:
    """Another teacher gets 404 on this class's student pages, and changes nothing."""
    client = login(cast.other_teacher)
    assert client.get(_remove_url(cast)).status_code == 404
    assert client.post(_remove_url(cast)).status_code == 404
    assert client.get(_password_url(cast)).status_code == 404
    assert client.post(_password_url(cast), {"password": "Temporary-pass-42"}).status_code == 404
    assert Enrolment.objects.filter(student=cast.alice, classroom=cast.classroom).exists()
    cast.alice.refresh_from_db()
    assert not cast.alice.must_change_password


def test_a_teacher_cannot_act_on_a_student_outside_the_class(cast: Cast, login: Login) -> None:
    """Carol, in another teacher's class, is a 404 through this teacher's class URL."""
    carol = User.objects.create_user("carol", password="pw-carol-1")
    theirs = Classroom.objects.create(teacher=cast.other_teacher, name="Period 5")
    Enrolment.objects.create(classroom=theirs, student=carol)
    client = login(cast.teacher)
    assert client.post(_remove_url(cast, carol)).status_code == 404
    assert (
        client.post(_password_url(cast, carol), {"password": "Temporary-pass-42"}).status_code
        == 404
    )
    assert Enrolment.objects.filter(student=carol).exists()


def test_the_service_refuses_a_student_not_in_the_class(cast: Cast) -> None:
    """Removing someone who is not enrolled says so."""
    Enrolment.objects.filter(student=cast.bob).delete()
    with pytest.raises(UserError, match="not in Period 3"):
        classes.student_remove(classroom=cast.classroom, student=cast.bob)


@pytest.mark.django_db(transaction=True)
def test_a_removed_students_open_socket_closes(cast: Cast) -> None:
    """Alice's open tutor socket closes (4403) when her teacher removes her from the class."""
    session = session_for(student=cast.alice, problem=cast.problem)

    def remove() -> None:
        classes.student_remove(classroom=cast.classroom, student=cast.alice)

    assert _close_after(cast.alice, session.pk, remove) == {"closed": 4403}


# Temporary passwords and the forced change.


def test_a_teacher_sets_a_temporary_password(
    cast: Cast,
    login: Login,
    published: PublishedEvents,
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    """Alice can log in with it, must change it, and her open sockets are logged out."""
    with django_capture_on_commit_callbacks(execute=True):
        response = login(cast.teacher).post(_password_url(cast), {"password": "Temporary-pass-42"})
    assert response.status_code == 302
    cast.alice.refresh_from_db()
    assert cast.alice.check_password("Temporary-pass-42") and cast.alice.must_change_password
    assert {"type": "access.logged_out"} in published.of_type("access.logged_out")
    assert any(p.group == events.user_group(cast.alice.pk) for p in published)


def test_a_weak_temporary_password_is_refused(cast: Cast, login: Login) -> None:
    """A password the validators refuse comes back as a form error; nothing changes."""
    response = login(cast.teacher).post(_password_url(cast), {"password": "123"})
    assert response.status_code == 200 and "too short" in response.content.decode()
    cast.alice.refresh_from_db()
    assert cast.alice.check_password("pw-alice-1") and not cast.alice.must_change_password


def test_only_a_students_password_can_be_set(cast: Cast) -> None:
    """The service refuses a teacher's account even if one were enrolled."""
    with pytest.raises(UserError, match="Only a student"):
        classes.student_set_temporary_password(student=cast.other_teacher, password="Temp-pass-42")


def test_the_student_must_change_the_temporary_password(cast: Cast) -> None:
    """Every page sends alice to the change page until she chooses her own password."""
    classes.student_set_temporary_password(student=cast.alice, password="Temporary-pass-42")
    client = Client()
    assert (
        client.post("/login/", {"username": "alice", "password": "Temporary-pass-42"}).status_code
        == 302
    )
    for url in ("/", f"/problems/{cast.problem.pk}/", f"/sets/{cast.problem_set.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/account/password/", url
    page = client.get("/account/password/").content.decode()
    assert "Your teacher set a temporary password" in page
    response = client.post(
        "/account/password/",
        {
            "old_password": "Temporary-pass-42",
            "new_password1": "Alice-own-choice-77",
            "new_password2": "Alice-own-choice-77",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/"
    cast.alice.refresh_from_db()
    assert not cast.alice.must_change_password and cast.alice.check_password("Alice-own-choice-77")
    assert client.get("/").status_code == 200, "still logged in after the change"


# Password reset by email: teachers and admins only.


@pytest.fixture(autouse=True)
def forget_reset_mail_counts() -> None:
    """Each test starts with no reset mails counted (the counters live in Redis)."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter(match="*stepwise:reset-mail:*"))
    if keys:
        client.delete(*keys)


def test_a_teacher_gets_a_reset_link_by_email(cast: Cast) -> None:
    """The teacher's address gets one mail with a link that lets them set a new password."""
    cast.teacher.email = "teacher@school.example"
    cast.teacher.save()
    client = Client()
    response = client.post("/password-reset/", {"email": "teacher@school.example"})
    assert response.status_code == 302 and response["Location"] == "/password-reset/sent/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["teacher@school.example"]
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    response = client.get(link.group(1), follow=True)
    assert "Choose a new password" in response.content.decode()
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "Teacher-new-pass-9", "new_password2": "Teacher-new-pass-9"},
    )
    assert response.status_code == 302
    cast.teacher.refresh_from_db()
    assert cast.teacher.check_password("Teacher-new-pass-9")


def test_an_admin_gets_a_reset_link_by_email(cast: Cast) -> None:
    """Admins may reset by email too."""
    cast.admin.email = "admin@school.example"
    cast.admin.save()
    Client().post("/password-reset/", {"email": "admin@school.example"})
    assert len(mail.outbox) == 1


def test_reset_mails_to_one_account_are_limited(cast: Cast, settings: Any) -> None:
    """The public form sends one account at most PASSWORD_RESET_MAILS_PER_HOUR mails."""
    settings.PASSWORD_RESET_MAILS_PER_HOUR = 2
    cast.teacher.email = "teacher@school.example"
    cast.teacher.save()
    for _ in range(4):
        response = Client().post("/password-reset/", {"email": "teacher@school.example"})
        assert response.status_code == 302, "the page reads the same when nothing is sent"
    assert len(mail.outbox) == 2


def test_a_student_gets_no_reset_email(cast: Cast) -> None:
    """A student's address gets nothing, and the page reads the same as for a teacher."""
    cast.alice.email = "alice@home.example"
    cast.alice.save()
    response = Client().post("/password-reset/", {"email": "alice@home.example"}, follow=True)
    assert mail.outbox == []
    assert "Check your email" in response.content.decode()


def test_the_reset_pages_send_students_to_their_teacher() -> None:
    """The login and reset pages tell students to ask their teacher instead."""
    client = Client()
    assert "Students: ask your teacher" in client.get("/login/").content.decode()
    assert "Students: ask your teacher" in client.get("/password-reset/").content.decode()


# The dashboard.


def test_the_dashboard_names_each_assignments_class(cast: Cast, login: Login) -> None:
    """Each assignment on alice's dashboard says which class it is from."""
    page = login(cast.alice).get("/").content.decode()
    assert 'From your class <strong class="class-name">Period 3</strong>' in page
