"""The command line documents itself, and the docs name every command it has."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
import typer
from typer.testing import CliRunner

from mailpiece.cli import app

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = sorted(typer.main.get_command(app).commands)


def test_every_command_is_listed_in_the_help() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert COMMANDS and all(name in result.output for name in COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_and_option_has_help_text(name: str) -> None:
    command = typer.main.get_command(app).commands[name]
    assert command.help and command.help.strip(), f"{name} has no docstring"
    for param in command.params:
        if isinstance(param, click.Option) and param.name != "help":
            assert param.help, f"{name} --{param.name} has no help text"
    assert CliRunner().invoke(app, [name, "--help"]).exit_code == 0


@pytest.mark.parametrize("doc", ["README.md", "docs/cli.md"])
def test_the_docs_name_every_command(doc: str) -> None:
    text = (ROOT / doc).read_text(encoding="utf-8")
    missing = [name for name in COMMANDS if f"mailpiece {name}" not in text]
    assert missing == []


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("mailpiece ")


@pytest.fixture(scope="module")
def tiny_dataset(tmp_path_factory) -> Path:
    from mailpiece.datasets.writer import write_dataset

    out = tmp_path_factory.mktemp("tiny")
    write_dataset(out, 3, seed=31, progress=False)
    return out


def test_inspect_json_runs_with_its_defaults_and_keeps_input_order(
    tiny_dataset: Path, tmp_path: Path
) -> None:
    import json

    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    frames = sorted((tiny_dataset / "frames").glob("*.jpg"))
    result = CliRunner().invoke(app, ["inspect", "--json", str(frames[1]), str(broken), str(frames[0])])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [r["piece_id"] for r in records] == [frames[1].stem, "broken", frames[0].stem]
    assert records[1]["reasons"] == ["bad_image"]
    assert records[0]["model"] and records[0]["postage"] is not None  # the CNN ran on the resolved device
    import torch

    assert torch.get_num_threads() == 1  # one core per inspector, as in the pipeline's workers


def test_inspect_gives_files_with_one_stem_distinct_piece_ids(tiny_dataset: Path, tmp_path: Path) -> None:
    import json
    import shutil

    frames = sorted((tiny_dataset / "frames").glob("*.jpg"))
    folder = tmp_path / "frames"
    for sub in ("x", "y"):
        (folder / sub).mkdir(parents=True)
    for frame, name in zip(frames, ["a.jpg", "a.png", "x/b.jpg"], strict=True):
        shutil.copy2(frame, folder / name)
    for name in ("y/b.jpg", "unique.jpg"):
        (folder / name).write_bytes(b"not a jpeg")  # a bad image is a piece too
    result = CliRunner().invoke(app, ["inspect", "--json", "--no-cnn", str(folder)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    expected = {
        "a.jpg": "a.jpg",
        "a.png": "a.png",
        "unique.jpg": "unique",
        "x/b.jpg": "x~b.jpg",
        "y/b.jpg": "y~b.jpg",
    }  # in input (sorted path) order
    assert [(r["source"], r["piece_id"]) for r in records] == [
        (str(folder / name), piece_id) for name, piece_id in expected.items()
    ]


def test_inspect_refuses_a_missing_path() -> None:
    assert CliRunner().invoke(app, ["inspect", "no/such/frame.jpg"]).exit_code == 2


def test_evaluate_scores_a_labelled_dataset(tiny_dataset: Path, tmp_path: Path) -> None:
    import json

    report = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["evaluate", str(tiny_dataset), "--report", str(report)])
    assert result.exit_code == 0, result.output
    scores = json.loads(report.read_text())
    assert scores["frames"] == 3 and scores["address"]["pieces"] == 3 and scores["cnn"] is not None
    # The same scores from two worker processes (latencies aside: those are each worker's own).
    pooled = tmp_path / "pooled.json"
    result = CliRunner().invoke(
        app, ["evaluate", str(tiny_dataset), "--workers", "2", "--report", str(pooled)]
    )
    assert result.exit_code == 0, result.output
    pooled_scores = json.loads(pooled.read_text())
    for part in (scores, pooled_scores):
        part["address"].pop("latency_ms", None)
    assert pooled_scores == scores


def test_synth_takes_generator_settings_by_name(tmp_path: Path) -> None:
    import json

    out = tmp_path / "posh"
    args = ["synth", str(out), "--count", "3", "--seed", "4", "--synth-option", "postage_mix=meter:1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    labels = [json.loads(line) for line in (out / "labels.jsonl").read_text().splitlines()]
    assert [label["postage"]["kind"] for label in labels] == ["meter"] * 3
    bad = CliRunner().invoke(app, ["synth", str(tmp_path / "x"), "--synth-option", "p_bogus=1"])
    assert bad.exit_code == 2 and "p_bogus" in bad.output
