"""Access follows enrolment and assignment, and teachers see only their own sets (item 24)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.utils import timezone

from tests.conftest import Cast, Login, session_cookie
from tests.test_ws_security import ORIGIN, _communicator, _first
from tutor.errors import UserError
from tutor.models import (
    Assignment,
    Classroom,
    Enrolment,
    Flag,
    Problem,
    ProblemSet,
    StepVerdict,
    Turn,
    TutoringSession,
    User,
)
from tutor.services.moderation import moderate_student_text
from tutor.services.turns import session_for, turn_request

pytestmark = pytest.mark.django_db(transaction=True)


def _connect(user: User, session_id: int) -> dict[str, Any]:
    cookie = session_cookie(user)

    async def run() -> dict[str, Any]:
        comm = _communicator(session_id, cookie, ORIGIN)
        await comm.connect()
        first = await _first(comm)
        await comm.disconnect()
        return first

    return async_to_sync(run)()


def _close_after(user: User, session_id: int, change: Any) -> dict[str, Any]:
    """Open the socket, make the change while it is open, return what the socket gets next."""
    cookie = session_cookie(user)

    async def run() -> dict[str, Any]:
        comm = _communicator(session_id, cookie, ORIGIN)
        connected, _ = await comm.connect()
        assert connected and (await _first(comm))["type"] == "session.snapshot"
        await sync_to_async(change)()
        after = await _first(comm)
        await comm.disconnect()
        return after

    return async_to_sync(run)()


# A removed student keeps nothing of the tutor.


def test_a_removed_student_cannot_open_the_tutor_socket(cast: Cast) -> None:
    """Once alice's enrolment is deleted, a fresh socket to her session is refused (4403)."""
    session = session_for(student=cast.alice, problem=cast.problem)
    Enrolment.objects.filter(student=cast.alice).delete()
    assert _connect(cast.alice, session.pk) == {"closed": 4403}


def test_a_removed_students_open_socket_closes(cast: Cast) -> None:
    """Alice's open tutor socket closes (4403) the moment she is taken out of the class."""
    session = session_for(student=cast.alice, problem=cast.problem)
    remove = Enrolment.objects.filter(student=cast.alice).delete
    assert _close_after(cast.alice, session.pk, remove) == {"closed": 4403}


def test_a_withdrawn_assignment_closes_the_students_socket(cast: Cast) -> None:
    """Withdrawing the set from the class closes the open socket of a student working on it."""
    session = session_for(student=cast.alice, problem=cast.problem)
    assert _close_after(cast.alice, session.pk, cast.assignment.delete) == {"closed": 4403}


def test_the_tutor_refuses_a_problem_no_longer_assigned(cast: Cast) -> None:
    """Asking about a problem whose assignment was withdrawn says so and queues nothing."""
    session = session_for(student=cast.alice, problem=cast.problem)
    cast.assignment.delete()
    with pytest.raises(UserError, match="no longer assigned"):
        turn_request(session=session, mode="hint")
    assert not Turn.objects.exists()


def test_a_removed_student_cannot_read_old_answers(cast: Cast, login: Login) -> None:
    """The saved steps of her earlier answers are a 404 once the problem is not hers."""
    session = session_for(student=cast.alice, problem=cast.problem)
    turn = Turn.objects.create(session=session, index=0, mode="hint", status="done")
    StepVerdict.objects.create(turn=turn, index=0, text="3x = 15", verdict="ok")
    client = login(cast.alice)
    assert client.get(f"/tutor/turns/{turn.pk}/steps").status_code == 200
    Enrolment.objects.filter(student=cast.alice).delete()
    assert client.get(f"/tutor/turns/{turn.pk}/steps").status_code == 404


# A student shared by two teachers: each sees only the work on their own sets.


@dataclass
class Shared:
    """Alice is also in the other teacher's class, working on that teacher's set."""

    classroom: Classroom
    problem: Problem
    session: TutoringSession
    turn: Turn


@pytest.fixture
def shared(cast: Cast) -> Shared:
    classroom = Classroom.objects.create(teacher=cast.other_teacher, name="Period 5")
    Enrolment.objects.create(classroom=classroom, student=cast.alice)
    geometry = ProblemSet.objects.create(owner=cast.other_teacher, title="Geometry")
    problem = Problem.objects.create(
        problem_set=geometry, statement="Angles of a triangle?", answer_key="180"
    )
    Assignment.objects.create(
        problem_set=geometry, classroom=classroom, due_at=timezone.now() + timedelta(days=3)
    )
    session = session_for(student=cast.alice, problem=problem)
    turn = Turn.objects.create(session=session, index=0, mode="solve", status="done")
    step = StepVerdict.objects.create(turn=turn, index=0, text="90 + 90 = 170", verdict="wrong")
    Flag.objects.create(
        kind="model_step", problem=problem, turn=turn, step=step, reason="Tutor step 1: geometry"
    )
    Flag.objects.create(
        kind="dispute", problem=problem, turn=turn, raised_by=cast.alice, reason="Step 1: angles"
    )
    return Shared(classroom, problem, session, turn)


def test_a_teacher_sees_no_flags_from_another_teachers_set(
    cast: Cast, shared: Shared, login: Login
) -> None:
    """The flag page lists the disputes and tutor mistakes on the teacher's own sets only."""
    mine = login(cast.teacher).get("/teach/flags/?status=all").content.decode()
    theirs = login(cast.other_teacher).get("/teach/flags/?status=all").content.decode()
    assert "geometry" not in mine and "angles" not in mine
    assert "Tutor step 1: geometry" in theirs and "Step 1: angles" in theirs


def test_moderation_flags_still_reach_every_teacher_of_the_student(
    cast: Cast, shared: Shared, login: Login
) -> None:
    """Something worrying alice wrote on one teacher's set is shown to both her teachers."""
    moderate_student_text(student=cast.alice, problem=shared.problem, text="I want to die")
    for teacher in (cast.teacher, cast.other_teacher):
        assert "Self-harm" in login(teacher).get("/teach/flags/?status=all").content.decode()


def test_a_teacher_cannot_watch_another_teachers_session(cast: Cast, shared: Shared) -> None:
    """The teacher of alice's other class cannot open her socket on this set (4403)."""
    assert _connect(cast.teacher, shared.session.pk) == {"closed": 4403}
    assert _connect(cast.other_teacher, shared.session.pk)["type"] == "session.snapshot"


def test_a_teacher_cannot_read_another_teachers_transcript(
    cast: Cast, shared: Shared, login: Login
) -> None:
    """The steps of the other teacher's session are a 404 to this teacher."""
    url = f"/tutor/turns/{shared.turn.pk}/steps"
    assert login(cast.teacher).get(url).status_code == 404
    assert login(cast.other_teacher).get(url).status_code == 200


def test_a_teacher_cannot_open_work_on_a_set_they_do_not_own(
    cast: Cast, shared: Shared, login: Login
) -> None:
    """Another teacher's set assigned to this teacher's class (from the admin) shows nothing."""
    foreign = Assignment.objects.create(
        problem_set=shared.problem.problem_set,
        classroom=cast.classroom,
        due_at=timezone.now() + timedelta(days=3),
    )
    client = login(cast.teacher)
    work = f"/teach/assignments/{foreign.pk}/students/{cast.alice.pk}/problems/{shared.problem.pk}/"
    assert client.get(work).status_code == 404
    assert client.get(f"/teach/assignments/{foreign.pk}/").status_code == 404
