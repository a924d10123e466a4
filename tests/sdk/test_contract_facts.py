"""One source for contract facts: the SDK's (and the server's) name rules, limits and enums
are the spec's, and the README's error table and the error classes' docstrings say what the
code maps each status to.

The SDK cannot read the spec when it is imported (`datlake_sdk.functional` stays free of
PyYAML), so its constants are tested against `openapi/datlake.yaml` here: a constant that
drifts from the spec, or a new one no test holds to the spec, fails.
"""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from datlake_sdk import _errors, _events, _names, _runs, _tables
from datlake_sdk._contract_check import ecma_regex
from datlake_server import app as server_app
from datlake_server import problems

ROOT = Path(__file__).resolve().parents[2]
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "openapi" / "datlake.yaml").read_text("utf-8"))
SCHEMAS: dict[str, Any] = SPEC["components"]["schemas"]
PARAMETERS: dict[str, Any] = SPEC["components"]["parameters"]


def _query_parameter(operation_id: str, name: str) -> dict[str, Any]:
    for item in SPEC["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                for parameter in op.get("parameters", []):
                    if parameter.get("name") == name:
                        return dict(parameter["schema"])
    raise KeyError(f"{operation_id} has no parameter {name}")


def _field(schema: str, *path: str) -> dict[str, Any]:
    node: dict[str, Any] = SCHEMAS[schema]
    for name in path:
        node = node["properties"][name]
    return node


# --- limits and enums ----------------------------------------------------------------------

LIMIT = PARAMETERS["Limit"]["schema"]["maximum"]
# (module, constant, the spec's value)
FACTS = [
    (_runs, "MAX_PAGE_SIZE", LIMIT),
    (_tables, "MAX_PAGE_SIZE", LIMIT),
    (_events, "MAX_PAGE_SIZE", LIMIT),
    (_runs, "MAX_ARTIFACTS", _field("CompleteRunRequest", "artifacts")["maxItems"]),
    (_runs, "MAX_ARTIFACT_TYPE_LENGTH", _field("Artifact", "type")["maxLength"]),
    (_runs, "MAX_ARTIFACT_URI_LENGTH", _field("Artifact", "uri")["maxLength"]),
    (_tables, "MAX_URI_LENGTH", _field("RegisterSnapshotRequest", "uri")["maxLength"]),
    (_tables, "MAX_FORMAT_LENGTH", _field("RegisterSnapshotRequest", "format")["maxLength"]),
    (_tables, "MAX_LINEAGE_DEPTH", _query_parameter("get_lineage", "depth")["maximum"]),
    (_tables, "MAX_LINEAGE_NODES", _query_parameter("get_lineage", "limit")["maximum"]),
    (_tables, "MAX_LINEAGE_HISTORY", _query_parameter("get_lineage", "history")["maximum"]),
    (_events, "MAX_LEASE_SECONDS", _field("HeartbeatRequest", "lease_seconds")["maximum"]),
    (_events, "MAX_MESSAGE_LENGTH", _field("EventRequest", "message")["maxLength"]),
    (_names, "_MAX_OBJECT_NAME_BYTES", SCHEMAS["ObjectName"]["maxLength"]),
    (_runs, "RUN_STATUSES", SCHEMAS["RunStatus"]["enum"]),
    (_events, "EVENT_KINDS", SCHEMAS["EventKind"]["enum"]),
    (_tables, "LINEAGE_DIRECTIONS", SCHEMAS["LineageDirection"]["enum"]),
]
# constants that look like contract facts but are the SDK's own choices
NOT_THE_SPECS = {
    "MAX_JSON_DEPTH": "how deep the SDK lets a free-form object nest before sending it",
}


@pytest.mark.parametrize(
    ("module", "name", "spec"), FACTS, ids=[f"{m.__name__}.{n}" for m, n, _ in FACTS]
)
def test_each_limit_and_enum_is_the_specs(module: Any, name: str, spec: Any) -> None:
    value = getattr(module, name)
    assert (list(value) if isinstance(value, tuple) else value) == spec


def test_the_spec_lists_the_run_statuses_once() -> None:
    assert _field("LineageNode", "status")["enum"] == SCHEMAS["RunStatus"]["enum"]


def test_every_limit_or_enum_constant_of_the_sdk_is_held_to_the_spec() -> None:
    held = {(module.__name__, name) for module, name, _ in FACTS}
    looks_like_a_fact = re.compile(r"MAX_[A-Z_]+|[A-Z_]+_(?:STATUSES|KINDS|DIRECTIONS)")
    unheld = [
        f"{module.__name__}.{name}"
        for module in (_names, _runs, _tables, _events)
        for name in vars(module)
        if looks_like_a_fact.fullmatch(name.lstrip("_"))
        and name.lstrip("_") not in NOT_THE_SPECS
        and (module.__name__, name) not in held
    ]
    assert unheld == []


def test_the_problem_kinds_of_the_server_are_the_ones_the_spec_lists() -> None:
    listed = set(re.findall(r"`(/problems/[a-z-]+)`", _field("Problem", "type")["description"]))
    kinds = {
        kind.type
        for kind in vars(problems).values()
        if isinstance(kind, problems.ProblemKind) and kind.type.startswith("/problems/")
    }
    # the spec also lists what other backends answer: the local Datlake never limits requests
    # nor sheds load
    assert listed - kinds == {"/problems/rate-limited", "/problems/unavailable"}
    assert kinds <= listed


# --- name rules: the SDK's checks and the server's accept exactly what the spec's schemas do


def spec_accepts(schema: dict[str, Any], value: str) -> bool:
    """What JSON Schema says of `value` (the lengths and the pattern, `$` at the very end)."""
    return (
        schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value))
        and ecma_regex(schema["pattern"]).search(value) is not None
    )


