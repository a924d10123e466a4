"""The same job with `JobContext`: no `Result` in sight; failures raise, and leaving the block
completes the run (failed, with the error, when the block raised). The log ships on exit.

    DATLAKE_URL=http://127.0.0.1:8765 DATLAKE_API_KEY=dev python examples/job_context.py
"""

from __future__ import annotations

import logging
import os

from users_data import data_dir, ensure_users_raw, load_users, print_run, write_users_curated

from datlake_sdk import DatlakeClient, JobContext

log = logging.getLogger("daily_users")


def main() -> int:
    log_path = data_dir() / "job_context.log"
    logging.basicConfig(
        level=logging.INFO, handlers=[logging.FileHandler(log_path, mode="w")], force=True
    )

    with DatlakeClient(
        base_url=os.environ.get("DATLAKE_URL", "http://127.0.0.1:8765"),
        api_key=os.environ.get("DATLAKE_API_KEY"),
    ) as client:
        ensure_users_raw(client)
        with JobContext(
            client,
            "daily_users",
            metadata={"source": "s3"},
            log_path=log_path,
            log_bucket="artifacts",
        ) as job:
            src = job.input("users_raw")  # input edge recorded
            users = load_users(src.uri)
            out = job.output("users_curated", write_users_curated(users), format="csv")
            job.event("metric", "rows read", data={"rows": len(users)})
            job.extra["rows"] = len(users)
            log.info("wrote snapshot %s of users_curated", out.snapshot_id)
        print_run(client, job.run)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
