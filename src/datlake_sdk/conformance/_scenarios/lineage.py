"""The lineage graph: exactly the edges of the direction and depth asked for, no others."""

from __future__ import annotations

from collections import Counter
from typing import Any

from .._probe import CheckFailed, Probe, expect_equal, expect_json
from .._registry import scenario

Edge = tuple[str, str, str, str]  # kind, source, target, snapshot_id


def _chain(probe: Probe) -> tuple[dict[str, str], dict[str, Edge]]:
    """w writes A; r1 reads A and writes B and S; r2 reads B, writes C; r3 reads C, writes D.
    Returns the table names by letter and the edges by label (`wA`: the wrote edge to A)."""
    tables = {letter: probe.name(f"conf-lin-{letter.lower()}") for letter in "ABSCD"}
    job = probe.name("conf-lin")
    edges: dict[str, Edge] = {}

    def node(run_id: str) -> str:
        return f"run:{job}/{run_id}"

    def run(reads: str, writes: str) -> None:
        run_id = probe.start_run(job)["run_id"]
        for letter in reads:
            snapshot = probe.fetch_latest(tables[letter], run_id)["snapshot_id"]
            edges[f"r{letter}"] = ("read", f"table:{tables[letter]}", node(run_id), snapshot)
        for letter in writes:
            snapshot = probe.write(job, run_id, tables[letter])["snapshot_id"]
            edges[f"w{letter}"] = ("wrote", node(run_id), f"table:{tables[letter]}", snapshot)
        probe.finish(job, run_id)

    run("", "A")
    run("A", "BS")
    run("B", "C")
    run("C", "D")
    return tables, edges


# (root, direction, depth): the labels of the edges the graph has, exactly
CASES = {
    ("B", "upstream", 1): "wB rA",
    ("B", "upstream", 2): "wB rA wA",
    ("B", "downstream", 1): "rB wC",
    ("B", "downstream", 2): "rB wC rC wD",
    ("B", "both", 1): "wB rA rB wC",
    ("A", "downstream", 1): "rA wB wS",
    ("D", "upstream", 3): "wD rC wC rB wB rA",
}


@scenario
def lineage_in_each_direction_and_depth(probe: Probe) -> None:
    """get_lineage answers, for each direction and depth, exactly the read and wrote edges
    (with their snapshots) within that many table-to-table hops, and their nodes."""
    tables, edges = _chain(probe)
    for (letter, direction, depth), labels in CASES.items():
        root = tables[letter]
        what = f"get_lineage of {root} {direction} depth {depth}"
        params = {"table": root, "direction": direction, "depth": depth}
        graph = expect_json(probe.send("GET", "/lineage", params=params), 200, what)
        for name, value in (("root", root), ("direction", direction), ("depth", depth)):
            expect_equal(graph.get(name), value, f"{what}: {name}")
        wanted = {edges[label] for label in labels.split()}
        got = Counter(_edge(e) for e in graph["edges"])
        wrong = {
            "extra edges": [e for e in got if e not in wanted],
            "missing": [e for e in wanted if e not in got],
            "repeated": [e for e, count in got.items() if count > 1],
        }
        if any(wrong.values()):
            listed = (
                f"{k}: {', '.join(map(_shown, sorted(v))) or 'none'}" for k, v in wrong.items()
            )
            raise CheckFailed(f"{what}: {'; '.join(listed)}")
        _check_nodes(graph, root, wanted, what)


def _shown(edge: Edge) -> str:
    kind, source, target, snapshot_id = edge
    return f"{kind} {source} -> {target} (snapshot {snapshot_id})"


def _edge(edge: dict[str, Any]) -> Edge:
    return (edge["kind"], edge["source"], edge["target"], edge.get("snapshot_id") or "")


def _check_nodes(graph: dict[str, Any], root: str, edges: set[Edge], what: str) -> None:
    nodes = {node["id"]: node for node in graph["nodes"]}
    wanted = {f"table:{root}"} | {e[1] for e in edges} | {e[2] for e in edges}
    expect_equal(sorted(nodes), sorted(wanted), f"{what}: the node ids")
    expect_equal(len(graph["nodes"]), len(nodes), f"{what}: the number of nodes")
    for node_id, node in nodes.items():
        kind, _, rest = node_id.partition(":")
        if kind == "table":
            expected = {"kind": "table", "name": rest}
        else:
            job, _, run_id = rest.partition("/")
            expected = {"kind": "run", "name": job, "job_name": job, "run_id": run_id,
                        "status": "succeeded"}  # fmt: skip
        for name, value in expected.items():
            expect_equal(node.get(name), value, f"{what}: node {node_id} {name}")
