"""The daily_users pipeline with DataFrames: `job.read` gives the newest `users_raw` as a Polars
DataFrame (an input edge), `job.write` uploads the curated frame and registers it with its
schema (an output edge); a second job counts users per country with DuckDB, straight from
the curated snapshot.

    DATLAKE_URL=http://127.0.0.1:8765 DATLAKE_API_KEY=dev python examples/frames_pipeline.py
"""

from __future__ import annotations

import os

import polars as pl
from users_data import ensure_users_raw, print_run

from datlake_sdk import DatlakeClient, JobContext


def curate(users: pl.DataFrame) -> pl.DataFrame:
    """Normalise emails and countries, keep the first user of each email."""
    return users.with_columns(
        pl.col("email").str.strip_chars().str.to_lowercase(),
        pl.col("country").str.to_uppercase(),
    ).unique("email", keep="first", maintain_order=True)


def main() -> int:
    with DatlakeClient(
        base_url=os.environ.get("DATLAKE_URL", "http://127.0.0.1:8765"),
        api_key=os.environ.get("DATLAKE_API_KEY"),
    ) as client:
        ensure_users_raw(client)  # a CSV at a file:// uri, registered by the upstream job

        with JobContext(client, "daily_users", metadata={"source": "s3"}) as job:
            users = job.read("users_raw")  # polars.DataFrame; input edge recorded
            curated = job.write("users_curated", curate(users), bucket="lake")
            job.extra["rows"] = users.height
        print_run(client, job.run)
        print(f"  schema {dict(curated.schema or {})}")

        with JobContext(client, "users_by_country") as job:
            users_curated = job.read("users_curated", engine="duckdb")  # a DuckDB relation
            per_country = users_curated.aggregate("country, count(*) AS users", "country")
            job.write("users_per_country", per_country.order("country"), bucket="lake")
        print_run(client, job.run)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
