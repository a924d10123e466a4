"""`make demo`: the daily_users pipeline against a fresh local Datlake, then its lineage.

1. starts `datlake server` on a free loopback port with a fresh data folder and API key;
2. an upstream job, `ingest_users`, writes a small `users_raw` CSV and registers it;
3. `daily_users` reads it, writes `users_curated`, and ships its log as an artifact;
4. prints the lineage the server recorded as a tree, stops the server and exits 0.

The data folder is temporary, unless kept: `--keep DIR` (or `DEMO_KEEP=DIR`; `DEMO_KEEP=1`
keeps a new temporary folder) leaves the server's data and the CSV files there and prints how to
start `datlake server` on them. It needs only the SDK and the server (`pip install '.[server]'`).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import logging
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from urllib.parse import urlparse

from datlake_sdk import DatlakeClient
from datlake_sdk.functional import (
    Err,
    LineageGraph,
    LineageNode,
    Ok,
    Result,
    SDKError,
    UriInfo,
    and_then,
    complete_run,
    fetch_latest_uri,
    get_lineage,
    get_run,
    make_log_artifact,
    register_snapshot,
    start_run,
    unwrap,
)

LOG_BUCKET = "artifacts"


@contextlib.contextmanager
def local_datlake(data_dir: Path, api_key: str) -> Iterator[str]:
    """Run `datlake server` in a subprocess on a free port; yield its base URL."""
    command = [sys.executable, "-m", "datlake_server", "--host", "127.0.0.1", "--port", "0"]
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [*command, "--data", str(data_dir)],
        # the key goes through the environment: a command line is visible to every local user
        env={**os.environ, "DATLAKE_API_KEY": api_key},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert server.stdout is not None
    try:
        base_url = _wait_for_url(server)
        # keep reading what the server prints so that a full pipe never blocks it
        threading.Thread(target=server.stdout.read, daemon=True).start()
        yield base_url
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_for_url(server: subprocess.Popen[str]) -> str:
    assert server.stdout is not None
    for line in server.stdout:
        print(f"  [server] {line.rstrip()}")
        found = re.search(r"https?://[\w.\[\]:-]+", line)
        if found and "listening" in line.lower():
            return found.group(0)
    raise SystemExit(f"the local Datlake did not start (exit code {server.wait()})")


def ingest_users(client: DatlakeClient, workdir: Path) -> None:
    """The upstream job: writes users_raw and registers the snapshot."""
    raw = workdir / "users_raw.csv"
    rows = [
        ("id", "email", "country"),
        ("1", "Ada@Example.com", "uk"),
        ("2", "grace@example.com ", "us"),
        ("3", "ada@example.com", "uk"),
        ("4", "linus@example.org", "fi"),
    ]
    with raw.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    run = unwrap(start_run(client, "ingest_users", metadata={"source": "demo"}))
    unwrap(register_snapshot(client, run, "users_raw", raw.as_uri(), format="csv"))
    unwrap(complete_run(client, run, success=True, extra={"rows": len(rows) - 1}))


def daily_users(client: DatlakeClient, workdir: Path, log_path: Path) -> bool:
    """Read users_raw, write users_curated, ship the log: railway steps on the functional API."""
    log = logging.getLogger("daily_users")

    def process(u: UriInfo) -> Result[str, SDKError]:
        try:
            source = Path(urlparse(u.uri).path)
            with source.open(newline="") as handle:
                users = list(csv.DictReader(handle))
            seen: dict[str, dict[str, str]] = {}
            for user in users:
                email = user["email"].strip().lower()
                seen.setdefault(email, {**user, "email": email, "country": user["country"].upper()})
            out = workdir / "users_curated.csv"
            with out.open("w", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=["id", "email", "country"])
                writer.writeheader()
                writer.writerows(seen.values())
            log.info("read %d users from %s, wrote %d to %s", len(users), u.uri, len(seen), out)
            return Ok(out.as_uri())
        except Exception as ex:
            return Err(SDKError.from_exception(ex))

    r0 = start_run(client, "daily_users", metadata={"source": "demo"})
    if isinstance(r0, Err):
        print(f"daily_users could not start: {r0.error}")
        return False
    run = r0.value
    r1 = fetch_latest_uri(client, run, "users_raw")
    r2 = and_then(r1, process)
    r3 = and_then(
        r2, lambda out_uri: register_snapshot(client, run, "users_curated", out_uri, format="csv")
    )
    log.info("daily_users finished its steps: %s", "ok" if isinstance(r3, Ok) else "failed")
    art = make_log_artifact(client, LOG_BUCKET, run, str(log_path))
    arts = [art.value] if isinstance(art, Ok) else []
    extra = {} if isinstance(r3, Ok) else {"error": str(r3.error)}
    done = complete_run(client, run, success=isinstance(r3, Ok), extra=extra, artifacts=arts)
    return isinstance(r3, Ok) and isinstance(done, Ok)


def print_lineage(client: DatlakeClient) -> None:
    """Print the upstream lineage of users_curated as a tree, with each run's artifacts."""
    graph = unwrap(get_lineage(client, "users_curated", direction="upstream"))
    artifacts: dict[str, list[str]] = {}
    for node in graph.nodes:
        if node.kind == "run" and node.job_name and node.run_id:
            run = unwrap(get_run(client, node.job_name, node.run_id))
            artifacts[node.id] = [f"{a.type} {a.uri}" for a in run.artifacts]
    print("\nLineage recorded by the local Datlake (upstream of users_curated):")
    for line in lineage_tree(graph, notes=artifacts):
        print(f"  {line}")


