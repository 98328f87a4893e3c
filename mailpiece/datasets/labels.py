"""Ground truth for one synthetic frame: the `labels.jsonl` contract that training, OCR tests and the
pipeline's synthetic source read. One `PieceLabel` per frame, one JSON object per line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

PIECE_TYPES: tuple[str, ...] = (
    "envelope_10",
    "envelope_9",
    "envelope_6_75",
    "envelope_a7",
    "postcard",
    "flat_6x9",
    "flat_9x12",
)

Box = tuple[int, int, int, int]
Quad = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]


@dataclass(frozen=True, kw_only=True)
class AddressLabel:
    """A postal address as drawn: its parsed parts and `lines`, exactly the text on the piece."""

    name: str
    company: str | None
    street: str
    unit: str | None
    city: str
    state: str
    zip5: str
    zip4: str | None
    lines: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["lines"] = list(self.lines)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AddressLabel:
        return cls(**{**d, "lines": tuple(d["lines"])})


@dataclass(frozen=True, kw_only=True)
class PostageLabel:
    """What pays for the piece (stamp, meter, permit or none) and whether a cancellation covers it."""

    kind: str
    cancelled: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, kw_only=True)
class DamageLabel:
    """The damage drawn on the piece; a light severity is still that kind."""

    kind: str
    severity: float

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "severity": round(self.severity, 3)}


@dataclass(frozen=True, kw_only=True)
class PieceLabel:
    """Everything known about one rendered frame, in frame pixel coordinates where geometric.

    `piece_quad` lists the piece corners top-left, top-right, bottom-right, bottom-left of the UPRIGHT
    piece, so warping the quad to a rectangle faces and straightens it even when it lies upside down.
    The piece appears turned clockwise (as seen in the image) by `orientation + rotation_deg` degrees:
    `cv2.getRotationMatrix2D(centre, orientation + rotation_deg, 1)` turns it back upright.
    """

    piece_id: str
    image: str
    seed: int
    index: int
    piece_type: str
    window: bool
    address_label: bool
    dpi: int
    width: int
    height: int
    address: AddressLabel
    return_address: AddressLabel | None
    postage: PostageLabel
    damage: DamageLabel
    orientation: int
    rotation_deg: float
    grayscale: bool
    flat_scan: bool
    jpeg_quality: int
    piece_quad: Quad
    piece_size: tuple[int, int]
    address_box: Box
    postage_box: Box | None
    sortable: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "piece_id": self.piece_id,
            "image": self.image,
            "seed": self.seed,
            "index": self.index,
            "piece_type": self.piece_type,
            "window": self.window,
            "address_label": self.address_label,
            "dpi": self.dpi,
            "width": self.width,
            "height": self.height,
            "address": self.address.to_dict(),
            "return_address": self.return_address.to_dict() if self.return_address else None,
            "postage": self.postage.to_dict(),
            "damage": self.damage.to_dict(),
            "orientation": self.orientation,
            "rotation_deg": round(self.rotation_deg, 2),
            "grayscale": self.grayscale,
            "flat_scan": self.flat_scan,
            "jpeg_quality": self.jpeg_quality,
            "piece_quad": [[round(x, 1), round(y, 1)] for x, y in self.piece_quad],
            "piece_size": list(self.piece_size),
            "address_box": list(self.address_box),
            "postage_box": list(self.postage_box) if self.postage_box else None,
            "sortable": self.sortable,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PieceLabel:
        """Rebuild a label from its JSON form (one line of labels.jsonl)."""
        ret = d.get("return_address")
        postage_box = d.get("postage_box")
        return cls(
            piece_id=d["piece_id"],
            image=d["image"],
            seed=int(d["seed"]),
            index=int(d["index"]),
            piece_type=d["piece_type"],
            window=bool(d["window"]),
            address_label=bool(d["address_label"]),
            dpi=int(d["dpi"]),
            width=int(d["width"]),
            height=int(d["height"]),
            address=AddressLabel.from_dict(d["address"]),
            return_address=AddressLabel.from_dict(ret) if ret else None,
            postage=PostageLabel(**d["postage"]),
            damage=DamageLabel(kind=d["damage"]["kind"], severity=float(d["damage"]["severity"])),
            orientation=int(d["orientation"]),
            rotation_deg=float(d["rotation_deg"]),
            grayscale=bool(d["grayscale"]),
            flat_scan=bool(d["flat_scan"]),
            jpeg_quality=int(d["jpeg_quality"]),
            piece_quad=tuple((float(x), float(y)) for x, y in d["piece_quad"]),  # type: ignore[arg-type]
            piece_size=(int(d["piece_size"][0]), int(d["piece_size"][1])),
            address_box=tuple(int(v) for v in d["address_box"]),  # type: ignore[arg-type]
            postage_box=tuple(int(v) for v in postage_box) if postage_box else None,  # type: ignore[arg-type]
            sortable=bool(d["sortable"]),
        )


def iter_labels(dataset_dir: str | Path) -> Iterator[PieceLabel]:
    """Yield the labels of a dataset folder in file order, reading `labels.jsonl` lazily."""
    with open(Path(dataset_dir) / "labels.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield PieceLabel.from_dict(json.loads(line))


def read_labels(dataset_dir: str | Path) -> list[PieceLabel]:
    """All labels of a dataset folder, in file order."""
    return list(iter_labels(dataset_dir))
