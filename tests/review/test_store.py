"""The queue and the corrections table over a real results database, and the stats built on them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mailpiece.pipelines.records import PieceRecord
from mailpiece.pipelines.sqlite_sink import SqliteSink
from mailpiece.review import stats
from mailpiece.review.app import create_app
from mailpiece.review.corrections import Review
from mailpiece.review.store import UNSURE, ReviewStore


def _results(db: Path) -> list[tuple[str, str, list[str], float | None]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT piece_id, decision, reasons, confidence FROM results ORDER BY created_at")
        return [(p, d, json.loads(r), c) for p, d, r, c in rows]


def _review(store: ReviewStore, piece_id: str, **values: str | None) -> None:
    machine = store.piece(piece_id)
    assert machine is not None
    fields = {"zip": None, "postage": "stamp", "damage": "none", **values}
    store.record_review(Review(piece_id=piece_id, reviewer="qa1", **fields), machine.result)


def test_the_queue_holds_flagged_pieces_newest_first_with_counts_per_reason(results_db: Path) -> None:
    store = ReviewStore(results_db, unsure_below=0.8)
    rows = _results(results_db)
    flagged = [p for p, decision, _, c in rows if decision == "reject" or (c is not None and c < 0.8)]
    assert len(flagged) >= 2, "the fixture frames should give the desk something to review"
    assert [item.piece_id for item in store.queue()] == flagged[::-1]
    counts = store.reason_counts()
    for reason in {r for _, _, reasons, _ in rows for r in reasons}:
        expected = [p for p, _, reasons, _ in rows if reason in reasons]
        assert counts[reason] == len(expected)
        assert [i.piece_id for i in store.queue(reason)] == expected[::-1]
    assert counts["all"] == len(flagged)


def test_sorted_pieces_under_the_review_threshold_are_queued_as_unsure(results_db: Path) -> None:
    everything = ReviewStore(results_db, unsure_below=1.01)
    sorted_ids = [p for p, decision, _, _ in _results(results_db) if decision == "sort"]
    assert sorted_ids and [i.piece_id for i in everything.queue(UNSURE)] == sorted_ids[::-1]
    assert everything.reason_counts()[UNSURE] == len(sorted_ids)
    assert ReviewStore(results_db, unsure_below=0.0).reason_counts()[UNSURE] == 0


def test_a_reviewed_piece_leaves_the_queue_until_the_line_writes_it_again(results_db: Path) -> None:
    store = ReviewStore(results_db)
    first, second, *_ = [item.piece_id for item in store.queue()]
    assert store.next_after(first) == second
    _review(store, first, zip="10001")
    assert first not in [i.piece_id for i in store.queue()]
    assert store.next_after(first) == second  # from a piece just reviewed, the next one down
    last = store.queue()[-1].piece_id
    assert store.next_after(last) == store.queue()[0].piece_id  # wraps to the newest
    again = store.piece(first)
    sink = SqliteSink(results_db)  # re-inspected (e.g. --reprocess): back in the queue for a fresh look
    sink.write([PieceRecord(result=again.result, image_path=again.image_path)])
    sink.close()
    assert first in [i.piece_id for i in store.queue()]


def test_corrections_live_beside_the_results_and_keep_the_schema_version(results_db: Path) -> None:
    store = ReviewStore(results_db)
    piece_id = store.queue()[0].piece_id
    _review(store, piece_id, zip="06103", postage="meter")
    rows = store.corrections(piece_id)
    assert [r.field for r in rows] == ["zip", "postage", "damage"]
    assert {r.reviewer for r in rows} == {"qa1"} and rows[0].human_value == "06103"
    with sqlite3.connect(results_db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    SqliteSink(results_db).close()  # the line can still open and write the file


def test_stats_count_reject_rates_and_agreement(results_db: Path) -> None:
    store = ReviewStore(results_db)
    rows = _results(results_db)
    rates = stats.reject_rates(store, "day")
    assert sum(r.total for r in rates) == len(rows)
    assert sum(r.rejected for r in rates) == sum(1 for _, d, _, _ in rows if d == "reject")
    first, second = [item.piece_id for item in store.queue()][:2]
    machine = store.piece(first).result
    _review(store, first, zip=machine.address.zip5, postage=machine.postage.kind, damage=machine.damage.kind)
    _review(store, second, zip="99999", postage="permit", damage="crushed")
    by_field = {a.field: a for a in stats.agreement(store)}
    assert by_field["zip"].reviewed == 2 and by_field["zip"].agreed == 1 and by_field["zip"].rate == 0.5
    assert any(change.endswith("→ 99999") for change in by_field["zip"].changes)
    page = TestClient(create_app(store)).get("/stats")
    assert page.status_code == 200 and 'data-field="zip"' in page.text and "50%" in page.text


@pytest.mark.parametrize("reason", ["no_postage", "damaged"])
def test_the_desk_filters_by_reason(results_db: Path, reason: str) -> None:
    store = ReviewStore(results_db)
    expected = [i.piece_id for i in store.queue(reason)]
    client = TestClient(create_app(store))
    listed = client.get("/api/queue", params={"reason": reason}).json()["items"]
    assert [item["piece_id"] for item in listed] == expected
    page = client.get("/", params={"reason": reason}).text
    assert all(f'data-piece="{p}"' in page for p in expected)
    others = {i.piece_id for i in store.queue()} - set(expected)
    assert not any(f'href="/piece/{p}' in page for p in others)
    assert client.get("/", params={"reason": "bogus"}).status_code == 422


def test_a_database_without_results_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with pytest.raises(ValueError, match="results"):
        ReviewStore(empty)
    with pytest.raises(FileNotFoundError):
        ReviewStore(tmp_path / "missing.db")
