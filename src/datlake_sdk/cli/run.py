"""`datlake run --job NAME [--input TABLE]... [--output TABLE=URI[:FORMAT]]... [--meta KEY=VALUE]...
-- CMD ARGS...`: track any command as a run.

It starts a run of NAME (the command line in its metadata), records the declared inputs, runs
the command with its output shown as usual and shipped live to the run's log, keeps the run's
lease, forwards SIGINT and SIGTERM to the command, records the declared outputs when the command
succeeded, and completes the run from the exit code (`extra`: `exit_code` and the last lines of
stderr), with the whole output as its log artifact. It exits with the command's exit code (128
+ N for a command killed by signal N); 2 when the run could not start or an input could not be
read (the command does not run then), 1 when the command succeeded but its outputs could not
be recorded.

The command gets the run in its environment (`DATLAKE_RUN_ID`, `DATLAKE_JOB_NAME`) with the
connection settings (`DATLAKE_URL`, `DATLAKE_API_KEY`), so a Python step inside joins the same
run with `JobContext.current()`. It runs in its own process group, so one Ctrl-C reaches it
once (forwarded), with its children.

>>> main(["--help"])  # doctest: +ELLIPSIS
usage: datlake run ...
0
>>> parse_output("users_curated=s3://lake/users/part-0.parquet")
('users_curated', 's3://lake/users/part-0.parquet', 'parquet')
>>> parse_output("users_raw=file:///data/users:csv")
('users_raw', 'file:///data/users', 'csv')
"""

from __future__ import annotations

import argparse
import codecs
import collections
import contextlib
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import IO, TYPE_CHECKING, Any

from datlake_sdk.cli._manners import add_config, command_parser, exit_code, fail

if TYPE_CHECKING:
    from datlake_sdk import DatlakeClient, JobContext
    from datlake_sdk._telemetry import Telemetry

PROG = "datlake run"
STDERR_TAIL_LINES = 20
_MAX_TAIL_LINE = 1000
_READ_SIZE = 64 * 1024
_FORMAT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}")
_FORWARDED = (signal.SIGINT, signal.SIGTERM)


class CommandFailed(Exception):
    """The tracked command exited with a code other than 0."""

    def __init__(self, code: int) -> None:
        super().__init__(f"the command exited with code {code}")
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        PROG, "Run a command as a lineage-tracked run of a job: datlake run --job NAME -- CMD..."
    )
    parser.add_argument("--job", required=True, metavar="NAME", help="the job the run is of")
    parser.add_argument(
        "--input",
        action="append",
        default=[],
        metavar="TABLE",
        help="a table the command reads (its newest snapshot is recorded as read); repeatable",
    )
    parser.add_argument(
        "--output",
        action="append",
        default=[],
        type=parse_output,
        metavar="TABLE=URI[:FORMAT]",
        help="a snapshot the command writes, recorded when it succeeds (FORMAT defaults to the"
        " URI's extension); repeatable",
    )
    parser.add_argument(
        "--meta",
        action="append",
        default=[],
        type=_parse_meta,
        metavar="KEY=VALUE",
        help="run metadata; repeatable",
    )
    parser.add_argument(
        "--log-bucket",
        default="artifacts",
        metavar="BUCKET",
        help="the bucket the command's output goes to as the run's log artifact",
    )
    add_config(parser)
    parser.epilog = "The command follows `--`. Exit code: the command's (see the docs)."
    return parser


def parse_output(text: str) -> tuple[str, str, str]:
    """`TABLE=URI[:FORMAT]` as `(table, uri, format)`; FORMAT is the text after the last `:`
    when it is a plain word (not part of the URI), else the URI's extension."""
    table, equals, uri = text.partition("=")
    if not equals or not table or not uri:
        raise argparse.ArgumentTypeError(f"{text!r} is not TABLE=URI[:FORMAT]")
    head, colon, tail = uri.rpartition(":")
    if colon and head and "://" in head and _FORMAT.fullmatch(tail):
        return table, head, tail
    extension = uri.rpartition("/")[2].rpartition(".")[2] if "." in uri.rpartition("/")[2] else ""
    if not _FORMAT.fullmatch(extension):
        raise argparse.ArgumentTypeError(f"{text!r}: name the format (TABLE=URI:FORMAT)")
    return table, uri, extension


def _parse_meta(text: str) -> tuple[str, str]:
    key, equals, value = text.partition("=")
    if not equals or not key:
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE")
    return key, value


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    options, dashes, command = _split(arguments)
    parser = build_parser()
    try:
        args = parser.parse_args(options)
    except SystemExit as exit_:
        return exit_code(exit_)
    if not dashes or not command:
        return fail(PROG, f"give the command after `--` (see `{PROG} --help`)")
    return _track(args, command)


