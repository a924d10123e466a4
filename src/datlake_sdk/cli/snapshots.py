"""`datlake snapshots TABLE [--limit N] [--json]`: a table's snapshots, newest first, with
the run that wrote each.

>>> main(["--help"])  # doctest: +ELLIPSIS
usage: datlake snapshots ...
0
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from datlake_sdk.cli._browse import (
    add_limit,
    browse_parser,
    collect,
    more_note,
    print_json,
    print_table,
    run_command,
    short_id,
    when,
)
from datlake_sdk.cli.tables import written_by

if TYPE_CHECKING:
    from datlake_sdk import DatlakeClient


def build_parser() -> argparse.ArgumentParser:
    parser = browse_parser("datlake snapshots", "A table's snapshots, newest first.")
    parser.add_argument("table", metavar="TABLE")
    add_limit(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser(), argv, _snapshots)


def _snapshots(args: argparse.Namespace, client: DatlakeClient) -> None:
    from datlake_sdk._tables import iter_snapshots

    page_size = min(args.limit + 1, 500)
    snapshots, more = collect(iter_snapshots(client, args.table, page_size=page_size), args.limit)
    if args.json:
        print_json(snapshots)
        return
    print_table(
        ["SNAPSHOT", "CREATED", "FORMAT", "WRITTEN BY", "URI"],
        (
            [
                short_id(snapshot.snapshot_id),
                when(snapshot.created_at),
                snapshot.format or "-",
                written_by(snapshot.job_name, snapshot.run_id),
                snapshot.uri,
            ]
            for snapshot in snapshots
        ),
    )
    more_note(more, "snapshots")
