"""parse_address: last-line formats, OCR letter/digit noise, junk lines, and word confidences."""

from __future__ import annotations

import numpy as np
import pytest
import zipcodes
from hypothesis import given, settings
from hypothesis import strategies as st

from mailpiece.inspect.address_parse import LOST_DIGIT, LOST_ZIP, STATE_CODES, WILDCARD, parse_address
from mailpiece.inspect.ocr import OcrLine, OcrWord
from mailpiece.inspect.zip_directory import ZipDirectory


@pytest.mark.parametrize(
    ("last_line", "city", "state", "zip5", "zip4"),
    [
        ("HARTFORD CT 06103", "HARTFORD", "CT", "06103", None),
        ("Hartford, CT 06103-1234", "HARTFORD", "CT", "06103", "1234"),
        ("hartford ct 06103", "HARTFORD", "CT", "06103", None),
        ("HARTFORD,CT,06103", "HARTFORD", "CT", "06103", None),
        ("  HARTFORD    CT   06103  ", "HARTFORD", "CT", "06103", None),
        ("HARTFORD CT 061031234", "HARTFORD", "CT", "06103", "1234"),
        ("HARTFORD CT 06103 - 1234", "HARTFORD", "CT", "06103", "1234"),
        ("HARTFORD CT 06103 1234", "HARTFORD", "CT", "06103", "1234"),
        ("HARTFORD CT 061 03", "HARTFORD", "CT", "06103", None),  # a letter-spaced ZIP read as two words
        ("HARTFORD CT 06103\u20111234", "HARTFORD", "CT", "06103", "1234"),  # a non-breaking hyphen
        ("HARTFORD CT 06103\u22121234", "HARTFORD", "CT", "06103", "1234"),  # a minus sign
        ("HARTFORD CT06103", "HARTFORD", "CT", "06103", None),
        ("HARTFORD CT. 06103", "HARTFORD", "CT", "06103", None),
        ("Hartford, Connecticut 06103", "HARTFORD", "CT", "06103", None),
        ("NEW YORK NEW YORK 10001", "NEW YORK", "NY", "10001", None),
        ("Washington, District of Columbia 20500", "WASHINGTON", "DC", "20500", None),
        ("ST. LOUIS MO 63101 USA", "ST LOUIS", "MO", "63101", None),
        ("MIAMI BEACH FL 33139 -:", "MIAMI BEACH", "FL", "33139", None),
        ("SAN JUAN PR 00901", "SAN JUAN", "PR", "00901", None),
        ("CHRISTIANSTED VI 00820", "CHRISTIANSTED", "VI", "00820", None),
        ("APO AE 09012", "APO", "AE", "09012", None),
        ("FPO AP 96601-1234", "FPO", "AP", "96601", "1234"),
        ("HARTFORD 06103", "HARTFORD", None, "06103", None),
        ("HARTFORD CT 06103-123", "HARTFORD", "CT", "06103", None),  # a cut-off +4 is no ZIP+4
        ("HARTFORD CT 06103-1", "HARTFORD", "CT", "06103", None),
    ],
)
def test_last_line_formats(last_line: str, city, state, zip5, zip4) -> None:
    parsed = parse_address(["JOHN Q PUBLIC", "1234 MAIN ST", last_line])
    assert (parsed.city, parsed.state, parsed.zip5, parsed.zip4) == (city, state, zip5, zip4)
    assert parsed.last_line_index == 2 and parsed.last_line == last_line
    assert parsed.name == "JOHN Q PUBLIC" and parsed.street == "1234 MAIN ST"


