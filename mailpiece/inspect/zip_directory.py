"""Check a parsed address against the US ZIP directory (the offline ``zipcodes`` data) and correct it.

Like a production address reader, every reading of the last line and every ZIP one keystroke away is
scored against the directory; the cheapest consistent (ZIP, city, state) wins, and its confidence
falls with the OCR confidence, the size of the correction and the number of equally good rivals.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

from mailpiece.inspect.address_parse import ParsedAddress
from mailpiece.inspect.address_repairs import (
    COST_SCALE,
    SMALL_TOWN_ZIPS,
    ZIP_EDIT_COST,
    place_fit,
    two_digit_misread,
)
from mailpiece.inspect.config import AddressThresholds
from mailpiece.inspect.place_names import (
    ZipEntry,
    digits_differing,
    edit_distance,
    normalise_city,
    zip_neighbours,
)
from mailpiece.inspect.place_search import PlaceMatch, PlaceSearch
from mailpiece.inspect.result import Address
from mailpiece.inspect.zip_field import (
    LOST_ZIP,
    fits_zip_pattern,
    is_zip_pattern,
    partly_read_as,
    unknown_digits,
)

__all__ = [
    "AddressVerdict", "ZipDirectory", "ZipEntry", "edit_distance", "normalise_city", "zip_neighbours",
]  # fmt: skip

# A misread rarely survives the directory check, so OCR doubt lowers the confidence only partly.
OCR_WEIGHT = 0.4
RETIRED_ZIP_FACTOR = 0.8  # the directory still lists ZIPs that are no longer in use
# Hypotheses within this much of the best cost count as equally good rivals.
TIE_MARGIN = 0.3
# A place found only by the joint search (:mod:`mailpiece.inspect.place_search`) stays below the reader's
# "good enough", so its other recipes still get their say.
PLACE_SEARCH_MAX_CONFIDENCE = 0.85
# A ZIP read incompletely (lost digits, or none at all) beside a town read exactly that has one ZIP only:
# the town vouches for it, at the cost of this many repaired digits (below "confident", so the reader
# still tries its other recipes; a whole ZIP read by one of them wins).
TOWN_ZIP_COST = 3.0


@dataclass(frozen=True, kw_only=True)
class AddressVerdict:
    """The directory's verdict on a parsed address; ``note`` says in words what was checked or fixed."""

    zip5: str | None
    zip4: str | None
    city: str | None
    state: str | None
    verified: bool
    corrected: bool
    confidence: float
    note: str
    readable: bool = True
    changed: tuple[str, ...] = ()  # which of "zip", "city", "state" the directory corrected
    # Checked against the state alone: no city was read. A weak check (a misread digit often lands on
    # another ZIP of the same state), so the reader wants a second reading of the same digits.
    state_only: bool = False

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def to_address(self, lines: Iterable[str]) -> Address:
        """The result record's address block for this verdict."""
        return Address(
            zip5=self.zip5, zip4=self.zip4, city=self.city, state=self.state,
            lines=tuple(lines), confidence=self.confidence, verified=self.verified,
        )  # fmt: skip

    def reject_reasons(self, thresholds: AddressThresholds) -> tuple[str, ...]:
        """The address reason codes that apply: unreadable, invalid, or too unsure to sort on."""
        if not self.readable:
            return ("unreadable_address",)
        if not self.verified:
            return ("invalid_address",)
        if self.confidence < thresholds.accept_confidence:
            return ("low_confidence",)
        return ()


@dataclass(frozen=True, kw_only=True)
class _Hypothesis:
    entry: ZipEntry
    city: str
    cost: float
    state_only: bool = False  # no city was read: only the state vouches for the ZIP
    town_only: bool = False  # the ZIP was not read whole: the town's only ZIP, vouched for by its name


