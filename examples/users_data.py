"""The tiny data side of the examples: a users table as CSV files in a local folder.

`ensure_users_raw` plays the upstream system: when `users_raw` has no snapshot yet, an
`upstream` job writes one and registers it, so the examples run against a fresh Datlake.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

from datlake_sdk import DatlakeClient
from datlake_sdk.functional import (
    Run,
    complete_run,
    get_run,
    list_snapshots,
    register_snapshot,
    start_run,
    unwrap,
)

Users = list[dict[str, str]]

RAW_USERS: Users = [
    {"id": "1", "email": "Ada@Example.com", "country": "uk"},
    {"id": "2", "email": "grace@example.com ", "country": "us"},
    {"id": "3", "email": "ada@example.com", "country": "uk"},
    {"id": "4", "email": "linus@example.org", "country": "fi"},
]


def data_dir() -> Path:
    """Where the examples keep their CSV files: $DATLAKE_EXAMPLE_DATA or a temp folder."""
    folder = Path(
        os.environ.get("DATLAKE_EXAMPLE_DATA") or Path(tempfile.gettempdir()) / "datlake-examples"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def load_users(uri: str) -> Users:
    """Read a `file://` CSV uri."""
    with Path(unquote(urlparse(uri).path)).open(newline="") as handle:
        return list(csv.DictReader(handle))


def curate(users: Users) -> Users:
    """Normalise emails and countries, keep the first user of each email."""
    seen: dict[str, dict[str, str]] = {}
    for user in users:
        email = user["email"].strip().lower()
        seen.setdefault(email, {**user, "email": email, "country": user["country"].upper()})
    return list(seen.values())


def write_users(users: Users, name: str) -> str:
    """Write `users` as `<data dir>/<name>.csv`; return its `file://` uri."""
    path = data_dir() / f"{name}.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "email", "country"])
        writer.writeheader()
        writer.writerows(users)
    return path.as_uri()


def write_users_curated(users: Users) -> str:
    return write_users(curate(users), "users_curated")


def ensure_users_raw(client: DatlakeClient) -> None:
    """Run the `upstream` job that writes `users_raw`, unless the table already has a snapshot."""
    if unwrap(list_snapshots(client, "users_raw", limit=1)).items:
        return
    run = unwrap(start_run(client, "upstream", metadata={"source": "examples"}))
    uri = write_users(RAW_USERS, "users_raw")
    unwrap(register_snapshot(client, run, "users_raw", uri, format="csv"))
    unwrap(complete_run(client, run, success=True, extra={"rows": len(RAW_USERS)}))
    print(f"upstream: registered users_raw at {uri}")


def print_run(client: DatlakeClient, run: Run) -> None:
    """Print what Datlake recorded about `run`."""
    recorded = unwrap(get_run(client, run.job_name, run.run_id))
    print(f"run {recorded.job_name}/{recorded.run_id}: {recorded.status}")
    for snapshot in recorded.inputs:
        print(f"  read   {snapshot.table_name} {snapshot.snapshot_id} {snapshot.uri}")
    for snapshot in recorded.outputs:
        print(f"  wrote  {snapshot.table_name} {snapshot.snapshot_id} {snapshot.uri}")
    for artifact in recorded.artifacts:
        print(f"  artifact {artifact.type} {artifact.uri}")
    if recorded.extra:
        print(f"  extra  {dict(recorded.extra)}")
