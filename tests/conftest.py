"""Fixtures of the whole suite: no Datlake settings leak in from the machine running it.

The SDK reads its settings from the environment and from ~/.config/datlake/config.toml when
a client is built. Function-scoped isolation (tests/sdk/conftest.py) comes too late for
module- and session-scoped fixtures that build clients or start example subprocesses, so the
same variables are cleared, and the config home emptied, once for the whole session first.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import stamina

SETTINGS_VARIABLES = (
    "DATLAKE_URL",
    "DATLAKE_API_KEY",
    "DATLAKE_CONFIG",
    "DATLAKE_SDK_ERROR_STRATEGY",
    "DATLAKE_SDK_RETRY",
    "DATLAKE_SDK_ON_ERROR",
    "DATLAKE_SDK_OUTBOX",
    "DATLAKE_SDK_OUTBOX_EXIT_TIMEOUT",
    "DATLAKE_SDK_CACHE",
    "DATLAKE_SDK_CACHE_MAX_AGE",
    "DATLAKE_SDK_POOL_SIZE",
    "DATLAKE_SDK_POOL_IDLE_TIMEOUT",
    "DATLAKE_DEFAULT_LEASE",
    "DATLAKE_RUN_ID",
    "DATLAKE_JOB_NAME",
)


@pytest.fixture(scope="session", autouse=True)
def _no_settings_from_the_machine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name in SETTINGS_VARIABLES:
            patch.delenv(name, raising=False)
        patch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("session-config-home")))
        patch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("session-state-home")))
        yield


@pytest.fixture
def isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No settings from the machine, per test: what a test sets in the environment or its
    config home goes away with it."""
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config-home"))


@pytest.fixture
def instant_retries() -> Iterator[None]:
    """No backoff sleeps; the number of attempts stays the one the policy asks for (`cap`),
    up to 10."""
    with stamina.set_testing(True, attempts=10, cap=True):
        yield
