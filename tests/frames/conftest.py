"""A local Datlake over loopback for the frames tests, whose every response is checked against
the spec; instant retries and no settings from the machine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from datlake_sdk import DatlakeClient, JobContext

from ..server.datlake_e2e import checked_server, unique

API_KEY = "frames-key"


@pytest.fixture(autouse=True)
def _frames_test_defaults(instant_retries: None, isolated_settings: None) -> None:
    """Every frames test runs with instant retries and isolated settings."""


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with checked_server(tmp_path_factory.mktemp("datlake"), API_KEY) as url:
        yield url


@pytest.fixture
def client(server_url: str) -> Iterator[DatlakeClient]:
    with DatlakeClient(server_url, API_KEY) as client:
        yield client


@pytest.fixture
def job(client: DatlakeClient) -> Iterator[JobContext]:
    with JobContext(client, unique("job"), heartbeat_every=None) as job:
        yield job
