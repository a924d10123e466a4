"""pytest plugin with the `datlake_mock` fixture; enable it in a `conftest.py`::

    pytest_plugins = ["datlake_sdk.testing.pytest_plugin"]

    def test_health(datlake_mock):
        datlake_mock.on("get_health").succeed()

The mock listens at `http://127.0.0.1:8765` (the spec's server). Override the
`datlake_mock_base_url` fixture to use another address.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._mock import DatlakeMock


@pytest.fixture
def datlake_mock_base_url() -> str:
    """The address the `datlake_mock` fixture intercepts."""
    return "http://127.0.0.1:8765"


@pytest.fixture
def datlake_mock(datlake_mock_base_url: str) -> Iterator[DatlakeMock]:
    """A started `DatlakeMock`; contract violations fail the test."""
    with DatlakeMock(base_url=datlake_mock_base_url) as mock:
        yield mock
