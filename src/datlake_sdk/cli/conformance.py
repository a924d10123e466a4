"""`datlake conformance --base-url URL [--api-key KEY]`: check a Datlake server against the
contract's semantics (see `datlake_sdk.conformance`). Exit codes: 0 every check passed (or was
skipped), 1 a check failed, 2 bad usage.

>>> main(["--help"])  # doctest: +ELLIPSIS
usage: datlake conformance ...
0
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from datlake_sdk.cli._manners import command_parser, exit_code


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "datlake conformance", "Check a Datlake server against the contract's semantics."
    )
    parser.add_argument(
        "--base-url", required=True, help="the server to check, e.g. http://127.0.0.1:8765"
    )
    parser.add_argument(
        "--api-key",
        default=None,
        help="the server's API key (default: none: the server is taken to be open and the"
        " 401 checks are skipped)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:
        return exit_code(exit_)
    from datlake_sdk.conformance import format_table, run_conformance

    results = run_conformance(args.base_url, args.api_key)
    print(format_table(results))
    return 1 if any(r.outcome == "FAIL" for r in results) else 0
