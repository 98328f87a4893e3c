"""Sinks: one row per piece, idempotent upserts, queryable reasons, JSONL that survives a torn line."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest

from mailpiece.inspect.result import Address, ClassCall, Result, bad_image
from mailpiece.pipelines.records import PieceRecord
from mailpiece.pipelines.sinks import JsonlSink, StdoutSink, open_sink
from mailpiece.pipelines.sqlite_sink import SqliteSink


def _sorted(piece_id: str, zip5: str = "06103") -> Result:
    return Result(piece_id=piece_id, source=f"frames/{piece_id}.jpg", decision="sort", bin="B07",
                  address=Address(zip5=zip5, zip4=None, city="HARTFORD", state="CT", lines=("A", "B"),
                                  confidence=0.93, verified=True),
                  postage=ClassCall(present=True, kind="stamp", score=0.98),
                  damage=ClassCall(present=False, kind="none", score=0.03), orientation=0,
                  model="postage-damage@test", timings_ms={"total": 12.5})


def _rejected(piece_id: str) -> Result:
    return Result(piece_id=piece_id, source=f"frames/{piece_id}.jpg", decision="reject", bin="R",
                  reasons=("unreadable_address", "no_postage"), message="nothing legible")


def _records(*results: Result) -> list[PieceRecord]:
    return [PieceRecord(result=r, image_path=f"/img/{r.piece_id}.jpg") for r in results]


def test_sqlite_keeps_one_row_per_piece_and_upserts(tmp_path: Path) -> None:
    sink = SqliteSink(tmp_path / "r.db")
    sink.write(_records(_sorted("a"), _rejected("b")))
    first_created = sqlite3.connect(tmp_path / "r.db").execute(
        "SELECT created_at FROM results WHERE piece_id='a'").fetchone()[0]
    sink.write(_records(_sorted("a", zip5="10001"), bad_image("c", "frames/c.jpg", "truncated JPEG", "R")))
    sink.close()

    db = sqlite3.connect(tmp_path / "r.db")
    rows = dict(db.execute("SELECT piece_id, decision FROM results").fetchall())
    assert rows == {"a": "sort", "b": "reject", "c": "reject"}
    zip5, created = db.execute("SELECT zip5, created_at FROM results WHERE piece_id='a'").fetchone()
    assert zip5 == "10001" and created == first_created  # the newer record wins; first-seen time stays
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_sqlite_columns_and_reasons_are_queryable(tmp_path: Path) -> None:
    with_reasons = _rejected("b")
    sink = SqliteSink(tmp_path / "r.db")
    sink.write(_records(_sorted("a"), with_reasons))
    sink.write(_records(with_reasons))  # rewriting must not duplicate reason rows
    sink.close()
    db = sqlite3.connect(tmp_path / "r.db")
    row = db.execute("SELECT decision, bin, zip5, confidence, verified, postage_kind, damage_kind, "
                     "image_path, record FROM results WHERE piece_id='a'").fetchone()
    assert row[:8] == ("sort", "B07", "06103", 0.93, 1, "stamp", "none", "/img/a.jpg")
    assert Result.from_dict(json.loads(row[8])) == _sorted("a")
    reasons = db.execute("SELECT reason FROM reasons WHERE piece_id='b' ORDER BY reason").fetchall()
    assert reasons == [("no_postage",), ("unreadable_address",)]
    by_reason = db.execute("SELECT reason, COUNT(*) FROM reasons GROUP BY reason ORDER BY reason").fetchall()
    assert by_reason == [("no_postage", 1), ("unreadable_address", 1)]
    assert json.loads(db.execute("SELECT reasons FROM results WHERE piece_id='b'").fetchone()[0]) == [
        "unreadable_address", "no_postage"]


def test_sqlite_already_written_survives_reopen(tmp_path: Path) -> None:
    sink = SqliteSink(tmp_path / "r.db")
    sink.write(_records(*(_sorted(f"p{i}") for i in range(600))))  # more than one lookup chunk
    sink.close()
    reopened = SqliteSink(tmp_path / "r.db")
    asked = [f"p{i}" for i in range(0, 1200, 2)]
    assert reopened.already_written(asked) == {f"p{i}" for i in range(0, 600, 2)}
    reopened.close()


def test_sqlite_refuses_a_newer_schema(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "r.db")
    db.execute("PRAGMA user_version=99")
    db.close()
    with pytest.raises(ValueError, match="schema v99"):
        SqliteSink(tmp_path / "r.db")


def test_jsonl_appends_and_remembers_pieces_past_a_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    sink = JsonlSink(path)
    sink.write(_records(_sorted("a"), _rejected("b")))
    sink.close()
    with path.open("a") as f:
        f.write('{"piece_id": "torn", "sour')  # a crash mid-write
    sink = JsonlSink(path)
    assert sink.already_written(["a", "b", "torn", "c"]) == {"a", "b"}
    sink.write(_records(_sorted("c")))
    sink.close()
    lines = path.read_text().splitlines()
    parsed = [json.loads(line) for line in lines if not line.startswith('{"piece_id": "torn"')]
    assert [d["piece_id"] for d in parsed] == ["a", "b", "c"]
    assert parsed[2]["image_path"] == "/img/c.jpg"
    assert Result.from_dict(parsed[1]) == _rejected("b")


def test_stdout_writes_one_record_per_line() -> None:
    stream = io.StringIO()
    sink = StdoutSink(stream)
    sink.write(_records(_sorted("a"), _rejected("b")))
    assert [json.loads(line)["piece_id"] for line in stream.getvalue().splitlines()] == ["a", "b"]
    assert sink.already_written(["a"]) == set()


def test_open_sink_parses_specs(tmp_path: Path) -> None:
    assert isinstance(open_sink(f"sqlite:{tmp_path / 'x.db'}"), SqliteSink)
    assert isinstance(open_sink(f"jsonl:{tmp_path / 'x.jsonl'}"), JsonlSink)
    assert isinstance(open_sink("stdout"), StdoutSink)
    for bad in ("sqlite:", "parquet:x", "results.db"):
        with pytest.raises(ValueError, match="unknown sink"):
            open_sink(bad)
