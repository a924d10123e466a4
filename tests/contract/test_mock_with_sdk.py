"""The testing kit in front of the SDK itself, as users will write their tests."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from datlake_sdk import DatlakeClient
from datlake_sdk.functional import start_run, unwrap, upload_object
from datlake_sdk.testing import ContractViolation, DatlakeMock, factories

BASE = "http://127.0.0.1:8765"


def test_sdk_start_run_and_upload_conform(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    log.write_bytes(b"line 1\n")
    receipt = factories.receipt(bucket="logs", object="jobs/daily/run.log", content=b"line 1\n")
    with DatlakeMock(BASE, api_key="k") as dl:
        dl.on("start_run").respond(201, json=dl.factories.run(job_name="daily"))
        dl.on("upload_object").respond(201, json=receipt)
        with DatlakeClient(base_url=BASE, api_key="k") as client:
            run = unwrap(start_run(client, "daily", metadata={"source": "s3"}))
            uri = unwrap(upload_object(client, "logs", "jobs/daily/run.log", str(log)))
    assert run.run_id == factories.run()["run_id"]
    assert uri == "datlake://logs/jobs/daily/run.log"
    (upload,) = dl.calls("upload_object")
    assert upload.request.url.raw_path == b"/api/v1/datasets/logs/jobs%2Fdaily%2Frun.log"
    sent = json.loads(dl.calls("start_run")[0].request.read())
    # the SDK chooses the run's id before sending: 32 lowercase hex digits
    assert re.fullmatch(r"[0-9a-f]{32}", sent.pop("run_id"))
    assert sent == {"metadata": {"source": "s3"}}


def test_a_drifted_canned_answer_fails_an_sdk_test() -> None:
    run = factories.run(status="finished")  # not a RunStatus
    with pytest.raises(
        ContractViolation, match=r"start_run response 201: body\.status: 'finished'"
    ):
        exercise_start_run(run)


def exercise_start_run(answer: dict[str, object]) -> None:
    with DatlakeMock(BASE) as dl, DatlakeClient(base_url=BASE, api_key="k") as client:
        dl.on("start_run").respond(201, json=answer)
        start_run(client, "daily")
