"""Coverage of the contract tests: every operation of the spec and every status it documents
has a test in `test_contract_operations`, and that test can be produced from the table.

The spec is read here from `openapi/datlake.yaml` itself, independently of the testing kit, and
compared with the parametrization the contract tests are actually collected with.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from ..operation_cases import (
    ERRORS,
    OPERATIONS,
    OTHER_PROBLEMS,
    OperationCase,
    documented_responses,
    error_cases,
    success_cases,
)
from . import test_contract_operations as contract_tests

_PARAMETER_SET = type(pytest.param(None))  # what `pytest.param` builds
SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi" / "datlake.yaml"


def read_spec() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text("utf-8"))
    return document


def parametrized_cases(test: Any) -> list[tuple[Any, ...]]:
    """The argument tuples a test function is parametrized with."""
    marks = [mark for mark in getattr(test, "pytestmark", []) if mark.name == "parametrize"]
    assert len(marks) == 1, f"{test.__name__} should have one parametrize mark"
    argnames, argvalues = marks[0].args[0], marks[0].args[1]
    several = not isinstance(argnames, str) or "," in argnames
    cases = []
    for value in argvalues:
        if isinstance(value, _PARAMETER_SET):
            cases.append(tuple(value.values))
        else:
            cases.append(tuple(value) if several else (value,))
    return cases


def missing_cases(
    spec: Mapping[str, Any],
    success_tests: Collection[str],
    error_tests: Collection[tuple[str, Any]],
    table: Mapping[str, OperationCase],
    errors: Mapping[int, Any],
) -> list[str]:
    """What keeps the contract tests from covering `spec`, one line each (empty: 100%)."""
    documented = documented_responses(spec)
    gaps: list[str] = []
    for op, statuses in documented.items():
        successes = [code for code in statuses if code.startswith("2")]
        if len(successes) != 1:
            gaps.append(f"{op}: documents {len(successes)} 2xx statuses, the tests expect one")
        if op not in success_tests:
            gaps.append(f"{op}: no success test")
        if op not in table:
            gaps.append(f"{op}: no entry in operation_cases.OPERATIONS")
        for code in statuses:
            if code.startswith("2"):
                continue
            status: int | str = int(code) if code.isdigit() else code
            if (op, status) not in error_tests:
                gaps.append(f"{op} {code}: no error test")
            if status not in errors:
                gaps.append(f"{op} {code}: no expected error in operation_cases.ERRORS")
        case = table.get(op)
        stale = (
            sorted(set(case.problems) - {int(c) for c in statuses if c.isdigit()}) if case else []
        )
        gaps.extend(f"{op} {code}: problem kind given for an undocumented status" for code in stale)
    gaps.extend(
        f"{op}: in the table, not in the spec" for op in sorted(set(table) - set(documented))
    )
    gaps.extend(
        f"{op}: success test of no spec operation" for op in success_tests if op not in documented
    )
    gaps.extend(
        f"{op} {status}: error test of no documented status"
        for op, status in error_tests
        if str(status) not in documented.get(op, ())
    )
    return gaps


def test_every_documented_operation_and_status_has_a_contract_test() -> None:
    spec = read_spec()
    success_tests = [op for (op,) in parametrized_cases(contract_tests.test_success)]
    error_tests = parametrized_cases(contract_tests.test_documented_error)

    gaps = missing_cases(spec, success_tests, error_tests, OPERATIONS, ERRORS)

    assert gaps == [], "contract tests are missing:\n" + "\n".join(gaps)
    documented = documented_responses(spec)
    statuses = sum(len(codes) for codes in documented.values())
    assert len(success_tests) + len(error_tests) == statuses
    assert len(set(success_tests)) == len(success_tests)
    assert len(set(error_tests)) == len(error_tests)


def test_problem_kinds_are_the_ones_the_spec_lists() -> None:
    problem = read_spec()["components"]["schemas"]["Problem"]
    listed = set(re.findall(r"`/problems/([a-z-]+)`", problem["properties"]["type"]["description"]))
    used = {kind for _, kind in ERRORS.values()}
    used |= {kind for case in OPERATIONS.values() for kind in case.problems.values()}
    used |= {kind for _, _, kind in OTHER_PROBLEMS}
    assert used - listed == set()
    # and every kind the spec lists has a contract test
    assert listed - used == set()


def test_other_problem_kinds_are_of_documented_statuses() -> None:
    documented = documented_responses(read_spec())
    undocumented = [
        (op, status, kind)
        for op, status, kind in OTHER_PROBLEMS
        if str(status) not in documented.get(op, ())
    ]
    assert undocumented == []


# --- the check itself -----------------------------------------------------------------------


def _grown_spec() -> dict[str, Any]:
    spec = read_spec()
    health = spec["paths"]["/api/v1/health"]["get"]
    health["responses"]["418"] = {"description": "a new status"}
    spec["paths"]["/api/v1/jobs/{job_name}"] = {
        "delete": {"operationId": "delete_job", "responses": {"204": {}, "404": {}}}
    }
    return spec


def test_the_check_names_a_new_status_and_a_new_operation() -> None:
    spec = _grown_spec()
    success_tests = [op for (op,) in parametrized_cases(contract_tests.test_success)]
    error_tests = parametrized_cases(contract_tests.test_documented_error)

    gaps = missing_cases(spec, success_tests, error_tests, OPERATIONS, ERRORS)

    assert gaps == [
        "get_health 418: no error test",
        "get_health 418: no expected error in operation_cases.ERRORS",
        "delete_job: no success test",
        "delete_job: no entry in operation_cases.OPERATIONS",
        "delete_job 404: no error test",
    ]


def test_the_check_names_what_the_spec_no_longer_has() -> None:
    spec = read_spec()
    del spec["paths"]["/api/v1/health"]
    del spec["paths"]["/api/v1/lineage"]["get"]["responses"]["404"]
    success_tests = [op for (op,) in parametrized_cases(contract_tests.test_success)]
    error_tests = parametrized_cases(contract_tests.test_documented_error)

    gaps = missing_cases(spec, success_tests, error_tests, OPERATIONS, ERRORS)

    assert gaps == [
        "get_lineage 404: problem kind given for an undocumented status",
        "get_health: in the table, not in the spec",
        "get_health: success test of no spec operation",
        "get_health 400: error test of no documented status",
        "get_health 500: error test of no documented status",
        "get_health 503: error test of no documented status",
        "get_lineage 404: error test of no documented status",
    ]


def test_a_case_from_the_grown_spec_fails_until_the_table_can_produce_it(tmp_path: Path) -> None:
    # the parametrization comes from the spec, so a new status or operation is a new case;
    # run as the contract tests run it, it fails naming what the table lacks
    spec = _grown_spec()
    assert ("get_health", 418) in error_cases(spec)
    assert "delete_job" in success_cases(spec)
    with pytest.raises(pytest.fail.Exception, match="get_health documents 418"):
        contract_tests.test_documented_error("get_health", 418, tmp_path)
    with pytest.raises(pytest.fail.Exception, match=r"delete_job but operation_cases\.OPERATIONS"):
        contract_tests.test_success("delete_job", tmp_path)
