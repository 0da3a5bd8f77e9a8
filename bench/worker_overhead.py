"""Per-token cost of the worker's streaming path, against raw generate() in the same run.

    OMP_NUM_THREADS=1 .venv/bin/python bench/worker_overhead.py [--tokens 200] [--repeats 7]

Part 1 runs the tiny model: raw ``model.generate`` versus ``TransformersBackend.stream`` feeding
a Coalescer, a StepSplitter and a publish callback (what tutor/worker/turn_stream.py does, minus
Redis), and the bare decode loop that stream runs, their repeats interleaved. Part 2 uses
ScriptedBackend with no rate limit as a fast deterministic token source, at 100 and 30,000
tokens, to show the path costs the same per token however long the answer gets.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inference.backends import Delta, GenerationParams, ScriptedBackend, Stats
from inference.backends.scripted import chunk_text
from inference.prompts import build_messages
from inference.streaming import Coalescer, StepSplitter


def consume(items: Iterator[Delta | Stats]) -> int:
    """The worker's per-delta work: coalesce, split steps, publish frames. Returns frames sent."""
    coalescer, splitter = Coalescer(), StepSplitter()
    published: list[object] = []
    publish: Callable[[object], None] = published.append
    for item in items:
        if isinstance(item, Delta):
            frame = coalescer.push(item.text, time.monotonic())
            if frame is not None:
                publish(frame)
                for step in splitter.feed(frame):
                    publish(step)
    tail = coalescer.flush()
    for step in [*splitter.feed(tail), *splitter.finish()]:
        publish(step)
    return len(published)


def clock(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def timed_interleaved(
    runs: Sequence[tuple[Callable[[], object], int]], repeats: int
) -> list[list[float]]:
    """Rounds that run each ``(fn, count)`` count times in turn, so noise lands on all alike.

    The first round warms up and is not counted.
    """
    out: list[list[float]] = [[] for _ in runs]
    for round_ in range(repeats + 1):
        for (fn, count), seconds in zip(runs, out, strict=True):
            laps = [clock(fn) for _ in range(count)]
            if round_:
                seconds.extend(laps)
    return out


def row(name: str, seconds: list[float], tokens: int, base: float | None) -> str:
    per = statistics.median(seconds) / tokens * 1e6
    worst = sorted(seconds)[int(0.99 * (len(seconds) - 1))] / tokens * 1e6
    ratio = f"{per / base:6.2f}x" if base else "   base"
    return f"{name:<44} {tokens:>7} {per:>12.2f} {worst:>12.2f} {ratio}"


def model_part(tokens: int, repeats: int) -> list[str]:
    import torch

    from inference.backends import TransformersBackend
    from inference.backends.decode_loop import decode_tokens
    from inference.tiny_model import build_tiny_model

    torch.set_num_threads(1)
    # Untrained tiny model: its special-token rows are zero, so greedy never stops early and
    # every run produces exactly `tokens` tokens.
    model_dir = build_tiny_model(Path(tempfile.mkdtemp()) / "tiny")
    backend = TransformersBackend(str(model_dir))
    messages = build_messages(mode="solve", problem="Solve 2x + 3 = 11 for x.")
    inputs = backend.encode(messages)
    params = GenerationParams(max_new_tokens=tokens, temperature=0.0)

    def raw() -> None:
        with torch.inference_mode():
            backend.model.generate(**inputs, max_new_tokens=tokens, do_sample=False)

    def loop() -> None:
        for _ in decode_tokens(
            backend.model, inputs["input_ids"], params, eos_ids=(), stop=lambda: False
        ):
            pass

    def streamed() -> None:
        consume(backend.stream(messages, params))

    stats = list(backend.stream(messages, params))[-1]
    assert isinstance(stats, Stats) and stats.tokens == tokens, stats
    raw_s, loop_s, stream_s = timed_interleaved([(raw, 1), (loop, 1), (streamed, 1)], repeats)
    base = statistics.median(raw_s) / tokens * 1e6

    def overhead(against: list[float]) -> float:
        # Median of the per-round differences: noise that outlasts a round (another process on
        # these two cores) slows both runs of that round alike and cancels out.
        paired = [s - a for s, a in zip(stream_s, against, strict=True)]
        return statistics.median(paired) / tokens * 1e6

    return [
        row("tiny model: raw model.generate", raw_s, tokens, None),
        row("tiny model: bare decode loop", loop_s, tokens, base),
        row("tiny model: stream + coalesce + split + publish", stream_s, tokens, base),
        f"{'  -> overhead per token vs generate (us)':<44} {'':>7} {overhead(raw_s):>12.2f}",
        f"{'  -> overhead per token vs bare loop (us)':<44} {'':>7} {overhead(loop_s):>12.2f}",
    ]


def scripted_part(repeats: int) -> list[str]:
    line = "Step 1: Subtract 3 from both sides: 2x = 11 - 3 = 8\n"
    chunks = chunk_text(line * 3000)
    params = GenerationParams(max_new_tokens=32768)
    short, long = (ScriptedBackend("".join(chunks[:n])) for n in (100, 30_000))
    # Each round streams the long answer once and the short one 300 times: the same number of
    # tokens for both sizes, under the same noise.
    long_s, short_s = timed_interleaved(
        [
            (lambda: consume(long.stream([], params)), 1),
            (lambda: consume(short.stream([], params)), 300),
        ],
        repeats,
    )
    base = statistics.median(short_s) / 100 * 1e6
    return [
        row("scripted source: stream + worker path", short_s, 100, None),
        row("scripted source: stream + worker path", long_s, 30_000, base),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print(f"{'path':<44} {'tokens':>7} {'median us/tok':>12} {'p99 us/tok':>12} {'ratio':>7}")
    for text in [*model_part(args.tokens, args.repeats), *scripted_part(args.repeats)]:
        print(text)


if __name__ == "__main__":
    main()
