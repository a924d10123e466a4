"""The SDK tests: instant retries, and no settings from the machine (the fixtures of
tests/conftest.py, for every test here)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _sdk_test_defaults(instant_retries: None, isolated_settings: None) -> None:
    """Every SDK test runs with instant retries and isolated settings."""


@pytest.fixture(scope="module")
def datlake_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A spec-checked local Datlake of the test module's own, on loopback (key `API_KEY` of
    test_outbox)."""
    from .test_outbox import datlake, free_port

    with datlake(tmp_path_factory.mktemp("datlake"), free_port()) as url:
        yield url
