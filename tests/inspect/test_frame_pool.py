"""FramePool: frames inspected by worker processes come back in order, as one process reads them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from mailpiece.inspect.frame_pool import FramePool, InspectorOptions, cpu_cores


@pytest.fixture(scope="module")
def frames(tmp_path_factory) -> list[Path]:
    from mailpiece.datasets.writer import write_dataset

    out = tmp_path_factory.mktemp("pool")
    write_dataset(out, 4, seed=33, progress=False)
    broken = out / "frames" / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 not a jpeg")
    return [*sorted((out / "frames").glob("piece_*.jpg")), broken]


def _without_timings(result):
    return replace(result, timings_ms={})


def test_workers_give_the_results_of_one_process_in_input_order(frames: list[Path]) -> None:
    options = InspectorOptions(ocr_engine="tesserocr")
    order = [frames[2], frames[4], frames[0], frames[3], frames[1]]
    with FramePool(options) as one:
        alone = list(one.inspect(order))
    with FramePool(options, workers=2) as pool:
        assert pool.model_name == one.model_name and pool.model_name is not None
        assert pool.cnn_thresholds == one.cnn_thresholds
        pooled = list(pool.inspect(order))
    assert [r.piece_id for r in pooled] == [path.stem for path in order]
    assert [_without_timings(r) for r in pooled] == [_without_timings(r) for r in alone]
    assert pooled[1].reasons == ("bad_image",)  # a bad frame is a record from a worker too
    assert all(r.model == one.model_name for r in pooled if r.reasons != ("bad_image",))


def test_a_pool_needs_a_worker_and_its_with_block(frames: list[Path]) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        FramePool(InspectorOptions(cnn=False), workers=0)
    with pytest.raises(RuntimeError, match="with"):
        FramePool(InspectorOptions(cnn=False), workers=2).inspect(frames)
    assert cpu_cores() >= 1
