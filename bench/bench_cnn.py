"""How fast is the postage/damage CNN? Prints tables; asserts nothing (speed is not a test).

python bench/bench_cnn.py                       # CPU, one thread, batch 1, every architecture
python bench/bench_cnn.py --gpu-batch 256       # plus GPU throughput when CUDA is present
python bench/bench_cnn.py --compare-train DIR --compare-val DIR --compare-seconds 120
                                                # train every backbone in lockstep on the same batches
python bench/bench_cnn.py --pieces DIR --limit 300 --arch none
                                                # the shipped model on real located pieces: one look
                                                # against the inspector's second look for unsure ones
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from rich.console import Console
from rich.table import Table

from mailpiece.models.checkpoint import default_checkpoint_path
from mailpiece.models.heads import HEAD_CLASSES
from mailpiece.models.predict import PieceClassifier
from mailpiece.models.preprocess import Preprocess, PreprocessConfig
from mailpiece.models.zoo import ARCHITECTURES, build_model


def _timed(fn, repeats: int, warmup: int = 3) -> float:
    """Median seconds of ``fn()`` over ``repeats`` runs, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def _pieces(n: int, size: tuple[int, int] = (620, 1420)) -> list[np.ndarray]:
    """Faced #10-envelope-sized BGR pieces at about 150 dpi, as the inspector hands them over."""
    rng = np.random.default_rng(0)
    return [rng.integers(0, 256, size=(*size, 3), dtype=np.uint8) for _ in range(n)]


def cpu_table(archs: list[str], input_size: tuple[int, int], repeats: int) -> Table:
    torch.set_num_threads(1)
    table = Table(title=f"CPU, 1 thread, batch 1, input {input_size[0]}x{input_size[1]}")
    for col in ("model", "params (M)", "model ms/piece", "predict() ms/piece (incl. letterbox)"):
        table.add_column(col, justify="right")
    piece = _pieces(1)
    for arch in archs:
        model = build_model(arch).eval()
        x = torch.randn(1, 3, *input_size)
        with torch.inference_mode():
            model_s = _timed(lambda m=model, x=x: m(x), repeats)
        clf = PieceClassifier(
            model, Preprocess(PreprocessConfig(input_size=input_size)), HEAD_CLASSES, version="bench"
        )
        predict_s = _timed(lambda c=clf: c.predict(piece), repeats)
        params = sum(p.numel() for p in model.parameters()) / 1e6
        table.add_row(arch, f"{params:.2f}", f"{model_s * 1e3:.1f}", f"{predict_s * 1e3:.1f}")
    return table