class ZipDirectory:
    """ZIP → (city, state, accepted names) and (state, city) → ZIPs, built once per worker."""

    def __init__(self, entries: Iterable[ZipEntry] | None = None) -> None:
        """Index the given entries, or the whole ``zipcodes`` directory when none are given."""
        if entries is None:
            entries = _zipcodes_entries()
        self._by_zip = {e.zip5: e for e in entries}
        by_place: dict[tuple[str, str], list[str]] = {}
        for entry in self._by_zip.values():
            for city in entry.cities:
                by_place.setdefault((entry.state, city), []).append(entry.zip5)
        self._by_place = {key: tuple(sorted(zips)) for key, zips in by_place.items()}
        self._places = PlaceSearch(self._by_zip, towns=self._by_place)

    @staticmethod
    @functools.cache
    def shared() -> ZipDirectory:
        """One directory per process, built on first use."""
        return ZipDirectory()

    def __len__(self) -> int:
        return len(self._by_zip)

    def lookup(self, zip5: str) -> ZipEntry | None:
        return self._by_zip.get(zip5)

    def zips_for(self, state: str, city: str) -> tuple[str, ...]:
        """Every ZIP whose accepted city names include ``city`` in ``state``."""
        return self._by_place.get((state.upper(), normalise_city(city)), ())

    def has_near_sibling(self, zip5: str, state: str, city: str) -> bool:
        """Whether the town has another ZIP one keystroke from ``zip5``: a misread onto it would pass the
        directory unnoticed, so only a second, agreeing reading can vouch for the ZIP."""
        return bool(self.contested_digits(zip5, state, city))

    def contested_digits(self, zip5: str, state: str, city: str) -> frozenset[int]:
        """The positions (0-4) where ``zip5`` differs from the town's ZIPs one keystroke away: the digits
        a second reading must agree on to tell the ZIP from its siblings (empty when it has none)."""
        near = set(zip_neighbours(zip5))
        return digits_differing(zip5, (z for z in self.zips_for(state, city) if z in near))

    def contested_digits_in_state(self, zip5: str, state: str) -> frozenset[int]:
        """As :meth:`contested_digits`, among every ZIP of the state: for a ZIP read without its city."""
        in_state = (self._by_zip.get(z) for z in zip_neighbours(zip5))
        return digits_differing(zip5, (e.zip5 for e in in_state if e is not None and e.state == state))

    def check(
        self,
        parsed: ParsedAddress,
        *,
        thresholds: AddressThresholds | None = None,
        ocr_confidence: float | None = None,
    ) -> AddressVerdict:
        """Verify the parsed last line; correct it when one repair is clearly best. OCR confidence comes
        from the ZIP/city words of ``OcrLine`` input, else ``ocr_confidence`` (a block mean), else 1."""
        thresholds = thresholds or AddressThresholds()
        if not parsed.readable or not parsed.readings:
            return _unreadable(parsed, "no ZIP code found in the address")
        hypotheses = sorted(self._hypotheses(parsed, thresholds), key=lambda h: (h.cost, h.entry.zip5))
        if not hypotheses:
            share, digits = _place_search_share(thresholds), thresholds.max_zip_edits
            match = self._places.search(parsed.readings, max_share=share, max_digits=digits)
            return self._contradiction(parsed) if match is None else _place_verdict(parsed, match)
        best = hypotheses[0]
        rivals = {h.entry.zip5 for h in hypotheses if h.cost <= best.cost + TIE_MARGIN}
        ocr = _ocr_confidence(parsed, ocr_confidence)
        confidence = (1.0 - OCR_WEIGHT * (1.0 - ocr)) * math.exp(-COST_SCALE * best.cost) / len(rivals)
        if not best.entry.active:
            confidence *= RETIRED_ZIP_FACTOR
        note = f"{best.entry.zip5} {best.city} {best.entry.state} matches the directory"
        changed = _changed_fields(parsed, best)
        if changed:
            note = f"corrected {', '.join(changed)}: " + note
        if len(rivals) > 1:
            others = ", ".join(sorted(rivals - {best.entry.zip5}))
            note += f"; {len(rivals) - 1} other equally good reading(s): {others}"
        if best.state_only:
            note += " (checked against the state only: no city was read)"
        if best.town_only:
            read = "nothing" if parsed.zip5 == LOST_ZIP else parsed.zip5
            note += f" (the ZIP read {read}: the town's only ZIP)"
        return AddressVerdict(
            zip5=best.entry.zip5, zip4=parsed.zip4, city=best.city, state=best.entry.state, verified=True,
            corrected=bool(changed), confidence=round(confidence, 4), note=note, changed=changed,
            state_only=best.state_only,
        )  # fmt: skip

    def _hypotheses(self, parsed: ParsedAddress, thresholds: AddressThresholds) -> Iterator[_Hypothesis]:
        seen: set[tuple[str, str | None, str | None]] = set()
        for reading in parsed.readings:
            city = normalise_city(reading.city) if reading.city else None
            candidates = self._zip_candidates(reading.zip5, city, reading.state, thresholds)
            for zip5, zip_cost, town_only in candidates:
                if (zip5, city, reading.state) in seen:
                    continue
                seen.add((zip5, city, reading.state))
                entry = self._by_zip.get(zip5)
                if entry is None:
                    continue
                fit = place_fit(
                    entry, city, reading.state, thresholds.max_city_edits, zip_repaired=zip_cost > 0,
                    city_is_a_town=(entry.state, city) in self._by_place,
                    city_in_read_state=(reading.state, city) in self._by_place,
                    garbled_city_share=thresholds.garbled_city_share,
                )  # fmt: skip
                if fit is None:
                    continue
                place_cost, city_name = fit
                cost = reading.penalty + zip_cost + place_cost
                yield _Hypothesis(
                    entry=entry, city=city_name, cost=cost, state_only=city is None, town_only=town_only
                )

    def _zip_candidates(
        self, zip5: str, city: str | None, state: str | None, thresholds: AddressThresholds
    ) -> Iterator[tuple[str, float, bool]]:
        """(ZIP, cost, whether only the town vouches for it): the read ZIP, directory ZIPs one edit away,
        and the read city's only ZIP two digits away; a ZIP read with unknown characters, the read town's
        only ZIP that fits it; a ZIP read incompletely beside a town with a single ZIP, that ZIP when
        what was read of it does not contradict it (``zip_field.partly_read_as``)."""
        if is_zip_pattern(zip5):
            if not (city and state) or thresholds.max_zip_edits < 1:
                return
            town = self._by_place.get((state, city), ())
            unknown = unknown_digits(zip5)
            fits = [z for z in town if fits_zip_pattern(z, zip5)]
            if len(fits) == 1 and thresholds.max_zip_edits >= unknown:
                yield fits[0], unknown * ZIP_EDIT_COST, False  # the town vouches for each unknown digit
            elif len(town) == 1 and thresholds.max_zip_edits >= 2 and partly_read_as(zip5, town[0]):
                yield town[0], TOWN_ZIP_COST, True  # more than a digit's repair: only at the widest setting
            return
        yield zip5, 0.0, False
        if not city or thresholds.max_zip_edits < 1:
            return  # a ZIP is only repaired when a city vouches for the repair
        yield from ((z, ZIP_EDIT_COST, False) for z in zip_neighbours(zip5) if z in self._by_zip)
        if thresholds.max_zip_edits >= 2 and state:
            # A ZIP that exists nowhere is plainly misread; a real ZIP two digits off is a conflict unless
            # both digits are ones blur turns into each other (0/6/8/9, 3/5/8, 1/7) and the town is small
            # (in a city of hundreds of ZIPs some ZIP is two such digits from almost anything).
            place_zips = self._by_place.get((state, city), ())
            exists = zip5 in self._by_zip
            if not exists or len(place_zips) <= SMALL_TOWN_ZIPS:
                two_off = [z for z in place_zips if two_digit_misread(zip5, z, confusable_only=exists)]
                if len(two_off) == 1:  # a two-digit repair is believable only when nothing else fits
                    yield two_off[0], 2 * ZIP_EDIT_COST, False

    def _contradiction(self, parsed: ParsedAddress) -> AddressVerdict:
        entry = self._by_zip.get(parsed.zip5 or "")
        # A ZIP read with an unknown character is shown in the note ("7?607"), never as the record's ZIP.
        unknown = bool(parsed.zip5) and is_zip_pattern(parsed.zip5)
        read = f"{parsed.city or '(no city)'} {parsed.state or '(no state)'}"
        if parsed.zip5 == LOST_ZIP:  # a city and state with no ZIP: unreadable, as a line with none at all
            return _unreadable(parsed, f"no ZIP found beside {read} (not a town with a single ZIP)")
        if unknown:
            note = f"ZIP {parsed.zip5} has unreadable or lost digits and no single ZIP of {read} fits it"
        elif parsed.city is None and parsed.state is None:
            note = f"ZIP {parsed.zip5} was read without a city or state to check it against"
        elif entry is None:
            note = f"ZIP {parsed.zip5} is not in the directory and no one-digit fix matches {read}"
        else:
            note = f"ZIP {entry.zip5} is {entry.city} {entry.state}, but the address reads {read}"
        return AddressVerdict(
            zip5=None if unknown else parsed.zip5, zip4=parsed.zip4, city=parsed.city, state=parsed.state,
            verified=False, corrected=False, confidence=0.0, note=note,
        )  # fmt: skip


