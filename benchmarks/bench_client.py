"""The client at scale, against a local Datlake in its own process:

* one `DatlakeClient` shared by 1,000 threads, each running a pipeline (`start_run`, then
  `complete_run`), against a client per thread doing the same;
* 1,000 concurrent runs (`AsyncJobContext`: start, complete) from one `AsyncDatlakeClient`,
  against the same two requests sent with one raw `httpx.AsyncClient`;
* a download and an upload of the same object with the SDK (sync and async) against `curl`,
  at 100 MiB and 1 GiB, with the client's peak memory.

Every figure is the median of interleaved rounds (`DATLAKE_BENCH_ROUNDS`, 5 by default; the
transfers, which swing from one to the next by more than the 5% an upload may lose, three
times as many at 100 MiB and twice as many less one at 1 GiB), with the spread (lowest to
highest) shown.

    python -m benchmarks client   # this section only
    DATLAKE_BENCH_ONLY=objects python -m benchmarks client   # its objects table only
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from benchmarks.bench_server import API_KEY, CURL, _make_file, _run_measured, server

ROUNDS = int(os.environ.get("DATLAKE_BENCH_ROUNDS", "5"))
PIPELINES = int(os.environ.get("DATLAKE_BENCH_PIPELINES", "1000"))
ONLY_OBJECTS = os.environ.get("DATLAKE_BENCH_ONLY") == "objects"
TASKS = 200  # concurrent async runs per round of the ratio; one more round runs PIPELINES
# 1,000 calls at once queue for the pool's 100 connections, and a call's wait counts against
# its deadline: every client here (and the raw baselines) has minutes, not the default 30 s
TIMEOUT = 300.0
RETRY = "deadline_s=600"
SIZES_MB = (100, 1024)
TRANSFER_ROUNDS = {100: 3 * ROUNDS, 1024: 2 * ROUNDS - 1}  # per size: the big ones take long
SHARED_TARGET = 0.8
DOWNLOAD_TARGET = 0.8
UPLOAD_TARGET = 0.95
FLAT_MIB = 10

# Each transfer runs in a fresh interpreter (its peak memory is its own) and prints its digest
# and the seconds of the transfer itself, as curl's `%{time_total}` does: start-up is not timed.
# Start-up includes a warm-up call of the same operation (an empty upload, the download of a
# missing object): the SDK loads the generated layer of an operation on its first use (about
# 0.1 s, which curl has no counterpart of).
SDK_DOWNLOAD = """
import sys, time
from datlake_sdk import DatlakeClient
from datlake_sdk.functional import download_object, unwrap
url, key, bucket, name, dest = sys.argv[1:6]
with DatlakeClient(base_url=url, api_key=key, timeout=600) as client:
    download_object(client, bucket, "warm-up", dest)
    started = time.perf_counter()
    sha256 = unwrap(download_object(client, bucket, name, dest)).sha256
    print(sha256, time.perf_counter() - started)
"""
SDK_UPLOAD = """
import os, sys, time
from datlake_sdk import DatlakeClient
from datlake_sdk.functional import upload_file, unwrap
url, key, path, bucket, name = sys.argv[1:6]
with DatlakeClient(base_url=url, api_key=key, timeout=600) as client:
    unwrap(upload_file(client, bucket, "warm-up", os.devnull))
    started = time.perf_counter()
    sha256 = unwrap(upload_file(client, bucket, name, path)).sha256
    print(sha256, time.perf_counter() - started)
"""
# The async twin of both: `sys.argv[1]` names the operation, the rest are its arguments
# (`upload_file`: path, bucket, name; `download_object`: bucket, name, dest).
SDK_ASYNC_TRANSFER = """
import asyncio, os, sys, time
from datlake_sdk import aio
from datlake_sdk.functional import unwrap
operation, url, key, *args = sys.argv[1:]
if operation == "upload_file":
    args = [args[1], args[2], args[0]]
warm_up = [args[0], "warm-up", os.devnull if operation == "upload_file" else args[2]]
async def main():
    async with aio.AsyncDatlakeClient(base_url=url, api_key=key, timeout=600) as client:
        await getattr(aio, operation)(client, *warm_up)
        started = time.perf_counter()
        sha256 = unwrap(await getattr(aio, operation)(client, *args)).sha256
        print(sha256, time.perf_counter() - started)
