"""EfficientNet-B0 backbone (torchvision, random init) with the piece heads, kept for comparison."""

from __future__ import annotations

from torchvision.models import efficientnet_b0

from mailpiece.models.heads import HEAD_CLASSES, FeaturesWithHeads


def _efficientnet_piece(head_classes: dict[str, tuple[str, ...]] | None) -> FeaturesWithHeads:
    net = efficientnet_b0(weights=None)
    channels = net.features[-1].out_channels
    return FeaturesWithHeads(net.features, channels, dict(head_classes or HEAD_CLASSES))


def efficientnet_b0_piece(head_classes: dict[str, tuple[str, ...]] | None = None) -> FeaturesWithHeads:
    """EfficientNet-B0 with the piece heads (about 4.5 M parameters)."""
    return _efficientnet_piece(head_classes)
