"""A client for OpenAI-compatible chat servers (vLLM, SGLang, Ollama, llama.cpp server).

The model runs elsewhere, usually on a GPU host with continuous batching; this backend only
streams ``POST {base}/v1/chat/completions`` with ``stream=true`` and turns the server-sent events
into the same ``Delta``... ``Stats`` stream as ``TransformersBackend``. No Django imports.
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import logging
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from typing import Any

import httpx

from .base import (
    BaseGeneration,
    Delta,
    FinishReason,
    Generation,
    GenerationParams,
    Message,
    Stats,
    StopCheck,
    make_stats,
    params_after_rewind,
)

log = logging.getLogger(__name__)

THINK_OPEN, THINK_CLOSE = "<think>", "</think>"
# Answers that say nothing was generated, so asking again cannot duplicate text: a proxy or a
# server that is restarting. Every other status is final.
RETRY_STATUSES = frozenset({502, 503, 504})
# Failures before the response headers arrive: the request never produced a token.
RETRY_ERRORS: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.RemoteProtocolError,
    httpx.ReadError,
    httpx.WriteError,
)
_SERVER_REASONS: dict[str, FinishReason] = {"stop": "stop", "length": "length", "abort": "error"}


class OpenAIServerError(RuntimeError):
    """The server could not be reached, or refused or failed the request.

    Raised only before any text was streamed; later failures end the stream with
    finish_reason "error" so the text already shown is kept.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class OpenAIBackend:
    """Streams chat completions from an OpenAI-compatible server.

    Thread-safe: one instance (and one pooled ``httpx.Client``) serves every thread of a
    ``--pool=threads`` worker, since each turn only waits on HTTP.

    ``continue_final_message`` (vLLM's and SGLang's chat-completions extension) lets a request
    end with a partial assistant message that the server continues. It carries ``prefix`` and
    every rewind (a rewind closes the response, so the server aborts it, and asks again with
    the kept text as that message). Servers without it: pass False; rewinds then return False
    and a prefix is refused.
    """

    is_demo = False

    def __init__(
        self,
        model: str,
        *,
        base_url: str,
        api_key: str = "",
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 60.0,
        retries: int = 3,
        backoff_s: float = 0.5,
        continue_final_message: bool = True,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not base_url:
            raise ValueError("base_url is required (TUTOR_OPENAI_BASE_URL)")
        self.name = model
        self.url = chat_completions_url(base_url)
        self.retries = retries
        self.backoff_s = backoff_s
        self.continue_final_message = continue_final_message
        self.can_rewind = continue_final_message
        self._sleep = sleep
        # The read timeout bounds the wait for the next chunk, not the whole answer: a server
        # that stops sending is detected even while the turn is within its wall clock.
        self._timeout = httpx.Timeout(read_timeout_s, connect=connect_timeout_s)
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(headers=headers, timeout=self._timeout, transport=transport)

    def close(self) -> None:
        self._client.close()

    def request_body(
        self, messages: Sequence[Message], params: GenerationParams, prefix: str = ""
    ) -> dict[str, Any]:
        """The JSON sent to the server for one turn (``prefix``: the answer so far)."""
        body: dict[str, Any] = {
            "model": self.name,
            "messages": list(messages),
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": params.max_new_tokens,
            "temperature": 0.0 if params.greedy else params.temperature,
            "top_p": 1.0 if params.greedy else params.top_p,
        }
        if params.seed is not None:
            body["seed"] = params.seed
        if prefix:
            # Rendered as an open assistant turn, without a new generation prompt after it:
            # the server's tokens continue the text.
            body["messages"].append({"role": "assistant", "content": prefix})
            body["continue_final_message"] = True
            body["add_generation_prompt"] = False
        return body

    def stream(
        self,
        messages: Sequence[Message],
        params: GenerationParams,
        should_stop: StopCheck | None = None,
        *,
        prefix: str = "",
    ) -> Generation:
        """Text deltas, then one Stats (see ``Backend.stream``).

        ``should_stop`` and the wall clock are checked between chunks. Stopping closes the
        connection (the server sees the disconnect and aborts the request) instead of reading
        the rest of the answer. ``max_new_tokens`` after a rewind is what is left once the
        kept deltas are counted (one delta per token on vLLM and SGLang).
        """
        params.check()
        if prefix and not self.continue_final_message:
            raise ValueError(
                "a prefix needs continue_final_message: this backend was built with "
                "continue_final_message=False, so the server cannot continue an answer"
            )
        return _OpenAIGeneration(self, messages, params, should_stop, prefix)

    def _open(
        self, body: dict[str, Any], deadline: float, should_stop: StopCheck | None
    ) -> httpx.Response | None:
        """Send the request, retrying with backoff while nothing has been generated.

        Returns the streaming response (status 2xx), or None when the turn was stopped or ran
        out of time while waiting to retry.
        """
        remaining = max(deadline - time.monotonic(), 0.001)
        timeout = httpx.Timeout(
            min(self._timeout.read or remaining, remaining), connect=self._timeout.connect
        )
        request = self._client.build_request("POST", self.url, json=body, timeout=timeout)
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = self._client.send(request, stream=True)
            except RETRY_ERRORS as exc:
                if last:
                    raise OpenAIServerError(
                        f"could not reach the model server at {self.url} "
                        f"after {attempt + 1} attempts: {exc or type(exc).__name__}"
                    ) from exc
                log.warning("model server at %s unreachable (%s); retrying", self.url, exc)
            except httpx.TimeoutException as exc:
                raise _as_server_error(exc, self.url) from exc
            else:
                if response.status_code < 400:
                    return response
                error = _http_error(response)
                if last or response.status_code not in RETRY_STATUSES:
                    raise error
                log.warning("%s; retrying", error)
            delay = self.backoff_s * 2**attempt
            if time.monotonic() + delay >= deadline or (should_stop is not None and should_stop()):
                return None
            self._sleep(delay)
        raise AssertionError("unreachable")


class _OpenAIGeneration(BaseGeneration):
    """One answer from the server; a rewind closes its response and asks again."""

    def __init__(
        self,
        backend: OpenAIBackend,
        messages: Sequence[Message],
        params: GenerationParams,
        should_stop: StopCheck | None,
        prefix: str,
    ) -> None:
        self._backend = backend
        self._messages = list(messages)
        self._params = params
        self._should_stop = should_stop
        self._prefix = prefix
        self._pieces: list[str] = []  # the output, as yielded
        self._ends: list[int] = []  # characters of output after each delta
        self._response: httpx.Response | None = None
        self._restart = False
        self._tokens_before = 0  # tokens of responses given up by a rewind
        super().__init__()

    def _stopped(self) -> bool:
        return self._should_stop is not None and self._should_stop()

    def _body(self) -> dict[str, Any] | None:
        """The next request, or None when the kept text already reached max_new_tokens."""
        params = params_after_rewind(self._params, self.rewinds)
        left = params.max_new_tokens - len(self._ends)
        if left < 1:
            return None
        kept = "".join(self._pieces)
        return self._backend.request_body(
            self._messages,
            dataclasses.replace(params, max_new_tokens=left),
            self._prefix + kept,
        )

    def _run(self) -> Generator[Delta | Stats, None, None]:
        backend = self._backend
        started = time.monotonic()
        deadline = started + self._params.wall_clock_s
        reason: FinishReason | None = None
        first_at: float | None = None
        reader = _ChunkReader(self._prefix)
        while reason is None:
            self._restart = False
            reader = _ChunkReader(self._prefix + "".join(self._pieces))
            if self.rewinds and (self._stopped() or time.monotonic() >= deadline):
                reason = "cancelled" if self._stopped() else "timeout"
                break
            body = self._body()
            if body is None:
                reason = "length"
                break
            try:
                response = backend._open(body, deadline, self._should_stop)
            except OpenAIServerError:
                if not self._ends and not self.rewinds:
                    raise
                log.warning("%s failed a request after a rewind", backend.url, exc_info=True)
                reason = "error"
                break
            if response is None:
                reason = "cancelled" if self._stopped() else "timeout"
                break
            self._response = response
            try:
                for text in reader.read(iter_sse_data(response.iter_lines())):
                    if text:
                        first_at = first_at or time.monotonic()
                        self._pieces.append(text)
                        self._ends.append((self._ends[-1] if self._ends else 0) + len(text))
                        yield Delta(text)
                        if self._restart:
                            break
                    if self._stopped():
                        reason = "cancelled"
                        break
                    if time.monotonic() >= deadline:
                        reason = "timeout"
                        break
                else:
                    reason = reader.finish_reason()
            except httpx.ReadTimeout:
                log.warning("%s sent nothing for %.0f s", backend.url, backend._timeout.read or 0)
                reason = "timeout"
            except (httpx.TransportError, ValueError, OpenAIServerError) as exc:
                if not self._ends and not self.rewinds:
                    raise _as_server_error(exc, backend.url) from exc
                # Never retried: text was shown, and asking again would repeat it.
                log.warning(
                    "stream from %s broke after %d deltas: %s", backend.url, reader.deltas, exc
                )
                reason = "error"
            finally:
                # Closing an unfinished streaming response drops the connection (it is not
                # drained or returned to the pool), which is how the server learns to stop.
                response.close()
                self._response = None
            if self._restart:
                self._tokens_before += reader.tokens
                reason = None
        # Left open at the token cap: a continuation (``prefix``) goes on thinking.
        tail = "" if reason == "length" else reader.close_thinking()
        if tail:
            yield Delta(tail)
        yield make_stats(
            tokens=self._tokens_before + reader.tokens,
            started=started,
            first_token_at=first_at,
            ended=time.monotonic(),
            reason=reason,
            rewinds=self.rewinds,
        )

    def _rewind(self, chars: int) -> bool:
        if not self._backend.continue_final_message or self._response is None:
            return False
        kept = "".join(self._pieces)[:chars]
        self._pieces = [kept] if kept else []
        del self._ends[bisect.bisect_right(self._ends, chars) :]
        if chars and (not self._ends or self._ends[-1] != chars):
            self._ends.append(chars)  # the kept part of a delta counts as one
        self._restart = True
        self._response.close()  # the server aborts now, not when the consumer asks for more
        return True


def chat_completions_url(base_url: str) -> str:
    """``{base}/v1/chat/completions``; a base that already ends in /v1 (the OpenAI SDK's
    convention) is accepted as well."""
    base = base_url.rstrip("/")
    if not base.endswith("/v1"):
        base += "/v1"
    return base + "/chat/completions"


def iter_sse_data(lines: Iterable[str]) -> Iterator[str]:
    """The ``data`` of each server-sent event (multi-line data joined with newlines).

    Comments (``:``) and other fields (``event``, ``id``, ``retry``) are skipped, as the SSE
    spec says; a blank line ends an event.
    """
    data: list[str] = []
    for line in lines:
        if not line:
            if data:
                yield "\n".join(data)
                data = []
            continue
        field, _, value = line.partition(":")
        if field == "data":
            data.append(value[1:] if value.startswith(" ") else value)
    if data:
        yield "\n".join(data)


class _ChunkReader:
    """Turns ``chat.completion.chunk`` payloads into text, counting what arrived.

    ``kept`` is the assistant text this response continues (a prefix, or what a rewind kept):
    whether it left a think block open decides how the reasoning field is wrapped, so the
    text reads as one ``<think>...</think>`` block across a restart.
    """

    def __init__(self, kept: str = "") -> None:
        self.deltas = 0
        self.first_at: float | None = None
        self.usage_tokens: int | None = None
        self.server_reason: str | None = None
        opened, closed = kept.rfind(THINK_OPEN), kept.rfind(THINK_CLOSE)
        self.thinking = opened > closed  # the text so far ends inside a think block
        self.answered = closed != -1  # ... or after one
        self.splits = False  # this response sends the reasoning in its own field
        self._carry = kept[-(len(THINK_CLOSE) - 1) :]

    @property
    def tokens(self) -> int:
        # The server's count when it sent usage; counted deltas otherwise (one per token on
        # vLLM and SGLang, a close estimate elsewhere).
        return self.usage_tokens if self.usage_tokens is not None else self.deltas

    def read(self, events: Iterable[str]) -> Iterator[str]:
        """One string per chunk (empty for chunks without text), so the caller can poll
        ``should_stop`` between any two chunks."""
        for data in events:
            if data.strip() == "[DONE]":
                return
            text = self.apply(json.loads(data))
            if text:
                self.deltas += 1
                self.first_at = self.first_at or time.monotonic()
            yield text

    def apply(self, chunk: dict[str, Any]) -> str:
        if chunk.get("error"):
            raise OpenAIServerError(f"the model server failed mid-answer: {_message(chunk)}")
        usage = chunk.get("usage")
        if isinstance(usage, dict) and isinstance(usage.get("completion_tokens"), int):
            self.usage_tokens = usage["completion_tokens"]
        choices = chunk.get("choices") or []
        if not choices:
            return ""
        choice = choices[0]
        if choice.get("finish_reason"):
            self.server_reason = str(choice["finish_reason"])
        delta = choice.get("delta") or {}
        # vLLM and SGLang put a reasoning model's thinking in its own field ("reasoning" in
        # newer vLLM). The page collapses <think>...</think>, so it is wrapped back into one.
        reasoning = delta.get("reasoning_content") or delta.get("reasoning") or ""
        content = delta.get("content") or ""
        return self._reasoning(reasoning) + self._content(content)

    def _reasoning(self, text: str) -> str:
        if not text:
            return ""
        self.splits = True
        if self.thinking or self.answered:
            # After a closed block this is the answer going on: some reasoning parsers assume
            # every continuation starts inside the think block and file it as reasoning.
            return text
        self.thinking = True
        return THINK_OPEN + text

    def _content(self, text: str) -> str:
        if not text:
            return ""
        if self.splits:
            return self.close_thinking() + text
        # No reasoning field: the text carries its own tags (a server without a reasoning
        # parser, or one that does not parse a continued message); follow them.
        window = self._carry + text
        opened, closed = window.rfind(THINK_OPEN), window.rfind(THINK_CLOSE)
        if opened > closed:
            self.thinking = True
        elif closed > opened:
            self.thinking, self.answered = False, True
        self._carry = window[-(len(THINK_CLOSE) - 1) :]
        return text

    def close_thinking(self) -> str:
        """The closing tag of a block opened by the reasoning field, once."""
        if not (self.thinking and self.splits):
            return ""
        self.thinking, self.answered = False, True
        return THINK_CLOSE

    def finish_reason(self) -> FinishReason:
        if self.server_reason is None:
            log.warning("model server ended the stream without a finish_reason")
            return "error"
        return _SERVER_REASONS.get(self.server_reason, "stop")


def _http_error(response: httpx.Response) -> OpenAIServerError:
    response.read()
    response.close()
    try:
        detail = _message(response.json())
    except ValueError:
        detail = response.text.strip()[:500] or response.reason_phrase
    return OpenAIServerError(
        f"model server answered HTTP {response.status_code}: {detail}", status=response.status_code
    )


def _message(payload: Any) -> str:
    """The error text from OpenAI's ``{"error": {"message"}}`` or vLLM's ``{"message"}``."""
    if isinstance(payload, dict):
        error = payload.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        if isinstance(error, str):
            return error
        if payload.get("message"):
            return str(payload["message"])
    return json.dumps(payload)[:500]


def _as_server_error(exc: Exception, url: str) -> OpenAIServerError:
    if isinstance(exc, OpenAIServerError):
        return exc
    if isinstance(exc, httpx.TimeoutException):
        return OpenAIServerError(f"the model server at {url} timed out: {type(exc).__name__}")
    if isinstance(exc, ValueError):
        return OpenAIServerError(f"the model server at {url} sent malformed data: {exc}")
    return OpenAIServerError(f"the stream from {url} broke: {exc or type(exc).__name__}")
