"""OpenAIBackend's prefixes and rewinds over real HTTP, against a server that continues a final
assistant message as vLLM and SGLang do with ``continue_final_message``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from inference.backends import Delta, GenerationParams, Stats, load_backend
from inference.backends.openai_backend import OpenAIBackend
from inference.prompts import split_thinking
from tests.inference.openai_server import ANSWER, REASONING, THOUGHT, FakeOpenAIServer

MESSAGES = [{"role": "user", "content": "Solve 2x + 3 = 11."}]
RIGHT = "Step 1: 2x + 3 = 11, so 2x = 8.\nStep 2: x = 4.\nThe answer is \\boxed{4}."
WRONG_LINE = "Step 2: x = 5.\n"
FIRST_DRAFTS = RIGHT.replace("x = 4.", "x = 5.")


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAIServer]:
    fake = FakeOpenAIServer().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def slow_server() -> Iterator[FakeOpenAIServer]:
    """Still streaming when the client goes away, so the server sees the disconnect."""
    fake = FakeOpenAIServer(token_delay_s=0.02).start()
    yield fake
    fake.stop()


def _backend(server: FakeOpenAIServer, model: str, **kw: Any) -> OpenAIBackend:
    return OpenAIBackend(model, base_url=server.base_url, **kw)


def _bodies(server: FakeOpenAIServer, model: str) -> list[dict[str, Any]]:
    return [b for b in server.seen.bodies if b["model"] == model]


def _read_rewinding_wrong_lines(generation: Any) -> tuple[str, Stats]:
    """Read like the worker does: a line that says x = 5 is taken back to its start."""
    text = ""
    for item in generation:
        if isinstance(item, Stats):
            return text, item
        text += item.text
        if text.endswith(WRONG_LINE):
            start = len(text) - len(WRONG_LINE)
            assert generation.rewind(start)
            text = text[:start]
    raise AssertionError("no Stats")


def test_a_prefix_is_sent_as_a_final_assistant_message_and_continued(
    server: FakeOpenAIServer,
) -> None:
    """An answer cut off by the cap goes on from where it stopped, without repeating it."""
    prefix = ANSWER[:20]
    items = list(_backend(server, "ok").stream(MESSAGES, GenerationParams(), prefix=prefix))
    assert "".join(i.text for i in items if isinstance(i, Delta)) == ANSWER[20:]
    body = _bodies(server, "ok")[-1]
    assert body["messages"] == [*MESSAGES, {"role": "assistant", "content": prefix}]
    assert body["continue_final_message"] is True and body["add_generation_prompt"] is False


def test_a_rewind_restarts_the_request_from_the_kept_text(slow_server: FakeOpenAIServer) -> None:
    """The wrong step is written again: the server aborts the first answer and continues the
    kept text, with a new seed and (for greedy params) sampling."""
    backend = _backend(slow_server, "retry")
    params = GenerationParams(temperature=0.0, seed=11)
    text, stats = _read_rewinding_wrong_lines(backend.stream(MESSAGES, params))
    assert text == RIGHT and stats.finish_reason == "stop" and stats.rewinds == 1
    first, second = _bodies(slow_server, "retry")
    assert "continue_final_message" not in first and first["temperature"] == 0.0
    assert second["messages"][-1] == {"role": "assistant", "content": RIGHT.split("Step 2")[0]}
    assert second["seed"] != first["seed"] == 11
    assert (second["temperature"], second["top_p"]) == (0.8, 0.95)
    assert slow_server.seen.disconnected("retry").wait(5), "the first response was not closed"
    # Every token streamed counts, the rejected line's too.
    kept = RIGHT.split("Step 2")[0]
    assert stats.tokens == len(_chunks(kept + WRONG_LINE)) + len(_chunks(RIGHT[len(kept) :]))


def test_the_same_seed_gives_the_same_requests(server: FakeOpenAIServer) -> None:
    """A rewind's seed is derived from the turn's, so a rerun asks for the same thing."""
    backend = _backend(server, "retry")
    before = len(_bodies(server, "retry"))
    for _ in range(2):
        _read_rewinding_wrong_lines(backend.stream(MESSAGES, GenerationParams(seed=4)))
    seeds = [b["seed"] for b in _bodies(server, "retry")[before:]]
    assert seeds[0] == seeds[2] == 4 and seeds[1] == seeds[3] != 4


@pytest.mark.parametrize(
    "model",
    [
        "retry-reasoning",  # the thinking in reasoning_content, the continuation as content
        "retry-misfiled",  # a parser that files the continued answer as reasoning
        "retry-raw",  # no reasoning parser: tags arrive in the content
    ],
)
def test_a_rewind_in_the_answer_keeps_one_think_block(server: FakeOpenAIServer, model: str) -> None:
    """The kept text holds a closed <think> block; the continuation is answer, not thinking."""
    text, stats = _read_rewinding_wrong_lines(
        _backend(server, model).stream(MESSAGES, GenerationParams())
    )
    assert text == THOUGHT + RIGHT and stats.rewinds == 1
    assert split_thinking(text) == (REASONING, RIGHT)


@pytest.mark.parametrize("model", ["retry-reasoning", "retry-raw"])
def test_a_rewind_inside_the_thinking_goes_on_thinking(
    server: FakeOpenAIServer, model: str
) -> None:
    """Kept text that ends inside <think> is continued inside it: no second <think>."""
    generation = _backend(server, model).stream(MESSAGES, GenerationParams())
    text, rewound = "", False
    for item in generation:
        if isinstance(item, Stats):
            break
        text += item.text
        if not rewound and text.endswith("linear;"):
            back_to = len("<think>The equation is")
            assert generation.rewind(back_to)
            text, rewound = text[:back_to], True
    assert text == THOUGHT + FIRST_DRAFTS


def test_cancel_after_a_rewind_stops_the_new_request(server: FakeOpenAIServer) -> None:
    """Stop still takes effect on the restarted answer."""
    after, rewound = 0, False

    def should_stop() -> bool:
        return after >= 2

    generation = _backend(server, "retry").stream(MESSAGES, GenerationParams(), should_stop)
    text = ""
    for item in generation:
        if isinstance(item, Stats):
            stats = item
            break
        text += item.text
        if rewound:
            after += 1
        elif text.endswith(WRONG_LINE):
            assert generation.rewind(len(text) - len(WRONG_LINE))
            rewound = True
    assert stats.finish_reason == "cancelled" and stats.rewinds == 1


def test_without_continue_final_message_it_cannot_rewind(server: FakeOpenAIServer) -> None:
    """A server without the extension: rewinds are refused and a prefix is an error."""
    backend = _backend(server, "retry", continue_final_message=False)
    assert not backend.can_rewind
    generation = backend.stream(MESSAGES, GenerationParams())
    text = ""
    for item in generation:
        if isinstance(item, Delta):
            text += item.text
            assert not generation.rewind(0)
    assert text == FIRST_DRAFTS
    with pytest.raises(ValueError, match="continue_final_message"):
        backend.stream(MESSAGES, GenerationParams(), prefix="Step 1")


def test_load_backend_passes_continue_final_message(server: FakeOpenAIServer) -> None:
    """The registry builds the backend the worker's settings describe."""
    backend = load_backend("openai", "ok", base_url=server.base_url, continue_final_message=False)
    assert isinstance(backend, OpenAIBackend) and not backend.can_rewind
    assert load_backend("openai", "ok", base_url=server.base_url).can_rewind


