"""Log shipping: the daily_users pipeline's log travels to Datlake as a `log` artifact of the
run, uploaded before the run completes.

    DATLAKE_URL=http://127.0.0.1:8765 DATLAKE_API_KEY=dev python examples/log_shipping.py
"""

from __future__ import annotations

import logging
import os

from users_data import data_dir, ensure_users_raw, load_users, print_run, write_users_curated

from datlake_sdk import DatlakeClient
from datlake_sdk.functional import (
    Artifact,
    Err,
    Ok,
    Result,
    SDKError,
    UriInfo,
    and_then,
    complete_run,
    fetch_latest_uri,
    make_log_artifact,
    register_snapshot,
    start_run,
)

log = logging.getLogger("daily_users")


def main() -> int:
    ship_logs = True
    artifact_bucket = "artifacts"
    log_path = data_dir() / "run.log"
    handler = logging.FileHandler(log_path, mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])

    client = DatlakeClient(
        base_url=os.environ.get("DATLAKE_URL", "http://127.0.0.1:8765"),
        api_key=os.environ.get("DATLAKE_API_KEY"),
    )
    ensure_users_raw(client)

    def process(u: UriInfo) -> Result[str, SDKError]:
        try:
            users = load_users(u.uri)
            out_uri = write_users_curated(users)
            log.info("read %d users from %s, wrote %s", len(users), u.uri, out_uri)
            return Ok(out_uri)
        except Exception as ex:
            return Err(SDKError.from_exception(ex))

    r0 = start_run(client, "daily_users", metadata={"source": "s3"})
    if isinstance(r0, Err):
        print(f"daily_users could not start: {r0.error}")
        client.close()
        return 1
    run = r0.value
    r1 = fetch_latest_uri(client, run, "users_raw")
    r2 = and_then(r1, process)
    r3 = and_then(
        r2,
        lambda out_uri: register_snapshot(client, run, "users_curated", out_uri, format="csv"),
    )
    log.info("daily_users steps done: %s", "ok" if isinstance(r3, Ok) else r3.error)
    handler.flush()

    # ship the log, then complete the run with it attached (an upload that failed is left out)
    arts: list[Artifact] = []
    if ship_logs:
        art = make_log_artifact(client, artifact_bucket, run, log_path)
        arts = [art.value] if isinstance(art, Ok) else []
    extra = {"error": str(r3.error)} if isinstance(r3, Err) else {}
    complete_run(client, run, success=isinstance(r3, Ok), extra=extra, artifacts=arts)

    print_run(client, run)
    client.close()
    return 0 if isinstance(r3, Ok) else 1


if __name__ == "__main__":
    raise SystemExit(main())
