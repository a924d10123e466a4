"""Each fault of the proxy does what it says, against the real local Datlake (a subprocess)."""

from __future__ import annotations

import secrets
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .proxy import FaultMix, FaultProxy
from .server import LocalDatlake

API_KEY = "chaos-" + secrets.token_hex(6)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalDatlake]:
    with LocalDatlake(tmp_path_factory.mktemp("chaos-proxy") / "data", API_KEY) as datlake:
        yield datlake


def every(kind: str, **options: float) -> FaultMix:
    return FaultMix(rate=1.0, seed=1, kinds=(kind,), **options)


def client(url: str, timeout: float = 5.0) -> httpx.Client:
    return httpx.Client(
        base_url=f"{url}/api/v1",
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=timeout,
    )


def runs_of(server: LocalDatlake, job: str) -> list[dict[str, object]]:
    with client(server.url) as direct:
        response = direct.get(f"/jobs/{job}/runs")
        assert response.status_code == 200, response.text
        return list(response.json()["items"])


def job_name() -> str:
    return f"proxy_{secrets.token_hex(5)}"


def test_clean_proxy_forwards_and_keeps_connections(server: LocalDatlake) -> None:
    with FaultProxy(server.url) as proxy, client(proxy.url) as api:
        job = job_name()
        for _ in range(3):
            assert api.post(f"/jobs/{job}/runs", json={}).status_code == 201
        assert api.get("/health").status_code == 200
        assert len(runs_of(server, job)) == 3
        assert proxy.stats == {"requests": 4, "forwarded": 4}


@pytest.mark.parametrize("status", [503, 429])
def test_problem_answers_never_reach_the_server(server: LocalDatlake, status: int) -> None:
    with FaultProxy(server.url, every(str(status))) as proxy, client(proxy.url) as api:
        job = job_name()
        response = api.post(f"/jobs/{job}/runs", json={}, headers={"X-Request-Id": "r" * 32})
        assert response.status_code == status
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == status
        assert response.json()["request_id"] == "r" * 32
        if status == 429:
            assert response.headers["retry-after"] in ("0", "1")
        # the connection stays usable
        assert api.get("/health").status_code == status
        assert proxy.stats[str(status)] == 2
        assert "forwarded" not in proxy.stats
    assert runs_of(server, job) == []


def test_reset_before_never_reaches_the_server(server: LocalDatlake) -> None:
    with FaultProxy(server.url, every("reset_before")) as proxy, client(proxy.url) as api:
        job = job_name()
        with pytest.raises(httpx.TransportError):
            api.post(f"/jobs/{job}/runs", json={})
    assert runs_of(server, job) == []


def test_reset_after_lets_the_server_do_the_work(server: LocalDatlake) -> None:
    with FaultProxy(server.url, every("reset_after")) as proxy, client(proxy.url) as api:
        job = job_name()
        with pytest.raises(httpx.TransportError):
            api.post(f"/jobs/{job}/runs", json={})
        assert proxy.stats["forwarded"] == 1
    assert len(runs_of(server, job)) == 1


def test_stall_holds_the_answer_past_the_client_timeout(server: LocalDatlake) -> None:
    mix = every("stall", stall_s=1.0)
    with FaultProxy(server.url, mix) as proxy, client(proxy.url, timeout=0.3) as api:
        job = job_name()
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            api.post(f"/jobs/{job}/runs", json={})
        assert time.monotonic() - started < 1.0
    assert len(runs_of(server, job)) == 1


def test_truncate_sends_part_of_the_body(server: LocalDatlake) -> None:
    with FaultProxy(server.url, every("truncate")) as proxy, client(proxy.url) as api:
        job = job_name()
        with pytest.raises(httpx.RemoteProtocolError, match=r"complete message body"):
            api.post(f"/jobs/{job}/runs", json={})
        assert proxy.stats["truncate"] == 1
    assert len(runs_of(server, job)) == 1


def test_uploads_are_forwarded_whole(server: LocalDatlake, tmp_path: Path) -> None:
    body = secrets.token_bytes(300_000)
    with FaultProxy(server.url) as proxy, client(proxy.url) as api:
        put = api.put("/datasets/chaos/proxy%2Fbig.bin", content=body)
        assert put.status_code == 201, put.text
        got = api.get("/datasets/chaos/proxy%2Fbig.bin")
        assert got.status_code == 200
        assert got.content == body


def test_down_refuses_connects_then_listens_again_on_the_same_port(server: LocalDatlake) -> None:
    with FaultProxy(server.url) as proxy, client(proxy.url) as api:
        assert api.get("/health").status_code == 200
        port = proxy.port
        proxy.set_down(True)
        with pytest.raises(httpx.ConnectError):
            api.get("/health")
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        proxy.set_down(False)
        assert proxy.port == port
        assert api.get("/health").status_code == 200


def test_an_upstream_that_is_gone_resets_the_client(tmp_path: Path) -> None:
    own = LocalDatlake(tmp_path / "data", API_KEY)
    with own, FaultProxy(own.url) as proxy, client(proxy.url) as api:
        assert api.get("/health").status_code == 200
        own.kill()
        with pytest.raises(httpx.TransportError):
            api.get("/health")
        assert proxy.stats["upstream_down"] == 1
        own.start()  # same port, same data folder
        assert api.get("/health").status_code == 200


def test_the_mix_is_seeded_and_keeps_to_its_rate() -> None:
    first = FaultMix(rate=0.2, seed=7)
    second = FaultMix(rate=0.2, seed=7)
    sequence = [first.pick() for _ in range(2000)]
    assert sequence == [second.pick() for _ in range(2000)]
    faulted = [kind for kind in sequence if kind is not None]
    assert 300 < len(faulted) < 500
    assert set(faulted) == {"503", "429", "reset_before", "reset_after", "stall", "truncate"}
