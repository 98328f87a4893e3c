"""What a reviewer keys for one piece, validated before it reaches the database.

A review always covers three fields: the ZIP (5 digits or ZIP+4, or none when a human cannot read it
either), the postage kind and the damage kind. Each is stored next to the machine's value, so one review
row per field says both what the human saw and whether the machine agreed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mailpiece.inspect.result import DAMAGE_KINDS, POSTAGE_KINDS, Result

FIELDS: tuple[str, ...] = ("zip", "postage", "damage")
ZIP_SHAPE = re.compile(r"^\d{5}(-\d{4})?$")
MAX_REVIEWER = 64


class CorrectionError(ValueError):
    """A keyed value that cannot be stored; ``field`` names the offending input for the page."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"detail": self.message, "field": self.field}


@dataclass(frozen=True, kw_only=True)
class Review:
    """One reviewer's verdict on one piece; ``zip`` is ``None`` when the address is unreadable to a human."""

    piece_id: str
    zip: str | None
    postage: str
    damage: str
    reviewer: str | None = None

    def value(self, field: str) -> str | None:
        return {"zip": self.zip, "postage": self.postage, "damage": self.damage}[field]


def parse_review(piece_id: str, body: Any, reviewer: str | None = None) -> Review:
    """Validate a JSON body ``{"zip": "06103" | "06103-1234" | null, "postage": kind, "damage": kind}``."""
    if not isinstance(body, dict):
        raise CorrectionError("body", 'expected a JSON object {"zip": ..., "postage": ..., "damage": ...}')
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise CorrectionError(unknown[0], f"unknown field {unknown[0]!r}; fields are {', '.join(FIELDS)}")
    return Review(
        piece_id=piece_id,
        zip=_zip(body.get("zip")),
        postage=_kind("postage", body.get("postage"), POSTAGE_KINDS),
        damage=_kind("damage", body.get("damage"), DAMAGE_KINDS),
        reviewer=reviewer[:MAX_REVIEWER] if reviewer else None,
    )


def _zip(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not ZIP_SHAPE.match(value.strip()):
        raise CorrectionError("zip", f"ZIP must be 5 digits or ZIP+4 (12345-6789), got {value!r}")
    return value.strip()


def _kind(field: str, value: Any, kinds: tuple[str, ...]) -> str:
    if value not in kinds:
        raise CorrectionError(field, f"{field} kind must be one of {', '.join(kinds)}, got {value!r}")
    return value


def machine_values(result: Result) -> dict[str, str | None]:
    """The machine's value of each reviewed field, in the same shapes a reviewer keys."""
    address = result.address
    zip_code = None
    if address and address.zip5:
        zip_code = address.zip5 + (f"-{address.zip4}" if address.zip4 else "")
    return {
        "zip": zip_code,
        "postage": result.postage.kind if result.postage else None,
        "damage": result.damage.kind if result.damage else None,
    }


def agrees(field: str, machine: str | None, human: str | None) -> bool:
    """Whether the human confirmed the machine; ZIPs agree on their first five digits (ZIP+4 is a bonus)."""
    if field == "zip":
        return (machine or "")[:5] == (human or "")[:5]
    return machine == human