asyncio.run(main())
"""
CURL_TIME = ["-w", "- %{time_total}\\n"]
# (client, direction, target) rows of the transfer table, each against curl's same direction
TRANSFER_ROWS = (
    ("sdk", "download", DOWNLOAD_TARGET),
    ("aio", "download", DOWNLOAD_TARGET),
    ("sdk", "upload", UPLOAD_TARGET),
    ("aio", "upload", UPLOAD_TARGET),
)
CLIENT_NAMES = {"sdk": "`DatlakeClient`", "aio": "`AsyncDatlakeClient`"}


def _spread(values: list[float], unit: str = "", digits: int = 2) -> str:
    return (
        f"{statistics.median(values):.{digits}f}{unit} "
        f"({min(values):.{digits}f} to {max(values):.{digits}f})"
    )


# --- threads ---------------------------------------------------------------------------------


def _pipelines(url: str, shared: bool, job: str) -> tuple[float, int]:
    """Seconds for PIPELINES threads to run a pipeline each, and how many failed."""
    from datlake_sdk import DatlakeClient
    from datlake_sdk.functional import Err, and_then, complete_run, start_run

    client = DatlakeClient(url, API_KEY, timeout=TIMEOUT, retry=RETRY) if shared else None

    def pipeline(_: int) -> bool:
        own = client or DatlakeClient(url, API_KEY, timeout=TIMEOUT, retry=RETRY)
        try:
            done = and_then(start_run(own, job), lambda run: complete_run(own, run, True))
            return not isinstance(done, Err)
        finally:
            if client is None:
                own.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(PIPELINES) as threads:
        outcomes = list(threads.map(pipeline, range(PIPELINES)))
    elapsed = time.perf_counter() - started
    if client is not None:
        client.close()
    return elapsed, outcomes.count(False)


def bench_threads(url: str) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {"shared": [], "per_thread": [], "errors": []}
    for _ in range(ROUNDS):
        for kind in ("shared", "per_thread"):
            seconds, errors = _pipelines(url, kind == "shared", f"threads_{kind}")
            figures[kind].append(PIPELINES / seconds)
            figures["errors"].append(errors)
    return figures


# --- async -----------------------------------------------------------------------------------


async def _async_sdk(url: str, runs: int) -> tuple[float, int]:
    from datlake_sdk.aio import AsyncDatlakeClient, AsyncJobContext

    async def one(client: AsyncDatlakeClient) -> None:
        async with AsyncJobContext(client, "async_sdk", heartbeat_every=None):
            pass

    async with AsyncDatlakeClient(url, API_KEY, timeout=TIMEOUT, retry=RETRY) as client:
        started = time.perf_counter()
        outcomes = await asyncio.gather(*(one(client) for _ in range(runs)), return_exceptions=True)
        elapsed = time.perf_counter() - started
    return elapsed, sum(isinstance(outcome, BaseException) for outcome in outcomes)


async def _async_raw(url: str, runs: int) -> tuple[float, int]:
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    headers = {"Authorization": f"Bearer {API_KEY}"}

    async def one(client: httpx.AsyncClient) -> None:
        started = await client.post(
            "/jobs/async_raw/runs",
            json={"run_id": uuid.uuid4().hex, "metadata": {}},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        started.raise_for_status()
        run_id = started.json()["run_id"]
        done = await client.put(f"/jobs/async_raw/runs/{run_id}/complete", json={"success": True})
        done.raise_for_status()

    async with httpx.AsyncClient(
        base_url=f"{url}/api/v1", headers=headers, limits=limits, timeout=TIMEOUT
    ) as client:
        started = time.perf_counter()
        outcomes = await asyncio.gather(*(one(client) for _ in range(runs)), return_exceptions=True)
        elapsed = time.perf_counter() - started
    return elapsed, sum(isinstance(outcome, BaseException) for outcome in outcomes)


def bench_async(url: str) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {"sdk": [], "raw": [], "errors": [], "raw_errors": []}
    for _ in range(ROUNDS):
        seconds, errors = asyncio.run(_async_sdk(url, TASKS))
        figures["sdk"].append(TASKS / seconds)
        figures["errors"].append(errors)
        seconds, errors = asyncio.run(_async_raw(url, TASKS))
        figures["raw"].append(TASKS / seconds)
        figures["raw_errors"].append(errors)
    seconds, errors = asyncio.run(_async_sdk(url, PIPELINES))
    figures["all_at_once"] = [PIPELINES / seconds, errors]
    return figures


# --- transfers -------------------------------------------------------------------------------


def bench_transfers(url: str, folder: Path) -> dict[int, dict[str, list[float]]]:
    """Per size: MiB/s and peak client RSS (MiB) of SDK and curl, downloads and uploads."""
    results: dict[int, dict[str, list[float]]] = {}
    auth = f"Authorization: Bearer {API_KEY}"
    for size in SIZES_MB:
        source = folder / f"{size}.bin"
        expected = _make_file(source, size)
        name = f"{size}.bin"
        target = f"{url}/api/v1/datasets/bench/{name}"
        figures: dict[str, list[float]] = {}
        commands: dict[str, list[str]] = {
            "sdk upload": [sys.executable, "-c", SDK_UPLOAD, url, API_KEY, str(source), "bench",
                           name],
            "curl upload": [CURL, "-sS", "--fail", "-o", "/dev/null", *CURL_TIME, "-T",
                            str(source), "-H", auth, "-H", "Content-Type: application/octet-stream",
                            target],
            "sdk download": [sys.executable, "-c", SDK_DOWNLOAD, url, API_KEY, "bench", name,
                             str(folder / "sdk.out")],
            "aio upload": [sys.executable, "-c", SDK_ASYNC_TRANSFER, "upload_file", url, API_KEY,
                           str(source), "bench", name],
            "aio download": [sys.executable, "-c", SDK_ASYNC_TRANSFER, "download_object", url,
                             API_KEY, "bench", name, str(folder / "sdk.out")],
            "curl download": [CURL, "-sS", "--fail", "-o", str(folder / "curl.out"), *CURL_TIME,
                              "-H", auth, target],
        }  # fmt: skip
        _run_measured(commands["curl upload"])  # untimed: the object the downloads fetch
        for round_ in range(TRANSFER_ROUNDS[size]):
            # each SDK transfer right beside a curl one of the same direction (the machine's
            # speed drifts over seconds), the pairs and each pair's two in an order of their
            # own per round (the same in every run): no tool always follows the same one
            shuffled = random.Random(round_)
            for client, direction, _ in shuffled.sample(TRANSFER_ROWS, len(TRANSFER_ROWS)):
                pair = shuffled.sample([client, "curl"], 2)
                speeds = {
                    tool: _transfer(commands, f"{tool} {direction}", size, expected, figures)
                    for tool in pair
                }
                figures.setdefault(f"{client} {direction} ratio", []).append(
                    speeds[client] / speeds["curl"]
                )
        for leftover in (source, folder / "sdk.out", folder / "curl.out"):
            leftover.unlink(missing_ok=True)
        results[size] = figures
    return results


def _transfer(
    commands: dict[str, list[str]],
    tool: str,
    size: int,
    expected: str,
    figures: dict[str, list[float]],
) -> float:
    """Run `tool`'s transfer of `size` MiB; its MiB/s (also kept in `figures`, with its RSS)."""
    os.sync()  # every transfer starts with no dirty pages of the one before
    _, peak_kib, out = _run_measured(commands[tool])
    digest, seconds_text = out.split()[-2:]
    if not tool.startswith("curl") and digest != expected:
        raise RuntimeError(f"{tool}: other bytes than sent: {out}")
    speed = size / float(seconds_text)
    figures.setdefault(f"{tool} MiB/s", []).append(speed)
    figures.setdefault(f"{tool} RSS", []).append(peak_kib / 1024)
    return speed


