"""Run events: progress, metric and error, listed oldest first."""

from __future__ import annotations

import uuid

import httpx

from .datlake_e2e import all_pages, assert_problem, complete, start, unique


def test_post_and_list_events(api: httpx.Client) -> None:
    run = start(api, unique("evented"))
    path = f"/jobs/{run['job_name']}/runs/{run['run_id']}/events"
    sent = [
        {"kind": "progress", "message": "half way", "data": {"done": 50, "total": 100}},
        {"kind": "metric", "data": {"rows": 1200}},
        {"kind": "error", "message": "retrying"},
        {"kind": "progress", "message": "done", "data": {"done": 100, "total": 100}},
        {"kind": "metric"},
    ]
    recorded = []
    for body in sent:
        response = api.post(path, json=body)
        assert response.status_code == 201
        event = response.json()
        assert event["kind"] == body["kind"]
        assert event["message"] == body.get("message")
        assert event["data"] == body.get("data", {})
        assert (event["job_name"], event["run_id"]) == (run["job_name"], run["run_id"])
        recorded.append(event)

    page = api.get(path, params={"limit": 2}).json()
    assert page["items"] == recorded[:2]
    assert page["next_cursor"]
    assert all_pages(api, path, limit=2) == recorded
    assert all_pages(api, path) == recorded

    complete(api, run)
    assert all_pages(api, path) == recorded  # a finished run's events stay readable


def test_events_of_a_run_without_any(api: httpx.Client) -> None:
    run = start(api, unique("quiet"))
    page = api.get(f"/jobs/{run['job_name']}/runs/{run['run_id']}/events").json()
    assert page == {"items": [], "next_cursor": None}


def test_an_event_replayed_with_its_idempotency_key_is_recorded_once(api: httpx.Client) -> None:
    run = start(api, unique("once"))
    path = f"/jobs/{run['job_name']}/runs/{run['run_id']}/events"
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = {"kind": "metric", "data": {"rows": 1}}

    first = api.post(path, json=body, headers=key)
    replay = api.post(path, json=body, headers=key)

    assert first.status_code == replay.status_code == 201
    assert "idempotent-replayed" not in first.headers
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()
    assert all_pages(api, path) == [first.json()]
    other = api.post(path, json={"kind": "metric", "data": {"rows": 2}}, headers=key)
    assert_problem(other, 409, "idempotency-key-reused")


def test_a_heartbeat_replayed_with_its_idempotency_key_returns_the_first_lease(
    api: httpx.Client,
) -> None:
    run = start(api, unique("beat"))
    path = f"/jobs/{run['job_name']}/runs/{run['run_id']}/heartbeat"
    key = {"Idempotency-Key": uuid.uuid4().hex}

    first = api.post(path, json={"lease_seconds": 30}, headers=key)
    replay = api.post(path, json={"lease_seconds": 30}, headers=key)

    assert first.status_code == replay.status_code == 200
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()
    other = api.post(path, json={"lease_seconds": 60}, headers=key)
    assert_problem(other, 409, "idempotency-key-reused")
