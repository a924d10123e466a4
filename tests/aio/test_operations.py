"""Every operation's documented request, and every way it can fail, as
tests/sdk/test_operations.py checks them, carried out by `AsyncDatlakeClient` (the sync
operation's plan handed to its `perform`, see `sides.AsyncPlans`): the async sending, retries,
reading and translation face the same table of cases, against respx."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..sdk.sides import AsyncPlans, async_plans
from ..sdk.test_operations import (
    api,
    test_a_given_idempotency_key_is_sent_as_is,
    test_a_malformed_idempotency_key_is_rejected_before_sending,
    test_a_proxy_html_502_is_transient,
    test_a_retry_that_succeeds_returns_ok_and_resends_the_same_request,
    test_a_success_body_cut_off_is_retried_then_transient,
    test_a_success_body_with_a_field_of_the_wrong_type_is_a_server_error,
    test_an_incomplete_success_body_is_a_server_error,
    test_an_undocumented_status_520_is_an_err,
    test_complete_run_rejects_a_non_bool_success,
    test_each_status_becomes_its_typed_error,
    test_fetch_latest_uri_without_a_run_records_no_input_edge,
    test_heartbeat_without_lease_seconds_leaves_the_server_default,
    test_start_run_sends_a_parent_run_and_omits_absent_metadata,
    test_success_sends_the_documented_request,
    test_the_idempotency_key_is_made_once_per_call_and_kept_across_retries,
    test_transient_failures_are_retried_until_the_attempts_run_out,
    test_transport_failures_are_transient_without_a_code,
)

__all__ = [
    "api",
    "test_a_given_idempotency_key_is_sent_as_is",
    "test_a_malformed_idempotency_key_is_rejected_before_sending",
    "test_a_proxy_html_502_is_transient",
    "test_a_retry_that_succeeds_returns_ok_and_resends_the_same_request",
    "test_a_success_body_cut_off_is_retried_then_transient",
    "test_a_success_body_with_a_field_of_the_wrong_type_is_a_server_error",
    "test_an_incomplete_success_body_is_a_server_error",
    "test_an_undocumented_status_520_is_an_err",
    "test_complete_run_rejects_a_non_bool_success",
    "test_each_status_becomes_its_typed_error",
    "test_fetch_latest_uri_without_a_run_records_no_input_edge",
    "test_heartbeat_without_lease_seconds_leaves_the_server_default",
    "test_start_run_sends_a_parent_run_and_omits_absent_metadata",
    "test_success_sends_the_documented_request",
    "test_the_idempotency_key_is_made_once_per_call_and_kept_across_retries",
    "test_transient_failures_are_retried_until_the_attempts_run_out",
    "test_transport_failures_are_transient_without_a_code",
]


@pytest.fixture(scope="module")
def async_client() -> Iterator[AsyncPlans]:
    with async_plans() as client:
        yield client


@pytest.fixture
def client(async_client: AsyncPlans) -> AsyncPlans:
    """The async client, for the sync module's tests that take `client`."""
    return async_client
