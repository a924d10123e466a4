"""DataFrames: peak memory (and time) of `read_latest` and `write_snapshot` on a large Parquet
file against the engine reading or writing the same file directly. Every case runs in a fresh
interpreter, so its peak RSS is its own; the SDK's cases talk to a local Datlake over
loopback (the server runs in this process, outside what is measured).

    python -m benchmarks frames                          # this section only
    DATLAKE_BENCH_FRAMES_ROWS=1000000 python -m benchmarks frames
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROWS = int(os.environ.get("DATLAKE_BENCH_FRAMES_ROWS", "4000000"))
API_KEY = "bench-key"
ROOT = Path(__file__).resolve().parent.parent


# -- the cases, each run alone in a child: `python -m benchmarks.bench_frames CASE` ----------


def _env(name: str) -> str:
    return os.environ[f"BENCH_{name}"]


def _job() -> tuple[object, object]:
    from datlake_sdk import DatlakeClient
    from datlake_sdk.functional import Run

    client = DatlakeClient(_env("URL"), API_KEY)
    return client, Run(_env("JOB"), _env("RUN"))


def _read(engine: str, table: str) -> None:
    from datlake_sdk.frames import read_frame
    from datlake_sdk.functional import unwrap

    client, run = _job()
    frame = unwrap(read_frame(client, run, table, engine, None))  # type: ignore[arg-type]
    if engine == "duckdb":  # a relation is lazy: run a query that reads every row
        frame.aggregate("sum(amount)").fetchall()


def _write(frame: object) -> None:
    from datlake_sdk.frames import write_snapshot
    from datlake_sdk.functional import unwrap

    client, run = _job()
    unwrap(write_snapshot(client, run, "bench.out", frame, bucket="bench"))  # type: ignore[arg-type]


def _polars_lazy() -> object:
    import polars as pl

    return pl.scan_parquet(_env("FILE"))


def _duckdb_relation() -> object:
    import duckdb

    return duckdb.read_parquet(_env("FILE"))


def _arrow_batches() -> object:
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = pq.ParquetFile(_env("FILE"))
    return pa.RecordBatchReader.from_batches(source.schema_arrow, source.iter_batches())


def _direct_read(engine: str) -> None:
    path = _env("FILE")
    if engine == "polars":
        import polars as pl

        pl.read_parquet(path)
    elif engine == "arrow":
        import pyarrow.parquet as pq

        pq.read_table(path)
    else:
        import duckdb

        duckdb.read_parquet(path).aggregate("sum(amount)").fetchall()


def _direct_write(make: Callable[[], object]) -> None:
    import pyarrow.parquet as pq

    out = str(Path(_env("OUT")) / "direct.parquet")
    frame: object = make()
    if hasattr(frame, "sink_parquet"):
        frame.sink_parquet(out)
    elif hasattr(frame, "write_parquet"):
        frame.write_parquet(out)
    else:
        with pq.ParquetWriter(out, frame.schema) as writer:  # type: ignore[attr-defined]
            for batch in frame:  # type: ignore[attr-defined]
                writer.write(batch)


def _polars_eager() -> object:
    import polars as pl

    return pl.read_parquet(_env("FILE"))


# what each row of the table compares: (title, baseline case, SDK case)
ROWS_OF_THE_TABLE = [
    ("read, polars DataFrame, file://", "read-polars-direct", "read-polars-local"),
    ("read, polars DataFrame, datlake://", "read-polars-direct", "read-polars-uploaded"),
    ("read, arrow Table, datlake://", "read-arrow-direct", "read-arrow-uploaded"),
    ("read, duckdb relation, file:// (lazy)", "read-duckdb-direct", "read-duckdb-local"),
    ("read, duckdb relation, datlake:// (lazy)", "read-duckdb-direct", "read-duckdb-uploaded"),
    ("write, polars LazyFrame (sunk)", "write-polars-lazy-direct", "write-polars-lazy"),
    ("write, polars DataFrame", "write-polars-eager-direct", "write-polars-eager"),
    ("write, duckdb relation", "write-duckdb-direct", "write-duckdb"),
    ("write, arrow RecordBatchReader", "write-arrow-direct", "write-arrow"),
]

CASES: dict[str, Callable[[], None]] = {
    "read-polars-direct": lambda: _direct_read("polars"),
    "read-polars-local": lambda: _read("polars", "bench.local"),
    "read-polars-uploaded": lambda: _read("polars", "bench.uploaded"),
    "read-arrow-direct": lambda: _direct_read("arrow"),
    "read-arrow-uploaded": lambda: _read("arrow", "bench.uploaded"),
    "read-duckdb-direct": lambda: _direct_read("duckdb"),
    "read-duckdb-local": lambda: _read("duckdb", "bench.local"),
    "read-duckdb-uploaded": lambda: _read("duckdb", "bench.uploaded"),
    "write-polars-lazy-direct": lambda: _direct_write(_polars_lazy),
    "write-polars-lazy": lambda: _write(_polars_lazy()),
    "write-polars-eager-direct": lambda: _direct_write(_polars_eager),
    "write-polars-eager": lambda: _write(_polars_eager()),
    "write-duckdb-direct": lambda: _direct_write(_duckdb_relation),
    "write-duckdb": lambda: _write(_duckdb_relation()),
    "write-arrow-direct": lambda: _direct_write(_arrow_batches),
    "write-arrow": lambda: _write(_arrow_batches()),
}


# -- the parent: make the file, register it, run every case in a child ----------------------


def _make_file(path: Path) -> int:
    import polars as pl

    ids = pl.int_range(0, ROWS, eager=True).shuffle(seed=1)
    hashes = ids.hash(seed=2)
    pl.DataFrame(
        {
            "id": ids,
            "email": "user" + hashes.cast(pl.String) + "@example.com",  # little to compress
            "amount": (hashes % 1_000_000).cast(pl.Float64) / 100,
            "country": (hashes % 200).cast(pl.String),
        }
    ).write_parquet(path, row_group_size=100_000)
    return path.stat().st_size


def _peak_rss_mib() -> float:
    """This process's peak RSS. VmHWM belongs to the process's own memory since its exec;
    `ru_maxrss` (the fallback off Linux) may still hold the parent's peak from before it."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kib) / 1024


