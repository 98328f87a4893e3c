"""ZipDirectory.check against the real `zipcodes` data: verify, correct, refuse, and calibrated confidence."""

from __future__ import annotations

import numpy as np
import pytest
import zipcodes
from hypothesis import given, settings
from hypothesis import strategies as st

from mailpiece.inspect.address_parse import parse_address
from mailpiece.inspect.config import AddressThresholds
from mailpiece.inspect.ocr import OcrLine, OcrWord
from mailpiece.inspect.zip_directory import ZipDirectory, edit_distance, normalise_city, zip_neighbours

DEFAULTS = AddressThresholds()


@pytest.fixture(scope="module")
def directory() -> ZipDirectory:
    return ZipDirectory.shared()


def check(directory: ZipDirectory, last_line: str, **kwargs):
    return directory.check(parse_address(["JOHN Q PUBLIC", "1 MAIN ST", last_line]), **kwargs)


def test_directory_indexes_zip_and_place(directory) -> None:
    assert len(directory) > 40_000
    entry = directory.lookup("06103")
    assert (entry.city, entry.state) == ("HARTFORD", "CT")
    assert "06103" in directory.zips_for("CT", "Hartford")
    assert "55101" in directory.zips_for("MN", "St. Paul")


def test_a_zip_checked_against_its_state_alone_says_so(directory) -> None:
    bare = check(directory, "KS 67215")  # no city read: only the state vouches for the ZIP
    assert bare.verified and bare.zip5 == "67215" and bare.state_only
    assert "checked against the state only" in bare.note
    assert not check(directory, "WICHITA KS 67215").state_only
    # Another Kansas ZIP is one keystroke from 67215 in every digit but the first.
    assert directory.contested_digits_in_state("67215", "KS") == {1, 2, 3, 4}
    assert directory.contested_digits_in_state("67215", "HI") == frozenset()


def test_city_names_normalise_like_address_readers() -> None:
    assert normalise_city("St. Paul") == normalise_city("SAINT PAUL") == "SAINT PAUL"
    assert normalise_city("Ft Lauderdale") == "FORT LAUDERDALE"
    assert normalise_city("Mt. Vernon") == "MOUNT VERNON"
    assert normalise_city("Winston-Salem") == "WINSTON SALEM"
    assert edit_distance("HARTFORD", "HARTFROD", 2) == 1, "a swap is one edit"
    assert edit_distance("HARTFORD", "BOSTON", 2) == 3, "capped at limit + 1"
    assert len(set(zip_neighbours("06103"))) == 45 + 4


@pytest.mark.parametrize(
    ("last_line", "zip5", "city", "state"),
    [
        ("HARTFORD CT 06103-1234", "06103", "HARTFORD", "CT"),
        ("ST PAUL MN 55101", "55101", "SAINT PAUL", "MN"),
        ("Fort Lauderdale, FL 33301", "33301", "FORT LAUDERDALE", "FL"),
        ("APO AE 09012", "09012", "APO", "AE"),
        ("RAMEY PR 00603", "00603", "RAMEY", "PR"),  # an acceptable alternate name of Aguadilla's ZIP
    ],
)
def test_agreeing_zip_city_state_is_verified_unchanged(directory, last_line, zip5, city, state) -> None:
    verdict = check(directory, last_line)
    assert (verdict.zip5, verdict.city, verdict.state) == (zip5, city, state)
    assert verdict.verified and not verdict.corrected and verdict.confidence > 0.95
    assert verdict.reject_reasons(DEFAULTS) == ()


@pytest.mark.parametrize(
    ("last_line", "zip5", "changed"),
    [
        ("SPRINGFIELD MA 06103", "01103", "zip"),  # one substitution; 06103 itself is Hartford CT
        ("MIAMI BEACH FL 33193", "33139", "zip"),  # a transposition
        ("BEVERLY HILLS CA 92010", "90210", "zip"),  # a transposition onto another real ZIP
        ("HARTFORD CT 06B03", "06103", "zip"),  # B read as 8, and 06803 is Brookfield
        ("HARTFORO CT 06103", "06103", "city"),
        ("DENVRE CO 80219", "80219", "city"),
        ("HIGIN AZ 85611", "85611", "city"),  # two edits in a short name, but the ZIP was read as is
        ("WILMINGTON NCE 28403", "28403", "city"),  # a stray letter after the state
        ("TRION, GA 307534", "30753", "zip"),  # a stray sixth digit
        ("HARTFORD CI 06103", "06103", "state"),
        ("SARASOTA PL 36236", "34236", "zip, state"),
        ("OLD ORCHARD BEACH ME 04994", "04064", "zip"),  # 04994 exists nowhere; the town has one ZIP
    ],
)
def test_planted_errors_are_corrected(directory, last_line: str, zip5: str, changed: str) -> None:
    verdict = check(directory, last_line)
    assert verdict.verified and verdict.corrected and verdict.zip5 == zip5
    assert verdict.note.startswith(f"corrected {changed}:")
    assert DEFAULTS.accept_confidence <= verdict.confidence < 0.98


