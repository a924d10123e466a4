"""A recorded pipeline for the page tests: ingest -> daily_users with a log, a metric and
text that must be escaped, plus `hub`, read by enough runs for a graph of 501 nodes."""

from __future__ import annotations

from pathlib import Path

from datlake_sdk import DatlakeClient
from datlake_sdk.functional import (
    complete_run,
    fetch_latest_uri,
    make_log_artifact,
    post_event,
    register_snapshot,
    start_run,
    unwrap,
)

HOSTILE = '<img src=x onerror="alert(1)"> & <script>alert(2)</script>'
HUB_READERS = 250  # hub, its writer, 250 runs reading it, the 250 tables they write


def record(
    client: DatlakeClient, workdir: Path, *, hub_readers: int = HUB_READERS
) -> dict[str, str]:
    """Record the pipeline; returns the ids and uris the tests look for."""
    ingest = unwrap(start_run(client, "ingest_users", metadata={"source": "demo"}))
    unwrap(register_snapshot(client, ingest, "users_raw", "file:///data/raw.csv", format="csv"))
    unwrap(complete_run(client, ingest, success=True))

    daily = unwrap(start_run(client, "daily_users", metadata={"note": HOSTILE}))
    unwrap(fetch_latest_uri(client, daily, "users_raw"))
    unwrap(register_snapshot(client, daily, "users_curated", "file:///data/cur.csv", format="csv"))
    unwrap(post_event(client, daily, "metric", data={"rows_written": 3}))
    unwrap(post_event(client, daily, "progress", message=HOSTILE))
    log = workdir / "run.log"
    log.write_text("read 4 users, wrote 3\n")
    artifact = unwrap(make_log_artifact(client, "artifacts", daily, log))
    unwrap(complete_run(client, daily, success=True, artifacts=[artifact]))

    writer = unwrap(start_run(client, "hub_writer"))
    unwrap(register_snapshot(client, writer, "hub", "file:///data/hub", format="csv"))
    unwrap(complete_run(client, writer, success=True))
    for index in range(hub_readers):
        reader = unwrap(start_run(client, f"fan_{index:03d}"))
        unwrap(fetch_latest_uri(client, reader, "hub"))
        unwrap(register_snapshot(client, reader, f"out_{index:03d}", "file:///o", format="csv"))
        unwrap(complete_run(client, reader, success=index % 7 != 2))
    return {"daily": daily.run_id, "ingest": ingest.run_id, "log": artifact.uri}
