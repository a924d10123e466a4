"""The scenarios, in report order: a scenario is a function of a `Probe` that raises
`CheckFailed` on a violation, registered with `@scenario`.

A new scenario is one function in the module of `_scenarios` its promise belongs to::

    @scenario
    def health_without_auth(probe: Probe) -> None:
        '''GET /health answers 200 without an API key.'''
        expect_status(probe.send("GET", "/health", authenticated=False), 200, "get_health")

Every answer it obtains is checked against the spec by the probe; the scenario checks what
the spec's schemas cannot say (that a replay answers the same run, that a list is ordered).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ._probe import Probe


@dataclass(frozen=True, slots=True)
class Scenario:
    """One promise of the contract, checked by `check`; `summary` is its docstring's first
    line."""

    name: str
    check: Callable[[Probe], None]

    @property
    def summary(self) -> str:
        return (self.check.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")


SCENARIOS: list[Scenario] = []


def scenario(check: Callable[[Probe], None]) -> Callable[[Probe], None]:
    """Register `check` as a scenario named after it."""
    SCENARIOS.append(Scenario(check.__name__, check))
    return check
