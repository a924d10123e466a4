"""The SDK's version, the one place it is written (pyproject.toml reads it from here): the
user agent says it without asking `importlib.metadata`, which costs a client ~10 ms to load."""

__version__ = "0.1.0"
