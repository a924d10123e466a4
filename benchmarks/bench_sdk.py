"""SDK overhead: `start_run` through the SDK against the same request sent with raw httpx (over a
`MockTransport`, and over loopback to the local Datlake), the OpenLineage client's `emit`
against the same POST with raw requests (its own transport) as a peer, and
`import datlake_sdk.functional` against `import httpx`. Both sides of each ratio run in the same
process (or the same kind of fresh subprocess), interleaved, so the ratios compare like with
like; each figure is the median of the rounds, with their spread.

    python -m benchmarks            # every bench_*.run(), written to BENCHMARKS.md
    python benchmarks/bench_sdk.py  # this section only
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

BASE_URL = "http://127.0.0.1:8765"
API_KEY = "bench-key"
RUN_JSON = {
    "job_name": "daily_users",
    "run_id": "3f2a9c1e5b7d4e0f8a6b2c4d6e8f0a1b",
    "status": "running",
    "created_at": "2026-11-27T01:00:00Z",
    "metadata": {"source": "s3"},
    "extra": {},
    "artifacts": [],
    "inputs": [],
    "outputs": [],
}
CALL_TARGET = 1.15
LOOPBACK_TARGET = 1.05
IMPORT_TARGET = 1.3
ROUNDS = max(5, int(os.environ.get("DATLAKE_BENCH_ROUNDS", "7")))
# Modules `import datlake_sdk` must not pull in: server code, spec tooling, the retry library.
HEAVY = ("datlake_server", "openapi_core", "yaml", "stamina", "tenacity", "respx")


def _transport() -> httpx.MockTransport:
    body = json.dumps(RUN_JSON).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        headers = {"Content-Type": "application/json"}
        if rid := request.headers.get("X-Request-Id"):
            headers["X-Request-Id"] = rid
        return httpx.Response(201, content=body, headers=headers)

    return httpx.MockTransport(handler)


def _sdk_call(transport: httpx.MockTransport) -> Callable[[], object]:
    from datlake_sdk import DatlakeClient
    from datlake_sdk.functional import Ok, start_run

    client = DatlakeClient(BASE_URL, API_KEY, transport=transport)

    def call() -> object:
        result = start_run(client, "daily_users", metadata={"source": "s3"})
        if not isinstance(result, Ok):
            raise RuntimeError(f"start_run failed: {result}")
        return result.value

    return call


def _raw_call(transport: httpx.MockTransport) -> Callable[[], object]:
    client = httpx.Client(
        base_url=BASE_URL, headers={"Authorization": f"Bearer {API_KEY}"}, transport=transport
    )

    def call() -> object:
        response = client.post(
            "/api/v1/jobs/daily_users/runs",
            json={"metadata": {"source": "s3"}},
            headers={"Idempotency-Key": str(uuid.uuid4()), "X-Request-Id": uuid.uuid4().hex},
        )
        response.raise_for_status()
        return response.json()

    return call


def _per_call_us(call: Callable[[], object], number: int) -> float:
    started = time.perf_counter()
    for _ in range(number):
        call()
    return (time.perf_counter() - started) / number * 1e6


def _interleaved(
    first: Callable[[], object], second: Callable[[], object], number: int, rounds: int = ROUNDS
) -> tuple[list[float], list[float]]:
    """Per-call microseconds of `first` and `second`, one round of each after the other."""
    for call in (first, second):  # warm up: imports, pools, caches
        _per_call_us(call, max(10, number // 5))
    firsts, seconds = [], []
    for _ in range(rounds):
        firsts.append(_per_call_us(first, number))
        seconds.append(_per_call_us(second, number))
    return firsts, seconds


def bench_calls(number: int = 300) -> tuple[list[float], list[float]]:
    """Per-call microseconds of (SDK, raw httpx) over one `MockTransport`, per round."""
    transport = _transport()
    return _interleaved(_sdk_call(transport), _raw_call(transport), number)


def bench_loopback(number: int = 200) -> tuple[list[float], list[float]]:
    """Per-call microseconds of `start_run` (SDK, raw httpx) against a local Datlake process."""
    from benchmarks.bench_server import API_KEY as SERVER_KEY
    from benchmarks.bench_server import server
    from datlake_sdk import DatlakeClient
    from datlake_sdk.functional import Ok, start_run

    with (
        tempfile.TemporaryDirectory(prefix="datlake-bench-sdk-") as tmp,
        server(Path(tmp) / "data") as (url, _pid),
    ):
        sdk = DatlakeClient(url, SERVER_KEY)
        raw = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {SERVER_KEY}"})

        def sdk_call() -> object:
            result = start_run(sdk, "daily_users", metadata={"source": "s3"})
            if not isinstance(result, Ok):
                raise RuntimeError(f"start_run failed: {result}")
            return result.value

        def raw_call() -> object:
            response = raw.post(
                "/api/v1/jobs/daily_users/runs",
                json={"run_id": uuid.uuid4().hex, "metadata": {"source": "s3"}},
                headers={"Idempotency-Key": str(uuid.uuid4()), "X-Request-Id": uuid.uuid4().hex},
            )
            response.raise_for_status()
            return response.json()

        try:
            return _interleaved(sdk_call, raw_call, number)
        finally:
            sdk.close()
            raw.close()


# A bare HTTP/1.1 endpoint (stdlib, its own process, a thread per connection) that accepts any
# POST: the OpenLineage client and raw requests both send to it.
_SINK = """
import http.server, sys
class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once, as a real server sends them
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(201)
        self.send_header("Content-Length", "2")
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


