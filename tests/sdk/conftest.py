"""The SDK tests: instant retries, and no settings from the machine (the fixtures of
tests/conftest.py, for every test here)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _sdk_test_defaults(instant_retries: None, isolated_settings: None) -> None:
    """Every SDK test runs with instant retries and isolated settings."""
