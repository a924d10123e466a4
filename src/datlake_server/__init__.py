"""The local Datlake: a reference server for the Datlake API (SQLite and a folder).

Run it with `datlake server --data DIR`, or in-process for tests and demos (it needs the
`server` extra, `pip install 'datlake-sdk[server]'`; without it, importing this package says
so):

>>> import tempfile, httpx
>>> with serve_in_thread(tempfile.mkdtemp()) as url:
...     httpx.get(f"{url}/api/v1/health").json()["status"]
'ok'
"""

try:
    from datlake_server.app import DatlakeApp, create_app
    from datlake_server.serve import serve_app, serve_in_thread
except ModuleNotFoundError as _missing:  # starlette, uvicorn, openapi-core: the `server` extra
    from datlake_sdk.cli._manners import missing_extra

    _advice = missing_extra(_missing, "server")
    if _advice is None:
        raise
    raise ModuleNotFoundError(f"datlake_server: {_advice}", name=_missing.name) from _missing

__all__ = ["DatlakeApp", "create_app", "serve_app", "serve_in_thread"]
