"""Photometric augmentation: params drawn only from the given generator, applied deterministically."""

from __future__ import annotations

import numpy as np
import torch

from mailpiece.models.augment import AugmentParams, apply_augment, sample_augment


def _image() -> torch.Tensor:
    rng = np.random.default_rng(3)
    return torch.from_numpy(rng.integers(0, 256, size=(3, 48, 96), dtype=np.uint8))


def test_neutral_params_leave_the_image_alone() -> None:
    img = _image()
    assert torch.equal(apply_augment(img, AugmentParams()), img)


def test_strength_zero_samples_neutral_params() -> None:
    params = sample_augment(np.random.default_rng(0), strength=0.0)
    assert params == AugmentParams(noise_seed=params.noise_seed)


def test_same_generator_state_gives_the_same_result() -> None:
    a = apply_augment(_image(), sample_augment(np.random.default_rng(42)))
    b = apply_augment(_image(), sample_augment(np.random.default_rng(42)))
    assert torch.equal(a, b)


def test_global_random_state_is_not_used() -> None:
    np.random.seed(1)
    torch.manual_seed(1)
    a = apply_augment(_image(), sample_augment(np.random.default_rng(5)))
    np.random.seed(2)
    torch.manual_seed(2)
    b = apply_augment(_image(), sample_augment(np.random.default_rng(5)))
    assert torch.equal(a, b)


def test_training_strength_changes_pixels_and_keeps_the_format() -> None:
    rng = np.random.default_rng(7)
    img = _image()
    changed = 0
    for _ in range(10):
        out = apply_augment(img, sample_augment(rng))
        assert out.shape == img.shape and out.dtype == torch.uint8
        changed += int(not torch.equal(out, img))
    assert changed == 10


def test_greyscale_makes_channels_equal() -> None:
    grey = apply_augment(_image(), AugmentParams(greyscale=True))
    assert torch.equal(grey[0], grey[1]) and torch.equal(grey[1], grey[2])


def test_low_resolution_blurs_fine_detail_but_keeps_the_mean() -> None:
    img = _image()
    low = apply_augment(img, AugmentParams(resolution=0.25))
    assert low.float().std() < img.float().std() * 0.6
    assert abs(low.float().mean() - img.float().mean()) < 3


def test_uneven_light_falls_off_away_from_its_bright_spot() -> None:
    img = torch.full((3, 64, 128), 200, dtype=torch.uint8)
    shaded = apply_augment(img, AugmentParams(shading=(0.0, 0.0, 0.6, 2.0)))  # the spot at the top left
    assert shaded.shape == img.shape and shaded.dtype == torch.uint8
    assert int(shaded[0, 0, 0]) == 200, "the bright spot keeps its exposure"
    row = shaded[0, 32].float()
    assert bool((row[1:] <= row[:-1]).all()) and row[-1] < 160, "darker further from the spot"
    draws = [sample_augment(np.random.default_rng(seed)).shading for seed in range(200)]
    assert 40 < sum(d is not None for d in draws) < 100, "about a third of samples"
