"""Checkpoints round-trip, carry their own preprocessing, and load with weights_only."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from mailpiece.models.checkpoint import (
    CheckpointInfo,
    default_checkpoint_path,
    load_checkpoint,
    model_version,
    restore_weights,
    save_checkpoint,
)
from mailpiece.models.heads import HEAD_CLASSES
from mailpiece.models.preprocess import PreprocessConfig
from mailpiece.models.zoo import build_model

ODD_PREPROCESS = PreprocessConfig(
    input_size=(80, 176), mean=(0.3, 0.4, 0.5), std=(0.2, 0.3, 0.4), pad_value=33
)


def _trained_looking_model() -> torch.nn.Module:
    torch.manual_seed(0)
    model = build_model("mobilenet_v3_small")
    with torch.no_grad():  # non-trivial batch-norm statistics, so a lost buffer would show
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
    return model.eval()


def _info(model: torch.nn.Module) -> CheckpointInfo:
    return CheckpointInfo(
        version=model_version(model),
        arch="mobilenet_v3_small",
        heads=HEAD_CLASSES,
        preprocess=ODD_PREPROCESS,
        training={"synthetic": {"seed": 1, "count": 10}},
        metrics={"accuracy": {"postage": 0.5}},
    )


@pytest.mark.parametrize("half", [False, True])
def test_round_trip_gives_the_same_outputs(tmp_path: Path, half: bool) -> None:
    model = _trained_looking_model()
    path = save_checkpoint(tmp_path / "m.pt", model, _info(model), half=half)
    loaded = load_checkpoint(path)
    x = torch.randn(2, 3, 80, 176)
    with torch.no_grad():
        before, after = model(x), loaded.model(x)
    for head in HEAD_CLASSES:
        if half:  # fp16 storage: the same decisions, logits within a small tolerance
            torch.testing.assert_close(after[head], before[head], rtol=0.05, atol=0.05)
        else:
            torch.testing.assert_close(after[head], before[head])
    assert not loaded.model.training


def test_loading_builds_the_preprocessing_and_description_from_the_file(tmp_path: Path) -> None:
    model = _trained_looking_model()
    path = save_checkpoint(tmp_path / "m.pt", model, _info(model))
    loaded = load_checkpoint(path)
    assert loaded.preprocess.config == ODD_PREPROCESS
    assert loaded.info.heads == HEAD_CLASSES
    assert loaded.info.training == {"synthetic": {"seed": 1, "count": 10}}
    assert loaded.info.version == _info(model).version
    assert loaded.info.version.startswith("postage-damage@")


def test_the_file_holds_only_plain_data(tmp_path: Path) -> None:
    model = _trained_looking_model()
    path = save_checkpoint(tmp_path / "m.pt", model, _info(model), train_state={"epoch": 3})
    payload = torch.load(path, weights_only=True)  # raises if anything but tensors/containers is inside
    assert payload["train_state"] == {"epoch": 3}
    assert all(v.dtype in (torch.float16, torch.int64) for v in payload["state_dict"].values())


def test_version_follows_the_weights() -> None:
    a, b = _trained_looking_model(), _trained_looking_model()
    assert model_version(a) == model_version(b)
    with torch.no_grad():
        next(b.parameters()).add_(1.0)
    assert model_version(a) != model_version(b)


def test_restore_weights_copies_into_an_existing_model(tmp_path: Path) -> None:
    model = _trained_looking_model()
    path = save_checkpoint(tmp_path / "m.pt", model, _info(model), half=False)
    other = build_model("mobilenet_v3_small")
    restore_weights(other, path)
    for (name, a), (_, b) in zip(model.state_dict().items(), other.state_dict().items(), strict=True):
        assert torch.equal(a, b), name


def test_a_foreign_file_is_refused(tmp_path: Path) -> None:
    torch.save({"state_dict": {}}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="not a mailpiece-cnn"):
        load_checkpoint(tmp_path / "other.pt")


def test_the_default_path_points_into_the_package() -> None:
    path = default_checkpoint_path()
    assert path.name == "postage_damage.pt" and path.parent.name == "resources"
    assert path.parent.parent.name == "mailpiece"