@pytest.mark.parametrize(
    ("last_line", "zip5"),
    [
        ("VALLEy CITY onf 44280", "44280"),  # the state is noise, ZIP and city agree exactly
        ("CONRAD WE 59425", "59425"),
        ("SROOKELAND TK 75931", "75931"),  # city and state one letter off each, ZIP as read
        ("COTTEKILL S¥ 12419", "12419"),
        ("GREENFIELD MA 61361", "01301"),  # 6 read for 0 twice; 61361 is in Illinois
        ("Sugar CityID 83448", "83448"),  # the space between city and state lost
        ("Monkton 41D 21111", "21111"),  # M read as two marks
        ("DON'T MISS OUT NEW FREEDOM, PA 17349", "17349"),  # an endorsement on the city's line
        ("DIEVILLE, 1. 62214", "62214"),  # ADDIEVILLE IL with its start creased off, IL read as "1."
        ("OPOLIS IL 62539", "62539"),  # ILLIOPOLIS cut by the frame edge
        ("quar VERNON ME 04352-3581", "04352"),  # MOUNT VERNON with a crease through MOUNT
        ("JEMISON 23, 35085", "35085"),  # AL read as two digits
    ],
)
def test_the_state_and_blurred_digits_give_way_to_zip_and_city(directory, last_line: str, zip5: str) -> None:
    verdict = check(directory, last_line)
    assert verdict.verified and verdict.zip5 == zip5 and verdict.corrected, verdict.note
    assert verdict.confidence >= DEFAULTS.accept_confidence


def test_a_town_named_like_another_plus_a_word_is_not_junk_in_front_of_it(directory) -> None:
    # WEST HARTFORD is a town of its own: 06103 (Hartford) read there is a misread ZIP, never a sort.
    verdict = check(directory, "WEST HARTFORD CT 06103")
    assert verdict.zip5 != "06103" or verdict.confidence < DEFAULTS.accept_confidence
    assert check(directory, "ATTN NEWAYGO MI 49337").zip5 == "49337"
    # Too little of ADDIEVILLE is left to vouch for the ZIP: it weighs as no city at all.
    assert check(directory, "VILLE IL 62214").confidence == check(directory, "IL 62214").confidence
    assert not check(directory, "BLAH YORK NY 10027").verified, "YORK is too little of NEW YORK"
    assert not check(directory, "XX VERNON ME 04353").verified, "04353 is no VERNON"


def test_a_zip_digit_read_as_no_digit_is_filled_in_only_from_a_town_with_one_fitting_zip(directory) -> None:
    verdict = check(directory, "Bluffton, TX 7Sa07-9106")  # blur turned 6 into "a"; Bluffton has 78607
    assert verdict.verified and verdict.zip5 == "78607" and verdict.changed == ("zip",), verdict.note
    assert DEFAULTS.accept_confidence <= verdict.confidence < 0.98
    # Gilbert AZ has 85233 and 85234: the town cannot say which; an inexact town vouches for nothing.
    for last_line in ("GILBERT AZ 8523x", "Hlufften, TX 7Sa07", "BLUFFTON TX 7xx07"):
        verdict = check(directory, last_line)
        assert not verdict.verified and verdict.zip5 is None, last_line
    assert "unreadable or lost digits" in check(directory, "GILBERT AZ 8523x").note


def test_a_zip_with_lost_digits_is_filled_in_only_from_a_town_with_one_fitting_zip(directory) -> None:
    for last_line in ("SNOW SHOE, PA 168", "SNOW SHOE, PA 1687", "SNOW SHOE PA 1874"):  # its one ZIP: 16874
        verdict = check(directory, last_line)
        assert verdict.verified and verdict.zip5 == "16874" and verdict.changed == ("zip",), last_line
        assert DEFAULTS.accept_confidence <= verdict.confidence < 0.9, last_line
    # Dublin OH has 43016 and 43017; Hartford's 0610x are many; Burley ID has 83318 only, not "2378".
    for last_line in ("DUBLIN, OH 4301", "HARTFORD CT 0610", "BURLEY ID 2378", "SNOW SHOES PA 168"):
        verdict = check(directory, last_line)
        assert not verdict.verified and verdict.zip5 is None, last_line


