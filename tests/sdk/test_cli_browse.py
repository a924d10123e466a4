"""The browse commands against a real local Datlake holding a recorded pipeline: aligned
tables with short ids, `--json` with full ids, one-line errors and their exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from datlake_sdk import DatlakeClient, cli
from datlake_sdk.cli import download

from ..server.datlake_e2e import API_KEY, checked_server
from ..web.pipeline import HOSTILE, record


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("cli")
    with checked_server(folder / "data") as url:
        with DatlakeClient(url, API_KEY) as client:
            facts = record(client, folder, hub_readers=3)
        yield url, facts


@pytest.fixture
def datlake(
    recorded: tuple[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> object:
    """`datlake(*args)` runs the command with the server's settings: (code, stdout, stderr)."""
    monkeypatch.setenv("DATLAKE_URL", recorded[0])
    monkeypatch.setenv("DATLAKE_API_KEY", API_KEY)

    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_jobs_are_an_aligned_table_with_short_ids(datlake, recorded) -> None:
    code, out, err = datlake("jobs")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["JOB", "RUNS", "LATEST", "STATUS", "STARTED", "FINISHED"]
    daily = next(line for line in lines if line.startswith("daily_users "))
    assert recorded[1]["daily"][-8:] in daily
    assert recorded[1]["daily"] not in out  # short ids only
    assert "succeeded" in daily
    # the columns line up: every row's second column starts where the header's does
    start = lines[0].index("RUNS")
    assert all(line[start - 2 : start] == "  " and line[start] != " " for line in lines[1:])


def test_a_prefix_and_a_limit(datlake) -> None:
    code, out, _ = datlake("jobs", "--prefix", "fan_", "--limit", "2")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["fan_000", "fan_001"]


def test_json_has_the_full_ids(datlake, recorded) -> None:
    code, out, _ = datlake("runs", "daily_users", "--json")
    assert code == 0
    runs = json.loads(out)
    assert [run["run_id"] for run in runs] == [recorded[1]["daily"]]
    assert runs[0]["metadata"] == {"note": HOSTILE}
    code, out, _ = datlake("tables", "--prefix", "users_", "--json")
    assert [t["table_name"] for t in json.loads(out)] == ["users_curated", "users_raw"]


def test_one_run_in_full_by_its_short_id(datlake, recorded) -> None:
    code, out, err = datlake("runs", "daily_users", recorded[1]["daily"][-8:])
    assert (code, err) == (0, "")
    assert f"daily_users/{recorded[1]['daily']}" in out
    for expected in ("succeeded", "users_raw", "users_curated", recorded[1]["log"], "rows_written"):
        assert expected in out
    code, out, _ = datlake("runs", "daily_users", recorded[1]["daily"], "--json")
    shown = json.loads(out)
    (artifact,) = shown["run"]["artifacts"]  # the log, with its name, size and checksum
    assert (artifact["type"], artifact["uri"], artifact["name"]) == (
        "log",
        recorded[1]["log"],
        "run.log",
    )
    assert artifact["content_type"] == "text/plain; charset=utf-8"
    assert len(artifact["sha256"]) == 64
    assert [event["kind"] for event in shown["events"]] == ["metric", "progress"]


def test_runs_by_status(datlake) -> None:
    code, out, _ = datlake("runs", "fan_002", "--status", "failed")
    assert code == 0
    assert len(out.splitlines()) == 2
    code, out, _ = datlake("runs", "fan_002", "--status", "succeeded")
    assert len(out.splitlines()) == 1  # the header alone


def test_snapshots_and_lineage_formats(datlake) -> None:
    code, out, _ = datlake("snapshots", "users_raw")
    assert code == 0
    assert "ingest_users/" in out
    assert "file:///data/raw.csv" in out
    code, tree, _ = datlake("lineage", "users_curated", "--direction", "upstream")
    assert tree.splitlines()[0] == "users_curated"
    assert "written by daily_users/" in tree
    assert "read users_raw" in tree
    assert "written by ingest_users/" in tree
    code, text, _ = datlake("lineage", "users_raw", "--format", "mermaid")
    assert text.startswith("flowchart LR")
    assert text.count("-->|") == 3
    code, text, _ = datlake("lineage", "users_raw", "--format", "dot")
    assert text.startswith("digraph lineage {")
    assert '"table:users_raw" -> "run:daily_users/' in text
    code, text, _ = datlake("lineage", "users_raw", "--json")
    graph = json.loads(text)
    assert {node["name"] for node in graph["nodes"]} >= {"users_raw", "users_curated"}


def test_download_writes_the_log(datlake, recorded, tmp_path: Path) -> None:
    code, out, _ = datlake("download", recorded[1]["log"], str(tmp_path))
    assert code == 0
    assert (tmp_path / "run.log").read_text() == "read 4 users, wrote 3\n"
    assert str(tmp_path / "run.log") in out


def test_the_progress_bar_ends_full() -> None:
    import io

    out = io.StringIO()
    bar = download.ProgressBar(out)
    for done in range(0, 3_000_001, 1000):
        bar(done, 3_000_000)
    bar.close()
    last = out.getvalue().rstrip().rpartition("\r")[2]
    assert last == "[####################] 100%  3.0 MB of 3.0 MB"


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("runs", "daily_users", "ffffffff"), 1, "has no run ffffffff"),
        (("lineage", "never_written"), 1, "no snapshot"),
        (("runs", "bad name"), 2, "not a valid name"),
        (("download", "s3://b/x", "."), 2, "not a datlake://BUCKET/OBJECT uri"),
        (("download", "datlake://artifacts/missing.log", "."), 1, "does not exist"),
        (("jobs", "--limit", "0"), 2, "--limit"),
    ],
)
def test_errors_are_one_line_with_their_exit_code(datlake, args, code, words) -> None:
    got, out, err = datlake(*args)
    assert got == code, err
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert words in err
    assert "Traceback" not in err


def test_a_wrong_key_and_no_server(datlake, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATLAKE_API_KEY", "a-key-never-shown")
    code, _, err = datlake("tables")
    assert code == 4
    assert "a-key-never-shown" not in err
    monkeypatch.setenv("DATLAKE_URL", "http://127.0.0.1:9")
    code, _, err = datlake("jobs")
    assert code == 3
    assert len(err.strip().splitlines()) == 1
    monkeypatch.setenv("DATLAKE_URL", "not a url")
    code, _, err = datlake("jobs")
    assert code == 2
    assert "DATLAKE_URL" in err


def test_lineage_says_what_its_bounds_left_out(datlake) -> None:
    code, full, _ = datlake("lineage", "users_raw")
    assert code == 0
    assert "cut short" not in full

    code, cut, _ = datlake("lineage", "users_raw", "--limit", "1", "--history", "1")
    assert code == 0
    assert cut.splitlines()[-1].startswith("(cut short by the server")
    assert len(cut.splitlines()) < len(full.splitlines())

    code, _, err = datlake("lineage", "users_raw", "--limit", "0")
    assert code == 2
    assert "--limit" in err
