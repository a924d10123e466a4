"""`datlake jobs [--prefix P] [--limit N] [--json]`: the jobs that have runs, by name, each
with its newest run and that run's status.

>>> main(["--help"])  # doctest: +ELLIPSIS
usage: datlake jobs ...
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
    parser = browse_parser("datlake jobs", "The jobs that have runs, each with its newest run.")
    parser.add_argument("--prefix", default=None, help="only the jobs whose name starts so")
    add_limit(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser(), argv, _jobs)


def _jobs(args: argparse.Namespace, client: DatlakeClient) -> None:
    from datlake_sdk._catalog import iter_jobs

    jobs, more = collect(iter_jobs(client, prefix=args.prefix, page_size=200), args.limit)
    if args.json:
        print_json(jobs)
        return
    print_table(
        ["JOB", "RUNS", "LATEST", "STATUS", "STARTED", "FINISHED"],
        (
            [
                job.job_name,
                str(job.run_count),
                short_id(job.latest_run.run_id),
                job.latest_run.status or "-",
                when(job.latest_run.created_at),
                when(job.latest_run.finished_at),
            ]
            for job in jobs
        ),
    )
    more_note(more, "jobs")