def test_a_town_with_one_zip_fills_in_a_zip_read_incompletely_unless_the_digits_read_contradict_it(
    directory,
) -> None:
    # Neosho Rapids KS, Willow Creek CA, Mc Calla AL and Prospect CT each have one ZIP.
    cases = {
        "Neosho Rapids, KS 1": "66864",  # nothing of the ZIP read
        "WILLOW CREEK CA 573-2374": "95573",  # its end, before the ZIP+4
        "MC CALLA AL 3510-8847": "35111",  # four digits read, one of them wrong
        "PROSPECT CT 0670": "06712",
    }
    for last_line, zip5 in cases.items():
        verdict = check(directory, last_line)
        assert verdict.verified and verdict.zip5 == zip5 and verdict.changed == ("zip",), verdict.note
        assert DEFAULTS.accept_confidence <= verdict.confidence < 0.9, last_line
    assert "the town's only ZIP" in check(directory, "Neosho Rapids, KS 1").note
    # Digits read that contradict the town's ZIP (two or more wrong), a town with several ZIPs, a town
    # name one letter off: no ZIP.
    for last_line in ("READING MA 2167-5244", "BURLEY ID 2378", "ROCKFORD IL GO", "NEOSHO RAPIDZ, KS 1"):
        verdict = check(directory, last_line)
        assert not verdict.verified and verdict.zip5 is None, last_line
    assert not check(directory, "ROCKFORD IL GO").readable, "no ZIP beside the town: unreadable"
    # Nor when the directory may repair at most one digit.
    for edits in (0, 1):
        strict = AddressThresholds(max_zip_edits=edits)
        assert not check(directory, "Neosho Rapids, KS 1", thresholds=strict).verified, edits


def test_the_last_letters_of_the_town_weigh_as_no_city_beside_its_own_state(directory) -> None:
    verdict = check(directory, "lle, TX 78361")  # a crop took HEBBRONVI
    assert verdict.verified and (verdict.zip5, verdict.city) == ("78361", "HEBBRONVILLE")
    assert verdict.confidence == check(directory, "TX 78361").confidence, "no more than no city"
    # Not the end of the name, or another state, or too little of it: a conflict as before.
    for last_line in ("XLE TX 78361", "lle, OK 78361", "LE TX 78361", "ILLES TX 78361"):
        assert not check(directory, last_line).verified, last_line


def test_a_town_read_whole_beside_a_lost_state_still_vouches_for_a_one_digit_repair(directory) -> None:
    # The state lost to a smudge but one letter: the town alone (MIAMI BEACH is only in FL) checks the ZIP.
    verdict = check(directory, "MIAMI BEACH E 33754-8217")
    assert (verdict.zip5, verdict.city, verdict.state) == ("33154", "MIAMI BEACH", "FL") and verdict.verified
    assert not check(directory, "MIAMI BEACH E 34754").verified, "two digits off the town's ZIPs"
    # The ZIP as read, the town two letters off once the letter is dropped: repaired, never "confident",
    # so a town with a ZIP one keystroke away (Saint Louis) still needs a second, agreeing reading.
    louis = check(directory, "SAINT EOUWIS D 63118")
    assert (louis.zip5, louis.city, louis.changed) == ("63118", "SAINT LOUIS", ("city",)) and louis.verified
    assert DEFAULTS.accept_confidence <= louis.confidence < 0.9


def test_a_garbled_state_without_a_matching_city_or_far_in_a_big_city_is_no_evidence(directory) -> None:
    for last_line in ("JK 73717", "HARTFORD NY 06103", "LOS ANGELES CA 06103"):
        assert not check(directory, last_line).verified, last_line


