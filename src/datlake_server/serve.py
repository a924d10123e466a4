"""Running the local Datlake with uvicorn: as the `datlake server` command, or in a thread.

>>> import tempfile, httpx
>>> with serve_in_thread(tempfile.mkdtemp(), api_key="k") as url:
...     httpx.get(f"{url}/api/v1/jobs/j/runs").status_code
401
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn

from datlake_sdk._config import is_loopback
from datlake_server.app import DatlakeApp, create_app
from datlake_server.lock import DataFolderInUse
from datlake_server.store import DEFAULT_LEASE_SECONDS

STARTUP_TIMEOUT = 30.0
SWITCH_INTERVAL = 0.001  # seconds


def base_url(host: str, port: int) -> str:
    return f"http://[{host.strip('[]')}]:{port}" if ":" in host else f"http://{host}:{port}"


class _Server(uvicorn.Server):
    """A uvicorn server that reports the port it really listens on once it accepts."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[int], None]) -> None:
        super().__init__(config)
        self._on_started = on_started

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._on_started(self.servers[0].sockets[0].getsockname()[1])


def _config(app: DatlakeApp, host: str, port: int, **options: Any) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host.strip("[]"),
        port=port,
        lifespan="on",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
        **options,
    )


def run_server(
    host: str,
    port: int,
    data_dir: Path,
    api_key: str | None,
    default_lease_seconds: float = DEFAULT_LEASE_SECONDS,
) -> int:
    """Serve until Ctrl-C or SIGTERM; the process exit code (0 after a clean shutdown).

    Without an API key the server is open, so it only listens on a loopback host. Runs start
    with a lease of `default_lease_seconds` (see `create_app`). A data folder another server
    uses, or one that cannot be made, is refused in one line on stderr (exit code 2).
    """
    if api_key is None and not is_loopback(host):
        print(
            f"datlake server: refusing to listen on {host} without an API key; pass --api-key"
            " (or set DATLAKE_API_KEY), or listen on a loopback host such as 127.0.0.1",
            file=sys.stderr,
        )
        return 2
    try:
        app = create_app(data_dir, api_key, default_lease_seconds=default_lease_seconds)
    except DataFolderInUse as in_use:
        print(f"datlake server: {in_use}", file=sys.stderr)
        return 2
    except OSError as error:  # a folder that cannot be made, or read
        print(f"datlake server: --data {data_dir}: {error.strerror or error}", file=sys.stderr)
        return 2

    def announce(real_port: int) -> None:
        auth = "on (Authorization: Bearer <key>)" if api_key else "off (open, loopback only)"
        print(f"Datlake listening on {base_url(host, real_port)}", flush=True)
        print(f"  data: {Path(data_dir).resolve()}", flush=True)
        print(f"  default lease: {app.store.default_lease_seconds:g} s", flush=True)
        print(f"  auth: {auth}", flush=True)

    # a handler busy in Python (a 10,000-node lineage graph) lets the others in every
    # millisecond rather than every 5 (the interpreter's default): the event loop, which every
    # request passes through, then waits at most that long for its turn
    sys.setswitchinterval(SWITCH_INTERVAL)
    server = _Server(_config(app, host, port), on_started=announce)
    try:
        with _graceful_signals():
            server.run()
    finally:
        app.close()
    if not server.started:
        return 1
    print("Datlake stopped", flush=True)
    return 0


@contextmanager
def _graceful_signals() -> Iterator[None]:
    """uvicorn re-raises the signal that stopped it once it has shut down; with these no-op
    handlers underneath, that ends the process normally (exit 0) rather than by the signal."""

    def ignore(signum: int, frame: FrameType | None) -> None:
        return None

    previous = {sig: signal.signal(sig, ignore) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def serve_app(app: DatlakeApp, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `app` from a thread; yields its base URL once it accepts, stops it on exit."""
    started = threading.Event()
    ports: list[int] = []

    def on_started(real_port: int) -> None:
        ports.append(real_port)
        started.set()

    server = _Server(_config(app, host, port, log_config=None), on_started=on_started)
    thread = threading.Thread(target=server.run, name="datlake-server", daemon=True)
    thread.start()
    while not started.wait(0.05):
        if not thread.is_alive():
            raise RuntimeError(f"the Datlake server on {host}:{port} failed to start")
    try:
        yield base_url(host, ports[0])
    finally:
        server.should_exit = True
        thread.join(STARTUP_TIMEOUT)
        app.close()


@contextmanager
def serve_in_thread(
    data_dir: str | Path,
    api_key: str | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    validate_responses: bool = False,
    default_lease_seconds: float = DEFAULT_LEASE_SECONDS,
) -> Iterator[str]:
    """A local Datlake over `data_dir`, served from a thread; yields its base URL.

    `port=0` picks a free port. The server stops (and closes its database) on exit.
    """
    app = create_app(
        Path(data_dir),
        api_key,
        validate_responses=validate_responses,
        default_lease_seconds=default_lease_seconds,
    )
    with serve_app(app, host, port) as url:
        yield url
