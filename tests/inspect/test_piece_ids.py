"""Piece ids from file names: the stem when it is unique, something readable and unique when it is not."""

from __future__ import annotations

from pathlib import PurePath

from mailpiece.inspect.piece_ids import free_piece_id, piece_ids


def _ids(*names: str) -> list[str]:
    return piece_ids([PurePath(name) for name in names])


def test_unique_stems_are_the_ids() -> None:
    ids = _ids("piece_0001.jpg", "sub/piece_0002.png", "scan.v2.tif")
    assert ids == ["piece_0001", "piece_0002", "scan.v2"]


def test_colliding_stems_are_named_by_their_path_and_extension() -> None:
    assert _ids("a.jpg", "a.png", "b.jpg") == ["a.jpg", "a.png", "b"]
    assert _ids("a.jpg", "x/a.jpg", "y/z/a.jpg") == ["a.jpg", "x~a.jpg", "y~z~a.jpg"]


def test_ids_depend_only_on_the_set_of_names() -> None:
    names = ["x/a.jpg", "y/a.jpg", "b.png", "a.png"]
    forward = dict(zip(names, _ids(*names), strict=True))
    backward = dict(zip(reversed(names), _ids(*reversed(names)), strict=True))
    assert forward == backward


def test_a_made_id_that_meets_a_real_one_is_numbered_and_all_stay_distinct() -> None:
    # "x~a.jpg.png" has the stem "x~a.jpg", the very id made for "x/a.jpg"
    assert _ids("x/a.jpg", "y/a.jpg", "x~a.jpg.png") == ["x~a.jpg", "y~a.jpg", "x~a.jpg~2"]
    assert _ids("one/a.jpg", "two/a.jpg", "a.jpg") == ["one~a.jpg", "two~a.jpg", "a.jpg"]
    assert _ids("a.jpg", "a.jpg") == ["a.jpg", "a.jpg~2"]  # one name under two command-line folders


def test_free_piece_id_numbers_from_two() -> None:
    taken = {"a", "a~2"}
    assert free_piece_id("b", taken.__contains__) == "b"
    assert free_piece_id("a", taken.__contains__) == "a~3"
