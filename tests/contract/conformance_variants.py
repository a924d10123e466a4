"""Broken variants of the local Datlake, each with one realistic backend bug, and the scenario
of `datlake conformance` meant to catch it (with a phrase its failure must say).

A bug is planted either by a hook of `BrokenDatlake` (a request changed on its way in, an
answer on its way out) or by patching one function of the server.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from .broken_datlake import BrokenDatlake, Exchange

API_KEY = "k"
Plant = Callable[[BrokenDatlake, pytest.MonkeyPatch], None]


@dataclass(frozen=True)
class Variant:
    name: str
    scenario: str
    plant: Plant
    says: str


def on_request(operation: str, change: Callable[[Exchange], None]) -> Plant:
    def plant(app: BrokenDatlake, monkeypatch: pytest.MonkeyPatch) -> None:
        app.on_request = lambda x: change(x) if x.operation == operation else None

    return plant


def on_response(operation: str, change: Callable[[Exchange], None]) -> Plant:
    def plant(app: BrokenDatlake, monkeypatch: pytest.MonkeyPatch) -> None:
        app.on_response = lambda x: change(x) if operation in ("*", x.operation) else None

    return plant


def patched(module: str, name: str, make: Callable[[Any], Any]) -> Plant:
    """Replace `module.name` (`name` may be dotted: `Store.heartbeat`) by `make(original)`."""

    def plant(app: BrokenDatlake, monkeypatch: pytest.MonkeyPatch) -> None:
        *owners, attribute = name.split(".")
        target = importlib.import_module(module)
        for owner in owners:
            target = getattr(target, owner)
        monkeypatch.setattr(target, attribute, make(getattr(target, attribute)))

    return plant


# what the bugs do to an exchange


def without_body_field(name: str) -> Callable[[Exchange], None]:
    def change(x: Exchange) -> None:
        x.json = {k: v for k, v in x.json.items() if k != name}

    return change


def without_query(name: str) -> Callable[[Exchange], None]:
    return lambda x: x.query.pop(name, None) and None


def without_header(name: str) -> Callable[[Exchange], None]:
    return lambda x: x.headers.pop(name, None) and None


def without_answer_header(name: str) -> Callable[[Exchange], None]:
    return lambda x: x.answer_headers.pop(name, None) and None


def authorized(x: Exchange) -> None:
    x.headers["authorization"] = f"Bearer {API_KEY}"


def problem(x: Exchange, status: int, kind: str) -> None:
    x.status = status
    x.answer_headers["content-type"] = "application/problem+json"
    x.answer_json = {
        "type": f"/problems/{kind}",
        "title": kind,
        "status": status,
        "request_id": x.answer_headers["x-request-id"],
    }


def answer_field(name: str, value: Any) -> Callable[[Exchange], None]:
    def change(x: Exchange) -> None:
        if x.status < 300:
            x.answer_json = {**x.answer_json, name: value}

    return change


def reversed_items(x: Exchange) -> None:
    if x.status == 200:
        page = x.answer_json
        x.answer_json = {**page, "items": page["items"][::-1]}


def case_insensitive_order(name: str) -> Callable[[Exchange], None]:
    def change(x: Exchange) -> None:
        if x.status == 200:
            page = x.answer_json
            items = sorted(page["items"], key=lambda item: item[name].lower())
            x.answer_json = {**page, "items": items}

    return change


def one_run_each(x: Exchange) -> None:
    if x.status == 200:
        page = x.answer_json
        x.answer_json = {**page, "items": [{**job, "run_count": 1} for job in page["items"]]}


def complete_as_fail(x: Exchange) -> None:
    if x.json.get("eventType") == "COMPLETE":
        x.json = {**x.json, "eventType": "FAIL"}


def health_needs_a_key(x: Exchange) -> None:
    if "authorization" not in x.headers:
        problem(x, 401, "unauthorized")


def own_id_on_errors(x: Exchange) -> None:
    if x.status >= 400:
        x.answer_headers["x-request-id"] = "server-made"
        x.answer_json = {**x.answer_json, "request_id": "server-made"}


def no_id_made(x: Exchange) -> None:
    if "x-request-id" not in x.headers:
        x.answer_headers.pop("x-request-id")


def clamped_limit(x: Exchange) -> None:
    limit = x.query.get("limit", "50")
    if not limit.lstrip("-").isdigit() or not 1 <= int(limit) <= 500:
        x.query["limit"] = "50"


def bad_names_not_found(x: Exchange) -> None:
    if x.status == 400:
        problem(x, 404, "run-not-found")


def missing_object_crashes(x: Exchange) -> None:
    if x.status == 404:
        problem(x, 500, "internal")


def unknown_job_not_found(x: Exchange) -> None:
    if x.status == 200 and not x.answer_json["items"]:
        problem(x, 404, "run-not-found")


def problem_as_plain_json(x: Exchange) -> None:
    if x.status == 404:
        x.answer_headers["content-type"] = "application/json"


def problem_status_off(x: Exchange) -> None:
    if x.status == 404:
        x.answer_json = {**x.answer_json, "status": 400}


def invalid_body_as_400(x: Exchange) -> None:
    if x.status == 422:
        problem(x, 400, "invalid-request")


def epoch_times(x: Exchange) -> None:
    if x.status == 200:
        x.answer_json = {**x.answer_json, "created_at": 1764205200}


def basename_receipt(x: Exchange) -> None:
    receipt = x.answer_json
    name = receipt["object"].rsplit("/", 1)[-1]
    x.answer_json = {**receipt, "object": name, "uri": f"datlake://{receipt['bucket']}/{name}"}


def unsigned_receipt_digest(x: Exchange) -> None:
    # a server that trusts the client: without X-Checksum-Sha256 it answers no real digest
    if "x-checksum-sha256" not in x.headers and x.status == 201:
        x.answer_json = {**x.answer_json, "sha256": "0" * 64}


def repeated_edges(x: Exchange) -> None:
    if x.status == 200:
        graph = x.answer_json
        x.answer_json = {**graph, "edges": graph["edges"] + graph["edges"][:1]}


def long_heartbeats(x: Exchange) -> None:
    x.json = {**x.json, "lease_seconds": 3600}


def lineage_depth_ignored(original: Any) -> Any:
    def lineage(db: Any, table: str, direction: str, depth: int, **kw: Any) -> Any:
        return {**original(db, table, direction, 10, **kw), "depth": depth}

    return lineage


def lineage_always_both(original: Any) -> Any:
    def lineage(db: Any, table: str, direction: str, depth: int, **kw: Any) -> Any:
        return {**original(db, table, "both", depth, **kw), "direction": direction}

    return lineage


def never_lost(original: Any) -> Any:
    return lambda row, now: str(row["status"])


def lost_is_final(original: Any) -> Any:
    from datlake_server.problems import RUN_FINISHED, Problem

    def heartbeat(self: Any, job_name: str, run_id: str, *args: Any, **kwargs: Any) -> Any:
        if self.get_run(job_name, run_id)["status"] == "lost":
            raise Problem(RUN_FINISHED, f"run {run_id} is lost")
        return original(self, job_name, run_id, *args, **kwargs)

    return heartbeat


def conflicts_replayed(original: Any) -> Any:
    from datlake_server.problems import ID_CONFLICT, Problem

    def start_run(self: Any, job_name: str, *args: Any, run_id: Any = None, **kwargs: Any) -> Any:
        try:
            return original(self, job_name, *args, run_id=run_id, **kwargs)
        except Problem as problem:
            if problem.kind != ID_CONFLICT:
                raise
            return self.get_run(job_name, run_id), True

    return start_run


def any_job(original: Any) -> Any:
    return lambda conn, run_id, job_name=None: original(conn, run_id)


def inputs_twice(original: Any) -> Any:
    def run_docs(*args: Any) -> Any:
        docs = original(*args)
        return [{**doc, "inputs": doc["inputs"] * 2} for doc in docs]

    return run_docs


def bad_request_ids_replaced(app: BrokenDatlake, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server swaps an X-Request-Id the spec refuses for one of its own (and goes on)."""

    def change(x: Exchange) -> None:
        if " " in x.headers.get("x-request-id", ""):
            x.headers["x-request-id"] = "swapped-by-the-server"

    app.on_request = change


