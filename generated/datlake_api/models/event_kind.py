from enum import StrEnum


class EventKind(StrEnum):
    ERROR = "error"
    METRIC = "metric"
    PROGRESS = "progress"

    def __str__(self) -> str:
        return str(self.value)
