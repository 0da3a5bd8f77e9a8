"""The tutor worker: the Celery task that answers one turn and streams it to the browser.

It runs in the Celery worker process only (``-Q gpu``), never in the web process: the web
side sends the task by its registered name (``tutor.celery.GENERATE_TURN``).
"""
