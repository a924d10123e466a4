"""Modules imported when first used: the generated layer (every model of the contract) loads on
an operation's first call, not on `import datlake_sdk.functional`.

>>> models = lazy("datlake_api.models")
>>> models.__name__, "datlake_api.models.run" in __import__("sys").modules  # doctest: +SKIP
('datlake_api.models', False)
>>> models.Run.__name__
'Run'
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["lazy"]


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
