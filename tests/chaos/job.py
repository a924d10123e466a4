"""A job for the kill-job scenario, run as its own process (`python tests/chaos/job.py`) and
killed with SIGKILL part way through.

It runs `--pipelines` pipelines in `JobContext` blocks with an outbox file and prints, one JSON
line per step and before going on, what the SDK told it, so that the harness knows exactly what
the job was told before it died. Settings come from the environment (DATLAKE_URL,
DATLAKE_API_KEY, DATLAKE_SDK_OUTBOX).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from datlake_sdk import DatlakeClient, JobContext
from datlake_sdk.functional import Ok, upload_object

JOB = "chaos_pipeline"


def say(index: int, step: str, status: str, **extra: Any) -> None:
    print(json.dumps({"pipeline": index, "step": step, "status": status, **extra}), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="kill-job")
    parser.add_argument("--pipelines", type=int, default=6)
    parser.add_argument("--files", type=Path, required=True)
    parser.add_argument("--step-delay", type=float, default=0.1)
    args = parser.parse_args()
    client = DatlakeClient(timeout=1.0, retry="max=2,base_ms=20,cap_ms=100,deadline_s=2")
    for index in range(args.pipelines):
        log = args.files / f"job-{index}.log"
        log.write_text(f"pipeline {index}\n")
        metadata = {"pipeline": index, "scenario": args.scenario}
        step = "start"
        try:
            with JobContext(
                client, JOB, metadata=metadata, log_path=log, log_bucket="chaos-logs"
            ) as job:
                pending = bool(getattr(job.run, "pending", False))
                say(index, "start", "ok", run_id=job.run.run_id, pending=pending)
                time.sleep(args.step_delay)
                step = "fetch"
                read = job.input("chaos_input")
                say(index, "fetch", "ok", pending=bool(getattr(read, "pending", False)))
                time.sleep(args.step_delay)
                step = "register"
                uri = f"file:///chaos/{args.scenario}/{index}.csv"
                written = job.output("chaos_output", uri, format="csv")
                say(index, "register", "ok", pending=bool(getattr(written, "pending", False)))
                time.sleep(args.step_delay)
                data = args.files / f"job-{index}.csv"
                data.write_text(f"pipeline,value\n{index},{index * 7}\n")
                name = f"{args.scenario}/{index}.csv"
                uploaded = upload_object(client, "chaos", name, data, run=job.run)
                say(index, "upload", "ok" if isinstance(uploaded, Ok) else "err")
                time.sleep(args.step_delay)
                step = "complete"
            # leaving the block shipped the log and completed the run (or journaled both)
            artifacts = [a.uri for a in job.run.artifacts]
            pending = bool(getattr(job.run, "pending", False))
            say(index, "complete", "ok", success=True, pending=pending, artifacts=artifacts)
        except Exception as ex:
            # what the JobContext raised: the step failed, the run was completed as failed
            say(index, step, "err", detail=f"{type(ex).__name__}: {ex}"[:300])
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