def test_a_garbled_city_is_believed_only_beside_the_zip_and_state_read_as_they_stand(directory) -> None:
    # Seen on fresh frames: the ZIP and state read right, the town name garbled past two edits.
    for last_line, zip5 in (("IRDTANAPGLTS IN 46224", "46224"), ("CSMGLIN MN 55316-7195", "55316")):
        verdict = check(directory, last_line)
        assert verdict.verified and verdict.zip5 == zip5 and verdict.changed == ("city",), verdict.note
        # Past the usual two edits it is never "confident": a town with a sibling ZIP reads it again.
        assert DEFAULTS.accept_confidence <= verdict.confidence < 0.9
    for last_line in (
        "IRDTANAPGLTS OH 46224",  # the state disagrees
        "STUNTAREP WI 54746",  # HUMBIRD: garbled past 45 %
        "BREAWE WV 24815",  # too short to judge
        "CSMGLIN MN 55361",  # a repaired ZIP needs an exact town
    ):
        assert not check(directory, last_line).verified, last_line
    off = AddressThresholds(garbled_city_share=0.0, place_search_share=0.0)
    assert not check(directory, "IRDTANAPGLTS IN 46224", thresholds=off).verified


@pytest.mark.parametrize(
    ("last_line", "zip5"),
    [
        # Seen on fresh frames in handwriting fonts: every field garbled, the place still plain.
        ("Friemant, ND 59030-5554", "58030"),  # FAIRMOUNT: a digit and four letters off
        ("Hecpa, CA 45546", "95546"),  # HOOPA
        ("SOUTR PONERET VT 05967", "05067"),  # SOUTH POMFRET
        ("WISCONSIN DELLS, Wi 55765-4104", "53965"),  # two digits off, the town read exactly
        ("TWFFW OF 44983", "44883"),  # TIFFIN OH: the state one letter off too
        # Pale print in a held-out font: two digits, a state letter and three of SAINT JOSEPH's off.
        ("Saiest Josep EO $4586-2542", "64506"),
    ],
)
def test_a_last_line_garbled_in_every_field_is_placed_by_a_joint_search(directory, last_line, zip5) -> None:
    verdict = check(directory, last_line)
    assert verdict.verified and verdict.zip5 == zip5 and verdict.corrected, verdict.note
    assert verdict.note.startswith("placed by a directory search"), verdict.note
    # Never "confident": the reader tries its other recipes, and a town with a ZIP one keystroke away
    # still needs a second, agreeing reading before it is sorted.
    assert DEFAULTS.accept_confidence <= verdict.confidence < 0.9


@pytest.mark.parametrize(
    "last_line",
    [
        "HARTFORD NY 06103",  # another real state with a Hartford of its own: a conflict, not a misread
        "WOODSTOCK NH 03262",  # a real town beside another town's ZIP (NORTH WOODSTOCK): a conflict
        "NEN WYDSOR MY 11553",  # NEW WINDSOR 12553 and a NEW HYDE PARK-like rival cost nearly the same
        "PHE ADS PHA PS 19755",  # Philadelphia has many ZIPs one digit from 19755: no clear winner
        "LYNN AR 72436",  # LAFE: the name is too far off
        "VILLE IL 62216",  # ADDIEVILLE 62214 one digit off, but hundreds of towns end in VILLE
        "BLAH YORK NY 10027",  # a word replaced, not garbled
        # Upside-down print read as text: a digit, the state and half the town name off all at once
        # (61006 ASHTON IL would fit it alone, at a cost no right placement was seen to reach).
        "AMH ONIX 61906",
    ],
)
def test_the_joint_search_places_nothing_without_a_clear_close_winner(directory, last_line) -> None:
    verdict = check(directory, last_line)
    assert not verdict.verified, verdict.note


def test_the_joint_search_follows_the_repair_limits(directory) -> None:
    assert check(directory, "Friemant, ND 59030").zip5 == "58030"
    for thresholds in (
        AddressThresholds(place_search_share=0.0),
        AddressThresholds(max_zip_edits=0),  # the ZIP is off by a digit: no repair allowed
        AddressThresholds(max_city_edits=0),  # no fuzzy town names at all
    ):
        assert not check(directory, "Friemant, ND 59030", thresholds=thresholds).verified, thresholds
    assert check(directory, "Hecpa CA 95546", thresholds=AddressThresholds(max_zip_edits=0)).verified


def test_towns_with_a_zip_one_keystroke_from_another_are_known(directory) -> None:
    assert directory.has_near_sibling("12944", "NY", "Keeseville")  # 12924 is Keeseville too
    assert not directory.has_near_sibling("04970", "ME", "Rangeley")  # Rangeley has one ZIP
    assert directory.has_near_sibling("06103", "CT", "HARTFORD")


