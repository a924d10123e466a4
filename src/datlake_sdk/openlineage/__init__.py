"""OpenLineage for Datlake: export runs as RunEvents, send them to any OpenLineage endpoint,
and send RunEvents to a Datlake (which records them as runs, input edges and snapshots).

>>> from datlake_sdk import Run
>>> from datlake_sdk.openlineage import run_events
>>> [e["eventType"] for e in run_events(Run("daily", "3f2a9c1e5b7d4e0f8a6b2c4d6e8f0a1b",
...                                          status="failed"), namespace="prod")]
['START', 'FAIL']

The mapping, both ways, is documented in `_mapping` and in the README ("OpenLineage").
"""

from ._export import export_events
from ._forward import forward
from ._ingest import ingest_openlineage
from ._mapping import (
    DEFAULT_NAMESPACE,
    EXTERNAL_JOB,
    InputPlan,
    RunPlan,
    SnapshotPlan,
    datlake_name,
    datlake_run_id,
    openlineage_run_id,
    plan_event,
    run_events,
)

__all__ = [
    "DEFAULT_NAMESPACE",
    "EXTERNAL_JOB",
    "InputPlan",
    "RunPlan",
    "SnapshotPlan",
    "datlake_name",
    "datlake_run_id",
    "export_events",
    "forward",
    "ingest_openlineage",
    "openlineage_run_id",
    "plan_event",
    "run_events",
]
