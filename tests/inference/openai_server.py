"""A small OpenAI-compatible chat server that streams exactly as vLLM does, for tests.

It speaks real HTTP/1.1 on a loopback port with chunked server-sent events: the role chunk,
one chunk per token, a finish_reason chunk, the usage chunk (empty ``choices``) and
``data: [DONE]``. The request's ``model`` picks a scenario (see ``SCENARIOS``), so one server
serves every test. Run it by hand for a demo worker:

    .venv/bin/python -m tests.inference.openai_server --port 8011
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from inference.backends.scripted import chunk_text, first_drafts, script_drafts

ANSWER = "Step 1: 2x + 3 = 11, so 2x = 8.\nStep 2: x = 4.\nThe answer is \\boxed{4}."
REASONING = "The equation is linear; subtract 3, then divide by 2."
# Lines with drafts (the scripted backend's syntax): a rewind to a line's start gets its next.
RETRY_ANSWER = (
    "Step 1: 2x + 3 = 11, so 2x = 8.\nStep 2: x = 5.<<retry>>Step 2: x = 4.\n"
    "The answer is \\boxed{4}."
)
THOUGHT = f"<think>{REASONING}</think>"
SCENARIOS = (
    "ok",  # ANSWER, one chunk per token, finish_reason stop (or length at max_tokens)
    "reasoning",  # REASONING as reasoning_content deltas, then ANSWER as content
    "no-usage",  # ANSWER without the usage chunk (servers that ignore stream_options)
    "endless",  # a token every 20 ms until the client goes away
    "stall",  # three tokens, then silence for 3 s
    "drop",  # three tokens, then the connection is cut mid-body
    "error-500",  # HTTP 500 with vLLM's error body
    "busy-then-ok",  # HTTP 503 for the first request of this model, then "ok"
    "retry",  # RETRY_ANSWER as content
    "retry-reasoning",  # THOUGHT + RETRY_ANSWER, the thinking as reasoning_content
    "retry-misfiled",  # as retry-reasoning, but a continuation is reasoning until </think>
    "retry-raw",  # THOUGHT + RETRY_ANSWER all as content, tags included (no reasoning parser)
)
# Every scenario's whole text, tags included. A request that ends with an assistant message
# and continue_final_message streams what follows that message's text in it.
_TEXTS = {
    "reasoning": THOUGHT + ANSWER,
    "retry": RETRY_ANSWER,
    "retry-reasoning": THOUGHT + RETRY_ANSWER,
    "retry-misfiled": THOUGHT + RETRY_ANSWER,
    "retry-raw": THOUGHT + RETRY_ANSWER,
}


@dataclass
class Seen:
    """What the server observed, for assertions."""

    bodies: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    chunks_sent: dict[str, int] = field(default_factory=dict)
    _disconnects: dict[str, threading.Event] = field(default_factory=dict)

    def count(self, model: str) -> int:
        return sum(1 for body in self.bodies if body.get("model") == model)

    def continued(self, model: str, prefix: str) -> int:
        """How many requests of this model continued exactly ``prefix``."""
        return sum(
            1 for body in self.bodies if body.get("model") == model and _prefix(body) == prefix
        )

    def disconnected(self, model: str) -> threading.Event:
        """Set when a write for this model failed because the client had gone away."""
        return self._disconnects.setdefault(model, threading.Event())


class FakeOpenAIServer:
    def __init__(self, *, api_key: str = "", token_delay_s: float = 0.0, port: int = 0) -> None:
        self.api_key = api_key
        self.token_delay_s = token_delay_s
        self.seen = Seen()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def record(self, body: dict[str, Any], headers: dict[str, str]) -> int:
        """Store a request; returns how many requests this model had before it."""
        with self._lock:
            before = self.seen.count(str(body.get("model")))
            self.seen.bodies.append(body)
            self.seen.headers.append(headers)
            return before


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # chunked transfer encoding, as vLLM's uvicorn sends
    server: ThreadingHTTPServer
    model = ""

    @property
    def fake(self) -> FakeOpenAIServer:
        return self.server.fake  # type: ignore[attr-defined, no-any-return]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        if self.path != "/v1/chat/completions":
            self._json(404, {"error": {"message": f"no route {self.path}", "code": 404}})
            return
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        earlier = self.fake.record(body, dict(self.headers.items()))
        if self.fake.api_key and self.headers.get("Authorization") != f"Bearer {self.fake.api_key}":
            # OpenAI's and vLLM's --api-key answer.
            self._json(401, {"error": {"message": "Unauthorized", "type": "auth", "code": 401}})
            return
        model = self.model = str(body.get("model"))
        if model == "error-500":
            # vLLM's ErrorResponse shape (no "error" wrapper).
            self._json(
                500,
                {
                    "object": "error",
                    "message": "CUDA out of memory",
                    "type": "Internal",
                    "code": 500,
                },
            )
            return
        if model == "busy-then-ok" and earlier == 0:
            self._json(503, {"error": {"message": "server is starting", "code": 503}})
            return
        self._stream(model, body)

    def _stream(self, model: str, body: dict[str, Any]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            self._events(model, body)
            self._chunk(b"")  # the terminating zero-length chunk
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            self.fake.seen.disconnected(model).set()

    def _events(self, model: str, body: dict[str, Any]) -> None:
        max_tokens = int(body.get("max_tokens") or 1 << 30)
        self._send_chunk({"role": "assistant", "content": ""})
        prefix = _prefix(body)
        # This request is counted already: the first continuation of a prefix is attempt 1.
        attempt = self.fake.seen.continued(model, prefix) if prefix else 0
        text = _continuation(_TEXTS.get(model, ANSWER), prefix, attempt)
        tokens = _fields(model, text, prefix)
        if model == "endless":
            tokens = [("content", " tick")] * 500
        sent = 0
        for kind, text in tokens[:max_tokens]:
            if model in ("stall", "drop") and sent == 3:
                if model == "drop":
                    self.close_connection = True
                    return  # no terminating chunk: the body is cut short
                time.sleep(3.0)
            self._send_chunk({kind: text})
            sent += 1
            self.fake.seen.chunks_sent[model] = sent
            delay = 0.02 if model == "endless" else self.fake.token_delay_s
            if delay:
                time.sleep(delay)
        finish = "length" if len(tokens) > max_tokens else "stop"
        self._send_chunk({"content": ""}, finish_reason=finish)
        if model != "no-usage":
            usage = {"prompt_tokens": 42, "completion_tokens": sent, "total_tokens": 42 + sent}
            self._data({**_envelope(model), "choices": [], "usage": usage})
        self._chunk(b"data: [DONE]\n\n")

    def _send_chunk(self, delta: dict[str, str], finish_reason: str | None = None) -> None:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        if finish_reason:
            choice["stop_reason"] = None
        self._data({**_envelope(self.model), "choices": [choice], "usage": None})

    def _data(self, payload: dict[str, Any]) -> None:
        self._chunk(b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n")

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _prefix(body: dict[str, Any]) -> str:
    """The assistant text a request asks to continue, or ""."""
    messages = body.get("messages") or []
    if body.get("continue_final_message") and messages and messages[-1]["role"] == "assistant":
        if body.get("add_generation_prompt", True):
            raise ValueError("continue_final_message needs add_generation_prompt false (vLLM)")
        return str(messages[-1]["content"])
    return ""


def _continuation(script: str, prefix: str, attempt: int) -> str:
    """What follows ``prefix`` in ``script``: a line the prefix ends at the start of gets its
    draft number ``attempt`` (the last one repeats); other lines their first draft."""
    lines = script_drafts(script)
    rest, line = prefix, 0
    while line < len(lines) and rest:
        draft = next((d for d in lines[line] if rest.startswith(d)), None)
        if draft is None:
            break
        rest, line = rest[len(draft) :], line + 1
    if line == len(lines):
        return ""
    if not prefix:
        return first_drafts(script)
    if not rest:
        chosen = lines[line][min(attempt, len(lines[line]) - 1)]
    else:  # the prefix ends inside this line: continue the draft it began
        chosen = next((d for d in lines[line] if d.startswith(rest)), lines[line][0])
        chosen = chosen[len(rest) :] if chosen.startswith(rest) else chosen
    return chosen + "".join(drafts[0] for drafts in lines[line + 1 :])


def _fields(model: str, text: str, prefix: str) -> list[tuple[str, str]]:
    """The chunks of ``text`` as (delta field, text), the way this scenario's server sends
    them: the thinking apart in reasoning_content (tags dropped), or all as content."""
    if model in ("ok", "retry", "retry-raw") or model not in _TEXTS:
        return [("content", t) for t in chunk_text(text)]
    opened, closed = prefix.rfind("<think>"), prefix.rfind("</think>")
    thinking = opened > closed
    if model == "retry-misfiled" and prefix:
        thinking = True  # the parser assumes every continuation starts inside the block
    tokens: list[tuple[str, str]] = []
    for piece in re.split(r"(</?think>)", text):
        if piece in ("<think>", "</think>"):
            thinking = piece == "<think>"
        elif piece:
            field = "reasoning_content" if thinking else "content"
            tokens += [(field, t) for t in chunk_text(piece)]
    return tokens


def _envelope(model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-stepwise-test",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--token-delay-s", type=float, default=0.02)
    args = parser.parse_args()
    server = FakeOpenAIServer(token_delay_s=args.token_delay_s, port=args.port)
    print(f"fake OpenAI server on {server.base_url} (model picks the scenario: {SCENARIOS})")
    server.start()._thread.join()


if __name__ == "__main__":
    main()
