"""A conformance suite for Datlake servers: the contract's promises checked over plain httpx.

Backend teams point it at any server implementing the Datlake API (`datlake conformance`).
Every answer is checked against the spec (status, headers, body, and the `X-Request-Id`
echo, errors included); the scenarios (`SCENARIOS`, one module per area in `_scenarios`)
cover every operation's success and documented errors: auth on every secured operation,
400 for every constrained parameter, 404s and 422s, list order, filters and cursors,
lineage in each direction and depth (exact edges), field round trips, idempotent replays and
id conflicts, leases and `lost`, checksums both ways.

It writes: runs of jobs, snapshots of tables and events named `conf-...-<suffix>` (a random
suffix per run, so a shared server is fine), and objects in the bucket `conformance`. A
checked server keeps no run `running`: the scenarios complete the runs they start, and a
run a scenario left open (failing midway, say) is completed as failed after it, with the
reason in its `extra`.

From the command line (exit status 1 on any failure)::

    datlake conformance --base-url http://127.0.0.1:8765 --api-key KEY

From Python::

    from datlake_sdk.conformance import run_conformance
    report = run_conformance("http://127.0.0.1:8765", api_key="KEY")
    assert not report.failed, report.failed
"""

from __future__ import annotations

from collections.abc import Iterable

import httpx

from . import _scenarios  # noqa: F401  (registers the scenarios)
from ._probe import Probe, Unreachable
from ._registry import SCENARIOS, Scenario
from ._report import CheckResult, Report, format_table, run_scenarios

__all__ = [
    "SCENARIOS",
    "CheckResult",
    "Report",
    "Scenario",
    "Unreachable",
    "format_table",
    "run_conformance",
]


def run_conformance(
    base_url: str,
    api_key: str | None = None,
    *,
    transport: httpx.BaseTransport | None = None,
    only: Iterable[str] | None = None,
) -> Report:
    """Run the scenarios (those named in `only`, or all) against the server at `base_url`.

    Raises `Unreachable` when the server cannot be reached or refuses the key. Without
    `api_key` the server is taken to run without auth and the 401 checks are skipped.
    `transport` replaces httpx's network transport.
    """
    chosen = SCENARIOS
    if only is not None:
        names = set(only)
        unknown = names - {s.name for s in SCENARIOS}
        if unknown:
            known = ", ".join(s.name for s in SCENARIOS)
            raise ValueError(f"no scenario named {', '.join(sorted(unknown))} (known: {known})")
        chosen = [s for s in SCENARIOS if s.name in names]
    probe = Probe(base_url, api_key, transport=transport)
    try:
        probe.preflight()
        return run_scenarios(probe, chosen)
    finally:
        probe.close()
