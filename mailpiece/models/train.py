"""Training recipe, torchvision-reference style: ``train_one_epoch`` and ``evaluate`` over a loader of
``(uint8 images Nx3xHxW, {head: class index})`` batches. The loop around them is in ``fit.py``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from mailpiece.models.metrics import (
    RejectRates,
    balanced_accuracy,
    choose_thresholds,
    confusion_matrix,
    reject_rates,
)
from mailpiece.models.preprocess import Preprocess
from mailpiece.models.views import SecondView

Batch = tuple[torch.Tensor, dict[str, torch.Tensor]]
OnBatch = Callable[[int, int, float, float], None]  # (batch index, batches, mean loss, mean accuracy)


@dataclass(frozen=True, kw_only=True)
class Precision:
    """Numeric settings of a run: bf16 autocast and channels_last on CUDA, plain float32 on CPU."""

    autocast_dtype: torch.dtype | None = None
    channels_last: bool = False

    @classmethod
    def for_device(cls, device: torch.device) -> Precision:
        """Called once, at the edge, where the device was resolved."""
        if device.type == "cuda":
            return cls(autocast_dtype=torch.bfloat16, channels_last=True)
        return cls()


class PieceLoss(nn.Module):
    """Sum over heads of class-weighted, label-smoothed cross-entropy."""

    def __init__(self, class_weights: dict[str, torch.Tensor], label_smoothing: float = 0.05) -> None:
        super().__init__()
        self.heads = tuple(class_weights)
        for head, weights in class_weights.items():
            self.register_buffer(f"weight_{head}", weights.float())
        self.label_smoothing = label_smoothing

    def forward(self, logits: dict[str, torch.Tensor], targets: dict[str, torch.Tensor]) -> torch.Tensor:
        losses = [
            F.cross_entropy(
                logits[h].float(),
                targets[h],
                weight=getattr(self, f"weight_{h}"),
                label_smoothing=self.label_smoothing,
            )
            for h in self.heads
        ]
        return torch.stack(losses).sum()


def forward_batch(
    model: nn.Module, batch: Batch, device: torch.device, preprocess: Preprocess, precision: Precision
) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    """Move a batch to ``device``, normalise it and run the model under the run's precision."""
    images, targets = batch
    x = preprocess.normalise(images.to(device, non_blocking=True))
    if precision.channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    targets = {h: t.to(device, non_blocking=True) for h, t in targets.items()}
    dtype = precision.autocast_dtype
    with torch.autocast(device.type, dtype=dtype) if dtype is not None else contextlib.nullcontext():
        logits = model(x)
    return logits, targets


