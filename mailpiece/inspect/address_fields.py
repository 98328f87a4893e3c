"""What the fields of a US last line may hold, and how OCR misreads them: the tables the parser and the
ZIP directory share, and the ways the parser reads a state field (garbled, glued to the city).

State codes are the USPS ones; the misreading tables come from Tesseract on camera frames (a letter read
for a digit in the ZIP field, a digit for a letter in the state field, digits blur turns into each other).
"""

from __future__ import annotations

import itertools

# USPS two-letter codes: the states, DC, the territories and freely associated states, military mail.
STATE_CODES: dict[str, str] = {
    "AL": "ALABAMA", "AK": "ALASKA", "AZ": "ARIZONA", "AR": "ARKANSAS", "CA": "CALIFORNIA",
    "CO": "COLORADO", "CT": "CONNECTICUT", "DE": "DELAWARE", "DC": "DISTRICT OF COLUMBIA",
    "FL": "FLORIDA", "GA": "GEORGIA", "HI": "HAWAII", "ID": "IDAHO", "IL": "ILLINOIS", "IN": "INDIANA",
    "IA": "IOWA", "KS": "KANSAS", "KY": "KENTUCKY", "LA": "LOUISIANA", "ME": "MAINE", "MD": "MARYLAND",
    "MA": "MASSACHUSETTS", "MI": "MICHIGAN", "MN": "MINNESOTA", "MS": "MISSISSIPPI", "MO": "MISSOURI",
    "MT": "MONTANA", "NE": "NEBRASKA", "NV": "NEVADA", "NH": "NEW HAMPSHIRE", "NJ": "NEW JERSEY",
    "NM": "NEW MEXICO", "NY": "NEW YORK", "NC": "NORTH CAROLINA", "ND": "NORTH DAKOTA", "OH": "OHIO",
    "OK": "OKLAHOMA", "OR": "OREGON", "PA": "PENNSYLVANIA", "RI": "RHODE ISLAND", "SC": "SOUTH CAROLINA",
    "SD": "SOUTH DAKOTA", "TN": "TENNESSEE", "TX": "TEXAS", "UT": "UTAH", "VT": "VERMONT",
    "VA": "VIRGINIA", "WA": "WASHINGTON", "WV": "WEST VIRGINIA", "WI": "WISCONSIN", "WY": "WYOMING",
    "AS": "AMERICAN SAMOA", "GU": "GUAM", "MP": "NORTHERN MARIANA ISLANDS", "PR": "PUERTO RICO",
    "VI": "VIRGIN ISLANDS", "FM": "FEDERATED STATES OF MICRONESIA", "MH": "MARSHALL ISLANDS",
    "PW": "PALAU", "AA": "ARMED FORCES AMERICAS", "AE": "ARMED FORCES EUROPE", "AP": "ARMED FORCES PACIFIC",
}  # fmt: skip
STATE_NAMES: dict[str, str] = {name: code for code, name in STATE_CODES.items() if len(name.split()) <= 3}

# How OCR misreads a digit as a letter, most likely reading first (used inside the ZIP field only).
DIGIT_READINGS: dict[str, tuple[str, ...]] = {
    **{c: ("0",) for c in "OoDUQ@"},
    **{c: ("1",) for c in "Il|!iLJ]["},
    "Z": ("2", "7"), "z": ("2",), "S": ("5", "8"), "s": ("5",), "$": ("5",),
    "B": ("8", "3"), "G": ("6", "0"), "b": ("6",), "T": ("7",), "A": ("4",), "g": ("9",), "q": ("9",),
}  # fmt: skip
# How OCR misreads a letter as a digit (used inside the state field only).
LETTER_READINGS: dict[str, tuple[str, ...]] = {
    "0": ("O", "D", "Q"), "1": ("I", "L"), "|": ("I", "L"), "!": ("I",), "2": ("Z",), "4": ("A",),
    "5": ("S",), "$": ("S",), "6": ("G",), "7": ("T",), "8": ("B",),
}  # fmt: skip
# Digit pairs that blur and low resolution turn into each other (closed loops and bowls).
BLUR_CONFUSABLE: frozenset[frozenset[str]] = frozenset(
    frozenset(pair) for pair in ("06", "08", "09", "68", "89", "38", "35", "58", "56", "17", "23")
)

