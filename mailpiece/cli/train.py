"""`mailpiece train`: train the postage/damage CNN on synthetic frames and any labelled dataset folders.

The device is resolved here, once; everything below follows the model. ``--synthetic N`` renders N frames
once into ``OUT/data/`` (in parallel, reused by later runs) and trains on them with fresh augmentation
every epoch; validation and test frames come from other seeds, so the scores are on unseen pieces.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import typer

from mailpiece.cli.options import synth_config, synth_options_option


def resolve_device(name: str) -> Any:
    """``auto`` → CUDA when present, else CPU; ``cpu``/``cuda`` as asked (refused when absent)."""
    import torch

    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name not in ("cpu", "cuda"):
        raise typer.BadParameter(f"--device must be auto, cpu or cuda, not {name!r}")
    if name == "cuda" and not torch.cuda.is_available():
        raise typer.BadParameter("--device cuda, but no CUDA GPU is available")
    return torch.device(name)


def render_folder(root: Path, seed: int, count: int, workers: int, config: Any = None) -> Path:
    """Frames 0..count-1 of synthetic dataset ``seed`` as a dataset folder, rendered once and reused.
    A generator ``config`` other than the default renders into a folder named after its settings."""
    import hashlib
    import json

    from mailpiece.datasets.config import SynthConfig
    from mailpiece.datasets.writer import write_dataset

    config = config or SynthConfig()
    if config != SynthConfig():
        digest = hashlib.sha256(json.dumps(config.to_dict(), sort_keys=True).encode()).hexdigest()[:8]
        root = root.with_name(f"{root.name}-{digest}")
    labels = root / "labels.jsonl"
    if not (labels.exists() and sum(1 for _ in labels.open()) == count):
        write_dataset(root, count, seed, config, workers=workers, progress=False)
    return root


def train(
    data: list[Path] = typer.Option(
        [], "--data", help="Dataset folder (frames + labels.jsonl) to train on; repeatable."
    ),
    synthetic: int = typer.Option(
        0, "--synthetic", help="Render this many synthetic training frames (0: none)."
    ),
    extra: list[Path] = typer.Option(
        [], "--extra", help="Extra dataset folder mixed into training, e.g. a review-desk export; repeatable."
    ),
    val: Path | None = typer.Option(
        None, "--val", help="Validation dataset folder. Default: synthetic frames from seed+1."
    ),
    val_count: int = typer.Option(
        1000, "--val-count", help="Synthetic validation frames when --val is not given."
    ),
    test_count: int = typer.Option(
        0,
        "--test-count",
        help="Synthetic test frames (seed+2) scored at the end at the validation thresholds.",
    ),
    seed: int = typer.Option(
        0, "--seed", help="Seed for rendering, augmentation, shuffling and initialisation."
    ),
    epochs: int = typer.Option(30, "--epochs", help="Maximum epochs (early stopping may end sooner)."),
    batch_size: int = typer.Option(64, "--batch-size", help="Pieces per batch."),
    lr: float = typer.Option(3e-3, "--lr", help="Peak learning rate (AdamW, warm-up then cosine)."),
    patience: int = typer.Option(
        6, "--patience", help="Stop after this many epochs without a better validation score."
    ),
    arch: str = typer.Option(
        "mobilenet_v3_small",
        "--arch",
        help="Backbone: mobilenet_v3_small, mobilenet_v3_large, resnet18, efficientnet_b0.",
    ),
    device: str = typer.Option("auto", "--device", help="auto (CUDA if available), cpu or cuda."),
    workers: int = typer.Option(
        min(8, os.cpu_count() or 1), "--workers", help="Processes that render frames and load samples."
    ),
    out: Path = typer.Option(
        Path("out/train"), "--out", help="Folder for data, checkpoints (best.pt, last.pt) and metrics.csv."
    ),
    resume: Path | None = typer.Option(
        None, "--resume", help="Continue from a last.pt written by an earlier run."
    ),
    init: Path | None = typer.Option(
        None, "--init", help="Start from this checkpoint's weights with a fresh schedule (fine-tuning)."
    ),
    synth_option: list[str] = synth_options_option(),
) -> None:
    """Train the CNN; the best epoch is written to OUT/postage_damage.pt with its metrics."""
    import torch
    from rich.console import Console
    from torch.utils.data import DataLoader

    from mailpiece.datasets.torch_dataset import (
        PieceFolderDataset,
        PieceMix,
        SampleAugment,
        class_weights,
        loader_worker_init,
    )
    from mailpiece.models.checkpoint import CheckpointInfo, load_checkpoint, save_checkpoint
    from mailpiece.models.fit import FitConfig, fit
    from mailpiece.models.heads import HEAD_CLASSES
    from mailpiece.models.preprocess import Preprocess, PreprocessConfig
    from mailpiece.models.train import PieceLoss, Precision, evaluate
    from mailpiece.models.zoo import build_model

    console = Console(stderr=True)
    dev = resolve_device(device)
    omp_limit = os.environ.get("OMP_THREAD_LIMIT", "")
    if omp_limit.isdigit() and int(omp_limit) < torch.get_num_threads():
        # more intra-op threads than OpenMP may start makes CPU backward passes crawl or hang
        torch.set_num_threads(int(omp_limit))
    precision = Precision.for_device(dev)
    look = synth_config(synth_option)  # the generator's settings for every synthetic set rendered here
    sources = [*data, *extra]
    if synthetic > 0:
        with console.status(f"rendering {synthetic} synthetic training frames…"):
            sources.insert(0, render_folder(out / "data" / f"train-{seed}", seed, synthetic, workers, look))
    if not sources:
        raise typer.BadParameter("nothing to train on: give --synthetic N, --data DIR or --extra DIR")
    if val is None:
        with console.status(f"rendering {val_count} validation frames…"):
            val = render_folder(out / "data" / f"val-{seed + 1}", seed + 1, val_count, workers, look)

    if resume and init:
        raise typer.BadParameter("give --resume (continue a run) or --init (fine-tune), not both")
    resumed = load_checkpoint(resume or init, dev) if (resume or init) else None
    pre = resumed.info.preprocess if resumed else PreprocessConfig()
    train_set = PieceMix([PieceFolderDataset(s, seed=seed, preprocess=pre) for s in sources])
    eval_aug = SampleAugment.evaluation()
    val_set = PieceFolderDataset(val, seed=seed + 1, augment=eval_aug, preprocess=pre)
    loader_args: dict[str, Any] = {
        "batch_size": batch_size,
        "num_workers": workers,
        "pin_memory": dev.type == "cuda",
    }
    if workers > 0:
        loader_args.update(prefetch_factor=4, worker_init_fn=loader_worker_init)
    train_loader = DataLoader(
        train_set, shuffle=True, drop_last=True, generator=torch.Generator().manual_seed(seed), **loader_args
    )
    val_loader = DataLoader(val_set, **loader_args)
    if len(train_loader) == 0:
        raise typer.BadParameter(f"{len(train_set)} training pieces do not fill one batch of {batch_size}")

    model = resumed.model if resumed else build_model(arch, HEAD_CLASSES)
    model.to(dev)
    info = CheckpointInfo(
        version="",
        arch=resumed.info.arch if resumed else arch,
        heads=HEAD_CLASSES,
        preprocess=pre,
        training={
            "sources": [str(s) for s in sources],
            "synthetic_frames": synthetic,
            "synth_options": list(synth_option),
            "seed": seed,
            "validation": str(val),
            "frames": len(train_set),
            "batch_size": batch_size,
            "augment": SampleAugment.train().to_dict(),
            "init": str(init) if init else None,
            "device": dev.type,
        },
    )
    config = FitConfig(epochs=epochs, lr=lr, patience=patience, seed=seed)
    loss_fn = PieceLoss(class_weights(train_set.classes()))
    console.print(
        f"[bold]training[/] {info.arch} on {len(train_set)} pieces, validating on {len(val_set)}, "
        f"device {dev.type}, {len(train_loader)} batches/epoch"
    )

    result = fit(
        model,
        train_loader,
        val_loader,
        loss_fn=loss_fn,
        device=dev,
        info=info,
        out_dir=out,
        config=config,
        precision=precision,
        resume_state=resumed.train_state if resume and resumed else None,
        on_batch=_batch_progress(console),
        on_epoch=_epoch_report(console),
    )

    best = load_checkpoint(result.best_path, dev)
    metrics = dict(best.info.metrics)
    thresholds = (result.best.tuned.postage_threshold, result.best.tuned.damage_threshold)
    metrics["recommended_thresholds"] = {"postage_none": thresholds[0], "damaged": thresholds[1]}
    if test_count > 0:
        with console.status(f"rendering {test_count} test frames…"):
            test_dir = render_folder(out / "data" / f"test-{seed + 2}", seed + 2, test_count, workers, look)
        test_loader = DataLoader(
            PieceFolderDataset(test_dir, seed=seed + 2, augment=eval_aug, preprocess=pre), **loader_args
        )
        test = evaluate(
            best.model,
            test_loader,
            loss_fn.to(dev),
            dev,
            HEAD_CLASSES,
            preprocess=Preprocess(pre),
            precision=precision,
            thresholds=thresholds,
        )
        metrics["test"] = test.to_dict()
        console.print(f"test ({test.samples} unseen pieces) at validation thresholds: {_rates(test.tuned)}")
    shipped = save_checkpoint(out / "postage_damage.pt", best.model, replace(best.info, metrics=metrics))
    console.print(f"[green]best epoch {result.best_epoch}[/] → {shipped} ({best.info.version})")


def _rates(r: Any) -> str:
    def pct(v: float | None) -> str:
        return "n/a" if v is None else f"{100 * v:.2f}%"

    return (
        f"unpaid caught {pct(r.unpaid_caught)}, damaged caught {pct(r.damaged_caught)}, "
        f"good rejected {pct(r.good_rejected)} (t_postage {r.postage_threshold:.3f}, "
        f"t_damage {r.damage_threshold:.3f})"
    )


def _batch_progress(console: Any) -> Any:
    """A rich progress bar over each epoch's batches, showing running loss and accuracy."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn("epoch"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    state: dict[str, Any] = {}

    def on_batch(i: int, batches: int, loss: float, accuracy: float) -> None:
        if i == 0:
            progress.start()
            state["task"] = progress.add_task("", total=batches)
        progress.update(state["task"], completed=i + 1, description=f"loss {loss:.4f} acc {accuracy:.4f}")
        if i + 1 == batches:
            progress.remove_task(state["task"])
            progress.stop()

    return on_batch


def _epoch_report(console: Any) -> Any:
    def on_epoch(epoch: int, stats: dict[str, float], ev: Any, improved: bool) -> None:
        acc = " ".join(f"{h} {a:.4f}" for h, a in ev.accuracy.items())
        mark = "[green]*[/]" if improved else " "
        console.print(
            f"{mark} epoch {epoch:3d}  train loss {stats['loss']:.4f} ({stats['seconds']:.0f}s)  "
            f"val loss {ev.loss:.4f}  acc {acc}  | {_rates(ev.tuned)}"
        )

    return on_epoch
