"""The training loop around ``train_one_epoch``/``evaluate``: AdamW with warm-up and cosine decay,
evaluation every epoch, early stopping, a CSV log, and checkpoints that can be resumed.

``out_dir`` gets ``best.pt`` (fp16, the one to ship), ``last.pt`` (fp32 + optimizer, to resume) and
``metrics.csv`` (one row per epoch).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import torch
from torch import nn

from mailpiece.models.checkpoint import CheckpointInfo, model_version, restore_weights, save_checkpoint
from mailpiece.models.preprocess import Preprocess
from mailpiece.models.train import Batch, Evaluation, OnBatch, PieceLoss, Precision, evaluate, train_one_epoch

OnEpoch = Callable[[int, dict[str, float], Evaluation, bool], None]  # (epoch, train stats, eval, improved)


@dataclass(frozen=True, kw_only=True)
class FitConfig:
    """Optimisation settings; ``patience`` epochs without a better validation score stop the run."""

    epochs: int = 30
    lr: float = 3e-3
    weight_decay: float = 0.05
    warmup_epochs: float = 1.0
    patience: int = 6
    label_smoothing: float = 0.05
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, kw_only=True)
class FitResult:
    """How a run ended: its best evaluation and where the checkpoints are."""

    best: Evaluation
    best_epoch: int
    epochs_run: int
    best_path: Path
    last_path: Path

    def to_dict(self) -> dict[str, Any]:
        return {
            "best": self.best.to_dict(),
            "best_epoch": self.best_epoch,
            "epochs_run": self.epochs_run,
            "best_path": str(self.best_path),
            "last_path": str(self.last_path),
        }


def build_optimizer(model: nn.Module, config: FitConfig) -> torch.optim.AdamW:
    """AdamW with no weight decay on norms and biases (decaying them only hurts)."""
    decay = [p for p in model.parameters() if p.ndim > 1]
    no_decay = [p for p in model.parameters() if p.ndim <= 1]
    groups = [
        {"params": decay, "weight_decay": config.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=config.lr)


def warmup_cosine(
    optimizer: torch.optim.Optimizer, total_steps: int, warmup_steps: int
) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warm-up, then cosine decay to 1 % of the peak rate, stepped once per batch."""

    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / max(warmup_steps, 1)
        progress = min(1.0, (step - warmup_steps) / max(total_steps - warmup_steps, 1))
        return 0.01 + 0.99 * 0.5 * (1.0 + math.cos(math.pi * progress))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _log_row(path: Path, row: dict[str, Any]) -> None:
    new = not path.exists()
    with path.open("a", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(row))
        if new:
            writer.writeheader()
        writer.writerow(row)


def _csv_row(epoch: int, lr: float, stats: dict[str, float], ev: Evaluation) -> dict[str, Any]:
    row: dict[str, Any] = {
        "epoch": epoch,
        "lr": f"{lr:.6g}",
        "train_loss": f"{stats['loss']:.5f}",
        "train_acc": f"{stats['accuracy']:.5f}",
        "train_s": f"{stats['seconds']:.1f}",
        "val_loss": f"{ev.loss:.5f}",
        "val_score": f"{ev.score:.5f}",
    }
    row.update({f"acc_{h}": f"{a:.5f}" for h, a in ev.accuracy.items()})
    for name, rates in (("half", ev.at_half), ("tuned", ev.tuned)):
        row.update(
            {
                f"{name}_{k}": "" if v is None else f"{v:.5f}"
                for k, v in rates.to_dict().items()
                if k
                in (
                    "postage_threshold",
                    "damage_threshold",
                    "unpaid_caught",
                    "damaged_caught",
                    "good_rejected",
                )
            }
        )
    return row


def fit(
    model: nn.Module,
    train_loader: Iterable[Batch],
    val_loader: Iterable[Batch],
    *,
    loss_fn: PieceLoss,
    device: torch.device,
    info: CheckpointInfo,
    out_dir: str | Path,
    config: FitConfig = FitConfig(),
    precision: Precision = Precision(),
    resume_state: dict[str, Any] | None = None,
    on_batch: OnBatch | None = None,
    on_epoch: OnEpoch | None = None,
) -> FitResult:
    """Train ``model`` (already on ``device``) and keep the best epoch by validation score."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    best_path, last_path, log_path = out / "best.pt", out / "last.pt", out / "metrics.csv"
    torch.manual_seed(config.seed)
    preprocess = Preprocess(info.preprocess)
    loss_fn = loss_fn.to(device)
    if precision.channels_last:
        model = model.to(memory_format=torch.channels_last)
    optimizer = build_optimizer(model, config)
    steps = len(train_loader)  # type: ignore[arg-type]
    scheduler = warmup_cosine(optimizer, steps * config.epochs, round(steps * config.warmup_epochs))
    state = {"epoch": 0, "best_score": -1.0, "best_epoch": 0, "stale": 0, "best_metrics": None}
    if resume_state is not None:
        optimizer.load_state_dict(resume_state["optimizer"])
        scheduler.load_state_dict(resume_state["scheduler"])
        state.update({k: resume_state[k] for k in state})
    best_eval: Evaluation | None = None
    for epoch in range(int(state["epoch"]) + 1, config.epochs + 1):
        dataset = getattr(train_loader, "dataset", None)
        if hasattr(dataset, "set_epoch"):
            dataset.set_epoch(epoch)  # fresh augmentation each epoch, still a function of the seed
        lr = optimizer.param_groups[0]["lr"]
        stats = train_one_epoch(
            model,
            train_loader,
            optimizer,
            loss_fn,
            device,
            preprocess=preprocess,
            precision=precision,
            scheduler=scheduler,
            on_batch=on_batch,
        )
        ev = evaluate(
            model, val_loader, loss_fn, device, info.heads, preprocess=preprocess, precision=precision
        )
        _log_row(log_path, _csv_row(epoch, lr, stats, ev))
        improved = ev.score > float(state["best_score"])
        if improved:
            best_eval = ev
            state.update(best_score=ev.score, best_epoch=epoch, stale=0, best_metrics=ev.to_dict())
            metrics = {**ev.to_dict(), "epoch": epoch}
            save_checkpoint(best_path, model, replace(info, version=model_version(model), metrics=metrics))
        else:
            state["stale"] = int(state["stale"]) + 1
        state["epoch"] = epoch
        train_state = {**state, "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}
        save_checkpoint(
            last_path, model, replace(info, version=model_version(model)), half=False, train_state=train_state
        )
        if on_epoch is not None:
            on_epoch(epoch, stats, ev, improved)
        if int(state["stale"]) >= config.patience:
            break
    restore_weights(model, best_path)  # hand back the best epoch, not the last
    if best_eval is None:  # resumed after the best epoch: score the restored weights again
        best_eval = evaluate(
            model, val_loader, loss_fn, device, info.heads, preprocess=preprocess, precision=precision
        )
    return FitResult(
        best=best_eval,
        best_epoch=int(state["best_epoch"]),
        epochs_run=int(state["epoch"]),
        best_path=best_path,
        last_path=last_path,
    )
