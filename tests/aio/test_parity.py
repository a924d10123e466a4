"""Async parity: every operation and helper of `datlake_sdk.functional`, and every public
method of `JobContext` and `DatlakeClient`, has its `datlake_sdk.aio` counterpart with the
same parameters (names, kinds, defaults), or is listed here with the reason it has none."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

import datlake_sdk.aio as aio
import datlake_sdk.functional as functional
from datlake_sdk import (
    DatlakeClient,
    JobContext,
    _catalog_types,
    _errors,
    _reporting_types,
    _result,
    _types,
)

# Differences that stay, with their reason.
SYNC_ONLY = {
    "Telemetry(perform=)": "how the sender thread sends; AsyncTelemetry sends on its loop",
    "JobContext.read": "the DataFrame engines read synchronously (not async yet)",
    "JobContext.write": "the DataFrame engines write synchronously (not async yet)",
}
ASYNC_ONLY = {
    "AsyncTelemetry(loop=)": "the event loop that sends the batches (the running one)",
}

# sync name -> async name, where they differ
RENAMED = {
    "Telemetry": "AsyncTelemetry",
    "close": "aclose",
    "__enter__": "__aenter__",
    "__exit__": "__aexit__",
}

# what the async side awaits (the rest is the same plain call on both sides)
AWAITED = {
    "DatlakeClient": {"aclose", "execute", "flush_outbox", "perform", "__aenter__", "__aexit__"},
    "JobContext": {
        "attach_file",
        "event",
        "heartbeat",
        "input",
        "output",
        "__aenter__",
        "__aexit__",
    },
}

# `datlake_sdk.functional` also re-exports the result core, the types and the errors: values,
# not operations, the same objects on both sides
SHARED_VALUES = {
    name
    for name in functional.__all__
    for module in (_result, _types, _catalog_types, _reporting_types, _errors)
    if getattr(module, name, None) is getattr(functional, name)
}


def parameters(function: Callable[..., Any], skip: int) -> list[tuple[str, Any, Any]]:
    """(name, kind, default) of each parameter after the first `skip` (self, the client)."""
    found = list(inspect.signature(function).parameters.values())[skip:]
    return [(p.name, p.kind, p.default) for p in found]


def differences(
    sync_name: str, sync: Callable[..., Any], other: Callable[..., Any], skip: int
) -> tuple[set[str], set[str], set[str]]:
    """The parameters that differ, minus those listed."""
    async_name = RENAMED.get(sync_name, sync_name)
    mine = {p[0]: p for p in parameters(sync, skip)}
    theirs = {p[0]: p for p in parameters(other, skip)}
    listed_sync = {name for name in mine if f"{sync_name}({name}=)" in SYNC_ONLY}
    listed_async = {name for name in theirs if f"{async_name}({name}=)" in ASYNC_ONLY}
    missing = set(mine) - set(theirs) - listed_sync
    extra = set(theirs) - set(mine) - listed_async
    changed = {n for n in set(mine) & set(theirs) if mine[n] != theirs[n]}
    return missing, extra, changed


FUNCTIONAL = sorted(set(functional.__all__) - SHARED_VALUES)


@pytest.mark.parametrize("name", FUNCTIONAL)
def test_every_functional_operation_has_its_async_twin(name: str) -> None:
    async_name = RENAMED.get(name, name)
    assert async_name in aio.__all__, f"datlake_sdk.aio has no {async_name}"
    sync, other = getattr(functional, name), getattr(aio, async_name)
    skip = 0 if name == "current_run" else 1  # the client differs in type only
    if inspect.isclass(sync):
        assert issubclass(other, sync)
        sync, other = sync.__init__, other.__init__
        skip = 2
    assert differences(name, sync, other, skip) == (set(), set(), set())
    # an operation is awaited, an iterator is `async for`, a context manager `async with`
    if name.startswith("iter_"):
        assert not inspect.iscoroutinefunction(other)
    elif name in {"keep_alive", "telemetry"}:
        assert hasattr(other(None, None), "__aenter__")  # made lazily: nothing runs yet
    elif name not in {"current_run", "Telemetry"}:  # plain: no I/O
        assert inspect.iscoroutinefunction(other), name


TWIN_DUNDERS = {"__init__", "__enter__", "__exit__", "__aenter__", "__aexit__"}


def members(cls: type) -> dict[str, Any]:
    """The public members of `cls` and its bases, with the dunders that have twins."""
    return {
        name: value
        for klass in reversed(cls.__mro__[:-1])
        for name, value in vars(klass).items()
        if not name.startswith("_") or name in TWIN_DUNDERS
    }


@pytest.mark.parametrize(
    ("sync_cls", "async_cls"),
    [(DatlakeClient, aio.AsyncDatlakeClient), (JobContext, aio.AsyncJobContext)],
    ids=["DatlakeClient", "JobContext"],
)
def test_every_public_method_has_its_async_twin(sync_cls: type, async_cls: type) -> None:
    sync_members, async_members = members(sync_cls), members(async_cls)
    awaited = AWAITED[sync_cls.__name__]
    for name, sync in sorted(sync_members.items()):
        where = f"{sync_cls.__name__}.{name}"
        if where in SYNC_ONLY:
            assert name not in async_members, f"{where} landed: drop it from SYNC_ONLY"
            continue
        async_name = RENAMED.get(name, name)
        assert async_name in async_members, f"{async_cls.__name__} has no {async_name}"
        other = async_members[async_name]
        if isinstance(sync, property):
            assert isinstance(other, property), where
            continue
        if isinstance(sync, classmethod):
            assert isinstance(other, classmethod), where
            sync, other = sync.__func__, other.__func__
        skip = 2 if name == "__init__" else 1  # self (and the client)
        missing, extra, changed = differences(sync_cls.__name__, sync, other, skip)
        assert (missing, extra, changed) == (set(), set(), set()), where
        assert inspect.iscoroutinefunction(other) == (async_name in awaited), where


def test_the_lists_name_only_what_exists() -> None:
    """A stale entry (renamed on the sync side, or already landed) fails here, not silently."""
    for entry in SYNC_ONLY:
        owner, _, rest = entry.partition(".")
        if "(" in entry:
            cls_name, _, param = entry.partition("(")
            target = getattr(functional, cls_name, None) or {"JobContext": JobContext}[cls_name]
            assert param.rstrip("=)") in inspect.signature(target).parameters, entry
        elif rest:
            assert hasattr({"JobContext": JobContext}[owner], rest), entry
        else:
            assert owner in functional.__all__, entry
    for entry in ASYNC_ONLY:
        cls_name, _, param = entry.partition("(")
        assert param.rstrip("=)") in inspect.signature(getattr(aio, cls_name)).parameters
