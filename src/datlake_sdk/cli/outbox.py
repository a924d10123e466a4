"""`datlake outbox status|flush|list|drop`: what the outbox keeps, and delivering it.

The outbox is found as the SDK finds it (`--outbox`, else `DATLAKE_SDK_OUTBOX`, else the
config file's `outbox`); `flush` connects as the SDK does (`DATLAKE_URL`, `DATLAKE_API_KEY`,
config file). Exit codes: 0 done (for `flush`: nothing left pending), 1 something left
pending or refused, 2 bad usage or settings.

>>> main(["--help"])  # doctest: +ELLIPSIS
usage: datlake outbox ...
0
"""

from __future__ import annotations

import argparse
import datetime
import sys
from collections.abc import Sequence
from pathlib import Path

from datlake_sdk._config import outbox_path
from datlake_sdk._errors import ConfigError
from datlake_sdk._store import Entry, Journal
from datlake_sdk.cli._store_parser import store_parser

STATES = ("pending", "dead", "delivered")


def build_parser() -> argparse.ArgumentParser:
    parser = store_parser(
        "datlake outbox",
        "See and deliver the lineage writes the outbox keeps while Datlake is away.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    commands.add_parser("status", help="how many entries are pending, delivered and dead")
    flush = commands.add_parser("flush", help="deliver what is pending; exit 0 when none is left")
    flush.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="stop after this many seconds (default: no limit)",
    )
    listing = commands.add_parser("list", help="the entries, oldest first")
    listing.add_argument(
        "--state", choices=STATES, default=None, help="only entries in STATE (default: all)"
    )
    drop = commands.add_parser("drop", help="delete entries for good (asks first)")
    drop.add_argument("entry_ids", nargs="*", metavar="ENTRY_ID")
    drop.add_argument("--dead", action="store_true", help="every dead entry")
    drop.add_argument("--yes", action="store_true", help="do not ask")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        path = outbox_path(args.outbox, config_file=args.config)
    except ConfigError as ex:
        print(f"datlake outbox: {ex}", file=sys.stderr)
        return 2
    if path is None:
        print(
            "datlake outbox: the outbox is off; pass --outbox FILE or set DATLAKE_SDK_OUTBOX",
            file=sys.stderr,
        )
        return 2
    if args.command == "flush":
        return _flush(path, args.timeout, args.config)
    if not path.is_file():
        print(f"{path}: no outbox yet (nothing was ever kept)")
        return 0
    journal = Journal(path)
    try:
        if args.command == "status":
            return _status(journal)
        if args.command == "list":
            return _list(journal, args.state)
        return _drop(journal, args.entry_ids, dead=args.dead, yes=args.yes)
    finally:
        journal.close()


def _status(journal: Journal) -> int:
    counts = journal.counts()
    print(f"outbox {journal.path}")
    for state in STATES:
        print(f"  {state:<10} {counts.get(state, 0)}")
    dead = journal.entries("dead")
    for entry in dead[:20]:
        print(f"  dead {entry.entry_id} {entry.operation} run {entry.run_id}: {entry.last_error}")
    if len(dead) > 20:
        print(f"  ... {len(dead) - 20} more dead (datlake outbox list --state dead)")
    return 1 if counts.get("pending") or counts.get("dead") else 0


def _flush(path: Path, timeout: float | None, config: str | None) -> int:
    from datlake_sdk import DatlakeClient

    try:
        client = DatlakeClient(outbox=path, config_file=config, outbox_exit_timeout=0)
    except ConfigError as ex:
        print(f"datlake outbox flush: {ex}", file=sys.stderr)
        return 2
    with client:
        report = client.flush_outbox(timeout)
    print(f"{client.base_url}: {report}")
    if report.dead:
        print("dead entries are kept: `datlake outbox list --state dead` shows why")
    return 0 if report.ok else 1


def _list(journal: Journal, state: str | None) -> int:
    entries = journal.entries(state)
    print(f"{'entry':<32}  {'state':<9}  {'operation':<17}  {'job/run':<45}  tries  created")
    for entry in entries:
        print(_row(entry))
    return 0


def _row(entry: Entry) -> str:
    created = datetime.datetime.fromtimestamp(entry.created_at, datetime.UTC)
    where = f"{entry.job_name or '-'}/{entry.run_id or '-'}"
    line = (
        f"{entry.entry_id:<32}  {entry.state:<9}  {entry.operation:<17}  {where:<45}  "
        f"{entry.attempts:>5}  {created:%Y-%m-%d %H:%M:%S}Z"
    )
    if entry.last_error and entry.state != "delivered":
        line += f"\n    last error: {entry.last_error}"
    return line


def _drop(journal: Journal, entry_ids: list[str], *, dead: bool, yes: bool) -> int:
    ids = list(entry_ids)
    if dead:
        ids += [entry.entry_id for entry in journal.entries("dead")]
    if not ids:
        print("datlake outbox drop: name ENTRY_IDs or pass --dead", file=sys.stderr)
        return 2
    if not yes:
        try:
            entries = "1 entry" if len(ids) == 1 else f"{len(ids)} entries"
            answer = input(f"Delete {entries} for good? [y/N] ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing dropped")
            return 1
    print(f"dropped {journal.drop(ids)}")
    return 0
