"""The tutor websocket: authenticate, check permission, join the session's group, forward.

It holds no logic of its own: every request goes to a service, every read to a selector,
and every push arrives through tutor.events. Permission is checked again on every message
and whenever access changes (logout, leaving a class), not only at connect.
"""

from __future__ import annotations

import json
import logging
from importlib import import_module
from typing import Any

from channels.auth import get_user
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from tutor import events, selectors
from tutor.errors import UserError
from tutor.models import Turn, TutoringSession, User
from tutor.services import turns

log = logging.getLogger(__name__)
SESSION_ENGINE = import_module(settings.SESSION_ENGINE)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
MAX_MESSAGE_CHARS = 8192


class SessionConsumer(AsyncJsonWebsocketConsumer):
    session: TutoringSession | None = None
    user: User | None = None
    groups_joined: tuple[str, ...] = ()
    waiting: set[int]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.waiting = set()

    async def connect(self) -> None:
        await self.accept()
        session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        if await self._authorise(session_id) is None:
            return
        assert self.user is not None and self.session is not None
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
        session = await database_sync_to_async(selectors.session_visible_to)(
            user=user, session_id=session_id
        )
        if session is None:
            await self._deny(CLOSE_FORBIDDEN, session_id, user.pk)
            return None
        self.user, self.session = user, session
        return session

    async def _deny(self, code: int, session_id: int, user_id: int | None = None) -> None:
        # Ids only: no usernames or emails in logs.
        log.info("websocket denied: code=%s session=%s user=%s", code, session_id, user_id)
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = ()
        self.session = None
        await self.close(code=code)

    async def disconnect(self, code: int) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None or len(text_data) > MAX_MESSAGE_CHARS:
            await self.send_json(
                {
                    "type": "error",
                    "message": f"Messages are limited to {MAX_MESSAGE_CHARS} characters.",
                }
            )
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.send_json({"type": "error", "message": "That request was not understood."})
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.session is None or not isinstance(content, dict):
            return
        if await self._authorise(self.session.pk) is None:
            return
        action = content.get("type")
        try:
            if action == "ask":
                await self._ask(content)
            elif action in ("stop", "retry", "continue"):
                await self._act_on_turn(action, content.get("turn"))
            elif action == "sync":
                await self._send_snapshot()
            else:
                await self.send_json({"type": "error", "message": "Unknown request."})
        except UserError as error:
            await self.send_json({"type": "error", "message": error.message})

    async def _ask(self, content: dict[str, Any]) -> None:
        assert self.session is not None and self.user is not None
        if self.session.student_id != self.user.pk:
            raise UserError("Only the student can ask the tutor in this session.")
        mode = str(content.get("mode", ""))
        question = str(content.get("question", ""))
        await database_sync_to_async(turns.turn_request)(
            session=self.session, mode=mode, question=question
        )

    async def _act_on_turn(self, action: str, turn_id: Any) -> None:
        assert self.session is not None and self.user is not None
        if self.session.student_id != self.user.pk:
            raise UserError("Only the student can change this session.")
        turn = await database_sync_to_async(
            Turn.objects.filter(pk=_as_int(turn_id), session=self.session).first
        )()
        if turn is None:
            raise UserError("That answer does not exist.")
        if action == "stop":
            await database_sync_to_async(turns.turn_cancel)(turn=turn)
        elif action == "continue":
            await database_sync_to_async(turns.turn_continue)(turn=turn)
        else:
            await database_sync_to_async(turns.turn_retry)(turn=turn)

    async def _send_snapshot(self) -> None:
        assert self.session is not None
        await database_sync_to_async(turns.turns_reap_dead)(session=self.session)
        snapshot = await database_sync_to_async(selectors.session_snapshot)(session=self.session)
        self.waiting = {t["turn"] for t in snapshot if t["status"] == Turn.Status.QUEUED}
        # Summaries only (about 0.5 KB a turn): the steps are read over HTTP, page by page.
        await self.send_json({"type": "session.snapshot", "turns": snapshot})

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
            await self.send_json(event)

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


def _as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise UserError("That answer does not exist.") from None
