"""Settings: where a client connects, with what key, and under which policy.

Each setting comes from the first place that has it: the keyword argument, then the
environment (`DATLAKE_URL`, `DATLAKE_API_KEY`, `DATLAKE_SDK_*`), then a TOML config file
(`config_file`, else `$DATLAKE_CONFIG`, else `~/.config/datlake/config.toml` when it exists)
with the keys `url`, `api_key`, `timeout`, `error_strategy`, `retry`, `on_error`, `outbox`,
`outbox_exit_timeout`, `cache`, `cache_max_age`, `pool_size` and `pool_idle_timeout`.

>>> settings = load_settings(base_url="http://127.0.0.1:8765", api_key="s3cret", environ={})
>>> settings  # doctest: +ELLIPSIS
Settings(base_url='http://127.0.0.1:8765', api_key='***', timeout=30.0, ...)
>>> load_settings(base_url="http://datlake.example.com", environ={})
Traceback (most recent call last):
...
datlake_sdk.ConfigError: base_url: 'http://datlake.example.com' is plain http to a host that is not loopback; use https, or pass allow_insecure_http=True
"""  # noqa: E501

from __future__ import annotations

import functools
import ipaddress
import os
import sys
from collections.abc import Mapping
from pathlib import Path

import attrs
import httpx

from ._errors import ConfigError
from ._policy import Policy, RetryPolicy

__all__ = ["DEFAULT_TIMEOUT", "Settings", "load_settings", "outbox_path", "user_agent"]

DEFAULT_TIMEOUT = 30.0
ENV_URL = "DATLAKE_URL"
ENV_API_KEY = "DATLAKE_API_KEY"
ENV_CONFIG = "DATLAKE_CONFIG"
ENV_OUTBOX = "DATLAKE_SDK_OUTBOX"
ENV_OUTBOX_EXIT_TIMEOUT = "DATLAKE_SDK_OUTBOX_EXIT_TIMEOUT"
DEFAULT_OUTBOX_EXIT_TIMEOUT = 5.0
ENV_CACHE = "DATLAKE_SDK_CACHE"
ENV_CACHE_MAX_AGE = "DATLAKE_SDK_CACHE_MAX_AGE"
DEFAULT_CACHE_MAX_AGE = 24 * 3600.0
ENV_POOL_SIZE = "DATLAKE_SDK_POOL_SIZE"
ENV_POOL_IDLE_TIMEOUT = "DATLAKE_SDK_POOL_IDLE_TIMEOUT"
DEFAULT_POOL_SIZE = 100
DEFAULT_POOL_IDLE_TIMEOUT = 5.0
MAX_POOL_SIZE = 10_000
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_FILE_KEYS = frozenset(
    {
        "url",
        "api_key",
        "timeout",
        "error_strategy",
        "retry",
        "on_error",
        "outbox",
        "outbox_exit_timeout",
        "cache",
        "cache_max_age",
        "pool_size",
        "pool_idle_timeout",
    }
)


def _redact(key: str | None) -> str:
    return "None" if key is None else "'***'"


@attrs.frozen
class Settings:
    """Everything a `DatlakeClient` is built from, resolved and validated."""

    base_url: str
    api_key: str | None = attrs.field(repr=_redact)
    timeout: float | httpx.Timeout
    policy: Policy
    user_agent: str
    outbox: Path | None = None
    outbox_exit_timeout: float = DEFAULT_OUTBOX_EXIT_TIMEOUT
    cache: bool = False
    cache_max_age: float = DEFAULT_CACHE_MAX_AGE
    pool_size: int = DEFAULT_POOL_SIZE
    pool_idle_timeout: float = DEFAULT_POOL_IDLE_TIMEOUT

    def limits(self) -> httpx.Limits:
        """The connection pool: `pool_size` connections, every one of them kept alive while
        idle for up to `pool_idle_timeout` seconds.

        Keep-alive equals the pool size on purpose: with fewer (httpx's default keeps 20 of
        100), threads sharing one client return connections beyond the keep-alive count, and
        httpcore then closes surplus idle connections, including one it has just assigned to
        a waiting request (httpcore issue 1110: `ReadError: Bad file descriptor`, or a hang
        until the read timeout). With every connection kept, none is ever surplus.

        >>> Settings("http://127.0.0.1:8765", None, 30.0, Policy(), "ua").limits()
        Limits(max_connections=100, max_keepalive_connections=100, keepalive_expiry=5.0)
        """
        return httpx.Limits(
            max_connections=self.pool_size,
            max_keepalive_connections=self.pool_size,
            keepalive_expiry=self.pool_idle_timeout,
        )


