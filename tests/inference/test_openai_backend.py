"""OpenAIBackend against a real HTTP server that streams chunks exactly as vLLM does."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from inference.backends import Delta, GenerationParams, Stats, load_backend
from inference.backends.openai_backend import (
    OpenAIBackend,
    OpenAIServerError,
    chat_completions_url,
    iter_sse_data,
)
from tests.inference.openai_server import ANSWER, REASONING, FakeOpenAIServer

MESSAGES = [{"role": "user", "content": "Solve 2x + 3 = 11."}]
PARAMS = GenerationParams(max_new_tokens=512)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAIServer]:
    fake = FakeOpenAIServer(api_key="sk-test").start()
    yield fake
    fake.stop()


def _backend(server: FakeOpenAIServer, model: str = "ok", **kw: object) -> OpenAIBackend:
    kw.setdefault("api_key", "sk-test")
    return OpenAIBackend(model, base_url=server.base_url, **kw)  # type: ignore[arg-type]


def _run(
    backend: OpenAIBackend, params: GenerationParams = PARAMS, **kw: object
) -> tuple[str, Stats]:
    items = list(backend.stream(MESSAGES, params, **kw))  # type: ignore[arg-type]
    assert all(isinstance(item, Delta) for item in items[:-1])
    stats = items[-1]
    assert isinstance(stats, Stats)
    return "".join(item.text for item in items[:-1]), stats  # type: ignore[union-attr]


def test_it_streams_the_exact_text_with_the_servers_token_count(server: FakeOpenAIServer) -> None:
    """The student sees the server's answer verbatim; stats use the usage chunk."""
    text, stats = _run(_backend(server))
    assert text == ANSWER
    assert stats.finish_reason == "stop"
    assert stats.tokens == server.seen.chunks_sent["ok"] > 10
    assert stats.ttft_s is not None and 0 <= stats.ttft_s <= stats.elapsed_s


def test_it_counts_deltas_when_the_server_sends_no_usage(server: FakeOpenAIServer) -> None:
    """Servers that ignore stream_options still report a token count."""
    text, stats = _run(_backend(server, "no-usage"))
    assert text == ANSWER and stats.tokens == server.seen.chunks_sent["no-usage"]


def test_it_wraps_reasoning_content_in_think_tags(server: FakeOpenAIServer) -> None:
    """A reasoning model's thinking arrives as one <think> block the page can collapse."""
    text, stats = _run(_backend(server, "reasoning"))
    assert text == f"<think>{REASONING}</think>{ANSWER}"
    assert stats.finish_reason == "stop"


def test_it_sends_the_turns_limits_and_sampling(server: FakeOpenAIServer) -> None:
    """max_new_tokens becomes max_tokens; temperature, top_p and seed pass through."""
    params = GenerationParams(max_new_tokens=5, temperature=0.6, top_p=0.9, seed=7)
    text, stats = _run(_backend(server, "length-check"), params)
    body = next(b for b in server.seen.bodies if b["model"] == "length-check")
    assert body["max_tokens"] == 5 and body["temperature"] == 0.6 and body["top_p"] == 0.9
    assert body["seed"] == 7 and body["messages"] == MESSAGES
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert stats.finish_reason == "length" and stats.tokens == 5 and ANSWER.startswith(text)


def test_it_asks_for_greedy_decoding_with_temperature_zero(server: FakeOpenAIServer) -> None:
    """Greedy params become temperature 0 on the wire."""
    body = _backend(server).request_body(MESSAGES, GenerationParams(temperature=0.0))
    assert body["temperature"] == 0.0 and body["top_p"] == 1.0 and "seed" not in body


def test_it_closes_the_connection_when_the_student_stops(server: FakeOpenAIServer) -> None:
    """Stop ends the stream within a chunk and the server sees the client go away."""
    seen = 0

    def should_stop() -> bool:
        return seen >= 5

    backend = _backend(server, "endless")
    for item in backend.stream(MESSAGES, PARAMS, should_stop=should_stop):
        if isinstance(item, Delta):
            seen += 1
        else:
            stats = item
    assert stats.finish_reason == "cancelled" and stats.tokens == 5
    assert server.seen.disconnected("endless").wait(5), "the server never saw the disconnect"
    assert server.seen.chunks_sent["endless"] < 100  # closed, not drained


