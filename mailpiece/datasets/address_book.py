"""Invented people, companies and streets on real ZIP/city/state places: the text of address blocks.

Parsed parts are stored upper case (as USPS normalises them); `lines` is exactly the text drawn, in
upper or mixed case, with the variations real mail shows (unit on its own line, ZIP+4, commas).
"""

from __future__ import annotations

import numpy as np

from mailpiece.datasets.labels import AddressLabel
from mailpiece.datasets.zip_directory import sample_place


def _words(text: str) -> tuple[str, ...]:
    """A word list written as a paragraph (easier to read and extend than one word per line)."""
    return tuple(text.split())


FIRST_NAMES = _words(
    """
    JAMES MARY ROBERT PATRICIA JOHN JENNIFER MICHAEL LINDA DAVID ELIZABETH WILLIAM BARBARA RICHARD SUSAN
    JOSEPH JESSICA THOMAS SARAH CHARLES KAREN CHRISTOPHER LISA DANIEL NANCY MATTHEW BETTY ANTHONY SANDRA
    MARK ASHLEY DONALD KIMBERLY STEVEN EMILY ANDREW DONNA JOSHUA MICHELLE KEVIN CAROL BRIAN AMANDA
    GEORGE MELISSA EDWARD DEBORAH RONALD STEPHANIE TIMOTHY REBECCA JASON SHARON JOSE LAURA LUIS CYNTHIA
    CARLOS MARIA JUAN ANA WEI MEI HIROSHI YUKI PRIYA RAJ AHMED FATIMA OLUWASEUN CHIDI DMITRI OLGA SEAN
    SIOBHAN PIERRE CLAIRE GIOVANNI FRANCESCA NGUYEN LINH KWAME AMARA ERIK INGRID
    """
)
LAST_NAMES = _words(
    """
    SMITH JOHNSON WILLIAMS BROWN JONES GARCIA MILLER DAVIS RODRIGUEZ MARTINEZ HERNANDEZ LOPEZ GONZALEZ
    WILSON ANDERSON THOMAS TAYLOR MOORE JACKSON MARTIN LEE PEREZ THOMPSON WHITE HARRIS SANCHEZ CLARK
    RAMIREZ LEWIS ROBINSON WALKER YOUNG ALLEN KING WRIGHT SCOTT TORRES NGUYEN HILL FLORES GREEN ADAMS
    NELSON BAKER HALL RIVERA CAMPBELL MITCHELL CARTER ROBERTS OKAFOR KOWALSKI NOVAK SCHMIDT MULLER
    OBRIEN MCCARTHY TANAKA YAMAMOTO CHEN WANG PATEL SHAH KHAN ALI IVANOV PETROV ROSSI BIANCHI DUBOIS
    LAURENT JENSEN HANSEN OKONKWO MENSAH FITZGERALD WASHINGTON
    """
)
STREET_NAMES = _words(
    """
    MAIN OAK PINE MAPLE CEDAR ELM WASHINGTON LAKE HILL PARK WALNUT SPRING NORTH RIDGE CHURCH WILLOW MILL
    SUNSET RAILROAD JACKSON CHERRY HIGHLAND FRANKLIN JEFFERSON LINCOLN MADISON ADAMS MEADOW FOREST RIVER
    VALLEY CHESTNUT BIRCH DOGWOOD MAGNOLIA SYCAMORE HICKORY POPLAR LAUREL HOLLY ASPEN SPRUCE COLLEGE
    ACADEMY MARKET BROAD CENTER UNION LIBERTY PROSPECT PLEASANT HARBOR BAY SHORE OCEAN CANYON MESA
    SIERRA VISTA ROYAL KING QUEEN VICTORIA GRANT SHERMAN MONROE HARRISON HAWTHORNE ORCHARD VINEYARD
    BROOK STONE FIELD HERITAGE COUNTRY CLUB
    """
)
SUFFIXES = (
    ("ST", "Street"),
    ("AVE", "Avenue"),
    ("RD", "Road"),
    ("DR", "Drive"),
    ("LN", "Lane"),
    ("BLVD", "Boulevard"),
    ("CT", "Court"),
    ("WAY", "Way"),
    ("PL", "Place"),
    ("TER", "Terrace"),
    ("PKWY", "Parkway"),
    ("CIR", "Circle"),
    ("HWY", "Highway"),
    ("TRL", "Trail"),
    ("SQ", "Square"),
    ("LOOP", "Loop"),
)
DIRECTIONS = ("N", "S", "E", "W", "NE", "NW", "SE", "SW")
UNITS = ("APT", "STE", "UNIT", "#", "FL", "RM", "BLDG", "LOT")
COMPANY_WORDS = _words(
    """
    ACME GLOBAL SUMMIT PIONEER EVERGREEN ATLAS NORTHSTAR BLUE RIVER PINNACLE HORIZON KEYSTONE LIBERTY
    PRAIRIE COASTAL REDWOOD GRANITE MERIDIAN FRONTIER ALLIANCE BEACON CORNERSTONE HARBOR VANGUARD
    """
)
COMPANY_KINDS = _words(
    """
    INDUSTRIES SUPPLY HEALTH PARTNERS LOGISTICS INSURANCE DENTAL GROUP ASSOCIATES BANK CREDIT UNION LABS
    MEDICAL CENTER SOLUTIONS FOODS REALTY
    """
)
COMPANY_FORMS = ("INC", "LLC", "CORP", "CO", "LLP", "")
_KEEP_UPPER = frozenset({"LLC", "LLP", "PO", "NE", "NW", "SE", "SW"})


