"""How fast is the Ray pipeline, against one process running the same inspector? Prints tables.

python bench/bench_pipeline.py                   # 48 synthetic frames; 1 and 2 workers; fused and separate
python bench/bench_pipeline.py --frames-dir DIR --workers 1,2,4 --stages fused
python bench/bench_pipeline.py --device cuda --stages separate   # the CNN actor on the cluster's GPU
bash bench/device_pipeline.sh                    # the same on a lent GPU machine (see that script)

Throughput is measured after the actors have built their inspectors (start-up is reported separately).
Decision latency is measured for the layout the pipeline picks by itself (--cnn-stage auto) with the most
workers, at 80% of its sustained rate: frames are released at that pace, as a camera would, and latency
runs from a frame's release to its record being durably written.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import ray
from rich.console import Console
from rich.table import Table

from mailpiece.inspect.frame import Frame
from mailpiece.inspect.result import Result
from mailpiece.pipelines.cluster import plan_stages
from mailpiece.pipelines.driver import run_pipeline
from mailpiece.pipelines.records import Sink
from mailpiece.pipelines.sinks import open_sink
from mailpiece.pipelines.sources import FolderSource, SourceItem
from mailpiece.pipelines.workers import InspectorSettings


class PacedFrames:
    """Frames held in memory, released at ``rate_hz`` like a camera on a running belt."""

    def __init__(self, frames: list[Frame], rate_hz: float) -> None:
        self.frames, self.rate_hz = frames, rate_hz
        self._next = 0
        self._start: float | None = None

    name = "paced frames"
    skips_written = False

    @property
    def exhausted(self) -> bool:
        return self._next >= len(self.frames)

    def attach(self, sink: Sink) -> None:
        pass

    def poll(self, limit: int) -> list[SourceItem]:
        now = time.monotonic()
        self._start = self._start or now
        items = []
        while self._next < len(self.frames) and len(items) < limit:
            due = self._start + self._next / self.rate_hz
            if due > now:
                break
            frame = self.frames[self._next]
            items.append(SourceItem(piece_id=frame.piece_id, source=frame.source, payload=frame,
                                    arrived_s=due))
            self._next += 1
        return items

    def image_path(self, item: SourceItem, result: Result) -> str | None:
        return None

    def ack(self, item: SourceItem, result: Result) -> None:
        pass

    def close(self) -> None:
        pass


def single_process_rate(frames: list[Frame], settings: InspectorSettings, device: str) -> float:
    """Pieces per second of one inspector in this process (one thread), the baseline."""
    inspector = settings.build(cnn=True, device=device)
    for frame in frames[:2]:
        inspector(frame)  # warm-up: first calls pay for lazy initialisation
    start = time.perf_counter()
    for frame in frames:
        inspector(frame)
    return len(frames) / (time.perf_counter() - start)


def _frames(args: argparse.Namespace, workdir: Path) -> Path:
    if args.frames_dir:
        return Path(args.frames_dir)
    from mailpiece.datasets import write_dataset

    write_dataset(workdir / "dataset", args.count, seed=args.seed, progress=False)
    return workdir / "dataset" / "frames"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=48, help="synthetic frames to render (default 48)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--frames-dir", help="use these frames instead of rendering")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--stages", default="fused,separate", help="cnn stages to measure")
    parser.add_argument("--device", default="auto", help="the pipeline's --device")
    parser.add_argument("--cpus", type=int, default=None, help="CPUs of the local Ray cluster (default: all)")
    parser.add_argument("--checkpoint", type=Path, default=None)
    parser.add_argument("--baseline-count", type=int, default=None,
                        help="frames for the one-process baseline (default: all; it is the slowest part)")
    parser.add_argument("--latency-seconds", type=float, default=40.0, help="length of the paced run")
    args = parser.parse_args()
    os.environ["OMP_THREAD_LIMIT"] = "1"  # the baseline gets one Tesseract thread, like each worker

    settings = InspectorSettings(checkpoint=args.checkpoint)
    workdir = Path(tempfile.mkdtemp(prefix="mpbench"))
    folder = _frames(args, workdir)
    frames = [Frame.from_path(p) for p in sorted(folder.iterdir())]
    console = Console()
    console.print(f"{len(frames)} frames from {folder}; {os.cpu_count()} CPUs visible")

    baseline = single_process_rate(frames[: args.baseline_count], settings, "cpu")
    table = Table(title="throughput: Ray pipeline vs one process running the same inspector")
    for col in ("layout", "workers", "CNN on", "pieces/s", "× one process", "start-up s"):
        table.add_column(col, justify="right")
    table.add_row("one process (no Ray)", "1", "cpu", f"{baseline:.2f}", "1.00", "-")

    ray.init(address="local", num_cpus=args.cpus, include_dashboard=False, _temp_dir=str(workdir / "ray"),
             log_to_driver=False)
    measured: dict[tuple[str, int], float] = {}
    for stage in args.stages.split(","):
        for workers in (int(w) for w in args.workers.split(",")):
            sink = open_sink(f"sqlite:{workdir / f'{stage}-{workers}.db'}")
            started = time.perf_counter()
            summary = run_pipeline(FolderSource(folder), sink, workers=workers, settings=settings,
                                   cnn_stage=stage, device=args.device)
            startup = time.perf_counter() - started - summary.elapsed_s
            table.add_row(f"ray, CNN {summary.cnn_stage}", str(workers), summary.cnn_device,
                          f"{summary.pieces_per_s:.2f}", f"{summary.pieces_per_s / baseline:.2f}",
                          f"{startup:.1f}")
            measured[(summary.cnn_stage, workers)] = summary.pieces_per_s
    console.print(table)

    # Latency for the layout the pipeline picks by itself on this cluster, with the most workers measured.
    stage = plan_stages(ray.cluster_resources(), device=args.device).cnn_stage
    workers = max(w for s, w in measured if s == stage)
    rate = 0.8 * measured[(stage, workers)]
    count = max(len(frames), int(rate * args.latency_seconds))
    paced = [Frame(piece_id=f"paced-{i:05d}", source=f.source, data=f.data)
             for i, f in enumerate(frames[i % len(frames)] for i in range(count))]
    summary = run_pipeline(PacedFrames(paced, rate), open_sink(f"sqlite:{workdir / 'paced.db'}"),
                           workers=workers, settings=settings, cnn_stage=stage, device=args.device)
    latency = Table(title=f"decision latency at 80% of the sustained rate ({stage}, {workers} workers)")
    for col in ("offered /s", "achieved /s", "pieces", "p50 ms", "p99 ms"):
        latency.add_column(col, justify="right")
    latency.add_row(f"{rate:.2f}", f"{summary.pieces_per_s:.2f}", str(summary.frames),
                    f"{summary.latency_p50_ms:.0f}", f"{summary.latency_p99_ms:.0f}")
    console.print(latency)
    ray.shutdown()


if __name__ == "__main__":
    main()
