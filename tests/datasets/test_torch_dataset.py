"""Piece samples for the CNN: cut along the labelled quad, jittered, turned, letterboxed, reproducible."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from mailpiece.datasets.torch_dataset import (
    PieceFolderDataset,
    PieceMix,
    PieceRecord,
    SampleAugment,
    class_weights,
    cut_piece,
    jitter_quad,
    make_sample,
    read_records,
)
from mailpiece.models.preprocess import PreprocessConfig

PRE = PreprocessConfig(input_size=(64, 128))
EXACT = SampleAugment(quad_jitter=0.0, scale_jitter=0.0, photometric=0.0, flip=False)


def _piece() -> np.ndarray:
    """A 300x140 BGR piece: cream paper, red 'stamp' top right, dark 'address' bars in the middle."""
    piece = np.full((140, 300, 3), (200, 230, 240), np.uint8)
    piece[10:50, 240:290] = (0, 0, 220)
    piece[70:80, 90:210] = 40
    piece[90:100, 90:190] = 40
    return piece


def _frame_with(piece: np.ndarray, upside_down: bool) -> tuple[np.ndarray, np.ndarray]:
    """The piece warped into a 480x640 grey frame; returns the frame and the upright TL,TR,BR,BL quad."""
    h, w = piece.shape[:2]
    quad = np.array([[150, 120], [470, 150], [455, 300], [140, 280]], np.float32)
    if upside_down:
        quad = quad[[2, 3, 0, 1]]  # the piece lies turned: its upright top-left is the frame's bottom right
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    frame = cv2.warpPerspective(
        piece,
        cv2.getPerspectiveTransform(src, quad),
        (640, 480),
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(60, 60, 60),
    )
    return frame, quad


@pytest.mark.parametrize("upside_down", [False, True])
def test_cutting_along_the_exact_quad_gives_the_upright_piece_back(upside_down: bool) -> None:
    piece = _piece()
    frame, quad = _frame_with(piece, upside_down)
    cut = cut_piece(frame, quad)
    back = cv2.resize(cut, (300, 140), interpolation=cv2.INTER_AREA)
    assert np.abs(back.astype(int) - piece.astype(int)).mean() < 12
    assert back[15:45, 245:285, 2].mean() > 180  # the stamp is top right again


def test_jitter_stays_within_its_bounds_and_follows_the_generator() -> None:
    quad = np.array([[0, 0], [400, 0], [400, 200], [0, 200]], np.float64)
    aug = SampleAugment(quad_jitter=0.04, scale_jitter=0.04)
    moved = [jitter_quad(quad, np.random.default_rng(i), aug) for i in range(200)]
    worst = np.max([np.abs(m - quad) for m in moved], axis=0)
    assert worst[:, 0].max() <= 400 * (0.04 + 0.04 / 2 + 0.04 * 0.55) + 1e-6
    assert worst[:, 0].max() > 400 * 0.02  # it does move
    assert np.array_equal(
        jitter_quad(quad, np.random.default_rng(9), aug), jitter_quad(quad, np.random.default_rng(9), aug)
    )


def test_a_sample_is_letterboxed_and_labelled() -> None:
    frame, quad = _frame_with(_piece(), upside_down=False)
    record = PieceRecord(image=Path("x.png"), quad=tuple(map(tuple, quad)), postage="meter", damage="torn")
    image, targets = make_sample(frame, record, np.random.default_rng(0), EXACT, PRE)
    assert image.shape == (3, 64, 128) and image.dtype == torch.uint8
    assert targets == {"postage": 1, "damage": 1, "orientation": 0}
    assert image[0, 5:20, 105:122].float().mean() > 180  # red channel (RGB) high where the stamp is


def test_flipped_samples_are_turned_and_labelled_upside_down() -> None:
    frame, quad = _frame_with(_piece(), upside_down=False)
    record = PieceRecord(image=Path("x.png"), quad=tuple(map(tuple, quad)), postage="stamp", damage="none")
    flipping = SampleAugment(quad_jitter=0.0, scale_jitter=0.0, photometric=0.0, flip=True)
    labels = set()
    for seed in range(12):
        image, targets = make_sample(frame, record, np.random.default_rng(seed), flipping, PRE)
        turned = targets["orientation"] == 1
        labels.add(turned)
        red = image[0].float() - image[2].float()  # the stamp is the only red thing on the piece
        top_right, bottom_left = red[5:22, 104:124].mean(), red[42:59, 4:24].mean()
        assert (bottom_left > 80 > top_right) if turned else (top_right > 80 > bottom_left)
    assert labels == {True, False}


def _write_folder(root: Path, rows: int) -> None:
    frame, quad = _frame_with(_piece(), upside_down=False)
    (root / "frames").mkdir(parents=True)
    kinds = [("stamp", "none"), ("none", "stained"), ("permit", "none"), ("meter", "crushed")]
    with open(root / "labels.jsonl", "w") as fh:
        for i in range(rows):
            cv2.imwrite(str(root / "frames" / f"f{i}.png"), frame)
            postage, damage = kinds[i % len(kinds)]
            # the review desk exports only what it corrects: no seed, no address, no sizes
            fh.write(
                json.dumps(
                    {
                        "image": f"frames/f{i}.png",
                        "piece_quad": quad.tolist(),
                        "postage": {"kind": postage},
                        "damage": {"kind": damage, "severity": 0.5},
                    }
                )
                + "\n"
            )


def test_folder_dataset_reads_minimal_labels_and_repeats_per_seed_and_epoch(tmp_path: Path) -> None:
    _write_folder(tmp_path, 4)
    assert [r.postage for r in read_records(tmp_path)] == ["stamp", "none", "permit", "meter"]
    ds = PieceFolderDataset(tmp_path, seed=1, preprocess=PRE)
    a, ta = ds[1]
    b, tb = ds[1]
    assert torch.equal(a, b) and ta == tb and ta["postage"] == 3 and ta["damage"] == 3
    ds.set_epoch(2)
    c, _ = ds[1]
    assert not torch.equal(a, c)  # a new epoch draws new augmentation


def test_mixed_sources_batch_together_and_weights_lift_rare_classes(tmp_path: Path) -> None:
    _write_folder(tmp_path / "a", 4)
    _write_folder(tmp_path / "b", 2)
    mix = PieceMix(
        [
            PieceFolderDataset(tmp_path / "a", preprocess=PRE),
            PieceFolderDataset(tmp_path / "b", preprocess=PRE),
        ]
    )
    mix.set_epoch(1)
    images, targets = next(iter(DataLoader(mix, batch_size=6)))
    assert images.shape == (6, 3, 64, 128) and targets["postage"].tolist() == [0, 3, 2, 1, 0, 3]
    w = class_weights(mix.classes())
    assert w["postage"].shape == (4,) and w["damage"].shape == (5,)
    damage = dict(zip(("none", "torn", "creased", "stained", "crushed"), w["damage"].tolist(), strict=True))
    assert damage["crushed"] > damage["none"] and damage["torn"] == 1.0  # absent class: weight 1


def test_an_unreadable_frame_is_a_clear_error(tmp_path: Path) -> None:
    _write_folder(tmp_path, 1)
    (tmp_path / "frames" / "f0.png").write_bytes(b"not a png")
    with pytest.raises(FileNotFoundError, match="cannot read frame"):
        PieceFolderDataset(tmp_path, preprocess=PRE)[0]
