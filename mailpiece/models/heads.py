"""The classification heads shared by every backbone: postage kind, damage kind and orientation.

Class names live here as the training defaults; a checkpoint carries its own copy, which is what
inference reads.
"""

from __future__ import annotations

import torch
from torch import nn

# Kept equal to mailpiece.inspect.result's POSTAGE_KINDS / DAMAGE_KINDS (a test checks); models may not
# import inspect, so the names are restated rather than imported.
POSTAGE_CLASSES: tuple[str, ...] = ("stamp", "meter", "permit", "none")
DAMAGE_CLASSES: tuple[str, ...] = ("none", "torn", "creased", "stained", "crushed")
ORIENTATION_CLASSES: tuple[str, ...] = ("upright", "upside_down")

HEAD_CLASSES: dict[str, tuple[str, ...]] = {
    "postage": POSTAGE_CLASSES,
    "damage": DAMAGE_CLASSES,
    "orientation": ORIENTATION_CLASSES,
}


class PieceHeads(nn.Module):
    """Turns a backbone's feature map into one logit vector per head.

    The map is squeezed to a few channels and pooled onto a coarse grid (not a single global average),
    so the heads can tell where things are: postage top right versus bottom left is the facing cue.
    """

    def __init__(
        self,
        in_channels: int,
        head_classes: dict[str, tuple[str, ...]],
        *,
        squeeze_channels: int = 128,
        grid: tuple[int, int] = (2, 4),
        hidden: int = 256,
        dropout: float = 0.2,
    ) -> None:
        super().__init__()
        self.squeeze = nn.Sequential(
            nn.Conv2d(in_channels, squeeze_channels, kernel_size=1, bias=False),
            nn.BatchNorm2d(squeeze_channels),
            nn.Hardswish(),
        )
        self.pool = nn.AdaptiveAvgPool2d(grid)
        self.neck = nn.Sequential(
            nn.Flatten(),
            nn.Linear(squeeze_channels * grid[0] * grid[1] + in_channels, hidden),
            nn.Hardswish(),
            nn.Dropout(dropout),
        )
        self.heads = nn.ModuleDict({name: nn.Linear(hidden, len(c)) for name, c in head_classes.items()})

    def forward(self, features: torch.Tensor) -> dict[str, torch.Tensor]:
        gridded = self.pool(self.squeeze(features)).flatten(1)
        pooled = features.mean(dim=(2, 3))  # the global view keeps every backbone channel
        shared = self.neck(torch.cat([gridded, pooled], dim=1))
        return {name: head(shared) for name, head in self.heads.items()}


class FeaturesWithHeads(nn.Module):
    """A convolutional feature extractor (a torchvision ``.features`` stack) followed by the piece heads."""

    def __init__(self, features: nn.Module, feature_channels: int, head_classes: dict[str, tuple[str, ...]]):
        super().__init__()
        self.features = features
        self.heads = PieceHeads(feature_channels, head_classes)

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        return self.heads(self.features(x))
