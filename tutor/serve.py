"""Start daphne the way Stepwise runs it: `python -m tutor.serve [--host H] [--port P]`.

One place for the options, shared by scripts/run.sh, the tests' live stack and the benchmarks.
"""

from __future__ import annotations

import argparse
import os
import sys

DAPHNE_OPTIONS = [
    # Under load a consumer's connect (session and permission queries) took longer than
    # daphne's default 5 s, and the handshake was dropped (bench/load).
    "--websocket_connect_timeout",
    "20",
    # Protocol-level cap; the consumer refuses anything over its own, smaller limit with a
    # readable error.
    "--websocket-max-message-size",
    "65536",
]


def daphne_command(host: str = "127.0.0.1", port: int = 8000) -> list[str]:
    return [
        sys.executable, "-m", "daphne", "-b", host, "-p", str(port), *DAPHNE_OPTIONS,
        "tutor.asgi:application",
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    command = daphne_command(args.host, args.port)
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
