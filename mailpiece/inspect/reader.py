"""Read the destination address from a faced piece: candidate blocks → OCR → parse → directory check.

The layout proposes a few candidate blocks; OCR and the ZIP directory decide among them, because the
return address and advertising text also look like text blocks but rarely make a verified last line in
the destination's place.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mailpiece.inspect.address_block import BlockCandidate, find_address_candidates
from mailpiece.inspect.address_parse import parse_address
from mailpiece.inspect.config import AddressThresholds
from mailpiece.inspect.ocr import OcrEngine, OcrTimeout, preprocess_for_ocr
from mailpiece.inspect.result import Address
from mailpiece.inspect.zip_directory import AddressVerdict, ZipDirectory


@dataclass(frozen=True, kw_only=True)
class AddressReading:
    """What was read from one block; ``address`` is None when nothing address-like was found."""

    address: Address | None
    verdict: AddressVerdict | None
    box: tuple[int, int, int, int] | None  # in faced-piece pixels
    layout_score: float
    ocr_confidence: float = 0.0  # mean over the block's lines; upside-down text reads as low-confidence junk

    def reject_reasons(self, thresholds: AddressThresholds) -> tuple[str, ...]:
        """The address reason codes for this reading (none when it is good enough to sort on)."""
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


# How far below the best layout score a block may be and still compete on OCR quality.
LAYOUT_MARGIN = 1.0

NOTHING_READ = AddressReading(address=None, verdict=None, box=None, layout_score=float("-inf"))


class AddressReader:
    """Reads the destination block of a faced piece with one OCR engine and the ZIP directory."""

    def __init__(
        self,
        ocr: OcrEngine,
        directory: ZipDirectory,
        thresholds: AddressThresholds,
        *,
        candidates: int = 3,
        good_enough: float = 0.9,
    ) -> None:
        self.ocr = ocr
        self.directory = directory
        self.thresholds = thresholds
        self.candidates = candidates
        self.good_enough = good_enough

    def read(self, piece: np.ndarray) -> AddressReading:
        """The best reading among the top layout candidates; stops early at a confident verified one.

        Only candidates whose layout score is close to the best one compete: a return address in its corner
        reads and verifies just as well as the destination, so OCR must never promote it over the block
        that sits where destinations sit.
        """
        best = NOTHING_READ
        candidates = find_address_candidates(piece, limit=self.candidates)
        contenders = [c for c in candidates if c.score >= candidates[0].score - LAYOUT_MARGIN]
        for candidate in contenders:
            reading = self.read_block(piece, candidate)
            if reading.quality > best.quality:
                best = reading
            if best.address and best.address.verified and best.address.confidence >= self.good_enough:
                break
        return best

    def read_block(self, piece: np.ndarray, candidate: BlockCandidate) -> AddressReading:
        """OCR one candidate block, parse it and check it against the directory."""
        x0, y0, x1, y1 = candidate.box
        try:
            lines = self.ocr.read_lines(preprocess_for_ocr(piece[y0:y1, x0:x1]))
        except OcrTimeout:  # a pathological crop must not hold the worker: treat it as unreadable
            lines = []
        lines = [line for line in lines if line.text.strip()]
        if not lines:
            return AddressReading(address=None, verdict=None, box=candidate.box, layout_score=candidate.score)
        verdict = self.directory.check(parse_address(lines), thresholds=self.thresholds)
        return AddressReading(
            address=verdict.to_address(line.text for line in lines),
            verdict=verdict,
            box=candidate.box,
            layout_score=candidate.score,
            ocr_confidence=float(np.mean([line.confidence for line in lines])),
        )
