"""A real websocket client for the live stack, as a browser would connect."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import Callable
from typing import Any

import websockets

Event = dict[str, Any]


class TutorSocket:
    """A socket to one tutoring session that rebuilds what the page shows: checked steps.

    Live ``turn.step`` events add steps by index; a snapshot (on connect or after a sync)
    makes it read the saved steps over HTTP, as the page does, so after any loss the steps
    it holds equal the database's.
    """

    def __init__(self, ws_url: str, session_id: int, cookie: str, origin: str) -> None:
        self.url = f"{ws_url}/ws/session/{session_id}/"
        self.origin = origin
        self.cookie = cookie
        self.headers = {"Cookie": f"sessionid={cookie}", "Origin": origin}
        self.conn: Any = None
        self.events: list[Event] = []
        self.steps: dict[int, dict[int, Event]] = {}
        self.seqs: dict[int, int] = {}
        self.frames: list[int] = []  # the size of every message received, in bytes
        self.gaps = 0
        self.needs_sync = False
        self._to_fetch: set[int] = set()

    @property
    def texts(self) -> dict[int, str]:
        """Each turn's steps as shown, in order, one per line."""
        return {
            turn: "\n".join(steps[i]["text"] for i in sorted(steps))
            for turn, steps in self.steps.items()
        }

    async def __aenter__(self) -> TutorSocket:
        self.conn = await websockets.connect(
            self.url, additional_headers=self.headers, max_size=None
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.conn.close()

    async def send(self, message: Event) -> None:
        await self.conn.send(json.dumps(message))

    async def next_event(self, timeout: float = 30.0) -> Event:
        raw = await asyncio.wait_for(self.conn.recv(), timeout)
        self.frames.append(len(raw.encode() if isinstance(raw, str) else raw))
        event: Event = json.loads(raw)
        self.events.append(event)
        self._apply(event)
        if self._to_fetch:
            await asyncio.to_thread(self._fetch_pending)
        return event

    async def ask_until_streaming(self, mode: str = "solve") -> Event:
        """Read the snapshot, ask, and return the first event that shows the answer going."""
        await self.next_event()
        await self.send({"type": "ask", "mode": mode})
        return await self.until(lambda e: e.get("type") in ("turn.progress", "turn.step"))

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

    async def settle(self, timeout: float = 30.0) -> None:
        """After the answer is done: if anything was missed, resync once, as the page does."""
        if self.needs_sync:
            self.needs_sync = False
            await self.send({"type": "sync"})
            await self.until(lambda e: e.get("type") == "session.snapshot", timeout)

    def _apply(self, event: Event) -> None:
        kind = event.get("type")
        if kind == "session.snapshot":
            for turn in event["turns"]:
                self._apply_snapshot(turn)
        elif kind == "turn.snapshot":
            self._apply_snapshot(event)
        elif "turn" in event:
            turn_id = event["turn"]
            self.seqs[turn_id] = max(self.seqs.get(turn_id, 0), event.get("seq", 0))
            if kind == "turn.step":
                self._add_step(turn_id, event["step"])
            elif kind == "turn.done" and event["steps"] != len(self.steps.get(turn_id, {})):
                self.needs_sync = True

    def _apply_snapshot(self, turn: Event) -> None:
        if turn["seq"] < self.seqs.get(turn["turn"], 0):
            return  # older than what is already shown
        self.seqs[turn["turn"]] = turn["seq"]
        self.steps.setdefault(turn["turn"], {})
        self._to_fetch.add(turn["turn"])

    def _add_step(self, turn_id: int, step: Event) -> None:
        steps = self.steps.setdefault(turn_id, {})
        if steps and step["index"] > max(steps) + 1:
            self.gaps += 1  # events were lost: read the saved steps again
            self.needs_sync = True
        steps[step["index"]] = step

    def _fetch_pending(self) -> None:
        for turn_id in sorted(self._to_fetch):
            for part in ("answer", "thinking"):
                for step in read_steps(self.origin, self.cookie, turn_id, part):
                    self.steps.setdefault(turn_id, {})[step["index"]] = step
        self._to_fetch.clear()


def read_steps(origin: str, cookie: str, turn_id: int, part: str) -> list[Event]:
    """Every saved step of one part of a turn, page by page, as the page reads them."""
    steps: list[Event] = []
    after = -1
    while True:
        request = urllib.request.Request(
            f"{origin}/tutor/turns/{turn_id}/steps?part={part}&after={after}",
            headers={"Cookie": f"sessionid={cookie}", "Accept": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            page = json.loads(response.read())
        steps += page["steps"]
        if not page["more"] or not page["steps"]:
            return steps
        after = page["steps"][-1]["index"]


def is_done(turn_id: int | None = None) -> Callable[[Event], bool]:
    def check(event: Event) -> bool:
        return event.get("type") == "turn.done" and (turn_id is None or event["turn"] == turn_id)

    return check
