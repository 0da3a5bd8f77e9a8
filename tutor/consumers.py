"""The tutor websocket: authenticate, check permission, join the session's group, forward.

It holds no logic of its own: every request goes to a service, every read to a selector,
and every push arrives through tutor.events. Permission is checked again on every message
and whenever access changes (logout, leaving a class), not only at connect.

Whatever a client sends, the answer is a message: malformed input (binary frames, invalid
JSON, JSON nested past the parser's limit, text the database cannot store) gets an error
message and the socket stays open. Nothing the user typed is logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import traceback
from importlib import import_module
from typing import Any

from asgiref.sync import sync_to_async
from channels.auth import get_user
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from tutor import counters, events, selectors
from tutor.checker_text import translate_detail
from tutor.errors import UserError
from tutor.language import scope_language
from tutor.models import Turn, TutoringSession, User
from tutor.services import turns
from tutor.turn_errors import shown_error

log = logging.getLogger(__name__)
SESSION_ENGINE = import_module(settings.SESSION_ENGINE)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_MANY = 4429
MAX_MESSAGE_CHARS = 8192
# Marked here, translated when sent: the constants themselves stay English.
NOT_UNDERSTOOD = gettext_noop("That request was not understood.")
TOO_MANY = gettext_noop(
    "You are sending requests very quickly. Wait a few seconds, then try again."
)
FAILED = gettext_noop("Something went wrong with that request, and it was not done. Try again.")
BUDGET_WINDOW_S = 60


class SessionConsumer(AsyncJsonWebsocketConsumer):
    session: TutoringSession | None = None
    user: User | None = None
    groups_joined: tuple[str, ...] = ()
    waiting: set[int]
    # The page's language, as pages choose it (tutor.language); read again with the user.
    language: str = settings.LANGUAGE_CODE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.waiting = set()
        self.last_snapshot_at = -float("inf")  # on the event loop's clock
        self.pending_snapshot: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        await self.accept()
        session_id = self.scope["url_route"]["kwargs"]["session_id"]
        if not selectors.is_row_id(session_id):
            await self._deny(CLOSE_FORBIDDEN, 0)
            return
        if await self._authorise(session_id) is None:
            return
        assert self.user is not None and self.session is not None
        if not await self._within_budget():
            # A fresh socket costs a full snapshot: reconnecting in a loop is spending too.
            await self.close(code=CLOSE_TOO_MANY)
            return
        self.groups_joined = (
            events.session_group(self.session.pk),
            events.user_group(self.user.pk),
            events.QUEUE_GROUP,
        )
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self._send_snapshot()

    async def _authorise(self, session_id: int) -> TutoringSession | None:
        """Re-read the user from the session store and re-check access; close if denied."""
        store = self.scope.get("session")
        if store is not None and store.session_key:
            # A fresh store, not the one loaded at connect: a session that has since expired
            # or been deleted (logout elsewhere) must read as anonymous now.
            self.scope["session"] = SESSION_ENGINE.SessionStore(store.session_key)
        user = await get_user(self.scope)
        if user is None or not user.is_authenticated:
            await self._deny(CLOSE_UNAUTHENTICATED, session_id)
            return None
        if getattr(user, "must_change_password", False):
            # A temporary password opens the password page only (tutor/password_change.py),
            # and a socket opened by hand is no way around that.
            await self._deny(CLOSE_FORBIDDEN, session_id, user.pk)
            return None
        session = await database_sync_to_async(selectors.session_visible_to)(
            user=user, session_id=session_id
        )
        if session is None:
            await self._deny(CLOSE_FORBIDDEN, session_id, user.pk)
            return None
        self.user, self.session = user, session
        self.language = scope_language(self.scope, user)
        return session

    async def _deny(self, code: int, session_id: int, user_id: int | None = None) -> None:
        # Ids only: no usernames or emails in logs.
        log.info("websocket denied: code=%s session=%s user=%s", code, session_id, user_id)
        await self._leave_groups()
        self.session = None
        await self.close(code=code)

    async def _leave_groups(self) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = ()
        if self.pending_snapshot is not None:
            self.pending_snapshot.cancel()
            self.pending_snapshot = None

    async def disconnect(self, code: int) -> None:
        await self._leave_groups()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        # Every message the socket sends back, the services' errors included, is in the
        # page's language; the context carries it into database_sync_to_async's threads.
        with translation.override(self.language):
            try:
                content = _parse(text_data, bytes_data)
            except UserError as error:
                await self._error(error.message)
                return
            await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.session is None:
            return
        if not await self._within_budget():
            if content.get("type") == "sync":
                # Never refused, only later: the page waits for this snapshot to go on.
                self._snapshot_later(BUDGET_WINDOW_S - time.time() % BUDGET_WINDOW_S)
            else:
                await self._error(gettext(TOO_MANY))
            return
        if await self._authorise(self.session.pk) is None:
            return
        try:
            await self._dispatch(content)
        except UserError as error:
            await self._error(error.message)
        except Exception as error:
            # The socket stays open. The log gets where it failed, not the message: a
            # database error can quote the user's text.
            _log_failure("websocket request", error)
            await self._error(gettext(FAILED))

    async def _dispatch(self, content: dict[str, Any]) -> None:
        action = content.get("type")
        if action == "ask":
            await self._ask(content)
        elif action in ("stop", "retry", "continue"):
            await self._act_on_turn(str(action), content.get("turn"))
        elif action == "sync":
            await self._resync()
        else:
            raise UserError(gettext("Unknown request."))

    async def _error(self, message: str) -> None:
        await self.send_json({"type": "error", "message": message})

    async def _within_budget(self) -> bool:
        """Count one message against the user's budget, over all of the user's sockets."""
        assert self.user is not None
        window = int(time.time() // BUDGET_WINDOW_S)
        key = f"stepwise:ws-messages:{self.user.pk}:{window}"
        used = await sync_to_async(counters.count)(key, BUDGET_WINDOW_S * 2)
        return used <= settings.WS_MESSAGES_PER_MINUTE

    async def _ask(self, content: dict[str, Any]) -> None:
        assert self.session is not None and self.user is not None
        if self.session.student_id != self.user.pk:
            raise UserError(gettext("Only the student can ask the tutor in this session."))
        mode, question = content.get("mode", ""), content.get("question", "")
        if not isinstance(mode, str) or not isinstance(question, str):
            raise UserError(gettext(NOT_UNDERSTOOD))
        await database_sync_to_async(turns.turn_request)(
            session=self.session, mode=mode, question=question
        )

    async def _act_on_turn(self, action: str, turn_id: Any) -> None:
        assert self.session is not None and self.user is not None
        if self.session.student_id != self.user.pk:
            raise UserError(gettext("Only the student can change this session."))
        turn = await database_sync_to_async(
            Turn.objects.filter(pk=_as_id(turn_id), session=self.session).first
        )()
        if turn is None:
            raise UserError(gettext("That answer does not exist."))
        if action == "stop":
            await database_sync_to_async(turns.turn_cancel)(turn=turn)
        elif action == "continue":
            await database_sync_to_async(turns.turn_continue)(turn=turn)
        else:
            await database_sync_to_async(turns.turn_retry)(turn=turn)

    async def _resync(self) -> None:
        """A full snapshot, at most one per WS_SYNC_INTERVAL_S: a sooner one is sent then."""
        wait = self.last_snapshot_at + settings.WS_SYNC_INTERVAL_S - self._now()
        if wait <= 0 and self.pending_snapshot is None:
            await self._send_snapshot()
        else:
            self._snapshot_later(max(wait, 0.0))

    def _snapshot_later(self, delay: float) -> None:
        # One pending snapshot per socket, whatever the number of syncs asked meanwhile.
        if self.pending_snapshot is None:
            self.pending_snapshot = asyncio.ensure_future(self._deferred_snapshot(delay))

    async def _deferred_snapshot(self, delay: float) -> None:
        await asyncio.sleep(delay)
        self.pending_snapshot = None
        try:
            if self.session is not None and await self._authorise(self.session.pk) is not None:
                await self._send_snapshot()
        except Exception as error:
            _log_failure("deferred snapshot", error)

    async def _send_snapshot(self) -> None:
        assert self.session is not None
        self.last_snapshot_at = self._now()
        await database_sync_to_async(turns.turns_reap_dead)(session=self.session)
        snapshot = await database_sync_to_async(selectors.session_snapshot)(session=self.session)
        self.waiting = {t["turn"] for t in snapshot if t["status"] == Turn.Status.QUEUED}
        # Summaries only (about 0.5 KB a turn): the steps are read over HTTP, page by page.
        with translation.override(self.language):
            turns_shown = [localized(t) for t in snapshot]
        await self.send_json({"type": "session.snapshot", "turns": turns_shown})

    @staticmethod
    def _now() -> float:
        return asyncio.get_running_loop().time()

    async def tutor_event(self, message: dict[str, Any]) -> None:
        if self.session is None:
            return
        event = message["event"]
        kind = event.get("type")
        if kind == "queue.changed":
            # Every socket hears queue changes; only those with a turn waiting pay a query.
            if self.waiting:
                await self._send_queue_positions()
        elif kind == "access.logged_out":
            await self._deny(CLOSE_UNAUTHENTICATED, self.session.pk)
        elif kind == "access.changed":
            await self._authorise(self.session.pk)
        else:
            self._track_waiting(event)
            if event.get("type") in READ_BACK and not self.language.startswith("en"):
                # Reading a verdict back into Spanish is CPU work (bounded, usually well under
                # a millisecond): done off the event loop that serves every other socket.
                shown = await sync_to_async(self._localized, thread_sensitive=False)(event)
            else:
                shown = self._localized(event)
            await self.send_json(shown)

    def _localized(self, event: dict[str, Any]) -> dict[str, Any]:
        with translation.override(self.language):
            return localized(event)

    def _track_waiting(self, event: dict[str, Any]) -> None:
        turn_id, status = event.get("turn"), event.get("status")
        if turn_id is None or status is None:
            return
        if status == Turn.Status.QUEUED:
            self.waiting.add(turn_id)
        else:
            self.waiting.discard(turn_id)

    async def _send_queue_positions(self) -> None:
        assert self.session is not None
        queued = await database_sync_to_async(selectors.queued_positions)(session=self.session)
        for turn_id, position in queued:
            await self.send_json({"type": "turn.queue", "turn": turn_id, "position": position})


class UnknownRouteConsumer(AsyncWebsocketConsumer):
    """Any other websocket path (ws/session/abc/): the handshake is refused, not a 500."""

    async def connect(self) -> None:
        await self.close(code=CLOSE_NOT_FOUND)


# Events that carry a checker verdict, read back into the page's language.
READ_BACK = frozenset({"turn.step", "turn.final"})


def localized(event: dict[str, Any]) -> dict[str, Any]:
    """An event as this socket's page shows it: the checker's verdicts and the tutor's
    errors, stored in English, in the active language."""
    step = event.get("step")
    if event.get("type") == "turn.step" and isinstance(step, dict) and step.get("detail"):
        event = {**event, "step": {**step, "detail": translate_detail(str(step["detail"]))}}
    if event.get("type") == "turn.final" and event.get("detail"):
        event = {**event, "detail": translate_detail(str(event["detail"]))}
    if event.get("error"):
        event = {**event, "error": shown_error(str(event["error"]))}
    return event


def _parse(text_data: str | None, bytes_data: bytes | None) -> dict[str, Any]:
    """The message as a JSON object, or UserError saying what is wrong with it."""
    if text_data is None:
        raise UserError(gettext("Send requests as JSON text, not binary."))
    if len(text_data) > MAX_MESSAGE_CHARS:
        raise UserError(
            gettext("Messages are limited to %(count)s characters.") % {"count": MAX_MESSAGE_CHARS}
        )
    try:
        content = json.loads(text_data)
    except (ValueError, RecursionError):
        # RecursionError: JSON nested deeper than the parser goes (a few thousand brackets
        # fit in the size cap).
        raise UserError(gettext(NOT_UNDERSTOOD)) from None
    if not isinstance(content, dict):
        raise UserError(gettext(NOT_UNDERSTOOD))
    return content


def _as_id(value: Any) -> int:
    """A turn id from a message: an int or a string of digits that can name a row."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 20:
        value = int(value)
    if not selectors.is_row_id(value):
        raise UserError(gettext("That answer does not exist."))
    return int(value)


def _log_failure(what: str, error: Exception) -> None:
    frames = traceback.extract_tb(error.__traceback__)[-6:]
    where = " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in reversed(frames))
    log.error("%s failed: %s at %s", what, type(error).__name__, where)