@pytest.mark.parametrize(
    ("last_line", "zip5", "state"),
    [
        ("HARTFORD CT O61O3", "06103", "CT"),  # O for 0
        ("HARTFORD CT 06IO3", "06103", "CT"),  # I for 1
        ("HARTFORD CT 06l03", "06103", "CT"),  # l for 1
        ("MIAMI FL 33I3S", "33135", "FL"),  # S for 5
        ("HARTFORD CT 061O8", "06108", "CT"),
        ("HARTFORD CT 06B03", "06803", "CT"),  # B for 8 first; 3 kept as an alternative
        ("BEVERLY HILLS CA 9O2IO", "90210", "CA"),
        ("DENVER CO 8O2Z9", "80229", "CO"),  # Z for 2
        ("EL PASO TX 7993G", "79936", "TX"),  # G for 6
        ("ST LOUIS M0 63101", "63101", "MO"),  # 0 for O in the state
        ("CHICAGO 1L 60601", "60601", "IL"),  # 1 for I
        ("BOSTON M4 02108", "02108", "MA"),  # 4 for A
        ("DALLAS 7X 75201", "75201", "TX"),  # 7 for T
    ],
)
def test_ocr_noise_is_read_through_in_the_right_field(last_line: str, zip5: str, state: str) -> None:
    parsed = parse_address([last_line])
    assert parsed.zip5 == zip5 and parsed.state == state
    assert parsed.readings[0].penalty > 0, "a guessed reading is not free"


def test_noisy_zip_keeps_alternative_readings_best_first() -> None:
    parsed = parse_address(["HARTFORD CT 06B03"])
    zips = [r.zip5 for r in parsed.readings]
    assert zips[:2] == ["06803", "06303"]
    penalties = [r.penalty for r in parsed.readings]
    assert penalties == sorted(penalties)
    ambiguous_state = parse_address(["ROCKVILLE M0 20850"])
    assert [r.state for r in ambiguous_state.readings] == ["MO", "MD"]
    assert parse_address(["HARTFORD CT 06103"]).readings[0].penalty == 0


def test_one_extra_character_is_read_around() -> None:
    extra_digit = parse_address(["TRION, GA 307534"])
    assert "30753" in [r.zip5 for r in extra_digit.readings] and extra_digit.readings[0].penalty >= 1.0
    assert not parse_address(["TRION 307534"]).readable, "six characters need a state beside them"
    extra_letter = parse_address(["WILMINGTON NCE 28403"])
    readings = {(r.city, r.state) for r in extra_letter.readings}
    assert readings == {("WILMINGTON NCE", None), ("WILMINGTON", "NC")}


def test_camera_ocr_marks_around_the_last_line_are_read_through() -> None:
    cases = {
        "ORRINGTON, ME 04474 i": ("ORRINGTON", "ME", "04474"),  # a smudge after the ZIP read as a letter
        "ULLIN- IL--62992-1815 -": ("ULLIN", "IL", "62992"),  # a dash run is a gap, not a ZIP+4 hyphen
        "North Adams MA @1247": ("NORTH ADAMS", "MA", "01247"),  # @ for 0
        "Saint Louis =MO 63118": ("SAINT LOUIS", "MO", "63118"),  # = as an edge mark
        "NASHVILLE TN|37213-6944 |": ("NASHVILLE", "TN", "37213"),  # a window's edge between state and ZIP
        "NASHVILLE TN\\37213-6944": ("NASHVILLE", "TN", "37213"),  # the same edge read as a backslash
        "NASHVILLE/TN 37213": ("NASHVILLE", "TN", "37213"),  # a fold line
    }
    for last_line, fields in cases.items():
        parsed = parse_address(["JANE DOE", last_line])
        assert (parsed.city, parsed.state, parsed.zip5) == fields, last_line


def test_digits_are_never_joined_across_a_hyphen_inside_the_zip() -> None:
    parsed = parse_address(["JANE DOE", "PIERRE SD S732-9"])
    assert "57329" not in [r.zip5 for r in parsed.readings]