def lineage_tree(
    graph: LineageGraph, notes: Mapping[str, Sequence[str]] | None = None
) -> list[str]:
    """The graph as a tree from its root table: under a table the runs that wrote it, under a
    run the tables it read (then `notes[node id]`, e.g. its artifacts), ids shortened.

    >>> from datlake_sdk.functional import LineageEdge
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
    """
    nodes = {node.id: node for node in graph.nodes}
    notes = notes or {}
    lines = [graph.root]

    def children(node_id: str) -> list[tuple[str | None, str]]:
        """(child node id or None for a note, label) pairs, in the graph's order."""
        node = nodes.get(node_id)
        if node is not None and node.kind == "table":
            return [
                (edge.source, _run_label(nodes.get(edge.source), edge.source))
                for edge in graph.edges
                if edge.kind == "wrote" and edge.target == node_id
            ]
        read = [
            (edge.source, _read_label(nodes.get(edge.source), edge.source, edge.snapshot_id))
            for edge in graph.edges
            if edge.kind == "read" and edge.target == node_id
        ]
        return [*read, *((None, note) for note in notes.get(node_id, ()))]

    def walk(node_id: str, prefix: str, ancestors: frozenset[str]) -> None:
        below = children(node_id)
        for index, (child, label) in enumerate(below):
            last = index == len(below) - 1
            lines.append(f"{prefix}{'└─' if last else '├─'} {label}")
            if child is not None and child not in ancestors:  # a run may read what it wrote
                walk(child, prefix + ("   " if last else "│  "), ancestors | {child})

    root = f"table:{graph.root}"
    walk(root, "", frozenset({root}))
    return lines


def short_id(full: str) -> str:
    """The last 8 hex digits of an id: the random end of a UUIDv7, whose first digits are its
    clock and so the same for runs started in the same minute."""
    return full.replace("-", "")[-8:]


def _run_label(node: LineageNode | None, node_id: str) -> str:
    if node is None or node.run_id is None:
        return f"written by {node_id}"
    return f"written by {node.job_name or node.name}/{short_id(node.run_id)} ({node.status})"


def _read_label(node: LineageNode | None, node_id: str, snapshot_id: str | None) -> str:
    name = node.name if node is not None else node_id
    return f"read {name}" + (f" (snapshot {short_id(snapshot_id)})" if snapshot_id else "")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The daily_users pipeline on a local Datlake.")
    parser.add_argument(
        "--keep",
        metavar="DIR",
        type=Path,
        default=_keep_from_environment(),
        help="keep the data in DIR (new or empty) instead of a temporary folder;"
        " also DEMO_KEEP=DIR, or DEMO_KEEP=1 for a new temporary folder that is kept",
    )
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        if args.keep is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="datlake-demo-")))
        else:
            workdir = args.keep.resolve()
            if workdir.exists() and any(workdir.iterdir()):
                parser.error(f"--keep {workdir}: the folder is not empty")
            workdir.mkdir(parents=True, exist_ok=True)
        log_path = workdir / "run.log"
        handler = logging.FileHandler(log_path)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logging.getLogger().addHandler(handler)
        logging.getLogger().setLevel(logging.INFO)
        api_key = secrets.token_urlsafe(24)
        print("Starting a local Datlake ...")
        with (
            local_datlake(workdir / "datlake", api_key) as base_url,
            DatlakeClient(base_url=base_url, api_key=api_key) as client,
        ):
            ingest_users(client, workdir)
            ok = daily_users(client, workdir, log_path)
            print(f"\ndaily_users: {'succeeded' if ok else 'FAILED'}")
            print_lineage(client)
        logging.getLogger().removeHandler(handler)
        handler.close()
        if args.keep is None:
            print("\nThe local Datlake stopped; its data folder was temporary.")
        else:
            _print_kept(workdir)
        return 0 if ok else 1


def _keep_from_environment() -> Path | None:
    value = os.environ.get("DEMO_KEEP", "").strip()
    if value in ("", "0"):
        return None
    if value == "1":
        return Path(tempfile.mkdtemp(prefix="datlake-demo-"))
    return Path(value)


def _print_kept(workdir: Path) -> None:
    datlake = Path(sys.executable).parent / "datlake"
    command = str(datlake) if datlake.exists() else "datlake"
    with contextlib.suppress(ValueError):
        command = str(datlake.relative_to(Path.cwd()))
    print(f"\nThe local Datlake stopped; its data is kept in {workdir}")
    print(f"  (the server's in {workdir / 'datlake'}, the CSV files and run.log beside it).")
    print("Start a Datlake on it (no key needed on loopback) and look around:")
    print(f"  {command} server --port 8765 --data {workdir / 'datlake'}")
    print("  curl 'http://127.0.0.1:8765/api/v1/lineage?table=users_curated'")


if __name__ == "__main__":
    raise SystemExit(main())
