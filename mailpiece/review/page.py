"""What the desk shows for one piece: overlays in frame pixels, the directory check, the machine's values,
and the keys a reviewer presses. Plain data for the templates; no web framework here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from mailpiece.inspect.place_names import normalise_city
from mailpiece.inspect.result import REASON_CODES
from mailpiece.inspect.zip_directory import ZipDirectory
from mailpiece.review.corrections import machine_values
from mailpiece.review.store import UNSURE, StoredPiece

# One key per kind; letters, because digits go into the ZIP field. Shown on the page beside each kind.
POSTAGE_KEYS: tuple[tuple[str, str], ...] = (("s", "stamp"), ("m", "meter"), ("p", "permit"), ("n", "none"))
DAMAGE_KEYS: tuple[tuple[str, str], ...] = (
    ("o", "none"), ("t", "torn"), ("c", "creased"), ("d", "stained"), ("x", "crushed"),
)  # fmt: skip
FILTERS: tuple[str, ...] = (*REASON_CODES, UNSURE)
REASON_LABELS = {
    "bad_image": "bad image",
    "processing_error": "processing error",
    "unreadable_address": "unreadable address",
    "invalid_address": "invalid address",
    "low_confidence": "low confidence",
    "no_postage": "no postage",
    "damaged": "damaged",
    UNSURE: "sorted, unsure",
}


@dataclass(frozen=True, kw_only=True)
class Overlay:
    """A shape over the frame: SVG polygon points in frame pixels, and what it marks."""

    kind: str  # piece | address | postage
    points: str
    label: str


@dataclass(frozen=True, kw_only=True)
class DirectoryCheck:
    """What the ZIP directory says about the machine's ZIP, in words for the page."""

    known: bool
    matches: bool
    note: str


@dataclass(frozen=True, kw_only=True)
class PieceView:
    """One piece as the desk draws it."""

    piece: StoredPiece
    width: int | None
    height: int | None
    overlays: tuple[Overlay, ...]
    directory: DirectoryCheck | None
    machine: dict[str, str | None]


def piece_view(stored: StoredPiece, image: Path | None, directory: ZipDirectory) -> PieceView:
    """Measure the frame (header only) and lay out the overlays and the directory check."""
    width = height = None
    if image is not None:
        try:
            with Image.open(image) as frame:
                width, height = frame.size
        except OSError:
            image = None
    result = stored.result
    overlays = []
    if result.piece_quad:
        overlays.append(Overlay(kind="piece", points=_points(result.piece_quad), label="piece"))
    if result.address_box:
        overlays.append(Overlay(kind="address", points=_box_points(result.address_box), label="address"))
    if result.postage_box:
        overlays.append(Overlay(kind="postage", points=_box_points(result.postage_box), label="postage"))
    return PieceView(
        piece=stored, width=width, height=height, overlays=tuple(overlays),
        directory=directory_check(stored, directory), machine=machine_values(result),
    )  # fmt: skip


def directory_check(stored: StoredPiece, directory: ZipDirectory) -> DirectoryCheck | None:
    """Whether the machine's ZIP is in the directory and names the city and state it read."""
    address = stored.result.address
    if address is None or not address.zip5:
        return None
    entry = directory.lookup(address.zip5)
    if entry is None:
        return DirectoryCheck(known=False, matches=False, note=f"{address.zip5} is not in the directory")
    same_state = (address.state or "").upper() == entry.state
    same_city = normalise_city(address.city or "") in entry.cities
    where = f"{address.zip5} is {entry.city}, {entry.state}"
    if same_state and same_city:
        return DirectoryCheck(known=True, matches=True, note=f"{where}: city and state agree")
    differ = " and ".join(part for part, ok in (("city", same_city), ("state", same_state)) if not ok)
    return DirectoryCheck(known=True, matches=False, note=f"{where}: the {differ} read differ")


def _points(quad: tuple[tuple[float, float], ...]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in quad)


def _box_points(box: tuple[int, int, int, int]) -> str:
    x0, y0, x1, y1 = box
    return _points(((x0, y0), (x1, y0), (x1, y1), (x0, y1)))
