from enum import StrEnum


class LineageEdgeKind(StrEnum):
    READ = "read"
    WROTE = "wrote"

    def __str__(self) -> str:
        return str(self.value)