def _split(arguments: list[str]) -> tuple[list[str], bool, list[str]]:
    if "--" not in arguments:
        return arguments, False, []
    at = arguments.index("--")
    return arguments[:at], True, arguments[at + 1 :]


def _track(args: argparse.Namespace, command: list[str]) -> int:
    from datlake_sdk import ConfigError, DatlakeClient, JobContext, SDKError

    try:
        client = DatlakeClient(config_file=args.config)
    except ConfigError as ex:
        return fail(PROG, str(ex))
    metadata: dict[str, Any] = {"command": shlex.join(command)[:4096], **dict(args.meta)}
    job = JobContext(client, args.job, metadata=metadata, log_bucket=args.log_bucket)
    stage = "start the run"
    code = 0
    try:
        with client, job:
            stage = "read an input"
            for table in args.input:
                job.input(table)
            stage = "run the command"
            code, tail = _run(command, _child_environment(client, job, args.config), job)
            job.extra.update(exit_code=code, stderr_tail=tail)
            if code != 0:
                raise CommandFailed(code)
            stage = "record an output"
            for table, uri, format in args.output:
                job.output(table, uri, format=format)
            stage = "complete the run"
    except CommandFailed:
        pass
    except KeyboardInterrupt:  # before or after the command: the run is completed as failed
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except (SDKError, ValueError) as ex:
        print(f"{PROG}: could not {stage}: {ex}", file=sys.stderr)
        if stage in ("start the run", "read an input"):
            return 2
        return code or 1
    except OSError as ex:  # the command itself could not be started
        print(f"{PROG}: {command[0]}: {ex.strerror or ex}", file=sys.stderr)
        return 127
    status = job.run.status or ("succeeded" if code == 0 else "failed")
    print(f"{PROG}: {job.job_name}/{job.run.run_id} {status} (exit code {code})", file=sys.stderr)
    return code


def _child_environment(
    client: DatlakeClient, job: JobContext, config: str | None
) -> dict[str, str]:
    from datlake_sdk._join import run_environment

    env = dict(os.environ)
    env.update(run_environment(job.run))
    env["DATLAKE_URL"] = client.base_url
    api_key = client._settings.api_key  # handed to the child as the parent's own settings
    if api_key is not None:
        env["DATLAKE_API_KEY"] = api_key
    if config is not None:
        env["DATLAKE_CONFIG"] = config
    return env


def _run(command: list[str], env: dict[str, str], job: JobContext) -> tuple[int, list[str]]:
    """Run `command`, showing and shipping its output; its exit code and last stderr lines."""
    child = subprocess.Popen(  # noqa: S603 - the user's own command, as given
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, process_group=0
    )
    # forwarding starts before any of the command's output is shown: whoever reacts to that
    # output with a signal reaches the command, never a half-started tracker
    restore = _forward_signals(child)
    tail: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL_LINES)
    assert child.stdout is not None
    assert child.stderr is not None
    pumps = [
        threading.Thread(target=_pump, args=(child.stdout, sys.stdout, job.telemetry, None)),
        threading.Thread(target=_pump, args=(child.stderr, sys.stderr, job.telemetry, tail)),
    ]
    try:
        for pump in pumps:
            pump.start()
        returncode = child.wait()
        for pump in pumps:
            pump.join()
    finally:
        restore()
    return (returncode if returncode >= 0 else 128 - returncode), list(tail)


def _forward_signals(child: subprocess.Popen[bytes]) -> Callable[[], None]:
    """Pass SIGINT and SIGTERM on to the child's process group while it runs."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def forward(signum: int, frame: FrameType | None) -> None:
        with contextlib.suppress(ProcessLookupError):  # it is gone already
            os.killpg(child.pid, signum)

    previous = {signum: signal.signal(signum, forward) for signum in _FORWARDED}

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    return restore


def _pump(
    source: IO[bytes],
    sink: IO[str],
    telemetry: Telemetry | None,
    tail: collections.deque[str] | None,
) -> None:
    """Copy the child's output to `sink` as it comes and to the live log (and the tail)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    raw = getattr(sink, "buffer", None)
    partial = ""
    while True:
        chunk = os.read(source.fileno(), _READ_SIZE)
        text = decoder.decode(chunk, final=not chunk)
        try:
            if raw is not None:
                raw.write(chunk)
                raw.flush()
            else:
                sink.write(text)
                sink.flush()
        except (OSError, ValueError):
            pass  # a closed terminal must not stop the log shipping
        if telemetry is not None:
            telemetry.log(text)
        if tail is not None:
            lines = (partial + text).split("\n")
            partial = lines.pop()[-_MAX_TAIL_LINE:]
            tail.extend(line[-_MAX_TAIL_LINE:] for line in lines)
        if not chunk:
            break
    if tail is not None and partial:
        tail.append(partial)
    source.close()
