"""What the commands on the local store (`outbox`, `cache`) share: their parser's start."""

from __future__ import annotations

import argparse


def store_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """A parser with `--outbox FILE` and `--config FILE`, read as the SDK reads its settings."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument(
        "--outbox", default=None, help="the outbox file (default: $DATLAKE_SDK_OUTBOX, config)"
    )
    parser.add_argument("--config", default=None, help="config file (default: $DATLAKE_CONFIG)")
    return parser
