"""The examples in the docstrings of the SDK and the server run, and say what they print."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import datlake_sdk
import datlake_server

MODULES = sorted(
    info.name
    for package in (datlake_sdk, datlake_server)
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")
    if not info.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    failed, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failed == 0, f"{failed} docstring example(s) of {name} failed; see the output above"
