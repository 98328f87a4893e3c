"""Turning a faced piece image into the model's input: letterbox to a fixed size, then normalise.

The numbers (input size, mean, std, pad value) come from the checkpoint; training and inference both
go through these functions, so the model sees the same pixels in both.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
import torchvision.transforms.v2.functional as TF

IMAGENET_MEAN: tuple[float, float, float] = (0.485, 0.456, 0.406)
IMAGENET_STD: tuple[float, float, float] = (0.229, 0.224, 0.225)


@dataclass(frozen=True, kw_only=True)
class PreprocessConfig:
    """How a piece becomes a tensor: (height, width) of the letterbox, RGB mean/std on 0-1, pad grey."""

    input_size: tuple[int, int] = (192, 384)
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD
    pad_value: int = 114

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PreprocessConfig:
        return cls(
            input_size=(int(d["input_size"][0]), int(d["input_size"][1])),
            mean=tuple(float(v) for v in d["mean"]),
            std=tuple(float(v) for v in d["std"]),
            pad_value=int(d["pad_value"]),
        )


def bgr_view(piece: np.ndarray) -> torch.Tensor:
    """An OpenCV-style image (HxW grey, HxWx3 BGR or HxWx4 BGRA, uint8) as a 3xHxW BGR uint8 view, no copy."""
    if not isinstance(piece, np.ndarray) or piece.dtype != np.uint8:
        raise ValueError("a piece must be a uint8 numpy array")
    if (
        piece.ndim not in (2, 3)
        or (piece.ndim == 3 and piece.shape[2] not in (3, 4))
        or min(piece.shape[:2]) < 2
    ):
        raise ValueError(f"a piece must be HxW, HxWx3 or HxWx4 and at least 2x2, got shape {piece.shape}")
    if any(stride < 0 for stride in piece.strides):  # e.g. a flipped view: torch needs positive strides
        piece = np.ascontiguousarray(piece)
    if piece.ndim == 2:
        return torch.from_numpy(piece).expand(3, *piece.shape)
    return torch.from_numpy(piece).permute(2, 0, 1)[:3]


def bgr_to_tensor(piece: np.ndarray, device: torch.device | str = "cpu") -> torch.Tensor:
    """An OpenCV-style image as a 3xHxW RGB uint8 tensor."""
    return bgr_view(piece).to(device).flip(0)


def fitted_size(shape: tuple[int, int], size: tuple[int, int]) -> tuple[int, int]:
    """(height, width) of an image of ``shape`` (h, w) resized to fit ``size`` keeping its aspect."""
    (h, w), (out_h, out_w) = shape, size
    scale = min(out_h / h, out_w / w)
    return max(1, min(out_h, round(h * scale))), max(1, min(out_w, round(w * scale)))


def turned_letterbox(canvas: torch.Tensor, shape: tuple[int, int], size: tuple[int, int]) -> torch.Tensor:
    """The letterbox of an image of ``shape`` turned 180°, from its letterbox ``canvas`` (...xHxW) alone.

    Turning the canvas puts the picture's odd pad row (or column) on the other side; one roll puts it
    back, so this is ``letterbox`` of the turned image up to the resize's rounding, at a fraction of the
    cost of resizing the full-size image again.
    """
    new_h, new_w = fitted_size(shape, size)
    shifts = (-((size[0] - new_h) % 2), -((size[1] - new_w) % 2))
    return canvas.flip(-2, -1).roll(shifts, dims=(-2, -1))


def letterbox(image: torch.Tensor, size: tuple[int, int], pad_value: int) -> torch.Tensor:
    """Resize a 3xHxW uint8 image to fit ``size`` keeping its aspect (antialiased), centred on grey."""
    _, h, w = image.shape
    out_h, out_w = size
    new_h, new_w = fitted_size((h, w), size)
    # uint8 bilinear with antialias: torchvision's fast path, several times quicker than on floats
    resized = TF.resize(image, [new_h, new_w], interpolation=TF.InterpolationMode.BILINEAR, antialias=True)
    canvas = torch.full((3, out_h, out_w), pad_value, dtype=torch.uint8, device=image.device)
    top, left = (out_h - new_h) // 2, (out_w - new_w) // 2
    canvas[:, top : top + new_h, left : left + new_w] = resized
    return canvas


def letterbox_bgr(
    piece: np.ndarray, config: PreprocessConfig, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """One BGR piece image as the 3xHxW RGB uint8 letterbox the model sees (training and inference)."""
    # letterbox the BGR view, then swap channels on the small image: no full-size copy
    return letterbox(bgr_view(piece).to(device), config.input_size, config.pad_value).flip(0)


class Preprocess:
    """The checkpoint's preprocessing: letterbox pieces and normalise batches, on the caller's device."""

    def __init__(self, config: PreprocessConfig) -> None:
        self.config = config
        self._mean = torch.tensor(config.mean).view(1, 3, 1, 1) * 255.0
        self._std = torch.tensor(config.std).view(1, 3, 1, 1) * 255.0

    def letterbox_piece(self, piece: np.ndarray, device: torch.device | str = "cpu") -> torch.Tensor:
        """One BGR piece image as the 3xHxW RGB uint8 letterbox the model was trained on."""
        return letterbox_bgr(piece, self.config, device)

    def normalise(self, batch: torch.Tensor) -> torch.Tensor:
        """A Nx3xHxW uint8 batch as float32, shifted and scaled by the checkpoint's mean and std."""
        mean, std = self._mean.to(batch.device), self._std.to(batch.device)
        return (batch.float() - mean) / std

    def __call__(self, pieces: list[np.ndarray], device: torch.device | str = "cpu") -> torch.Tensor:
        """BGR piece images of any sizes as one normalised Nx3xHxW batch on ``device``."""
        if not pieces:
            raise ValueError("no pieces to preprocess")
        return self.normalise(torch.stack([self.letterbox_piece(p, device) for p in pieces]))
