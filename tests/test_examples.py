"""The README's promises run for real: each example script and `make demo`'s script, as a user
runs them, against a local Datlake over loopback."""

from __future__ import annotations

import doctest
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

import datlake_server
from datlake_sdk.functional import LineageEdge, LineageGraph, LineageNode

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "examples-key"


@pytest.fixture(scope="module")
def datlake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("datlake")
    with datlake_server.serve_in_thread(data, api_key=API_KEY) as url:
        yield url


def run_script(script: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(script), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "name", ["pipeline.py", "log_shipping.py", "job_context.py", "frames_pipeline.py"]
)
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


def test_the_dask_example_records_its_workers_on_one_run(datlake: str, tmp_path: Path) -> None:
    env = {
        "DATLAKE_URL": datlake,
        "DATLAKE_API_KEY": API_KEY,
        "DATLAKE_EXAMPLE_DATA": str(tmp_path),
    }

    done = run_script(ROOT / "examples" / "dask_fanout.py", env)

    assert done.returncode == 0, done.stdout + done.stderr
    assert API_KEY not in done.stdout + done.stderr
    headers = {"Authorization": f"Bearer {API_KEY}"}
    runs = httpx.get(f"{datlake}/api/v1/jobs/regional_totals/runs", headers=headers).json()
    newest = runs["items"][0]
    assert newest["status"] == "succeeded"
    regions = ["apac", "eu", "latam", "us"]
    assert sorted(s["table_name"] for s in newest["inputs"]) == [f"orders.{r}" for r in regions]
    assert sorted(s["table_name"] for s in newest["outputs"]) == sorted(
        ["totals.all", *(f"totals.{r}" for r in regions)]
    )
    worker_pids = newest["extra"]["worker_pids"]
    assert worker_pids
    assert f"(driver {worker_pids[0]})" not in done.stdout  # the tasks ran on the workers
    run_node = f"run:regional_totals/{newest['run_id']}"
    assert f"table:orders.eu --read--> {run_node}" in done.stdout
    assert f"{run_node} --wrote--> table:totals.all" in done.stdout


def test_the_demo_prints_the_lineage_it_recorded_as_a_tree() -> None:
    done = run_script(ROOT / "scripts" / "demo.py", {"DEMO_KEEP": ""})

    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "daily_users: succeeded" in out
    tree = out[out.index("  users_curated\n") :].splitlines()
    assert re.fullmatch(r"  └─ written by daily_users/[0-9a-f]{8} \(succeeded\)", tree[1])
    assert re.fullmatch(r"     ├─ read users_raw \(snapshot [0-9a-f]{8}\)", tree[2])
    assert re.fullmatch(r"     │  └─ written by ingest_users/[0-9a-f]{8} \(succeeded\)", tree[3])
    assert tree[4].startswith("     └─ log datlake://artifacts/jobs/daily_users/")
    assert "its data folder was temporary" in out
    # then how to explore it: the page, and a command for each thing recorded
    assert "http://127.0.0.1:8765/" in out
    for command in ("jobs", "runs daily_users", "tables", "snapshots users_raw", "lineage"):
        assert re.search(rf"datlake {command}\b", out), command
    assert re.search(r"datlake download datlake://artifacts/jobs/daily_users/\S+/run\.log \.", out)


def test_the_demo_keeps_its_data_when_asked(tmp_path: Path) -> None:
    kept = tmp_path / "kept"

    done = run_script(ROOT / "scripts" / "demo.py", {"DEMO_KEEP": ""}, "--keep", str(kept))

    assert done.returncode == 0, done.stdout + done.stderr
    assert f"its data is kept in {kept}" in done.stdout
    assert f"server --port 8765 --data {kept / 'datlake'}" in done.stdout
    assert (kept / "users_curated.csv").is_file()
    assert (kept / "run.log").is_file()
    with datlake_server.serve_in_thread(kept / "datlake") as url:
        graph = httpx.get(f"{url}/api/v1/lineage", params={"table": "users_curated"}).json()
    assert {node["name"] for node in graph["nodes"]} >= {"users_raw", "users_curated"}


def test_the_demo_keeps_a_temporary_folder_with_demo_keep_1() -> None:
    done = run_script(ROOT / "scripts" / "demo.py", {"DEMO_KEEP": "1"})

    assert done.returncode == 0, done.stdout + done.stderr
    found = re.search(r"its data is kept in (\S+)", done.stdout)
    assert found is not None, done.stdout
    kept = Path(found.group(1))
    try:
        assert (kept / "datlake").is_dir()
    finally:
        shutil.rmtree(kept)


def test_the_demo_refuses_to_keep_into_a_folder_in_use(tmp_path: Path) -> None:
    (tmp_path / "something").write_text("mine")

    done = run_script(ROOT / "scripts" / "demo.py", {"DEMO_KEEP": ""}, "--keep", str(tmp_path))

    assert done.returncode == 2
    assert "not empty" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["something"]


def load_demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo", ROOT / "scripts" / "demo.py")
    assert spec is not None
    assert spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    return demo


def test_the_demo_docstring_examples() -> None:
    failed, _ = doctest.testmod(load_demo(), optionflags=doctest.ELLIPSIS)
    assert failed == 0


def test_the_lineage_tree_survives_a_cycle_and_branches() -> None:
    demo = load_demo()
    run = LineageNode(
        id="run:fix/r", kind="run", name="fix", job_name="fix", run_id="0" * 24 + "aaaabbbb"
    )
    graph = LineageGraph(
        root="t",
        direction="upstream",
        depth=3,
        nodes=(
            LineageNode(id="table:t", kind="table", name="t"),
            run,
            LineageNode(id="table:u", kind="table", name="u"),
        ),
        edges=(
            LineageEdge(source="run:fix/r", target="table:t", kind="wrote"),
            LineageEdge(source="table:t", target="run:fix/r", kind="read", snapshot_id="1" * 32),
            LineageEdge(source="table:u", target="run:fix/r", kind="read"),
        ),
    )

    assert demo.lineage_tree(graph, notes={"run:fix/r": ["log datlake://x"]}) == [
        "t",
        "└─ written by fix/aaaabbbb (None)",
        "   ├─ read t (snapshot 11111111) (see above)",
        "   ├─ read u",
        "   └─ log datlake://x",
    ]


def test_the_demo_starts_its_server_with_any_key(tmp_path: Path) -> None:
    # token_urlsafe() keys may start with "-", which a command line would read as an option
    demo = load_demo()
    key = "-starts-with-a-dash"

    with demo.local_datlake(tmp_path / "datlake", key) as url:
        headers = {"Authorization": f"Bearer {key}"}
        assert httpx.get(f"{url}/api/v1/jobs/demo/runs", headers=headers).status_code == 200
