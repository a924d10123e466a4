"""The seed's log shipping (plan section 5.2): the 5.1 pipeline's log travels to Datlake as a
`log` artifact of the run.

    DATLAKE_URL=http://127.0.0.1:8765 DATLAKE_API_KEY=dev python examples/log_shipping.py
"""

from __future__ import annotations

import logging
import os

from users_data import data_dir, ensure_users_raw, load_users, print_run, write_users_curated

from datlake_sdk import DatlakeClient
from datlake_sdk.functional import (
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
    r1 = and_then(r0, lambda run: fetch_latest_uri(client, run, "users_raw"))
    r2 = and_then(r1, process)
    r3 = and_then(
        r2,
        lambda out_uri: register_snapshot(client, r0.value, "users_curated", out_uri, format="csv"),
    )
    log.info("daily_users steps done: %s", "ok" if isinstance(r3, Ok) else r3.error)
    handler.flush()

    # Seed 5.2, as written (make_log_artifact takes the client)
    if ship_logs and isinstance(r0, Ok):
        art = make_log_artifact(client, artifact_bucket, r0.value, log_path)
        arts = [art.value] if isinstance(art, Ok) else []
        complete_run(client, r0.value, success=isinstance(r3, Ok), artifacts=arts)

    if isinstance(r0, Err):
        print(f"daily_users could not start: {r0.error}")
        return 1
    print_run(client, r0.value)
    client.close()
    return 0 if isinstance(r3, Ok) else 1


if __name__ == "__main__":
    raise SystemExit(main())
