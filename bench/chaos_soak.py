"""The long chaos soak: 10,000+ frames through the Ray pipeline while workers are killed. Prints a table.

python bench/chaos_soak.py                          # 10,000 frames, 4 workers on 2 CPUs, a kill every 5 s
python bench/chaos_soak.py --frames 20000 --every 5 --cpus 8 --workers 8

The frames and the killer are the ones the slow test uses (tests/pipelines/chaos.py): downscaled synthetic
renders hard-linked under many piece ids, 1% truncated JPEGs. The run passes when SQLite holds exactly one
record per frame (lost = 0, unexpected = 0) and no frame was written twice. The exit status says so.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import ray
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared chaos helpers live in tests/

from mailpiece.pipelines.workers import InspectorSettings  # noqa: E402
from tests.pipelines.chaos import make_frame_folder, run_chaos  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=10_000)
    parser.add_argument("--distinct", type=int, default=96, help="distinct renders behind the frames")
    parser.add_argument("--cpus", type=int, default=2, help="CPUs of the private Ray cluster")
    parser.add_argument("--workers", type=int, default=4,
                        help="inspector actors (more than CPUs: the others work while one restarts)")
    parser.add_argument("--every", type=float, default=5.0,
                        help="seconds between kills (deferred while an actor restarts)")
    parser.add_argument("--seed", type=int, default=0, help="which workers get killed")
    parser.add_argument("--progress", action="store_true")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="mpsoak", dir="/tmp"))
    try:
        start = time.perf_counter()
        ids = make_frame_folder(work / "frames", args.frames, distinct=args.distinct)
        made_s = time.perf_counter() - start
        # Ray starts workers at nice 15; on a machine shared with other work they would only get its
        # leftovers. A line owns its machine: run the workers at the driver's priority.
        os.environ.setdefault("RAY_worker_niceness", "0")
        ray.init(address="local", num_cpus=args.cpus, include_dashboard=False,
                 _temp_dir=str(work / "ray"), log_to_driver=False)
        start = time.perf_counter()
        report = run_chaos(work / "frames", ids, work / "results.db", settings=InspectorSettings(),
                           workers=args.workers, every_s=args.every, seed=args.seed, run_id="soak",
                           progress=args.progress)
        run_s = time.perf_counter() - start
    finally:
        ray.shutdown()
        shutil.rmtree(work, ignore_errors=True)

    table = Table("measure", "value", title="chaos soak")
    rows = [
        ("frames", report.frames), ("CPUs", args.cpus), ("workers", args.workers),
        ("kill every (s)", args.every),
        ("workers killed", report.kills), ("kills deferred (an actor restarting)", report.deferred),
        ("frame retries", report.summary.retries),
        ("records in SQLite", report.rows), ("records lost", report.lost),
        ("unexpected records", len(report.unexpected)), ("frames written twice", report.duplicates),
        ("processing_error", report.reasons.get("processing_error", 0)),
        ("bad_image (1% are truncated)", report.reasons.get("bad_image", 0)),
        ("reasons", ", ".join(f"{k} {v}" for k, v in sorted(report.reasons.items()))),
        ("sorted", report.summary.sorted), ("rejected", report.summary.rejected),
        ("frames made (s)", f"{made_s:.1f}"), ("run (s)", f"{run_s:.1f}"),
        ("interrupted", "yes: the counts cover what ran" if report.summary.interrupted else "no"),
        ("frames/s", f"{report.rows / run_s:.2f}"),
    ]
    for name, value in rows:
        table.add_row(name, str(value))
    Console().print(table)
    for message, count in list(report.errors.items())[:10]:
        print(f"processing_error x{count}: {message}")
    ok = (report.lost == 0 and not report.unexpected and report.duplicates == 0
          and report.rows == report.frames)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
