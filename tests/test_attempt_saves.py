"""Saves of a student's work never go backwards, and bad input is refused before it is kept."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from django.test import Client, override_settings

from tests.conftest import Cast, Login
from tutor.models import Attempt, Flag
from tutor.services import attempts

pytestmark = pytest.mark.django_db

WORK = ["3x + 5 = 20", "3x = 15", "x = 5"]


def _post(client: Client, url: str, data: object) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def _saved(cast: Cast) -> tuple[list[str], list[tuple[int, str, str]]]:
    attempt = Attempt.objects.get(student=cast.alice, problem=cast.problem)
    verdicts = list(attempt.verdicts.order_by("index").values_list("index", "text", "verdict"))
    return attempt.steps, verdicts


def test_an_older_edit_that_finishes_last_is_not_saved(cast: Cast) -> None:
    """The check of the third line finishes first; the two-line check that finishes after it
    is told it is stale, and the three lines stay saved, each with its own verdict."""
    newest = attempts.attempt_check_steps(
        student=cast.alice, problem=cast.problem, lines=WORK, version=3
    )
    older = attempts.attempt_check_steps(
        student=cast.alice, problem=cast.problem, lines=WORK[:2], version=2
    )
    assert newest.saved and not older.saved and older.version == 3
    steps, verdicts = _saved(cast)
    assert steps == WORK
    assert verdicts == [(0, WORK[0], "none"), (1, WORK[1], "ok"), (2, WORK[2], "ok")]


def test_without_an_edit_number_each_check_is_the_newest_when_it_arrives(cast: Cast) -> None:
    first = attempts.attempt_check_steps(student=cast.alice, problem=cast.problem, lines=WORK[:1])
    second = attempts.attempt_check_steps(student=cast.alice, problem=cast.problem, lines=WORK)
    assert (first.version, second.version) == (1, 2) and second.saved
    assert _saved(cast)[0] == WORK


# Three at once is over the default cap of two (a page sends one at a time per tab); the
# cap is raised here so that all three race, which is what this test is about.
@override_settings(CHECKS_IN_FLIGHT_PER_STUDENT=3)
def test_lines_sent_at_once_from_two_tabs_in_reverse_order_are_all_kept(
    cast: Cast, login: Login, transactional_db: None
) -> None:
    """Two tabs of one student post the same work's edits concurrently, newest first: the
    saved work is the newest edit, every line with its verdict, whatever finishes last."""
    url = f"/problems/{cast.problem.pk}/steps"
    tabs = [login(cast.alice), login(cast.alice)]
    edits = [(version, WORK[:version]) for version in (3, 2, 1)]
    start = threading.Barrier(len(edits))
    replies: dict[int, Any] = {}

    def send(n: int, version: int, lines: list[str]) -> None:
        start.wait()
        replies[version] = _post(tabs[n % 2], url, {"lines": lines, "version": version})

    threads = [
        threading.Thread(target=send, args=(n, version, lines))
        for n, (version, lines) in enumerate(edits)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(reply.status_code == 200 for reply in replies.values())
    assert replies[3].json()["saved"] is True
    steps, verdicts = _saved(cast)
    assert steps == WORK
    assert [text for _, text, _ in verdicts] == WORK
    page = tabs[0].get(f"/problems/{cast.problem.pk}/").content.decode()
    assert 'data-steps-version="3"' in page and "x = 5" in page


def test_a_stale_tab_learns_the_saved_edit_number(cast: Cast, login: Login) -> None:
    """A tab opened before another tab's save is told the saved number; sending one past it
    saves its lines (the page does this by itself)."""
    url = f"/problems/{cast.problem.pk}/steps"
    _post(login(cast.alice), url, {"lines": WORK, "version": 5})
    stale = login(cast.alice)
    reply = _post(stale, url, {"lines": WORK[:1], "version": 1}).json()
    assert reply["saved"] is False and reply["version"] == 5
    assert _post(stale, url, {"lines": WORK[:1], "version": 6}).json()["saved"] is True
    assert _saved(cast)[0] == WORK[:1]


@pytest.mark.parametrize("version", [0, -1, "3", 2**62, True, 1.5])
def test_a_bad_edit_number_is_refused(cast: Cast, login: Login, version: object) -> None:
    reply = _post(
        login(cast.alice), f"/problems/{cast.problem.pk}/steps", {"lines": WORK, "version": version}
    )
    assert reply.status_code == 400 and "edit number" in reply.json()["error"]
    assert not Attempt.objects.filter(student=cast.alice, steps=WORK).exists()


def test_nul_in_a_line_an_answer_or_a_dispute_is_a_clear_400(cast: Cast, login: Login) -> None:
    """PostgreSQL refuses NUL; each is refused first with a message, and the saved work stays."""
    client = login(cast.alice)
    url = f"/problems/{cast.problem.pk}/steps"
    assert _post(client, url, {"lines": WORK, "version": 1}).status_code == 200
    line = _post(client, url, {"lines": ["3x + 5 = 20", "3x\x00 = 15"], "version": 2})
    assert line.status_code == 400 and "NUL" in line.json()["error"]
    answer = client.post(f"/problems/{cast.problem.pk}/answer", {"answer": "x = 5\x00"})
    assert answer.status_code == 302
    assert "NUL" in client.get(answer.url).content.decode()
    dispute = _post(
        client, "/disputes", {"problem": cast.problem.pk, "index": 1, "reason": "a\x00"}
    )
    assert dispute.status_code == 400 and "NUL" in dispute.json()["error"]
    steps, _ = _saved(cast)
    assert steps == WORK
    assert Attempt.objects.get(student=cast.alice, problem=cast.problem).tries == 0


def test_deeply_nested_json_is_a_clear_400(cast: Cast, login: Login) -> None:
    client = login(cast.alice)
    nested = "[" * 5000 + "]" * 5000
    for url in (f"/problems/{cast.problem.pk}/steps", "/disputes"):
        reply = client.post(url, '{"lines": ' + nested + "}", content_type="application/json")
        assert reply.status_code == 400 and "nested" in reply.json()["error"]


def test_a_dispute_on_a_step_that_is_not_saved_is_refused(cast: Cast, login: Login) -> None:
    """A flag with no step would show the reviewer nothing; the student is told to wait."""
    client = login(cast.alice)
    _post(client, f"/problems/{cast.problem.pk}/steps", {"lines": WORK[:2], "version": 1})
    missing = _post(client, "/disputes", {"problem": cast.problem.pk, "index": 2, "reason": "?"})
    assert missing.status_code == 400 and "not saved" in missing.json()["error"]
    present = _post(client, "/disputes", {"problem": cast.problem.pk, "index": 1, "reason": "?"})
    assert present.status_code == 201
    assert Flag.objects.get().step is not None


@override_settings(STEP_CHECKS_PER_MINUTE=2)
def test_checks_a_minute_are_limited_per_student(cast: Cast, login: Login) -> None:
    url = f"/problems/{cast.problem.pk}/steps"
    alice, bob = login(cast.alice), login(cast.bob)
    codes = [_post(alice, url, {"lines": WORK[:1]}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert _post(bob, url, {"lines": WORK[:1]}).status_code == 200  # bob has his own count


@override_settings(CHECKS_IN_FLIGHT_PER_STUDENT=1)
def test_checks_at_once_are_limited_per_student(
    cast: Cast, login: Login, monkeypatch: pytest.MonkeyPatch, transactional_db: None
) -> None:
    """While one check of alice's runs, a second is 429 with a message; bob is unaffected."""
    url = f"/problems/{cast.problem.pk}/steps"
    running = threading.Event()
    release = threading.Event()
    real = attempts._run_checker

    def held(lines: list[str], **kwargs: Any) -> list[attempts.CheckedStep]:
        if lines == ["held"]:
            running.set()
            release.wait(10)
        return real(lines, **kwargs)

    monkeypatch.setattr(attempts, "_run_checker", held)
    first = threading.Thread(target=_post, args=(login(cast.alice), url, {"lines": ["held"]}))
    first.start()
    assert running.wait(10)
    try:
        second = _post(login(cast.alice), url, {"lines": WORK})
        assert second.status_code == 429 and "still being checked" in second.json()["error"]
        assert _post(login(cast.bob), url, {"lines": WORK}).status_code == 200
    finally:
        release.set()
        first.join(10)
