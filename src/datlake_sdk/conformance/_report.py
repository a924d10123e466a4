"""Running the checks and printing their outcome as a table.

>>> print(format_table([CheckResult("health_without_auth", "PASS")]))
check                PASS/FAIL/SKIP  reason
health_without_auth  PASS
1 passed, 0 failed, 0 skipped
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import httpx

from ._checks import CHECKS, Check
from ._probe import CheckFailed, CheckSkipped, Probe

Outcome = Literal["PASS", "FAIL", "SKIP"]


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One scenario's outcome; `reason` says why it failed or was skipped."""

    name: str
    outcome: Outcome
    reason: str = ""

    @property
    def passed(self) -> bool:
        return self.outcome == "PASS"


def run_checks(probe: Probe, checks: Sequence[tuple[str, Check]] = CHECKS) -> list[CheckResult]:
    """Run `checks` in order; one failing (or crashing) does not stop the others. After each,
    the runs it left open are completed as failed (`Probe.finish_open_runs`)."""
    results: list[CheckResult] = []
    for name, check in checks:
        try:
            try:
                check(probe)
            finally:
                probe.finish_open_runs()
        except CheckSkipped as skip:
            results.append(CheckResult(name, "SKIP", str(skip)))
        except CheckFailed as failure:
            results.append(CheckResult(name, "FAIL", str(failure)))
        except httpx.HTTPError as ex:
            results.append(CheckResult(name, "FAIL", f"request failed: {type(ex).__name__}: {ex}"))
        except (KeyError, TypeError, ValueError) as ex:
            # a body of the wrong shape (e.g. a run without run_id) is a server bug too
            results.append(CheckResult(name, "FAIL", f"unexpected body: {type(ex).__name__}: {ex}"))
        else:
            results.append(CheckResult(name, "PASS"))
    return results


def format_table(results: Sequence[CheckResult]) -> str:
    """A fixed-width table: check name, outcome, reason; then a one-line summary."""
    width = max([len("check"), *(len(r.name) for r in results)])
    lines = [f"{'check':<{width}}  PASS/FAIL/SKIP  reason"]
    lines += [f"{r.name:<{width}}  {r.outcome:<14}  {r.reason}".rstrip() for r in results]
    counts = {o: sum(r.outcome == o for r in results) for o in ("PASS", "FAIL", "SKIP")}
    lines.append(f"{counts['PASS']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped")
    return "\n".join(lines)
