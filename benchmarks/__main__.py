"""Run the benchmarks: every `benchmarks/bench_*.py` module's `run()` returns a markdown section.

python -m benchmarks              # all of them, written to BENCHMARKS.md at the repo root
python -m benchmarks server sdk   # only bench_server and bench_sdk, printed (file untouched)
"""

from __future__ import annotations

import datetime
import importlib
import os
import platform
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE.parent / "BENCHMARKS.md"


def _modules(names: list[str]) -> list[str]:
    found = sorted(path.stem for path in HERE.glob("bench_*.py"))
    if not names:
        return found
    wanted = [name if name.startswith("bench_") else f"bench_{name}" for name in names]
    unknown = sorted(set(wanted) - set(found))
    if unknown:
        raise SystemExit(f"no such benchmark: {', '.join(unknown)} (have: {', '.join(found)})")
    return wanted


def _load() -> str:
    # the machine may be shared: its load says how much to trust a spread
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def _header(load_at_start: str) -> str:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join(
        [
            "# Benchmarks",
            "",
            "Written by `make bench` (`python -m benchmarks`); every figure is compared with a",
            "baseline measured in the same run on the same machine.",
            "",
            f"- date: {now}",
            f"- machine: {os.cpu_count()} cores, {platform.machine()}, {platform.system()}"
            f" {platform.release()}",
            f"- python: {platform.python_implementation()} {platform.python_version()}",
            f"- load average (1 / 5 / 15 min): {load_at_start} at the start, {_load()} at the end",
            "",
        ]
    )


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE.parent))
    sections, failed = [], False
    load_at_start = _load()
    for name in _modules(argv):
        started = time.perf_counter()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        try:
            section = importlib.import_module(f"benchmarks.{name}").run()
        except Exception:
            failed = True
            section = f"## {name}: failed\n\n```\n{traceback.format_exc()}```\n"
        print(f"  {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
        sections.append(section.rstrip() + "\n")
    document = _header(load_at_start) + "\n" + "\n".join(sections)
    if argv:
        print(document)
    else:
        OUTPUT.write_text(document, encoding="utf-8")
        print(f"wrote {OUTPUT}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
