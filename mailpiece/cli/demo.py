"""`mailpiece demo`: synthetic frames → the Ray pipeline → SQLite → summary → where to look next."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from mailpiece.cli.options import device_option

DEMO_SEED = 2026


def demo(
    out: Path = typer.Option(Path("demo-out"), "--out", help="Folder for the frames and results.db."),
    count: int = typer.Option(40, "--count", "-n", min=1, help="How many synthetic frames to run."),
    seed: int = typer.Option(DEMO_SEED, "--seed", help="Dataset seed (the same seed gives the same frames)."),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="Inspector workers (default: one per CPU)."
    ),
    device: str = device_option(),
) -> None:
    """Run the whole line on built-in synthetic frames and show what it decided.

    Renders COUNT labelled frames into OUT/dataset, runs the Ray pipeline over them into OUT/results.db
    (SQLite), prints the run summary and how the decisions compare with the ground truth, then the commands to
    look further.
    """
    from rich.console import Console

    from mailpiece.cli.report import print_address_scores, truths_of
    from mailpiece.datasets.labels import read_labels
    from mailpiece.datasets.writer import write_dataset
    from mailpiece.inspect.config import CnnThresholds
    from mailpiece.inspect.evaluation import score_addresses, score_cnn
    from mailpiece.models.checkpoint import load_checkpoint
    from mailpiece.pipelines.driver import run_pipeline

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    console = Console()
    dataset = out / "dataset"
    console.rule("[bold]1. synthetic frames")
    write_dataset(dataset, count, seed, progress=True)
    console.print(f"{count} labelled frames of seed {seed} in {dataset}/frames")
    console.rule("[bold]2. the pipeline (Ray) → SQLite")
    db = out / "results.db"
    records = []
    summary = run_pipeline(
        str(dataset / "frames"),
        f"sqlite:{db}",
        workers=workers,
        device=device,
        reprocess=True,
        progress=True,
        on_record=lambda record: records.append(record),
    )
    console.print(summary.table())
    console.rule("[bold]3. against the ground truth")
    truths = truths_of(read_labels(dataset))
    results = [record.result for record in records]
    print_address_scores(console, score_addresses(results, truths))
    # the thresholds the workers used: the config's defaults, filled in from the shipped checkpoint
    recommended = load_checkpoint().info.metrics.get("recommended_thresholds")
    thresholds = CnnThresholds().resolved(recommended)
    cnn = score_cnn(
        results, truths, postage_threshold=thresholds.no_postage, damage_threshold=thresholds.damaged
    )
    if cnn:
        rates = cnn.at_config
        console.print(
            f"CNN: unpaid caught {rates.unpaid_caught or 0:.0%} of {rates.unpaid}, damaged caught "
            f"{rates.damaged_caught or 0:.0%} of {rates.damaged}, good pieces rejected "
            f"{rates.good_rejected or 0:.0%} of {rates.good}"
        )
    console.rule("[bold]where to look next")
    console.print(f"  every record:            {db} (SQLite, table `results`, one row per piece)")
    console.print(f"  review the flagged ones: mailpiece review --db {db}   (then open http://127.0.0.1:8000/)")
    console.print(f"  score it in detail:      mailpiece evaluate {dataset}")
    console.print(f"  one frame at a time:     mailpiece inspect --json {dataset}/frames/piece_000000.jpg")
    console.print(f"  run it on your frames:   mailpiece run --source DIR --sink sqlite:{db}")
