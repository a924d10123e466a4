"""The forwarder: the official client's HTTP transport, an `Err` for a refusal (never the
key), and a one-line answer when the `[openlineage]` extra is missing."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from datlake_sdk import Run
from datlake_sdk.cli import main
from datlake_sdk.functional import Err, Ok
from datlake_sdk.openlineage import forward, run_events

from ..server.datlake_e2e import API_KEY, checked_server

EVENTS = run_events(Run("daily_users", "3f2a9c1e5b7d4e0f8a6b2c4d6e8f0a1b", status="succeeded"))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with checked_server(tmp_path / "data") as url:
        yield url


def test_forward_sends_every_event(server: str) -> None:
    sent = forward(EVENTS, server, endpoint="api/v1/openlineage", api_key=API_KEY)
    assert sent == Ok(2)


def test_a_refusal_is_an_err_that_says_how_far_it_got(server: str) -> None:
    # the official client's default endpoint is Datlake's lineage graph (GET only)
    refused = forward(EVENTS, server, api_key=API_KEY)
    assert isinstance(refused, Err)
    assert refused.error.message.startswith("0 events sent, then: ")
    assert "405" in refused.error.message
    wrong_key = forward(EVENTS, server, endpoint="api/v1/openlineage", api_key="key-9e1d")
    assert isinstance(wrong_key, Err)
    assert "401" in str(wrong_key.error)
    assert "key-9e1d" not in str(wrong_key.error) + repr(wrong_key.error)


def test_without_the_extra_the_cli_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], server: str
) -> None:
    monkeypatch.setitem(sys.modules, "openlineage", None)  # import openlineage... fails
    monkeypatch.setitem(sys.modules, "openlineage.client", None)
    monkeypatch.setitem(sys.modules, "openlineage.client.transport.http", None)
    monkeypatch.setenv("DATLAKE_URL", server)
    monkeypatch.setenv("DATLAKE_API_KEY", API_KEY)
    assert main(["export", "openlineage", "--job", "daily_users", "--to", server]) == 2
    assert "pip install 'datlake-sdk[openlineage]'" in capsys.readouterr().err


def test_export_and_ingest_need_no_extra() -> None:
    """Only `forward` needs the official client: importing the module leaves it unloaded."""
    code = "import sys, datlake_sdk.openlineage\nprint(' '.join(sorted(sys.modules)))\n"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = set(result.stdout.split())
    assert not {m for m in loaded if m.startswith(("openlineage", "datlake_server", "requests"))}
