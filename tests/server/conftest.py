"""End-to-end fixtures: real local Datlake servers on loopback sockets, httpx as the client.

One server is shared by the whole session; it validates every response it produces against
the spec, and the session fails at its end if any response broke it. Tests that need their
own data folder (restarts, leases) get servers that check their responses the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest

from .datlake_e2e import API_KEY, checked_server, make_client


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared server's data folder."""
    return tmp_path_factory.mktemp("datlake")


@pytest.fixture(scope="session")
def server_url(data_dir: Path) -> Iterator[str]:
    with checked_server(data_dir) as url:
        yield url


@pytest.fixture(scope="session")
def api(server_url: str) -> Iterator[httpx.Client]:
    """An authenticated client of the shared server (base URL ends in `/api/v1`)."""
    with make_client(server_url) as client:
        yield client


@pytest.fixture(scope="session")
def anonymous(server_url: str) -> Iterator[httpx.Client]:
    """A client of the shared server without an API key."""
    with make_client(server_url, api_key=None) as client:
        yield client


@pytest.fixture
def served(tmp_path: Path) -> Callable[..., AbstractContextManager[str]]:
    """`with served() as url:` a spec-checked server over this test's own data folder
    (`served(default_lease_seconds=1)`: with other options of `create_app`)."""

    def serve(api_key: str | None = API_KEY, **options: Any) -> AbstractContextManager[str]:
        return checked_server(tmp_path / "data", api_key, **options)

    return serve
