"""The ZIP field of a last line: split off the city's words, read as digits or as a pattern."""

from __future__ import annotations

from mailpiece.inspect import zip_field as zf


def test_split_zip_takes_the_usual_shapes_and_refuses_a_hyphen_inside_the_zip() -> None:
    assert zf.split_zip(["06103-1234"]) == zf.ZipField("06103", "1234", None)
    assert zf.split_zip(["06103", "1234"]) == zf.ZipField("06103", "1234", None)
    assert zf.split_zip(["CT06103"]) == zf.ZipField("06103", None, "CT")
    assert zf.split_zip(["594408"]) == zf.ZipField("594408", None, None, needs_state=True)  # a stray mark
    assert zf.split_zip(["S732-9"]) is None
    assert zf.split_zip(["NEW", "YORK", "10001"]) is None  # more than a ZIP and its add-on


def test_a_short_zip_before_a_zip_plus_4_lost_its_start_when_three_digits_are_left() -> None:
    assert zf.split_zip(["573-2374"]) == zf.ZipField("573", "2374", None, needs_state=True, front_lost=True)
    assert zf.split_zip(["3510-8847"]) == zf.ZipField("3510", "8847", None, needs_state=True)


def test_readings_of_a_field_best_first_and_patterns_for_what_was_lost() -> None:
    assert zf.digit_readings("O6I03", min_digits=3)[0] == (
        "06103",
        0.2,
    )  # two letters read as their zf.digit_readings
    assert zf.digit_readings("7Sa07", min_digits=3, wildcard=True)[0][0] == f"75{zf.WILDCARD}07"
    assert zf.digit_readings("7Sa07", min_digits=3) == []  # no wildcard allowed: not a ZIP
    assert zf.zip_readings("168", min_digits=2) == [(f"168{zf.WILDCARD}{zf.WILDCARD}", 1.0)]
    assert zf.zip_readings("4301", min_digits=2) == [(f"4301{zf.LOST_DIGIT}", 1.0)]
    assert {z for z, _ in zf.zip_readings("594408", min_digits=2)} >= {"59440", "59448", "94408"}


def test_patterns_fit_the_zips_they_could_be() -> None:
    assert zf.fits_zip_pattern("43017", f"4301{zf.LOST_DIGIT}") and zf.fits_zip_pattern(
        "43001", f"4301{zf.LOST_DIGIT}"
    )
    assert not zf.fits_zip_pattern("43170", f"4301{zf.LOST_DIGIT}")
    assert zf.fits_zip_pattern("95573", f"{zf.WILDCARD}{zf.WILDCARD}573") and not zf.fits_zip_pattern(
        "95574", "??573"
    )
    assert zf.fits_zip_pattern("66864", zf.LOST_ZIP)
    assert [zf.is_zip_pattern(z) for z in ("06103", "061??", zf.LOST_ZIP)] == [False, True, True]
    assert [zf.unknown_digits(z) for z in ("06103", f"4301{zf.LOST_DIGIT}", "??573", zf.LOST_ZIP)] == [
        0,
        1,
        2,
        5,
    ]


def test_a_zip_read_in_part_is_one_town_zip_unless_its_digits_contradict_it() -> None:
    lost = zf.LOST_DIGIT
    assert zf.partly_read_as(zf.LOST_ZIP, "66864"), "nothing read contradicts nothing"
    assert zf.partly_read_as("??573", "95573")
    assert not zf.partly_read_as("??574", "95573"), "one digit off needs three others that agree"
    assert zf.partly_read_as(f"3510{lost}", "35111"), "one digit off beside three that agree"
    assert not zf.partly_read_as(f"2167{lost}", "01867"), "READING MA 2167-5244 is not 01867"
    assert zf.partly_read_as(f"1867{lost}", "01867"), "the digits read against the ZIP's end"
