"""The README's promises run for real: each example script and `make demo`'s script, as a user
runs them, against a local Datlake over loopback."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import datlake_server

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "examples-key"


@pytest.fixture(scope="module")
def datlake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("datlake")
    with datlake_server.serve_in_thread(data, api_key=API_KEY) as url:
        yield url


def run_script(script: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(script)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("name", ["pipeline.py", "log_shipping.py", "job_context.py"])
def test_example_runs_and_records_lineage(name: str, datlake: str, tmp_path: Path) -> None:
    env = {
        "DATLAKE_URL": datlake,
        "DATLAKE_API_KEY": API_KEY,
        "DATLAKE_EXAMPLE_DATA": str(tmp_path),
    }

    done = run_script(ROOT / "examples" / name, env)

    assert done.returncode == 0, done.stdout + done.stderr
    assert API_KEY not in done.stdout + done.stderr
    runs = httpx.get(
        f"{datlake}/api/v1/jobs/daily_users/runs",
        headers={"Authorization": f"Bearer {API_KEY}"},
    ).json()["items"]
    assert runs, "the example recorded no daily_users run"
    newest = runs[0]
    assert newest["status"] == "succeeded"
    assert [s["table_name"] for s in newest["inputs"]] == ["users_raw"]
    assert [s["table_name"] for s in newest["outputs"]] == ["users_curated"]


def test_the_demo_prints_the_lineage_it_recorded() -> None:
    done = run_script(ROOT / "scripts" / "demo.py", {})

    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "daily_users: succeeded" in out
    assert "table users_raw  --was read by-->  run daily_users/" in out
    assert "--wrote-->  table users_curated" in out
    assert "artifact of run daily_users/" in out
    assert "log datlake://artifacts/jobs/daily_users/" in out


def test_the_demo_starts_its_server_with_any_key(tmp_path: Path) -> None:
    # token_urlsafe() keys may start with "-", which a command line would read as an option
    spec = importlib.util.spec_from_file_location("demo", ROOT / "scripts" / "demo.py")
    assert spec is not None
    assert spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    key = "-starts-with-a-dash"

    with demo.local_datlake(tmp_path / "datlake", key) as url:
        headers = {"Authorization": f"Bearer {key}"}
        assert httpx.get(f"{url}/api/v1/jobs/demo/runs", headers=headers).status_code == 200