def throughput_table(
    archs: list[str], input_size: tuple[int, int], batch: int, device: str, repeats: int
) -> Table:
    dev = torch.device(device)
    threads = torch.get_num_threads()
    title = f"{device.upper()} throughput, batch {batch}" + (
        "" if device == "cuda" else f", {threads} threads"
    )
    table = Table(title=title)
    for col in ("model", "precision", "model images/s", "predict() images/s (letterbox on device)"):
        table.add_column(col, justify="right")
    pieces = _pieces(batch)
    variants = (
        [("bf16 autocast, channels_last", torch.bfloat16), ("fp32", None)]
        if device == "cuda"
        else [("fp32", None)]
    )
    for arch in archs:
        model = build_model(arch).eval().to(dev)
        x = torch.randn(batch, 3, *input_size, device=dev)
        for label, dtype in variants:
            m = model.to(memory_format=torch.channels_last) if dtype else model
            xx = x.contiguous(memory_format=torch.channels_last) if dtype else x

            def run(m=m, xx=xx, dtype=dtype) -> None:
                with (
                    torch.inference_mode(),
                    torch.autocast(device, dtype=dtype or torch.float32, enabled=dtype is not None),
                ):
                    m(xx)
                if device == "cuda":
                    torch.cuda.synchronize()

            seconds = _timed(run, repeats)
            clf = PieceClassifier(
                model,
                Preprocess(PreprocessConfig(input_size=input_size)),
                HEAD_CLASSES,
                version="bench",
                batch_size=batch,
            )
            predict_s = (
                _timed(lambda c=clf: c.predict(pieces), max(2, repeats // 3), warmup=1)
                if dtype is None
                else None
            )
            table.add_row(
                arch,
                label,
                f"{batch / seconds:,.0f}",
                "-" if predict_s is None else f"{batch / predict_s:,.0f}",
            )
    return table


def second_look_table(dataset: Path, limit: int) -> Table:
    """Per-piece CPU cost of the inspector's CNN stage on located pieces of a labelled dataset, one look
    against one look plus a second, turned look for the unsure, and that with uneven light evened out
    first (the default; timed alternately, piece by piece)."""
    from mailpiece.datasets.labels import read_labels
    from mailpiece.inspect.config import CnnThresholds
    from mailpiece.inspect.decode import decode_image
    from mailpiece.inspect.locate import locate_piece
    from mailpiece.inspect.postage_damage import PostageDamageStage

    torch.set_num_threads(1)
    classifier = PieceClassifier.from_checkpoint()
    stages = {
        "one look": PostageDamageStage(
            classifier, CnnThresholds(second_view_postage=None, second_view_damage=None, even_light=False)
        ),
        "second look when unsure": PostageDamageStage(classifier, CnnThresholds(even_light=False)),
        "second look, uneven light evened out (default)": PostageDamageStage(classifier, CnnThresholds()),
    }
    pieces = []
    for label in read_labels(dataset)[:limit]:
        located = locate_piece(decode_image((dataset / label.image).read_bytes()))
        if located is not None:
            pieces.append(located.image)
    times: dict[str, list[float]] = {name: [] for name in stages}
    twice = dict.fromkeys(stages, 0)
    for stage in stages.values():  # warm-up
        stage.scores(pieces[:3])
    for piece in pieces:
        for name, stage in stages.items():
            start = time.perf_counter()
            scores = stage.scores([piece])[0]
            times[name].append(time.perf_counter() - start)
            twice[name] += scores.views == 2
    title = f"CNN stage on {len(pieces)} located pieces of {dataset.name}, CPU, 1 thread, batch 1"
    table = Table(title=title)
    for col in ("stage", "pieces looked at twice", "mean ms/piece", "median ms/piece", "p99 ms/piece"):
        table.add_column(col, justify="right")
    for name, t in times.items():
        ms = np.asarray(t) * 1e3
        share = f"{100 * twice[name] / len(pieces):.1f} %"
        table.add_row(name, share, f"{ms.mean():.1f}", f"{np.median(ms):.1f}", f"{np.percentile(ms, 99):.1f}")
    return table


def race(archs: list[str], train_dir: Path, val_dir: Path, seconds: float, workers: int) -> Table:
    """Train every backbone on the very same batches for ``seconds``, then score each on ``val_dir``.

    Data loading is the bottleneck, so a GPU trains them all for about the price of one.
    """
    from torch.utils.data import DataLoader

    from mailpiece.datasets.torch_dataset import (
        PieceFolderDataset,
        SampleAugment,
        class_weights,
        loader_worker_init,
    )
    from mailpiece.models.fit import FitConfig, build_optimizer, warmup_cosine
    from mailpiece.models.train import PieceLoss, Precision, evaluate, forward_batch

    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    precision, pre = Precision.for_device(dev), PreprocessConfig()
    train_set = PieceFolderDataset(train_dir, preprocess=pre)
    val_set = PieceFolderDataset(val_dir, seed=1, augment=SampleAugment.evaluation(), preprocess=pre)
    kw = {
        "batch_size": 128,
        "num_workers": workers,
        "pin_memory": dev.type == "cuda",
        "worker_init_fn": loader_worker_init,
    }
    loader = DataLoader(train_set, shuffle=True, drop_last=True, **kw)
    loss_fn = PieceLoss(class_weights(train_set.classes())).to(dev)
    runs = []
    for arch in archs:
        torch.manual_seed(0)
        model = build_model(arch).to(dev)
        if precision.channels_last:
            model = model.to(memory_format=torch.channels_last)
        optimizer = build_optimizer(model, FitConfig())
        runs.append((arch, model, optimizer, warmup_cosine(optimizer, 10**9, 100)))
    steps, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for batch in loader:
            for _, model, optimizer, scheduler in runs:
                model.train()
                logits, targets = forward_batch(model, batch, dev, Preprocess(pre), precision)
                optimizer.zero_grad(set_to_none=True)
                loss_fn(logits, targets).backward()
                optimizer.step()
                scheduler.step()
            steps += 1
            if time.perf_counter() - started >= seconds:
                break
    table = Table(
        title=f"backbones trained in lockstep: {steps} steps of 128 ({time.perf_counter() - started:.0f}s),"
        f" scored on {len(val_set)} validation pieces"
    )
    for col in (
        "model",
        "postage acc",
        "damage acc",
        "orientation acc",
        "unpaid caught",
        "damaged caught",
        "good rejected",
    ):
        table.add_column(col, justify="right")
    val_loader = DataLoader(val_set, **kw)
    for arch, model, _, _ in runs:
        ev = evaluate(
            model, val_loader, loss_fn, dev, HEAD_CLASSES, preprocess=Preprocess(pre), precision=precision
        )
        rates = ev.tuned
        table.add_row(
            arch,
            *(f"{ev.accuracy[h]:.4f}" for h in ("postage", "damage", "orientation")),
            *(
                f"{v:.4f}" if v is not None else "-"
                for v in (rates.unpaid_caught, rates.damaged_caught, rates.good_rejected)
            ),
        )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--arch", action="append",
                        help="architecture(s); default: all; none: skip these tables")
    parser.add_argument(
        "--input-size", type=int, nargs=2, default=None, help="H W (default: the checkpoint's)"
    )
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--gpu-batch", type=int, default=256)
    parser.add_argument("--cpu-batch", type=int, default=32, help="batch for the all-threads CPU table")
    parser.add_argument("--compare-train", type=Path, help="dataset folder: train all backbones in lockstep")
    parser.add_argument("--compare-val", type=Path, help="dataset folder to score the compared backbones on")
    parser.add_argument("--compare-seconds", type=float, default=120.0)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--pieces", type=Path,
                        help="labelled dataset: time the CNN stage on its located pieces")
    parser.add_argument("--limit", type=int, default=300, help="frames of --pieces to use")
    args = parser.parse_args()
    console = Console()
    if args.pieces:
        console.print(second_look_table(args.pieces, args.limit))
    archs = [a for a in args.arch or list(ARCHITECTURES) if a != "none"]
    if not archs:
        return
    size = tuple(args.input_size) if args.input_size else _default_input_size()
    threads = torch.get_num_threads()
    console.print(cpu_table(archs, size, args.repeats))
    torch.set_num_threads(threads)
    console.print(throughput_table(archs, size, args.cpu_batch, "cpu", max(3, args.repeats // 4)))
    if torch.cuda.is_available():
        console.print(f"GPU: {torch.cuda.get_device_name()}")
        console.print(throughput_table(archs, size, args.gpu_batch, "cuda", args.repeats))
    if args.compare_train and args.compare_val:
        console.print(race(archs, args.compare_train, args.compare_val, args.compare_seconds, args.workers))


def _default_input_size() -> tuple[int, int]:
    path = default_checkpoint_path()
    if path.exists():
        return PieceClassifier.from_checkpoint(path).preprocess.config.input_size
    return PreprocessConfig().input_size


if __name__ == "__main__":
    main()
