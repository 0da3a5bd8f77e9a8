"""The publisher delivers every event, in order within each group, over the real Redis layer."""

from __future__ import annotations

import asyncio

from channels.layers import get_channel_layer

from tutor import events


def test_it_delivers_each_groups_events_in_order() -> None:
    """Interleaved events for several sessions arrive complete and in order per session."""
    layer = get_channel_layer()
    groups = [events.session_group(900_000 + n) for n in range(5)]

    async def subscribe() -> list[str]:
        channels = []
        for group in groups:
            channel = await layer.new_channel()
            await layer.group_add(group, channel)
            channels.append(channel)
        return channels

    async def drain(channels: list[str], per_channel: int) -> dict[str, list[int]]:
        got: dict[str, list[int]] = {}
        for channel in channels:
            got[channel] = [
                (await asyncio.wait_for(layer.receive(channel), 10))["event"]["n"]
                for _ in range(per_channel)
            ]
        return got

    def publish() -> None:
        publisher = events.Publisher()
        for n in range(60):
            for group in groups:
                publisher.publish(group, {"type": "turn.delta", "n": n})
        publisher.flush(timeout=20)

    async def run() -> dict[str, list[int]]:
        # One loop throughout: a pub/sub layer hears messages only while its loop runs.
        channels = await subscribe()
        await asyncio.to_thread(publish)
        return await drain(channels, 60)

    received = asyncio.run(run())
    assert all(order == list(range(60)) for order in received.values())
