"""The README's Python blocks run as a newcomer runs them: each job block as a script of its own
against a fresh local Datlake over loopback, the testing block under the mock. (`make typecheck`
checks the same blocks with mypy --strict and pyright, through scripts/readme_blocks.py.)"""

from __future__ import annotations

import importlib.util
import os
import runpy
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

import datlake_server

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "readme-key"


def _load_readme_blocks() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "readme_blocks", ROOT / "scripts" / "readme_blocks.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


readme_blocks = _load_readme_blocks()
BLOCKS = readme_blocks.python_blocks((ROOT / "README.md").read_text(encoding="utf-8"))


def block_under(heading: str) -> str:
    found = [block.code for block in BLOCKS if block.heading == heading]
    assert len(found) == 1, f"expected one ```python block under {heading!r}, got {len(found)}"
    return str(found[0])


@pytest.fixture
def datlake(tmp_path: Path) -> Iterator[str]:
    """A fresh local Datlake for each block: nothing registered before it runs."""
    with datlake_server.serve_in_thread(tmp_path / "datlake", api_key=API_KEY) as url:
        yield url


def run_block(code: str, workdir: Path, url: str) -> subprocess.CompletedProcess[str]:
    script = workdir / "readme_block.py"
    script.write_text(code, encoding="utf-8")
    # TMPDIR: the folder the functional block makes with mkdtemp() goes with the test's
    env = {**os.environ, "DATLAKE_URL": url, "DATLAKE_API_KEY": API_KEY, "TMPDIR": str(workdir)}
    env.pop("DATLAKE_CONFIG", None)
    return subprocess.run(
        [sys.executable, str(script)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def newest_run(url: str, job_name: str) -> dict[str, Any]:
    runs = httpx.get(
        f"{url}/api/v1/jobs/{job_name}/runs",
        headers={"Authorization": f"Bearer {API_KEY}"},
    ).json()["items"]
    assert runs, f"the block recorded no {job_name} run"
    run: dict[str, Any] = runs[0]
    return run


def assert_recorded_the_pipeline(url: str) -> None:
    upstream = newest_run(url, "ingest_users")
    assert upstream["status"] == "succeeded"
    assert [s["table_name"] for s in upstream["outputs"]] == ["users_raw"]
    run = newest_run(url, "daily_users")
    assert run["status"] == "succeeded", run
    assert [s["table_name"] for s in run["inputs"]] == ["users_raw"]
    assert [s["table_name"] for s in run["outputs"]] == ["users_curated"]
    assert [a["type"] for a in run["artifacts"]] == ["log"]
    assert run["artifacts"][0]["uri"].startswith("datlake://artifacts/jobs/daily_users/")


def test_the_functional_block_runs_on_a_fresh_datlake(datlake: str, tmp_path: Path) -> None:
    done = run_block(block_under("A job in the functional style"), tmp_path, datlake)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "daily_users: succeeded" in done.stdout
    assert_recorded_the_pipeline(datlake)


def test_the_with_block_runs_on_a_fresh_datlake(datlake: str, tmp_path: Path) -> None:
    done = run_block(block_under("A job as a `with` block"), tmp_path, datlake)

    assert done.returncode == 0, done.stdout + done.stderr
    assert_recorded_the_pipeline(datlake)
    assert "wrote 2 to" in (tmp_path / "run.log").read_text()


def test_the_lineage_block_runs_on_a_fresh_datlake(datlake: str, tmp_path: Path) -> None:
    done = run_block(block_under("Lineage that scales"), tmp_path, datlake)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 runs shown, truncated: True, folded: ['sales']" in done.stdout


def test_the_async_block_runs_on_a_fresh_datlake(datlake: str, tmp_path: Path) -> None:
    done = run_block(block_under("Async jobs"), tmp_path, datlake)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "weekly_users: running" in done.stdout
    assert done.stdout.count("succeeded") == 7  # listed by `async for`, page after page
    runs = httpx.get(
        f"{datlake}/api/v1/jobs/daily_users/runs",
        headers={"Authorization": f"Bearer {API_KEY}"},
    ).json()["items"]
    assert sorted(run["metadata"]["day"] for run in runs) == list(range(1, 8))
    assert {run["status"] for run in runs} == {"succeeded"}


def test_the_async_files_block_runs_on_a_fresh_datlake(datlake: str, tmp_path: Path) -> None:
    done = run_block(block_under("Files from async code"), tmp_path, datlake)

    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "r1-copy.html").read_text() == "<p>1,200 users</p>"
    (run,) = httpx.get(
        f"{datlake}/api/v1/jobs/daily_report/runs",
        headers={"Authorization": f"Bearer {API_KEY}"},
    ).json()["items"]
    assert [artifact["type"] for artifact in run["artifacts"]] == ["report", "log"]


def test_the_openlineage_block_runs_on_a_fresh_datlake(datlake: str, tmp_path: Path) -> None:
    done = run_block(block_under("OpenLineage"), tmp_path, datlake)

    assert done.returncode == 0, done.stdout + done.stderr
    edges = {tuple(line.split(" ")[:3:2]) for line in done.stdout.splitlines()}
    run = newest_run(datlake, "etl.clean_users")
    node = f"run:etl.clean_users/{run['run_id']}"
    assert ("table:raw.users.csv", node) in edges
    assert (node, "table:curated.users.parquet") in edges
    assert run["status"] == "succeeded"


def test_the_frames_block_runs_on_a_fresh_datlake(datlake: str, tmp_path: Path) -> None:
    done = run_block(block_under("DataFrames: `job.read` and `job.write`"), tmp_path, datlake)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "{'id': 'int64', 'email': 'string'}" in done.stdout
    assert "[(2,)]" in done.stdout  # two users once the emails are lowercased
    run = newest_run(datlake, "daily_users")
    assert run["status"] == "succeeded"
    assert [s["table_name"] for s in run["inputs"]] == ["users_raw"]
    assert [s["table_name"] for s in run["outputs"]] == ["users_curated"]
    assert run["outputs"][0]["uri"].startswith("datlake://lake/tables/users_curated/")


def test_the_dask_block_runs_on_a_fresh_datlake(datlake: str, tmp_path: Path) -> None:
    done = run_block(block_under("Distributed jobs: Dask, Ray, Spark"), tmp_path, datlake)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "['totals.part0', 'totals.part1']" in done.stdout
    run = newest_run(datlake, "order_totals")
    assert run["status"] == "succeeded"
    assert sorted(s["table_name"] for s in run["inputs"]) == ["orders.part0", "orders.part1"]
    assert sorted(s["table_name"] for s in run["outputs"]) == ["totals.part0", "totals.part1"]


def test_the_testing_block_passes(tmp_path: Path) -> None:
    script = tmp_path / "readme_testing_block.py"
    script.write_text(block_under("Testing code that uses the SDK"), encoding="utf-8")

    runpy.run_path(str(script))["test_my_job"]()


def test_the_conformance_block_checks_a_fresh_datlake(datlake: str, tmp_path: Path) -> None:
    script = tmp_path / "readme_conformance_block.py"
    script.write_text(block_under("Checking a Datlake backend"), encoding="utf-8")
    check = runpy.run_path(str(script))["check"]

    assert check(datlake, API_KEY) == {}
    assert check(datlake, "wrong") == {
        "preflight": f"{datlake} refused the API key (401 on list_runs): pass --api-key,"
        " or set DATLAKE_API_KEY"
    }


def test_every_block_is_written_for_the_type_checkers(tmp_path: Path) -> None:
    paths = readme_blocks.write_blocks(BLOCKS, tmp_path)

    assert len(paths) == len(BLOCKS) >= 3
    for path, block in zip(paths, BLOCKS, strict=True):
        assert path.read_text().endswith(block.code)


def test_the_metrics_block_runs_on_a_fresh_datlake(datlake: str, tmp_path: Path) -> None:
    done = run_block(block_under("Metrics, progress and live logs"), tmp_path, datlake)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "100 points, last 0.01; progress Progress(done=100, total=100" in done.stdout
    assert "INFO train: trained for 100 epochs" in done.stdout
    run = newest_run(datlake, "train_churn")
    assert run["status"] == "succeeded"
    assert sorted(a["type"] for a in run["artifacts"]) == ["log", "report"]


def test_the_track_any_command_block_joins_the_run_of_datlake_run(
    datlake: str, tmp_path: Path
) -> None:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    seed = httpx.post(f"{datlake}/api/v1/jobs/ingest/runs", json={}, headers=headers).json()
    registered = httpx.post(
        f"{datlake}/api/v1/jobs/register-snapshot",
        json={"job_name": "ingest", "run_id": seed["run_id"], "table_name": "raw.orders",
              "uri": "file:///data/orders", "format": "parquet"},
        headers=headers,
    )  # fmt: skip
    assert registered.status_code == 201, registered.text
    script = tmp_path / "step.py"
    script.write_text(block_under("Track any command"), encoding="utf-8")
    env = {**os.environ, "DATLAKE_URL": datlake, "DATLAKE_API_KEY": API_KEY}
    done = subprocess.run(
        [sys.executable, "-m", "datlake_sdk.cli", "run", "--job", "nightly_orders",
         "--", sys.executable, str(script)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    run = newest_run(datlake, "nightly_orders")
    assert run["status"] == "succeeded"
    assert [s["table_name"] for s in run["inputs"]] == ["raw.orders"]
    assert [s["table_name"] for s in run["outputs"]] == ["marts.orders_by_day"]
