"""`datlake lineage TABLE [--direction D] [--depth N] [--format tree|mermaid|dot|json]`: the
lineage graph around a table, as a tree (the default), a Mermaid flowchart, a Graphviz digraph
or JSON (`--json` is `--format json`).

>>> main(["--help"])  # doctest: +ELLIPSIS
usage: datlake lineage ...
0
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from datlake_sdk.cli._browse import browse_parser, print_json, run_command, value_of
from datlake_sdk.cli._lineage_formats import FORMATS, dot, lineage_tree, mermaid

if TYPE_CHECKING:
    from datlake_sdk import DatlakeClient


def build_parser() -> argparse.ArgumentParser:
    parser = browse_parser("datlake lineage", "The lineage graph around a table.")
    parser.add_argument("table", metavar="TABLE")
    parser.add_argument(
        "--direction",
        choices=("upstream", "downstream", "both"),
        default="both",
        help="what the table was made from, what was made from it, or both",
    )
    parser.add_argument(
        "--depth", type=int, choices=range(1, 11), default=3, metavar="N",
        help="table-to-table hops, 1-10",
    )  # fmt: skip
    parser.add_argument("--format", choices=FORMATS, default="tree", help="how to print it")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser(), argv, _lineage)


def _lineage(args: argparse.Namespace, client: DatlakeClient) -> None:
    from datlake_sdk._tables import get_lineage

    graph = value_of(get_lineage(client, args.table, depth=args.depth, direction=args.direction))
    output = "json" if args.json else args.format
    if output == "json":
        print_json(graph)
    elif output == "mermaid":
        print(mermaid(graph))
    elif output == "dot":
        print(dot(graph))
    else:
        print("\n".join(lineage_tree(graph)))
