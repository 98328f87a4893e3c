"""How fast the synthetic generator renders: frames per second on one core, and milliseconds per stage.

Usage: .venv/bin/python bench/bench_synth.py [--count 60] [--seed 0] [--workers 1]
Prints a table (stage, mean ms, share) and the throughput; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import cv2  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from mailpiece.datasets import encode, render_spec, sample_spec, write_dataset  # noqa: E402


def bench_stages(count: int, seed: int) -> tuple[dict[str, float], float, int]:
    """Render `count` frames in this process; returns summed ms per stage, wall seconds, and pixels."""
    cv2.setNumThreads(1)
    render_spec(sample_spec(seed, 10_000))  # warm caches: fonts, ZIP list, grain bank
    timings: dict[str, float] = {}
    pixels = 0
    start = time.process_time()
    for index in range(count):
        t0 = time.process_time()
        spec = sample_spec(seed, index)
        timings["plan"] = timings.get("plan", 0.0) + (time.process_time() - t0) * 1000
        frame = render_spec(spec, timings)
        t0 = time.process_time()
        encode(frame)
        timings["encode"] = timings.get("encode", 0.0) + (time.process_time() - t0) * 1000
        pixels += frame.image.shape[0] * frame.image.shape[1]
    return timings, time.process_time() - start, pixels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--workers", type=int, default=0, help="also time write_dataset with this many workers"
    )
    args = parser.parse_args()

    timings, wall, pixels = bench_stages(args.count, args.seed)
    table = Table(title=f"synthetic frames: {args.count} frames, seed {args.seed}, 1 process, 1 thread")
    table.add_column("stage")
    table.add_column("ms / frame", justify="right")
    table.add_column("share", justify="right")
    total = sum(timings.values())
    for stage, ms in timings.items():
        table.add_row(stage, f"{ms / args.count:.1f}", f"{ms / total:.0%}")
    table.add_row("total", f"{wall * 1000 / args.count:.1f}", "")
    console = Console()
    console.print(table)
    console.print(
        f"{args.count / wall:.1f} frames/s per core, mean frame {pixels / args.count / 1e6:.2f} MP "
        f"(render + JPEG encode, no disk)"
    )
    if args.workers:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            start = time.process_time()
            write_dataset(tmp, args.count, args.seed, workers=args.workers, progress=False)
            wall = time.process_time() - start
        console.print(
            f"write_dataset, {args.workers} workers: {args.count / wall:.1f} frames/s (incl. start-up)"
        )


if __name__ == "__main__":
    main()
