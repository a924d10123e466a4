"""The daily_users read-transform-write pipeline on the functional API: each step returns
`Ok(value)` or `Err(SDKError)`, and `and_then` runs the next step only on `Ok`.

Start a local Datlake (`datlake server --data /tmp/datlake --api-key dev`), then:

    DATLAKE_URL=http://127.0.0.1:8765 DATLAKE_API_KEY=dev python examples/pipeline.py
"""

from __future__ import annotations

import os

from users_data import ensure_users_raw, load_users, print_run, write_users_curated

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
    get_lineage,
    register_snapshot,
    start_run,
    unwrap,
)


def main() -> int:
    client = DatlakeClient(
        base_url=os.environ.get("DATLAKE_URL", "http://127.0.0.1:8765"),
        api_key=os.environ.get("DATLAKE_API_KEY"),
    )
    ensure_users_raw(client)

    # 1) Start; the later steps need the run, so narrow the Result here
    r0 = start_run(client, "daily_users", metadata={"source": "s3"})
    if isinstance(r0, Err):
        print(f"daily_users could not start: {r0.error}")
        return 1
    run = r0.value

    # 2) Fetch latest source (records the input edge)
    r1 = fetch_latest_uri(client, run, "users_raw")

    # 3) Load & transform (user function returns uri of output)
    def process(u: UriInfo) -> Result[str, SDKError]:
        try:
            df = load_users(u.uri)
            out_uri = write_users_curated(df)  # file://...
            return Ok(out_uri)
        except Exception as ex:
            return Err(SDKError.from_exception(ex))

    r2 = and_then(r1, process)

    # 4) Register snapshot
    r3 = and_then(
        r2,
        lambda out_uri: register_snapshot(client, run, "users_curated", out_uri, format="csv"),
    )

    # 5) Complete (success based on chain result)
    if isinstance(r3, Ok):
        complete_run(client, run, success=True)
    else:
        complete_run(client, run, success=False, extra={"error": str(r3.error)})

    print_run(client, run)
    graph = unwrap(get_lineage(client, "users_curated", direction="upstream"))
    print("lineage of users_curated (upstream):")
    for edge in graph.edges:
        print(f"  {edge.source} --{edge.kind}--> {edge.target}")
    client.close()
    return 0 if isinstance(r3, Ok) else 1


if __name__ == "__main__":
    raise SystemExit(main())