def test_a_garbled_state_stays_out_of_the_city() -> None:
    three = parse_address(["VALLEY CITY ONF 44280"])
    assert ("VALLEY CITY", "ONF") in {(r.city, r.state) for r in three.readings}
    marked = parse_address(["COTTEKILL S¥ 12419"])
    assert (marked.city, marked.state) == ("COTTEKILL", "S?")


def test_a_lone_letter_before_the_zip_is_half_a_state_part_of_the_city_or_a_lost_state() -> None:
    # Held-out fonts seed 21071, piece 837: the L of FL lost to a smudge, the F read as E.
    parsed = parse_address(["MICHAEL DUBOIS", "MIAMI BEACH E 33754-8217"])
    places = {(r.city, r.state) for r in parsed.readings}
    assert places == {("MIAMI BEACH E", None), ("MIAMI BEACH", "E"), ("MIAMI BEACH", None)}
    assert (parsed.city, parsed.state) == ("MIAMI BEACH E", None), "the literal reading stays first"


def test_a_state_glued_to_the_city_or_dashed_to_the_zip_is_read_apart() -> None:
    glued = parse_address(["MEI MITCHELL", "Sugar CityID 83448"])
    assert ("SUGAR CITY", "ID", "83448") in {(r.city, r.state, r.zip5) for r in glued.readings}
    assert (glued.city, glued.state) == ("SUGAR CITYID", None), "the literal reading stays first"
    dashed = parse_address(["PO Box 10493", "Porter Ranch, CA-91326"])
    assert (dashed.city, dashed.state, dashed.zip5) == ("PORTER RANCH", "CA", "91326")
    assert dashed.last_line_index == 1, "not the PO Box line above it"
    two_marks = parse_address(["Monkton 41D 21111-1924"])  # M read as two marks
    assert ("MONKTON", "41D") in {(r.city, r.state) for r in two_marks.readings}


def test_trailing_junk_lines_are_skipped() -> None:
    for junk in ("IlIlIlIIlIlI lIlII", "|||||||| |||||", "12345", "lIlIl", "-- : .", "USA"):
        parsed = parse_address(["JANE DOE", "77 OCEAN BLVD", "MIAMI BEACH FL 33139", junk])
        assert parsed.last_line_index == 2 and parsed.zip5 == "33139", junk


def test_words_of_junk_after_the_zip_are_dropped_at_a_cost() -> None:
    # A patterned paper or a stain right of the last line, read as words.
    cases = {
        "MANCHESTER 1A 52057 Go=egeee aa eee": ("MANCHESTER", "IA", "52057", 3.1),
        "SPRINGFIELD IL 62701-1234 xx TE": ("SPRINGFIELD", "IL", "62701", 2.0),
    }
    for last_line, (city, state, zip5, penalty) in cases.items():
        parsed = parse_address(["JANE DOE", "12 ELM ST", last_line])
        assert (parsed.city, parsed.state, parsed.zip5) == (city, state, zip5), last_line
        assert parsed.readings[0].penalty == penalty
    # Only a clean ZIP after a two-letter state ends a line early; five junk words are too many.
    too_unsure = ("AMES ILL 62701 xx yy", "AMES IL 627O1 xx yy", "AMES IL 62701 a b c d e")
    for last_line in too_unsure:
        assert parse_address(["JANE DOE", last_line]).zip5 is None, last_line


def test_lines_without_a_zip_are_not_readable() -> None:
    for lines in ([], [""], ["JANE DOE", "77 OCEAN BLVD"], ["HARTFORD 0610"], ["SOLIS I1 ZOOBS"]):
        parsed = parse_address(lines)
        assert not parsed.readable and parsed.zip5 is None and parsed.readings == ()


