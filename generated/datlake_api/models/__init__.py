"""Contains all the data models used in inputs/outputs"""

from .artifact import Artifact
from .complete_run_request import CompleteRunRequest
from .event import Event
from .event_kind import EventKind
from .event_page import EventPage
from .event_request import EventRequest
from .free_form import FreeForm
from .health import Health
from .health_status import HealthStatus
from .heartbeat_request import HeartbeatRequest
from .job import Job
from .job_page import JobPage
from .lease import Lease
from .lineage_direction import LineageDirection
from .lineage_edge import LineageEdge
from .lineage_edge_kind import LineageEdgeKind
from .lineage_graph import LineageGraph
from .lineage_node import LineageNode
from .lineage_node_kind import LineageNodeKind
from .lineage_node_status import LineageNodeStatus
from .log_chunk import LogChunk
from .metric_point import MetricPoint
from .metric_series import MetricSeries
from .metric_series_list import MetricSeriesList
from .metric_value import MetricValue
from .object_receipt import ObjectReceipt
from .open_lineage_dataset import OpenLineageDataset
from .open_lineage_job import OpenLineageJob
from .open_lineage_run import OpenLineageRun
from .open_lineage_run_event import OpenLineageRunEvent
from .open_lineage_run_event_event_type import OpenLineageRunEventEventType
from .problem import Problem
from .progress import Progress
from .progress_update import ProgressUpdate
from .register_snapshot_request import RegisterSnapshotRequest
from .run import Run
from .run_log import RunLog
from .run_page import RunPage
from .run_status import RunStatus
from .snapshot import Snapshot
from .snapshot_page import SnapshotPage
from .snapshot_schema_type_0 import SnapshotSchemaType0
from .start_run_request import StartRunRequest
from .table import Table
from .table_page import TablePage
from .telemetry_batch import TelemetryBatch
from .telemetry_receipt import TelemetryReceipt

__all__ = (
    "Artifact",
    "CompleteRunRequest",
    "Event",
    "EventKind",
    "EventPage",
    "EventRequest",
    "FreeForm",
    "Health",
    "HealthStatus",
    "HeartbeatRequest",
    "Job",
    "JobPage",
    "Lease",
    "LineageDirection",
    "LineageEdge",
    "LineageEdgeKind",
    "LineageGraph",
    "LineageNode",
    "LineageNodeKind",
    "LineageNodeStatus",
    "LogChunk",
    "MetricPoint",
    "MetricSeries",
    "MetricSeriesList",
    "MetricValue",
    "ObjectReceipt",
    "OpenLineageDataset",
    "OpenLineageJob",
    "OpenLineageRun",
    "OpenLineageRunEvent",
    "OpenLineageRunEventEventType",
    "Problem",
    "Progress",
    "ProgressUpdate",
    "RegisterSnapshotRequest",
    "Run",
    "RunLog",
    "RunPage",
    "RunStatus",
    "Snapshot",
    "SnapshotPage",
    "SnapshotSchemaType0",
    "StartRunRequest",
    "Table",
    "TablePage",
    "TelemetryBatch",
    "TelemetryReceipt",
)
