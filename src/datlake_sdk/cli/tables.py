"""`datlake tables [--prefix P] [--limit N] [--json]`: the tables that have snapshots, by name,
each with its newest snapshot and the run that wrote it.

>>> main(["--help"])  # doctest: +ELLIPSIS
usage: datlake tables ...
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

if TYPE_CHECKING:
    from datlake_sdk import DatlakeClient


def build_parser() -> argparse.ArgumentParser:
    parser = browse_parser(
        "datlake tables", "The tables that have snapshots, each with its newest snapshot."
    )
    parser.add_argument(
        "--prefix", default=None, help="only the tables whose name starts so (`sales.`)"
    )
    add_limit(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser(), argv, _tables)


def _tables(args: argparse.Namespace, client: DatlakeClient) -> None:
    from datlake_sdk._catalog import iter_tables

    tables, more = collect(iter_tables(client, prefix=args.prefix, page_size=200), args.limit)
    if args.json:
        print_json(tables)
        return
    print_table(
        ["TABLE", "SNAPSHOTS", "LATEST", "FORMAT", "WRITTEN BY", "CREATED", "URI"],
        (
            [
                table.table_name,
                str(table.snapshot_count),
                short_id(table.latest_snapshot.snapshot_id),
                table.latest_snapshot.format or "-",
                written_by(table.latest_snapshot.job_name, table.latest_snapshot.run_id),
                when(table.latest_snapshot.created_at),
                table.latest_snapshot.uri,
            ]
            for table in tables
        ),
    )
    more_note(more, "tables")


def written_by(job_name: str | None, run_id: str | None) -> str:
    """`job/run` with the run's short id, as `datlake runs JOB RUN` takes it."""
    if job_name is None or run_id is None:
        return "-"
    return f"{job_name}/{short_id(run_id)}"
