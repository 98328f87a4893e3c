"""The directory's last resort for a last line garbled in every field: search it for the one place that fits.

Handwriting and unfamiliar type garble a last line in more than one field at once (``Friemant, ND 59030``
for FAIRMOUNT ND 58030, ``STEUSEWALLE OF 53352`` for STEUBENVILLE OH 43952), past what the per-field
repairs of :mod:`mailpiece.inspect.address_repairs` allow. Read together, the fields still say which
place it is: of the directory ZIPs at most two digits from the one read, one is usually much closer than
any other in town name and state. This is the joint, directory-driven matching address readers rely on
for hard last lines: every field's distance summed, trusted only when one place is clearly alone.

The search runs only when no single-field repair fits. The runner-up ZIP must cost at least
:data:`PLACE_SEARCH_MARGIN` more, so a last line that several ZIPs fit about as well (a city of hundreds
of ZIPs, where some ZIP is two digits from almost anything) is left for review, and a ZIP two digits off
needs a town name at most :data:`TWO_DIGIT_SHARE` off.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from mailpiece.inspect.address_fields import STATE_CODES
from mailpiece.inspect.address_parse import LastLineReading
from mailpiece.inspect.address_repairs import a_word_replaced
from mailpiece.inspect.place_names import ZipEntry, edit_distance, normalise_city

# Costs of a joint match: per ZIP digit off, per share of the town name's letters off, per state step
# (0 as read, 1 one letter off, 2 not read or not a state; another real state is a conflict, no match).
# Chosen on the 163 records rejected as invalid_address in 11,300 synthetic frames (docs/address-reading.md).
DIGIT_COST = 1.0
NAME_SHARE_COST = 2.0
STATE_STEP_COST = 1.0
PLACE_SEARCH_MARGIN = 0.5
# A line off in every field at once (a ZIP digit, no state, half the town name: 4 in all) is no reading
# of any place: upside-down print read as text (``AMH ONIX 61906`` placed at 61006 ASHTON IL) fits that
# way. Of 74 placements on 6,400 frames (nine sets), the two whose fields cost 4 were wrong; the rest
# cost at most 3.5 and were right (``SAIEST JOSEP EO 54586``: two digits, a state letter and a quarter of
# SAINT JOSEPH off, 3.5). The reading's own penalty (junk dropped to parse it) is not counted here.
PLACE_SEARCH_MAX_FIELDS_COST = 3.5
TWO_DIGIT_SHARE = 0.35
MIN_CITY_LETTERS = 3
# A read word this share of the real word's letters off (nothing of it kept) replaced it: not a garble.
REPLACED_WORD_SHARE = 1.0
# A read city that is part of this many directory town names (VILLE, CITY, LAKE) is too generic to place.
GENERIC_FRAGMENT_TOWNS = 100


@dataclass(frozen=True, kw_only=True)
class PlaceMatch:
    """The directory place a garbled last line fits best, and what fitting it took."""

    entry: ZipEntry
    city: str  # the entry's name the read city came closest to
    read_city: str  # the city as read, normalised
    read_state: str | None  # the state as read
    digits_off: int
    letters_off: int
    name_share: float  # letters off as a share of the longer of the read and the real name
    state_steps: int
    cost: float
    margin: float  # how much more the runner-up ZIP costs (inf when there is none)
    reading_penalty: float = 0.0  # the part of ``cost`` that is the reading's own (junk dropped to parse)


def zips_two_digits_off(zip5: str) -> Iterator[tuple[str, int]]:
    """Every five-digit string within two substitutions of ``zip5``, with the number of digits changed."""
    yield zip5, 0
    for i in range(5):
        for a in "0123456789":
            if a == zip5[i]:
                continue
            one = zip5[:i] + a + zip5[i + 1 :]
            yield one, 1
            for j in range(i + 1, 5):
                for b in "0123456789":
                    if b != zip5[j]:
                        yield one[:j] + b + one[j + 1 :], 2


def _state_steps(read: str | None, real: str) -> int | None:
    """0 when the state was read as the ZIP's, 1 when one letter off, 2 when not read or unreadable;
    None when it is another real state: an address naming another state is a conflict, not a misread."""
    if read == real:
        return 0
    if read is not None and edit_distance(read, real, 1) <= 1:
        return 1
    return None if read in STATE_CODES else 2


def _scored(
    by_zip: Mapping[str, ZipEntry], reading: LastLineReading, max_digits: int
) -> Iterator[PlaceMatch]:
    """Every directory ZIP within ``max_digits`` digits of the reading's, scored against its city and
    state; none where a word of the city is replaced rather than garbled (``BLAH YORK``)."""
    zip5 = reading.zip5
    if not reading.city or len(zip5) != 5 or not zip5.isdigit():
        return
    city = normalise_city(reading.city)
    if sum(ch.isalpha() for ch in city) < MIN_CITY_LETTERS:
        return
    for candidate, digits_off in zips_two_digits_off(zip5):
        entry = by_zip.get(candidate)
        if entry is None or digits_off > max_digits:
            continue
        letters_off, name = min(
            (edit_distance(city, n, max(len(city), len(n))), n) for n in sorted(entry.cities)
        )
        share = letters_off / max(len(city), len(name))
        if a_word_replaced(city, name, REPLACED_WORD_SHARE):
            continue
        steps = _state_steps(reading.state, entry.state)
        if steps is None:
            continue
        cost = reading.penalty + DIGIT_COST * digits_off + NAME_SHARE_COST * share + STATE_STEP_COST * steps
        yield PlaceMatch(
            entry=entry, city=name, read_city=city, read_state=reading.state, digits_off=digits_off,
            letters_off=letters_off, name_share=share, state_steps=steps, cost=cost, margin=float("inf"),
            reading_penalty=reading.penalty,
        )  # fmt: skip


class PlaceSearch:
    """Searches one directory (ZIP → entry) for the place a garbled last line fits; built once with it."""

    def __init__(self, by_zip: Mapping[str, ZipEntry], towns: Container[tuple[str, str]]) -> None:
        """``towns`` holds every (state, normalised city name) of the directory."""
        self._by_zip = by_zip
        self._towns = towns
        self._names = "|".join(sorted({name for entry in by_zip.values() for name in entry.cities}))

    def generic(self, fragment: str) -> bool:
        """Whether :data:`GENERIC_FRAGMENT_TOWNS` or more town names contain ``fragment`` (VILLE, CITY,
        SPRINGS): a cut-off name that leaves only such a part names none of them."""
        return self._names.count(fragment) >= GENERIC_FRAGMENT_TOWNS

    def search(
        self, readings: Iterable[LastLineReading], *, max_share: float, max_digits: int = 2
    ) -> PlaceMatch | None:
        """The one directory place that the readings of a last line fit, or None when none fits clearly.

        Candidates are the directory ZIPs at most ``max_digits`` (0-2) digits from a reading's ZIP; each
        is scored by the reading's penalty, ``DIGIT_COST`` per digit off, ``NAME_SHARE_COST`` times the
        share of the town name off and ``STATE_STEP_COST`` per state step, and keeps its cheapest
        reading. The best must be at most ``max_share`` off in name (two digits off:
        :data:`TWO_DIGIT_SHARE`), its fields cost at most :data:`PLACE_SEARCH_MAX_FIELDS_COST` in all, beat
        every other ZIP by :data:`PLACE_SEARCH_MARGIN`, be more than a generic part of a name, and not
        overrule a real town of the read state read in full.
        """
        if max_share <= 0:
            return None
        cheapest: dict[str, PlaceMatch] = {}
        for reading in readings:
            for match in _scored(self._by_zip, reading, max_digits):
                held = cheapest.get(match.entry.zip5)
                if held is None or match.cost < held.cost:
                    cheapest[match.entry.zip5] = match
        ranked = sorted(cheapest.values(), key=lambda m: (m.cost, m.entry.zip5))
        if not ranked:
            return None
        best = ranked[0]
        margin = ranked[1].cost - best.cost if len(ranked) > 1 else float("inf")
        limit = min(TWO_DIGIT_SHARE, max_share) if best.digits_off == 2 else max_share
        if best.name_share > limit or margin < PLACE_SEARCH_MARGIN:
            return None
        if best.cost - best.reading_penalty > PLACE_SEARCH_MAX_FIELDS_COST:
            return None
        if best.read_city in best.city and self.generic(best.read_city):
            return None
        if best.name_share > 0 and (best.read_state, best.read_city) in self._towns:
            return None  # a real town of the read state, read in full, is not another town garbled
        return replace(best, margin=margin)
