"""Options several commands share, declared once so their help text stays the same everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from mailpiece.datasets.config import SynthConfig


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


def synth_options_option() -> list[str]:
    return typer.Option(
        [],
        "--synth-option",
        help="Generator setting NAME=VALUE (a SynthConfig field, e.g. p_advert_art=0.2, "
        "postage_mix=stamp:1,none:1, jpeg_quality=30-90); repeatable. docs/synthetic.md lists them.",
    )


def synth_config(options: list[str]) -> SynthConfig:
    """The generator config the ``--synth-option`` settings ask for (a usage error if one is bad); the
    generator is imported here, not at module level, to keep ``--help`` fast."""
    from mailpiece.datasets.config import SynthConfig

    try:
        return SynthConfig().with_options(options)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="--synth-option") from None
