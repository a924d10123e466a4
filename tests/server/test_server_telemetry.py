"""Telemetry: metric points, progress and live log chunks in typed batches, read back per run;
richer artifacts through completion."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from .datlake_e2e import assert_problem, complete, get_run, moment, start, unique


def _post(api: httpx.Client, run: dict[str, Any], body: dict[str, Any], **headers: str) -> Any:
    path = f"/jobs/{run['job_name']}/runs/{run['run_id']}/telemetry"
    return api.post(path, json=body, headers=headers)


def _metrics(api: httpx.Client, run: dict[str, Any], **params: str) -> list[dict[str, Any]]:
    response = api.get(f"/jobs/{run['job_name']}/runs/{run['run_id']}/metrics", params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["series"])


def _log(api: httpx.Client, run: dict[str, Any], from_chunk: int = 0) -> dict[str, Any]:
    response = api.get(
        f"/jobs/{run['job_name']}/runs/{run['run_id']}/log", params={"from_chunk": from_chunk}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_batch_records_points_progress_and_log(api: httpx.Client) -> None:
    run = start(api, unique("trained"))
    assert "progress" not in get_run(api, run)  # none reported yet
    response = _post(
        api,
        run,
        {
            "metrics": [
                {"name": "loss", "value": 0.9, "step": 0, "recorded_at": "2026-11-27T01:00:00Z"},
                {"name": "loss", "value": 0.4, "step": 1},
                {"name": "rows", "value": 1200, "unit": "rows"},
            ],
            "progress": {"done": 1, "total": 4, "message": "epoch 1"},
            "log": [{"source": "a", "seq": 0, "text": "epoch 1\n"}],
        },
    )
    assert response.status_code == 200, response.text
    receipt = response.json()
    assert (receipt["metrics"], receipt["log_chunks"]) == (3, 1)
    assert receipt["progress"]["message"] == "epoch 1"

    loss, rows = _metrics(api, run)
    assert [p["value"] for p in loss["points"]] == [0.9, 0.4]
    assert [p["step"] for p in loss["points"]] == [0, 1]
    assert moment(loss["points"][0]["recorded_at"]) == moment("2026-11-27T01:00:00Z")
    assert (rows["name"], rows["unit"], rows["points"][0]["value"]) == ("rows", "rows", 1200)
    assert _metrics(api, run, name="rows") == [rows]

    _post(api, run, {"progress": {"done": 4, "total": 4}})
    progress = get_run(api, run)["progress"]
    assert (progress["done"], progress["total"], progress["message"]) == (4, 4, None)
    assert _log(api, run) == {"text": "epoch 1\n", "next_chunk": 1}


def test_log_chunks_are_kept_once_per_source_in_arrival_order(api: httpx.Client) -> None:
    run = start(api, unique("logged"))
    _post(api, run, {"log": [{"source": "parent", "seq": 0, "text": "p0 "}]})
    _post(api, run, {"log": [{"source": "child", "seq": 0, "text": "c0 "}]})
    # a resent chunk (same source and number) is not recorded again, whatever its text
    again = _post(api, run, {"log": [{"source": "parent", "seq": 0, "text": "p0 "}]})
    assert again.json()["log_chunks"] == 0
    _post(api, run, {"log": [{"source": "parent", "seq": 1, "text": "p1"}]})

    assert _log(api, run) == {"text": "p0 c0 p1", "next_chunk": 3}
    assert _log(api, run, 2) == {"text": "p1", "next_chunk": 3}  # tailing
    assert _log(api, run, 3) == {"text": "", "next_chunk": 3}


def test_a_replayed_batch_is_recorded_once(api: httpx.Client) -> None:
    run = start(api, unique("replayed"))
    key = uuid.uuid4().hex
    body = {"metrics": [{"name": "rows", "value": 1}]}
    first = _post(api, run, body, **{"Idempotency-Key": key})
    replay = _post(api, run, body, **{"Idempotency-Key": key})
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()
    assert len(_metrics(api, run)[0]["points"]) == 1


def test_a_finished_run_takes_no_telemetry_but_keeps_it_readable(api: httpx.Client) -> None:
    run = start(api, unique("finished"))
    _post(api, run, {"metrics": [{"name": "rows", "value": 1}]})
    complete(api, run)
    assert_problem(
        _post(api, run, {"metrics": [{"name": "rows", "value": 2}]}), 409, "run-finished"
    )
    assert [p["value"] for p in _metrics(api, run)[0]["points"]] == [1]


def test_batches_outside_the_contract_are_refused(api: httpx.Client) -> None:
    run = start(api, unique("refused"))
    too_many = {"metrics": [{"name": "x", "value": 1}] * 1001}
    assert_problem(_post(api, run, too_many), 422)
    assert_problem(_post(api, run, {"metrics": [{"name": "-bad", "value": 1}]}), 422)
    assert_problem(_post(api, run, {"metrics": [{"name": "x", "value": "1"}]}), 422)
    assert_problem(_post(api, run, {"progress": {"done": -1}}), 422)
    assert_problem(_post(api, run, {"log": [{"seq": -1, "text": "x"}]}), 422)
    assert _metrics(api, run) == []
    missing = api.get(f"/jobs/{run['job_name']}/runs/{uuid.uuid4().hex}/metrics")
    assert_problem(missing, 404, "run-not-found")


def test_artifacts_keep_their_name_type_size_checksum_and_metadata(api: httpx.Client) -> None:
    run = start(api, unique("artifacted"))
    artifacts = [
        {"type": "log", "uri": "datlake://artifacts/x/run.log"},  # the seed's two fields
        {
            "type": "model",
            "uri": "s3://models/churn/v3.pkl",
            "name": "churn v3",
            "content_type": "application/octet-stream",
            "size": 1024,
            "sha256": "ab" * 32,
            "metadata": {"auc": 0.91},
        },
        {"type": "my-own-kind", "uri": "https://example.com/r"},
    ]
    response = api.put(
        f"/jobs/{run['job_name']}/runs/{run['run_id']}/complete",
        json={"success": True, "artifacts": artifacts},
    )
    assert response.status_code == 200, response.text
    assert get_run(api, run)["artifacts"] == artifacts
    bad = start(api, unique("badartifact"))
    refused = api.put(
        f"/jobs/{bad['job_name']}/runs/{bad['run_id']}/complete",
        json={"success": True, "artifacts": [{"type": "x", "uri": "u", "sha256": "nothex"}]},
    )
    assert_problem(refused, 422)
