"""`plain_run`, the fast reader of `start_run` and `complete_run` answers, reads exactly what the
generated model and the conversion read: on the local Datlake's own answers (checked against the
spec as it sends them), and on every change hypothesis makes to them. Wherever it leaves a body
to the generated model, the translator answers as it did without it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import httpx
import pytest
from datlake_api.api.runs import complete_run, start_run
from datlake_api.models import Run as RunModel
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datlake_sdk import _convert as domain
from datlake_sdk._result import Ok, Result
from datlake_sdk._translate import translate
from datlake_sdk._types import Run

from ..sdk.helpers import RUN_JSON
from ..server.datlake_e2e import checked_server, make_client, unique


def fields(run: Run) -> dict[str, Any]:
    return attrs.asdict(run, recurse=False)  # every field, not only the identity `==` compares


def outcome(result: Result[Run, Any]) -> tuple[str, Any]:
    """What a translation said: the run's fields, or the error's type and message."""
    if isinstance(result, Ok):
        return "ok", fields(result.value)
    return type(result.error).__name__, result.error.message


def both(response: httpx.Response, operation: Any) -> tuple[Any, Any]:
    """The translator's answer with the fast reader of `operation` (the generated module of
    `start_run` or `complete_run`) and without it."""
    parse = operation._parse_response
    reader = domain.plain_run(201 if operation is start_run else 200)
    with_fast = translate(response, parse, RunModel, domain.run, "req", "op", fast=reader)
    without = translate(response, parse, RunModel, domain.run, "req", "op")
    return outcome(with_fast), outcome(without)


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[httpx.Response]]:
    """Real `start_run` and `complete_run` answers of a local Datlake, in their variety."""
    with (
        checked_server(tmp_path_factory.mktemp("datlake")) as url,
        make_client(url) as api,
    ):
        job = unique("plain")
        started = [
            api.post(f"/jobs/{job}/runs", json={}),
            api.post(
                f"/jobs/{job}/runs", json={"metadata": {"source": "s3", "n": [1, {"a": None}]}}
            ),
        ]
        parent = started[0].json()["run_id"]
        started.append(api.post(f"/jobs/{job}/runs", json={"parent_run_id": parent}))
        run_ids = [answer.json()["run_id"] for answer in started]
        api.post(f"/jobs/{job}/runs/{run_ids[1]}/heartbeat", json={})
        completed = [
            api.put(f"/jobs/{job}/runs/{run_ids[0]}/complete", json={"success": True}),
            api.put(
                f"/jobs/{job}/runs/{run_ids[1]}/complete",
                json={"success": False, "extra": {"error": "no input"}},
            ),
            api.put(
                f"/jobs/{job}/runs/{run_ids[2]}/complete",
                json={"success": True, "artifacts": [{"type": "log", "uri": "file:///x.log"}]},
            ),
        ]
        yield [*started, *completed]


def test_it_reads_the_servers_answers_as_the_generated_model_does(
    answers: list[httpx.Response],
) -> None:
    read = 0
    for response in answers:
        operation = start_run if response.status_code == 201 else complete_run
        generated = domain.run(operation._parse_response(client=None, response=response))  # type: ignore[arg-type]
        fast = domain.plain_run(response.status_code)(response)
        if fast is not None:
            read += 1
            assert fields(fast) == fields(generated)
        with_fast, without = both(response, operation)
        assert with_fast == without
        assert with_fast[0] == "ok"
    assert read == len(answers) - 1  # all but the answer with an artifact
    assert any(r.json().get("last_heartbeat_at") for r in answers)


def test_only_the_documented_status_is_read() -> None:
    body = RUN_JSON
    assert domain.plain_run(201)(httpx.Response(201, json=body)) is not None
    assert domain.plain_run(201)(httpx.Response(200, json=body)) is None
    # start_run answers 201: a 200 is outside the contract, with the fast reader or without
    fast, slow = both(httpx.Response(200, json=body), start_run)
    assert fast == slow
    assert fast[0] == "ServerError"


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | st.sampled_from(
        [
            "running",
            "lost",
            "succeeded",
            "2026-11-27T01:00:00Z",
            "2026-11-27T01:00:00.123456+02:00",
            "2026-11-27",
            "yesterday",
        ]
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
KEYS = [
    "job_name",
    "run_id",
    "status",
    "created_at",
    "finished_at",
    "metadata",
    "extra",
    "artifacts",
    "inputs",
    "outputs",
    "last_heartbeat_at",
    "lease_expires_at",
    "parent_run_id",
    "progress",
    "unknown",
]
CHANGE = st.tuples(st.sampled_from(KEYS), st.one_of(st.just(...), JSON))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changes=st.lists(CHANGE, min_size=1, max_size=4))
def test_changed_answers_read_the_same_with_it_or_without(
    answers: list[httpx.Response], changes: list[tuple[str, Any]]
) -> None:
    body: Any = dict(answers[0].json())
    for key, value in changes:
        if value is ...:
            body.pop(key, None)
        else:
            body[key] = value
    fast, slow = both(httpx.Response(201, json=body), start_run)
    assert fast == slow


def test_not_an_object_nor_json_reads_the_same() -> None:
    for response in (
        httpx.Response(201, json=[1, 2]),
        httpx.Response(201, content=b"<html>502</html>"),
        httpx.Response(201, json={"status": "running"}),
    ):
        fast, slow = both(response, start_run)
        assert fast == slow
        assert fast[0] == "ServerError"
