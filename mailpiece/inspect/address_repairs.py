"""What it costs to reconcile a read last line with one directory ZIP: the repairs a hypothesis needs.

The directory scores every hypothesis (a reading of the last line, a ZIP near the one read) by the sum of
these costs; the cheapest consistent one wins and its confidence decays with the cost. The rules say
which fields may outvote which: the ZIP as read and a matching city outvote a garbled state; a repaired
ZIP needs an exact city; two repaired digits need a town with few ZIPs, or a ZIP that exists nowhere.
"""

from __future__ import annotations

from mailpiece.inspect.address_fields import BLUR_CONFUSABLE, STATE_CODES
from mailpiece.inspect.place_names import ZipEntry, edit_distance

# Costs of the repairs a hypothesis needs; the confidence decays as exp(-COST_SCALE * total cost).
ZIP_EDIT_COST = 1.0
CITY_EDIT_COST = 0.4
NO_CITY_COST = 0.6
NO_STATE_COST = 0.3
GARBLED_STATE_COST = 0.5
UNREADABLE_STATE_COST = 0.8  # not a state code, nor one letter from the ZIP's
WRONG_STATE_COST = 1.0
# Another real state two letters off, with a city that is no town of it: enough to keep a reading under
# "confident", so in a town with a sibling ZIP one keystroke away a second reading must agree.
FAR_STATE_COST = 1.5
# Words in front of the city on its line that belong to no name of the ZIP ("DON'T MISS OUT NEW
# FREEDOM", an endorsement or a mark read as a word): allowed only with the ZIP read as is.
LEADING_WORDS_COST = 0.6
# A town name whose start a crease or tear took ("DIEVILLE" for ADDIEVILLE): the read letters must be
# the end of the ZIP's name, at least this many and half of it, with the ZIP read as is.
CUT_NAME_COST = 1.0
CUT_NAME_MIN_LETTERS = 6
# Fewer letters of the name's end than that are weighed as no city at all, but only beside the ZIP's own
# state; below this many they are not weighed at all.
NAME_END_MIN_LETTERS = 3
# The fewest letters a read city needs before ``garbled_city_share`` of them may be wrong, and what each
# edit past ``max_city_edits`` costs then: such a reading lands below "confident", so in a town with a
# sibling ZIP one keystroke away it is read again before it is sorted.
GARBLED_CITY_MIN_LETTERS = 7
GARBLED_CITY_EDIT_COST = 1.0
GARBLED_WORD_SHARE = 0.6  # and no word of it may be further off than this: it must be garbled, not replaced
COST_SCALE = 0.08
# A real ZIP read two blur-confusable digits off is repaired only in a town with at most this many ZIPs.
SMALL_TOWN_ZIPS = 3