def test_a_zip_whose_end_was_lost_is_a_pattern_beside_a_real_state_only() -> None:
    assert parse_address(["SNOW SHOE, PA 168"]).zip5 == f"168{WILDCARD}{WILDCARD}"  # the crop took two
    assert parse_address(["DUBLIN, OH 4301"]).zip5 == f"4301{LOST_DIGIT}"  # one lost, anywhere
    # A suite or box number after a street's "STE" is no ZIP; nor is a short number without a state.
    streets = ("12 OAK LN STE 210", "5 CANYON BLVD FL 1107", "ELM ST APT 919")  # APT: AP, a dropped T
    for line in (*streets, "HARTFORD 0610"):
        assert not parse_address([line]).readable, line
    assert parse_address(["HARTFORD CT 12"]).zip5 == LOST_ZIP  # two digits are no part of a ZIP to keep
    parsed = parse_address(["5 CANYON BLVD FL 1107", "FACKLERAL 35746"])  # a floor, then FACKLER AL
    assert (parsed.zip5, parsed.last_line_index) == ("35746", 1)
    # A whole ZIP on the line above still wins over junk with a short number below it.
    parsed = parse_address(["HARTFORD CT 06103", "MA 4135"])
    assert (parsed.zip5, parsed.last_line_index) == ("06103", 0)


def test_a_zip_plus_4_whose_zip_lost_digits_keeps_the_digits_in_place() -> None:
    # Three digits against the hyphen are the ZIP's end (a crease took its start); four, one lost anywhere.
    parsed = parse_address(["RAJ PETROV", "WILLOW CREEK CA 573-2374"])
    assert (parsed.zip5, parsed.zip4, parsed.city) == (f"{WILDCARD}{WILDCARD}573", "2374", "WILLOW CREEK")
    assert parse_address(["MC CALLA AL 3510-8847"]).zip5 == f"3510{LOST_DIGIT}"
    for line in ("12 OAK LN STE 210-1234", "WOODSTOCK 3510-8847"):  # a street's number, or no state
        assert not parse_address([line]).readable, line
    # A state glued to the city counts as one beside such a ZIP, and beside a ZIP with a stray mark.
    parsed = parse_address(["MANCHESTERTN 3735-1234"])
    assert (parsed.city, parsed.state, parsed.zip5) == ("MANCHESTER", "TN", f"3735{LOST_DIGIT}")
    assert {r.zip5 for r in parse_address(["FEDORASD 573377"]).readings} >= {"57337", "57377"}


def test_a_city_and_state_without_a_zip_is_the_last_resort_reading() -> None:
    # The ZIP lost to a stain or a faint field, a mark or two left: a town with one ZIP can still be read.
    for line, city in (("Neosho Rapids, KS 1", "NEOSHO RAPIDS"), ("ROCKFORD IL GO", "ROCKFORD")):
        parsed = parse_address(["Michael T Perez", "905 W Harrison Ct.", line])
        assert (parsed.zip5, parsed.city, parsed.last_line_index) == (LOST_ZIP, city, 2)
    # Any line with a ZIP wins over it, even one above it or one without a state.
    assert parse_address(["SPRINGFIELD IL 62704", "ROCKFORD IL"]).zip5 == "62704"
    assert parse_address(["SPRINGFIELD 62704", "ROCKFORD IL"]).zip5 == "62704"
    # Not a state as printed, digits in the "city" (a street), or too much after the state (a misread ZIP).
    for line in ("ROCKFORD 1L", "905 HARRISON CT", "ROCKFORD IL 60 1X", "ROCKFORD IL GO 1 2"):
        assert not parse_address([line]).readable, line
    assert parse_address(["PROSPECT CT o67n"]).zip5 == LOST_ZIP  # two digits: too few to keep as a ZIP


