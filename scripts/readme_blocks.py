"""Write each ```python block of README.md to a file of its own, so that mypy and pyright check
the README's code as they check any module (`make typecheck`), and tests can run it.

    python scripts/readme_blocks.py [--readme README.md] [--out build/readme]

Each block becomes `<out>/readme_line_<N>.py`, N being the README line its code starts on; the
folder is emptied of earlier blocks first, so a block that was removed is not checked again.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_FENCE = re.compile(r"^(?P<indent>\s*)```(?P<info>[^`]*)$")


@dataclass(frozen=True)
class Block:
    """One fenced ```python block: its code, the README line it starts on, its section."""

    code: str
    line: int
    heading: str

    @property
    def filename(self) -> str:
        return f"readme_line_{self.line}.py"


def python_blocks(markdown: str) -> list[Block]:
    """The ```python blocks of `markdown`, in order, dedented (blocks inside a list item are
    indented), each with the `## ` heading it sits under."""
    blocks: list[Block] = []
    heading = ""
    lines = markdown.splitlines()
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        if line.startswith("#"):  # lines inside a block never get here: it is read whole below
            heading = line.lstrip("#").strip()
        fence = _FENCE.match(line)
        if fence is None:
            continue
        is_python = fence["info"].strip().split(" ")[0] in ("python", "py")
        start = number
        body: list[str] = []
        while number < len(lines) and lines[number].strip() != "```":
            body.append(lines[number])
            number += 1
        number += 1  # the closing fence
        if is_python:
            code = textwrap.dedent("\n".join(body)) + "\n"
            blocks.append(Block(code=code, line=start + 1, heading=heading))
    return blocks


def write_blocks(blocks: list[Block], out: Path) -> list[Path]:
    """Write `blocks` into `out` (removing files of earlier runs); return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("readme_line_*.py"):
        stale.unlink()
    paths: list[Path] = []
    for block in blocks:
        path = out / block.filename
        header = f"# README.md line {block.line} ({block.heading}); written by {_SELF}\n"
        path.write_text(header + block.code, encoding="utf-8")
        paths.append(path)
    return paths


_SELF = "scripts/readme_blocks.py"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "readme")
    args = parser.parse_args(argv)
    blocks = python_blocks(args.readme.read_text(encoding="utf-8"))
    if not blocks:
        print(f"no ```python block in {args.readme}", file=sys.stderr)
        return 1
    for path in write_blocks(blocks, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
