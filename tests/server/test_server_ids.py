"""Client-chosen ids: a start, a registration or a read sent again is recognised by its id.

The same id with the same content is a replay (201 and `Idempotent-Replayed: true`, the
resource as it is now, even once the run has finished); with other content, 409 `id-conflict`.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from .datlake_e2e import (
    all_pages,
    assert_problem,
    complete,
    get_run,
    make_client,
    register,
    start,
    unique,
)


def new_id() -> str:
    return uuid.uuid4().hex


def _start(api: httpx.Client, job: str, **body: Any) -> httpx.Response:
    return api.post(f"/jobs/{job}/runs", json=body)


def _register(api: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    return api.post("/jobs/register-snapshot", json=body)


def _latest(api: httpx.Client, table: str, **params: str) -> httpx.Response:
    return api.get(f"/tables/{table}/snapshots/latest", params=params)


def _snapshot_body(run: dict[str, Any], table: str, **fields: Any) -> dict[str, Any]:
    return {
        "job_name": run["job_name"],
        "run_id": run["run_id"],
        "table_name": table,
        "uri": f"file:///data/{table}/part-0.parquet",
        "format": "parquet",
        "schema": {"id": "int64", "email": "string"},
        **fields,
    }


# --- runs ------------------------------------------------------------------------------------


def test_a_start_with_a_chosen_id_creates_that_run(api: httpx.Client) -> None:
    job, run_id = unique("chosen"), new_id()
    response = _start(api, job, run_id=run_id, metadata={"source": "s3"})
    assert response.status_code == 201
    assert "idempotent-replayed" not in response.headers
    run = response.json()
    assert (run["run_id"], run["status"], run["metadata"]) == (run_id, "running", {"source": "s3"})
    assert get_run(api, run) == run


def test_a_start_replayed_with_its_id_answers_the_same_run(api: httpx.Client) -> None:
    job, run_id, parent = unique("replayed"), new_id(), new_id()
    metadata = {"source": "s3", "n": [1, 2], "nested": {"a": 1, "b": 2}}
    first = _start(api, job, run_id=run_id, metadata=metadata, parent_run_id=parent)
    assert first.status_code == 201
    # the same content in another key order is the same content
    reordered = {"nested": {"b": 2, "a": 1}, "n": [1, 2], "source": "s3"}
    replay = _start(api, job, parent_run_id=parent, metadata=reordered, run_id=run_id)
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()
    assert [r["run_id"] for r in all_pages(api, f"/jobs/{job}/runs")] == [run_id]


def test_a_start_replayed_after_completion_answers_the_completed_run(api: httpx.Client) -> None:
    job, run_id = unique("late_start"), new_id()
    run = start(api, job, run_id=run_id)
    done = complete(api, run, success=False)
    replay = _start(api, job, run_id=run_id)
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == done
    assert replay.json()["status"] == "failed"
    # absent metadata and an empty object are the same content
    assert _start(api, job, run_id=run_id, metadata={}).status_code == 201
    assert len(all_pages(api, f"/jobs/{job}/runs")) == 1


def test_a_run_id_with_other_content_is_an_id_conflict(api: httpx.Client) -> None:
    job, run_id, parent = unique("conflict"), new_id(), new_id()
    run = start(api, job, run_id=run_id, metadata={"n": 1}, parent_run_id=parent)
    others: list[tuple[str, str, dict[str, Any]]] = [
        ("other metadata", job, {"metadata": {"n": 2}, "parent_run_id": parent}),
        ("no metadata", job, {"parent_run_id": parent}),
        ("other parent", job, {"metadata": {"n": 1}, "parent_run_id": new_id()}),
        ("no parent", job, {"metadata": {"n": 1}}),
        ("other job", unique("thief"), {"metadata": {"n": 1}, "parent_run_id": parent}),
    ]
    for why, other_job, body in others:
        response = _start(api, other_job, run_id=run_id, **body)
        problem = assert_problem(response, 409, "id-conflict")
        assert run_id in problem["detail"], why
        assert "idempotent-replayed" not in response.headers, why
    assert get_run(api, run) == run
    assert len(all_pages(api, f"/jobs/{job}/runs")) == 1


def test_the_idempotency_key_is_checked_before_the_id(api: httpx.Client) -> None:
    job, run_id, key = unique("key_first"), new_id(), new_id()
    headers = {"Idempotency-Key": key}
    first = api.post(f"/jobs/{job}/runs", json={"run_id": run_id}, headers=headers)
    assert first.status_code == 201
    complete(api, first.json())
    # the same key and body: the first answer, as recorded under the key
    again = api.post(f"/jobs/{job}/runs", json={"run_id": run_id}, headers=headers)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    # the same key with another body is the key's problem, not the id's
    other = api.post(
        f"/jobs/{job}/runs", json={"run_id": run_id, "metadata": {"x": 1}}, headers=headers
    )
    assert_problem(other, 409, "idempotency-key-reused")
    # a new key with the same id and content: the run as it is now
    fresh = api.post(
        f"/jobs/{job}/runs", json={"run_id": run_id}, headers={"Idempotency-Key": new_id()}
    )
    assert fresh.status_code == 201
    assert fresh.headers["idempotent-replayed"] == "true"
    assert fresh.json()["status"] == "succeeded"


def test_a_server_made_id_is_32_lowercase_hex_digits(api: httpx.Client) -> None:
    run = start(api, unique("made"))
    snapshot = register(api, run, unique("t"))
    for made in (run["run_id"], snapshot["snapshot_id"]):
        assert len(made) == 32
        assert made == made.lower()
        int(made, 16)


def _race(server_url: str, attempts: list[Callable[[httpx.Client], httpx.Response]]) -> list[Any]:
    """Send the attempts at once, each from its own client; their answers, in order."""
    barrier = threading.Barrier(len(attempts))
    answers: list[Any] = [None] * len(attempts)

    def attempt(i: int) -> None:
        with make_client(server_url) as client:
            barrier.wait()
            answers[i] = attempts[i](client)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_concurrent_starts_with_one_new_id_create_one_run(server_url: str) -> None:
    job, run_id = unique("race_id"), new_id()
    answers = _race(server_url, [lambda c: _start(c, job, run_id=run_id, metadata={"a": 1})] * 8)
    assert [a.status_code for a in answers] == [201] * 8
    assert {a.json()["run_id"] for a in answers} == {run_id}
    assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 7
    with make_client(server_url) as client:
        assert len(all_pages(client, f"/jobs/{job}/runs")) == 1


def test_concurrent_starts_with_one_id_and_two_contents(server_url: str) -> None:
    job, run_id = unique("race_mixed"), new_id()

    def starting(n: int) -> Callable[[httpx.Client], httpx.Response]:
        return lambda c: _start(c, job, run_id=run_id, metadata={"n": n % 2})

    answers = _race(server_url, [starting(n) for n in range(8)])
    created = [
        a for a in answers if a.status_code == 201 and "idempotent-replayed" not in a.headers
    ]
    assert len(created) == 1
    winner = created[0].json()["metadata"]["n"]
    for n, answer in enumerate(answers):
        if n % 2 == winner:
            assert answer.status_code == 201
        else:
            assert_problem(answer, 409, "id-conflict")
    with make_client(server_url) as client:
        assert len(all_pages(client, f"/jobs/{job}/runs")) == 1


# --- snapshots -------------------------------------------------------------------------------


def test_a_registration_with_a_chosen_id_replays(api: httpx.Client) -> None:
    run, table, snapshot_id = start(api, unique("writer")), unique("t"), new_id()
    body = _snapshot_body(run, table, snapshot_id=snapshot_id)
    first = _register(api, body)
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    assert first.json()["snapshot_id"] == snapshot_id
    reordered = {**body, "schema": {"email": "string", "id": "int64"}}
    replay = _register(api, reordered)
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()
    assert [s["snapshot_id"] for s in all_pages(api, f"/tables/{table}/snapshots")] == [snapshot_id]
    assert [s["snapshot_id"] for s in get_run(api, run)["outputs"]] == [snapshot_id]


def test_a_registration_replayed_after_the_run_finished(api: httpx.Client) -> None:
    run, table, snapshot_id = start(api, unique("writer")), unique("t"), new_id()
    body = _snapshot_body(run, table, snapshot_id=snapshot_id)
    first = _register(api, body)
    assert first.status_code == 201
    complete(api, run)
    replay = _register(api, body)
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()
    # a snapshot the run did not register before it finished is still refused
    late = _register(api, {**body, "snapshot_id": new_id()})
    assert_problem(late, 409, "run-finished")
    assert len(all_pages(api, f"/tables/{table}/snapshots")) == 1


def test_a_snapshot_id_with_other_content_is_an_id_conflict(api: httpx.Client) -> None:
    run, table, snapshot_id = start(api, unique("writer")), unique("t"), new_id()
    body = _snapshot_body(run, table, snapshot_id=snapshot_id)
    assert _register(api, body).status_code == 201
    other_run = start(api, unique("other_writer"))
    others: dict[str, dict[str, Any]] = {
        "table": {"table_name": unique("t")},
        "uri": {"uri": "file:///elsewhere"},
        "format": {"format": "csv"},
        "schema": {"schema": {"id": "int32"}},
        "run": {"job_name": other_run["job_name"], "run_id": other_run["run_id"]},
    }
    for why, change in others.items():
        problem = assert_problem(_register(api, {**body, **change}), 409, "id-conflict")
        assert snapshot_id in problem["detail"], why
    no_schema = {k: v for k, v in body.items() if k != "schema"}
    assert_problem(_register(api, no_schema), 409, "id-conflict")
    assert len(all_pages(api, f"/tables/{table}/snapshots")) == 1
    assert get_run(api, other_run)["outputs"] == []


def test_concurrent_registrations_with_one_new_id_make_one_snapshot(server_url: str) -> None:
    table, snapshot_id = unique("race_t"), new_id()
    with make_client(server_url) as client:
        run = start(client, unique("race_writer"))
    body = _snapshot_body(run, table, snapshot_id=snapshot_id)
    answers = _race(server_url, [lambda c: _register(c, body)] * 8)
    assert [a.status_code for a in answers] == [201] * 8
    assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 7
    with make_client(server_url) as client:
        assert len(all_pages(client, f"/tables/{table}/snapshots")) == 1


# --- reads of a named snapshot ---------------------------------------------------------------


def test_a_read_naming_a_snapshot_answers_it_and_records_its_edge(api: httpx.Client) -> None:
    table, other_table = unique("t"), unique("other_t")
    writer = start(api, unique("writer"))
    older = register(api, writer, table, "file:///v1")
    newer = register(api, writer, table, "file:///v2")
    elsewhere = register(api, writer, other_table, "file:///other")
    complete(api, writer)
    reader = start(api, unique("reader"))
    as_reader = {"run_id": reader["run_id"], "job_name": reader["job_name"]}

    read = _latest(api, table, snapshot_id=older["snapshot_id"], **as_reader)
    assert read.status_code == 200
    assert read.json() == older
    assert [s["snapshot_id"] for s in get_run(api, reader)["inputs"]] == [older["snapshot_id"]]
    # read again: still one edge
    assert _latest(api, table, snapshot_id=older["snapshot_id"], **as_reader).json() == older
    assert len(get_run(api, reader)["inputs"]) == 1

    # without a run, the named snapshot and no edge
    assert _latest(api, table, snapshot_id=newer["snapshot_id"]).json() == newer
    assert _latest(api, table).json() == newer
    assert len(get_run(api, reader)["inputs"]) == 1

    for unknown in (new_id(), elsewhere["snapshot_id"]):
        for params in ({}, as_reader):
            response = _latest(api, table, snapshot_id=unknown, **params)
            problem = assert_problem(response, 404, "snapshot-not-found")
            assert unknown in problem["detail"]
    missing_table = _latest(api, unique("none"), snapshot_id=older["snapshot_id"])
    assert_problem(missing_table, 404, "snapshot-not-found")
    assert len(get_run(api, reader)["inputs"]) == 1


def test_a_read_replayed_after_the_run_finished(api: httpx.Client) -> None:
    table = unique("t")
    writer = start(api, unique("writer"))
    older = register(api, writer, table, "file:///v1")
    newer = register(api, writer, table, "file:///v2")
    complete(api, writer)
    reader = start(api, unique("reader"))
    as_reader = {"run_id": reader["run_id"], "job_name": reader["job_name"]}
    assert _latest(api, table, snapshot_id=older["snapshot_id"], **as_reader).status_code == 200
    complete(api, reader)

    # the edge is recorded: its replay is answered
    replay = _latest(api, table, snapshot_id=older["snapshot_id"], **as_reader)
    assert replay.status_code == 200
    assert replay.json() == older
    # a new edge on the finished run is not
    new_edge = _latest(api, table, snapshot_id=newer["snapshot_id"], **as_reader)
    assert_problem(new_edge, 409, "run-finished")
    assert_problem(_latest(api, table, **as_reader), 409, "run-finished")
    assert [s["snapshot_id"] for s in get_run(api, reader)["inputs"]] == [older["snapshot_id"]]
    # the run must still be the one named
    wrong_job = _latest(
        api, table, snapshot_id=older["snapshot_id"], run_id=reader["run_id"], job_name="other"
    )
    assert_problem(wrong_job, 404, "run-not-found")


def test_a_lineage_edge_goes_to_the_snapshot_read(api: httpx.Client) -> None:
    table = unique("t")
    writer = start(api, unique("writer"))
    older = register(api, writer, table, "file:///v1")
    register(api, writer, table, "file:///v2")
    reader = start(api, unique("reader"))
    params = {"run_id": reader["run_id"], "job_name": reader["job_name"]}
    assert _latest(api, table, snapshot_id=older["snapshot_id"], **params).status_code == 200
    graph = api.get("/lineage", params={"table": table, "direction": "downstream"}).json()
    reads = [e for e in graph["edges"] if e["kind"] == "read"]
    assert [e["snapshot_id"] for e in reads] == [older["snapshot_id"]]
