"""A lineage graph drawn as SVG, laid out here: no script library, nothing from elsewhere.

Columns are hops from the root table (what it was made from to the left, what was made from
it to the right); within a column nodes follow the mean row of their neighbours in the column
before, which keeps most edges short. Each node links to its table's or run's page; the page's
`graph.js` pans, zooms and finds nodes. Every text is escaped.

>>> svg = lineage_svg({"root": "t", "nodes": [{"id": "table:t", "kind": "table", "name": "t"}],
...                    "edges": []}, link=lambda node: "/tables/t")
>>> svg.count('class="node table root"')
1
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable
from html import escape
from typing import Any

Doc = dict[str, Any]

COLUMN = 240  # px between columns
ROW = 34  # px between rows
WIDTH, HEIGHT = 190, 24  # a node's box
LABEL = 26  # characters shown; the full name is the node's tooltip


def columns(graph: Doc) -> dict[str, int]:
    """Each node's column: 0 for the root table, -1 for the runs that wrote it, +1 for those
    that read it, and so on (breadth first, so the nearest path wins)."""
    root = f"table:{graph['root']}"
    ahead: dict[str, list[str]] = defaultdict(list)
    behind: dict[str, list[str]] = defaultdict(list)
    for edge in graph["edges"]:
        ahead[edge["source"]].append(edge["target"])
        behind[edge["target"]].append(edge["source"])
    column = {root: 0}
    queue = deque([root])
    while queue:
        node = queue.popleft()
        for near, step in ((ahead[node], 1), (behind[node], -1)):
            for other in near:
                if other not in column:
                    column[other] = column[node] + step
                    queue.append(other)
    for node in graph["nodes"]:  # nodes the edges do not reach stay beside the root
        column.setdefault(node["id"], 0)
    return column


def positions(graph: Doc) -> dict[str, tuple[float, float]]:
    """Each node's (x, y), columns spread outwards from the root."""
    column = columns(graph)
    neighbours: dict[str, list[str]] = defaultdict(list)
    for edge in graph["edges"]:
        neighbours[edge["source"]].append(edge["target"])
        neighbours[edge["target"]].append(edge["source"])
    by_column: dict[int, list[str]] = defaultdict(list)
    for node in graph["nodes"]:
        by_column[column[node["id"]]].append(node["id"])
    row: dict[str, float] = {}
    # the root's column first, then outwards, each ordered by its inner neighbours' rows
    for index in sorted(by_column, key=lambda c: (abs(c), c)):
        inner = index - 1 if index > 0 else index + 1

        def mean_row(node_id: str, inner: int = inner) -> float:
            rows = [row[n] for n in neighbours[node_id] if column.get(n) == inner and n in row]
            return sum(rows) / len(rows) if rows else 0.0

        ordered = sorted(by_column[index], key=mean_row) if index else by_column[index]
        middle = (len(ordered) - 1) / 2
        for place, node_id in enumerate(ordered):
            row[node_id] = place - middle
    return {node: (column[node] * COLUMN, row[node] * ROW) for node in row}


def lineage_svg(graph: Doc, link: Callable[[Doc], str]) -> str:
    """The graph as one `<svg>`; `link(node)` is the page a node opens."""
    where = positions(graph)
    if not where:
        return '<svg class="lineage" role="img" aria-label="empty lineage graph"></svg>'
    xs = [x for x, _ in where.values()]
    ys = [y for _, y in where.values()]
    margin = 20
    left, top = min(xs) - WIDTH / 2 - margin, min(ys) - HEIGHT / 2 - margin
    width = max(xs) - min(xs) + WIDTH + 2 * margin
    height = max(ys) - min(ys) + HEIGHT + 2 * margin
    parts = [
        f'<svg class="lineage" id="lineage" xmlns="http://www.w3.org/2000/svg" role="img"'
        f' aria-label="lineage graph of {escape(graph["root"])}"'
        f' viewBox="{left:.0f} {top:.0f} {width:.0f} {height:.0f}"'
        f' data-nodes="{len(where)}" data-edges="{len(graph["edges"])}">',
        '<g class="edges">',
    ]
    for edge in graph["edges"]:
        if edge["source"] not in where or edge["target"] not in where:
            continue
        (x1, y1), (x2, y2) = where[edge["source"]], where[edge["target"]]
        x1, x2 = x1 + WIDTH / 2, x2 - WIDTH / 2
        bend = (x2 - x1) / 2
        parts.append(
            f'<path class="edge {escape(edge["kind"])}" data-source="{escape(edge["source"])}"'
            f' data-target="{escape(edge["target"])}"'
            f' d="M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} {x2 - bend:.0f},{y2:.0f}'
            f' {x2:.0f},{y2:.0f}"/>'
        )
    parts.append('</g><g class="nodes">')
    root = f"table:{graph['root']}"
    for node in graph["nodes"]:
        x, y = where[node["id"]]
        parts.append(_node(node, x, y, link(node), root=node["id"] == root))
    parts.append("</g></svg>")
    return "".join(parts)


def _node(node: Doc, x: float, y: float, href: str, *, root: bool) -> str:
    if node["kind"] == "run":
        run_id = str(node.get("run_id") or "")
        label = f"{node.get('job_name') or node['name']}/{run_id[-8:]}"
        title = f"run {node.get('job_name')}/{run_id} ({node.get('status')})"
        classes = f"node run {node.get('status') or 'unknown'}"
    else:
        label, title = node["name"], f"table {node['name']}"
        classes = "node table root" if root else "node table"
    shown = label if len(label) <= LABEL else label[: LABEL - 1] + "…"
    return (
        f'<a class="{escape(classes)}" href="{escape(href)}" data-id="{escape(node["id"])}"'
        f' data-name="{escape(label)}"><title>{escape(title)}</title>'
        f'<rect x="{x - WIDTH / 2:.0f}" y="{y - HEIGHT / 2:.0f}" width="{WIDTH}"'
        f' height="{HEIGHT}" rx="{12 if node["kind"] == "run" else 3}"/>'
        f'<text x="{x:.0f}" y="{y + 4:.0f}">{escape(shown)}</text></a>'
    )
