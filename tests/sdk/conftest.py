"""Shared fixtures of the SDK tests: instant retries, and no settings leaking in from the
machine running the tests (its environment or its ~/.config/datlake/config.toml)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import stamina

_SETTINGS_VARIABLES = (
    "DATLAKE_URL",
    "DATLAKE_API_KEY",
    "DATLAKE_CONFIG",
    "DATLAKE_SDK_ERROR_STRATEGY",
    "DATLAKE_SDK_RETRY",
    "DATLAKE_SDK_ON_ERROR",
    "DATLAKE_SDK_OUTBOX",
    "DATLAKE_SDK_OUTBOX_EXIT_TIMEOUT",
)


@pytest.fixture(autouse=True)
def _instant_retries() -> Iterator[None]:
    """No backoff sleeps; the number of attempts stays the one the policy asks for (`cap`),
    up to 10."""
    with stamina.set_testing(True, attempts=10, cap=True):
        yield


@pytest.fixture(autouse=True)
def _isolated_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    for name in _SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    config_home: Path = tmp_path_factory.mktemp("config-home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
