"""`datlake server`: run the local Datlake over a data folder.

The server itself (`datlake_server`, with starlette and uvicorn) is the `server` extra: it is
imported only once the arguments are good, and when it is not installed the command says which
`pip install` brings it, in one line. Exit codes: 0 after a clean shutdown, 1 when the server
could not start (its port taken, say), 2 for bad usage (a bad port, a data folder that is a
file or that another server uses, the extra missing).

>>> main(["--port", "70000"])  # and on stderr: datlake server: argument --port: not a port: ...
2
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Sequence
from pathlib import Path

from datlake_sdk.cli._manners import command_parser, exit_code, fail, missing_extra

PROG = "datlake server"


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        PROG, "Run the local Datlake, a reference server of the Datlake API (SQLite and a folder)."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port", type=port_number, default=8765, help="port to listen on; 0 picks a free one"
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(".datlake"),
        metavar="DIR",
        help="folder for metadata and objects, made if missing; one server at a time",
    )
    parser.add_argument(
        "--api-key",
        default=None,
        metavar="KEY",
        help="require `Authorization: Bearer KEY` (default: $DATLAKE_API_KEY; without a key"
        " the server is open and listens on loopback hosts only)",
    )
    parser.add_argument(
        "--default-lease",
        type=lease_seconds,
        default=None,
        metavar="SECONDS",
        help="the lease every run gets when it starts, until it heartbeats: a run neither"
        " heartbeated nor completed is reported lost after it (default: $DATLAKE_DEFAULT_LEASE,"
        " else 3600)",
    )
    return parser


def port_number(text: str) -> int:
    """A TCP port: a whole number from 0 (any free port) to 65535."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"not a port: {text!r} (use 0 to 65535; 0 picks a free one)"
        )
    return port


def lease_seconds(text: str) -> float:
    """A default lease: a finite number of seconds above zero."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise argparse.ArgumentTypeError(f"not a positive number of seconds: {text!r}")
    return seconds


def main(argv: Sequence[str] | None = None) -> int:
    """`datlake server ...`; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_code(exit_)
    api_key = args.api_key or os.environ.get("DATLAKE_API_KEY") or None
    lease = args.default_lease
    if lease is None:
        try:
            lease = lease_seconds(os.environ.get("DATLAKE_DEFAULT_LEASE") or "3600")
        except argparse.ArgumentTypeError as error:
            return fail(PROG, f"DATLAKE_DEFAULT_LEASE: {error}")
    data: Path = args.data
    if data.exists() and not data.is_dir():
        return fail(PROG, f"--data {data}: not a folder (name a folder, or one to make)")
    try:
        from datlake_server.serve import run_server
    except ModuleNotFoundError as missing:
        advice = missing_extra(missing, "server")
        if advice is None:
            raise
        return fail(PROG, advice)
    return run_server(args.host, args.port, data, api_key, lease)
