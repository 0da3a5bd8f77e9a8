"""The Celery task that sends one score to an LMS; tutor.lti.grades does the work."""

from __future__ import annotations

from celery import Task
from django.conf import settings

from tutor.celery import app
from tutor.lti import grades

# Ten tries with doubling waits (15 s, 30 s, 1 min, ... capped at 30 min) span about five
# hours: long enough to ride out a platform's maintenance window.
MAX_TRIES = 10
RETRY_CAP_S = 30 * 60


@app.task(name=grades.SEND_SCORE, bind=True, acks_late=True, max_retries=MAX_TRIES - 1)
def send_score(self: Task, grade_id: int) -> None:
    try:
        grades.grade_send(grade_id=grade_id)
    except grades.SendFailed as error:
        if self.request.retries >= MAX_TRIES - 1:
            grades.grade_give_up(grade_id=grade_id)
            return
        wait = min(settings.LTI_SCORE_RETRY_S * 2**self.request.retries, RETRY_CAP_S)
        raise self.retry(exc=error, countdown=wait) from error
