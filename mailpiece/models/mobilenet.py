"""MobileNetV3 backbones (torchvision, random init) with the piece heads: the default, cheap on one core."""

from __future__ import annotations

from torchvision.models import mobilenet_v3_large, mobilenet_v3_small

from mailpiece.models.heads import HEAD_CLASSES, FeaturesWithHeads


def _mobilenet_v3_piece(variant: str, head_classes: dict[str, tuple[str, ...]] | None) -> FeaturesWithHeads:
    build = {"small": mobilenet_v3_small, "large": mobilenet_v3_large}[variant]
    backbone = build(weights=None)  # nothing is downloaded: the model is trained from scratch
    channels = backbone.features[-1].out_channels
    return FeaturesWithHeads(backbone.features, channels, dict(head_classes or HEAD_CLASSES))


def mobilenet_v3_small_piece(head_classes: dict[str, tuple[str, ...]] | None = None) -> FeaturesWithHeads:
    """MobileNetV3-Small (about 1.5 M parameters with heads): the shipped model's backbone."""
    return _mobilenet_v3_piece("small", head_classes)


def mobilenet_v3_large_piece(head_classes: dict[str, tuple[str, ...]] | None = None) -> FeaturesWithHeads:
    """MobileNetV3-Large: more capacity, about three times the CPU cost of Small."""
    return _mobilenet_v3_piece("large", head_classes)
