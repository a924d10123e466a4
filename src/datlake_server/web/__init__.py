"""The local Datlake's pages: what it recorded, browsable at `/` (see `pages`)."""

from datlake_server.web.pages import WebPages

__all__ = ["WebPages"]
