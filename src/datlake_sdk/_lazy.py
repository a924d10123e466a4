"""Modules imported when first used: the generated layer (every model of the contract) loads on
an operation's first call, not on `import datlake_sdk.functional`; and the names of
`datlake_sdk` and `datlake_sdk.functional`, each loaded from its own module when first asked for.

>>> models = lazy("datlake_api.models")
>>> models.__name__, "datlake_api.models.run" in __import__("sys").modules  # doctest: +SKIP
('datlake_api.models', False)
>>> models.Run.__name__
'Run'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["homes", "lazy", "names_on_first_use"]


class _Lazy:
    """Stands for the module `name`, imported on the first attribute asked of it; its names
    are then copied here, so later lookups cost what a module's do."""

    def __init__(self, name: str) -> None:
        self.__name__ = name

    def __getattr__(self, attribute: str) -> Any:
        module = importlib.import_module(self.__name__)
        self.__dict__.update(vars(module))
        return getattr(module, attribute)

    def __repr__(self) -> str:
        return f"<module {self.__name__!r}, imported on first use>"


def lazy(name: str) -> Any:
    """The module `name`, imported when first used (type it with an `if TYPE_CHECKING:`
    import of the same module)."""
    return _Lazy(name)


def homes(modules: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """Each name of `{module: names}` with its module: `{"Run": "_types", ...}`."""
    return {name: module for module, names in modules.items() for name in names}


def names_on_first_use(
    package: str, namespace: dict[str, Any], homes: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The `__getattr__` and `__dir__` of the module `package` (its `globals()` are
    `namespace`): a name of `homes` is imported from its module of `datlake_sdk` when first
    asked for, then kept in the namespace, so later lookups cost what a module's do.

    >>> space = {"__all__": ["Ok"]}
    >>> getattr_, dir_ = names_on_first_use("demo", space, {"Ok": "_result"})
    >>> getattr_("Ok").__name__, "Ok" in space, dir_()
    ('Ok', True, ['Ok', '__all__'])
    """

    def __getattr__(name: str) -> Any:
        module = homes.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"datlake_sdk.{module}"), name)
        namespace[name] = value  # looked up once
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *namespace["__all__"]})

    return __getattr__, __dir__