def test_a_state_glued_to_city_and_zip_and_a_hyphen_read_as_a_digit() -> None:
    parsed = parse_address(["Grand Meadow-MN.55936-6738"])
    assert (parsed.city, parsed.state, parsed.zip5, parsed.zip4) == ("GRAND MEADOW", "MN", "55936", "6738")
    assert parse_address(["WILKES-BARRE PA 18701"]).city == "WILKES-BARRE"
    parsed = parse_address(["Mcintosh MN 5655649534"])  # 56556-9534
    assert (parsed.city, parsed.state, parsed.zip5, parsed.zip4) == ("MCINTOSH", "MN", "56556", "9534")
    assert not parse_address(["5655649534"]).readable, "ten digits are a ZIP+4 only beside a state"
    # Two letters in front are a glued state only if the rest is a ZIP: here they are 0s read as letters.
    parsed = parse_address(["NARANETO, PR GO718-9026"])
    assert parsed.state == "PR" and "00718" in [r.zip5 for r in parsed.readings]
    assert parse_address(["HARTFORD CT06103"]).state == "CT"
    parsed = parse_address(["HARTFORD CT061033"])  # a glued state and a stray mark in the ZIP
    assert parsed.state == "CT" and "06103" in [r.zip5 for r in parsed.readings]
    # A glued state with a letter read as a digit, if the pair then makes a real state.
    parsed = parse_address(["FREMONT, 1A52561-1829"])
    assert (parsed.city, parsed.state, parsed.zip5, parsed.zip4) == ("FREMONT", "IA", "52561", "1829")
    assert parse_address(["DENVER C080202"]).state == "CO"
    assert not parse_address(["BOSTON 0A02101"]).readable  # 0A reads as no state


def test_po_box_above_a_stateless_last_line_is_not_the_last_line() -> None:
    parsed = parse_address(["ACME", "PO BOX 12345", "HARTFORD 06103"])
    assert parsed.last_line_index == 2 and parsed.zip5 == "06103" and parsed.street == "PO BOX 12345"


def test_a_last_line_broken_in_two_is_read_joined() -> None:
    """The ZIP on a line of its own under the city and state, or the city on its own above the state and
    ZIP: read as one last line; the name and street are the lines above both."""
    for lines, zip4 in (
        (["JOHN SMITH", "123 MAIN ST", "SPRINGFIELD, IL", "62701-1234"], "1234"),
        (["JOHN SMITH", "123 MAIN ST", "SPRINGFIELD", "IL 62701"], None),
    ):
        parsed = parse_address(lines)
        assert (parsed.city, parsed.state, parsed.zip5, parsed.zip4) == ("SPRINGFIELD", "IL", "62701", zip4)
        assert (parsed.name, parsed.street, parsed.last_line_index) == ("JOHN SMITH", "123 MAIN ST", 3)
        assert ZipDirectory().check(parsed).verified
    lines = [_ocr_line([("SPRINGFIELD,", 0.6), ("IL", 0.8)]), _ocr_line([("62701", 0.9)])]
    parsed = parse_address(lines)
    assert parsed.city_confidence == pytest.approx(0.7) and parsed.zip_confidence == pytest.approx(0.9)
    # A line with digits above is a street or a box, never a city; a proper last line is never joined.
    assert parse_address(["JOHN SMITH", "123 MAIN ST", "IL 62701"]).city is None
    assert parse_address(["JOHN SMITH", "PO BOX 5", "62701"]).state is None
    assert parse_address(["SPRINGFIELD", "CHICAGO IL 60601"]).city == "CHICAGO"


def test_name_and_street_from_the_lines_above() -> None:
    one_street = parse_address(["1234 MAIN ST", "HARTFORD CT 06103"])
    assert one_street.street == "1234 MAIN ST" and one_street.name is None
    one_name = parse_address(["JOHN Q PUBLIC", "HARTFORD CT 06103"])
    assert one_name.name == "JOHN Q PUBLIC" and one_name.street is None
    four = parse_address(["ACME CO", "ATTN JOHN", "SUITE 5", "1 MAIN ST", "HARTFORD CT 06103"])
    assert four.name == "ACME CO" and four.street == "1 MAIN ST"


def _ocr_line(words: list[tuple[str, float]]) -> OcrLine:
    return OcrLine.from_words(
        [OcrWord(text=t, confidence=c, box=(i, 0, i + 1, 1)) for i, (t, c) in enumerate(words)]
    )


