"""Settings: arguments, then environment, then config file; clear errors, no key leaks."""

from __future__ import annotations

import sys
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest

from datlake_sdk._client import DatlakeClient
from datlake_sdk._config import is_loopback, load_settings, user_agent
from datlake_sdk._errors import ConfigError
from datlake_sdk._policy import ErrorStrategy, OnError, Policy, RetryPolicy

KEY = "dlk_live_7c1e0b9a44d2"
LOCAL = "http://127.0.0.1:8765"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return _write(
        tmp_path / "datlake.toml",
        f"""
        url = "http://127.0.0.1:9000/"
        api_key = "{KEY}-file"
        timeout = 12.5
        error_strategy = "continue_on_not_found"
        retry = {{ max = 6, base_ms = 10 }}
        on_error = "raise"
        """,
    )


class TestPrecedence:
    def test_a_config_file_alone(self, config: Path) -> None:
        settings = load_settings(config_file=config, environ={})
        assert settings.base_url == "http://127.0.0.1:9000"
        assert settings.api_key == f"{KEY}-file"
        assert settings.timeout == 12.5
        assert settings.policy == Policy(
            error_strategy=ErrorStrategy.CONTINUE_ON_NOT_FOUND,
            retry=RetryPolicy(max_attempts=6, base_ms=10),
            on_error=OnError.RAISE,
        )

    def test_environment_beats_the_file(self, config: Path) -> None:
        env = {
            "DATLAKE_URL": "https://datlake.example.com",
            "DATLAKE_API_KEY": f"{KEY}-env",
            "DATLAKE_SDK_RETRY": "max=2",
            "DATLAKE_SDK_ON_ERROR": "emit_event",
        }
        settings = load_settings(config_file=config, environ=env)
        assert settings.base_url == "https://datlake.example.com"
        assert settings.api_key == f"{KEY}-env"
        assert settings.policy.retry == RetryPolicy(max_attempts=2)
        assert settings.policy.on_error is OnError.EMIT_EVENT
        # not set in the environment: still the file's
        assert settings.policy.error_strategy is ErrorStrategy.CONTINUE_ON_NOT_FOUND

    def test_arguments_beat_the_environment(self, config: Path) -> None:
        env = {"DATLAKE_URL": "https://a.example.com", "DATLAKE_SDK_ON_ERROR": "emit_event"}
        settings = load_settings(
            "https://b.example.com",
            f"{KEY}-arg",
            timeout=3,
            on_error="log_only",
            retry=RetryPolicy(max_attempts=1),
            config_file=config,
            environ=env,
        )
        assert settings.base_url == "https://b.example.com"
        assert settings.api_key == f"{KEY}-arg"
        assert settings.timeout == 3.0
        assert settings.policy.on_error is OnError.LOG_ONLY
        assert settings.policy.retry.max_attempts == 1

    def test_policy_argument_beats_everything(self, config: Path) -> None:
        policy = Policy(on_error=OnError.EMIT_EVENT)
        env = {"DATLAKE_SDK_ERROR_STRATEGY": "suppress_transient", "DATLAKE_SDK_RETRY": "max=x"}
        settings = load_settings(policy=policy, config_file=config, environ=env)
        assert settings.policy is policy

    def test_datlake_config_names_the_file(self, config: Path) -> None:
        settings = load_settings(environ={"DATLAKE_CONFIG": str(config)})
        assert settings.base_url == "http://127.0.0.1:9000"

    def test_the_default_file_is_read_when_it_exists(self, tmp_path: Path) -> None:
        _write(tmp_path / "datlake" / "config.toml", 'url = "http://localhost:1234"\n')
        settings = load_settings(environ={"XDG_CONFIG_HOME": str(tmp_path)})
        assert settings.base_url == "http://localhost:1234"
        assert settings.api_key is None

    def test_no_default_file_is_fine(self, tmp_path: Path) -> None:
        settings = load_settings(LOCAL, environ={"XDG_CONFIG_HOME": str(tmp_path)})
        assert settings.timeout == 30.0
        assert settings.policy == Policy()

    def test_client_reads_the_process_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("DATLAKE_URL", LOCAL)
        monkeypatch.setenv("DATLAKE_SDK_ERROR_STRATEGY", "suppress_transient")
        with DatlakeClient() as client:
            assert client.base_url == LOCAL
            assert client.policy.error_strategy is ErrorStrategy.SUPPRESS_TRANSIENT


