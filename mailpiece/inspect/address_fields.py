"""What the fields of a US last line may hold, and how OCR misreads them: the tables the parser and the
ZIP directory share.

State codes are the USPS ones; the misreading tables come from Tesseract on camera frames (a letter read
for a digit in the ZIP field, a digit for a letter in the state field, digits blur turns into each other).
"""

from __future__ import annotations

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
