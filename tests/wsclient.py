"""A real websocket client for the live stack, as a browser would connect."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import websockets

Event = dict[str, Any]


class TutorSocket:
    def __init__(self, ws_url: str, session_id: int, cookie: str, origin: str) -> None:
        self.url = f"{ws_url}/ws/session/{session_id}/"
        self.headers = {"Cookie": f"sessionid={cookie}", "Origin": origin}
        self.conn: Any = None
        self.events: list[Event] = []
        self.texts: dict[int, str] = {}

    async def __aenter__(self) -> TutorSocket:
        self.conn = await websockets.connect(self.url, additional_headers=self.headers)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.conn.close()

    async def send(self, message: Event) -> None:
        await self.conn.send(json.dumps(message))

    async def next_event(self, timeout: float = 30.0) -> Event:
        event: Event = json.loads(await asyncio.wait_for(self.conn.recv(), timeout))
        self.events.append(event)
        self._apply(event)
        return event

    async def until(self, predicate: Callable[[Event], bool], timeout: float = 60.0) -> Event:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = await self.next_event(max(0.1, deadline - loop.time()))
            if predicate(event):
                return event

    def _apply(self, event: Event) -> None:
        """Rebuild each turn's text the way the page does: by offset, from snapshots."""
        kind = event.get("type")
        if kind == "session.snapshot":
            for turn in event["turns"]:
                self.texts[turn["turn"]] = turn["text"]
        elif kind == "turn.snapshot":
            self.texts[event["turn"]] = event["text"]
        elif kind == "turn.delta":
            text = self.texts.get(event["turn"], "")
            offset, piece = event["offset"], event["text"]
            if offset <= len(text):
                self.texts[event["turn"]] = (
                    text[:offset] + piece if offset + len(piece) > len(text) else text
                )
            else:
                raise AssertionError(f"gap in the stream: offset {offset} after {len(text)} chars")


def is_done(turn_id: int | None = None) -> Callable[[Event], bool]:
    def check(event: Event) -> bool:
        return event.get("type") == "turn.done" and (turn_id is None or event["turn"] == turn_id)

    return check