class TestErrors:
    def test_missing_url(self) -> None:
        with pytest.raises(ConfigError, match="DATLAKE_URL"):
            load_settings(environ={})

    def test_config_error_is_a_value_error(self) -> None:
        assert issubclass(ConfigError, ValueError)

    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            ("ftp://127.0.0.1", "'ftp://127.0.0.1' is not an http"),
            ("127.0.0.1:8765", "'127.0.0.1:8765' is not an http"),
            ("http://", "'http://' is not"),
        ],
    )
    def test_bad_url_names_the_source_and_value(self, url: str, expected: str) -> None:
        with pytest.raises(ConfigError, match=f"^base_url: {expected}"):
            load_settings(url, environ={})

    def test_bad_url_from_the_environment_names_the_variable(self) -> None:
        with pytest.raises(ConfigError, match=r"^DATLAKE_URL: 'nope' is not"):
            load_settings(environ={"DATLAKE_URL": "nope"})

    def test_credentials_in_the_url_are_refused_without_echoing_them(self) -> None:
        with pytest.raises(ConfigError) as info:
            load_settings(f"https://user:{KEY}@datlake.example.com", environ={})
        assert KEY not in str(info.value)

    @pytest.mark.parametrize("value", ["0", "-1", '"ten"', "true", "inf"])
    def test_bad_timeout_in_the_file(self, tmp_path: Path, value: str) -> None:
        path = _write(tmp_path / "c.toml", f'url = "{LOCAL}"\ntimeout = {value}\n')
        with pytest.raises(ConfigError, match=r"c\.toml: timeout: .* is not a positive number"):
            load_settings(config_file=path, environ={})

    @pytest.mark.parametrize("value", [0, -2.0])
    def test_bad_timeout_argument(self, value: float) -> None:
        with pytest.raises(ConfigError, match=f"^timeout: {value}"):
            load_settings(LOCAL, timeout=value, environ={})

    def test_an_httpx_timeout_is_taken_as_is(self) -> None:
        timeout = httpx.Timeout(5.0, connect=1.0)
        assert load_settings(LOCAL, timeout=timeout, environ={}).timeout is timeout

    def test_unknown_file_key(self, tmp_path: Path) -> None:
        path = _write(tmp_path / "c.toml", f'url = "{LOCAL}"\napi_url = "x"\n')
        with pytest.raises(ConfigError, match=r"c\.toml: unknown key\(s\) api_url"):
            load_settings(config_file=path, environ={})

    def test_broken_toml_names_the_file_not_its_contents(self, tmp_path: Path) -> None:
        path = _write(tmp_path / "c.toml", f'api_key = "{KEY}\n')
        with pytest.raises(ConfigError) as info:
            load_settings(config_file=path, environ={})
        assert str(path) in str(info.value)
        assert KEY not in str(info.value)

    @pytest.mark.parametrize("name", ["config_file", "DATLAKE_CONFIG"])
    def test_a_named_file_that_is_missing(self, tmp_path: Path, name: str) -> None:
        missing = str(tmp_path / "nope.toml")
        kwargs = {"config_file": missing} if name == "config_file" else {}
        env = {"DATLAKE_CONFIG": missing} if name == "DATLAKE_CONFIG" else {}
        with pytest.raises(ConfigError, match=f"^{name}: .*nope.toml"):
            load_settings(LOCAL, environ=env, **kwargs)  # type: ignore[arg-type]

    @pytest.mark.parametrize("key", [f"{KEY} x", f"{KEY}\n", f"{KEY}é"])
    def test_a_malformed_key_is_refused_without_echoing_it(self, key: str) -> None:
        for env, kwargs in (({}, {"api_key": key}), ({"DATLAKE_API_KEY": f"x{key}x"}, {})):
            with pytest.raises(ConfigError) as info:
                load_settings(LOCAL, environ=env, **kwargs)
            assert KEY not in str(info.value)
            assert KEY not in repr(info.value)

    def test_a_non_string_key_in_the_file_is_not_echoed(self, tmp_path: Path) -> None:
        path = _write(tmp_path / "c.toml", f'url = "{LOCAL}"\napi_key = 12345678\n')
        with pytest.raises(ConfigError, match="api_key") as info:
            load_settings(config_file=path, environ={})
        assert "12345678" not in str(info.value)

    def test_policy_errors_surface_from_the_client(self) -> None:
        with pytest.raises(ConfigError, match="DATLAKE_SDK_RETRY: 'jitter=sometimes'"):
            load_settings(LOCAL, environ={"DATLAKE_SDK_RETRY": "max=2,jitter=sometimes"})