def _unreadable(parsed: ParsedAddress, note: str) -> AddressVerdict:
    """The verdict on a last line with no ZIP to check (``unreadable_address``)."""
    return AddressVerdict(
        zip5=None, zip4=None, city=parsed.city, state=parsed.state, verified=False, corrected=False,
        confidence=0.0, note=note, readable=False,
    )  # fmt: skip


def _place_search_share(thresholds: AddressThresholds) -> float:
    """How far off a town name the joint search may accept: off with ``max_city_edits=0``, like the
    other fuzzy matches of the city."""
    return thresholds.place_search_share if thresholds.max_city_edits > 0 else 0.0


def _place_verdict(parsed: ParsedAddress, match: PlaceMatch) -> AddressVerdict:
    """The verdict for a last line that only a joint search of the directory could place: verified,
    corrected, and never "confident" (:data:`PLACE_SEARCH_MAX_CONFIDENCE`), so the reader still tries
    its other recipes and a town with a ZIP one keystroke away still asks for a second reading. The
    OCR's doubt about the words is not held against it: that doubt is why the fields needed the search,
    and the search's own terms (a clear winner, close enough) carry the evidence."""
    entry = match.entry
    confidence = min(PLACE_SEARCH_MAX_CONFIDENCE, math.exp(-COST_SCALE * match.cost))
    if not entry.active:
        confidence *= RETIRED_ZIP_FACTOR
    changed = _changed_fields(parsed, _Hypothesis(entry=entry, city=match.city, cost=match.cost))
    read = f"{parsed.city or '(no city)'} {parsed.state or '(no state)'} {parsed.zip5}"
    margin = match.margin
    runner_up = "no other place fits" if math.isinf(margin) else f"the next costs {margin:.1f} more"
    note = (
        f"placed by a directory search: {read} fits {entry.zip5} {match.city} {entry.state} alone "
        f"({match.digits_off} digit(s), {match.letters_off} letter(s) and {match.state_steps} state "
        f"step(s) off; {runner_up})"
    )
    return AddressVerdict(
        zip5=entry.zip5, zip4=parsed.zip4, city=match.city, state=entry.state, verified=True,
        corrected=True, confidence=round(confidence, 4), note=note, changed=changed,
    )  # fmt: skip


