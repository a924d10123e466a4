"""The public names of `datlake_sdk`: importable from the top, named `datlake_sdk.<Name>`,
picklable, and `import datlake_sdk` still light."""

from __future__ import annotations

import datetime
import doctest
import enum
import importlib
import pickle
import pkgutil
import subprocess
import sys
import traceback
from types import ModuleType
from typing import Any

import pytest

import datlake_sdk
import datlake_sdk.functional

DOMAIN_TYPES = [
    "Artifact",
    "Event",
    "Health",
    "Lease",
    "LineageEdge",
    "LineageGraph",
    "LineageNode",
    "MetricPoint",
    "MetricSeries",
    "ObjectInfo",
    "Page",
    "Progress",
    "Run",
    "RunLog",
    "SnapshotInfo",
    "TelemetryReceipt",
    "UriInfo",
]
RESULTS = ["Err", "Ok"]
ERRORS = [
    "AuthError",
    "Conflict",
    "NotFound",
    "SDKError",
    "ServerError",
    "Transient",
    "ValidationError",
]
# what keeps the module it is defined in, and why (nothing, today)
KEEPS_ITS_MODULE: set[str] = set()


def public_classes() -> list[str]:
    return [
        name
        for name in datlake_sdk.__all__
        if isinstance(getattr(datlake_sdk, name), type) and name not in KEEPS_ITS_MODULE
    ]


@pytest.mark.parametrize(
    "name", [*DOMAIN_TYPES, *RESULTS, *ERRORS, "DatlakeClient", "JobContext", "SharedRun"]
)
def test_importable_from_the_top(name: str) -> None:
    exec(f"from datlake_sdk import {name}", {})
    assert name in datlake_sdk.__all__
    if name in datlake_sdk.functional.__all__:
        assert getattr(datlake_sdk, name) is getattr(datlake_sdk.functional, name)


@pytest.mark.parametrize("name", public_classes())
def test_public_classes_say_datlake_sdk(name: str) -> None:
    cls = getattr(datlake_sdk, name)
    assert cls.__module__ == "datlake_sdk"
    if not issubclass(cls, enum.Enum):  # an enum's repr is `<enum 'OnError'>`
        assert repr(cls) == f"<class 'datlake_sdk.{name}'>"


def test_a_traceback_names_the_public_error() -> None:
    error = datlake_sdk.NotFound("run r of job j does not exist", code=404)
    line = "".join(traceback.format_exception_only(error))
    assert line.startswith("datlake_sdk.NotFound: run r of job j does not exist")


NOW = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)
SNAPSHOT = datlake_sdk.SnapshotInfo("users", "s1", "s3://b/users", format="parquet")
PICKLED = [
    datlake_sdk.Run("j", "r"),
    datlake_sdk.Run("j", "r", status="succeeded", outputs=(SNAPSHOT,), metadata={"a": 1}),
    SNAPSHOT,
    datlake_sdk.UriInfo("users", "s3://b/users", "parquet", None, snapshot_id="s1"),
    datlake_sdk.Artifact(type="log", uri="datlake://logs/run.log"),
    datlake_sdk.ObjectInfo("logs", "run.log", "datlake://logs/run.log", 3, "ab" * 32),
    datlake_sdk.Event("e1", "j", "r", "metric", None, {"rows": 3}, NOW),
    datlake_sdk.Lease("j", "r", "running", NOW, NOW),
    datlake_sdk.Health("ok", "0.1.0"),
    datlake_sdk.Page((SNAPSHOT,), next_cursor="c"),
    datlake_sdk.LineageGraph(
        "table:users",
        "both",
        1,
        (datlake_sdk.LineageNode("table:users", "table", "users"),),
        (datlake_sdk.LineageEdge("run:j/r", "table:users", "wrote", "s1"),),
    ),
    datlake_sdk.SharedRun("j", "r", "http://127.0.0.1:8765"),
    datlake_sdk.Ok(datlake_sdk.Run("j", "r")),
    datlake_sdk.Err("boom"),
]


