"""The async SDK's tests: the defaults and the local Datlake of the SDK tests
(tests/sdk/conftest.py), for every test here."""

from __future__ import annotations

from ..sdk.conftest import _sdk_test_defaults, datlake_url

__all__ = ["_sdk_test_defaults", "datlake_url"]
