"""`datlake export openlineage [--job JOB...] [--since TIME] [--namespace NS] [--to URL]`: the
runs of the jobs (of every job without `--job`) as OpenLineage RunEvents, one JSON document a
line (NDJSON) on stdout or in `--output FILE`, or sent to an OpenLineage HTTP endpoint with
`--to URL` (extra `[openlineage]`: the official client's transport; its key from
`$OPENLINEAGE_API_KEY`).

Datlake is reached as the SDK reaches it (`DATLAKE_URL`, `DATLAKE_API_KEY`, `--config`).
Exit codes: 0 done, 1 Datlake or the endpoint failed, 2 bad usage or settings.

>>> main(["openlineage", "--help"])  # doctest: +ELLIPSIS
usage: datlake export openlineage ...
0
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from collections.abc import Iterator, Sequence
from typing import IO, Any

from datlake_sdk._config import duration_seconds
from datlake_sdk._errors import ConfigError
from datlake_sdk.cli._manners import add_config, command_parser, exit_code, fail, missing_extra

PROG = "datlake export"


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(PROG, "Export what Datlake recorded in another format.")
    formats = parser.add_subparsers(dest="format", metavar="FORMAT", required=True)
    openlineage = formats.add_parser(
        "openlineage",
        help="runs as OpenLineage RunEvents (NDJSON, or sent to an endpoint)",
        description="Runs as OpenLineage RunEvents: START, then COMPLETE, FAIL or RUNNING.",
        formatter_class=parser.formatter_class,
    )
    openlineage.add_argument(
        "--job",
        action="append",
        default=None,
        metavar="JOB",
        help="a job to export (repeatable; default: every job)",
    )
    openlineage.add_argument(
        "--since",
        type=since_time,
        default=None,
        metavar="TIME",
        help="only runs started since TIME: ISO 8601 (2026-11-27T01:00:00Z) or an age (24h, 7d)",
    )
    openlineage.add_argument(
        "--namespace", default="datlake", help="the OpenLineage namespace of jobs and datasets"
    )
    openlineage.add_argument(
        "--output", default=None, metavar="FILE", help="write the NDJSON here (default: stdout)"
    )
    openlineage.add_argument(
        "--to",
        default=None,
        metavar="URL",
        help="send the events to this OpenLineage endpoint instead of writing them",
    )
    openlineage.add_argument(
        "--endpoint",
        default=os.environ.get("OPENLINEAGE_ENDPOINT", "api/v1/lineage"),
        help="the path of --to's endpoint ($OPENLINEAGE_ENDPOINT; a Datlake: api/v1/openlineage)",
    )
    add_config(openlineage)
    return parser


def since_time(text: str) -> datetime.datetime:
    """An aware time from ISO 8601 (UTC when it names no zone) or from an age (`24h`).

    >>> since_time("2026-11-27T01:00:00Z").isoformat()
    '2026-11-27T01:00:00+00:00'
    """
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        try:
            age = duration_seconds(text, "--since")
        except ConfigError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is neither an ISO 8601 time nor an age like 24h"
            ) from None
        return datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=age)
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:
        return exit_code(exit_)
    try:
        return _export(args)
    except ConfigError as ex:
        return fail(PROG, str(ex))
    except ModuleNotFoundError as ex:
        advice = missing_extra(ex, "openlineage")
        if advice is None:
            raise
        return fail(PROG, advice)


def _export(args: argparse.Namespace) -> int:
    from datlake_sdk import DatlakeClient
    from datlake_sdk._result import Err
    from datlake_sdk.openlineage import export_events, forward

    failure: list[str] = []

    def events(client: DatlakeClient) -> Iterator[dict[str, Any]]:
        for event in export_events(client, args.job, since=args.since, namespace=args.namespace):
            if isinstance(event, Err):
                failure.append(f"reading the runs failed: {event.error}")
                return
            yield event.value

    with DatlakeClient(config_file=args.config, outbox="off") as client:
        if args.to is not None:
            key = os.environ.get("OPENLINEAGE_API_KEY")
            sent = forward(events(client), args.to, endpoint=args.endpoint, api_key=key)
            if isinstance(sent, Err):
                failure.append(f"sending to {args.to} failed: {sent.error}")
            else:
                print(f"{sent.value} events sent to {args.to}", file=sys.stderr)
        elif args.output is None:
            _write(events(client), sys.stdout)
        else:
            with open(args.output, "w", encoding="utf-8") as out:
                _write(events(client), out)
    for line in failure:
        print(f"{PROG}: {line}", file=sys.stderr)
    return 1 if failure else 0


def _write(events: Iterator[dict[str, Any]], out: IO[str]) -> None:
    for event in events:
        out.write(json.dumps(event, ensure_ascii=False) + "\n")
