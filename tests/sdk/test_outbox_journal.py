"""The outbox's settings and its journal, without a server."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from datlake_sdk import ConfigError
from datlake_sdk._config import load_settings, outbox_path
from datlake_sdk._store import Journal, NewEntry

URL = "http://127.0.0.1:8765"


def entry(group: str, operation: str = "start_run") -> NewEntry:
    return NewEntry(
        base_url=URL,
        group=group,
        operation=operation,
        job_name="daily",
        run_id=group,
        method="POST",
        url="/api/v1/jobs/daily/runs",
        headers={"Idempotency-Key": f"key-{group}-{operation}"},
        body={"run_id": group},
    )


class TestSettings:
    def test_off_by_default(self) -> None:
        assert load_settings(URL, environ={}).outbox is None

    def test_on_is_the_state_folder(self, tmp_path: Path) -> None:
        env = {"DATLAKE_SDK_OUTBOX": "on", "XDG_STATE_HOME": str(tmp_path)}
        assert load_settings(URL, environ=env).outbox == tmp_path / "datlake" / "outbox.sqlite3"

    def test_keyword_beats_the_environment(self, tmp_path: Path) -> None:
        env = {"DATLAKE_SDK_OUTBOX": str(tmp_path / "env.sqlite3")}
        assert load_settings(URL, outbox="off", environ=env).outbox is None
        assert outbox_path(tmp_path / "kw.sqlite3", environ=env) == tmp_path / "kw.sqlite3"

    def test_config_file_key(self, tmp_path: Path) -> None:
        config = tmp_path / "config.toml"
        config.write_text(f'outbox = "{tmp_path / "f.sqlite3"}"\noutbox_exit_timeout = 2\n')
        settings = load_settings(URL, config_file=config, environ={})
        assert settings.outbox == tmp_path / "f.sqlite3"
        assert settings.outbox_exit_timeout == 2.0

    def test_a_folder_is_refused_naming_the_variable(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError, match="DATLAKE_SDK_OUTBOX"):
            load_settings(URL, environ={"DATLAKE_SDK_OUTBOX": str(tmp_path)})

    @pytest.mark.parametrize("value", ["soon", "-1", "nan", "99999"])
    def test_a_bad_exit_timeout_names_the_variable_and_value(self, value: str) -> None:
        env = {"DATLAKE_SDK_OUTBOX_EXIT_TIMEOUT": value}
        with pytest.raises(ConfigError, match=f"DATLAKE_SDK_OUTBOX_EXIT_TIMEOUT: '{value}'"):
            load_settings(URL, environ=env)


class TestJournal:
    def test_entries_survive_reopening_and_the_file_is_private(self, tmp_path: Path) -> None:
        path = tmp_path / "outbox.sqlite3"
        journal = Journal(path)
        journal.append(entry("r1"))
        journal.close()
        assert Journal(path).counts() == {"pending": 1}
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

    def test_a_group_is_claimed_whole_and_in_order(self, tmp_path: Path) -> None:
        journal = Journal(tmp_path / "o.sqlite3")
        for group, operation in [("r1", "start_run"), ("r2", "start_run"), ("r1", "complete")]:
            journal.append(entry(group, operation))
        claimed = journal.claim_group(URL, "host:1:a")
        assert [(e.group, e.operation) for e in claimed] == [
            ("r1", "start_run"),
            ("r1", "complete"),
        ]
        # another live flusher cannot take r1 while it is held: it gets r2
        assert [e.group for e in journal.claim_group(URL, "host:2:b")] == ["r2"]
        assert journal.claim_group(URL, "host:3:c") == []

    def test_only_entries_for_this_datlake(self, tmp_path: Path) -> None:
        journal = Journal(tmp_path / "o.sqlite3")
        journal.append(entry("r1"))
        assert journal.claim_group("http://127.0.0.1:9999", "me") == []

    def test_states_and_drop(self, tmp_path: Path) -> None:
        journal = Journal(tmp_path / "o.sqlite3")
        first = journal.append(entry("r1"))
        second = journal.append(entry("r2"))
        journal.mark_delivered(first)
        journal.mark_dead(second, "HTTP 409")
        assert journal.counts() == {"dead": 1, "delivered": 1}
        assert [e.last_error for e in journal.entries("dead")] == ["HTTP 409"]
        assert not journal.has_pending("r1")
        assert journal.drop([second]) == 1
        assert journal.counts() == {"delivered": 1}
