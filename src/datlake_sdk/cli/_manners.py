"""What every `datlake` command shares: help that shows defaults, one-line usage errors,
`--version`, and a one-line answer when an optional extra is not installed.

>>> parser = command_parser("datlake demo", "A demo.")
>>> _ = parser.add_argument("--port", type=int, default=8765, help="port to listen on")
>>> "(default: 8765)" in parser.format_help()
True
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

# the packages of this distribution: a missing one of these is a bug, not a missing extra
OWN_PACKAGES = frozenset({"datlake_sdk", "datlake_server", "datlake_api"})


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Adds `(default: ...)` to an option's help unless the help already says its default, or
    there is none to say (`None`, a flag that is off)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        help_text = action.help or ""
        if "default" in help_text or action.default in (None, False, argparse.SUPPRESS):
            return help_text
        return super()._get_help_string(action)


class CommandParser(argparse.ArgumentParser):
    """An `ArgumentParser` with `HelpFormatter` whose errors are one line on stderr, exit 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def command_parser(prog: str, description: str) -> CommandParser:
    """A parser for a `datlake` command."""
    return CommandParser(prog=prog, description=description)


def add_config(parser: argparse.ArgumentParser) -> None:
    """`--config FILE`: the SDK's config file, for commands that read its settings."""
    parser.add_argument(
        "--config",
        default=None,
        metavar="FILE",
        help="config file (default: $DATLAKE_CONFIG, else ~/.config/datlake/config.toml)",
    )


def add_version(parser: argparse.ArgumentParser) -> None:
    """`--version`: print `datlake-sdk X.Y.Z` and exit."""
    parser.add_argument(
        "--version", action=_Version, help="print the version of datlake-sdk and exit"
    )


def version() -> str:
    """`datlake-sdk X.Y.Z`, from the installed distribution's metadata."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    try:
        return f"datlake-sdk {installed_version('datlake-sdk')}"
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "datlake-sdk (version unknown: not installed)"


class _Version(argparse.Action):
    """Like argparse's `version` action, but reads the metadata only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        print(version())
        parser.exit()


def missing_extra(error: ModuleNotFoundError, extra: str) -> str | None:
    """The one-line advice when `error` is a module of the `extra` that is not installed
    (`None` when the missing module is one of this distribution's own: that is a bug).

    >>> missing_extra(ModuleNotFoundError("No module named 'starlette'", name="starlette"),
    ...               "server")
    "the server extra is not installed (no module starlette): pip install 'datlake-sdk[server]'"
    """
    name = (error.name or "").partition(".")[0]
    if not name or name in OWN_PACKAGES:
        return None
    return (
        f"the {extra} extra is not installed (no module {name}): pip install 'datlake-sdk[{extra}]'"
    )


def exit_code(exit_: SystemExit) -> int:
    """The exit code argparse asked for (`--help`: 0, a usage error: 2)."""
    return exit_.code if isinstance(exit_.code, int) else 2


def fail(prog: str, message: str) -> int:
    """Print `prog: message` on stderr; the exit code of bad usage, 2."""
    print(f"{prog}: {message}", file=sys.stderr)
    return 2
