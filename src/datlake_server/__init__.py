"""The local Datlake: a reference server for the Datlake API (SQLite and a folder).

Run it with `datlake server --data DIR`, or in-process for tests and demos:

>>> import tempfile, httpx
>>> with serve_in_thread(tempfile.mkdtemp()) as url:
...     httpx.get(f"{url}/api/v1/health").json()["status"]
'ok'
"""

from datlake_server.app import DatlakeApp, create_app
from datlake_server.serve import serve_app, serve_in_thread

__all__ = ["DatlakeApp", "create_app", "serve_app", "serve_in_thread"]
