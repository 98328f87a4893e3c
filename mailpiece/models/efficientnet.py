"""EfficientNet-B0 backbone (torchvision, random init) with the piece heads, kept for comparison."""

from __future__ import annotations

import torch
from torch import nn
from torchvision.models import efficientnet_b0

from mailpiece.models.heads import HEAD_CLASSES, PieceHeads


class EfficientNetPiece(nn.Module):
    """EfficientNet feature extractor followed by the piece heads."""

    def __init__(self, features: nn.Module, feature_channels: int, head_classes: dict[str, tuple[str, ...]]):
        super().__init__()
        self.features = features
        self.heads = PieceHeads(feature_channels, head_classes)

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        return self.heads(self.features(x))


def _efficientnet_piece(head_classes: dict[str, tuple[str, ...]] | None) -> EfficientNetPiece:
    net = efficientnet_b0(weights=None)
    channels = net.features[-1].out_channels
    return EfficientNetPiece(net.features, channels, dict(head_classes or HEAD_CLASSES))


def efficientnet_b0_piece(head_classes: dict[str, tuple[str, ...]] | None = None) -> EfficientNetPiece:
    """EfficientNet-B0 with the piece heads (about 4.5 M parameters)."""
    return _efficientnet_piece(head_classes)
