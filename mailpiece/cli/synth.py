"""`mailpiece synth`: render synthetic mail-piece frames with ground truth into a dataset folder."""

from __future__ import annotations

from pathlib import Path

import typer

from mailpiece.cli.options import synth_config, synth_options_option


def synth(
    out: Path = typer.Argument(
        ..., help="Folder to write frames/, labels.jsonl and README.md into (created)."
    ),
    count: int = typer.Option(100, "--count", "-n", min=0, help="How many frames to render."),
    seed: int = typer.Option(
        0, "--seed", "-s", min=0, help="Dataset seed; frame i is a pure function of (seed, i)."
    ),
    workers: int = typer.Option(
        1, "--workers", "-w", min=1, help="Render in this many processes (same output)."
    ),
    preview: Path | None = typer.Option(
        None,
        "--preview",
        help="Also write a contact sheet PNG of the first 16 frames, with ground truth drawn.",
    ),
    synth_option: list[str] = synth_options_option(),
) -> None:
    """Render COUNT synthetic camera frames of mail pieces with labels (postage, damage, address, boxes)."""
    import cv2
    from rich.console import Console
    from rich.table import Table

    from mailpiece.datasets import make_contact_sheet, render_frame, write_dataset

    config = synth_config(synth_option)
    console = Console()
    summary = write_dataset(out, count, seed, config, workers=workers, progress=True)
    table = Table(title=f"{count} frames, seed {seed} -> {out}")
    table.add_column("group")
    table.add_column("counts")
    for group in ("postage", "damage", "piece_type", "orientation", "grayscale", "sortable"):
        table.add_row(group, ", ".join(f"{k}: {v}" for k, v in summary.class_counts[group].items()))
    console.print(table)
    console.print(f"wrote {out / 'frames'}/ ({count} JPEGs), {out / 'labels.jsonl'}, {out / 'README.md'}")
    if preview is not None:
        frames = [render_frame(seed, i, config) for i in range(min(16, count))]
        if frames:
            preview.parent.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(preview), make_contact_sheet(frames, cols=4))
            console.print(f"wrote contact sheet {preview}")
