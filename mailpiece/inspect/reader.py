"""Read the destination address from a faced piece: candidate blocks → OCR → parse → directory check.

The layout proposes a few candidate blocks; OCR and the ZIP directory decide among them, because the
return address and advertising text also look like text blocks but rarely make a verified last line in
the destination's place. A block that does not verify is read again with other preprocessing recipes
(bigger glyphs, darker ink, sharper edges) and by a second recognition model; readings that verify to
different ZIPs are a conflict, never a sort. What one read gives is an ``AddressReading``
(:mod:`mailpiece.inspect.reading`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from mailpiece.inspect.address_block import (
    FAINT_PRINT_CONTRAST,
    BlockCandidate,
    TextLine,
    blank_foreign_lines,
    find_address_candidates,
    find_text_lines,
    joined_with_fragment,
)
from mailpiece.inspect.address_parse import parse_address
from mailpiece.inspect.config import AddressThresholds
from mailpiece.inspect.ocr import OcrEngine, OcrTimeout
from mailpiece.inspect.ocr_budget import OcrBudget, OcrBudgetSpent
from mailpiece.inspect.ocr_preprocess import (
    FAINT_CONFIRM_RECIPES,
    FAINT_LIFTED_CONFIRM_RECIPES,
    FAINT_LIFTED_LINE_RECIPE,
    FAINT_LIFTED_RECIPE,
    FAINT_LINE_RECIPE,
    FAINT_RECIPE,
    LINE_RECIPE,
    RESCUE_RECIPES,
    STANDARD_RECIPE,
    OcrRecipe,
)
from mailpiece.inspect.reading import NOTHING_READ, AddressReading
from mailpiece.inspect.reading_agreement import backs, disputes
from mailpiece.inspect.zip_directory import ZipDirectory

__all__ = [
    "NOTHING_READ", "AddressReader", "AddressReading", "OcrBudget", "OcrBudgetSpent", "ReadingAttempt",
]  # fmt: skip


# How far below the best layout score a block may be and still compete on OCR quality.
LAYOUT_MARGIN = 1.0
# A faint reading's second opinions, by its recipe: the block at the other scale, and its last line alone.
_FAINT_SECOND_OPINIONS: dict[str, tuple[tuple[OcrRecipe, ...], OcrRecipe]] = {
    FAINT_RECIPE.name: (FAINT_CONFIRM_RECIPES, FAINT_LINE_RECIPE),
    FAINT_LIFTED_RECIPE.name: (FAINT_LIFTED_CONFIRM_RECIPES, FAINT_LIFTED_LINE_RECIPE),
}


class AddressReader:
    """Reads the destination block of a faced piece with one OCR engine and the ZIP directory."""

    def __init__(
        self,
        ocr: OcrEngine,
        directory: ZipDirectory,
        thresholds: AddressThresholds,
        *,
        candidates: int = 4,
        good_enough: float = 0.9,
        rescue_recipes: tuple[OcrRecipe, ...] = RESCUE_RECIPES,
        line_ocr: OcrEngine | None = None,
        second_ocr: OcrEngine | None = None,
    ) -> None:
        self.ocr = ocr
        self.directory = directory
        self.thresholds = thresholds
        self.candidates = candidates
        self.good_enough = good_enough
        # An engine that reads one text line (Tesseract PSM 7): the block's last line read on its own,
        # with its own segmentation and scale, is the most independent second opinion on a ZIP.
        self.line_ocr = line_ocr
        # An engine with another recognition model, for the recipes marked ``second_model``; without one,
        # those recipes are left out.
        self.second_ocr = second_ocr
        self.rescue_recipes = tuple(r for r in rescue_recipes if second_ocr is not None or not r.second_model)

    def read(
        self, piece: np.ndarray, *, rescue: bool = True, budget: OcrBudget | None = None
    ) -> AddressReading:
        """The best reading of the piece as it lies; with ``rescue``, unsure blocks are read again.
        When ``budget`` runs out, the best reading so far, marked ``out_of_time`` (review)."""
        attempt = ReadingAttempt(self, piece, budget=budget)
        try:
            best = attempt.first_pass()
            if rescue and not self.confident(best):
                best = attempt.rescue()
        except OcrBudgetSpent as spent:
            return attempt.cut_short(str(spent))
        return best

    def confident(self, reading: AddressReading) -> bool:
        """Verified, and sure enough that no other block or recipe needs to be tried."""
        return (
            reading.address is not None
            and reading.address.verified
            and reading.address.confidence >= self.good_enough
        )

    def read_block(
        self,
        piece: np.ndarray,
        candidate: BlockCandidate,
        recipe: OcrRecipe = STANDARD_RECIPE,
        *,
        budget: OcrBudget | None = None,
        part: tuple[int, int, int, int] | None = None,
    ) -> AddressReading:
        """OCR one candidate block prepared by ``recipe``, parse it and check it against the directory.
        With ``part`` (a box inside the block), only that is read, by the line engine (``line_ocr``); a
        ``second_model`` recipe is read by ``second_ocr``.

        Raises ``OcrBudgetSpent`` instead of starting (or after finishing) a pass the budget has no time for.
        """
        x0, y0, x1, y1 = part or candidate.box
        engine = self.line_ocr if part is not None else self.second_ocr if recipe.second_model else self.ocr
        if engine is None:
            needs = "its line engine (line_ocr)" if part is not None else "a second model (second_ocr)"
            raise ValueError(f"reading {recipe.name!r} needs the reader's {needs}")
        budget = budget or OcrBudget(None)
        if budget.exhausted:
            raise OcrBudgetSpent(budget.why())
        crop = blank_foreign_lines(piece[max(0, y0) : y1, max(0, x0) : x1], (max(0, x0), max(0, y0)),
                                   candidate.foreign)  # fmt: skip
        if min(crop.shape[:2]) < 2:  # an empty box reads as nothing; preprocessing would raise on it
            box, score = candidate.box, candidate.score
            return AddressReading(address=None, verdict=None, box=box, layout_score=score, recipe=recipe.name)
        prepared = recipe.apply(crop)
        budget.passes += 1
        try:
            lines = engine.read_lines(prepared, timeout_ms=budget.remaining_ms)
        except OcrTimeout:  # a pathological crop must not hold the worker
            if budget.limit_ms is not None:  # capped at what the frame had left: that is the end of it
                raise OcrBudgetSpent(budget.why()) from None
            lines = []  # only the engine's own per-crop cap: treat the crop as unreadable
        lines = [line for line in lines if line.text.strip()]
        if not lines:
            box, score = candidate.box, candidate.score
            return AddressReading(address=None, verdict=None, box=box, layout_score=score, recipe=recipe.name)
        parsed = parse_address(lines)
        verdict = self.directory.check(parsed, thresholds=self.thresholds)
        reading = AddressReading(
            address=verdict.to_address(line.text for line in lines),
            verdict=verdict,
            box=candidate.box,
            layout_score=candidate.score,
            ocr_confidence=float(np.mean([line.confidence for line in lines])),
            recipe=recipe.name,
            second_model=recipe.second_model and part is None,
            read_zip5=parsed.zip5,
        )
        if candidate.in_return_corner:
            # Destinations are never printed where the return address goes: seen there, it is review work.
            return reading.capped(self.below_accept, "block sits in the return-address corner")
        return reading

    def needs_backing(self, reading: AddressReading) -> bool:
        """Whether one reading is not enough: its town has another ZIP one keystroke away, and it is
        unsure or the directory had to change a digit (the other digits may be misread too); or no city
        was read and its state has another ZIP one keystroke away (the state alone is a weak check)."""
        if not self.ambiguous(reading):
            return False
        verdict = reading.verdict
        return verdict.state_only or not self.confident(reading) or "zip" in verdict.changed

    def ambiguous(self, reading: AddressReading) -> bool:
        """Whether the reading's town (its state, when no city was read) has another ZIP one keystroke
        from the one read."""
        address = reading.address
        if address is None or not address.verified or address.state is None or address.city is None:
            return False
        return bool(self.contested_digits(reading))

    def contested_digits(self, reading: AddressReading) -> frozenset[int]:
        """Where the reading's ZIP differs from the ZIPs one keystroke away that a misread could have
        landed on: its town's, or its state's when no city was read."""
        address = reading.address
        if reading.verdict is not None and reading.verdict.state_only:
            return self.directory.contested_digits_in_state(address.zip5, address.state)
        return self.directory.contested_digits(address.zip5, address.state, address.city)

    @property
    def below_accept(self) -> float:
        """A confidence just under the accept threshold: verified, but for review, not for sorting."""
        return max(0.0, self.thresholds.accept_confidence - 0.01)


class ReadingAttempt:
    """One faced piece being read: its candidate blocks, and every reading made of them so far."""

    def __init__(
        self,
        reader: AddressReader,
        piece: np.ndarray,
        *,
        lines: list[TextLine] | None = None,
        budget: OcrBudget | None = None,
    ) -> None:
        self.reader = reader
        self.piece = piece
        self.budget = budget or OcrBudget(None)
        candidates = find_address_candidates(piece, limit=reader.candidates, lines=lines)
        self.contenders = _contenders(candidates)
        # Last, a contender read together with a fragment of its last line (a ZIP split off by a crease).
        self.joined = [
            joined
            for upper in self.contenders
            for lower in candidates
            if lower is not upper and (joined := joined_with_fragment(upper, lower)) is not None
        ]
        self.contenders += self.joined
        self.readings: list[tuple[BlockCandidate, AddressReading]] = []
        self.line_readings: list[AddressReading] = []  # second opinions only, never the reading itself
        self.faint_contenders: list[BlockCandidate] | None = None  # the faint pass's blocks, once looked for

    @property
    def best(self) -> AddressReading:
        return max((r for _, r in self.readings), key=lambda r: r.quality, default=NOTHING_READ)

    def first_pass(self, *, blocks: int | None = None) -> AddressReading:
        """Each contender (the first ``blocks`` of them) with the standard recipe, stopping at the first
        confident reading; blocks already read this way are not read again, so a pass can be resumed."""
        done = [c for c, r in self.readings if r.recipe == STANDARD_RECIPE.name]
        for candidate in self.contenders[:blocks]:
            if self.reader.confident(self.best):
                break
            if any(c.box == candidate.box for c in done):
                continue  # read already (a crop read twice would back its own misreading)
            reading = self.reader.read_block(self.piece, candidate, budget=self.budget)
            self.readings.append((candidate, reading))
        return self.best

    def rescue(self) -> AddressReading:
        """Read the most promising blocks again with the rescue recipes (those not read yet); confirm the
        best reading if it needs backing, and settle conflicts safely."""
        for candidate in self._rescue_blocks():
            done = {r.recipe for c, r in self.readings if c is candidate}
            for recipe in (r for r in self.reader.rescue_recipes if r.name not in done):
                reading = self.reader.read_block(self.piece, candidate, recipe, budget=self.budget)
                self.readings.append((candidate, reading))
                if self.reader.confident(reading) and not reading.verdict.corrected:
                    return self.confirm()
        return self.confirm()

    def confirm(self) -> AddressReading:
        """A reading that needs backing (unsure or repaired, in a town with another ZIP one keystroke
        away) is read again with the rescue recipes until one reads the same ZIP: a digit misread onto a
        sibling ZIP passes the directory, but rarely the same way twice. Then, with a line engine, the
        block's last line on its own (once per block). A faint-ink reading is read again with faint-ink
        at 28 px first, and its last line with the same local ink stretch. Without agreement: review,
        unless the directory repaired the ZIP and no reading disputes it (:meth:`settled`)."""
        if self._settled_already():
            return self.settled()
        block = next(c for c, r in self.readings if r is self.best)
        # Pale print: the standard ink stretch may not see it, so faint readings are confirmed in kind.
        faint = _FAINT_SECOND_OPINIONS.get(self.best.recipe)
        tried = {r.recipe for c, r in self.readings if c is block}
        recipes = self.reader.rescue_recipes
        if faint:
            recipes = (*faint[0], *recipes)
        for recipe in (r for r in recipes if r.name not in tried):
            reading = self.reader.read_block(self.piece, block, recipe, budget=self.budget)
            self.readings.append((block, reading))
            if self._settled_already():  # a new reading can back the best, or be the new best
                return self.settled()
        # The best is still a reading of ``block``: every reading added above is one.
        read_alone = any(r.box == block.box for r in self.line_readings)
        if self.reader.line_ocr is not None and block.lines and not read_alone:
            part = last_line_box(block, self.piece.shape)
            line_recipe = faint[1] if faint else LINE_RECIPE
            reading = self.reader.read_block(self.piece, block, line_recipe, budget=self.budget, part=part)
            self.line_readings.append(reading)
        return self.settled()

    def _settled_already(self) -> bool:
        """Whether the best reading needs no (more) backing."""
        best = self.best
        if not self.reader.needs_backing(best):
            return True
        contested = self.reader.contested_digits(best)
        # The second model misreads a crop the same way on two preparations (FORT WORTH 76109 read as
        # 76199 by both): a reading of it is backed only by the standard model or the line engine.
        others = [r for r in self._same_block(best) if not (best.second_model and r.second_model)]
        return any(backs(r, best, contested) for r in others)

    def faint_pass(self) -> AddressReading:
        """The last resort for print too pale for the layout and the standard ink stretch: find the lines
        again with a mask that takes print a few grey levels off the paper, and read the blocks it finds
        with the faint-ink recipe, stopping at the first confident reading; one that needs backing is
        confirmed as in :meth:`confirm`, faint-ink at the other scale and on the last line alone first."""
        lines = find_text_lines(self.piece, contrast=FAINT_PRINT_CONTRAST)[0]
        candidates = find_address_candidates(self.piece, limit=self.reader.candidates, lines=lines)
        self.faint_contenders = _contenders(candidates)
        return self._read_faint_blocks(FAINT_RECIPE)

    def lifted_pass(self) -> AddressReading:
        """After the faint pass (both ways up) found nothing to accept: its blocks read again with the
        grain lifted (:data:`FAINT_LIFTED_RECIPE`), and confirmed in kind."""
        if self.faint_contenders is None:
            raise RuntimeError("lifted_pass reads the faint pass's blocks: run faint_pass first")
        return self._read_faint_blocks(FAINT_LIFTED_RECIPE)

    def _read_faint_blocks(self, recipe: OcrRecipe) -> AddressReading:
        for candidate in self.faint_contenders or ():
            reading = self.reader.read_block(self.piece, candidate, recipe, budget=self.budget)
            self.readings.append((candidate, reading))
            if self.reader.confident(reading):
                break
        return self.confirm()

    def cut_short(self, why: str) -> AddressReading:
        """The best reading so far of a piece whose OCR budget ran out, held below acceptance."""
        best = self.settled().capped(self.reader.below_accept, "the OCR time budget ran out")
        return replace(best, out_of_time=why)

    def _rescue_blocks(self) -> list[BlockCandidate]:
        """The block whose first reading came closest, and the best-placed block if that is another; a
        block joined with a fragment comes last (it reads more lines, so its readings can look closer
        than those of the part that holds the address)."""
        if not self.contenders:
            return []
        plain = [(c, r) for c, r in self.readings if not any(c is j for j in self.joined)]
        closest = max(plain, key=lambda cr: cr[1].quality)[0] if plain else self.contenders[0]
        blocks = [closest] + [c for c in self.contenders[:1] if c is not closest]
        if self.readings:
            overall = max(self.readings, key=lambda cr: cr[1].quality)[0]
            blocks += [overall] if not any(overall is b for b in blocks) else []
        return blocks

    def _same_block(self, best: AddressReading) -> list[AddressReading]:
        """Every other reading of the block ``best`` was read from: other recipes, the last line alone."""
        readings = [r for _, r in self.readings if r is not best and r.box == best.box]
        return readings + [r for r in self.line_readings if r.box == best.box]

    def settled(self) -> AddressReading:
        """The best reading, sent to review when the block's readings disagree (another reading verified
        to a different ZIP with an acceptable confidence), or when it needs backing and no other reading
        of the block read the same five digits (see ``AddressReader.needs_backing``), unless it is a
        repair that may stand alone (:meth:`_lone_repair_stands`)."""
        best = self.best
        if best.address is None or not best.address.verified:
            return best
        accept = self.reader.thresholds.accept_confidence
        same_block = self._same_block(best)
        others = [r for r in same_block if r.address is not None and r.address.verified]
        rivals = {r.address.zip5 for r in others if r.address.confidence >= accept} - {best.address.zip5}
        rivals |= {r.address.zip5 for r in others if disputes(r, best)}
        if rivals:
            why = f"other readings of the block verify to {', '.join(sorted(rivals))}"
            return best.capped(self.reader.below_accept, why)
        if not self._settled_already() and not self._lone_repair_stands(best):
            why = "a ZIP of the same town is one keystroke away and no second reading agrees"
            return best.capped(self.reader.below_accept, why)
        return best

    def _lone_repair_stands(self, best: AddressReading) -> bool:
        """Whether a ZIP the directory repaired is sorted on without a reading that backs it
        (``AddressThresholds.sort_lone_zip_repairs``). A reading that verified as it was read cannot stand
        alone: a digit misread onto a sibling ZIP passes the directory unseen (LARGO 33778 read 33770),
        while a repair had to fit the digits read to the town's ZIPs."""
        return self.reader.thresholds.sort_lone_zip_repairs and "zip" in best.verdict.changed


def last_line_box(block: BlockCandidate, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """The block's last text line with room around it (a third of its height above and below, its
    height on the left and the block's room on the right): where the city, state and ZIP are."""
    bottom = max(block.lines, key=lambda line: line.box[3])
    row = [ln for ln in block.lines if ln.box[1] < (bottom.box[1] + bottom.box[3]) / 2 < ln.box[3]]
    x0, x1 = min(ln.box[0] for ln in row), max(ln.box[2] for ln in row)
    height = bottom.height
    return (
        max(0, x0 - height),
        max(0, bottom.box[1] - height // 3),
        min(shape[1], max(x1 + 3 * height, block.box[2])),
        min(shape[0], bottom.box[3] + height // 3),
    )


def _contenders(candidates: list[BlockCandidate]) -> list[BlockCandidate]:
    """The candidates close to the best layout score. Only these compete: a return address in its corner
    reads and verifies just as well as the destination, so OCR must never promote it over the block that
    sits where destinations sit."""
    return [c for c in candidates if c.score >= candidates[0].score - LAYOUT_MARGIN]
