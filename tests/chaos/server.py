"""The real local Datlake as a subprocess (`python -m datlake_server`) on a fixed loopback port,
so it can be killed with SIGKILL and started again on the same port and data folder."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

__all__ = ["LocalDatlake", "free_port"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalDatlake:
    """`with LocalDatlake(data_dir, api_key) as server: server.url`; `kill()` sends SIGKILL,
    `start()` brings it back on the same port over the same data folder."""

    def __init__(
        self,
        data_dir: Path,
        api_key: str,
        port: int | None = None,
        default_lease: float | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.api_key = api_key
        self.port = free_port() if port is None else port
        self.default_lease = default_lease
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir.parent / f"{data_dir.name}-server.log"
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_timeout: float = 30.0) -> None:
        command = [sys.executable, "-m", "datlake_server", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--data", str(self.data_dir)]
        env = {**os.environ, "DATLAKE_API_KEY": self.api_key}
        if self.default_lease is not None:
            env["DATLAKE_DEFAULT_LEASE"] = str(self.default_lease)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.starts += 1
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"datlake server exited with {self.process.returncode}:\n{tail}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"datlake server not ready after {ready_timeout} s; see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush; whatever SQLite committed stays."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def __enter__(self) -> LocalDatlake:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