class TestInsecureHttp:
    @pytest.mark.parametrize(
        "url",
        ["http://127.0.0.1:8765", "http://127.8.9.10", "http://localhost:1", "http://[::1]:8765"],
    )
    def test_loopback_http_is_allowed(self, url: str) -> None:
        assert load_settings(url, environ={}).base_url == url

    @pytest.mark.parametrize(
        "url", ["http://datlake.example.com", "http://10.0.0.7:8765", "http://128.0.0.1"]
    )
    def test_http_elsewhere_is_refused(self, url: str) -> None:
        with pytest.raises(ConfigError, match="allow_insecure_http=True"):
            load_settings(url, environ={})
        assert load_settings(url, allow_insecure_http=True, environ={}).base_url == url

    def test_https_anywhere_is_fine(self) -> None:
        assert load_settings("https://10.0.0.7", environ={}).base_url == "https://10.0.0.7"

    def test_is_loopback(self) -> None:
        assert is_loopback("LOCALHOST")
        assert is_loopback("::1")
        assert not is_loopback("localhost.example.com")


class TestIdentity:
    def test_user_agent(self) -> None:
        python = f"{sys.version_info.major}.{sys.version_info.minor}"
        agent = user_agent()
        assert agent.startswith(f"datlake-sdk/{version('datlake-sdk')} ")
        assert f" python/{python} httpx/{httpx.__version__}" in agent

    def test_the_callers_product_goes_first(self) -> None:
        settings = load_settings(LOCAL, user_agent="nightly-etl/2.1", environ={})
        assert settings.user_agent == f"nightly-etl/2.1 {user_agent()}"
        with pytest.raises(ConfigError, match="user_agent"):
            load_settings(LOCAL, user_agent="bad\nagent", environ={})

    def test_reprs_redact_the_key(self) -> None:
        settings = load_settings(LOCAL, KEY, environ={})
        assert "api_key='***'" in repr(settings)
        assert KEY not in repr(settings)
        with DatlakeClient(LOCAL, KEY) as client:
            assert repr(client) == f"DatlakeClient(base_url='{LOCAL}', api_key='***')"
            assert KEY not in repr(vars(client))
        assert "api_key=None" in repr(load_settings(LOCAL, environ={}))


class TestPool:
    def test_defaults_keep_every_connection_alive(self) -> None:
        limits = load_settings(LOCAL, environ={}).limits()
        assert limits.max_connections == limits.max_keepalive_connections == 100
        assert limits.keepalive_expiry == 5.0

    def test_argument_then_environment_then_file(self, tmp_path: Path) -> None:
        path = _write(tmp_path / "c.toml", f'url = "{LOCAL}"\npool_size = 7\n')
        assert load_settings(config_file=path, environ={}).pool_size == 7
        env = {"DATLAKE_SDK_POOL_SIZE": "9", "DATLAKE_SDK_POOL_IDLE_TIMEOUT": "2m"}
        from_env = load_settings(config_file=path, environ=env)
        assert (from_env.pool_size, from_env.pool_idle_timeout) == (9, 120.0)
        given = load_settings(config_file=path, environ=env, pool_size=3, pool_idle_timeout=1)
        assert given.limits() == httpx.Limits(
            max_connections=3, max_keepalive_connections=3, keepalive_expiry=1.0
        )

    @pytest.mark.parametrize("value", ["0", "-3", "many", "10001", "2.5"])
    def test_a_bad_pool_size_names_the_variable_and_value(self, value: str) -> None:
        with pytest.raises(ConfigError, match=f"^DATLAKE_SDK_POOL_SIZE: '{value}' is not"):
            load_settings(LOCAL, environ={"DATLAKE_SDK_POOL_SIZE": value})

    def test_a_bad_pool_size_argument(self) -> None:
        with pytest.raises(ConfigError, match=r"^pool_size: True is not"):
            load_settings(LOCAL, pool_size=True, environ={})

    def test_a_bad_idle_timeout_in_the_file(self, tmp_path: Path) -> None:
        path = _write(tmp_path / "c.toml", f'url = "{LOCAL}"\npool_idle_timeout = "soon"\n')
        with pytest.raises(ConfigError, match=r"c\.toml: pool_idle_timeout: 'soon' is not"):
            load_settings(config_file=path, environ={})

    def test_the_client_uses_the_limits(self) -> None:
        with DatlakeClient(LOCAL, pool_size=4) as client:
            pool = client._http._transport._pool  # type: ignore[attr-defined]
            assert pool._max_connections == pool._max_keepalive_connections == 4
