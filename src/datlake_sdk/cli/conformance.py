"""`datlake conformance`: check a Datlake server against the contract (see
`datlake_sdk.conformance`). The server and key come from `--base-url` and `--api-key`, else
from `DATLAKE_URL`, `DATLAKE_API_KEY` and the config file, as the SDK reads them; plain
`http://` to a host that is not loopback is refused unless `--allow-insecure-http`.

Exit codes: 0 every check passed (or was skipped), 1 a check failed, 2 bad usage or a server
that cannot be checked (unreachable, or refusing the key), said in one line on stderr.

>>> main(["--help"])  # doctest: +ELLIPSIS
usage: datlake conformance ...
0
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from datlake_sdk.cli._manners import command_parser, exit_code, fail, missing_extra

PROG = "datlake conformance"
WRITES = (
    "it writes: runs, snapshots and events of jobs and tables named conf-...-<suffix>, and"
    " objects in the bucket `conformance`; every run it starts is completed"
)


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        PROG,
        "Check a Datlake server against the contract: every answer against the spec, and"
        f" the promises of every operation. Mind that {WRITES}.",
    )
    parser.add_argument(
        "--base-url",
        default=None,
        metavar="URL",
        help="the server to check, e.g. http://127.0.0.1:8765 (default: $DATLAKE_URL, else"
        " url in the config file)",
    )
    parser.add_argument(
        "--api-key",
        default=None,
        metavar="KEY",
        help="the server's API key (default: $DATLAKE_API_KEY, else api_key in the config"
        " file; without one the server is taken to be open and the 401 checks are skipped)",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="SCENARIO",
        help="run only this scenario (repeatable; default: every scenario, as the table lists"
        " them)",
    )
    parser.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help="allow plain http:// to a host that is not loopback (the API key travels in clear)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:
        return exit_code(exit_)
    from datlake_sdk._config import load_settings
    from datlake_sdk._errors import ConfigError

    try:
        settings = load_settings(
            args.base_url, args.api_key, allow_insecure_http=args.allow_insecure_http
        )
    except ConfigError as error:
        message = str(error).replace("pass base_url=", "pass --base-url")
        message = message.replace("pass allow_insecure_http=True", "pass --allow-insecure-http")
        return fail(PROG, f"{message} (see `{PROG} --help`)")
    try:
        from datlake_sdk.conformance import Unreachable, format_table, run_conformance
    except ModuleNotFoundError as missing:
        advice = missing_extra(missing, "testing")
        if advice is None:
            raise
        return fail(PROG, advice)
    print(f"checking {settings.base_url}; {WRITES}", flush=True)
    try:
        report = run_conformance(settings.base_url, settings.api_key, only=args.only)
    except (Unreachable, ValueError) as error:  # ValueError: an unknown --only
        return fail(PROG, str(error))
    print(format_table(report.results))
    return 1 if report.failed else 0