def test_the_cap_counts_the_kept_deltas(server: FakeOpenAIServer) -> None:
    """After a rewind the server is asked for what is left of max_new_tokens."""
    _read_rewinding_wrong_lines(
        _backend(server, "retry").stream(MESSAGES, GenerationParams(max_new_tokens=100))
    )
    first, second = _bodies(server, "retry")[-2:]
    kept = RIGHT.split("Step 2")[0]
    assert first["max_tokens"] == 100
    assert second["max_tokens"] == 100 - len(_chunks(kept))


def _chunks(text: str) -> list[str]:
    from inference.backends.scripted import chunk_text

    return chunk_text(text)


def test_an_answer_cut_off_while_thinking_is_continued_inside_the_block(
    server: FakeOpenAIServer,
) -> None:
    """At the token cap the think block is left open, so its continuation goes on thinking and
    the two parts read as one answer."""
    backend = _backend(server, "reasoning")
    items = list(backend.stream(MESSAGES, GenerationParams(max_new_tokens=5)))
    first = "".join(i.text for i in items if isinstance(i, Delta))
    assert isinstance(items[-1], Stats) and items[-1].finish_reason == "length"
    assert first.startswith("<think>") and "</think>" not in first
    items = list(backend.stream(MESSAGES, GenerationParams(), prefix=first))
    rest = "".join(i.text for i in items if isinstance(i, Delta))
    assert first + rest == THOUGHT + ANSWER
