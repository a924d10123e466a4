"""A lineage graph as text: a tree from its root table, Mermaid, Graphviz DOT or JSON.

Every renderer takes the SDK's `LineageGraph` and tolerates what it does not know: a graph a
server cut short (a `truncated` marker) says so in a last line or comment.

>>> from datlake_sdk import LineageEdge, LineageGraph, LineageNode
>>> run = LineageNode(id="run:job/r1", kind="run", name="job", job_name="job",
...                   run_id="01a233f66db971d2876cf9303e1787dc", status="succeeded")
>>> graph = LineageGraph(root="out", direction="upstream", depth=3, nodes=(
...     LineageNode(id="table:out", kind="table", name="out"), run,
...     LineageNode(id="table:in", kind="table", name="in")), edges=(
...     LineageEdge(source="run:job/r1", target="table:out", kind="wrote"),
...     LineageEdge(source="table:in", target="run:job/r1", kind="read",
...                 snapshot_id="01a233f66d81742e96e33de09c73b0a6")))
>>> print("\\n".join(lineage_tree(graph)))
out
└─ written by job/3e1787dc (succeeded)
   └─ read in (snapshot 9c73b0a6)
>>> print(mermaid(graph))
flowchart LR
  n0["out"]
  n1(["job/3e1787dc succeeded"])
  n2["in"]
  n1 -->|wrote| n0
  n2 -->|read| n1
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from datlake_sdk.cli._browse import short_id

if TYPE_CHECKING:
    from datlake_sdk import LineageGraph, LineageNode

FORMATS = ("tree", "mermaid", "dot", "json")


def truncated(graph: LineageGraph) -> bool:
    """Whether the server cut the graph short (servers that bound it say so)."""
    return bool(getattr(graph, "truncated", False))


def lineage_tree(
    graph: LineageGraph, notes: Mapping[str, Sequence[str]] | None = None
) -> list[str]:
    """The graph as a tree from its root table, ids shortened. Upstream branches go from a
    table to the runs that wrote it, then to what they read; downstream ones from a table to
    the runs that read it, then to what they wrote. `notes[node id]` go under a run (its
    artifacts, say); a node met again is marked, not expanded twice."""
    nodes = {node.id: node for node in graph.nodes}
    notes = notes or {}
    lines = [graph.root]
    expanded: set[tuple[str, bool]] = set()
    Branch = tuple[str | None, str, bool]  # (child node id or None for a note, label, upstream)

    def children(node_id: str, upstream: bool) -> list[Branch]:
        node = nodes.get(node_id)
        if node is not None and node.kind == "table":
            if upstream:
                return [
                    (e.source, "written by " + _run_label(nodes.get(e.source), e.source), True)
                    for e in graph.edges
                    if e.kind == "wrote" and e.target == node_id
                ]
            return [
                (e.target, "read by " + _run_label(nodes.get(e.target), e.target), False)
                for e in graph.edges
                if e.kind == "read" and e.source == node_id
            ]
        kind, mine = ("read", "target") if upstream else ("wrote", "source")
        tables: list[Branch] = []
        for e in graph.edges:
            if e.kind == kind and getattr(e, mine) == node_id:
                other = e.source if upstream else e.target
                label = _table_label(kind, nodes.get(other), other, e.snapshot_id)
                tables.append((other, label, upstream))
        return [*tables, *((None, note, upstream) for note in notes.get(node_id, ()))]

    def walk(below: list[Branch], prefix: str) -> None:
        for index, (child, label, upstream) in enumerate(below):
            last = index == len(below) - 1
            again = child is not None and (child, upstream) in expanded
            lines.append(
                f"{prefix}{'└─' if last else '├─'} {label}{' (see above)' if again else ''}"
            )
            if child is not None and not again:
                expanded.add((child, upstream))
                walk(children(child, upstream), prefix + ("   " if last else "│  "))

    root = f"table:{graph.root}"
    expanded.update({(root, True), (root, False)})
    top = [
        *(children(root, True) if graph.direction != "downstream" else []),
        *(children(root, False) if graph.direction != "upstream" else []),
    ]
    walk(top, "")
    if truncated(graph):
        lines.append("(cut short by the server: ask for less --depth)")
    return lines


def mermaid(graph: LineageGraph) -> str:
    """A Mermaid flowchart: tables as boxes, runs as rounded boxes, edges labelled."""
    ids = {node.id: f"n{index}" for index, node in enumerate(graph.nodes)}
    lines = ["flowchart LR"]
    for node in graph.nodes:
        label = _mermaid_text(_node_label(node))
        shape = f'["{label}"]' if node.kind == "table" else f'(["{label}"])'
        lines.append(f"  {ids[node.id]}{shape}")
    for edge in graph.edges:
        if edge.source in ids and edge.target in ids:
            lines.append(f"  {ids[edge.source]} -->|{edge.kind}| {ids[edge.target]}")
    if truncated(graph):
        lines.append("  %% cut short by the server")
    return "\n".join(lines)


def dot(graph: LineageGraph) -> str:
    """A Graphviz digraph (`datlake lineage T --format dot | dot -Tsvg > lineage.svg`)."""
    lines = ["digraph lineage {", "  rankdir=LR;"]
    if truncated(graph):
        lines.append("  // cut short by the server")
    for node in graph.nodes:
        shape = "box" if node.kind == "table" else "ellipse"
        lines.append(
            f"  {_dot_text(node.id)} [label={_dot_text(_node_label(node))}, shape={shape}];"
        )
    for edge in graph.edges:
        source, target = _dot_text(edge.source), _dot_text(edge.target)
        lines.append(f"  {source} -> {target} [label={_dot_text(edge.kind)}];")
    lines.append("}")
    return "\n".join(lines)


def _node_label(node: LineageNode) -> str:
    if node.kind == "table" or node.run_id is None:
        return node.name
    status = f" {node.status}" if node.status else ""
    return f"{node.job_name or node.name}/{short_id(node.run_id)}{status}"


def _mermaid_text(text: str) -> str:
    # Mermaid's entity codes: a quote or bracket would end the label
    return "".join(f"#{ord(char)};" if char in '"[]{}()<>|#;' else char for char in text)


def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _run_label(node: LineageNode | None, node_id: str) -> str:
    if node is None or node.run_id is None:
        return node_id
    return f"{node.job_name or node.name}/{short_id(node.run_id)} ({node.status})"


def _table_label(verb: str, node: LineageNode | None, node_id: str, snapshot_id: str | None) -> str:
    name = node.name if node is not None else node_id
    return f"{verb} {name}" + (f" (snapshot {short_id(snapshot_id)})" if snapshot_id else "")
