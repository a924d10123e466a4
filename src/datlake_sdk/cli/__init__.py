"""The `datlake` command.

    datlake --version
    datlake server --host 127.0.0.1 --port 8765 --data DIR [--api-key KEY] [--default-lease S]
    datlake conformance [--base-url URL] [--api-key KEY] [--only SCENARIO]
    datlake outbox status|flush|list|drop
    datlake cache warm TABLE... | show
    datlake jobs [--prefix P] | runs JOB [RUN_ID] | tables [--prefix P] | snapshots TABLE
    datlake lineage TABLE [--direction D] [--depth N] [--limit N] [--history N] [--format F]
    datlake download URI DEST
    datlake export openlineage [--job JOB...] [--since TIME] [--namespace NS] [--to URL]
    datlake run --job NAME [--input TABLE]... [--output TABLE=URI[:FORMAT]]... -- CMD ARGS...

`server` runs the local Datlake; `conformance` checks any Datlake server against the contract's
semantics; `outbox` shows and delivers what the outbox keeps; `cache` fills and shows the
detached cache; `export` writes runs as OpenLineage events; `run` tracks any command as a run;
the others browse what a Datlake recorded (`--json` on each; exit codes in `_browse`). Each
command is a module of this package that imports what it needs only when it runs, so
`datlake --help` and importing `datlake_sdk` stay light. Every `--help` shows the defaults; a
usage error is one line on stderr and exit code 2.

>>> main(["--help"])  # doctest: +ELLIPSIS
usage: datlake ...
0
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from datlake_sdk.cli._manners import add_version, command_parser, exit_code

# command: (its module, its line in `datlake --help`)
COMMANDS = {
    "server": ("server", "run the local Datlake (SQLite and a folder)"),
    "conformance": ("conformance", "check a Datlake server against the contract"),
    "outbox": ("outbox", "see and deliver the writes kept while Datlake was away"),
    "cache": ("cache", "fill and show the snapshots served while Datlake is away"),
    "jobs": ("jobs", "the jobs that have runs, each with its newest run"),
    "runs": ("runs", "a job's runs, newest first; or one run in full"),
    "tables": ("tables", "the tables that have snapshots, each with its newest"),
    "snapshots": ("snapshots", "a table's snapshots, newest first"),
    "lineage": ("lineage", "the lineage around a table: a tree, Mermaid, DOT or JSON"),
    "download": ("download", "download a stored object (an artifact, a log)"),
    "export": ("export", "export runs as OpenLineage events (NDJSON, or to an endpoint)"),
    "run": ("run", "run a command as a lineage-tracked run of a job"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser("datlake", "Lineage-tracked data jobs against Datlake.")
    add_version(parser)
    parser.epilog = "`datlake COMMAND --help` shows a command's options and their defaults."
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, summary) in COMMANDS.items():
        # each command parses its own arguments (and answers its own --help)
        commands.add_parser(name, add_help=False, help=summary)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `datlake` command line; returns the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] and arguments[0] in COMMANDS:
        module = importlib.import_module(f"datlake_sdk.cli.{COMMANDS[arguments[0]][0]}")
        code: int = module.main(arguments[1:])
        return code
    parser = build_parser()
    try:
        parser.parse_args(arguments)
    except SystemExit as exit_:
        return exit_code(exit_)
    parser.print_help(sys.stderr)  # no command
    return 2
