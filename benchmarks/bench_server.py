"""The local Datlake under load: run lifecycle calls, and a large streamed upload.

* start+complete pairs (two validated JSON requests) through the SDK, per second and their
  p50/p99 latency, against the same pair sent with raw httpx and against raw
  `GET /api/v1/health`, all on the same server, interleaved in the same run;
* a large object (1 GiB; `DATLAKE_BENCH_BIG_MB` to change it) streamed from a file with the SDK's
  `upload_file` (and with raw httpx), against `curl -T` of the same file to the same server:
  throughput, the client's peak memory and the server's peak memory (VmHWM of its process,
  reset before each upload).

The server runs in its own process (`python -m datlake_server`), as it would for real jobs.

    python benchmarks/bench_server.py   # this section only
"""

from __future__ import annotations

import hashlib
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

API_KEY = "bench-" + uuid.uuid4().hex
CURL = "/usr/bin/curl"
BIG_MB = int(os.environ.get("DATLAKE_BENCH_BIG_MB", "1024"))

# Each upload runs in a fresh interpreter so that its peak memory is its own.
SDK_UPLOAD = """
import sys
from datlake_sdk import DatlakeClient
from datlake_sdk.functional import upload_file, unwrap
url, key, path, bucket, name = sys.argv[1:6]
with DatlakeClient(base_url=url, api_key=key, timeout=600) as client:
    print(unwrap(upload_file(client, bucket, name, path)).sha256)
"""
HTTPX_UPLOAD = """
import sys, httpx
url, key, path = sys.argv[1:4]
with open(path, "rb") as body, httpx.Client(timeout=600) as client:
    response = client.put(url, content=body, headers={"Authorization": f"Bearer {key}"})
    response.raise_for_status()
    print(response.json()["sha256"])
"""


@contextmanager
def server(data: Path) -> Iterator[tuple[str, int]]:
    """A `datlake server` process on a free port; yields its base URL and pid."""
    with listening(
        [sys.executable, "-m", "datlake_server", "--port", "0", "--data", str(data),
         "--api-key", API_KEY]
    ) as found:  # fmt: skip
        yield found


@contextmanager
def listening(command: list[str]) -> Iterator[tuple[str, int]]:
    """A server process whose first line says `listening on URL`; yields the URL and pid."""
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    if "listening on " not in line:
        process.kill()
        raise RuntimeError(f"the server did not start: {line}{process.communicate()[0]}")
    try:
        yield line.split("listening on ", 1)[1].strip(), process.pid
    finally:
        process.terminate()
        process.communicate(timeout=60)


# --- run lifecycle -------------------------------------------------------------------------


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _timed(call: Callable[[], object], number: int) -> list[float]:
    latencies = []
    for _ in range(number):
        started = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - started)
    return latencies


def bench_pairs(
    url: str, rounds: int = 6, number: int = 100
) -> tuple[list[float], list[float], list[float]]:
    """Latencies (seconds) of start+complete pairs through the SDK and with raw httpx, and of
    health requests, interleaved."""
    from datlake_sdk import DatlakeClient
    from datlake_sdk.functional import complete_run, start_run, unwrap

    sdk = DatlakeClient(base_url=url, api_key=API_KEY)
    client = httpx.Client(base_url=f"{url}/api/v1", headers={"Authorization": f"Bearer {API_KEY}"})

    def sdk_pair() -> None:
        run = unwrap(start_run(sdk, "bench_job", metadata={"source": "bench"}))
        unwrap(complete_run(sdk, run, success=True))

    def pair() -> None:
        run = client.post("/jobs/bench_job/runs", json={"metadata": {"source": "bench"}})
        run.raise_for_status()
        done = client.put(
            f"/jobs/bench_job/runs/{run.json()['run_id']}/complete", json={"success": True}
        )
        done.raise_for_status()

    def health() -> None:
        client.get("/health").raise_for_status()

    _timed(sdk_pair, 20)  # warm up
    _timed(pair, 20)
    _timed(health, 20)
    sdk_pairs: list[float] = []
    pairs: list[float] = []
    healths: list[float] = []
    for _ in range(rounds):
        sdk_pairs += _timed(sdk_pair, number)
        pairs += _timed(pair, number)
        healths += _timed(health, number)
    client.close()
    sdk.close()
    return sdk_pairs, pairs, healths


