"""`datlake conformance` against the local Datlake: every scenario passes, every operation of
the spec and each of its documented answers is exercised, no run is left running, and the
command reads its settings like the SDK and stops in one line when it cannot check.
(That it catches broken servers: test_conformance_variants.py.)"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from datlake_sdk import cli
from datlake_sdk._contract import operations
from datlake_sdk.cli.conformance import build_parser, main
from datlake_sdk.conformance import SCENARIOS, Unreachable, run_conformance
from datlake_sdk.conformance._spec_requests import documented_statuses

datlake_server = pytest.importorskip("datlake_server", reason="the local Datlake is not installed")

API_KEY = "k"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # one server for the module: every conformance run uses names of its own
    data_dir: Path = tmp_path_factory.mktemp("datlake")
    with datlake_server.serve_in_thread(data_dir, api_key=API_KEY) as url:
        yield url


# answers no client can provoke on purpose
UNPROVOKED = {429, 500, 503}


def _runs_by_status(data_dir: Path) -> dict[str, int]:
    """The stored status of every run in the server's SQLite (`lost` is computed on read,
    so a run `running` here is running or lost to a reader)."""
    with sqlite3.connect(data_dir / "datlake.db") as conn:
        rows = conn.execute("SELECT status, count(*) FROM runs GROUP BY status").fetchall()
    conn.close()
    return dict(rows)


def _cleaned_up(data_dir: Path) -> int:
    """How many runs the conformance cleanup completed (rather than their check)."""
    with sqlite3.connect(data_dir / "datlake.db") as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM runs WHERE json_extract(extra, '$.conformance') IS NOT NULL"
        ).fetchone()
    conn.close()
    return int(count)


def test_the_local_datlake_passes_every_scenario_exercising_every_documented_answer(
    tmp_path: Path,
) -> None:
    with datlake_server.serve_in_thread(tmp_path, api_key=API_KEY) as url:
        report = run_conformance(url, api_key=API_KEY)
        with httpx.Client(
            base_url=f"{url}/api/v1", headers={"Authorization": f"Bearer {API_KEY}"}
        ) as api:
            jobs = [row[0] for row in _jobs(tmp_path)]
            statuses = {
                run["status"]
                for job in jobs
                for run in api.get(f"/jobs/{job}/runs", params={"limit": 200}).json()["items"]
            }
    assert {r.name: r.outcome for r in report.results} == {s.name: "PASS" for s in SCENARIOS}
    documented = {
        (op.id, status) for op in operations() for status in documented_statuses(op) - UNPROVOKED
    }
    # an operation the spec gains, or an answer it documents, needs a scenario
    assert documented - report.exercised == set()
    assert report.exercised - documented == set()
    # and checking the server left no run running
    counts = _runs_by_status(tmp_path)
    assert "running" not in counts, counts
    assert sum(counts.values()) >= 30
    assert statuses <= {"succeeded", "failed"}
    # the checks complete their own runs: the cleanup step had nothing left to do
    assert _cleaned_up(tmp_path) == 0


def _jobs(data_dir: Path) -> list[tuple[str]]:
    with sqlite3.connect(data_dir / "datlake.db") as conn:
        jobs: list[tuple[str]] = conn.execute("SELECT DISTINCT job_name FROM runs").fetchall()
    conn.close()
    return jobs


def test_checks_failing_midway_leave_no_running_run_either(tmp_path: Path) -> None:
    # without its Idempotency-Key a replay starts a second run, and the check stops there
    def drop_key(request: httpx.Request) -> httpx.Response:
        request.headers.pop("Idempotency-Key", None)
        return network.handle_request(request)

    network = httpx.HTTPTransport()
    with datlake_server.serve_in_thread(tmp_path, api_key=API_KEY) as url:
        report = run_conformance(
            url, API_KEY, transport=httpx.MockTransport(drop_key),
            only=["start_run_idempotent_replay"],
        )  # fmt: skip
    assert "start_run_idempotent_replay" in report.failed
    counts = _runs_by_status(tmp_path)
    assert "running" not in counts, counts
    assert _cleaned_up(tmp_path) >= 2  # the first start and the replay that made another run


def test_without_a_key_the_auth_checks_are_skipped_with_a_reason(
    tmp_path: Path,
) -> None:
    with datlake_server.serve_in_thread(tmp_path) as url:
        report = run_conformance(url)
    skipped = {r.name: r.reason for r in report.results if r.outcome == "SKIP"}
    assert skipped == {
        "auth_on_every_secured_operation": "skipped: server runs without auth (no --api-key given)"
    }
    assert report.failed == {}


def test_the_command_says_what_it_writes_prints_a_table_and_exits_by_outcome(
    server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--base-url", server, "--api-key", API_KEY]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"checking {server}; it writes: runs, snapshots and events")
    assert f"{len(SCENARIOS)} passed, 0 failed, 0 skipped" in out
    assert cli.main(["conformance", "--help"]) == 0
    help_text = capsys.readouterr().out
    assert "it writes" in help_text
    assert "(default: $DATLAKE_URL" in help_text


def test_the_settings_come_from_the_environment_and_the_config_file(
    server: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    isolated_settings: None,
) -> None:
    monkeypatch.setenv("DATLAKE_URL", server)
    monkeypatch.setenv("DATLAKE_API_KEY", API_KEY)
    only = ["--only", "health_without_auth", "--only", "auth_on_every_secured_operation"]
    assert cli.main(["conformance", *only]) == 0
    assert "2 passed, 0 failed, 0 skipped" in capsys.readouterr().out
    config = tmp_path / "config.toml"
    config.write_text(f'url = "{server}"\napi_key = "wrong"\n')
    monkeypatch.delenv("DATLAKE_URL")
    monkeypatch.delenv("DATLAKE_API_KEY")
    monkeypatch.setenv("DATLAKE_CONFIG", str(config))
    assert cli.main(["conformance"]) == 2  # the file's key is refused before any check
    err = capsys.readouterr().err
    assert err == (
        f"datlake conformance: {server} refused the API key (401 on list_runs): pass"
        " --api-key, or set DATLAKE_API_KEY\n"
    )
    assert "wrong" not in err
    assert main(["--api-key", API_KEY, *only]) == 0  # the option overrides the file
    assert main(["--api-key", API_KEY, "--only", "nope"]) == 2
    assert "no scenario named nope (known: health_without_auth, " in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--base-url", "http://127.0.0.1:9"], "cannot connect to http://127.0.0.1:9: "),
        (["--base-url", "http://datlake.example.com"], "is plain http to a host that is not"
         " loopback; use https, or pass --allow-insecure-http (see `datlake conformance --help`)"),
        ([], "no Datlake URL: pass --base-url, set DATLAKE_URL"),
    ],
)  # fmt: skip
def test_what_cannot_be_checked_is_said_in_one_line(
    args: list[str], says: str, capsys: pytest.CaptureFixture[str], isolated_settings: None
) -> None:
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("datlake conformance: ")
    assert says in captured.err
    assert captured.err.count("\n") == 1


def test_an_open_server_needs_no_key_but_a_secured_one_says_so(server: str, tmp_path: Path) -> None:
    with pytest.raises(Unreachable, match=r"requires an API key \(401 on list_runs\)"):
        run_conformance(server)
    with pytest.raises(Unreachable, match=r"answered 404: is the URL a Datlake server's root"):
        run_conformance(f"{server}/api/v1", API_KEY)


def test_python_dash_m_runs_the_same_command() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATLAKE_")}
    command = [sys.executable, "-m", "datlake_sdk.conformance", "--help"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == build_parser().format_help()


@pytest.mark.parametrize("module", ["openapi_core", "respx"])
def test_without_the_testing_extra_the_command_names_the_pip_install(module: str) -> None:
    code = (
        f"import sys; sys.modules[{module!r}] = None; from datlake_sdk.cli import main; "
        "raise SystemExit(main(['conformance', '--base-url', 'http://127.0.0.1:9']))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATLAKE_")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr == (
        f"datlake conformance: the testing extra is not installed (no module {module}):"
        " pip install 'datlake-sdk[testing]'\n"
    )
