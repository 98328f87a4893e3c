"""`mailpiece inspect`: run the inspector in-process over image files and folders."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import typer

from mailpiece.cli.frames import frame_files
from mailpiece.cli.options import (
    checkpoint_option,
    cnn_option,
    device_option,
    ocr_engine_option,
    sort_plan_option,
)


def inspect(
    paths: list[Path] = typer.Argument(
        ..., help="Image files and/or folders (searched recursively for images)."
    ),
    json_lines: bool = typer.Option(
        False, "--json", help="Print one result record per line (JSON), in input order, instead of a table."
    ),
    ocr_engine: str = ocr_engine_option(),
    sort_plan: Path | None = sort_plan_option(),
    checkpoint: Path | None = checkpoint_option(),
    cnn: bool = cnn_option(),
    device: str = device_option(),
) -> None:
    """Inspect frames in this process and print each piece's decision.

    Exits 0 even when pieces are rejected or frames are bad: every frame gets a record. A path that does not
    exist is a usage error (exit 2).
    """
    from rich.console import Console
    from rich.table import Table

    from mailpiece.inspect.factory import build_inspector, resolve_device, use_one_core
    from mailpiece.inspect.frame import Frame

    try:
        files = frame_files(paths)
    except FileNotFoundError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    use_one_core()
    inspector = build_inspector(
        ocr_engine=ocr_engine,
        sort_plan=sort_plan,
        checkpoint=checkpoint,
        cnn=cnn,
        device=resolve_device(device),
    )
    err_console = Console(stderr=True)
    table = Table("piece", "decision", "bin", "ZIP", "conf", "postage", "damage", "reasons / message")
    decisions: Counter[str] = Counter()
    with err_console.status("inspecting…") as status:
        for number, (path, piece_id) in enumerate(files, start=1):
            status.update(f"inspecting {number}/{len(files)}: {path.name}")
            try:
                frame = Frame.from_path(path, piece_id=piece_id)
            except OSError as err:
                frame = Frame(piece_id=piece_id, source=str(path), data=b"")
                result = inspector.reject_bad(frame, f"cannot read file: {err}")
            else:
                result = inspector(frame)
            decisions[result.decision] += 1
            if json_lines:
                sys.stdout.write(json.dumps(result.to_dict()) + "\n")
                sys.stdout.flush()
                continue
            address = result.address
            table.add_row(
                result.piece_id,
                result.decision,
                result.bin or "-",
                (address.zip5 or "-") if address else "-",
                f"{address.confidence:.2f}" if address else "-",
                result.postage.kind if result.postage else "-",
                result.damage.kind if result.damage else "-",
                ", ".join(result.reasons) + (f" ({result.message})" if result.message else ""),
            )
    if not json_lines:
        Console().print(table)
    err_console.print(f"{len(files)} frames: " + ", ".join(f"{n} {d}" for d, n in sorted(decisions.items())))
