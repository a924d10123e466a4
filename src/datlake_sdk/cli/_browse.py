"""What the commands that browse a Datlake share (`jobs`, `runs`, `tables`, `snapshots`,
`lineage`, `download`): the client from the SDK's settings, `--json`, aligned tables with
short ids, one-line errors and the exit codes.

Exit codes: 0 done; 1 Datlake answered that it has no such thing (404) or refused the
request (409, 4xx); 2 bad usage or settings (a bad name before sending too); 3 Datlake could
not be reached or failed (timeouts, 5xx); 4 the API key is missing or wrong (401, 403).

>>> print("\\n".join(table(["JOB", "RUNS"], [["daily_users", "3"], ["ingest", "12"]])))
JOB          RUNS
daily_users  3
ingest       12
>>> short_id("01a233f66db971d2876cf9303e1787dc")
'3e1787dc'
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from datlake_sdk._errors import (
    AuthError,
    ConfigError,
    Conflict,
    NotFound,
    SDKError,
    ValidationError,
)
from datlake_sdk._result import Err, Ok, Result
from datlake_sdk.cli._manners import add_config, command_parser, exit_code

if TYPE_CHECKING:
    from datlake_sdk import DatlakeClient

T = TypeVar("T")

OK, REFUSED, USAGE, UNREACHABLE, UNAUTHORIZED = 0, 1, 2, 3, 4
# a command line waits seconds, not the half minute a job rides out a restart with
CLI_RETRY = "max=3,base_ms=200,cap_ms=1000,jitter=true,deadline_s=8"
DEFAULT_LIMIT = 50
# what a pager-less terminal still reads; `--limit` shows more
MAX_LIMIT = 10_000


class Failed(Exception):
    """A command's failure: printed as one line, `code` is the exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def browse_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """A command's parser with `--json` and `--config FILE`."""
    parser = command_parser(prog, description)
    parser.epilog = (
        "Settings: DATLAKE_URL, DATLAKE_API_KEY, the config file. Exit codes: 0 done, 1 not"
        " found or refused, 2 bad usage or settings, 3 Datlake unreachable or failing,"
        " 4 missing or wrong API key."
    )
    parser.add_argument("--json", action="store_true", help="print JSON, with full ids")
    add_config(parser)
    return parser


def add_limit(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--limit",
        type=_limit,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"show at most N (1-{MAX_LIMIT})",
    )


def _limit(text: str) -> int:
    value = int(text)
    if not 1 <= value <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"{value} is not between 1 and {MAX_LIMIT}")
    return value


def run_command(
    parser: argparse.ArgumentParser,
    argv: Sequence[str] | None,
    command: Callable[[argparse.Namespace, DatlakeClient], None],
) -> int:
    """Parse `argv`, connect, run `command`; every failure is one line on stderr."""
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_code(exit_)
    # the SDK's warnings repeat the error this command prints
    logging.getLogger("datlake_sdk").addHandler(logging.NullHandler())
    try:
        with connect(args.config) as client:
            command(args, client)
    except Failed as failure:
        print(f"{parser.prog}: {failure}", file=sys.stderr)
        return failure.code
    except ConfigError as ex:
        print(f"{parser.prog}: {ex}", file=sys.stderr)
        return USAGE
    except BrokenPipeError:  # `datlake runs job | head`
        sys.stderr.close()
        return OK
    return OK


def connect(config: str | None) -> DatlakeClient:
    from datlake_sdk import DatlakeClient

    retry = None if os.environ.get("DATLAKE_SDK_RETRY") else CLI_RETRY
    return DatlakeClient(config_file=config, retry=retry)


def value_of(result: Result[T, SDKError]) -> T:
    """The value, or `Failed` with the error's exit code."""
    if isinstance(result, Ok):
        return result.value
    raise Failed(str(result.error.message), code_of(result.error))


def code_of(error: SDKError) -> int:
    if isinstance(error, AuthError):
        return UNAUTHORIZED
    if isinstance(error, ValidationError):
        return USAGE if error.code is None else REFUSED
    if isinstance(error, NotFound | Conflict) or (error.code or 0) in range(400, 500):
        return REFUSED
    return UNREACHABLE


def collect(results: Iterable[Result[T, SDKError]], limit: int) -> tuple[list[T], bool]:
    """Up to `limit` values, and whether there were more; the first `Err` is `Failed`."""
    values: list[T] = []
    for result in results:
        if len(values) == limit:
            return values, True
        if isinstance(result, Err):
            value_of(result)
        else:
            values.append(result.value)
    return values, False


def more_note(more: bool, what: str) -> None:
    if more:
        print(f"(more {what}: --limit N shows more)", file=sys.stderr)


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """Lines of left-aligned columns two spaces apart (the last column is not padded)."""
    lines = [list(headers), *(list(row) for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(headers))]
    for line in lines:
        cells = [cell.ljust(width) for cell, width in zip(line[:-1], widths, strict=False)]
        yield "  ".join([*cells, line[-1]]).rstrip()


def print_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    for line in table(headers, rows):
        print(line)


def print_json(value: Any) -> None:
    print(json.dumps(plain(value), indent=2, ensure_ascii=False))


def plain(value: Any) -> Any:
    """SDK values as JSON-ready data: attrs classes as objects, times as RFC 3339 text."""
    import attrs

    if attrs.has(type(value)):
        return {name: plain(item) for name, item in attrs.asdict(value, recurse=False).items()}
    if isinstance(value, datetime.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return value


def short_id(full: str) -> str:
    """The last 8 characters of an id: the random end of a UUIDv7, whose first digits are
    its clock and so the same for runs started in the same minute."""
    return full.replace("-", "")[-8:]


def when(moment: datetime.datetime | None) -> str:
    """A time as `2026-12-02 00:21:51Z` (UTC), `-` when there is none."""
    if moment is None:
        return "-"
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def took(start: datetime.datetime | None, end: datetime.datetime | None) -> str:
    """How long from `start` to `end`: `850ms`, `12.3s`, `4m05s`, `2h10m`; `-` when unknown."""
    if start is None or end is None:
        return "-"
    seconds = (end - start).total_seconds()
    if seconds < 1:
        return f"{seconds * 1000:.0f}ms"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{rest:02d}s"
    return f"{minutes // 60}h{minutes % 60:02d}m"
