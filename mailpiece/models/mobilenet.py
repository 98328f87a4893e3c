"""MobileNetV3 backbones (torchvision, random init) with the piece heads: the default, cheap on one core."""

from __future__ import annotations

import torch
from torch import nn
from torchvision.models import mobilenet_v3_large, mobilenet_v3_small

from mailpiece.models.heads import HEAD_CLASSES, PieceHeads


class MobileNetV3Piece(nn.Module):
    """MobileNetV3 feature extractor followed by the postage, damage and orientation heads."""

    def __init__(self, features: nn.Module, feature_channels: int, head_classes: dict[str, tuple[str, ...]]):
        super().__init__()
        self.features = features
        self.heads = PieceHeads(feature_channels, head_classes)

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        return self.heads(self.features(x))


def _mobilenet_v3_piece(variant: str, head_classes: dict[str, tuple[str, ...]] | None) -> MobileNetV3Piece:
    build = {"small": mobilenet_v3_small, "large": mobilenet_v3_large}[variant]
    backbone = build(weights=None)  # nothing is downloaded: the model is trained from scratch
    channels = backbone.features[-1].out_channels
    return MobileNetV3Piece(backbone.features, channels, dict(head_classes or HEAD_CLASSES))


def mobilenet_v3_small_piece(head_classes: dict[str, tuple[str, ...]] | None = None) -> MobileNetV3Piece:
    """MobileNetV3-Small (about 1.5 M parameters with heads): the shipped model's backbone."""
    return _mobilenet_v3_piece("small", head_classes)


def mobilenet_v3_large_piece(head_classes: dict[str, tuple[str, ...]] | None = None) -> MobileNetV3Piece:
    """MobileNetV3-Large: more capacity, about three times the CPU cost of Small."""
    return _mobilenet_v3_piece("large", head_classes)