def _spec(schema: dict[str, Any]) -> Any:
    return lambda value: spec_accepts(schema, value)


# rule -> (what the spec accepts, what the SDK or the server accepts)
NAME_RULES = {
    "Name": (_spec(SCHEMAS["Name"]), lambda v: _names.bad_name("name", v) is None),
    "BucketName": (_spec(SCHEMAS["BucketName"]), lambda v: _names.bad_bucket("b", v) is None),
    "Id": (_spec(SCHEMAS["Id"]), lambda v: _names.bad_run_id("run_id", v) is None),
    "IdempotencyKey": (
        _spec(PARAMETERS["IdempotencyKey"]["schema"]),
        lambda v: _names.bad_idempotency_key("key", v) is None,
    ),
    "RequestId": (
        _spec(PARAMETERS["RequestId"]["schema"]),
        lambda v: server_app.REQUEST_ID.fullmatch(v) is not None,
    ),
    # the schema's maxLength counts characters; its description bounds the bytes too
    "ObjectName": (
        lambda v: spec_accepts(SCHEMAS["ObjectName"], v) and len(v.encode()) <= 1024,
        lambda v: _names.bad_object_name("object", v) is None,
    ),
}
PATTERNS = {
    "Name": SCHEMAS["Name"]["pattern"],
    "BucketName": SCHEMAS["BucketName"]["pattern"],
    "Id": SCHEMAS["Id"]["pattern"],
    "IdempotencyKey": PARAMETERS["IdempotencyKey"]["schema"]["pattern"],
    "RequestId": PARAMETERS["RequestId"]["schema"]["pattern"],
    "ObjectName": SCHEMAS["ObjectName"]["pattern"],
}
EDGES = [
    "",
    "a",
    "ab",
    "abc",
    "a.b",
    ".a",
    "-a",
    "_a",
    "a-",
    "A",
    "a b",
    "a\n",
    "a/b",
    "/a",
    "a//b",
    "a/./b",
    "a/../b",
    "..",
    ".",
    "...",
    "a\\b",
    "a\x00b",
    "caf\u00e9",
    "\x7f",
    "~!",
    "x" * 63,
    "x" * 64,
    "x" * 65,
    "x" * 128,
    "x" * 129,
    "x" * 255,
    "x" * 256,
    "x" * 1024,
    "x" * 1025,
    "\u00e9" * 512,
    "\u00e9" * 513,
]
TEXT = st.text(alphabet=string.printable + "\u00e9\x00/.", max_size=70)


@pytest.mark.parametrize("rule", sorted(NAME_RULES))
def test_each_name_rule_agrees_with_the_spec_on_the_edges(rule: str) -> None:
    spec, sdk = NAME_RULES[rule]
    disagreements = [value for value in EDGES if spec(value) != sdk(value)]
    assert disagreements == []


@pytest.mark.parametrize("rule", sorted(NAME_RULES))
def test_each_name_rule_agrees_with_the_spec_on_generated_values(rule: str) -> None:
    spec, sdk = NAME_RULES[rule]
    valid = st.from_regex(ecma_regex(PATTERNS[rule]).pattern, fullmatch=True)

    @settings(max_examples=150, deadline=None, database=None, derandomize=True)
    @given(st.one_of(valid, TEXT))
    def agree(value: str) -> None:
        assert spec(value) == sdk(value), value

    agree()


# --- the errors: README table and docstrings against the code's status mapping -------------

STATUSES = range(400, 600)


def code_statuses(kind: type[_errors.SDKError]) -> set[int]:
    return {status for status in STATUSES if _errors._category(status) is kind}


def named_statuses(text: str, taken: set[int]) -> set[int]:
    """The statuses `text` names: `404`, `502-504`; `other 5xx` is every 5xx not in `taken`."""
    named: set[int] = set()
    for first, last in re.findall(r"\b([45]\d\d)-([45]\d\d)\b", text):
        named |= set(range(int(first), int(last) + 1))
    text = re.sub(r"\b[45]\d\d-[45]\d\d\b", "", text)
    named |= {int(code) for code in re.findall(r"\b([45]\d\d)\b", text)}
    if "other 5xx" in text:
        named |= set(range(500, 600)) - taken
    return named


def readme_error_table() -> dict[str, tuple[str, str]]:
    """class name -> (its `when` cell, its `retried` cell), from the README's "Errors"."""
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("\n## Errors\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| (.+?) \| (yes|no) \|$", section, re.MULTILINE)
    return {name: (when, retried) for name, when, retried in rows}


CLASSES = [_errors.AuthError, _errors.NotFound, _errors.Conflict, _errors.ValidationError,
           _errors.Transient, _errors.ServerError]  # fmt: skip


def test_the_readme_error_table_is_the_codes_mapping() -> None:
    table = readme_error_table()
    assert sorted(table) == sorted(kind.__name__ for kind in CLASSES)
    others = {kind: code_statuses(kind) for kind in CLASSES}
    for kind in CLASSES:
        when, retried = table[kind.__name__]
        taken = set().union(*(s for k, s in others.items() if k is not kind))
        assert named_statuses(when, taken) == others[kind], kind.__name__
        assert (retried == "yes") == kind.retryable, kind.__name__


@pytest.mark.parametrize("kind", CLASSES, ids=lambda kind: kind.__name__)
def test_each_error_class_docstring_names_the_statuses_it_gets(
    kind: type[_errors.SDKError],
) -> None:
    taken = set().union(*(code_statuses(k) for k in CLASSES if k is not kind))
    assert named_statuses(kind.__doc__ or "", taken) == code_statuses(kind)
