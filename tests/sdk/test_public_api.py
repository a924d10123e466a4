"""The public names are a promise (DESIGN section 4): these lists change only on purpose."""

from __future__ import annotations

import datlake_sdk
import datlake_sdk.functional

SEED_FUNCTIONAL_NAMES = {
    "Ok",
    "Err",
    "Result",
    "map",
    "map_err",
    "and_then",
    "tee",
    "recover",
    "start_run",
    "complete_run",
    "fetch_latest_uri",
    "register_snapshot",
    "upload_object",
    "make_log_artifact",
    "Run",
    "UriInfo",
    "SnapshotInfo",
    "Artifact",
    "SDKError",
    "AuthError",
    "NotFound",
    "Conflict",
    "Transient",
    "ServerError",
    "ValidationError",
}

FUNCTIONAL_ALL = [
    "ARTIFACT_TYPES",
    "Artifact",
    "AuthError",
    "Conflict",
    "Err",
    "Event",
    "Health",
    "JobInfo",
    "Lease",
    "LineageEdge",
    "LineageGraph",
    "LineageNode",
    "MetricPoint",
    "MetricSeries",
    "NotFound",
    "ObjectInfo",
    "Ok",
    "Page",
    "Progress",
    "Result",
    "Run",
    "RunLog",
    "SDKError",
    "ServerError",
    "SnapshotInfo",
    "TableInfo",
    "Telemetry",
    "TelemetryReceipt",
    "Transient",
    "UnwrapError",
    "UriInfo",
    "ValidationError",
    "and_then",
    "complete_run",
    "current_run",
    "download_artifact",
    "download_object",
    "fetch_latest_uri",
    "get_lineage",
    "get_run",
    "get_run_log",
    "health",
    "heartbeat",
    "is_err",
    "is_ok",
    "iter_events",
    "iter_jobs",
    "iter_runs",
    "iter_snapshots",
    "iter_tables",
    "keep_alive",
    "list_artifacts",
    "list_events",
    "list_jobs",
    "list_metrics",
    "list_runs",
    "list_snapshots",
    "list_tables",
    "make_log_artifact",
    "map",
    "map_err",
    "post_event",
    "post_metric",
    "post_progress",
    "post_telemetry",
    "recover",
    "register_snapshot",
    "start_run",
    "tee",
    "telemetry",
    "unwrap",
    "unwrap_err",
    "unwrap_or",
    "upload_file",
    "upload_object",
]

TOP_LEVEL_ALL = [
    "Artifact",
    "AuthError",
    "ConfigError",
    "Conflict",
    "DatlakeClient",
    "Err",
    "ErrorStrategy",
    "Event",
    "FlushReport",
    "Health",
    "JobContext",
    "JobInfo",
    "JobTerminated",
    "JoinedRun",
    "Lease",
    "LineageEdge",
    "LineageGraph",
    "LineageNode",
    "MetricPoint",
    "MetricSeries",
    "NotFound",
    "ObjectInfo",
    "Ok",
    "OnError",
    "Page",
    "Policy",
    "Progress",
    "Result",
    "RetryPolicy",
    "Run",
    "RunLog",
    "SDKError",
    "ServerError",
    "SharedRun",
    "SnapshotInfo",
    "TableInfo",
    "TelemetryReceipt",
    "Transient",
    "UriInfo",
    "ValidationError",
]


def test_functional_exports_exactly_its_list_sorted() -> None:
    assert datlake_sdk.functional.__all__ == FUNCTIONAL_ALL
    assert sorted(FUNCTIONAL_ALL) == FUNCTIONAL_ALL


def test_functional_keeps_every_name_the_seed_and_design_promise() -> None:
    assert set(datlake_sdk.functional.__all__) >= SEED_FUNCTIONAL_NAMES


def test_top_level_exports_exactly_its_list_sorted() -> None:
    assert datlake_sdk.__all__ == TOP_LEVEL_ALL
    assert sorted(TOP_LEVEL_ALL) == TOP_LEVEL_ALL


def test_every_listed_name_exists() -> None:
    for module in (datlake_sdk, datlake_sdk.functional):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"


def test_the_two_modules_share_their_error_classes() -> None:
    for name in ("SDKError", "AuthError", "NotFound", "Conflict", "Transient", "ServerError"):
        assert getattr(datlake_sdk, name) is getattr(datlake_sdk.functional, name)


def test_public_objects_are_not_generated_models() -> None:
    for name in datlake_sdk.functional.__all__:
        module = getattr(getattr(datlake_sdk.functional, name), "__module__", "")
        assert not module.startswith("datlake_api"), name
