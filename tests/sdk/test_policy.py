"""Policies: their defaults, their parsing from the environment and config files."""

from __future__ import annotations

import attrs
import pytest

from datlake_sdk._errors import ConfigError
from datlake_sdk._policy import ErrorStrategy, OnError, Policy, RetryPolicy


def test_defaults() -> None:
    policy = Policy()
    assert policy.error_strategy is ErrorStrategy.FAIL_FAST
    assert policy.on_error is OnError.LOG_ONLY
    assert policy.retry == RetryPolicy(
        max_attempts=8, base_ms=250, cap_ms=2000, jitter=True, deadline_s=30.0
    )
    assert policy.retry == RetryPolicy.parse(
        "max=8,base_ms=250,cap_ms=2000,jitter=true,deadline_s=30"
    )
    assert policy.retry.retry_after_cap_s == 30.0


def test_frozen_and_evolve() -> None:
    policy = Policy()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        policy.on_error = OnError.RAISE  # type: ignore[misc]
    changed = policy.evolve(on_error="emit_event", retry="max=1")
    assert changed.on_error is OnError.EMIT_EVENT
    assert changed.retry.max_attempts == 1
    assert policy.on_error is OnError.LOG_ONLY


class TestFromEnv:
    def test_empty_environment_gives_defaults(self) -> None:
        assert Policy.from_env({}) == Policy()

    def test_reads_the_three_variables(self) -> None:
        policy = Policy.from_env(
            {
                "DATLAKE_SDK_ERROR_STRATEGY": "continue_on_not_found",
                "DATLAKE_SDK_RETRY": "max=5,base_ms=50,cap_ms=800,jitter=false,deadline_s=2.5",
                "DATLAKE_SDK_ON_ERROR": "emit_event",
            }
        )
        assert policy == Policy(
            error_strategy=ErrorStrategy.CONTINUE_ON_NOT_FOUND,
            retry=RetryPolicy(max_attempts=5, base_ms=50, cap_ms=800, jitter=False, deadline_s=2.5),
            on_error=OnError.EMIT_EVENT,
        )

    def test_values_are_trimmed_and_case_insensitive(self) -> None:
        policy = Policy.from_env({"DATLAKE_SDK_ERROR_STRATEGY": " Suppress_Transient "})
        assert policy.error_strategy is ErrorStrategy.SUPPRESS_TRANSIENT

    def test_an_empty_variable_counts_as_unset(self) -> None:
        assert Policy.from_env({"DATLAKE_SDK_ON_ERROR": "", "DATLAKE_SDK_RETRY": " "}) == Policy()

    def test_reads_the_process_environment_by_default(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("DATLAKE_SDK_ON_ERROR", "raise")
        assert Policy.from_env().on_error is OnError.RAISE

    def test_overrides_a_base(self) -> None:
        base = Policy(on_error=OnError.RAISE)
        policy = Policy.from_env({"DATLAKE_SDK_ERROR_STRATEGY": "suppress_transient"}, base=base)
        assert policy.on_error is OnError.RAISE
        assert policy.error_strategy is ErrorStrategy.SUPPRESS_TRANSIENT

    @pytest.mark.parametrize(
        ("variable", "value"),
        [("DATLAKE_SDK_ERROR_STRATEGY", "retry_forever"), ("DATLAKE_SDK_ON_ERROR", "explode")],
    )
    def test_an_unknown_choice_names_the_variable_the_value_and_the_choices(
        self, variable: str, value: str
    ) -> None:
        with pytest.raises(ConfigError) as info:
            Policy.from_env({variable: value})
        message = str(info.value)
        assert variable in message
        assert repr(value) in message
        assert "one of:" in message


class TestRetryParse:
    def test_keys_left_out_keep_their_defaults(self) -> None:
        assert RetryPolicy.parse("max=7") == RetryPolicy(max_attempts=7)
        assert RetryPolicy.parse("") == RetryPolicy()

    def test_spaces_and_a_trailing_comma_are_fine(self) -> None:
        assert RetryPolicy.parse(" max = 2 , jitter = off ,") == RetryPolicy(
            max_attempts=2, jitter=False
        )

    @pytest.mark.parametrize(
        ("text", "bad_part"),
        [
            ("max=3,retries=4", "retries=4"),  # unknown key
            ("max=three", "max=three"),  # not a number
            ("base_ms=fast", "base_ms=fast"),
            ("max=0", "max=0"),  # no attempt at all
            ("max=-2", "max=-2"),
            ("base_ms=-1", "base_ms=-1"),  # negative
            ("deadline_s=-0.5", "deadline_s=-0.5"),
            ("cap_ms=nan", "cap_ms=nan"),
            ("jitter=maybe", "jitter=maybe"),  # bad boolean
            ("max", "max"),  # no value
            ("max=3;base_ms=1", "max=3;base_ms=1"),
        ],
    )
    def test_a_bad_part_names_the_variable_and_the_part(self, text: str, bad_part: str) -> None:
        with pytest.raises(ConfigError) as info:
            RetryPolicy.parse(text)
        assert isinstance(info.value, ValueError)
        message = str(info.value)
        assert message.startswith("DATLAKE_SDK_RETRY: ")
        assert repr(bad_part) in message

    def test_the_source_can_be_named(self) -> None:
        with pytest.raises(ConfigError, match=r"^retry: 'max=x'"):
            RetryPolicy.parse("max=x", source="retry")

    @pytest.mark.parametrize(
        "changes",
        [{"max_attempts": 0}, {"base_ms": -1}, {"deadline_s": -1.0}, {"jitter": "yes"}],
    )
    def test_the_constructor_validates(self, changes: dict[str, object]) -> None:
        with pytest.raises(ConfigError):
            RetryPolicy(**changes)  # type: ignore[arg-type]


class TestFromMapping:
    def test_reads_strings_and_a_retry_table(self) -> None:
        policy = Policy.from_mapping(
            {"error_strategy": "suppress_transient", "retry": {"max": 4, "jitter": False}},
            source="config.toml",
        )
        assert policy.error_strategy is ErrorStrategy.SUPPRESS_TRANSIENT
        assert policy.retry == RetryPolicy(max_attempts=4, jitter=False)

    def test_reads_a_retry_string(self) -> None:
        policy = Policy.from_mapping({"retry": "max=2"}, source="config.toml")
        assert policy.retry.max_attempts == 2

    @pytest.mark.parametrize(
        ("table", "expected"),
        [
            ({"on_error": 3}, r"config.toml: on_error: 3 is not a string"),
            ({"on_error": "shout"}, r"config.toml: on_error: 'shout' is not one of"),
            ({"retry": {"max": "x"}}, r"config.toml: retry: max = 'x'"),
            ({"retry": {"tries": 2}}, r"unknown key 'tries'"),
            ({"retry": {"jitter": 1}}, r"1 is not a boolean"),
            ({"retry": 5}, r"config.toml: retry: 5 is neither"),
        ],
    )
    def test_errors_name_the_file_the_key_and_the_value(
        self, table: dict[str, object], expected: str
    ) -> None:
        with pytest.raises(ConfigError, match=expected):
            Policy.from_mapping(table, source="config.toml")
