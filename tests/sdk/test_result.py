"""The Result core: `Ok`/`Err` and the free functions composing them."""

from __future__ import annotations

import attrs
import pytest

from datlake_sdk._errors import NotFound, SDKError, Transient
from datlake_sdk._result import (
    Err,
    Ok,
    Result,
    UnwrapError,
    and_then,
    is_err,
    is_ok,
    map,
    map_err,
    recover,
    tee,
    unwrap,
    unwrap_err,
    unwrap_or,
)


def _never(*_: object) -> Result[int, str]:
    raise AssertionError("must not be called")


class TestMap:
    def test_changes_the_value_and_its_type(self) -> None:
        assert map(Ok(2), lambda n: f"#{n}") == Ok("#2")

    def test_passes_an_err_through_without_calling(self) -> None:
        err: Result[int, str] = Err("boom")
        assert map(err, _never) is err


class TestMapErr:
    def test_changes_the_error_and_its_type(self) -> None:
        assert map_err(Err(404), lambda code: NotFound(f"HTTP {code}")).error.code is None
        assert map_err(Err("x"), len) == Err(1)

    def test_passes_an_ok_through_without_calling(self) -> None:
        ok: Result[int, str] = Ok(1)
        assert map_err(ok, _never) is ok


class TestAndThen:
    def test_chains_a_step_that_succeeds(self) -> None:
        assert and_then(Ok(2), lambda n: Ok(str(n * 2))) == Ok("4")

    def test_chains_a_step_that_fails(self) -> None:
        assert and_then(Ok(2), lambda n: Err(f"bad {n}")) == Err("bad 2")

    def test_short_circuits_on_err(self) -> None:
        err: Result[int, str] = Err("first")
        assert and_then(err, _never) is err


class TestTee:
    def test_runs_the_side_effect_and_returns_the_same_result(self) -> None:
        seen: list[int] = []
        ok: Result[int, str] = Ok(3)
        assert tee(ok, seen.append) is ok
        assert seen == [3]

    def test_skips_the_side_effect_on_err(self) -> None:
        err: Result[int, str] = Err("x")
        assert tee(err, _never) is err


class TestRecover:
    def test_turns_an_err_into_ok(self) -> None:
        assert recover(Err(NotFound("gone")), lambda e: Ok(e.message)) == Ok("gone")

    def test_may_fail_again_with_another_error_type(self) -> None:
        assert recover(Err("x"), lambda e: Err(len(e))) == Err(1)

    def test_passes_an_ok_through_without_calling(self) -> None:
        ok: Result[int, str] = Ok(1)
        assert recover(ok, _never) is ok


class TestUnwrap:
    def test_returns_the_ok_value(self) -> None:
        assert unwrap(Ok("v")) == "v"

    def test_raises_chained_to_the_sdk_error(self) -> None:
        error = Transient("timed out", request_id="rid-1")
        with pytest.raises(UnwrapError) as info:
            unwrap(Err(error))
        assert info.value.__cause__ is error
        assert info.value.error is error
        assert "timed out" in str(info.value)

    def test_an_error_that_is_no_exception_is_carried_without_a_cause(self) -> None:
        with pytest.raises(UnwrapError) as info:
            unwrap(Err("plain"))
        assert info.value.__cause__ is None
        assert info.value.error == "plain"

    def test_unwrap_err(self) -> None:
        assert unwrap_err(Err("e")) == "e"
        with pytest.raises(UnwrapError) as info:
            unwrap_err(Ok(1))
        assert str(info.value) == "unwrap_err() called on Ok: 1"
        assert info.value.error is None

    def test_unwrap_or(self) -> None:
        assert unwrap_or(Ok(1), 0) == 1
        assert unwrap_or(Err("x"), None) is None


class TestGuards:
    def test_is_ok_and_is_err(self) -> None:
        ok: Result[int, str] = Ok(1)
        err: Result[int, str] = Err("x")
        assert is_ok(ok)
        assert not is_err(ok)
        assert is_err(err)
        assert not is_ok(err)

    def test_narrowing_gives_the_field(self) -> None:
        res: Result[int, str] = Ok(5)
        assert is_ok(res)
        assert res.value == 5


def _describe(res: Result[int, SDKError]) -> str:
    match res:
        case Ok(value):
            return f"ok {value}"
        case Err(NotFound() as error):
            return f"missing {error.message}"
        case Err(error):
            return f"failed {error.code}"
    raise AssertionError("unreachable")


class TestShape:
    def test_match_with_positional_patterns(self) -> None:
        assert _describe(Ok(1)) == "ok 1"
        assert _describe(Err(NotFound("t"))) == "missing t"
        assert _describe(Err(SDKError("x", code=500))) == "failed 500"

    @pytest.mark.parametrize("result", [Ok(1), Err("x")])
    def test_frozen(self, result: Result[int, str]) -> None:
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            result.value = 2  # type: ignore[misc, union-attr]

    @pytest.mark.parametrize("result", [Ok(1), Err("x")])
    def test_slotted(self, result: Result[int, str]) -> None:
        assert not hasattr(result, "__dict__")
        with pytest.raises((AttributeError, attrs.exceptions.FrozenInstanceError)):
            result.other = 1  # type: ignore[union-attr]

    def test_equality_hash_and_repr(self) -> None:
        assert Ok(1) == Ok(1)
        assert Ok(1) != Err(1)
        assert hash(Ok("a")) == hash(Ok("a"))
        assert repr(Ok(1)) == "Ok(value=1)"
        assert repr(Err("e")) == "Err(error='e')"
