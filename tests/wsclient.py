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
        self.seqs: dict[int, int] = {}
        self.gaps = 0
        self.needs_sync = False

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

    async def ask_until_streaming(self, mode: str = "solve") -> Event:
        """Read the snapshot, ask, and return the first streamed frame."""
        await self.next_event()
        await self.send({"type": "ask", "mode": mode})
        return await self.until(lambda e: e.get("type") == "turn.delta")

    async def until(self, predicate: Callable[[Event], bool], timeout: float = 60.0) -> Event:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self.needs_sync:
                self.needs_sync = False
                await self.send({"type": "sync"})
            event = await self.next_event(max(0.1, deadline - loop.time()))
            if predicate(event):
                return event

    def _apply(self, event: Event) -> None:
        """Rebuild each turn's text exactly as the page does (static/js/tutor.js)."""
        kind = event.get("type")
        if kind == "session.snapshot":
            for turn in event["turns"]:
                self._apply_snapshot(turn)
        elif kind == "turn.snapshot":
            self._apply_snapshot(event)
        elif "turn" in event:
            turn_id = event["turn"]
            self.seqs[turn_id] = max(self.seqs.get(turn_id, 0), event.get("seq", 0))
            if kind == "turn.delta":
                self._apply_delta(turn_id, event["offset"], event["text"])
            elif kind == "turn.done" and event["length"] != len(self.texts.get(turn_id, "")):
                self.needs_sync = True

    def _apply_snapshot(self, turn: Event) -> None:
        if turn["seq"] < self.seqs.get(turn["turn"], 0):
            return  # older than what is already shown
        self.seqs[turn["turn"]] = turn["seq"]
        self.texts[turn["turn"]] = turn["text"]

    def _apply_delta(self, turn_id: int, offset: int, piece: str) -> None:
        text = self.texts.get(turn_id, "")
        if offset > len(text):
            self.gaps += 1  # frames were lost: resync from the saved text
            self.needs_sync = True
        elif offset + len(piece) > len(text):
            self.texts[turn_id] = text[:offset] + piece


def is_done(turn_id: int | None = None) -> Callable[[Event], bool]:
    def check(event: Event) -> bool:
        return event.get("type") == "turn.done" and (turn_id is None or event["turn"] == turn_id)

    return check


async def ask(
    ws_url: str, origin: str, session_id: int, cookie: str, mode: str = "hint", timeout: float = 60
) -> TutorSocket:
    """Open the session's socket, ask the tutor, and return once the answer is done."""
    async with TutorSocket(ws_url, session_id, cookie, origin) as ws:
        first = await ws.next_event()
        assert first["type"] == "session.snapshot"
        await ws.send({"type": "ask", "mode": mode})
        await ws.until(is_done(), timeout=timeout)
        return ws
