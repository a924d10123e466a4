"""A conformance suite for Datlake servers: semantic scenarios over plain httpx.

Backend teams point it at any server implementing the Datlake API. Each scenario (see
`_checks`) exercises one promise of the contract: idempotent replays, client-chosen run and
snapshot ids (replays, `id-conflict`, reads of a named snapshot), 409s on finished runs,
input and output edges in runs and the lineage graph, pagination, encoded slashes in object
names, checksum verification, problem+json errors, `X-Request-Id` echo and authentication.
Names carry a random suffix, so a shared server is fine, and a checked server keeps no run
`running`: the checks complete the runs they start, and a run a check left open (failing
midway, say) is completed as failed after it, with the reason in its `extra`.

From the command line (exit status 1 on any failure)::

    datlake conformance --base-url http://127.0.0.1:8765 --api-key KEY

From Python::

    from datlake_sdk.conformance import run_conformance
    results = run_conformance("http://127.0.0.1:8765", api_key="KEY")
    assert all(r.outcome != "FAIL" for r in results), results
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import httpx

from ._checks import CHECKS
from ._probe import Probe
from ._report import CheckResult, format_table, run_checks

__all__ = ["CHECKS", "CheckResult", "format_table", "main", "run_conformance"]


def run_conformance(
    base_url: str,
    api_key: str | None = None,
    *,
    transport: httpx.BaseTransport | None = None,
) -> list[CheckResult]:
    """Run every scenario against the server at `base_url`; one result per check.

    Without `api_key` the server is taken to run without auth and the 401 checks are skipped.
    `transport` replaces httpx's network transport (tests put faulty proxies there).
    """
    probe = Probe(base_url, api_key, transport=transport)
    try:
        return run_checks(probe)
    finally:
        probe.close()


def main(argv: Sequence[str] | None = None) -> int:
    """`datlake conformance --base-url URL [--api-key KEY]`: print the table, 1 on failure."""
    parser = argparse.ArgumentParser(
        prog="datlake conformance", description="Check a Datlake server against the contract."
    )
    parser.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8765")
    parser.add_argument("--api-key", default=None, help="the server's API key, if it has one")
    args = parser.parse_args(argv)
    results = run_conformance(args.base_url, args.api_key)
    print(format_table(results))
    return 1 if any(r.outcome == "FAIL" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
