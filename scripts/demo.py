"""`make demo`: the daily_users pipeline against a fresh local Datlake, then its lineage.

1. starts `datlake server` on a free loopback port with a fresh data folder and API key;
2. an upstream job, `ingest_users`, writes a small `users_raw` CSV and registers it;
3. `daily_users` runs the seed's read-transform-write pipeline (5.1) and ships its log (5.2);
4. prints the lineage graph the server recorded, stops the server and exits 0.
"""

from __future__ import annotations

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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

from datlake_sdk import DatlakeClient
from datlake_sdk.functional import (
    Err,
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


@contextmanager
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
    """The seed's pipeline (5.1) with log shipping (5.2), written as railway steps."""
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
    r1 = and_then(r0, lambda run: fetch_latest_uri(client, run, "users_raw"))
    r2 = and_then(r1, process)
    r3 = and_then(
        r2,
        lambda out_uri: register_snapshot(
            client, unwrap(r0), "users_curated", out_uri, format="csv"
        ),
    )
    if not isinstance(r0, Ok):
        print(f"daily_users could not start: {r0.error}")
        return False
    run = r0.value
    log.info("daily_users finished its steps: %s", "ok" if isinstance(r3, Ok) else "failed")
    art = make_log_artifact(client, LOG_BUCKET, run, str(log_path))
    arts = [art.value] if isinstance(art, Ok) else []
    extra = {} if isinstance(r3, Ok) else {"error": str(r3.error)}
    done = complete_run(client, run, success=isinstance(r3, Ok), extra=extra, artifacts=arts)
    return isinstance(r3, Ok) and isinstance(done, Ok)


def print_lineage(client: DatlakeClient) -> None:
    """Print the graph around users_curated and the daily_users run's artifacts."""
    graph = unwrap(get_lineage(client, "users_curated", direction="both"))
    names = {node.id: _label(node) for node in graph.nodes}
    print("\nLineage recorded by the local Datlake (around users_curated):")
    for node in graph.nodes:
        print(f"  node  {names[node.id]}")
    for edge in graph.edges:
        verb = "was read by" if edge.kind == "read" else "wrote"
        print(f"  edge  {names[edge.source]}  --{verb}-->  {names[edge.target]}")
    for node in graph.nodes:
        if node.kind == "run" and node.job_name == "daily_users" and node.run_id:
            run = unwrap(get_run(client, node.job_name, node.run_id))
            for artifact in run.artifacts:
                print(f"  artifact of {names[node.id]}: {artifact.type} {artifact.uri}")


def _label(node: object) -> str:
    kind = getattr(node, "kind", "")
    if kind == "table":
        return f"table {getattr(node, 'name', '')}"
    status = getattr(node, "status", None)
    return f"run {getattr(node, 'job_name', '')}/{getattr(node, 'run_id', '')} ({status})"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="datlake-demo-") as tmp:
        workdir = Path(tmp)
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
        handler.close()
        print("\nThe local Datlake stopped; its data folder was temporary.")
        return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
