"""datlake-sdk: run lineage-tracked data jobs against Datlake.

>>> from datlake_sdk import DatlakeClient
>>> from datlake_sdk.functional import start_run, complete_run
"""

from ._client import DatlakeClient

__all__ = ["DatlakeClient"]
