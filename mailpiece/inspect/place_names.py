"""Places as the ZIP directory holds them: a ZIP's names, city names in the form they compare in, and
the distances a misread is measured by (letters in a name, keystrokes in a ZIP)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rapidfuzz.distance import OSA

# USPS-style abbreviations in city names, spelled out so "ST PAUL" and "Saint Paul" compare equal.
_CITY_WORDS = {
    "ST": "SAINT", "STE": "SAINTE", "FT": "FORT", "MT": "MOUNT", "PT": "POINT", "N": "NORTH",
    "S": "SOUTH", "E": "EAST", "W": "WEST", "HTS": "HEIGHTS", "SPGS": "SPRINGS", "JCT": "JUNCTION",
    "CTR": "CENTER", "VLG": "VILLAGE", "BCH": "BEACH", "LK": "LAKE", "IS": "ISLAND", "SPG": "SPRING",
}  # fmt: skip


def normalise_city(name: str) -> str:
    """Upper case, punctuation dropped, common abbreviations spelled out: the form cities compare in."""
    words = re.sub(r"[^A-Z0-9 ]", "", re.sub(r"[-/]", " ", name.upper())).split()
    return " ".join(_CITY_WORDS.get(w, w) for w in words)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap counts once); returns limit + 1 once it exceeds limit.

    rapidfuzz computes it in C: the place search scores thousands of names for a garbled last line."""
    return OSA.distance(a, b, score_cutoff=limit)


def digits_differing(zip5: str, others: Iterable[str]) -> frozenset[int]:
    """The positions (0-4) where any of ``others`` differs from ``zip5``."""
    return frozenset(i for other in others for i in range(5) if other[i] != zip5[i])


def zip_neighbours(zip5: str) -> Iterator[str]:
    """Every ZIP one digit substitution or one adjacent transposition away."""
    for i, digit in enumerate(zip5):
        for other in "0123456789":
            if other != digit:
                yield zip5[:i] + other + zip5[i + 1 :]
    for i in range(4):
        if zip5[i] != zip5[i + 1]:
            yield zip5[:i] + zip5[i + 1] + zip5[i] + zip5[i + 2 :]


@dataclass(frozen=True, kw_only=True)
class ZipEntry:
    """One directory ZIP: its preferred city, its state, and every city name accepted for it."""

    zip5: str
    city: str
    state: str
    cities: frozenset[str]  # normalised: the preferred name and the acceptable alternates
    active: bool = True