def load_settings(
    base_url: str | None = None,
    api_key: str | None = None,
    *,
    timeout: float | httpx.Timeout | None = None,
    policy: Policy | None = None,
    error_strategy: str | None = None,
    retry: RetryPolicy | str | None = None,
    on_error: str | None = None,
    config_file: str | os.PathLike[str] | None = None,
    allow_insecure_http: bool = False,
    user_agent: str | None = None,
    outbox: str | os.PathLike[str] | None = None,
    outbox_exit_timeout: float | None = None,
    cache: bool | str | None = None,
    cache_max_age: float | str | None = None,
    pool_size: int | None = None,
    pool_idle_timeout: float | str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings from the arguments, `environ` (default `os.environ`) and the config
    file; raise `ConfigError` naming the setting and its bad value (never the API key)."""
    env = os.environ if environ is None else environ
    file_path, table = _read_config_file(config_file, env)
    source = str(file_path)

    url, url_source = _first(
        (base_url, "base_url"),
        (env.get(ENV_URL, "").strip(), ENV_URL),
        (_file_str(table, "url", source), f"{source}: url"),
    )
    if url is None:
        raise ConfigError(
            f"no Datlake URL: pass base_url=, set {ENV_URL}, or put url = ... in a config file"
        )
    url = _check_url(url, url_source, allow_insecure_http)

    key, key_source = _first(
        (api_key, "api_key"),
        (env.get(ENV_API_KEY, "").strip(), ENV_API_KEY),
        (_file_str(table, "api_key", source), f"{source}: api_key"),
    )
    if key is not None:
        _check_api_key(key, key_source)

    if timeout is None:
        timeout = _file_timeout(table, source) if "timeout" in table else DEFAULT_TIMEOUT
    elif not isinstance(timeout, httpx.Timeout):
        timeout = _positive_seconds(timeout, "timeout")

    if policy is None:
        policy = Policy.from_mapping(table, source=source)
        policy = Policy.from_env(env, base=policy)
        policy = policy.evolve(error_strategy=error_strategy, retry=retry, on_error=on_error)
    elif not isinstance(policy, Policy):
        raise ConfigError(f"policy: {policy!r} is not a Policy")

    journal = _outbox_path(outbox, env, table, source)
    return Settings(
        base_url=url,
        api_key=key,
        timeout=timeout,
        policy=policy,
        user_agent=user_agent_with(user_agent),
        outbox=journal,
        outbox_exit_timeout=_outbox_exit_timeout(outbox_exit_timeout, env, table, source),
        cache=_cache_on(cache, journal is not None, env, table, source),
        cache_max_age=_cache_max_age(cache_max_age, env, table, source),
        pool_size=_pool_size(pool_size, env, table, source),
        pool_idle_timeout=_duration(
            pool_idle_timeout,
            "pool_idle_timeout",
            ENV_POOL_IDLE_TIMEOUT,
            env,
            table,
            source,
            DEFAULT_POOL_IDLE_TIMEOUT,
        ),
    )


def _pool_size(
    given: int | None, env: Mapping[str, str], table: Mapping[str, object], source: str
) -> int:
    for value, where in (
        (given, "pool_size"),
        (env.get(ENV_POOL_SIZE, "").strip() or None, ENV_POOL_SIZE),
        (table.get("pool_size"), f"{source}: pool_size"),
    ):
        if value is None:
            continue
        number = int(value) if isinstance(value, str) and value.isdigit() else value
        if isinstance(number, int) and not isinstance(number, bool) and 0 < number <= MAX_POOL_SIZE:
            return number
        raise ConfigError(
            f"{where}: {value!r} is not a number of connections between 1 and {MAX_POOL_SIZE}"
        )
    return DEFAULT_POOL_SIZE


def _cache_on(
    given: bool | str | None,
    outbox_on: bool,
    env: Mapping[str, str],
    table: Mapping[str, object],
    source: str,
) -> bool:
    """On with the outbox (it lives in the outbox's file), unless turned off."""
    candidates: list[tuple[object, str]] = [
        (given, "cache"),
        (env.get(ENV_CACHE, "").strip() or None, ENV_CACHE),
        (table.get("cache"), f"{source}: cache"),
    ]
    value, where = next(((v, w) for v, w in candidates if v is not None), (None, ""))
    if value is None:
        return outbox_on
    on = _switch(value, where)
    if on and not outbox_on:
        raise ConfigError(f"{where}: the cache lives in the outbox's file: turn the outbox on")
    return on


def _switch(value: object, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("on", "off"):
        return value.strip().lower() == "on"
    raise ConfigError(f"{where}: {value!r} is not on or off")


def _cache_max_age(
    given: float | str | None, env: Mapping[str, str], table: Mapping[str, object], source: str
) -> float:
    return _duration(
        given, "cache_max_age", ENV_CACHE_MAX_AGE, env, table, source, DEFAULT_CACHE_MAX_AGE
    )


def _duration(
    given: float | str | None,
    key: str,
    variable: str,
    env: Mapping[str, str],
    table: Mapping[str, object],
    source: str,
    default: float,
) -> float:
    """The duration setting `key` from the argument, `variable` or the file, else `default`."""
    for value, where in (
        (given, key),
        (env.get(variable, "").strip() or None, variable),
        (table.get(key), f"{source}: {key}"),
    ):
        if value is not None:
            return duration_seconds(value, where)
    return default


def duration_seconds(value: object, where: str) -> float:
    """Seconds from a number or a text like `90s`, `30m`, `24h`, `7d`.

    >>> duration_seconds("24h", "cache_max_age"), duration_seconds(90, "cache_max_age")
    (86400.0, 90.0)
    """
    seconds: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().lower()
        unit = _DURATION_UNITS.get(text[-1:]) if text else None
        number = text[:-1] if unit is not None else text
        try:
            seconds = float(number) * (unit or 1)
        except ValueError:
            seconds = None
    if seconds is None or not 0 <= seconds < float("inf"):
        raise ConfigError(
            f"{where}: {value!r} is not a duration (a number of seconds, or 30m, 24h)"
        )
    return seconds


def outbox_path(
    outbox: str | os.PathLike[str] | None = None,
    *,
    config_file: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Path | None:
    """The outbox file the settings name (`None`: off), without needing a Datlake URL."""
    env = os.environ if environ is None else environ
    file_path, table = _read_config_file(config_file, env)
    return _outbox_path(outbox, env, table, str(file_path))


def default_outbox_path(env: Mapping[str, str] | None = None) -> Path:
    """Where `outbox="on"` keeps the journal: `${XDG_STATE_HOME:-~/.local/state}/datlake/`."""
    env = os.environ if env is None else env
    state = env.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(state) / "datlake" / "outbox.sqlite3"


def _outbox_path(
    given: str | os.PathLike[str] | None,
    env: Mapping[str, str],
    table: Mapping[str, object],
    source: str,
) -> Path | None:
    value, where = _first(
        (None if given is None else os.fspath(given), "outbox"),
        (env.get(ENV_OUTBOX, "").strip(), ENV_OUTBOX),
        (_file_str(table, "outbox", source), f"{source}: outbox"),
    )
    if value is None or value.lower() == "off":
        return None
    if value.lower() == "on":
        return default_outbox_path(env)
    path = Path(value).expanduser()
    if path.is_dir():
        raise ConfigError(f"{where}: {value!r} is a folder; give off, on or a file path")
    return path


def _outbox_exit_timeout(
    given: float | None, env: Mapping[str, str], table: Mapping[str, object], source: str
) -> float:
    if given is not None:
        return _non_negative_seconds(given, "outbox_exit_timeout")
    raw = env.get(ENV_OUTBOX_EXIT_TIMEOUT, "").strip()
    if raw:
        try:
            seconds: object = float(raw)
        except ValueError:
            seconds = raw
        return _non_negative_seconds(seconds, ENV_OUTBOX_EXIT_TIMEOUT, shown=repr(raw))
    if "outbox_exit_timeout" in table:
        return _non_negative_seconds(table["outbox_exit_timeout"], f"{source}: outbox_exit_timeout")
    return DEFAULT_OUTBOX_EXIT_TIMEOUT


def _non_negative_seconds(value: object, source: str, shown: str | None = None) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 3600:
        return float(value)
    raise ConfigError(
        f"{source}: {shown or repr(value)} is not a number of seconds between 0 and 3600"
    )


def _first(*candidates: tuple[str | None, str]) -> tuple[str | None, str]:
    """The first non-empty value, with the name of where it came from."""
    for value, source in candidates:
        if value:
            return value, source
    return None, ""


def _read_config_file(
    config_file: str | os.PathLike[str] | None, env: Mapping[str, str]
) -> tuple[Path | None, dict[str, object]]:
    explicit = config_file or env.get(ENV_CONFIG, "").strip()
    if explicit:
        path = Path(explicit).expanduser()
        name = "config_file" if config_file else ENV_CONFIG
        if not path.is_file():
            raise ConfigError(f"{name}: {str(path)!r} is not a readable file")
    else:
        home = env.get("XDG_CONFIG_HOME") or Path.home() / ".config"
        path = Path(home) / "datlake" / "config.toml"
        if not path.is_file():
            return None, {}
    import tomllib  # only when there is a file to read

    try:
        table: dict[str, object] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as ex:
        # The message cites a position and a token kind, not the file's text.
        raise ConfigError(f"{path}: not a readable TOML file: {ex}") from None
    unknown = sorted(set(table) - _FILE_KEYS)
    if unknown:
        raise ConfigError(
            f"{path}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(_FILE_KEYS))})"
        )
    return path, table


def _file_str(table: Mapping[str, object], key: str, source: str) -> str | None:
    if key not in table:
        return None
    value = table[key]
    if not isinstance(value, str):
        shown = "a non-string value" if key == "api_key" else repr(value)
        raise ConfigError(f"{source}: {key}: {shown} is not a string")
    return value.strip() or None


def _file_timeout(table: Mapping[str, object], source: str) -> float:
    return _positive_seconds(table["timeout"], f"{source}: timeout")


def _positive_seconds(value: object, source: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < float("inf"):
        return float(value)
    raise ConfigError(f"{source}: {value!r} is not a positive number of seconds")


def _check_url(url: str, source: str, allow_insecure_http: bool) -> str:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise ConfigError(f"{source}: {url!r} is not a URL") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigError(f"{source}: {url!r} is not an http:// or https:// URL with a host")
    if parsed.userinfo:
        # Credentials in a URL end up in logs; the key has its own setting.
        raise ConfigError(f"{source}: the URL must not carry credentials; use api_key")
    if parsed.scheme == "http" and not allow_insecure_http and not is_loopback(parsed.host):
        raise ConfigError(
            f"{source}: {url!r} is plain http to a host that is not loopback; "
            "use https, or pass allow_insecure_http=True"
        )
    return url.rstrip("/")


def is_loopback(host: str) -> bool:
    """`True` for `localhost`, 127.0.0.0/8 and ::1: hosts where plain http stays local."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_api_key(key: str, source: str) -> None:
    # An HTTP header token: printable ASCII without spaces. Never echo the value.
    if not all(33 <= ord(char) <= 126 for char in key):
        raise ConfigError(f"{source}: the API key contains spaces, control or non-ASCII characters")


@functools.cache
def user_agent() -> str:
    """`datlake-sdk/<version> python/<x.y> httpx/<version>`."""
    from ._version import __version__

    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return f"datlake-sdk/{__version__} python/{python} httpx/{httpx.__version__}"


def user_agent_with(product: str | None) -> str:
    """The SDK's user agent, after the caller's own product token when given."""
    if product is None:
        return user_agent()
    product = product.strip()
    if not product or any(not 32 <= ord(char) <= 126 for char in product):
        raise ConfigError(f"user_agent: {product!r} is not printable ASCII")
    return f"{product} {user_agent()}"
