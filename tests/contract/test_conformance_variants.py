"""`datlake conformance` can fail: each broken variant of the local Datlake is caught by the
scenario meant for it, saying what is wrong; every scenario has such a variant.

One real server (over loopback HTTP) serves every variant: each test plants its bug, through
`BrokenDatlake`'s hooks or a patch of one server function, and runs the scenario meant for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from datlake_sdk.conformance import SCENARIOS, run_conformance

from .broken_datlake import BrokenDatlake
from .conformance_variants import API_KEY, VARIANTS, Variant

datlake_server = pytest.importorskip("datlake_server", reason="the local Datlake is not installed")


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BrokenDatlake, str]]:
    data_dir: Path = tmp_path_factory.mktemp("broken-datlake")
    app = BrokenDatlake(datlake_server.create_app(data_dir, API_KEY))
    with datlake_server.serve_app(app) as url:
        yield app, url


def test_every_scenario_has_a_variant_it_must_catch() -> None:
    assert {v.scenario for v in VARIANTS} == {s.name for s in SCENARIOS}
    assert len({v.name for v in VARIANTS}) == len(VARIANTS)


def test_the_middleware_alone_breaks_nothing(broken: tuple[BrokenDatlake, str]) -> None:
    app, url = broken
    seen: list[str] = []
    app.on_response = lambda exchange: seen.append(exchange.operation)
    try:
        report = run_conformance(url, API_KEY)
    finally:
        app.heal()
    assert report.failed == {}
    assert len(seen) > 200


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_each_variant_is_caught_by_its_scenario(
    broken: tuple[BrokenDatlake, str], variant: Variant, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, url = broken
    variant.plant(app, monkeypatch)
    try:
        report = run_conformance(url, API_KEY, only=[variant.scenario])
    finally:
        app.heal()
        monkeypatch.undo()
    assert variant.scenario in report.failed, report.results
    assert variant.says in report.failed[variant.scenario]