def test_it_reports_a_timeout_when_the_server_goes_silent(server: FakeOpenAIServer) -> None:
    """A server that stops sending ends the turn as timed out, keeping the text so far."""
    started = time.monotonic()
    text, stats = _run(_backend(server, "stall", read_timeout_s=0.4))
    assert stats.finish_reason == "timeout" and time.monotonic() - started < 2.5
    assert ANSWER.startswith(text) and stats.tokens == 3


def test_it_stops_at_the_turns_wall_clock(server: FakeOpenAIServer) -> None:
    """wall_clock_s bounds the whole answer, as with the local backend."""
    text, stats = _run(_backend(server, "endless"), GenerationParams(wall_clock_s=0.3))
    assert stats.finish_reason == "timeout" and 0 < stats.elapsed_s < 1.5 and text


def test_it_keeps_the_text_and_does_not_retry_when_the_stream_breaks(
    server: FakeOpenAIServer,
) -> None:
    """A connection cut mid-answer ends it with an error; asking again would repeat text."""
    text, stats = _run(_backend(server, "drop", backoff_s=0.0))
    assert stats.finish_reason == "error" and ANSWER.startswith(text) and text
    assert server.seen.count("drop") == 1


def test_it_retries_a_refused_connection_then_says_so(unused_port: int) -> None:
    """No server: a few backed-off retries, then an error naming the address."""
    slept: list[float] = []
    backend = OpenAIBackend(
        "m",
        base_url=f"http://127.0.0.1:{unused_port}",
        retries=2,
        backoff_s=0.05,
        sleep=slept.append,
    )
    with pytest.raises(OpenAIServerError, match=rf"127\.0\.0\.1:{unused_port}.*3 attempts"):
        list(backend.stream(MESSAGES, PARAMS))
    assert slept == [0.05, 0.1]


def test_it_retries_a_server_that_is_starting(server: FakeOpenAIServer) -> None:
    """HTTP 503 before any text is retried; the student gets the whole answer once."""
    text, stats = _run(_backend(server, "busy-then-ok", backoff_s=0.01))
    assert text == ANSWER and stats.finish_reason == "stop"
    assert server.seen.count("busy-then-ok") == 2


def test_it_raises_the_servers_message_on_a_bad_api_key(server: FakeOpenAIServer) -> None:
    """HTTP 401 is not retried and the error says what the server said."""
    with pytest.raises(OpenAIServerError, match="HTTP 401: Unauthorized") as info:
        list(_backend(server, "bad-key", api_key="wrong").stream(MESSAGES, PARAMS))
    assert info.value.status == 401 and server.seen.count("bad-key") == 1
    headers = next(
        h
        for b, h in zip(server.seen.bodies, server.seen.headers, strict=True)
        if b["model"] == "bad-key"
    )
    assert headers["Authorization"] == "Bearer wrong"


def test_it_raises_the_servers_message_on_a_server_error(server: FakeOpenAIServer) -> None:
    """HTTP 500 with vLLM's error body becomes a readable error, not retried."""
    with pytest.raises(OpenAIServerError, match="HTTP 500: CUDA out of memory"):
        list(_backend(server, "error-500").stream(MESSAGES, PARAMS))
    assert server.seen.count("error-500") == 1


def test_load_backend_builds_the_openai_kind(server: FakeOpenAIServer) -> None:
    """The registry's "openai" kind is what the Celery task asks for."""
    backend = load_backend("openai", "ok", base_url=server.base_url + "/v1", api_key="sk-test")
    assert isinstance(backend, OpenAIBackend) and not backend.is_demo and backend.name == "ok"
    assert _run(backend)[0] == ANSWER  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("base", "url"),
    [
        ("http://gpu1:8000", "http://gpu1:8000/v1/chat/completions"),
        ("http://gpu1:8000/", "http://gpu1:8000/v1/chat/completions"),
        ("http://gpu1:8000/v1", "http://gpu1:8000/v1/chat/completions"),  # the SDK's convention
    ],
)
def test_chat_completions_url(base: str, url: str) -> None:
    assert chat_completions_url(base) == url


def test_sse_parsing_follows_the_spec() -> None:
    """Comments and other fields are skipped; multi-line data is joined; blank lines split."""
    lines = [": ping", "event: message", "data: a", "data:b", "", "", "id: 3", "data: [DONE]", ""]
    assert list(iter_sse_data(lines)) == ["a\nb", "[DONE]"]


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
