"""Real ZIP / city / state combinations from the `zipcodes` package, so every synthetic destination
checks out against the same directory the inspector verifies with.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import zipcodes

# Military and freely associated "states" have no ordinary city line; leave them out.
_EXCLUDED_STATES = frozenset({"AA", "AE", "AP", "FM", "MH", "PW", "MP", "AS", "GU"})


@dataclass(frozen=True, kw_only=True)
class ZipPlace:
    """One deliverable ZIP: its 5 digits, the directory's primary city (upper case) and state."""

    zip5: str
    city: str
    state: str


@lru_cache(maxsize=1)
def standard_places() -> tuple[ZipPlace, ...]:
    """Active STANDARD ZIPs with a state, sorted by ZIP so choices by index are deterministic."""
    places = [
        ZipPlace(zip5=z["zip_code"], city=z["city"].upper(), state=z["state"])
        for z in zipcodes.list_all()
        if z.get("zip_code_type") == "STANDARD"
        and z.get("active")
        and z.get("state")
        and z["state"] not in _EXCLUDED_STATES
        and z.get("city")
    ]
    places.sort(key=lambda p: p.zip5)
    return tuple(places)


def sample_place(rng: np.random.Generator, avoid_zip5: str | None = None) -> ZipPlace:
    """A uniformly chosen deliverable ZIP, different from `avoid_zip5` (return vs destination)."""
    places = standard_places()
    while True:
        place = places[int(rng.integers(len(places)))]
        if place.zip5 != avoid_zip5:
            return place