def _zipcodes_entries() -> Iterator[ZipEntry]:
    """Every ZIP in the ``zipcodes`` package's bundled data (offline; about a second to load)."""
    import zipcodes

    for row in zipcodes.list_all():
        names = frozenset(normalise_city(name) for name in [row["city"], *row.get("acceptable_cities", [])])
        city, active = normalise_city(row["city"]), bool(row.get("active", True))
        yield ZipEntry(zip5=row["zip_code"], city=city, state=row["state"], cities=names, active=active)


def _changed_fields(parsed: ParsedAddress, best: _Hypothesis) -> tuple[str, ...]:
    """Which of ZIP, city and state the verdict changed from the parser's first reading (a city read but
    not used, the verdict checked against the state only, is not corrected: it was not taken for one)."""
    changed = []
    if best.entry.zip5 != parsed.zip5:
        changed.append("zip")
    if parsed.city is not None and not best.state_only and normalise_city(parsed.city) != best.city:
        changed.append("city")
    if parsed.state is not None and parsed.state != best.entry.state:
        changed.append("state")
    return tuple(changed)


def _ocr_confidence(parsed: ParsedAddress, fallback: float | None) -> float:
    """How sure the OCR was of the ZIP and city/state words: per word when known, else the fallback."""
    default = 1.0 if fallback is None else fallback
    zip_conf = default if parsed.zip_confidence is None else parsed.zip_confidence
    city_conf = default if parsed.city_confidence is None else parsed.city_confidence
    return max(0.0, min(1.0, zip_conf)) ** 0.7 * max(0.0, min(1.0, city_conf)) ** 0.3