def place_fit(
    entry: ZipEntry,
    city: str | None,
    state: str | None,
    max_city_edits: int,
    *,
    zip_repaired: bool,
    city_is_a_town: bool = False,
    garbled_city_share: float = 0.0,
    city_in_read_state: bool = True,
) -> tuple[float, str] | None:
    """Cost of reconciling the read city/state with a directory ZIP, and the city name it settles on.

    None when they contradict it. A city may be further off when the ZIP was read as is (40% of its
    letters) than when the ZIP itself is being repaired (a third). Words in front of one of the ZIP's
    names are junk unless the whole read city is a town of its own (``city_is_a_town``: WEST HARTFORD
    is not HARTFORD with a stray word). With the ZIP read as is and the state exactly the ZIP's, a city
    of :data:`GARBLED_CITY_MIN_LETTERS` or more may be ``garbled_city_share`` of its letters off.
    ``city_in_read_state`` says whether the read city is a town of the read state (see
    :func:`misread_state_cost`).
    """
    if city is None and state is None:
        return None  # a bare ZIP cannot be checked against anything
    cost, name, distance = 0.0, entry.city, 0
    if city is None:
        cost += NO_CITY_COST
    elif city in entry.cities:
        name = city
    elif not zip_repaired and not city_is_a_town and (tail := _named_tail(city, entry)) is not None:
        name = tail
        cost += LEADING_WORDS_COST
    elif not zip_repaired and not city_is_a_town and (cut := _cut_name(city, entry)) is not None:
        name, cut_cost = cut
        cost += cut_cost
    elif not zip_repaired and state == entry.state and (end := _name_end(city, entry)) is not None:
        name = end  # "LLE TX 78361": a crop took all but the end of HEBBRONVILLE; no worse than no city
        cost += NO_CITY_COST
    else:
        usual = min(max_city_edits, len(city) // 3 if zip_repaired else max(1, round(0.4 * len(city))))
        limit = usual
        exact_zip_and_state = not zip_repaired and state == entry.state and max_city_edits > 0
        if exact_zip_and_state and len(city) >= GARBLED_CITY_MIN_LETTERS:
            limit = max(usual, int(garbled_city_share * len(city)))
        distance, name = min((edit_distance(city, c, limit), c) for c in sorted(entry.cities))
        if distance > limit or (distance > usual and a_word_replaced(city, name, GARBLED_WORD_SHARE)):
            return None
        cost += CITY_EDIT_COST * distance + GARBLED_CITY_EDIT_COST * max(0, distance - usual)
    if state is None:
        cost += NO_STATE_COST
    elif state != entry.state:
        exact = city is not None and city in entry.cities
        state_cost = misread_state_cost(
            state, entry.state, None if city is None else distance, zip_repaired,
            city_in_read_state=city_in_read_state or not exact,
        )  # fmt: skip
        if state_cost is None:
            return None
        cost += state_cost
    return cost, name


def a_word_replaced(city: str, name: str, share: float) -> bool:
    """Whether a read city differs from ``name`` by a whole word rather than by letters spread over it
    (``BLAH YORK`` is not NEW YORK garbled): with the same number of words, one is more than ``share``
    of its letters off."""
    read, real = city.split(), name.split()
    if len(read) != len(real):
        return False
    pairs = zip(read, real, strict=True)
    return any(edit_distance(a, b, len(b)) > share * len(b) for a, b in pairs)


def _named_tail(city: str, entry: ZipEntry) -> str | None:
    """The ZIP's name that the read city ends with, after whole words in front of it; None if none."""
    words = city.split()
    for start in range(1, len(words)):
        tail = " ".join(words[start:])
        if tail in entry.cities:
            return tail
    return None


def _cut_name(city: str, entry: ZipEntry) -> tuple[str, float] | None:
    """The ZIP's name that the read city is the end of (its start lost), when enough of it is left, and
    what believing it costs. The lost start may also have come back as a garbled word ("QUAR VERNON" for
    MOUNT VERNON, a crease through MOUNT): the words after it must then be the end of the name."""
    words = city.split()
    for start in range(len(words)):
        tail = " ".join(words[start:])
        if len(tail) < CUT_NAME_MIN_LETTERS:
            return None
        for name in sorted(entry.cities):
            if name.endswith(tail) and 2 * len(tail) >= len(name):
                return name, CUT_NAME_COST + (LEADING_WORDS_COST if start else 0.0)
    return None


def _name_end(city: str, entry: ZipEntry) -> str | None:
    """The ZIP's name whose last few letters (fewer than :data:`CUT_NAME_MIN_LETTERS`, at least
    :data:`NAME_END_MIN_LETTERS`) the read city is: too little to tell the town by, but no contradiction."""
    if " " in city or not NAME_END_MIN_LETTERS <= len(city) < CUT_NAME_MIN_LETTERS:
        return None
    ends = [name for name in sorted(entry.cities) if name.endswith(city) and len(name) > len(city)]
    return ends[0] if ends else None


def misread_state_cost(
    read: str, real: str, city_distance: int | None, zip_repaired: bool, *, city_in_read_state: bool = True
) -> float | None:
    """What believing a state that disagrees with the ZIP costs, or None when it is a contradiction.

    The state is the weakest field (two letters, often smudged), so a ZIP read as is and a city that
    matches it outvote it: a garbled state is then a misread. A real state two letters off stays a
    contradiction (SPRINGFIELD MA 62701: which of the two Springfields?), unless the city, read exactly
    as the ZIP's, is no town of that state at all (``city_in_read_state`` False: LAFAYETTE WY 47904 is
    Lafayette IN, as Wyoming has no Lafayette). Any disagreement while the ZIP itself is being repaired
    with an inexact city stays a contradiction too.
    """
    if city_distance is None:
        return None  # without a city the state is the only check on the ZIP
    one_off = edit_distance(read, real, 1) <= 1
    real_code = read in STATE_CODES
    if zip_repaired:
        if city_distance > 0 or not one_off:
            return None
        return WRONG_STATE_COST if real_code else GARBLED_STATE_COST
    if real_code:
        if one_off:
            return WRONG_STATE_COST
        return FAR_STATE_COST if city_distance == 0 and not city_in_read_state else None
    if one_off:
        return GARBLED_STATE_COST
    return UNREADABLE_STATE_COST if city_distance <= 1 else None


def two_digit_misread(read: str, real: str, *, confusable_only: bool) -> bool:
    """Whether ``real`` differs from ``read`` in exactly two digits (both blur-confusable, if asked)."""
    differences = [frozenset((a, b)) for a, b in zip(read, real, strict=True) if a != b]
    if len(differences) != 2:
        return False
    return not confusable_only or all(pair in BLUR_CONFUSABLE for pair in differences)
