"""The result record: one per frame, the contract that sinks, the review desk and other systems read.

The JSON shape is documented in docs/record.md. Fields that could not be determined are ``None``
(JSON ``null``), never invented.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Decision = Literal["sort", "reject"]

POSTAGE_KINDS: tuple[str, ...] = ("stamp", "meter", "permit", "none")
DAMAGE_KINDS: tuple[str, ...] = ("none", "torn", "creased", "stained", "crushed")

# Reject reason codes, in the order they are reported.
REASON_CODES: tuple[str, ...] = (
    "bad_image",
    "processing_error",
    "unreadable_address",
    "invalid_address",
    "low_confidence",
    "no_postage",
    "damaged",
)


@dataclass(frozen=True, kw_only=True)
class Address:
    """The destination address as read, parsed and checked against the ZIP directory."""

    zip5: str | None
    zip4: str | None
    city: str | None
    state: str | None
    lines: tuple[str, ...]
    confidence: float
    verified: bool

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["lines"] = list(self.lines)
        return d


@dataclass(frozen=True, kw_only=True)
class ClassCall:
    """One CNN head's verdict: the kind, whether it counts as present, and the model's score for it."""

    present: bool
    kind: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, kw_only=True)
class Result:
    """The decision for one frame."""

    piece_id: str
    source: str
    decision: Decision
    bin: str | None
    reasons: tuple[str, ...] = ()
    address: Address | None = None
    postage: ClassCall | None = None
    damage: ClassCall | None = None
    orientation: int | None = None
    message: str | None = None
    model: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    # Extra geometry for the review desk: piece quadrilateral and boxes, in frame pixel coordinates.
    piece_quad: tuple[tuple[float, float], ...] | None = None
    address_box: tuple[int, int, int, int] | None = None
    postage_box: tuple[int, int, int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "piece_id": self.piece_id,
            "source": self.source,
            "decision": self.decision,
            "bin": self.bin,
            "reasons": list(self.reasons),
            "address": self.address.to_dict() if self.address else None,
            "postage": self.postage.to_dict() if self.postage else None,
            "damage": self.damage.to_dict() if self.damage else None,
            "orientation": self.orientation,
            "message": self.message,
            "model": self.model,
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            "piece_quad": [list(p) for p in self.piece_quad] if self.piece_quad else None,
            "address_box": list(self.address_box) if self.address_box else None,
            "postage_box": list(self.postage_box) if self.postage_box else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Result:
        """Rebuild a result from its JSON form (sinks and the review desk read records back)."""
        addr = d.get("address")
        return cls(
            piece_id=d["piece_id"],
            source=d["source"],
            decision=d["decision"],
            bin=d.get("bin"),
            reasons=tuple(d.get("reasons") or ()),
            address=Address(**{**addr, "lines": tuple(addr["lines"])}) if addr else None,
            postage=ClassCall(**d["postage"]) if d.get("postage") else None,
            damage=ClassCall(**d["damage"]) if d.get("damage") else None,
            orientation=d.get("orientation"),
            message=d.get("message"),
            model=d.get("model"),
            timings_ms=dict(d.get("timings_ms") or {}),
            piece_quad=tuple(tuple(p) for p in d["piece_quad"]) if d.get("piece_quad") else None,
            address_box=tuple(d["address_box"]) if d.get("address_box") else None,
            postage_box=tuple(d["postage_box"]) if d.get("postage_box") else None,
        )


def bad_image(piece_id: str, source: str, message: str, reject_bin: str | None) -> Result:
    """The record for a frame that is not a usable image: rejected, with the reason in words."""
    return Result(
        piece_id=piece_id,
        source=source,
        decision="reject",
        bin=reject_bin,
        reasons=("bad_image",),
        message=message,
    )