@pytest.mark.parametrize("value", PICKLED, ids=lambda value: type(value).__name__)
def test_values_survive_pickling(value: object) -> None:
    assert pickle.loads(pickle.dumps(value)) == value
    assert type(pickle.loads(pickle.dumps(value))) is type(value)


def test_errors_survive_pickling() -> None:
    error = datlake_sdk.Transient("timed out", code=None, request_id="req-1")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is datlake_sdk.Transient
    assert (copy.message, copy.request_id, str(copy)) == ("timed out", "req-1", str(error))


def test_importing_the_package_stays_light() -> None:
    code = (
        "import sys, datlake_sdk\n"
        "from datlake_sdk import Run, Ok, Err, UriInfo, SDKError, DatlakeClient\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = set(result.stdout.split())
    heavy = {"datlake_api", "datlake_sdk._job", "datlake_sdk._delivery", "sqlite3", "attrs"}
    assert "attrs" in loaded  # the domain types need it, and it was there before
    assert not (heavy - {"attrs"}) & loaded
    assert not {m for m in loaded if m.startswith(("datlake_server", "datlake_sdk.testing"))}


def test_lazy_names_say_datlake_sdk_once_loaded() -> None:
    for name in ("JobContext", "JobTerminated", "FlushReport", "SharedRun", "JoinedRun"):
        assert getattr(datlake_sdk, name).__module__ == "datlake_sdk"


def _defining_module(cls: type) -> ModuleType:
    for info in pkgutil.iter_modules(datlake_sdk.__path__, "datlake_sdk."):
        module = importlib.import_module(info.name)
        private = info.name.rpartition(".")[2].startswith("_")
        if private and any(value is cls for value in vars(module).values()):
            return module
    raise LookupError(cls)


@pytest.mark.parametrize("name", public_classes())
def test_docstring_examples_of_public_classes(name: str) -> None:
    # doctest collects a module's examples from the classes it names as their module: since
    # these say `datlake_sdk`, their methods' examples run here, in their own module's globals
    cls = getattr(datlake_sdk, name)
    globs: dict[str, Any] = dict(vars(_defining_module(cls)))
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in doctest.DocTestFinder().find(cls, name, module=False, globs=globs):
        runner.run(test)
    assert runner.failures == 0


@pytest.mark.parametrize(
    ("package", "homes"),
    [(datlake_sdk, datlake_sdk._HOMES), (datlake_sdk.functional, datlake_sdk.functional._HOMES)],
)
def test_every_public_name_loads_from_its_home(package: ModuleType, homes: dict[str, str]) -> None:
    # the names load on first use: each comes from the module the table names, as the
    # type checkers' imports say
    assert sorted(homes) == sorted(package.__all__) == package.__all__
    for name in package.__all__:
        home = importlib.import_module(f"datlake_sdk.{homes[name]}")
        assert getattr(package, name) is getattr(home, name)
        assert name in dir(package)
    with pytest.raises(AttributeError, match="no attribute 'start_runn'"):
        package.start_runn  # noqa: B018


def test_importing_functional_loads_nothing_until_used() -> None:
    code = (
        "import sys, datlake_sdk.functional as f\n"
        "before = set(sys.modules)\n"
        "f.start_run\n"
        "after = set(sys.modules)\n"
        "print(' '.join(sorted(m for m in before if m.startswith(('datlake', 'attr')))))\n"
        "print(' '.join(sorted(after - before)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    before, used = (line.split() for line in result.stdout.splitlines())
    assert before == ["datlake_sdk", "datlake_sdk._lazy", "datlake_sdk.functional"]
    assert {"datlake_sdk._runs", "datlake_sdk._client", "attrs"} <= set(used)
    assert "datlake_sdk._objects" not in used  # nor what other operations need
