"""`mailpiece run`: the Ray pipeline from a source to a sink, with a live progress line and a summary."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from mailpiece.cli.options import checkpoint_option, ocr_engine_option, sort_plan_option


def run(
    source: str = typer.Option(
        ...,
        "--source",
        help="Where frames come from: a folder (process it, then stop), watch:DIR (a hot "
        "folder; a taken file waits in DIR/inspecting, then moves to DIR/done or DIR/failed once "
        "recorded), video:PATH, camera:N, or synthetic:N[:SEED].",
    ),
    sink: str = typer.Option(
        "sqlite:results.db",
        "--sink",
        help="Where records go: sqlite:PATH (one row per piece, upserted), jsonl:PATH (appended) or stdout.",
    ),
    workers: int | None = typer.Option(
        None,
        "--workers",
        min=1,
        help="Inspector workers (one CPU each). Default: one per CPU in the cluster.",
    ),
    address: str | None = typer.Option(
        None,
        "--address",
        help="Join this Ray cluster (e.g. 10.0.0.5:6379 or auto). Default: start a private local one.",
    ),
    max_in_flight: int | None = typer.Option(
        None,
        "--max-in-flight",
        min=1,
        help="Frames in the cluster at once (backpressure). Default: 3 per worker.",
    ),
    ocr_engine: str = ocr_engine_option(),
    sort_plan: Path | None = sort_plan_option(),
    checkpoint: Path | None = checkpoint_option(),
    device: str = typer.Option(
        "auto", "--device", help="Where the CNN runs: auto (the cluster's GPU if it has one), cpu, cuda."
    ),
    cnn_stage: str = typer.Option(
        "auto",
        "--cnn-stage",
        help="auto, fused (CNN inside each CPU worker) or separate (one batching CNN "
        "actor). auto: separate on a GPU, fused on CPU.",
    ),
    reprocess: bool = typer.Option(
        False, "--reprocess", help="Inspect folder frames again even when the sink already has their record."
    ),
    trigger: bool = typer.Option(
        False,
        "--trigger",
        help="video/camera: emit one frame per passing piece (piece-present trigger) instead of every frame.",
    ),
    max_attempts: int = typer.Option(
        3,
        "--max-attempts",
        min=1,
        help="Worker deaths a frame may cause before it is rejected as processing_error.",
    ),
    json_summary: bool = typer.Option(False, "--json-summary", help="Print the run summary as JSON."),
) -> None:
    """Run the inspection line on Ray: every frame gets exactly one record in the sink.

    Ctrl-C or SIGTERM drains the frames in flight, writes them and exits 0; a second Ctrl-C aborts.
    """
    from rich.console import Console

    from mailpiece.inspect.sort_plan import SortPlan
    from mailpiece.pipelines.driver import run_pipeline
    from mailpiece.pipelines.sinks import open_sink
    from mailpiece.pipelines.sources import open_source
    from mailpiece.pipelines.workers import InspectorSettings

    try:
        if checkpoint is not None and not checkpoint.is_file():
            raise FileNotFoundError(f"no such checkpoint file: {checkpoint}")
        SortPlan.load(sort_plan)
        frames = open_source(source, reprocess=reprocess, piece_trigger=trigger)
        records = open_sink(sink)
    except (ValueError, FileNotFoundError) as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    # Records own stdout when the sink is stdout; the operator's view then goes to stderr.
    console = Console(stderr=sink == "stdout")
    summary = run_pipeline(
        frames,
        records,
        workers=workers,
        address=address,
        max_in_flight=max_in_flight,
        settings=InspectorSettings(ocr_engine=ocr_engine, sort_plan=sort_plan, checkpoint=checkpoint),
        device=device,
        cnn_stage=cnn_stage,
        reprocess=reprocess,
        max_attempts=max_attempts,
        progress=sys.stderr.isatty(),
    )
    if json_summary:
        console.print_json(json.dumps(summary.to_dict()))
    else:
        console.print(summary.table())