def test_contradicting_city_and_state_are_not_verified(directory) -> None:
    # LOS ANGELES has a ZIP two digits from 06103, but 06103 is real: a conflict, not a misread.
    for last_line in ("BOSTON MA 06103", "HARTFORD NY 06103", "NOWHERE ZZ 99999", "LOS ANGELES CA 06103"):
        verdict = check(directory, last_line)
        assert not verdict.verified and not verdict.corrected and verdict.confidence == 0.0, last_line
        assert verdict.reject_reasons(DEFAULTS) == ("invalid_address",)
    assert "is HARTFORD CT" in check(directory, "BOSTON MA 06103").note
    # Springfield is a town of both states: which of the two was misread cannot be told.
    assert not check(directory, "SPRINGFIELD MA 62701").verified


def test_another_real_state_without_such_a_town_is_a_misread_state(directory) -> None:
    verdict = check(directory, "Lafayette, Wy 47904")  # Wyoming has no Lafayette: IN read as "Wy"
    assert verdict.verified and (verdict.zip5, verdict.state) == ("47904", "IN")
    assert verdict.changed == ("state",)
    # Under "confident": Lafayette IN has ZIPs one keystroke from 47904, so a second reading must agree.
    assert DEFAULTS.accept_confidence <= verdict.confidence < 0.9
    assert not check(directory, "LAFAYETTE WY 47900").verified, "not with the ZIP repaired as well"


def test_missing_zip_is_unreadable_and_bare_zip_is_unverified(directory) -> None:
    nothing = directory.check(parse_address(["JOHN Q PUBLIC", "1 MAIN ST"]))
    assert not nothing.readable and not nothing.verified
    assert nothing.reject_reasons(DEFAULTS) == ("unreadable_address",)
    bare = directory.check(parse_address(["JOHN Q PUBLIC", "06103"]))
    assert bare.readable and not bare.verified and "without a city or state" in bare.note


def test_two_equally_good_corrections_give_low_confidence(directory) -> None:
    verdict = check(directory, "HARTFORD CT 06130")  # one edit from many Hartford ZIPs
    assert verdict.verified and verdict.corrected and verdict.confidence < 0.2
    assert "other equally good" in verdict.note
    assert verdict.reject_reasons(DEFAULTS) == ("low_confidence",)


def test_zip_correction_can_be_turned_off(directory) -> None:
    strict = AddressThresholds(max_zip_edits=0)
    assert not check(directory, "SPRINGFIELD MA 06103", thresholds=strict).verified
    assert not check(directory, "HARTFORO CT 06103", thresholds=AddressThresholds(max_city_edits=0)).verified


def _ocr_last_line(zip_confidence: float) -> OcrLine:
    words = [("HARTFORD", 0.93), ("CT", 0.95), ("06103", zip_confidence)]
    return OcrLine.from_words([OcrWord(text=t, confidence=c, box=(0, 0, 1, 1)) for t, c in words])


def test_ocr_confidence_lowers_the_verdict_confidence(directory) -> None:
    sure = directory.check(parse_address([_ocr_last_line(0.96)]))
    unsure = directory.check(parse_address([_ocr_last_line(0.30)]))
    assert sure.verified and unsure.verified
    assert unsure.confidence < sure.confidence < 1.0
    fallback = check(directory, "HARTFORD CT 06103", ocr_confidence=0.3)
    assert fallback.confidence == pytest.approx(unsure.confidence, abs=0.1)


def test_verdict_becomes_the_record_address(directory) -> None:
    lines = ("JOHN Q PUBLIC", "1 MAIN ST", "HARTFORD CT 06103-1234")
    address = directory.check(parse_address(lines)).to_address(lines)
    assert address.to_dict() == {
        "zip5": "06103", "zip4": "1234", "city": "HARTFORD", "state": "CT",
        "lines": list(lines), "confidence": 1.0, "verified": True,
    }  # fmt: skip


def _corrupt(word: str, rng: np.random.Generator, letters: bool) -> str:
    chars = list(word)
    i = int(rng.integers(len(chars)))
    chars[i] = "ABCDEFGHIKLMNOPRSTUVWY"[rng.integers(22)] if letters else str(rng.integers(10))
    return "".join(chars)


