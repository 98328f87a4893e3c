"""ResNet-18 backbone (torchvision, random init) with the piece heads: a sturdier, slower reference."""

from __future__ import annotations

import torch
from torch import nn
from torchvision.models import resnet18

from mailpiece.models.heads import HEAD_CLASSES, PieceHeads


class ResNetPiece(nn.Module):
    """ResNet trunk (stem and four stages, no classifier) followed by the piece heads."""

    def __init__(self, trunk: nn.Module, feature_channels: int, head_classes: dict[str, tuple[str, ...]]):
        super().__init__()
        self.trunk = trunk
        self.heads = PieceHeads(feature_channels, head_classes)

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        return self.heads(self.trunk(x))


def _resnet_piece(head_classes: dict[str, tuple[str, ...]] | None) -> ResNetPiece:
    net = resnet18(weights=None)
    trunk = nn.Sequential(
        net.conv1, net.bn1, net.relu, net.maxpool, net.layer1, net.layer2, net.layer3, net.layer4
    )
    return ResNetPiece(trunk, net.fc.in_features, dict(head_classes or HEAD_CLASSES))


def resnet18_piece(head_classes: dict[str, tuple[str, ...]] | None = None) -> ResNetPiece:
    """ResNet-18 with the piece heads (about 11.5 M parameters)."""
    return _resnet_piece(head_classes)