def train_one_epoch(
    model: nn.Module,
    loader: Iterable[Batch],
    optimizer: torch.optim.Optimizer,
    loss_fn: PieceLoss,
    device: torch.device,
    *,
    preprocess: Preprocess,
    precision: Precision = Precision(),
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    on_batch: OnBatch | None = None,
) -> dict[str, float]:
    """One pass over ``loader``; returns mean loss, mean head accuracy, samples and seconds."""
    model.train()
    total_loss, correct, seen, started = 0.0, 0.0, 0, time.perf_counter()
    batches = len(loader) if hasattr(loader, "__len__") else 0
    for i, batch in enumerate(loader):
        logits, targets = forward_batch(model, batch, device, preprocess, precision)
        loss = loss_fn(logits, targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        n = len(batch[0])
        total_loss += float(loss.detach()) * n
        hits = [(logits[h].argmax(1) == targets[h]).float().mean() for h in loss_fn.heads]
        correct += float(torch.stack(hits).mean()) * n
        seen += n
        if on_batch is not None:
            on_batch(i, batches, total_loss / seen, correct / seen)
    return {
        "loss": total_loss / max(seen, 1),
        "accuracy": correct / max(seen, 1),
        "samples": float(seen),
        "seconds": time.perf_counter() - started,
    }


@dataclass(frozen=True, kw_only=True)
class Evaluation:
    """A model's scores on one labelled set: per head, and as the sorter's reject rates."""

    loss: float
    samples: int
    accuracy: dict[str, float]
    balanced_accuracy: dict[str, float]
    confusion: dict[str, list[list[int]]]
    at_half: RejectRates  # both thresholds 0.5
    tuned: RejectRates  # at thresholds for <= 1 % good pieces rejected (chosen here unless given)

    @property
    def score(self) -> float:
        """What early stopping watches: balanced accuracy, averaged over heads."""
        return float(np.mean(list(self.balanced_accuracy.values())))

    def to_dict(self) -> dict[str, Any]:
        return {
            "loss": self.loss,
            "samples": self.samples,
            "score": self.score,
            "accuracy": self.accuracy,
            "balanced_accuracy": self.balanced_accuracy,
            "confusion": self.confusion,
            "at_half": self.at_half.to_dict(),
            "tuned": self.tuned.to_dict(),
        }


@torch.inference_mode()
def evaluate(
    model: nn.Module,
    loader: Iterable[Batch],
    loss_fn: PieceLoss,
    device: torch.device,
    heads: dict[str, tuple[str, ...]],
    *,
    preprocess: Preprocess,
    precision: Precision = Precision(),
    thresholds: tuple[float, float] | None = None,
    second_view: SecondView | None = SecondView(),
) -> Evaluation:
    """Loss, accuracy, confusion and reject rates of ``model`` over every batch of ``loader``.

    ``tuned`` uses ``thresholds`` (postage, damage) when given, e.g. ones chosen on a validation set;
    otherwise it chooses them on this set. Pieces are scored as the inspector scores them: with
    ``second_view``, an unsure first look is averaged with a look at the letterbox turned 180° (the
    inspector's turned letterbox can sit one pad row apart), so recommended thresholds fit the inspector's
    scores. The loss is the first look's.
    """
    model.eval()
    probs: dict[str, list[np.ndarray]] = {h: [] for h in loss_fn.heads}
    labels: dict[str, list[np.ndarray]] = {h: [] for h in loss_fn.heads}
    total_loss, seen = 0.0, 0
    for batch in loader:
        logits, targets = forward_batch(model, batch, device, preprocess, precision)
        total_loss += float(loss_fn(logits, targets)) * len(batch[0])
        seen += len(batch[0])
        looks = {h: logits[h].float().softmax(1).cpu().numpy() for h in loss_fn.heads}
        if second_view is not None:
            _second_look(looks, model, batch, device, preprocess, precision, heads, second_view)
        for h in loss_fn.heads:
            probs[h].append(looks[h])
            labels[h].append(targets[h].cpu().numpy())
    p = {h: np.concatenate(v) for h, v in probs.items()}
    y = {h: np.concatenate(v) for h, v in labels.items()}
    matrices = {h: confusion_matrix(y[h], p[h].argmax(1), len(heads[h])) for h in loss_fn.heads}
    no_postage, no_damage = heads["postage"].index("none"), heads["damage"].index("none")
    rate_args = (p["postage"][:, no_postage], 1.0 - p["damage"][:, no_damage])
    groups = (y["postage"] == no_postage, y["damage"] != no_damage)
    return Evaluation(
        loss=total_loss / max(seen, 1),
        samples=seen,
        accuracy={h: float(np.trace(m) / max(m.sum(), 1)) for h, m in matrices.items()},
        balanced_accuracy={h: balanced_accuracy(m) for h, m in matrices.items()},
        confusion={h: m.tolist() for h, m in matrices.items()},
        at_half=reject_rates(*rate_args, *groups),
        tuned=choose_thresholds(*rate_args, *groups)
        if thresholds is None
        else reject_rates(
            *rate_args, *groups, postage_threshold=thresholds[0], damage_threshold=thresholds[1]
        ),
    )


def _second_look(
    looks: dict[str, np.ndarray],
    model: nn.Module,
    batch: Batch,
    device: torch.device,
    preprocess: Preprocess,
    precision: Precision,
    heads: dict[str, tuple[str, ...]],
    second_view: SecondView,
) -> None:
    """Average, in place, the unsure rows of a batch's probabilities with a look at their turned letterbox."""
    p_none = looks["postage"][:, heads["postage"].index("none")]
    unsure = second_view.unsure(p_none, 1.0 - looks["damage"][:, heads["damage"].index("none")])
    if not unsure.any():
        return
    rows = torch.from_numpy(np.flatnonzero(unsure))
    images, targets = batch
    turned = (images[rows].flip(-2, -1), {h: t[rows] for h, t in targets.items()})
    logits, _ = forward_batch(model, turned, device, preprocess, precision)
    for h, look in looks.items():
        second = logits[h].float().softmax(1).cpu().numpy()
        if h == "orientation":  # what the turned look saw upright, the piece has upside down
            second = second[:, ::-1]
        look[unsure] = (look[unsure] + second) / 2
