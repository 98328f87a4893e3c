"""`mailpiece export-labels`: the review desk's corrected pieces as a training dataset folder."""

from __future__ import annotations

from pathlib import Path

import typer


def export_labels(
    out: Path = typer.Argument(..., help="Dataset folder to write (frames/ + labels.jsonl)."),
    db: Path = typer.Option(Path("results.db"), "--db", help="The review desk's results database."),
) -> None:
    """Write every reviewed piece as a dataset (images + labels.jsonl in the generator's format).

    `mailpiece train --extra OUT` mixes it into training. Labels carry the reviewer's postage and damage
    kinds and ZIP; OUT/labels.jsonl is rewritten on each export.
    """
    from mailpiece.review.export import export_labels as export
    from mailpiece.review.store import ReviewStore

    try:
        store = ReviewStore(db)
    except (FileNotFoundError, ValueError) as error:
        raise typer.BadParameter(str(error), param_hint="--db") from error
    summary = export(store, out)
    left_out = ", ".join(f"{n} with {why}" for why, n in summary.skipped.items())
    typer.echo(
        f"{summary.exported} reviewed pieces → {out}/labels.jsonl"
        + (f" (left out: {left_out})" if left_out else "")
    )
    if summary.exported:
        typer.echo(f"train with them: mailpiece train --synthetic 20000 --extra {out}")
