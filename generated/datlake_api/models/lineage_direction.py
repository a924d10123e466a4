from enum import StrEnum


class LineageDirection(StrEnum):
    BOTH = "both"
    DOWNSTREAM = "downstream"
    UPSTREAM = "upstream"

    def __str__(self) -> str:
        return str(self.value)
