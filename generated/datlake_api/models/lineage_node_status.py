from enum import StrEnum


class LineageNodeStatus(StrEnum):
    FAILED = "failed"
    LOST = "lost"
    RUNNING = "running"
    SUCCEEDED = "succeeded"

    def __str__(self) -> str:
        return str(self.value)
