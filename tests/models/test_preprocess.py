"""Letterboxing and normalisation: the pixels the model sees in training and in service."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mailpiece.models.preprocess import (
    Preprocess,
    PreprocessConfig,
    bgr_to_tensor,
    letterbox,
    letterbox_bgr,
    turned_letterbox,
)


def test_bgr_becomes_rgb_channels_first() -> None:
    piece = np.zeros((4, 6, 3), np.uint8)
    piece[:, :, 0] = 10  # blue
    piece[:, :, 2] = 200  # red
    t = bgr_to_tensor(piece)
    assert t.shape == (3, 4, 6) and t.dtype == torch.uint8
    assert t[0].unique().tolist() == [200] and t[2].unique().tolist() == [10]


def test_grey_and_bgra_pieces_are_accepted() -> None:
    assert bgr_to_tensor(np.full((5, 7), 9, np.uint8)).shape == (3, 5, 7)
    assert bgr_to_tensor(np.zeros((5, 7, 4), np.uint8)).shape == (3, 5, 7)


@pytest.mark.parametrize(
    "bad",
    [np.zeros((5, 7, 3), np.float32), np.zeros((1, 7, 3), np.uint8), np.zeros((5, 7, 2), np.uint8), "x"],
)
def test_unusable_pieces_are_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        bgr_to_tensor(bad)  # type: ignore[arg-type]


def test_letterbox_keeps_the_aspect_and_pads_with_grey() -> None:
    wide = torch.full((3, 100, 400), 255, dtype=torch.uint8)  # 4:1 into a 2:1 box
    out = letterbox(wide, (96, 192), pad_value=114)
    assert out.shape == (3, 96, 192) and out.dtype == torch.uint8
    rows = (out[0] == 255).any(dim=1).nonzero().flatten()
    assert rows.min() == 24 and rows.max() == 71  # 48 rows of piece, centred
    assert (out[:, :24] == 114).all() and (out[:, 72:] == 114).all()
    assert (out[:, 24:72] == 255).all()


def test_letterbox_of_a_tall_piece_pads_the_sides() -> None:
    tall = torch.zeros((3, 300, 100), dtype=torch.uint8)
    out = letterbox(tall, (96, 192), pad_value=50)
    cols = (out[0] == 0).any(dim=0).nonzero().flatten()
    assert cols.min() == 80 and cols.max() == 111


def test_preprocess_normalises_with_the_configured_numbers() -> None:
    cfg = PreprocessConfig(input_size=(32, 64), mean=(0.5, 0.5, 0.5), std=(0.25, 0.5, 1.0), pad_value=0)
    batch = Preprocess(cfg)([np.full((32, 64, 3), 255, np.uint8), np.zeros((16, 32, 3), np.uint8)])
    assert batch.shape == (2, 3, 32, 64) and batch.dtype == torch.float32
    torch.testing.assert_close(batch[0, :, 0, 0], torch.tensor([2.0, 1.0, 0.5]))
    torch.testing.assert_close(batch[1, :, 0, 0], torch.tensor([-2.0, -1.0, -0.5]))


def test_config_round_trips_through_a_dict() -> None:
    cfg = PreprocessConfig(input_size=(100, 300), mean=(0.1, 0.2, 0.3), std=(0.4, 0.5, 0.6), pad_value=7)
    assert PreprocessConfig.from_dict(cfg.to_dict()) == cfg


def test_an_empty_batch_is_an_error() -> None:
    with pytest.raises(ValueError):
        Preprocess(PreprocessConfig())([])


def test_flipped_views_and_bgr_letterbox_match_the_copy() -> None:
    rng = np.random.default_rng(0)
    piece = rng.integers(0, 256, size=(60, 150, 3), dtype=np.uint8)
    cfg = PreprocessConfig(input_size=(32, 64))
    turned = piece[::-1, ::-1]
    from_view = letterbox_bgr(turned, cfg)
    from_copy = letterbox(bgr_to_tensor(np.ascontiguousarray(turned)), cfg.input_size, cfg.pad_value)
    assert torch.equal(from_view, from_copy)


@pytest.mark.parametrize("shape", [(100, 200), (101, 200), (100, 203), (61, 333), (300, 97), (64, 128)])
def test_turning_a_letterbox_is_letterboxing_the_turned_piece(shape: tuple[int, int]) -> None:
    config = PreprocessConfig(input_size=(64, 128))
    piece = np.random.default_rng(1).integers(0, 256, size=(*shape, 3), dtype=np.uint8)
    turned = letterbox_bgr(np.ascontiguousarray(piece[::-1, ::-1]), config)
    assert torch.equal(turned_letterbox(letterbox_bgr(piece, config), shape, config.input_size), turned)
