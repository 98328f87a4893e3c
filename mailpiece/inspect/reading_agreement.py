"""Whether two readings of one block agree on its ZIP: the second opinions the reader asks for.

A misread digit that lands on another ZIP of the same town (or, with no city read, of the same state)
passes the directory, but rarely the same way twice; so a reading that needs backing is sorted only when
another reading of the block :func:`backs` it, and never when one :func:`disputes` it
(:class:`mailpiece.inspect.reader.ReadingAttempt`).
"""

from __future__ import annotations

import re

from mailpiece.inspect.place_names import digits_differing, zip_neighbours
from mailpiece.inspect.reading import AddressReading

__all__ = ["backs", "disputes"]

# Five digits standing alone, or opening a nine-digit ZIP+4 written without its hyphen.
_ZIP_RUN = re.compile(r"(?<!\d)(\d{5})(?:\d{4})?(?!\d)")


def disputes(reading: AddressReading, best: AddressReading) -> bool:
    """Whether ``reading`` verified to a ZIP of ``best``'s town one keystroke from ``best``'s and read the
    digit in dispute as that sibling has it, however unsure it was or whatever else the directory had to
    repair (HARRISBURG 17102 read once against ``17163`` and ``17183``, both repaired to 17103: the last
    digit, the one the siblings differ in, read 3 each time)."""
    address, other = best.address, reading.address
    read = reading.read_zip5
    if read is None or not read.isdigit() or other.zip5 == address.zip5 or other.zip5 is None:
        return False
    same_town = (other.state, other.city) == (address.state, address.city)
    if not same_town or other.zip5 not in zip_neighbours(address.zip5):
        return False
    return all(read[i] == other.zip5[i] for i in digits_differing(address.zip5, [other.zip5]))


def backs(reading: AddressReading, best: AddressReading, contested: frozenset[int]) -> bool:
    """Whether ``reading`` vouches for ``best``'s ZIP against its town's siblings one keystroke away.

    It does when it read the same five digits (its city need not verify) without the directory changing
    one; the digits count as read when a line has them as a run of their own, even if it did not parse
    (``GILBERT, (7.85234``: the state lost in a smudge). When ``best`` itself was read as it stands, a
    reading the directory repaired onto the same ZIP also vouches, if it read every ``contested`` digit
    (where the siblings differ) as ``best`` has it: its repair touched no digit a sibling disputes
    (``CLAREMORE, OK 74817`` repaired to 74017 backs a reading of 74017 against 74018 and 74019). Two
    repaired readings are not enough: a crop misread in two places (``60936``, ``80836`` for 80938) is
    likely misread in the contested digit too, the same way each time.
    """
    verdict = reading.verdict
    zip5 = best.address.zip5
    if verdict is not None and verdict.zip5 == zip5:
        if "zip" not in verdict.changed:
            return True
        read, best_as_read = reading.read_zip5, "zip" not in best.verdict.changed
        if best_as_read and contested and read is not None and all(read[i] == zip5[i] for i in contested):
            return True
    if reading.address is None or not reading.address.lines:
        return False
    return any(zip5 in _ZIP_RUN.findall(line) for line in reading.address.lines)
