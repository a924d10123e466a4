"""The `datlake` command's manners: `--version`, defaults in every `--help`, one line and exit
code 2 for bad usage, a missing extra, a data folder that is a file or already served."""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from datlake_sdk import cli
from datlake_sdk.cli import cache, conformance, outbox, server


def datlake(
    *args: str, code: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`python -m datlake_sdk.cli ARGS`, or `python -c CODE` running `main(ARGS)`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATLAKE_")}
    command = [sys.executable, "-m", "datlake_sdk.cli", *args]
    if code is not None:
        command = [sys.executable, "-c", code]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def test_version_names_the_distribution_and_its_version() -> None:
    result = datlake("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"datlake-sdk {importlib.metadata.version('datlake-sdk')}\n"


def _parsers() -> Iterator[argparse.ArgumentParser]:
    """Every parser of every command, subcommands included."""
    todo = [
        cli.build_parser(),
        server.build_parser(),
        conformance.build_parser(),
        outbox.build_parser(),
        cache.build_parser(),
    ]
    while todo:
        parser = todo.pop()
        yield parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                todo.extend(action.choices.values())


def test_every_option_with_a_value_shows_its_default_in_help() -> None:
    checked = 0
    for parser in _parsers():
        formatter = parser._get_formatter()
        for action in parser._actions:
            if not action.option_strings or action.nargs == 0 or action.required:
                continue  # --help, --version, flags, and options without a default
            shown = formatter._get_help_string(action) or ""  # type: ignore[attr-defined]
            assert "default" in shown, f"{parser.prog} {action.option_strings[0]}: {shown}"
            checked += 1
    assert checked >= 8


def test_server_help_shows_the_defaults() -> None:
    result = datlake("server", "--help")
    assert result.returncode == 0
    help_text = " ".join(result.stdout.split())
    for default in ("(default: 127.0.0.1)", "(default: 8765)", "(default: .datlake)"):
        assert default in help_text


@pytest.mark.parametrize("port", ["70000", "-1", "http"])
def test_a_port_out_of_range_is_one_line(tmp_path: Path, port: str) -> None:
    result = datlake("server", "--port", port, "--data", str(tmp_path / "d"))
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert line.startswith("datlake server: argument --port: not a port")
    assert "0 to 65535" in line
    assert not (tmp_path / "d").exists()


def test_a_data_folder_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data.txt"
    data.write_text("not a folder")
    result = datlake("server", "--port", "0", "--data", str(data))
    assert result.returncode == 2
    assert one_line(result.stderr) == f"datlake server: --data {data}: not a folder" + (
        " (name a folder, or one to make)"
    )
    below = datlake("server", "--port", "0", "--data", str(data / "sub"))
    assert below.returncode == 2
    assert one_line(below.stderr).startswith(f"datlake server: --data {data / 'sub'}: ")


@pytest.mark.parametrize("module", ["starlette", "uvicorn", "openapi_core"])
def test_the_server_without_its_extra_names_the_pip_install(tmp_path: Path, module: str) -> None:
    code = (
        f"import sys; sys.modules[{module!r}] = None; from datlake_sdk.cli import main; "
        f"raise SystemExit(main(['server', '--port', '0', '--data', {str(tmp_path)!r}]))"
    )
    result = datlake(code=code)
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert line.startswith("datlake server: the server extra is not installed")
    assert line.endswith("pip install 'datlake-sdk[server]'")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("module", "package", "extra"),
    [
        ("respx", "datlake_sdk.testing", "testing"),
        ("openapi_core", "datlake_sdk.testing.pytest_plugin", "testing"),
        ("starlette", "datlake_server", "server"),
    ],
)
def test_importing_a_package_without_its_extra_says_what_to_install(
    module: str, package: str, extra: str
) -> None:
    code = (
        f"import sys; sys.modules[{module!r}] = None\n"
        f"try:\n    import {package}\n"
        "except ImportError as error:\n"
        "    print(type(error).__name__, error.name.split('.')[0], error)\n"
    )
    result = datlake(code=code)
    assert result.returncode == 0, result.stderr
    assert one_line(result.stdout) == (
        f"ModuleNotFoundError {module} {package.split('.pytest_plugin')[0]}: the {extra} extra"
        f" is not installed (no module {module}): pip install 'datlake-sdk[{extra}]'"
    )


def test_a_second_server_on_one_data_folder_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("DATLAKE_API_KEY", None)
    first = subprocess.Popen(
        [sys.executable, "-m", "datlake_sdk.cli", "server", "--port", "0", "--data", str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert first.stdout is not None
        banner = first.stdout.readline()
        assert banner.startswith("Datlake listening on"), banner
        second = datlake("server", "--port", "0", "--data", str(data))
        assert second.returncode == 2
        assert one_line(second.stderr) == (
            f"datlake server: another datlake server uses {data.resolve()} (pid {first.pid})"
        )
        assert second.stdout == ""
    finally:
        first.terminate()
        first.communicate(timeout=30)
    assert first.returncode == 0
    # once the first has stopped, the folder serves again
    again = subprocess.Popen(
        [sys.executable, "-m", "datlake_sdk.cli", "server", "--port", "0", "--data", str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert again.stdout is not None
        assert again.stdout.readline().startswith("Datlake listening on")
    finally:
        again.terminate()
        again.communicate(timeout=30)


def test_the_lock_is_held_in_process_too_and_released_on_close(tmp_path: Path) -> None:
    from datlake_server import create_app, serve_in_thread
    from datlake_server.lock import DataFolderInUse

    held = re.escape(f"another datlake server uses {tmp_path.resolve()} (pid {os.getpid()})")
    with serve_in_thread(tmp_path), pytest.raises(DataFolderInUse, match=held):
        create_app(tmp_path, None)
    create_app(tmp_path, None).close()  # free again once the first has stopped


def test_usage_errors_are_one_line_with_exit_code_2() -> None:
    for args in (["nope"], ["outbox", "flush", "--timeout", "soon"], ["conformance"]):
        result = datlake(*args)
        assert result.returncode == 2, args
        line = one_line(result.stderr)
        assert line.startswith("datlake"), line
        assert "--help" in line


def test_without_a_command_the_help_goes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    assert "COMMAND" in capsys.readouterr().err
