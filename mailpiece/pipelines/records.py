"""What a sink stores for one piece, and the interface every sink offers the driver.

A sink's ``write`` is the commit point of the pipeline: a source acknowledges a frame (moves it to done/,
for example) only after the batch holding its record has been written, so a crash can never lose a frame.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from mailpiece.inspect.result import Result


@dataclass(frozen=True, kw_only=True)
class PieceRecord:
    """A result plus where its image will live once the source has acknowledged it (for the review desk)."""

    result: Result
    image_path: str | None

    def to_dict(self) -> dict[str, Any]:
        """The result record with ``image_path`` added as an extra field."""
        return {**self.result.to_dict(), "image_path": self.image_path}


class Sink(Protocol):
    """Where records go; ``write`` must be durable when it returns."""

    @property
    def name(self) -> str: ...

    def write(self, records: Sequence[PieceRecord]) -> None: ...

    def already_written(self, piece_ids: Iterable[str]) -> set[str]: ...

    def close(self) -> None: ...
