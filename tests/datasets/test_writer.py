"""Dataset folders: the files write_dataset promises, readable back, independent of the worker count."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import typer
from typer.testing import CliRunner

from mailpiece.cli.synth import synth
from mailpiece.datasets import iter_labels, read_labels, render_frame, write_dataset


def test_write_dataset_writes_frames_labels_and_readme(tmp_path: Path) -> None:
    summary = write_dataset(tmp_path / "ds", count=4, seed=11, progress=False)
    out = tmp_path / "ds"
    labels = read_labels(out)
    assert [lb.piece_id for lb in labels] == [f"piece_{i:06d}" for i in range(4)]
    assert sorted(p.name for p in (out / "frames").iterdir()) == [f"piece_{i:06d}.jpg" for i in range(4)]
    for label in labels:
        img = cv2.imread(str(out / label.image))
        assert img is not None and img.shape[:2] == (label.height, label.width)
    lines = (out / "labels.jsonl").read_text().splitlines()
    assert len(lines) == 4 and all(json.loads(line)["seed"] == 11 for line in lines)
    assert list(iter_labels(out)) == labels
    readme = (out / "README.md").read_text()
    assert "seed 11" in readme and "4 frames" in readme and "postage" in readme
    assert sum(summary.class_counts["postage"].values()) == 4


def test_files_match_render_frame(tmp_path: Path) -> None:
    write_dataset(tmp_path, count=2, seed=5, progress=False)
    frame = render_frame(5, 1)
    saved = cv2.imread(str(tmp_path / "frames" / "piece_000001.jpg"))
    assert read_labels(tmp_path)[1] == frame.label
    assert np.abs(saved.astype(int) - frame.image.astype(int)).mean() < 6  # only JPEG loss apart


def test_two_workers_write_the_same_bytes_as_one(tmp_path: Path) -> None:
    write_dataset(tmp_path / "one", count=3, seed=9, workers=1, progress=False)
    write_dataset(tmp_path / "two", count=3, seed=9, workers=2, progress=False)
    for name in ("labels.jsonl", "README.md", "frames/piece_000002.jpg"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def test_cli_writes_a_dataset_and_a_preview(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(synth)
    result = CliRunner().invoke(
        app, [str(tmp_path / "out"), "--count", "2", "--seed", "3", "--preview", str(tmp_path / "sheet.png")]
    )
    assert result.exit_code == 0, result.output
    assert len(read_labels(tmp_path / "out")) == 2
    sheet = cv2.imread(str(tmp_path / "sheet.png"))
    assert sheet is not None and sheet.shape[1] >= 4 * 100
    assert "labels.jsonl" in result.output


def test_cli_help_documents_every_option() -> None:
    app = typer.Typer()
    app.command()(synth)
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for option in ("--count", "--seed", "--workers", "--preview"):
        assert option in result.output
