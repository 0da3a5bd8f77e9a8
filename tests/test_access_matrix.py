"""Property 7: every endpoint x every role x a foreign object, generated from the URL conf.

The table below names, for each route, which objects its URL kwargs refer to, who owns them
and which roles may use it. The test walks the real URL configuration (and the websocket
routes): a route missing from the table fails the run with "new endpoint without an access
rule", so an endpoint cannot be added without deciding who may call it.

For each route and role: an allowed role gets 200/201/302/405; every other role gets a
login redirect, 403 or 404. Then each URL kwarg in turn is swapped for an object owned by
someone else (another teacher's class, set or problem, a student of another class), and the
allowed roles must be denied too: an id in the URL never grants access on its own.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.conftest import session_cookie

# At import: importing it runs django.setup() again, which would detach caplog mid-test.
from tutor.asgi import application
from tutor.models import (
    Assignment,
    Attempt,
    Classroom,
    Enrolment,
    Flag,
    Problem,
    ProblemSet,
    User,
)
from tutor.services.turns import session_for

ANON, STUDENT, CLASSMATE, OTHER_STUDENT = "anonymous", "student", "classmate", "other_student"
TEACHER, OTHER_TEACHER, ADMIN = "teacher", "other_teacher", "admin"
ROLES = (ANON, STUDENT, CLASSMATE, OTHER_STUDENT, TEACHER, OTHER_TEACHER, ADMIN)
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {ANON}
STUDENTS = frozenset({STUDENT, CLASSMATE, OTHER_STUDENT})
CLASS_STUDENTS = frozenset({STUDENT, CLASSMATE})
TEACHERS = frozenset({TEACHER, OTHER_TEACHER})
ALLOWED_STATUS = {200, 201, 302, 405}
PUBLIC = "nobody (public)"
UNREGISTERED = "00000000-0000-4000-8000-000000000000"
# Who owns the foreign twin of what a role owns.
MIRROR = {STUDENT: OTHER_STUDENT, TEACHER: OTHER_TEACHER}


@dataclass
class World:
    """Objects owned by `student` (in `teacher`'s class), and foreign twins for the swaps."""

    users: dict[str, User]
    ids: dict[str, int]
    foreign: dict[str, int]


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    owner: str = PUBLIC
    # URL kwarg -> the key of the object in World.ids it refers to.
    objects: Mapping[str, str] = field(default_factory=dict)
    method: str = "GET"
    # For POST: a form, or a JSON body (built from the world's ids).
    form: Callable[[World], dict[str, Any]] | None = None
    json_body: Callable[[World], dict[str, Any]] | None = None
    # Roles that may read everyone's objects of this kind (reviewers): no foreign twin.
    sees_all: frozenset[str] = frozenset()
    # URL kwargs that name no object (a reset link's uid and token): a fixed value each.
    literals: Mapping[str, str] = field(default_factory=dict)


def _empty(world: World) -> dict[str, Any]:
    return {}


# Every named route. Owners: "student" is Alice (enrolled in the teacher's class); the
# teacher owns the class, the problem set, its problems and the assignment.
TABLE: dict[str, Rule] = {
    "home": Rule(SIGNED_IN),
    "healthz": Rule(EVERYONE),
    "login": Rule(EVERYONE),
    "logout": Rule(EVERYONE),  # GET is 405 for everyone; logging out is a POST
    "signup": Rule(EVERYONE),
    # Choosing a language is open to everyone: it saves a cookie, and the choice of a
    # signed-in user; an unknown language changes nothing.
    "language": Rule(EVERYONE, method="POST", form=lambda w: {"language": "es", "next": "/"}),
    "javascript-catalog": Rule(EVERYONE),
    "join": Rule(STUDENTS, "the student", method="POST", form=lambda w: {"join_code": ""}),
    "password_change": Rule(SIGNED_IN, "the user"),
    # Reset by email: open to all (it sends mail to teachers and admins only).
    "password_reset": Rule(EVERYONE),
    "password_reset_done": Rule(EVERYONE),
    "password_reset_confirm": Rule(EVERYONE, literals={"uidb64": "MQ", "token": "set-password"}),
    "password_reset_complete": Rule(EVERYONE),
    "problem_set": Rule(CLASS_STUDENTS, "the class (assigned set)", {"set_id": "set"}),
    "problem": Rule(CLASS_STUDENTS, "the class (assigned set)", {"problem_id": "problem"}),
    "problem_steps": Rule(
        CLASS_STUDENTS,
        "the class (assigned set)",
        {"problem_id": "problem"},
        "POST",
        json_body=lambda w: {"lines": []},
    ),
    "problem_answer": Rule(
        CLASS_STUDENTS, "the class", {"problem_id": "problem"}, "POST", form=_empty
    ),
    "problem_answer_read_as": Rule(
        CLASS_STUDENTS,
        "the class (assigned set)",
        {"problem_id": "problem"},
        "POST",
        json_body=lambda w: {"answer": ""},
    ),
    "problem_another": Rule(
        CLASS_STUDENTS, "the class", {"problem_id": "problem"}, "POST", form=_empty
    ),
    "dispute": Rule(
        frozenset({STUDENT}),
        "the student (their attempt)",
        method="POST",
        json_body=lambda w: {"problem": w.ids["problem"], "index": 0},
    ),
    # A tutor answer's steps: whoever may watch its session.
    "turn_steps": Rule(
        frozenset({STUDENT, TEACHER, ADMIN}),
        "the student (their session)",
        {"turn_id": "turn"},
        sees_all=frozenset({ADMIN}),
    ),
    "teach_home": Rule(TEACHERS),
    "teach_class_create": Rule(TEACHERS, method="POST", form=lambda w: {"name": "New"}),
    "teach_class": Rule(frozenset({TEACHER}), "the teacher", {"classroom_id": "classroom"}),
    "teach_class_code": Rule(
        frozenset({TEACHER}), "the teacher", {"classroom_id": "classroom"}, "POST", form=_empty
    ),
    "teach_assign": Rule(
        frozenset({TEACHER}), "the teacher", {"classroom_id": "classroom"}, "POST", form=_empty
    ),
    "teach_student_remove": Rule(
        frozenset({TEACHER}),
        "the teacher (the student is in their class)",
        {"classroom_id": "classroom", "student_id": "student"},
        "POST",
        form=_empty,
    ),
    "teach_student_password": Rule(
        frozenset({TEACHER}),
        "the teacher (the student is in their class)",
        {"classroom_id": "classroom", "student_id": "student"},
    ),
    # A class not linked to an LMS course: the owner gets a message and a redirect.
    "teach_class_lti_roster": Rule(
        frozenset({TEACHER}), "the teacher", {"classroom_id": "classroom"}, "POST", form=_empty
    ),
    "teach_set_create": Rule(TEACHERS, method="POST", form=lambda w: {"title": "New"}),
    "teach_set": Rule(frozenset({TEACHER}), "the teacher", {"set_id": "set"}),
    "teach_problem_new": Rule(frozenset({TEACHER}), "the teacher", {"set_id": "set"}),
    "teach_problem_edit": Rule(
        frozenset({TEACHER}), "the teacher", {"set_id": "set", "problem_id": "problem"}
    ),
    "teach_set_import": Rule(frozenset({TEACHER}), "the teacher", {"set_id": "set"}),
    "teach_problem_move": Rule(
        frozenset({TEACHER}), "the teacher", {"problem_id": "problem"}, "POST", form=_empty
    ),
    "teach_problem_delete": Rule(
        frozenset({TEACHER}), "the teacher", {"problem_id": "problem"}, "POST", form=_empty
    ),
    "teach_progress": Rule(frozenset({TEACHER}), "the teacher", {"assignment_id": "assignment"}),
    "teach_gradebook": Rule(frozenset({TEACHER}), "the teacher", {"assignment_id": "assignment"}),
    "teach_analytics": Rule(frozenset({TEACHER}), "the teacher", {"assignment_id": "assignment"}),
    "teach_analytics_csv": Rule(
        frozenset({TEACHER}), "the teacher", {"assignment_id": "assignment"}
    ),
    "teach_student_work": Rule(
        frozenset({TEACHER}),
        "the teacher (the student is in their class)",
        {"assignment_id": "assignment", "student_id": "student", "problem_id": "problem"},
    ),
    "teach_flags": Rule(TEACHERS),
    "review_queue": Rule(frozenset({ADMIN})),
    "review_flag": Rule(frozenset({ADMIN}), "the reviewers", {"flag_id": "flag"}),
    # LTI (tests/test_lti_*.py go through them with a platform's signed tokens). Stepwise's
    # public keys are public; a login initiation names a registration, and this one is not.
    "lti_jwks": Rule(EVERYONE),
    "lti_login": Rule(
        frozenset(), "a registered platform", literals={"registration_uuid": UNREGISTERED}
    ),
    # Without a valid id_token from a registered platform, everyone is refused (403).
    "lti_launch": Rule(frozenset(), "a registered platform", method="POST", form=_empty),
    # Only with the teacher's own deep-linking launch in their session; none here (403).
    "lti_deep_link": Rule(frozenset(), "the teacher (their deep-linking launch)"),
    # Websockets (named by their route): the session's student, their teachers, reviewers.
    "ws/session/<int:session_id>/": Rule(
        frozenset({STUDENT, TEACHER, ADMIN}), "the student", {"session_id": "session"}
    ),
}


@dataclass(frozen=True)
class Endpoint:
    name: str
    route: str
    kwargs: tuple[str, ...]


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            # The Django admin has its own staff check and is covered by Django's tests.
            if entry.namespace == "admin" or entry.app_name == "admin":
                continue
            yield from _walk(entry.url_patterns, route)
        elif not route.startswith(("static/", "media/")):
            yield route, entry


def http_endpoints() -> list[Endpoint]:
    return [
        Endpoint(p.name or f"<unnamed {route}>", route, tuple(p.pattern.converters))
        for route, p in _walk(get_resolver().url_patterns)
    ]


def ws_endpoints() -> list[Endpoint]:
    from tutor.routing import websocket_urlpatterns

    return [
        Endpoint(route, route, tuple(p.pattern.converters))
        for route, p in _walk(websocket_urlpatterns)
    ]


def test_it_has_an_access_rule_for_every_endpoint() -> None:
    """Adding a page or socket without deciding who may use it fails the build."""
    for endpoint in http_endpoints() + ws_endpoints():
        assert endpoint.name in TABLE, f"new endpoint without an access rule: {endpoint.name}"
        rule = TABLE[endpoint.name]
        missing = set(endpoint.kwargs) - set(rule.objects) - set(rule.literals)
        assert not missing, f"{endpoint.name}: no object in the table for kwargs {missing}"


def test_it_notices_a_new_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above really fails for an endpoint that is not in the table."""
    from django.urls import path

    fake = [*get_resolver().url_patterns, path("x/<int:pk>/", lambda r, pk: None, name="x")]
    monkeypatch.setattr(get_resolver(), "url_patterns", fake)
    with pytest.raises(AssertionError, match="new endpoint without an access rule: x"):
        test_it_has_an_access_rule_for_every_endpoint()


# The world: Alice and Bob in the teacher's class; Carol in another teacher's class.


def _user(name: str, role: str, **extra: Any) -> User:
    return User.objects.create_user(
        name, email=f"{name}@example.com", password=f"pw-{name}-1", role=role, **extra
    )


def _class_with_set(teacher: User, students: list[User], tag: str) -> dict[str, Any]:
    classroom = Classroom.objects.create(teacher=teacher, name=f"Class {tag}")
    for student in students:
        Enrolment.objects.create(classroom=classroom, student=student)
    problem_set = ProblemSet.objects.create(owner=teacher, title=f"Set {tag}")
    problem = Problem.objects.create(
        problem_set=problem_set, statement="Solve $2x = 4$.", answer_key="x = 2"
    )
    assignment = Assignment.objects.create(
        problem_set=problem_set, classroom=classroom, due_at=timezone.now() + timedelta(days=7)
    )
    return {
        "classroom": classroom,
        "set": problem_set,
        "problem": problem,
        "assignment": assignment,
    }


@pytest.fixture
def world(db: None) -> World:
    s = User.Role.STUDENT
    users = {
        STUDENT: _user("alice_pupil", s),
        CLASSMATE: _user("bob_pupil", s),
        OTHER_STUDENT: _user("carol_pupil", s),
        TEACHER: _user("tom_teacher", User.Role.TEACHER),
        OTHER_TEACHER: _user("olga_teacher", User.Role.TEACHER),
        ADMIN: _user("ada_admin", User.Role.ADMIN, is_staff=True, is_superuser=True),
    }
    own = _class_with_set(users[TEACHER], [users[STUDENT], users[CLASSMATE]], "A")
    other = _class_with_set(users[OTHER_TEACHER], [users[OTHER_STUDENT]], "B")
    attempt = Attempt.objects.create(student=users[STUDENT], problem=own["problem"], steps=["x"])
    attempt.verdicts.create(index=0, text="x", verdict="none")  # a saved step to dispute
    own_session = session_for(student=users[STUDENT], problem=own["problem"])
    other_session = session_for(student=users[OTHER_STUDENT], problem=other["problem"])
    flag = Flag.objects.create(
        kind=Flag.Kind.DISPUTE, reason="Step 1: x", problem=own["problem"], attempt=attempt
    )
    own_turn = own_session.turns.create(index=0, mode="hint", status="done")
    other_turn = other_session.turns.create(index=0, mode="hint", status="done")
    ids = {k: v.pk for k, v in own.items()}
    ids.update(student=users[STUDENT].pk, session=own_session.pk, flag=flag.pk, turn=own_turn.pk)
    foreign = {k: v.pk for k, v in other.items()}
    foreign.update(student=users[OTHER_STUDENT].pk, session=other_session.pk, turn=other_turn.pk)
    return World(users, ids, foreign)


def _url(endpoint: Endpoint, ids: Mapping[str, int]) -> str:
    url = "/" + endpoint.route
    rule = TABLE[endpoint.name]
    for kwarg in endpoint.kwargs:
        if kwarg in rule.literals:
            for converter in ("", "uuid:", "str:", "slug:"):
                url = url.replace(f"<{converter}{kwarg}>", rule.literals[kwarg])
        else:
            url = url.replace(f"<int:{kwarg}>", str(ids[rule.objects[kwarg]]))
    return url


def _request(world: World, role: str, endpoint: Endpoint, url: str) -> Any:
    rule = TABLE[endpoint.name]
    # A savepoint per request: deletes and edits by an allowed role never leak into the
    # next request, so every role sees the same world.
    with transaction.atomic():
        client = Client()
        if role != ANON:
            client.force_login(world.users[role])
        if rule.method == "GET":
            response = client.get(url)
        elif rule.json_body is not None:
            body = json.dumps(rule.json_body(world))
            response = client.post(url, body, content_type="application/json")
        else:
            response = client.post(url, rule.form(world) if rule.form else {})
        transaction.set_rollback(True)
    return response


def _denied(response: Any) -> bool:
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and response["Location"].startswith("/login/")


def _owned(world: World, endpoint: Endpoint, swap: str | None = None) -> dict[str, int]:
    rule = TABLE[endpoint.name]
    ids = {key: world.ids[key] for key in rule.objects.values()}
    if swap is not None:
        ids[rule.objects[swap]] = world.foreign[rule.objects[swap]]
    return ids


@pytest.fixture
def denial_log(settings: Any, caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """The denial-logging middleware switched on for this test (see test_privacy_logs)."""
    name = "tutor.middleware_denials.DenialLogMiddleware"
    if name not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, name]
    caplog.set_level(logging.INFO)
    return caplog


def test_it_applies_the_matrix_to_every_page(
    world: World, denial_log: pytest.LogCaptureFixture
) -> None:
    """Each role reaches exactly the pages the table allows; everything else is denied."""
    failures: list[str] = []
    denied_paths: list[str] = []
    for endpoint in http_endpoints():
        rule = TABLE.get(endpoint.name)
        if rule is None:
            continue  # reported by test_it_has_an_access_rule_for_every_endpoint
        url = _url(endpoint, _owned(world, endpoint))
        for role in ROLES:
            status = _request(world, role, endpoint, url)
            if role in rule.allowed and status.status_code not in ALLOWED_STATUS:
                failures.append(f"{endpoint.name} {role}: allowed but got {status.status_code}")
            elif role not in rule.allowed and not _denied(status):
                failures.append(f"{endpoint.name} {role}: not denied ({status.status_code})")
            elif role not in rule.allowed and status.status_code in (403, 404):
                denied_paths.append(url)
        # The same route with one kwarg pointing at someone else's object.
        for kwarg in endpoint.kwargs:
            if kwarg in rule.literals or rule.objects[kwarg] not in world.foreign:
                continue  # reviewers see every flag: there is no foreign flag
            foreign_url = _url(endpoint, _owned(world, endpoint, swap=kwarg))
            for role in rule.sees_all:
                status = _request(world, role, endpoint, foreign_url)
                if status.status_code not in ALLOWED_STATUS:
                    failures.append(f"{endpoint.name} {role}: sees all, got {status.status_code}")
            for role in rule.allowed - rule.sees_all:
                status = _request(world, role, endpoint, foreign_url)
                if not _denied(status):
                    failures.append(
                        f"{endpoint.name} {role} with a foreign {kwarg}: {status.status_code}"
                    )
                elif status.status_code in (403, 404):
                    denied_paths.append(foreign_url)
    assert not failures, "\n".join(failures)
    _assert_denials_logged_without_personal_data(world, denial_log, denied_paths)


def _assert_denials_logged_without_personal_data(
    world: World, caplog: pytest.LogCaptureFixture, denied_paths: list[str]
) -> None:
    logged = [r.getMessage() for r in caplog.records if r.name == "tutor.denials"]
    for path in set(denied_paths):
        assert any(path in line for line in logged), f"denial of {path} was not logged"
    text = caplog.text
    for user in world.users.values():
        assert user.username not in text, f"{user.username} in the log"
        assert user.email not in text


# Websockets: the same matrix against the real ASGI application and Redis channel layer.


def _ws(session_id: int, cookie: str | None) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
        if cookie is not None:
            headers.append((b"cookie", f"sessionid={cookie}".encode()))
        comm = WebsocketCommunicator(application, f"/ws/session/{session_id}/", headers=headers)
        connected, _ = await comm.connect(timeout=10)
        if not connected:
            return {"closed": "refused"}
        output = await comm.receive_output(timeout=10)
        await comm.disconnect()
        if output["type"] == "websocket.close":
            return {"closed": output.get("code")}
        return dict(json.loads(output["text"]))

    return async_to_sync(run)()


@pytest.mark.django_db(transaction=True)
def test_it_applies_the_matrix_to_every_websocket(world: World) -> None:
    """A socket opens only for the table's roles; others are closed with 4401 or 4403."""
    failures: list[str] = []
    for endpoint in ws_endpoints():
        rule = TABLE[endpoint.name]
        assert endpoint.kwargs == ("session_id",), "add a case here for a new websocket shape"
        # The foreign session is Carol's: her, her teacher and the reviewers may watch it.
        targets = (
            ("own", world.ids["session"], rule.allowed),
            ("foreign", world.foreign["session"], {MIRROR.get(r, r) for r in rule.allowed}),
        )
        for target, session_id, allowed in targets:
            for role in ROLES:
                cookie = None if role == ANON else session_cookie(world.users[role])
                first = _ws(session_id, cookie)
                if role in allowed and first.get("type") != "session.snapshot":
                    failures.append(f"{endpoint.name} {role} {target}: {first}")
                closed = {"closed": 4401 if role == ANON else 4403}
                if role not in allowed and first != closed:
                    failures.append(f"{endpoint.name} {role} {target}: {first}")
    assert not failures, "\n".join(failures)