# --- report ----------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _ratios(top: list[float], bottom: list[float]) -> list[float]:
    return [a / b for a, b in zip(top, bottom, strict=True)]


def run() -> str:
    """The markdown section for BENCHMARKS.md."""
    with tempfile.TemporaryDirectory(prefix="datlake-bench-client-") as tmp:
        folder = Path(tmp)
        if not ONLY_OBJECTS:
            with server(folder / "data") as (url, _pid):
                threads = bench_threads(url)
                aio = bench_async(url)
        # the transfers against a server of their own: none of the state thousands of
        # pipelines leave behind, for curl and the SDK alike
        with server(folder / "objects") as (url, _pid):
            transfers = bench_transfers(url, folder) if Path(CURL).exists() else {}
        if ONLY_OBJECTS:
            return "\n".join(_transfer_lines(transfers))
    shared_ratio = _ratios(threads["shared"], threads["per_thread"])
    async_ratio = _ratios(aio["sdk"], aio["raw"])
    lines = [
        "## The client at scale",
        "",
        f"A local Datlake in its own process; {ROUNDS} interleaved rounds; each figure the "
        "median (lowest to highest).",
        "",
        f"### One client, {PIPELINES} threads",
        "",
        f"{PIPELINES} threads start together, each running a pipeline (`start_run`, then",
        "`complete_run`). Shared: one `DatlakeClient` (default pool: 100 connections, all kept",
        "alive); baseline: a `DatlakeClient` per thread. Both wait up to "
        f"{TIMEOUT:.0f} s per request.",
        "",
        "| client | pipelines/s | errors (all rounds) |",
        "|---|---:|---:|",
        f"| one shared client | {_spread(threads['shared'], digits=1)} | "
        f"{int(sum(threads['errors']))} |",
        f"| a client per thread | {_spread(threads['per_thread'], digits=1)} | |",
        "",
        f"Shared against per thread: {_spread(shared_ratio, 'x')}; target >= {SHARED_TARGET}x: "
        f"{_verdict(statistics.median(shared_ratio) >= SHARED_TARGET)}; no error: "
        f"{_verdict(sum(threads['errors']) == 0)}.",
        "",
        f"### {PIPELINES} concurrent async runs from one process",
        "",
        "`asyncio.gather` of `async with AsyncJobContext(...)` blocks (start, then complete) on",
        "one `AsyncDatlakeClient`; baseline: the same two requests with one raw",
        f"`httpx.AsyncClient` (100 connections kept alive). Rounds of {TASKS} runs at once for",
        f"the ratio, then one round of {PIPELINES} at once. Every client here waits up to",
        f"{TIMEOUT:.0f} s per request: {PIPELINES} calls at once queue for 100",
        "connections, and the wait counts against a call's deadline (30 s by default).",
        "",
        "| client | runs/s | errors (all rounds) |",
        "|---|---:|---:|",
        f"| AsyncDatlakeClient + AsyncJobContext, {TASKS} at once | "
        f"{_spread(aio['sdk'], digits=1)} | {int(sum(aio['errors']))} |",
        f"| raw httpx.AsyncClient, {TASKS} at once | {_spread(aio['raw'], digits=1)} | "
        f"{int(sum(aio['raw_errors']))} |",
        f"| AsyncDatlakeClient + AsyncJobContext, {PIPELINES} at once (one round) | "
        f"{aio['all_at_once'][0]:.1f} | {int(aio['all_at_once'][1])} |",
        "",
        f"SDK against raw httpx: {_spread(async_ratio, 'x')}; {PIPELINES} concurrent runs with "
        f"no error: {_verdict(aio['all_at_once'][1] == 0)}.",
        "",
    ]
    lines += _transfer_lines(transfers)
    return "\n".join(lines)


