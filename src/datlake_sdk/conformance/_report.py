"""Running the scenarios and printing their outcome as a table.

>>> print(format_table([CheckResult("health_without_auth", "PASS")]))
check                PASS/FAIL/SKIP  reason
health_without_auth  PASS
1 passed, 0 failed, 0 skipped
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import httpx

from ._probe import CheckFailed, CheckSkipped, Probe
from ._registry import Scenario

Outcome = Literal["PASS", "FAIL", "SKIP"]


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One scenario's outcome; `reason` says why it failed or was skipped."""

    name: str
    outcome: Outcome
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Report:
    """The outcome of each scenario run, and the answers (operation id, status) obtained."""

    results: list[CheckResult]
    exercised: frozenset[tuple[str, int]] = field(default_factory=frozenset)

    @property
    def failed(self) -> dict[str, str]:
        """The failed scenarios' reasons, by name."""
        return {r.name: r.reason for r in self.results if r.outcome == "FAIL"}


def run_scenarios(probe: Probe, scenarios: Sequence[Scenario]) -> Report:
    """Run `scenarios` in order; one failing (or crashing) does not stop the others. After
    each, the runs it left open are completed as failed (`Probe.finish_open_runs`)."""
    results: list[CheckResult] = []
    for scenario in scenarios:
        try:
            try:
                scenario.check(probe)
            finally:
                probe.finish_open_runs()
        except CheckSkipped as skip:
            results.append(CheckResult(scenario.name, "SKIP", str(skip)))
        except CheckFailed as failure:
            results.append(CheckResult(scenario.name, "FAIL", str(failure)))
        except httpx.HTTPError as ex:
            reason = f"request failed: {type(ex).__name__}: {ex}"
            results.append(CheckResult(scenario.name, "FAIL", reason))
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as ex:
            # a body of the wrong shape (e.g. a run without run_id) is a server bug too
            reason = f"unexpected body: {type(ex).__name__}: {ex}"
            results.append(CheckResult(scenario.name, "FAIL", reason))
        else:
            results.append(CheckResult(scenario.name, "PASS"))
    return Report(results, frozenset(probe.exercised))


def format_table(results: Sequence[CheckResult]) -> str:
    """A fixed-width table: check name, outcome, reason; then a one-line summary."""
    width = max([len("check"), *(len(r.name) for r in results)])
    lines = [f"{'check':<{width}}  PASS/FAIL/SKIP  reason"]
    lines += [f"{r.name:<{width}}  {r.outcome:<14}  {r.reason}".rstrip() for r in results]
    counts = {o: sum(r.outcome == o for r in results) for o in ("PASS", "FAIL", "SKIP")}
    lines.append(f"{counts['PASS']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped")
    return "\n".join(lines)
