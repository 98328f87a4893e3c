"""One checkpoint file: weights plus everything needed to use them (classes, preprocessing, version).

Only tensors and plain containers are stored, so loading uses ``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import hashlib
import importlib.resources
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import torch
from torch import nn

from mailpiece.models.preprocess import Preprocess, PreprocessConfig
from mailpiece.models.zoo import build_model

FORMAT = "mailpiece-cnn/1"
DEFAULT_RESOURCE = "postage_damage.pt"


@dataclass(frozen=True, kw_only=True)
class CheckpointInfo:
    """What a checkpoint says about itself; ``training`` and ``metrics`` are free-form JSON-like records."""

    version: str
    arch: str
    heads: dict[str, tuple[str, ...]]
    preprocess: PreprocessConfig
    training: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "arch": self.arch,
            "heads": {k: list(v) for k, v in self.heads.items()},
            "preprocess": self.preprocess.to_dict(),
            "training": self.training,
            "metrics": self.metrics,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CheckpointInfo:
        return cls(
            version=str(d["version"]),
            arch=str(d["arch"]),
            heads={k: tuple(v) for k, v in d["heads"].items()},
            preprocess=PreprocessConfig.from_dict(d["preprocess"]),
            training=dict(d.get("training") or {}),
            metrics=dict(d.get("metrics") or {}),
        )


@dataclass(frozen=True, kw_only=True)
class LoadedCheckpoint:
    """A ready model (eval mode, on the asked device), its preprocessing, and its description."""

    model: nn.Module
    preprocess: Preprocess
    info: CheckpointInfo
    train_state: dict[str, Any] | None = None


def model_version(model: nn.Module, on: date | None = None) -> str:
    """``postage-damage@<date>-<weights hash>``: changes whenever the weights do."""
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        stored = tensor.detach().cpu()
        if stored.is_floating_point():
            stored = stored.half()  # the hash of what the fp16 file holds
        digest.update(name.encode())
        digest.update(stored.contiguous().numpy().tobytes())
    return f"postage-damage@{(on or date.today()).isoformat()}-{digest.hexdigest()[:8]}"


def default_checkpoint_path() -> Path:
    """The checkpoint shipped inside the package (``mailpiece/resources/postage_damage.pt``)."""
    return Path(str(importlib.resources.files("mailpiece") / "resources" / DEFAULT_RESOURCE))


def save_checkpoint(
    path: str | Path,
    model: nn.Module,
    info: CheckpointInfo,
    *,
    half: bool = True,
    train_state: dict[str, Any] | None = None,
) -> Path:
    """Write weights (fp16 when ``half``, to stay small) and ``info``; ``train_state`` makes it resumable."""
    state = {
        k: (v.detach().to("cpu", torch.float16) if half and v.is_floating_point() else v.detach().cpu())
        for k, v in model.state_dict().items()
    }
    payload: dict[str, Any] = {"format": FORMAT, "info": info.to_dict(), "state_dict": state}
    if train_state is not None:
        payload["train_state"] = train_state
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(payload, tmp)
    tmp.replace(path)  # a reader never sees a half-written file
    return path


def _load_state(model: nn.Module, state: dict[str, torch.Tensor]) -> None:
    reference = model.state_dict()
    model.load_state_dict({k: v.to(reference[k].dtype) if k in reference else v for k, v in state.items()})


def restore_weights(model: nn.Module, path: str | Path) -> None:
    """Copy a checkpoint's weights into an existing model of the same architecture (any device)."""
    _load_state(model, torch.load(path, map_location="cpu", weights_only=True)["state_dict"])


def load_checkpoint(path: str | Path | None = None, device: torch.device | str = "cpu") -> LoadedCheckpoint:
    """Build the model and its preprocessing from a checkpoint (``None``: the packaged default)."""
    path = Path(path) if path is not None else default_checkpoint_path()
    payload = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError(f"{path} is not a {FORMAT} checkpoint")
    info = CheckpointInfo.from_dict(payload["info"])
    model = build_model(info.arch, info.heads)
    _load_state(model, payload["state_dict"])
    model.to(device).eval()
    return LoadedCheckpoint(
        model=model,
        preprocess=Preprocess(info.preprocess),
        info=info,
        train_state=payload.get("train_state"),
    )
