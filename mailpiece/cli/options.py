"""Options several commands share, declared once so their help text stays the same everywhere."""

from __future__ import annotations

from pathlib import Path

import typer


def ocr_engine_option() -> str:
    return typer.Option(
        "auto", "--ocr-engine", help="OCR engine: auto (fastest installed), tesserocr, pytesseract."
    )


def sort_plan_option() -> Path | None:
    return typer.Option(
        None, "--sort-plan", help="Sort plan CSV (prefix,bin). Default: the packaged sample plan."
    )


def checkpoint_option() -> Path | None:
    return typer.Option(
        None, "--checkpoint", help="CNN checkpoint file. Default: the checkpoint shipped in the package."
    )


def device_option() -> str:
    return typer.Option("auto", "--device", help="Where the CNN runs: auto (CUDA if available), cpu, cuda.")


def cnn_option() -> bool:
    return typer.Option(True, "--cnn/--no-cnn", help="Run the postage/damage CNN (--no-cnn: address only).")
