"""`datlake runs JOB [--status S] [--limit N] [--json]`: a job's runs, newest first.
`datlake runs JOB RUN_ID [--json]`: one run: status, times, metadata, extra, inputs, outputs,
artifacts and events. `RUN_ID` may be the short id the list shows (the end of the id).

>>> main(["--help"])  # doctest: +ELLIPSIS
usage: datlake runs ...
0
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from datlake_sdk.cli._browse import (
    REFUSED,
    Failed,
    add_limit,
    browse_parser,
    collect,
    more_note,
    print_json,
    print_table,
    run_command,
    short_id,
    took,
    value_of,
    when,
)
from datlake_sdk.cli.tables import written_by

if TYPE_CHECKING:
    from datlake_sdk import DatlakeClient, Event, Run

RUN_STATUSES = ("running", "succeeded", "failed", "lost")
# how many runs a short id is looked for among, newest first
SHORT_ID_SEARCH = 10_000


def build_parser() -> argparse.ArgumentParser:
    parser = browse_parser("datlake runs", "A job's runs, newest first; or one run in full.")
    parser.add_argument("job", metavar="JOB")
    parser.add_argument(
        "run_id", metavar="RUN_ID", nargs="?", default=None, help="show this run (or short id)"
    )
    parser.add_argument("--status", choices=RUN_STATUSES, default=None, help="only these runs")
    add_limit(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser(), argv, _runs)


def _runs(args: argparse.Namespace, client: DatlakeClient) -> None:
    if args.run_id is not None:
        _one_run(client, args.job, args.run_id, as_json=args.json)
        return
    from datlake_sdk._runs import iter_runs

    page_size = min(args.limit + 1, 500)
    runs, more = collect(
        iter_runs(client, args.job, status=args.status, page_size=page_size), args.limit
    )
    if args.json:
        print_json(runs)
        return
    print_table(
        ["RUN", "STATUS", "STARTED", "TOOK", "INPUTS", "OUTPUTS", "ARTIFACTS"],
        (
            [
                short_id(run.run_id),
                run.status or "-",
                when(run.created_at),
                took(run.created_at, run.finished_at),
                ", ".join(snapshot.table_name for snapshot in run.inputs) or "-",
                ", ".join(snapshot.table_name for snapshot in run.outputs) or "-",
                str(len(run.artifacts)),
            ]
            for run in runs
        ),
    )
    more_note(more, "runs")


def find_run(client: DatlakeClient, job: str, run_id: str) -> Run:
    """The run `run_id` of `job`, or the one run of the job whose id ends with it."""
    from datlake_sdk._errors import NotFound
    from datlake_sdk._result import Err
    from datlake_sdk._runs import get_run, iter_runs

    found = get_run(client, job, run_id)
    if not (isinstance(found, Err) and isinstance(found.error, NotFound)):
        return value_of(found)
    runs, _ = collect(iter_runs(client, job, page_size=500), SHORT_ID_SEARCH)
    matching = [run for run in runs if run.run_id.endswith(run_id)]
    if len(matching) > 1:
        raise Failed(f"{len(matching)} runs of {job} end with {run_id}: give more of it", REFUSED)
    if not matching:
        raise Failed(f"job {job} has no run {run_id}", REFUSED)
    return value_of(get_run(client, job, matching[0].run_id))


def _one_run(client: DatlakeClient, job: str, run_id: str, *, as_json: bool) -> None:
    from datlake_sdk._events import iter_events

    run = find_run(client, job, run_id)
    events, _ = collect(iter_events(client, run, page_size=500), 10_000)
    if as_json:
        print_json({"run": run, "events": events})
        return
    print(f"run        {run.job_name}/{run.run_id}")
    print(f"status     {run.status}")
    print(f"started    {when(run.created_at)}")
    print(f"finished   {when(run.finished_at)}  (took {took(run.created_at, run.finished_at)})")
    print(f"heartbeat  {when(run.last_heartbeat_at)}, lease until {when(run.lease_expires_at)}")
    if run.parent_run_id:
        print(f"parent     {run.parent_run_id}")
    print(f"metadata   {_compact(run.metadata)}")
    print(f"extra      {_compact(run.extra)}")
    for title, snapshots in (("inputs", run.inputs), ("outputs", run.outputs)):
        print(f"\n{title} ({len(snapshots)})")
        if snapshots:
            print_table(
                ["  TABLE", "SNAPSHOT", "FORMAT", "WRITTEN BY", "URI"],
                (
                    [
                        f"  {snapshot.table_name}",
                        short_id(snapshot.snapshot_id),
                        snapshot.format or "-",
                        written_by(snapshot.job_name, snapshot.run_id),
                        snapshot.uri,
                    ]
                    for snapshot in snapshots
                ),
            )
    print(f"\nartifacts ({len(run.artifacts)})")
    if run.artifacts:
        print_table(["  TYPE", "URI"], ([f"  {a.type}", a.uri] for a in run.artifacts))
    print(f"\nevents ({len(events)})")
    if events:
        print_table(["  TIME", "KIND", "MESSAGE", "DATA"], (_event_row(e) for e in events))


def _event_row(event: Event) -> list[str]:
    return [f"  {when(event.created_at)}", event.kind, event.message or "-", _compact(event.data)]


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
