from enum import StrEnum


class OpenLineageRunEventEventType(StrEnum):
    ABORT = "ABORT"
    COMPLETE = "COMPLETE"
    FAIL = "FAIL"
    OTHER = "OTHER"
    RUNNING = "RUNNING"
    START = "START"

    def __str__(self) -> str:
        return str(self.value)
