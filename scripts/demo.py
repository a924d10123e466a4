"""`make demo`: the daily_users pipeline against a fresh local Datlake, then its lineage.

1. starts `datlake server` on a free loopback port with a fresh data folder and API key;
2. an upstream job, `ingest_users`, writes a small `users_raw` CSV and registers it;
3. `daily_users` reads it, writes `users_curated`, and ships its log as an artifact;
4. prints the lineage the server recorded as a tree, stops the server, prints the commands
   and the page to explore what it recorded, and exits 0.

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
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import urlparse

from datlake_sdk import DatlakeClient
from datlake_sdk.cli._lineage_formats import lineage_tree
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


def print_lineage(client: DatlakeClient) -> tuple[str, str]:
    """Print the upstream lineage of users_curated as a tree, with each run's artifacts;
    returns the daily_users run's id and the uri of its log."""
    graph = unwrap(get_lineage(client, "users_curated", direction="upstream"))
    artifacts: dict[str, list[str]] = {}
    daily = ("", "")
    for node in graph.nodes:
        if node.kind == "run" and node.job_name and node.run_id:
            run = unwrap(get_run(client, node.job_name, node.run_id))
            artifacts[node.id] = [f"{a.type} {a.uri}" for a in run.artifacts]
            if run.job_name == "daily_users" and run.artifacts:
                daily = (run.run_id, run.artifacts[0].uri)
    print("\nLineage recorded by the local Datlake (upstream of users_curated):")
    for line in lineage_tree(graph, notes=artifacts):
        print(f"  {line}")
    return daily


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
            daily_run, log_uri = print_lineage(client)
        logging.getLogger().removeHandler(handler)
        handler.close()
        if args.keep is None:
            print("\nThe local Datlake stopped; its data folder was temporary.")
            print("`make demo DEMO_KEEP=1` keeps it; start `datlake server` on it as it then says.")
        else:
            _print_kept(workdir)
        _print_explore(daily_run, log_uri)
        return 0 if ok else 1


def _keep_from_environment() -> Path | None:
    value = os.environ.get("DEMO_KEEP", "").strip()
    if value in ("", "0"):
        return None
    if value == "1":
        return Path(tempfile.mkdtemp(prefix="datlake-demo-"))
    return Path(value)


def _datlake_command() -> str:
    datlake = Path(sys.executable).parent / "datlake"
    command = str(datlake) if datlake.exists() else "datlake"
    with contextlib.suppress(ValueError):
        command = str(datlake.relative_to(Path.cwd()))
    return command


def _print_kept(workdir: Path) -> None:
    print(f"\nThe local Datlake stopped; its data is kept in {workdir}")
    print(f"  (the server's in {workdir / 'datlake'}, the CSV files and run.log beside it).")
    print("Start a Datlake on it (no key needed on loopback):")
    print(f"  {_datlake_command()} server --port 8765 --data {workdir / 'datlake'}")


def _print_explore(daily_run: str, log_uri: str) -> None:
    """The page and the commands that show every run, input, output and artifact."""
    datlake = _datlake_command()
    print("With `datlake server` running on it, open http://127.0.0.1:8765/ for its page")
    print("(jobs, runs, tables, lineage graphs),")
    print("or, in another shell:")
    print("  export DATLAKE_URL=http://127.0.0.1:8765")
    for command in (
        "jobs",
        "runs daily_users",
        f"runs daily_users {daily_run[-8:]}      # inputs, outputs, artifacts, events",
        "tables",
        "snapshots users_raw",
        "lineage users_curated --format mermaid",
        f"download {log_uri} .",
    ):
        print(f"  {datlake} {command}")


if __name__ == "__main__":
    raise SystemExit(main())
