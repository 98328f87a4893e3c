"""The architectures a checkpoint may name, and the one place that builds a model from that name."""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

from mailpiece.models.efficientnet import efficientnet_b0_piece
from mailpiece.models.mobilenet import mobilenet_v3_large_piece, mobilenet_v3_small_piece
from mailpiece.models.resnet import resnet18_piece

DEFAULT_ARCH = "mobilenet_v3_small"

# An explicit table (no import-time registration): a checkpoint's "arch" string is a key here.
ARCHITECTURES: dict[str, Callable[..., nn.Module]] = {
    "mobilenet_v3_small": mobilenet_v3_small_piece,
    "mobilenet_v3_large": mobilenet_v3_large_piece,
    "resnet18": resnet18_piece,
    "efficientnet_b0": efficientnet_b0_piece,
}


def build_model(arch: str, head_classes: dict[str, tuple[str, ...]] | None = None) -> nn.Module:
    """A freshly initialised model of the named architecture with one output per head."""
    try:
        builder = ARCHITECTURES[arch]
    except KeyError:
        raise ValueError(f"unknown architecture {arch!r}; known: {', '.join(ARCHITECTURES)}") from None
    return builder(head_classes)
