"""`datlake download URI DEST [--json]`: an object (`datlake://BUCKET/OBJECT`, as artifacts
name them) streamed into DEST (a file, or an existing folder to keep the object's file name),
checked by its SHA-256; a progress bar on stderr when it is a terminal.

>>> main(["--help"])  # doctest: +ELLIPSIS
usage: datlake download ...
0
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from datlake_sdk.cli._browse import USAGE, Failed, browse_parser, print_json, run_command, value_of

if TYPE_CHECKING:
    from datlake_sdk import DatlakeClient

SCHEME = "datlake://"


def build_parser() -> argparse.ArgumentParser:
    parser = browse_parser("datlake download", "Download a stored object (an artifact, a log).")
    parser.add_argument("uri", metavar="URI", help="datlake://BUCKET/OBJECT")
    parser.add_argument("dest", metavar="DEST", help="a file, or an existing folder")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser(), argv, _download)


def split_uri(uri: str) -> tuple[str, str]:
    """`datlake://bucket/a/b.log` as `("bucket", "a/b.log")`.

    >>> split_uri("datlake://artifacts/jobs/daily/r1/run.log")
    ('artifacts', 'jobs/daily/r1/run.log')
    """
    bucket, _, name = uri.removeprefix(SCHEME).partition("/")
    if not uri.startswith(SCHEME) or not bucket or not name:
        raise Failed(f"{uri!r} is not a datlake://BUCKET/OBJECT uri", USAGE)
    return bucket, name


def _download(args: argparse.Namespace, client: DatlakeClient) -> None:
    from datlake_sdk._objects import download_object

    bucket, name = split_uri(args.uri)
    dest = Path(args.dest)
    if dest.is_dir():
        dest = dest / name.rpartition("/")[2]
    bar = ProgressBar(sys.stderr) if sys.stderr.isatty() and not args.json else None
    try:
        info = value_of(
            download_object(client, bucket, name, dest, progress=None if bar is None else bar)
        )
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        print_json({"object": info, "path": str(dest)})
    else:
        print(f"{dest}  {info.size} bytes  sha256 {info.sha256}")


class ProgressBar:
    """`[#####-----]  42%  4.2 MB of 10.0 MB` on one line, redrawn at most 10 times a second.

    >>> import io
    >>> out = io.StringIO()
    >>> bar = ProgressBar(out)
    >>> bar(500_000, 1_000_000)
    >>> out.getvalue().strip()
    '[##########----------]  50%  0.5 MB of 1.0 MB'
    """

    WIDTH = 20

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._drawn = 0.0
        self._shown = False

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if self._shown and now - self._drawn < 0.1 and done != total:
            return
        self._drawn, self._shown = now, True
        if total:
            filled = self.WIDTH * min(done, total) // total
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            line = f"[{bar}] {100 * done // total:3d}%  {done / 1e6:.1f} MB of {total / 1e6:.1f} MB"
        else:
            line = f"{done / 1e6:.1f} MB"
        self._out.write(f"\r{line}")
        self._out.flush()

    def close(self) -> None:
        if self._shown:
            self._out.write("\n")
            self._out.flush()