def test_confidence_is_calibrated_on_simulated_ocr_errors(directory) -> None:
    """Plant OCR-like errors in real addresses; in every confidence band, accuracy must not fall below it."""
    rng = np.random.default_rng(11)
    rows = [r for r in zipcodes.list_all() if r["active"] and r["zip_code_type"] == "STANDARD"]
    confidences, correct, silent = [], [], []
    for _ in range(1500):
        row = rows[int(rng.integers(len(rows)))]
        truth = [*row["city"].upper().split(), row["state"], row["zip_code"]]
        words = list(truth)
        kind = rng.random()
        if kind < 0.25:
            words[-1] = _corrupt(words[-1], rng, letters=False)
        elif kind < 0.4:
            words[0] = _corrupt(words[0], rng, letters=True)
        elif kind < 0.45:
            words[-2] = _corrupt(words[-2], rng, letters=True)
        # A misread word gets a middling OCR confidence, a clean one a high one, as Tesseract does.
        conf = [
            rng.uniform(0.35, 0.85) if w != t else rng.uniform(0.86, 0.97)
            for w, t in zip(words, truth, strict=True)
        ]
        line = OcrLine.from_words(
            [OcrWord(text=w, confidence=c, box=(0, 0, 1, 1)) for w, c in zip(words, conf, strict=True)]
        )
        verdict = directory.check(parse_address([line]))
        confidences.append(verdict.confidence)
        correct.append(verdict.verified and verdict.zip5 == row["zip_code"])
        silent.append(verdict.verified and not verdict.corrected)
    confidences, correct, silent = np.array(confidences), np.array(correct), np.array(silent)
    for low, high in [(0.0, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)]:
        band = (confidences >= low) & (confidences < high)
        if band.sum() >= 30:
            assert correct[band].mean() >= low - 0.02, (low, high, band.sum(), correct[band].mean())
    assert correct[confidences >= 0.9].mean() > 0.98
    assert correct[confidences < 0.5].mean() < 0.8, "low confidence must mean something"
    # A misread that lands on another real ZIP of the same town passes the directory unchanged; only the
    # OCR confidence can give it away, so such answers must score clearly below the right ones.
    misread, right = silent & ~correct, silent & correct
    assert misread.sum() >= 3 and confidences[misread].mean() < confidences[right].mean() - 0.05


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(
        st.text(alphabet=st.sampled_from(list("ACDHIMNORSTZ0123456789 ,-lO")), max_size=40), max_size=4
    )
)
def test_check_never_raises_on_ocr_like_text(directory, lines) -> None:
    verdict = directory.check(parse_address(lines))
    assert 0.0 <= verdict.confidence <= 1.0
    assert not verdict.verified or directory.lookup(verdict.zip5) is not None
    assert verdict.reject_reasons(DEFAULTS) in (
        (),
        ("unreadable_address",),
        ("invalid_address",),
        ("low_confidence",),
    )


def _garble(name: str, share: float, rng: np.random.Generator) -> str:
    chars = list(name)
    letters = [i for i, ch in enumerate(chars) if ch != " "]
    for i in rng.choice(letters, size=max(1, round(share * len(letters))), replace=False):
        chars[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[rng.integers(26)]
    return "".join(chars)


def test_the_joint_search_is_right_when_it_places_a_simulated_compound_misread(directory) -> None:
    """A town name a third garbled and one ZIP digit misread (what handwriting does): the search places
    most of them, and what it places where a single reading is sorted on (no sibling ZIP one keystroke
    away in the town) is almost always the right ZIP."""
    rng = np.random.default_rng(5)
    rows = [r for r in zipcodes.list_all() if r["active"] and r["zip_code_type"] == "STANDARD"]
    placed = right = sorted_on = wrong_sorted = 0
    for _ in range(400):
        row = rows[int(rng.integers(len(rows)))]
        zip5 = list(row["zip_code"])
        i = int(rng.integers(5))
        zip5[i] = str((int(zip5[i]) + 1 + int(rng.integers(9))) % 10)
        last_line = f"{_garble(normalise_city(row['city']), 0.3, rng)} {row['state']} {''.join(zip5)}"
        verdict = check(directory, last_line)
        if not (verdict.verified and verdict.note.startswith("placed")):
            continue
        placed += 1
        right += verdict.zip5 == row["zip_code"]
        if verdict.confidence >= DEFAULTS.accept_confidence and not directory.has_near_sibling(
            verdict.zip5, verdict.state, verdict.city
        ):
            sorted_on += 1
            wrong_sorted += verdict.zip5 != row["zip_code"]
    assert placed >= 100, placed
    assert right / placed >= 0.85, (right, placed)
    assert sorted_on >= 60 and wrong_sorted / sorted_on <= 0.03, (wrong_sorted, sorted_on)
