"""export-labels: reviewed pieces become a dataset folder the CNN's loader reads; pieces without an image
are left out and said so."""

from __future__ import annotations

import json
from pathlib import Path

from mailpiece.datasets.torch_dataset import PieceFolderDataset, read_records
from mailpiece.inspect.result import Result
from mailpiece.models.preprocess import PreprocessConfig
from mailpiece.pipelines.records import PieceRecord
from mailpiece.pipelines.sqlite_sink import SqliteSink
from mailpiece.review.corrections import Review
from mailpiece.review.export import export_labels
from mailpiece.review.store import ReviewStore


def test_export_writes_what_the_loader_reads_and_skips_pieces_without_an_image(
    results_db: Path, tmp_path: Path
) -> None:
    reviewed = [item.piece_id for item in ReviewStore(results_db).queue()][:2]
    sink = SqliteSink(results_db)
    lost = Result(piece_id="cam/1:lost", source="video:belt#7", decision="reject", bin="R01",
                  reasons=("bad_image",))  # fmt: skip
    sink.write([PieceRecord(result=lost, image_path=None)])
    sink.close()
    store = ReviewStore(results_db)
    for piece_id in [*reviewed, "cam/1:lost"]:
        machine = store.piece(piece_id).result
        store.record_review(Review(piece_id=piece_id, zip=None, postage="permit", damage="none"), machine)

    summary = export_labels(store, tmp_path / "out")
    assert summary.exported == 2 and summary.skipped == {"no readable image": 1}
    records = read_records(tmp_path / "out")
    assert [r.postage for r in records] == ["permit", "permit"] and all(r.image.is_file() for r in records)
    lines = [json.loads(line) for line in (tmp_path / "out" / "labels.jsonl").read_text().splitlines()]
    assert all(line["address"] is None and line["sortable"] is False for line in lines)
    image, targets = PieceFolderDataset(tmp_path / "out", preprocess=PreprocessConfig(input_size=(48, 96)))[0]
    assert tuple(image.shape) == (3, 48, 96) and targets["postage"] >= 0

    store.record_review(Review(piece_id=reviewed[0], zip="10001", postage="stamp", damage="torn"),
                        store.piece(reviewed[0]).result)  # fmt: skip
    export_labels(store, tmp_path / "out")  # a second export rewrites the labels with the latest review
    again = {r.image.stem: (r.postage, r.damage) for r in read_records(tmp_path / "out")}
    assert again[reviewed[0]] == ("stamp", "torn") and len(again) == 2


def test_piece_ids_that_read_as_one_file_name_export_as_two_frames(results_db: Path, tmp_path: Path) -> None:
    # "a b" and "a_b" are two pieces, but both are "a_b" as a file name: neither may overwrite the other.
    store = ReviewStore(results_db)
    some = store.piece(store.queue()[0].piece_id)
    sink = SqliteSink(results_db)
    for piece_id in ("a b", "a_b", "x~2"):
        result = Result.from_dict({**some.result.to_dict(), "piece_id": piece_id})
        sink.write([PieceRecord(result=result, image_path=some.image_path)])
    sink.close()
    store = ReviewStore(results_db)
    for piece_id in ("a b", "a_b", "x~2"):
        store.record_review(Review(piece_id=piece_id, zip=None, postage="stamp", damage="none"),
                            store.piece(piece_id).result)  # fmt: skip
    summary = export_labels(store, tmp_path / "out")
    images = sorted(r.image.stem for r in read_records(tmp_path / "out"))
    assert summary.exported == 3 and images == ["a_b", "a_b~2", "x~2"]
