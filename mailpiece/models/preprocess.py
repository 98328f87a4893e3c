"""Turning a faced piece image into the model's input: letterbox to a fixed size, then normalise.

The numbers (input size, mean, std, pad value) come from the checkpoint; training and inference both
go through these functions, so the model sees the same pixels in both.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

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


def bgr_to_tensor(piece: np.ndarray, device: torch.device | str = "cpu") -> torch.Tensor:
    """An OpenCV-style image (HxW grey, HxWx3 BGR or HxWx4 BGRA, uint8) as a 3xHxW RGB uint8 tensor."""
    if not isinstance(piece, np.ndarray) or piece.dtype != np.uint8:
        raise ValueError("a piece must be a uint8 numpy array")
    if piece.ndim == 2:
        piece = np.repeat(piece[:, :, None], 3, axis=2)
    if piece.ndim != 3 or piece.shape[2] not in (3, 4) or min(piece.shape[:2]) < 2:
        raise ValueError(f"a piece must be HxW, HxWx3 or HxWx4 and at least 2x2, got shape {piece.shape}")
    rgb = np.ascontiguousarray(piece[:, :, 2::-1])
    return torch.from_numpy(rgb).to(device).permute(2, 0, 1)


def letterbox(image: torch.Tensor, size: tuple[int, int], pad_value: int) -> torch.Tensor:
    """Resize a 3xHxW uint8 image to fit ``size`` keeping its aspect (antialiased), centred on grey."""
    _, h, w = image.shape
    out_h, out_w = size
    scale = min(out_h / h, out_w / w)
    new_h, new_w = max(1, min(out_h, round(h * scale))), max(1, min(out_w, round(w * scale)))
    resized = F.interpolate(
        image[None].float(), size=(new_h, new_w), mode="bilinear", antialias=True, align_corners=False
    )[0]
    canvas = torch.full((3, out_h, out_w), float(pad_value), dtype=torch.float32, device=image.device)
    top, left = (out_h - new_h) // 2, (out_w - new_w) // 2
    canvas[:, top : top + new_h, left : left + new_w] = resized
    return canvas.round_().clamp_(0, 255).to(torch.uint8)


class Preprocess:
    """The checkpoint's preprocessing: letterbox pieces and normalise batches, on the caller's device."""

    def __init__(self, config: PreprocessConfig) -> None:
        self.config = config
        self._mean = torch.tensor(config.mean).view(1, 3, 1, 1) * 255.0
        self._std = torch.tensor(config.std).view(1, 3, 1, 1) * 255.0

    def letterbox_piece(self, piece: np.ndarray, device: torch.device | str = "cpu") -> torch.Tensor:
        """One BGR piece image as the 3xHxW RGB uint8 letterbox the model was trained on."""
        return letterbox(bgr_to_tensor(piece, device), self.config.input_size, self.config.pad_value)

    def normalise(self, batch: torch.Tensor) -> torch.Tensor:
        """A Nx3xHxW uint8 batch as float32, shifted and scaled by the checkpoint's mean and std."""
        mean, std = self._mean.to(batch.device), self._std.to(batch.device)
        return (batch.float() - mean) / std

    def __call__(self, pieces: list[np.ndarray], device: torch.device | str = "cpu") -> torch.Tensor:
        """BGR piece images of any sizes as one normalised Nx3xHxW batch on ``device``."""
        if not pieces:
            raise ValueError("no pieces to preprocess")
        return self.normalise(torch.stack([self.letterbox_piece(p, device) for p in pieces]))