def _pick(rng: np.random.Generator, items: tuple | list) -> str:
    return items[int(rng.integers(len(items)))]


def _person(rng: np.random.Generator) -> str:
    if rng.random() < 0.04:
        return _pick(rng, ("CURRENT RESIDENT", "OCCUPANT", "RESIDENT"))
    first = _pick(rng, FIRST_NAMES)
    middle = f" {chr(65 + int(rng.integers(26)))}" if rng.random() < 0.35 else ""
    return f"{first}{middle} {_pick(rng, LAST_NAMES)}"


def _company(rng: np.random.Generator) -> str:
    form = _pick(rng, COMPANY_FORMS)
    words = [_pick(rng, COMPANY_WORDS), _pick(rng, COMPANY_KINDS)]
    return " ".join(words + ([form] if form else []))


def _street(rng: np.random.Generator, mixed: bool) -> tuple[str, str]:
    """(canonical upper-case street, street as drawn)."""
    if rng.random() < 0.07:
        box = f"PO BOX {int(rng.integers(1, 99999))}"
        return box, ("PO Box" + box[6:]) if mixed else box
    number = str(int(rng.integers(1, 10 ** int(rng.integers(1, 6)))))
    if rng.random() < 0.15:
        n = int(rng.integers(1, 120))
        tail = "TH" if 10 <= n % 100 <= 20 else {1: "ST", 2: "ND", 3: "RD"}.get(n % 10, "TH")
        name = f"{n}{tail}"
    else:
        name = _pick(rng, STREET_NAMES)
    pre = _pick(rng, DIRECTIONS) if rng.random() < 0.2 else ""
    abbr, word = SUFFIXES[int(rng.integers(len(SUFFIXES)))]
    canon = " ".join(p for p in (number, pre, name, abbr) if p)
    if not mixed:
        return canon, canon
    spelled = word if rng.random() < 0.4 else abbr.title() + ("." if rng.random() < 0.3 else "")
    drawn = " ".join(
        p for p in (number, pre, name.title() if name[0].isalpha() else name.lower(), spelled) if p
    )
    return canon, drawn


def _unit(rng: np.random.Generator) -> str:
    kind = _pick(rng, UNITS)
    number = str(int(rng.integers(1, 2000)))
    if rng.random() < 0.3:
        number = str(int(rng.integers(1, 30))) + chr(65 + int(rng.integers(8)))
    return f"# {number}" if kind == "#" else f"{kind} {number}"


def sample_address(
    rng: np.random.Generator, *, avoid_zip5: str | None = None, business_rate: float = 0.2
) -> AddressLabel:
    """A complete address on a real ZIP/city/state, with its drawn lines."""
    place = sample_place(rng, avoid_zip5)
    mixed = rng.random() < 0.35
    name = _person(rng)
    company = _company(rng) if rng.random() < business_rate else None
    street, street_drawn = _street(rng, mixed)
    unit = _unit(rng) if not street.startswith("PO BOX") and rng.random() < 0.22 else None
    zip4 = f"{int(rng.integers(1, 10000)):04d}" if rng.random() < 0.55 else None

    def case(text: str) -> str:
        if not mixed:
            return text
        # Title case, but company forms and unit designators keep their usual capitals.
        return " ".join(w if w in _KEEP_UPPER else w.title() for w in text.split())

    lines: list[str] = []
    if company and rng.random() < 0.5:
        lines += [case(company), ("Attn: " if mixed else "ATTN ") + case(name)]
    else:
        lines.append(case(name))
        if company:
            lines.append(case(company))
    unit_drawn = case(unit) if unit else None
    if unit_drawn and rng.random() < 0.3:
        lines += [unit_drawn, street_drawn]
    else:
        lines.append(f"{street_drawn} {unit_drawn}" if unit_drawn else street_drawn)
    city = place.city.title() if mixed else place.city
    sep = ", " if rng.random() < 0.5 else " "
    gap = "  " if rng.random() < 0.25 else " "
    lines.append(f"{city}{sep}{place.state}{gap}{place.zip5}" + (f"-{zip4}" if zip4 else ""))
    return AddressLabel(
        name=name,
        company=company,
        street=street,
        unit=unit,
        city=place.city,
        state=place.state,
        zip5=place.zip5,
        zip4=zip4,
        lines=tuple(lines),
    )
