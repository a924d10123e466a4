"""The `datlake` command.

    datlake server --host 127.0.0.1 --port 8765 --data DIR [--api-key KEY] [--default-lease S]
    datlake conformance --base-url URL [--api-key KEY]
    datlake outbox status|flush|list|drop
    datlake cache warm TABLE... | show

`server` runs the local Datlake; `conformance` checks any Datlake server against the contract's
semantics; `outbox` shows and delivers what the outbox keeps; `cache` fills and shows the
detached cache. Each command imports what it
needs only when it runs, so importing `datlake_sdk` stays light.

>>> main(["--help"])  # doctest: +ELLIPSIS
usage: datlake ...
0
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="datlake", description="Lineage-tracked data jobs against Datlake."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    server = commands.add_parser(
        "server",
        help="run the local Datlake (SQLite and a folder)",
        description="Run the local Datlake, a reference server of the Datlake API.",
    )
    server.add_argument("--host", default="127.0.0.1", help="address to listen on")
    server.add_argument(
        "--port", type=int, default=8765, help="port to listen on; 0 picks a free one"
    )
    server.add_argument(
        "--data", type=Path, default=Path(".datlake"), help="folder for metadata and objects"
    )
    server.add_argument(
        "--api-key",
        default=None,
        help="require `Authorization: Bearer KEY` (default: $DATLAKE_API_KEY; without a key"
        " the server is open and listens on loopback hosts only)",
    )
    server.add_argument(
        "--default-lease",
        type=_lease_seconds,
        default=None,
        metavar="SECONDS",
        help="the lease every run gets when it starts, until it heartbeats: a run neither"
        " heartbeated nor completed is reported lost after it (default: $DATLAKE_DEFAULT_LEASE,"
        " else 3600)",
    )
    commands.add_parser(
        "conformance",
        add_help=False,
        help="check a Datlake server against the contract (see `datlake conformance --help`)",
    )
    commands.add_parser(
        "outbox",
        add_help=False,
        help="see and deliver the writes kept while Datlake was away (`datlake outbox --help`)",
    )
    commands.add_parser(
        "cache",
        add_help=False,
        help="fill and show the snapshots served while Datlake is away (`datlake cache --help`)",
    )
    return parser


def _lease_seconds(text: str) -> float:
    """A default lease: a finite number of seconds above zero."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise argparse.ArgumentTypeError(f"not a positive number of seconds: {text!r}")
    return seconds


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `datlake` command line; returns the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["conformance"]:
        from datlake_sdk.conformance import main as conformance_main

        try:
            return conformance_main(arguments[1:])
        except SystemExit as exit_:  # --help, or arguments argparse rejected
            return exit_.code if isinstance(exit_.code, int) else 2
    if arguments[:1] == ["outbox"]:
        from datlake_sdk.cli.outbox import main as outbox_main

        return outbox_main(arguments[1:])
    if arguments[:1] == ["cache"]:
        from datlake_sdk.cli.cache import main as cache_main

        return cache_main(arguments[1:])
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    if args.command == "server":
        from datlake_server.serve import run_server

        api_key = args.api_key or os.environ.get("DATLAKE_API_KEY") or None
        lease = args.default_lease
        if lease is None:
            from_env = os.environ.get("DATLAKE_DEFAULT_LEASE") or "3600"
            try:
                lease = _lease_seconds(from_env)
            except argparse.ArgumentTypeError as error:
                print(f"datlake server: DATLAKE_DEFAULT_LEASE: {error}", file=sys.stderr)
                return 2
        return run_server(args.host, args.port, args.data, api_key, lease)
    parser.print_help()
    return 2
