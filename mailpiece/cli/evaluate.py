"""`mailpiece evaluate`: run the inspector over a labelled dataset and score it against the ground truth."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from mailpiece.cli.options import (
    checkpoint_option,
    cnn_option,
    device_option,
    ocr_engine_option,
    sort_plan_option,
)


def evaluate(
    dataset: Path = typer.Argument(
        ..., help="A labelled dataset folder (frames/ + labels.jsonl), e.g. from `synth`."
    ),
    limit: int | None = typer.Option(None, "--limit", "-n", min=1, help="Score only the first N frames."),
    results_out: Path | None = typer.Option(
        None, "--results", help="Also write every result record to this JSONL file."
    ),
    report_out: Path | None = typer.Option(
        None, "--report", help="Also write the scores as JSON to this file."
    ),
    ocr_engine: str = ocr_engine_option(),
    sort_plan: Path | None = sort_plan_option(),
    checkpoint: Path | None = checkpoint_option(),
    cnn: bool = cnn_option(),
    device: str = device_option(),
    workers: int = typer.Option(
        1,
        "--workers",
        "-j",
        min=0,
        help="Inspect with this many worker processes, one core each (0: one per CPU core). Stage "
        "latencies are per worker: with more workers than idle cores they include waiting for one.",
    ),
) -> None:
    """Score the inspector on a labelled dataset: read rate, mis-sorts, reject reasons, the read-rate vs
    error curve over the confidence threshold, CNN precision/recall and catch rates, and latency per stage.
    """
    from rich.console import Console
    from rich.progress import track

    from mailpiece.cli.report import print_address_scores, print_cnn_scores, truths_of
    from mailpiece.datasets.labels import read_labels
    from mailpiece.inspect.evaluation import score_addresses, score_cnn
    from mailpiece.inspect.factory import resolve_device
    from mailpiece.inspect.frame_pool import FramePool, InspectorOptions, cpu_cores

    if not (dataset / "labels.jsonl").is_file():
        typer.echo(f"error: {dataset} has no labels.jsonl (make one with `mailpiece synth`)", err=True)
        raise typer.Exit(2)
    labels = read_labels(dataset)[:limit]
    options = InspectorOptions(
        ocr_engine=ocr_engine,
        sort_plan=sort_plan,
        checkpoint=checkpoint,
        cnn=cnn,
        device=resolve_device(device),
    )
    results = []
    sink = results_out.open("w", encoding="utf-8") if results_out else None
    try:
        with FramePool(options, workers=min(workers or cpu_cores(), max(1, len(labels)))) as pool:
            paths = [dataset / label.image for label in labels]
            for result in track(
                pool.inspect(paths), total=len(paths), description="evaluating", transient=True
            ):
                results.append(result)
                if sink:
                    sink.write(json.dumps(result.to_dict()) + "\n")
    finally:
        if sink:
            sink.close()
    truths = truths_of(labels)
    address = score_addresses(results, truths)
    thresholds = pool.cnn_thresholds
    cnn_scores = score_cnn(
        results, truths, postage_threshold=thresholds.no_postage, damage_threshold=thresholds.damaged
    )
    console = Console()
    console.print(f"[bold]{dataset}[/]: {len(results)} frames, model {pool.model_name or '(no CNN)'}")
    print_address_scores(console, address)
    if cnn_scores:
        print_cnn_scores(console, cnn_scores)
    if report_out:
        report = {
            "dataset": str(dataset),
            "frames": len(results),
            "model": pool.model_name,
            "address": address.to_dict(),
            "cnn": cnn_scores.to_dict() if cnn_scores else None,
        }
        report_out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