def _measure(case: str, env: dict[str, str]) -> tuple[float, float]:
    """Peak RSS (MiB) and wall time (s) of `case` in a fresh interpreter."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_frames", case],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"benchmark case {case} failed:\n{done.stderr}")
    return float(done.stdout.split()[-1]), seconds


def run() -> str:
    """The markdown section for BENCHMARKS.md."""
    import datlake_server
    from datlake_sdk import DatlakeClient
    from datlake_sdk.functional import register_snapshot, start_run, unwrap, upload_file

    with tempfile.TemporaryDirectory(prefix="datlake-bench-frames-") as tmp:
        folder = Path(tmp)
        big = folder / "big.parquet"
        size = _make_file(big)
        with (
            datlake_server.serve_in_thread(folder / "datlake", api_key=API_KEY) as url,
            DatlakeClient(url, API_KEY) as client,
        ):
            run = unwrap(start_run(client, "bench_frames"))
            unwrap(register_snapshot(client, run, "bench.local", big.as_uri(), format="parquet"))
            stored = unwrap(upload_file(client, "bench", "big.parquet", big))
            unwrap(register_snapshot(client, run, "bench.uploaded", stored.uri, format="parquet"))
            (folder / "out").mkdir()
            env = {
                "BENCH_URL": url,
                "BENCH_JOB": run.job_name,
                "BENCH_RUN": run.run_id,
                "BENCH_FILE": str(big),
                "BENCH_OUT": str(folder / "out"),
                "TMPDIR": str(folder / "out"),
            }
            figures = {case: _measure(case, env) for case in CASES}
    lines = [
        "## DataFrames: `read_latest` and `write_snapshot`",
        "",
        f"One Parquet file of {ROWS:,} rows (id, email, amount, country; {size / 2**20:.0f} MiB"
        " on disk). Each case runs in a fresh interpreter; peak RSS is its `VmHWM`."
        " The baseline is the engine reading or writing the same file itself; the SDK's cases"
        " add the input or output edge, the streamed download (`datlake://`) or upload, and"
        " (SDK side) the import of the SDK and httpx.",
        "",
        "| case | baseline peak RSS | SDK peak RSS | RSS ratio | baseline time | SDK time |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for title, baseline, sdk in ROWS_OF_THE_TABLE:
        (base_rss, base_s), (sdk_rss, sdk_s) = figures[baseline], figures[sdk]
        lines.append(
            f"| {title} | {base_rss:.0f} MiB | {sdk_rss:.0f} MiB | {sdk_rss / base_rss:.2f}x"
            f" | {base_s:.2f} s | {sdk_s:.2f} s |"
        )
    lines += [
        "",
        "A ratio near 1 means the SDK adds nothing of its own to what the engine needs: downloads"
        " and uploads stream through a fixed buffer, and a DuckDB relation reads the downloaded"
        " file lazily, as it reads a local one. Times are one run of each case: read them as an"
        " order of magnitude, the memory as the figure.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] in CASES:
        CASES[sys.argv[1]]()
        print(f"{_peak_rss_mib():.1f}")
    else:
        print(run())