@contextmanager
def _sink() -> Iterator[str]:
    process = subprocess.Popen([sys.executable, "-c", _SINK], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    try:
        yield f"http://127.0.0.1:{process.stdout.readline().strip()}"
    finally:
        process.kill()
        process.wait()


def bench_openlineage(number: int = 200) -> tuple[list[float], list[float]] | None:
    """Per-call microseconds of the OpenLineage client's `emit` of a START event and of the
    same JSON posted with a raw `requests.Session`, over loopback; `None` without the client."""
    try:
        import requests
        from openlineage.client import OpenLineageClient
        from openlineage.client.event_v2 import Job, Run, RunEvent, RunState
        from openlineage.client.serde import Serde
        from openlineage.client.transport.http import HttpConfig, HttpTransport
    except ImportError:
        return None

    def event() -> RunEvent:
        return RunEvent(
            eventType=RunState.START,
            eventTime="2026-11-27T01:00:00Z",
            run=Run(runId=str(uuid.uuid4())),
            job=Job(namespace="datlake", name="daily_users"),
            producer="https://example.com/bench",
        )

    with _sink() as url:
        client = OpenLineageClient(transport=HttpTransport(HttpConfig(url=url)))
        session = requests.Session()
        body = Serde.to_json(event())

        def raw_post() -> object:
            response = session.post(
                f"{url}/api/v1/lineage", data=body, headers={"Content-Type": "application/json"}
            )
            response.raise_for_status()
            return response

        try:
            return _interleaved(lambda: client.emit(event()), raw_post, number)
        finally:
            session.close()


# One fresh interpreter times `import httpx`, then what `import datlake_sdk` adds on top: the
# two figures share the process and the moment, so the machine's noise cancels out of the ratio.
_IMPORT_PROBE = f"""
import sys, time
started = time.perf_counter()
import httpx
middle = time.perf_counter()
import datlake_sdk.functional
ended = time.perf_counter()
heavy = [m for m in {HEAVY!r} if m in sys.modules]
print(middle - started, ended - middle, " ".join(heavy))
"""


def bench_imports(runs: int = 15) -> tuple[float, float, list[str]]:
    """Seconds of (`import datlake_sdk.functional` in all, `import httpx`) in the run with the
    median ratio among `runs` fresh interpreters, and the heavy modules any of them loaded."""
    samples: list[tuple[float, float]] = []
    heavy: set[str] = set()
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", _IMPORT_PROBE], capture_output=True, text=True, check=True
        )
        httpx_s, rest_s, *loaded = done.stdout.split()
        samples.append((float(httpx_s) + float(rest_s), float(httpx_s)))
        heavy.update(loaded)
    samples.sort(key=lambda sample: sample[0] / sample[1])
    sdk_s, httpx_s = samples[len(samples) // 2]
    return sdk_s, httpx_s, sorted(heavy)


def _verdict(ratio: float, target: float) -> str:
    return "within target" if ratio <= target else "**over target**"


def _spread(values: list[float], unit: str = "", digits: int = 2) -> str:
    return (
        f"{statistics.median(values):.{digits}f}{unit} "
        f"({min(values):.{digits}f} to {max(values):.{digits}f})"
    )


def _ratio_row(
    measure: str, pair: tuple[list[float], list[float]], baseline: str, target: float | None
) -> tuple[str, float]:
    ours, theirs = pair
    ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
    median = statistics.median(ratios)
    verdict = "peer" if target is None else f"<= {target}x ({_verdict(median, target)})"
    return (
        f"| {measure} | {_spread(ours, ' µs', 1)} | {_spread(theirs, ' µs', 1)} ({baseline}) "
        f"| {_spread(ratios, 'x')} | {verdict} |",
        statistics.median(ours) - statistics.median(theirs),
    )


def run() -> str:
    """The markdown section for BENCHMARKS.md."""
    mock_row, mock_added = _ratio_row(
        "`start_run`, `MockTransport`", bench_calls(), "raw httpx", CALL_TARGET
    )
    loop_row, loop_added = _ratio_row(
        "`start_run`, loopback to the local Datlake",
        bench_loopback(),
        "raw httpx",
        LOOPBACK_TARGET,
    )
    emitted = bench_openlineage()
    peer_row = (
        "| OpenLineage `emit`, loopback | openlineage-python is not installed | | | peer |"
        if emitted is None
        else _ratio_row("OpenLineage `client.emit`, loopback", emitted, "raw requests", None)[0]
    )
    sdk_import, httpx_import, heavy = bench_imports()
    import_ratio = sdk_import / httpx_import
    return "\n".join(
        [
            "## SDK overhead",
            "",
            "`start_run` through `datlake_sdk.functional` against the same POST sent with raw",
            "httpx (JSON decoded, nothing else): through one `httpx.MockTransport` returning a",
            "valid Run (no network, no server: the worst case for the ratio), and over loopback",
            "to the local Datlake in its own process. As a peer, the OpenLineage client's `emit`",
            "of a START event against the same JSON posted with a raw `requests.Session` (its",
            f"own transport) to a bare HTTP endpoint. Per call; {ROUNDS} interleaved rounds, the",
            "median (lowest to highest).",
            "",
            "| measure | ours | baseline | ratio | target |",
            "|---|---:|---:|---:|---:|",
            mock_row,
            loop_row,
            peer_row,
            f"| `import datlake_sdk.functional`, fresh interpreter | {sdk_import * 1000:.1f} ms | "
            f"{httpx_import * 1000:.1f} ms (`import httpx`) | {import_ratio:.2f}x "
            f"| <= {IMPORT_TARGET}x ({_verdict(import_ratio, IMPORT_TARGET)}) |",
            "",
            f"Per call the SDK adds {mock_added:.0f} µs over a `MockTransport` and "
            f"{loop_added:.0f} µs over loopback: name checks, ids and an idempotency key, the",
            "parse into the generated model and the checked conversion to the SDK's own `Run`,",
            "the translator and the policies.",
            "",
            "Import: each of 15 fresh interpreters times `import httpx`, then what",
            "`import datlake_sdk.functional` adds on top (the SDK's total includes httpx); the run",
            "with the median ratio is shown.",
            "Heavy modules loaded by `import datlake_sdk.functional` "
            f"(checked: {', '.join(HEAVY)}): {', '.join(heavy) or 'none'}.",
            "",
        ]
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    print(run())