# --- large upload --------------------------------------------------------------------------


def _make_file(path: Path, megabytes: int) -> str:
    block = os.urandom(1 << 20)
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for index in range(megabytes):
            chunk = index.to_bytes(8, "big") + block[8:]
            out.write(chunk)
            digest.update(chunk)
    return digest.hexdigest()


def _reset_peak(pid: int) -> bool:
    """Reset the process's VmHWM (Linux >= 4.0, `5 > /proc/<pid>/clear_refs`)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for process {pid}")


def _run_measured(command: list[str]) -> tuple[float, int, str]:
    """Run `command`; its wall seconds, its peak RSS (KiB) and its stdout.

    The peak is the child's VmHWM, polled once it runs `command`: `ru_maxrss` would also count
    this interpreter's memory, which a forked child shares until it execs.
    """
    expected = "\0".join(command).encode()
    peak = 0
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err)
        while process.poll() is None:
            try:
                if Path(f"/proc/{process.pid}/cmdline").read_bytes().rstrip(b"\0") == expected:
                    peak = max(peak, _status_kib(process.pid, "VmHWM"))
            except (OSError, RuntimeError):
                pass  # it just exited
            time.sleep(0.01)
        elapsed = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({process.returncode}): {stderr}{stdout}")
    return elapsed, peak, stdout


def bench_upload(url: str, pid: int, path: Path, expected: str) -> dict[str, dict[str, float]]:
    """Upload `path` with the SDK, raw httpx and curl; per tool: seconds, client and server
    peak KiB."""
    results: dict[str, dict[str, float]] = {}
    tools: dict[str, Callable[[str], list[str]]] = {
        "SDK upload_file": lambda _target: [
            sys.executable, "-c", SDK_UPLOAD, url, API_KEY, str(path), "bench", "sdk/big.bin",
        ],
        "httpx": lambda target: [sys.executable, "-c", HTTPX_UPLOAD, target, API_KEY, str(path)],
    }  # fmt: skip
    if Path(CURL).exists():
        tools["curl -T"] = lambda target: [
            CURL, "-sS", "--fail", "-T", str(path), "-H", f"Authorization: Bearer {API_KEY}",
            "-H", "Content-Type: application/octet-stream", target,
        ]  # fmt: skip
    for name, command in tools.items():
        target = f"{url}/api/v1/datasets/bench/{name.split()[0]}%2Fbig.bin"
        resettable = _reset_peak(pid)
        server_before = _status_kib(pid, "VmRSS")
        seconds, client_peak, out = _run_measured(command(target))
        if expected not in out:
            raise RuntimeError(f"{name}: the server stored other bytes: {out}")
        results[name] = {
            "seconds": seconds,
            "client_peak_kib": client_peak,
            "server_peak_kib": _status_kib(pid, "VmHWM"),
            "server_before_kib": server_before,
            "resettable": float(resettable),
        }
    return results


# --- report --------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _mib(kib: float) -> str:
    return f"{kib / 1024:.0f} MiB"


def run() -> str:
    """The markdown section for BENCHMARKS.md."""
    with tempfile.TemporaryDirectory(prefix="datlake-bench-") as tmp:
        folder = Path(tmp)
        with server(folder / "data") as (url, pid):
            sdk_pairs, pairs, healths = bench_pairs(url)
            big = folder / "big.bin"
            expected = _make_file(big, BIG_MB)
            uploads = bench_upload(url, pid, big, expected)
            big.unlink()

    sdk_p50, sdk_p99 = statistics.median(sdk_pairs), _percentile(sdk_pairs, 0.99)
    pair_p50, pair_p99 = statistics.median(pairs), _percentile(pairs, 0.99)
    health_p50, health_p99 = statistics.median(healths), _percentile(healths, 0.99)
    sdk_rate, raw_rate = len(sdk_pairs) / sum(sdk_pairs), len(pairs) / sum(pairs)
    lines = [
        "## Local Datlake server",
        "",
        "`python -m datlake_server` in its own process; sequential calls over one keep-alive",
        "connection. A pair is `start_run` + `complete_run`: two JSON requests, each",
        "authenticated, checked against the spec (validators compiled from it) and written to",
        "SQLite; the SDK's pair is `start_run` and `complete_run` from `datlake_sdk.functional`,",
        "the baseline the same two requests with raw httpx. `GET /api/v1/health` (no auth, no",
        "body, no database) shows the floor. Interleaved: "
        f"{len(sdk_pairs)} SDK pairs, {len(pairs)} raw pairs, {len(healths)} health requests.",
        "",
        "| measure | SDK pair | baseline: raw httpx pair | ratio | health GET |",
        "|---|---:|---:|---:|---:|",
        f"| p50 latency | {_ms(sdk_p50)} | {_ms(pair_p50)} | {sdk_p50 / pair_p50:.2f}x "
        f"| {_ms(health_p50)} |",
        f"| p99 latency | {_ms(sdk_p99)} | {_ms(pair_p99)} | {sdk_p99 / pair_p99:.2f}x "
        f"| {_ms(health_p99)} |",
        f"| per second | {sdk_rate:.0f} pairs/s | {raw_rate:.0f} pairs/s | "
        f"{sdk_rate / raw_rate:.2f}x | {len(healths) / sum(healths):.0f} requests/s |",
        "",
        f"Per request, a pair costs {pair_p50 / 2 / health_p50:.2f}x a health check (p50): the",
        "server's time goes to validating against the spec and writing to SQLite.",
        "",
        f"### Upload of a {BIG_MB} MiB object",
        "",
        "The same file (random bytes) streamed to the same server, `Content-Length` known: the",
        "SDK's `upload_file` (which hashes the file once it is sent, the server being on this",
        "machine, and checks the server's receipt against that digest) and raw httpx reading",
        "the open file, each in a fresh interpreter, against `curl -T` in the same run (one",
        "round: the SDK's target is in the client section's interleaved rounds).",
        "The server hashes and writes the body as it arrives and fsyncs before answering.",
        "",
    ]
    if "curl -T" not in uploads:
        lines += [f"`{CURL}` is missing: no curl baseline in this run.", ""]
    lines += [
        "| client | throughput | client peak RSS | server peak RSS (before) |",
        "|---|---:|---:|---:|",
    ]
    for name, figures in uploads.items():
        throughput = BIG_MB / figures["seconds"]
        lines.append(
            f"| {name} | {throughput:.0f} MiB/s ({figures['seconds']:.1f} s) | "
            f"{_mib(figures['client_peak_kib'])} | {_mib(figures['server_peak_kib'])} "
            f"({_mib(figures['server_before_kib'])}) |"
        )
    if "curl -T" in uploads:
        curl_fig = uploads["curl -T"]
        lines.append("")
        for name in ("SDK upload_file", "httpx"):
            fig = uploads[name]
            lines.append(
                f"{name} against curl: {curl_fig['seconds'] / fig['seconds']:.2f}x the "
                f"throughput, {fig['client_peak_kib'] / curl_fig['client_peak_kib']:.2f}x the "
                f"client memory; server peak during the {name} upload "
                f"{fig['server_peak_kib'] / curl_fig['server_peak_kib']:.2f}x that during "
                "curl's."
            )
    if not all(figures["resettable"] for figures in uploads.values()):
        lines += ["", "VmHWM could not be reset here: server peaks are since its start."]
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
