"""The tutor websocket: authenticate, check permission, join the session's group, forward.

It holds no logic of its own: every request goes to a service, every read to a selector,
and every push arrives through tutor.events.
"""

from __future__ import annotations

import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from tutor import events, selectors
from tutor.errors import UserError
from tutor.models import Turn, TutoringSession, User
from tutor.services import turns

log = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


class SessionConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    session: TutoringSession | None = None
    user: User | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        session = await database_sync_to_async(selectors.session_visible_to)(
            user=user, session_id=session_id
        )
        if session is None:
            log.info("websocket subscription denied (session %s)", session_id)
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.user, self.session = user, session
        await self.channel_layer.group_add(events.session_group(session.pk), self.channel_name)
        await self.channel_layer.group_add(events.QUEUE_GROUP, self.channel_name)
        await self._send_snapshot()

    async def disconnect(self, code: int) -> None:
        if self.session is not None:
            await self.channel_layer.group_discard(
                events.session_group(self.session.pk), self.channel_name
            )
            await self.channel_layer.group_discard(events.QUEUE_GROUP, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.session is None or not isinstance(content, dict):
            return
        action = content.get("type")
        try:
            if action == "ask":
                await self._ask(content)
            elif action in ("stop", "retry"):
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
        else:
            await database_sync_to_async(turns.turn_retry)(turn=turn)

    async def _send_snapshot(self) -> None:
        assert self.session is not None
        await database_sync_to_async(turns.turns_reap_dead)(session=self.session)
        snapshot = await database_sync_to_async(selectors.session_snapshot)(session=self.session)
        await self.send_json({"type": "session.snapshot", "turns": snapshot})

    async def tutor_event(self, message: dict[str, Any]) -> None:
        event = message["event"]
        if event.get("type") == "queue.changed":
            await self._send_queue_positions()
            return
        await self.send_json(event)

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
