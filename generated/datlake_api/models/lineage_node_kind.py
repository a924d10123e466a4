from enum import StrEnum


class LineageNodeKind(StrEnum):
    RUN = "run"
    TABLE = "table"

    def __str__(self) -> str:
        return str(self.value)