def test_word_confidences_of_zip_and_city_are_reported() -> None:
    lines = [
        _ocr_line([("JOHN", 0.9)]),
        _ocr_line([("SAINT", 0.8), ("PAUL,", 0.6), ("MN", 0.9), ("55I01", 0.45), ("~", 0.1)]),
    ]
    parsed = parse_address(lines)
    assert parsed.zip5 == "55101" and parsed.city == "SAINT PAUL"
    assert parsed.zip_confidence == pytest.approx(0.45), "the stray mark after the ZIP does not count"
    assert parsed.city_confidence == pytest.approx((0.8 + 0.6 + 0.9) / 3, abs=1e-3)
    assert parse_address(["SAINT PAUL MN 55101"]).zip_confidence is None


def test_every_directory_place_parses_back() -> None:
    rng = np.random.default_rng(3)
    rows = zipcodes.list_all()
    for i in rng.choice(len(rows), size=400, replace=False):
        row = rows[int(i)]
        city, state, zip5 = row["city"].upper(), row["state"], row["zip_code"]
        parsed = parse_address(["RESIDENT", "1 MAIN ST", f"{city} {state} {zip5}-0001"])
        assert (parsed.city, parsed.state, parsed.zip5, parsed.zip4) == (city, state, zip5, "0001")
    assert {"DC", "PR", "VI", "GU", "AA", "AE", "AP"} <= set(STATE_CODES)


_OCR_TEXT = st.text(alphabet=st.sampled_from(list("ABCDEHILMNOSTZ0123456789 ,.-|'lIoO~\n")), max_size=60)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.one_of(_OCR_TEXT, st.text(max_size=30)), max_size=6))
def test_parse_never_raises_and_is_consistent(lines: list[str]) -> None:
    parsed = parse_address(lines)
    assert parsed.lines == tuple(lines)
    if parsed.readable:
        assert parsed.last_line == lines[parsed.last_line_index]
        assert parsed.zip5 is not None and len(parsed.zip5) == 5
        unknown = parsed.zip5.count(WILDCARD) + parsed.zip5.count(LOST_DIGIT)
        known = parsed.zip5.replace(WILDCARD, "").replace(LOST_DIGIT, "")
        if parsed.zip5 == LOST_ZIP:  # a city and a state printed as a state, and no ZIP
            assert parsed.state in STATE_CODES and parsed.city and not any(c.isdigit() for c in parsed.city)
        else:
            assert known.isdigit() and len(known) >= 3 and unknown <= 2, "digits, at most two unknown"
        verdict = ZipDirectory.shared().check(parsed)
        assert verdict.zip5 is None or verdict.zip5.isdigit(), "a record never shows an unknown character"
        top = parsed.readings[0]
        assert (top.zip5, top.state, top.city) == (parsed.zip5, parsed.state, parsed.city)
        assert [r.penalty for r in parsed.readings] == sorted(r.penalty for r in parsed.readings)
    else:
        assert parsed.zip5 is None and parsed.readings == ()
    parsed.to_dict()


def test_a_zip_with_an_unknown_character_is_a_last_resort() -> None:
    parsed = parse_address(["LUIS GONZALEZ", "231 WILLOW RD", "BLUFFTON, TX 7Sa07-9106"])
    assert parsed.zip5 == f"75{WILDCARD}07" and parsed.city == "BLUFFTON" and parsed.state == "TX"
    assert [r.zip5 for r in parsed.readings] == [f"75{WILDCARD}07", f"78{WILDCARD}07"]  # S is 5, or 8
    # Junk under the address (a barcode read as text) never wins over a line with a whole ZIP.
    parsed = parse_address(["JANE DOE", "HARTFORD CT 06103", "MA 4I3#5"])
    assert (parsed.zip5, parsed.last_line_index) == ("06103", 1)
