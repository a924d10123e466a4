"""Typed errors: categories by status, wrapping exceptions, and how they print."""

from __future__ import annotations

import httpx
import pytest

from datlake_sdk._errors import (
    AuthError,
    ConfigError,
    Conflict,
    NotFound,
    SDKError,
    ServerError,
    Transient,
    ValidationError,
    error_for_status,
)


@pytest.mark.parametrize(
    ("status", "category"),
    [
        (400, ValidationError),
        (401, AuthError),
        (403, AuthError),
        (404, NotFound),
        (408, Transient),
        (409, Conflict),
        (412, Conflict),
        (413, ValidationError),
        (418, SDKError),
        (422, ValidationError),
        (425, Transient),
        (429, Transient),
        (499, Transient),
        (500, ServerError),
        (501, ServerError),
        (502, Transient),
        (503, Transient),
        (504, Transient),
        (520, Transient),
        (524, Transient),
        (529, Transient),
        (599, ServerError),
    ],
)
def test_category_by_status(status: int, category: type[SDKError]) -> None:
    error = error_for_status(status, request_id="rid")
    assert type(error) is category
    assert error.code == status
    assert error.retryable is (category is Transient)
    assert error.message == f"HTTP {status}"


def test_problem_fields_ride_along() -> None:
    error = error_for_status(
        404,
        problem_type="/problems/table-not-found",
        detail="no snapshot of users_raw",
        request_id="rid-1",
        retry_after=None,
        operation="fetch_latest_uri",
    )
    assert error.message == "HTTP 404: no snapshot of users_raw"
    assert (error.problem_type, error.detail, error.request_id, error.operation) == (
        "/problems/table-not-found",
        "no snapshot of users_raw",
        "rid-1",
        "fetch_latest_uri",
    )
    assert str(error) == (
        "HTTP 404: no snapshot of users_raw [/problems/table-not-found] (request_id=rid-1)"
    )
    assert repr(error) == (
        "NotFound(code=404, message='HTTP 404: no snapshot of users_raw', "
        "problem_type='/problems/table-not-found', request_id='rid-1')"
    )


class TestFromException:
    def test_a_users_exception(self) -> None:
        cause = ValueError("bad row 7")
        error = SDKError.from_exception(cause)
        assert type(error) is SDKError
        assert error.message == "ValueError: bad row 7"
        assert error.code is None
        assert error.__cause__ is cause

    def test_an_sdk_error_is_kept(self) -> None:
        error = Conflict("run finished", code=409)
        assert SDKError.from_exception(error) is error

    @pytest.mark.parametrize(
        "cause",
        [httpx.ReadTimeout("slow"), httpx.ConnectError("refused"), httpx.ReadError("reset")],
    )
    def test_transport_failures_are_transient(self, cause: Exception) -> None:
        error = SDKError.from_exception(cause)
        assert isinstance(error, Transient)
        assert error.code is None
        assert error.retryable
        # the same type and message, but not the exception itself: it holds the request
        assert type(error.__cause__) is type(cause)
        assert str(error.__cause__) == str(cause)
        assert error.__cause__ is not cause


def test_every_category_is_an_sdk_error_and_an_exception() -> None:
    for category in (AuthError, NotFound, Conflict, Transient, ServerError, ValidationError):
        assert issubclass(category, SDKError)
    assert issubclass(SDKError, Exception)


def test_config_error_is_a_value_error_and_no_sdk_error() -> None:
    assert issubclass(ConfigError, ValueError)
    assert not issubclass(ConfigError, SDKError)