def metric_points_reversed(x: Exchange) -> None:
    if x.status == 200:
        listed = x.answer_json
        series = [{**s, "points": s["points"][::-1]} for s in listed["series"]]
        x.answer_json = {**listed, "series": series}


def log_chunks_doubled(x: Exchange) -> None:
    if x.status == 200:
        log = x.answer_json
        x.answer_json = {**log, "text": log["text"] + log["text"]}


STORE, OPERATIONS = "datlake_server.store", "datlake_server.operations"
V = Variant
VARIANTS = [
    V("health needs the API key", "health_without_auth",
      on_response("get_health", health_needs_a_key), "get_health response 401"),
    V("list_snapshots open to anyone", "auth_on_every_secured_operation",
      on_request("list_snapshots", authorized), "list_snapshots without an API key answered 200"),
    V("download_object open to anyone", "auth_on_every_secured_operation",
      on_request("download_object", authorized), "download_object without an API key answered"),
    V("errors carry the server's own request id", "request_ids_echoed",
      on_response("*", own_id_on_errors), "echoed X-Request-Id 'server-made'"),
    V("no request id made when the client sends none", "request_ids_echoed",
      on_response("get_run", no_id_made), "get_run 404 has no X-Request-Id"),
    V("a bad limit is clamped instead of refused", "malformed_requests_are_400",
      on_request("list_runs", clamped_limit), "list_runs with a bad query parameter limit"),
    V("a bad run id is 404", "malformed_requests_are_400",
      on_response("get_run", bad_names_not_found), "get_run with a bad path parameter"),
    V("a missing object is a 500", "unknown_resources_are_404",
      on_response("download_object", missing_object_crashes), "answered 500, expected 404"),
    V("an unknown job's runs are 404", "unknown_resources_are_404",
      on_response("list_runs", unknown_job_not_found), "list_runs of an unknown job answered 404"),
    V("a run is found under any job", "unknown_resources_are_404",
      patched(STORE, "run_row", any_job), "get_run under another job answered 200"),
    V("problems served as plain JSON", "unknown_resources_are_404",
      on_response("get_run", problem_as_plain_json), "content type application/json"),
    V("a problem's status differs from the HTTP status", "unknown_resources_are_404",
      on_response("get_run", problem_status_off), "the problem's status is 400"),
    V("invalid bodies are 400", "invalid_bodies_are_422",
      on_response("post_event", invalid_body_as_400), "answered 400, expected 422"),
    V("start_run ignores Idempotency-Key", "start_run_idempotent_replay",
      on_request("start_run", without_header("idempotency-key")),
      "start_run replayed with the same Idempotency-Key answered"),
    V("register_snapshot ignores Idempotency-Key", "register_snapshot_idempotent_replay",
      on_request("register_snapshot", without_header("idempotency-key")),
      "register_snapshot replayed with the same Idempotency-Key answered"),
    V("post_event ignores Idempotency-Key", "post_event_idempotent_replay",
      on_request("post_event", without_header("idempotency-key")),
      "post_event replayed with the same Idempotency-Key answered"),
    V("a replayed heartbeat is not marked", "heartbeat_idempotent_replay",
      on_response("heartbeat", without_answer_header("idempotent-replayed")),
      "did not answer Idempotent-Replayed"),
    V("start_run ignores the client's run_id", "start_run_client_id_replay",
      on_request("start_run", without_body_field("run_id")), "start_run with run_id"),
    V("a reused run_id with other metadata is a replay", "start_run_client_id_replay",
      patched(STORE, "Store.start_run", conflicts_replayed),
      "start_run reusing a run_id with other metadata answered 201"),
    V("register_snapshot ignores the client's snapshot_id", "register_snapshot_client_id_replay",
      on_request("register_snapshot", without_body_field("snapshot_id")),
      "register_snapshot with snapshot_id"),
    V("fetch_latest_uri ignores snapshot_id", "fetch_named_snapshot_records_its_edge",
      on_request("fetch_latest_uri", without_query("snapshot_id")),
      "fetch_latest_uri with snapshot_id"),
    V("list_jobs ignores prefix", "catalog_by_name_prefix_cursor",
      on_request("list_jobs", without_query("prefix")), "(by name) is ["),
    V("list_tables sorts names ignoring case", "catalog_by_name_prefix_cursor",
      on_response("list_tables", case_insensitive_order("table_name")), "(by name) is ["),
    V("list_jobs counts one run per job", "catalog_by_name_prefix_cursor",
      on_response("list_jobs", one_run_each), "counts and newest is {"),
    V("OpenLineage inputs ignored", "openlineage_events_recorded",
      on_request("ingest_openlineage", without_body_field("inputs")), "its inputs is []"),
    V("OpenLineage COMPLETE recorded as failed", "openlineage_events_recorded",
      on_request("ingest_openlineage", complete_as_fail),
      "the run's status after COMPLETE is 'failed'"),
    V("created_at as epoch seconds", "run_fields_round_trip",
      on_response("get_run", epoch_times), "created_at: 1764205200 is not of type 'string'"),
    V("metadata not kept", "run_fields_round_trip",
      on_request("start_run", without_body_field("metadata")), "metadata is {}"),
    V("parent_run_id not kept", "run_fields_round_trip",
      on_request("start_run", without_body_field("parent_run_id")), "parent_run_id is None"),
    V("extra not kept", "run_fields_round_trip",
      on_request("complete_run", without_body_field("extra")), "extra is {}"),
    V("artifacts not kept", "run_fields_round_trip",
      on_request("complete_run", without_body_field("artifacts")), "artifacts is []"),
    V("list_runs oldest first", "run_lists_order_filter_cursor",
      on_response("list_runs", reversed_items), "list_runs (newest first) is"),
    V("list_runs ignores status", "run_lists_order_filter_cursor",
      on_request("list_runs", without_query("status")), "list_runs?status=succeeded is"),
    V("list_runs ignores cursor", "run_lists_order_filter_cursor",
      on_request("list_runs", without_query("cursor")), "still had a next_cursor"),
    V("finished runs are not final", "complete_run_outcome_conflict",
      patched(STORE, "FINISHED", lambda _: ()), "complete_run with another outcome answered 200"),
    V("finished runs still write", "finished_runs_refuse_writes",
      patched(STORE, "_require_open", lambda _: lambda row: None),
      "register_snapshot for a finished run answered 201"),
    V("schema not kept", "snapshot_fields_round_trip",
      on_request("register_snapshot", without_body_field("schema")), "schema is None"),
    V("list_snapshots oldest first", "snapshot_list_order_cursor",
      on_response("list_snapshots", reversed_items), "list_snapshots (newest first) is"),
    V("get_run shows no inputs", "run_edges_in_get_run",
      on_response("get_run", answer_field("inputs", [])), "get_run inputs is []"),
    V("each read is another input", "input_edge_set_semantics",
      patched(STORE, "run_docs", inputs_twice), "left 2 inputs, expected 1"),
    V("lineage ignores depth", "lineage_in_each_direction_and_depth",
      patched(OPERATIONS, "lineage", lineage_depth_ignored), "extra edges: wrote run:"),
    V("lineage ignores direction", "lineage_in_each_direction_and_depth",
      patched(OPERATIONS, "lineage", lineage_always_both), "extra edges: read table:"),
    V("lineage repeats an edge", "lineage_in_each_direction_and_depth",
      on_response("get_lineage", repeated_edges), "repeated: wrote run:"),
    V("heartbeats ignore lease_seconds", "leases_and_lost",
      on_request("heartbeat", long_heartbeats), "lease_seconds=1 granted 3600 s"),
    V("runs are never lost", "leases_and_lost",
      patched(STORE, "run_status", never_lost), "still 'running'"),
    V("a lost run cannot heartbeat", "leases_and_lost",
      patched(STORE, "Store.heartbeat", lost_is_final),
      "heartbeat answered 409"),
    V("list_events newest first", "event_fields_and_order",
      on_response("list_events", reversed_items), "list_events (oldest first) is"),
    V("download without its checksum header", "objects_round_trip_with_checksums",
      on_response("download_object", without_answer_header("x-checksum-sha256")),
      "X-Checksum-Sha256 is None"),
    V("downloads without X-Request-Id", "objects_round_trip_with_checksums",
      on_response("download_object", without_answer_header("x-request-id")),
      "download_object 200 echoed X-Request-Id None"),
    V("object names lose their folders", "objects_round_trip_with_checksums",
      on_response("upload_object", basename_receipt), "the upload receipt's object is"),
    V("unsigned uploads get no real digest", "objects_round_trip_with_checksums",
      on_response("upload_object", unsigned_receipt_digest),
      "the receipt's sha256 of an upload without X-Checksum-Sha256"),
    V("checksums not verified", "checksum_mismatch_rejected",
      on_request("upload_object", without_header("x-checksum-sha256")),
      "wrong checksum answered 201, expected 422"),
    V("a bad X-Request-Id swapped instead of refused", "malformed_requests_are_400",
      bad_request_ids_replaced, "with a bad X-Request-Id answered 200, expected 400"),
    V("a cursor never issued starts the list over", "cursors_never_issued_are_404",
      on_request("list_tables", without_query("cursor")),
      "list_tables with a cursor never issued answered 200, expected 404"),
    V("metric points newest first", "telemetry_round_trip",
      on_response("list_metrics", metric_points_reversed), "list_metrics' loss points, in order"),
    V("a resent log chunk doubles the log", "telemetry_round_trip",
      on_response("get_run_log", log_chunks_doubled), "get_run_log's text"),
]  # fmt: skip
