"""What the commands on the local store (`outbox`, `cache`) share: their parser's start."""

from __future__ import annotations

import argparse

from datlake_sdk.cli._manners import add_config, command_parser


def store_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """A parser with `--outbox FILE` and `--config FILE`, read as the SDK reads its settings."""
    parser = command_parser(prog, description)
    parser.add_argument(
        "--outbox",
        default=None,
        metavar="FILE",
        help="the outbox file (default: $DATLAKE_SDK_OUTBOX, else the config file's `outbox`)",
    )
    add_config(parser)
    return parser