def _transfer_lines(transfers: dict[int, dict[str, list[float]]]) -> list[str]:
    if not transfers:
        return [f"### Objects\n\n`{CURL}` is missing: no transfer figures in this run.", ""]
    lines = [
        "### Objects against curl",
        "",
        "The same object (random bytes) moved by the SDK (`download_object`, `upload_file`;",
        "`DatlakeClient` and `AsyncDatlakeClient`, each run in a fresh interpreter) and by",
        "`curl -o` / `curl -T`, against the same server (a fresh one, started for the",
        "transfers), in interleaved rounds: "
        + ", ".join(f"{rounds} at {size} MiB" for size, rounds in TRANSFER_ROUNDS.items())
        + ", as transfers swing by more than the 5% an upload may lose. In each round, each",
        "SDK transfer runs right before or after a curl transfer of the same direction (the",
        "machine's speed drifts over seconds), and its ratio is against that one; the pairs,",
        "and the two of a pair, in an order of their own, each transfer after `sync`. Timed:",
        "the transfer itself (the SDK's call; curl's `time_total`), not start-up. Both write",
        "the download",
        "to a file; the SDK also hashes it and checks the digest (writing to a temporary file",
        "it then renames, its whole blocks with `O_DIRECT`), and hashes the upload (once it is",
        "sent, the server being on this machine), checking the server's receipt against it.",
        "Peak RSS is the client process's VmHWM.",
        "",
        "| size | client | direction | MiB/s | curl MiB/s | against curl | target | peak RSS |",
        "|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    for size, figures in transfers.items():
        for client, direction, target in TRANSFER_ROWS:
            ours = figures[f"{client} {direction} MiB/s"]
            curl = figures[f"curl {direction} MiB/s"]
            ratio = figures[f"{client} {direction} ratio"]
            lines.append(
                f"| {size} MiB | {CLIENT_NAMES[client]} | {direction} | {_spread(ours, digits=0)}"
                f" | {_spread(curl, digits=0)} | {_spread(ratio, 'x')} | >= {target}x "
                f"({_verdict(statistics.median(ratio) >= target)}) | "
                f"{_spread(figures[f'{client} {direction} RSS'], ' MiB', 0)} |"
            )
    small, large = min(transfers), max(transfers)
    lines.append("")
    for client, direction, _ in TRANSFER_ROWS:
        peak = f"{client} {direction} RSS"
        grew = statistics.median(transfers[large][peak]) - statistics.median(transfers[small][peak])
        lines.append(
            f"{CLIENT_NAMES[client]} {direction} memory from {small} MiB to {large} MiB: "
            f"{grew:+.1f} MiB (flat within {FLAT_MIB} MiB: {_verdict(abs(grew) <= FLAT_MIB)})."
        )
    lines.append("")
    return lines


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    print(run())
