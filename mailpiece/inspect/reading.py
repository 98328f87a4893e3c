"""What was read from one address block: the reading, its sort key, and how it is held for review."""

from __future__ import annotations

from dataclasses import dataclass, replace

from mailpiece.inspect.config import AddressThresholds
from mailpiece.inspect.ocr_preprocess import STANDARD_RECIPE
from mailpiece.inspect.result import Address
from mailpiece.inspect.zip_directory import AddressVerdict

__all__ = ["NOTHING_READ", "AddressReading"]


@dataclass(frozen=True, kw_only=True)
class AddressReading:
    """What was read from one block; ``address`` is None when nothing address-like was found."""

    address: Address | None
    verdict: AddressVerdict | None
    box: tuple[int, int, int, int] | None  # in faced-piece pixels
    layout_score: float
    ocr_confidence: float = 0.0  # mean over the block's lines; upside-down text reads as low-confidence junk
    recipe: str = STANDARD_RECIPE.name
    second_model: bool = False  # read by the reader's second recognition model
    out_of_time: str | None = None  # why reading stopped short: the frame's OCR budget ran out
    # The ZIP as the parser read it, before the directory had a say (digits, or one WILDCARD).
    read_zip5: str | None = None

    def reject_reasons(self, thresholds: AddressThresholds) -> tuple[str, ...]:
        """The address reason codes for this reading (none when it is good enough to sort on). A reading
        cut short by the OCR budget is never sorted on: it goes to review as ``low_confidence``."""
        if self.out_of_time:
            return ("low_confidence",)
        return self.verdict.reject_reasons(thresholds) if self.verdict else ("unreadable_address",)

    @property
    def quality(self) -> tuple[int, int, float, float, float]:
        """Sort key: verified beats unverified beats nothing; then the directory's confidence, the OCR's
        confidence (which tells right-way-up text from junk when nothing verifies), and the layout."""
        if self.address is None:
            return (0, 0, 0.0, self.ocr_confidence, self.layout_score)
        has_zip = int(self.address.zip5 is not None)
        return (
            1 + int(self.address.verified),
            has_zip,
            self.address.confidence,
            self.ocr_confidence,
            self.layout_score,
        )

    def capped(self, confidence: float, why: str) -> AddressReading:
        """The same reading with its confidence held at ``confidence`` at most, and the reason noted."""
        if self.verdict is None or self.address is None or self.verdict.confidence <= confidence:
            return self
        verdict = replace(self.verdict, confidence=round(confidence, 4), note=f"{self.verdict.note}; {why}")
        return replace(self, verdict=verdict, address=verdict.to_address(self.address.lines))


NOTHING_READ = AddressReading(address=None, verdict=None, box=None, layout_score=float("-inf"))
