"""`datlake cache warm TABLE... | show`: the detached cache, which answers `fetch_latest_uri`
while Datlake cannot be reached.

`warm` reads the newest snapshot of each table now, so a job started during an outage can read
them; `show` lists what is kept and how old it is. Settings as the SDK reads them (the cache
lives in the outbox's file). Exit codes: 0 done, 1 a table could not be read, 2 bad settings.

>>> main(["--help"])  # doctest: +ELLIPSIS
usage: datlake cache ...
0
"""

from __future__ import annotations

import argparse
import datetime
import sys
from collections.abc import Sequence

from datlake_sdk._config import outbox_path
from datlake_sdk._errors import ConfigError
from datlake_sdk.cli._store_parser import store_parser


def build_parser() -> argparse.ArgumentParser:
    parser = store_parser(
        "datlake cache", "The newest snapshot seen per table, served while Datlake is unreachable."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    warm = commands.add_parser("warm", help="read the newest snapshot of each TABLE now")
    warm.add_argument("tables", nargs="+", metavar="TABLE")
    commands.add_parser("show", help="what the cache keeps, and how old it is")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        if args.command == "warm":
            return _warm(args.tables, args.outbox, args.config)
        return _show(args.outbox, args.config)
    except ConfigError as ex:
        print(f"datlake cache: {ex}", file=sys.stderr)
        return 2


def _warm(tables: list[str], outbox: str | None, config: str | None) -> int:
    from datlake_sdk import DatlakeClient
    from datlake_sdk._result import Ok
    from datlake_sdk._tables import fetch_latest_uri

    with DatlakeClient(outbox=outbox, config_file=config, outbox_exit_timeout=0) as client:
        if client.snapshot_cache is None:
            raise ConfigError("the cache is off: turn the outbox on (DATLAKE_SDK_OUTBOX=on)")
        failed = 0
        for table in tables:
            read = fetch_latest_uri(client, None, table)
            if isinstance(read, Ok) and not read.value.from_cache:
                print(f"{table}: {read.value.snapshot_id} {read.value.uri}")
            else:
                failed += 1
                why = "not reachable" if isinstance(read, Ok) else str(read.error)
                print(f"{table}: not cached: {why}", file=sys.stderr)
    return 1 if failed else 0


def _show(outbox: str | None, config: str | None) -> int:
    from datlake_sdk._store import SnapshotCache

    path = outbox_path(outbox, config_file=config)
    if path is None:
        raise ConfigError("the cache is off: turn the outbox on (DATLAKE_SDK_OUTBOX=on)")
    if not path.is_file():
        print(f"{path}: nothing cached yet")
        return 0
    cache = SnapshotCache(path)
    try:
        entries = cache.entries()
    finally:
        cache.close()
    print(f"{'table':<40}  {'snapshot':<32}  {'seen':>8}  uri")
    for base_url, kept in entries:
        age = _short(kept.age)
        print(f"{kept.snapshot.table_name:<40}  {kept.snapshot.snapshot_id:<32}  {age:>8}  "
              f"{kept.snapshot.uri}  ({base_url})")  # fmt: skip
    return 0


def _short(age: datetime.timedelta) -> str:
    seconds = int(age.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"
