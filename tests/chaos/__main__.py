"""`python -m tests.chaos --scenario faults|outage|kill-job|kill-server|all --pipelines N
--outbox on|off`: run the chaos harness and print the audit (a Markdown table, and JSON with
`--json`). Exit 0 when every scenario that ran found nothing, 1 otherwise."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from .audit import markdown_header, markdown_row
from .scenarios import SCENARIOS, ScenarioResult, Skipped, run_scenario


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos", description=__doc__)
    parser.add_argument("--scenario", choices=[*SCENARIOS, "all"], default="faults")
    parser.add_argument("--pipelines", type=int, default=200)
    parser.add_argument("--outbox", choices=("on", "off"), default="off")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate", type=float, default=0.2, help="fault rate of `faults`")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the data here")
    parser.add_argument("--json", action="store_true", help="print the full counts as JSON")
    args = parser.parse_args(argv)
    # the SDK's own warnings (one per Err, one per retry) would drown the report
    for name in ("datlake_sdk", "stamina"):
        logging.getLogger(name).setLevel(logging.CRITICAL)

    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    results: list[ScenarioResult] = []
    skipped: list[str] = []
    for name in names:
        workdir = None if args.workdir is None else args.workdir / name
        print(f"chaos: {name}, {args.pipelines} pipelines, outbox {args.outbox} ...", flush=True)
        try:
            result = run_scenario(
                name,
                args.pipelines,
                args.outbox,
                threads=args.threads,
                seed=args.seed,
                rate=args.rate,
                workdir=workdir,
            )
        except Skipped as why:
            skipped.append(f"{name}: skipped: {why}")
            print(f"chaos: {name}: SKIPPED: {why}", flush=True)
            continue
        results.append(result)
        for detail in result.counts["details"][:15]:
            print(f"  {detail}")
        for note in result.notes:
            print(f"  note: {note}")
        print(f"  proxy: {result.proxy_stats}", flush=True)
    print()
    print(markdown_header())
    for result in results:
        print(markdown_row(result.scenario, result.outbox, result.seconds, result.counts))
    for line in skipped:
        print(line)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "scenario": r.scenario,
                        "outbox": r.outbox,
                        "seconds": round(r.seconds, 1),
                        "counts": r.counts,
                        "proxy": r.proxy_stats,
                        "notes": r.notes,
                    }
                    for r in results
                ],
                indent=2,
            )
        )
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
