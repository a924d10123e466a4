"""One local Datlake with the recorded pipeline for every page test (a real server on
loopback, with an API key)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from datlake_sdk import DatlakeClient

from ..server.datlake_e2e import API_KEY, checked_server
from .pipeline import record


@pytest.fixture(scope="session")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """(base URL, what `record` returned) of a server holding the pipeline."""
    folder = tmp_path_factory.mktemp("web")
    with checked_server(folder / "data") as url:
        with DatlakeClient(url, API_KEY) as client:
            facts = record(client, Path(folder))
        yield url, facts
