"""The scenarios, one module per area of the contract; importing this package registers them
(`_registry.SCENARIOS`) in the order below, which is the report's."""

from . import (  # noqa: F401
    basics,
    catalog,
    events,
    leases,
    lineage,
    objects,
    openlineage,
    replays,
    runs,
    tables,
    telemetry,
)