# A reading that ignores one character OCR added (a sixth ZIP digit, a third state letter).
DROPPED_CHAR_PENALTY = 1.0
# A state read off the end of the city's last word, the space between them lost ("SUGAR CITYID").
GLUED_STATE_PENALTY = 0.5


def state_readings(before: list[str]) -> list[tuple[str | None, float, int]]:
    """(state, penalty, tokens it used) for the token(s) before the ZIP; ``(None, 0, 0)`` if no state."""
    for size in (3, 2, 1):  # full names: "NEW YORK", "DISTRICT OF COLUMBIA", "CONNECTICUT"
        name = " ".join(before[-size:]).upper().replace(".", "")
        if len(before) >= size and name in STATE_NAMES:
            return [(STATE_NAMES[name], 0.0, size)]
    token = before[-1].replace(".", "").upper() if before else ""
    if len(token) == 3 and token.isalpha():
        # One stray letter ("NCE" for NC): try both two-letter halves, a garbled state ("ONF" for OH,
        # which only the directory can judge), and no state at all.
        halves = {token[:2], token[1:]} & set(STATE_CODES)
        garbled = [(token, DROPPED_CHAR_PENALTY, 1)] if not halves and len(before) > 1 else []
        return [(code, DROPPED_CHAR_PENALTY, 1) for code in sorted(halves)] + garbled + [(None, 0.0, 0)]
    if len(token) == 3 and any(c.isalpha() for c in token) and not token.isdigit() and len(before) > 1:
        # A state with a letter read as two marks ("41D" for MD): garbled, for the directory to judge.
        return [(token, DROPPED_CHAR_PENALTY, 1), (None, 0.0, 0)]
    if len(token) == 1 and (token.isalpha() or token in LETTER_READINGS) and len(before) > 1:
        # Half a state ("CARY E. 60013" for IL, "1." for I): garbled, for the directory to judge; part of
        # the city; or what is left of a state lost to a smudge, to drop ("MIAMI BEACH E 33754" for FL).
        letter = token if token.isalpha() else LETTER_READINGS[token][0]
        return [(letter, DROPPED_CHAR_PENALTY, 1), (None, 0.0, 0), (None, DROPPED_CHAR_PENALTY, 1)]
    if len(token) != 2:
        return [(None, 0.0, 0)]
    choices = []
    for char in token:
        if char.isalpha():
            choices.append([(char, 0.0)])
        elif char in LETTER_READINGS:
            choices.append([(letter, 0.1 + rank) for rank, letter in enumerate(LETTER_READINGS[char])])
        else:
            choices.append([("?", 0.0)])  # an unreadable mark ("S¥"): a garbled state, if a letter survived
    readings = [
        ("".join(c for c, _ in combo), sum(p for _, p in combo)) for combo in itertools.product(*choices)
    ]
    valid = sorted((r for r in readings if r[0] in STATE_CODES), key=lambda r: r[1])
    if valid:
        return [(code, penalty, 1) for code, penalty in valid]
    if any(c.isalpha() for c in token) and len(before) > 1:
        # A garbled state ("C7", "CI"): keep it out of the city; the directory can still correct it.
        return [(readings[0][0], 0.0, 1)]
    if any(c in LETTER_READINGS for c in token) and len(before) > 1:
        # Two marks that could be letters ("23" for AL): a garbled state or part of the city ("ROUTE 66").
        return [(readings[0][0], 0.0, 1), (None, 0.0, 0)]
    return [(None, 0.0, 0)]


def state_glued_to_city(before: list[str]) -> list[tuple[str, float, str]]:
    """(state, penalty, city) when the city's last word ends in a state code, the space lost in OCR
    ("SUGAR CITYID"); costlier than no state at all, so a city that merely ends so ("MIAMI") stays whole."""
    word = before[-1].replace(".", "").upper() if before else ""
    if len(word) < 4 or not word.isalpha() or word[-2:] not in STATE_CODES:
        return []
    city = " ".join([*before[:-1], word[:-2]]).upper()
    return [(word[-2:], GLUED_STATE_PENALTY, city)]
