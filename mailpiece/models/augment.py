"""Photometric augmentation of letterboxed pieces: other cameras, lighting, optics and compression.

Sampling is split from applying (torchvision style): ``sample_augment`` draws every random choice from
the ``np.random.Generator`` it is given, and ``apply_augment`` is a pure function of image and params.
Geometry (piece location jitter, perspective, crop, 180° turn) and JPEG re-encoding are done where the
piece is cut out of the frame, at camera resolution, in ``mailpiece.datasets.torch_dataset``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
import torchvision.transforms.v2.functional as TF


@dataclass(frozen=True, kw_only=True)
class AugmentParams:
    """One sample's photometric changes; neutral values leave the image as it was."""

    resolution: float = 1.0  # < 1: downscale then upscale back (a lower-resolution camera)
    gains: tuple[float, float, float] = (1.0, 1.0, 1.0)  # per-channel white balance
    brightness: float = 1.0
    contrast: float = 1.0
    saturation: float = 1.0
    hue: float = 0.0
    gamma: float = 1.0
    greyscale: bool = False
    blur_sigma: float = 0.0
    noise_std: float = 0.0
    noise_seed: int = 0
    # Uneven light (a lamp off centre, a lens's vignetting): the exposure falls off with the distance r
    # from a bright spot as 1 - depth * (r / diagonal) ** power. (centre x, centre y as shares of the
    # image, depth, power); None: even light.
    shading: tuple[float, float, float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def sample_augment(rng: np.random.Generator, strength: float = 1.0) -> AugmentParams:
    """Random photometric changes; ``strength`` 0 gives neutral params, 1 the training default."""
    s = float(strength)

    def spread(width: float) -> float:
        return float(1.0 + rng.uniform(-width, width) * s)

    def chance(p: float) -> bool:
        return bool(rng.random() < p * s)

    return AugmentParams(
        resolution=float(rng.uniform(0.35, 0.9)) if chance(0.3) else 1.0,
        gains=(spread(0.15), spread(0.15), spread(0.15)),
        brightness=spread(0.4),
        contrast=spread(0.4),
        saturation=spread(0.5),
        hue=float(rng.uniform(-0.12, 0.12)) if chance(0.5) else 0.0,
        gamma=float(np.exp(rng.uniform(-0.35, 0.35) * s)),
        greyscale=chance(0.1),
        blur_sigma=float(rng.uniform(0.3, 1.6)) if chance(0.3) else 0.0,
        noise_std=float(rng.uniform(1.0, 10.0)) if chance(0.4) else 0.0,
        noise_seed=int(rng.integers(0, 2**31 - 1)),
        shading=_sample_shading(rng) if chance(0.35) else None,
    )


def _sample_shading(rng: np.random.Generator) -> tuple[float, float, float, float]:
    centre = rng.uniform(-0.2, 1.2, size=2)  # the bright spot may lie off the piece
    return float(centre[0]), float(centre[1]), float(rng.uniform(0.2, 0.75)), float(rng.uniform(1.0, 3.0))


def _shade(image: torch.Tensor, shading: tuple[float, float, float, float]) -> torch.Tensor:
    cx, cy, depth, power = shading
    _, h, w = image.shape
    y = (torch.arange(h, dtype=torch.float32) / max(h - 1, 1) - cy) * h
    x = (torch.arange(w, dtype=torch.float32) / max(w - 1, 1) - cx) * w
    r = torch.sqrt(y[:, None] ** 2 + x[None, :] ** 2) / float(np.hypot(h, w))
    gain = (1.0 - depth * r.clamp(max=1.0) ** power).clamp(min=0.05)
    return (image.float() * gain).clamp(0, 255).round().to(torch.uint8)


def _degrade_resolution(image: torch.Tensor, factor: float) -> torch.Tensor:
    _, h, w = image.shape
    small = (max(2, round(h * factor)), max(2, round(w * factor)))
    x = F.interpolate(image[None].float(), size=small, mode="bilinear", antialias=True, align_corners=False)
    return F.interpolate(x, size=(h, w), mode="bilinear", align_corners=False)[0]


def apply_augment(image: torch.Tensor, params: AugmentParams) -> torch.Tensor:
    """Apply ``params`` to a 3xHxW RGB uint8 image; returns a new uint8 image of the same shape."""
    x = image.float()
    if params.resolution < 1.0:
        x = _degrade_resolution(x, params.resolution)
    x = x * torch.tensor(params.gains, dtype=torch.float32).view(3, 1, 1)
    x = x.clamp(0, 255).round().to(torch.uint8)
    x = TF.adjust_brightness(x, params.brightness)
    x = TF.adjust_contrast(x, params.contrast)
    x = TF.adjust_saturation(x, params.saturation)
    if params.hue:
        x = TF.adjust_hue(x, params.hue)
    if params.gamma != 1.0:
        x = TF.adjust_gamma(x, params.gamma)
    if params.shading is not None:
        x = _shade(x, params.shading)
    if params.greyscale:
        x = TF.rgb_to_grayscale(x, num_output_channels=3)
    if params.blur_sigma > 0:
        k = 2 * int(np.ceil(2.5 * params.blur_sigma)) + 1
        x = TF.gaussian_blur(x, kernel_size=[k, k], sigma=[params.blur_sigma, params.blur_sigma])
    if params.noise_std > 0:
        noise = torch.randn(x.shape, generator=torch.Generator().manual_seed(params.noise_seed))
        x = (x.float() + noise * params.noise_std).clamp(0, 255).round().to(torch.uint8)
    return x
