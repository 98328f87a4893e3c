"""The training recipe on CPU: loss goes down, runs repeat exactly, fit() checkpoints, logs and resumes."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from mailpiece.models.checkpoint import CheckpointInfo, load_checkpoint
from mailpiece.models.fit import FitConfig, fit
from mailpiece.models.heads import HEAD_CLASSES
from mailpiece.models.predict import PieceClassifier, SecondView
from mailpiece.models.preprocess import Preprocess, PreprocessConfig
from mailpiece.models.train import PieceLoss, Precision, _second_look, evaluate, train_one_epoch
from mailpiece.models.zoo import build_model

PRE = PreprocessConfig(input_size=(48, 96))


def _samples(n: int, seed: int) -> list[tuple[torch.Tensor, dict[str, int]]]:
    """Images whose classes are painted on them: a learnable toy problem in real tensors."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        postage, damage, flip = int(rng.integers(4)), int(rng.integers(5)), int(rng.integers(2))
        img = rng.integers(90, 130, size=(3, 48, 96)).astype(np.uint8)
        img[postage % 3, :12, 72:] = 250 if postage < 3 else 0
        img[:, 30:, damage * 18 : damage * 18 + 14] = 20
        if flip:
            img = img[:, ::-1, ::-1].copy()
        out.append((torch.from_numpy(img), {"postage": postage, "damage": damage, "orientation": flip}))
    return out


def _loss_fn() -> PieceLoss:
    return PieceLoss({h: torch.ones(len(c)) for h, c in HEAD_CLASSES.items()})


def _loader(samples: list, shuffle: bool, seed: int = 0) -> DataLoader:
    return DataLoader(samples, batch_size=8, shuffle=shuffle, generator=torch.Generator().manual_seed(seed))


def _info() -> CheckpointInfo:
    return CheckpointInfo(version="", arch="mobilenet_v3_small", heads=HEAD_CLASSES, preprocess=PRE)


def test_a_few_steps_lower_the_loss() -> None:
    torch.manual_seed(0)
    model = build_model("mobilenet_v3_small")
    data = _loader(_samples(16, 0), shuffle=True)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3)
    losses = [
        train_one_epoch(model, data, opt, _loss_fn(), torch.device("cpu"), preprocess=Preprocess(PRE))["loss"]
        for _ in range(6)
    ]
    assert losses[-1] < losses[0] * 0.7


def test_the_same_seed_trains_the_same_weights_on_cpu() -> None:
    def run() -> dict[str, torch.Tensor]:
        torch.manual_seed(3)
        model = build_model("mobilenet_v3_small")
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
        train_one_epoch(
            model,
            _loader(_samples(16, 1), True, seed=5),
            opt,
            _loss_fn(),
            torch.device("cpu"),
            preprocess=Preprocess(PRE),
        )
        return model.state_dict()

    a, b = run(), run()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_fit_checkpoints_logs_and_resumes(tmp_path: Path) -> None:
    torch.manual_seed(0)
    train, val = _loader(_samples(16, 2), True), _loader(_samples(8, 3), False)
    seen: list[int] = []
    result = fit(
        build_model("mobilenet_v3_small"),
        train,
        val,
        loss_fn=_loss_fn(),
        device=torch.device("cpu"),
        info=_info(),
        out_dir=tmp_path,
        config=FitConfig(epochs=2, patience=5, lr=2e-3),
        on_epoch=lambda epoch, *_: seen.append(epoch),
    )
    assert seen == [1, 2] and result.epochs_run == 2 and 1 <= result.best_epoch <= 2
    best = load_checkpoint(result.best_path)
    assert best.info.version.startswith("postage-damage@") and best.info.metrics["epoch"] == result.best_epoch
    assert best.preprocess.config == PRE
    last = load_checkpoint(result.last_path)
    assert last.train_state is not None and last.train_state["epoch"] == 2

    resumed = fit(
        last.model,
        train,
        val,
        loss_fn=_loss_fn(),
        device=torch.device("cpu"),
        info=_info(),
        out_dir=tmp_path,
        config=FitConfig(epochs=3, patience=5, lr=2e-3),
        resume_state=last.train_state,
        on_epoch=lambda epoch, *_: seen.append(epoch),
    )
    assert seen == [1, 2, 3] and resumed.epochs_run == 3
    rows = list(csv.DictReader((tmp_path / "metrics.csv").open()))
    assert [r["epoch"] for r in rows] == ["1", "2", "3"]
    assert {"val_loss", "acc_postage", "tuned_good_rejected"} <= set(rows[0])


def test_early_stopping_ends_a_run_that_stops_improving(tmp_path: Path) -> None:
    torch.manual_seed(0)
    seen: list[int] = []
    frozen = FitConfig(epochs=6, patience=1, lr=1e-12, warmup_epochs=0)  # nothing can improve
    result = fit(
        build_model("mobilenet_v3_small"),
        _loader(_samples(8, 4), True),
        _loader(_samples(8, 5), False),
        loss_fn=_loss_fn(),
        device=torch.device("cpu"),
        info=_info(),
        out_dir=tmp_path,
        config=frozen,
        on_epoch=lambda epoch, *_: seen.append(epoch),
    )
    assert result.epochs_run < 6 and seen == list(range(1, result.epochs_run + 1))


@pytest.mark.needs_cuda
def test_a_cuda_epoch_runs_in_bf16_channels_last_and_learns() -> None:
    device = torch.device("cuda")
    torch.manual_seed(0)
    model = build_model("mobilenet_v3_small").to(device).to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3)
    precision = Precision.for_device(device)
    assert precision.autocast_dtype == torch.bfloat16 and precision.channels_last
    data = _loader(_samples(16, 0), shuffle=True)
    losses = [
        train_one_epoch(
            model, data, opt, _loss_fn().to(device), device, preprocess=Preprocess(PRE), precision=precision
        )["loss"]
        for _ in range(6)
    ]
    assert all(np.isfinite(losses)) and losses[-1] < losses[0]
    assert next(model.parameters()).device.type == "cuda"


def test_evaluation_scores_unsure_pieces_as_the_inspector_does() -> None:
    """Unsure rows get the mean of their look and of a look at their turned letterbox; sure ones do not."""
    classifier = PieceClassifier.from_checkpoint()  # the shipped model: scores that vary from piece to piece
    model, preprocess = classifier.model, classifier.preprocess
    pieces = [s for s, _ in _samples(12, seed=3)]
    size = preprocess.config.input_size
    images = torch.stack([torch.nn.functional.interpolate(p[None].float(), size=size).to(torch.uint8)[0]
                          for p in pieces])
    targets = {h: torch.zeros(len(pieces), dtype=torch.long) for h in HEAD_CLASSES}

    def looks_of(x: torch.Tensor) -> dict[str, np.ndarray]:
        with torch.inference_mode():
            return {h: v.softmax(1).numpy() for h, v in model(preprocess.normalise(x)).items()}

    first, turned = looks_of(images), looks_of(images.flip(-2, -1))
    p_none = np.sort(first["postage"][:, HEAD_CLASSES["postage"].index("none")])
    band = (float(p_none[3] + p_none[4]) / 2, float(p_none[8] + p_none[9]) / 2)  # rows 4-8 of the sorted
    looks = {h: v.copy() for h, v in first.items()}
    with torch.inference_mode():
        _second_look(looks, model, (images, targets), torch.device("cpu"), preprocess, Precision(),
                     HEAD_CLASSES, SecondView(postage=band, damage=None))
    unsure = (band[0] < first["postage"][:, 3]) & (first["postage"][:, 3] < band[1])
    assert unsure.sum() == 5
    np.testing.assert_allclose(looks["postage"][unsure], (first["postage"] + turned["postage"])[unsure] / 2,
                               atol=1e-5)
    np.testing.assert_allclose(looks["orientation"][unsure],
                               (first["orientation"] + turned["orientation"][:, ::-1])[unsure] / 2, atol=1e-5)
    for h in HEAD_CLASSES:
        np.testing.assert_array_equal(looks[h][~unsure], first[h][~unsure])
    # evaluate() takes the same second look by default, and none when told not to
    labelled = list(zip(images, [{h: 0 for h in HEAD_CLASSES}] * len(pieces), strict=True))
    loader = DataLoader(labelled, batch_size=6)
    both = evaluate(model, loader, _loss_fn(), torch.device("cpu"), HEAD_CLASSES, preprocess=preprocess)
    one = evaluate(model, loader, _loss_fn(), torch.device("cpu"), HEAD_CLASSES, preprocess=preprocess,
                   second_view=None)
    assert both.loss == pytest.approx(one.loss)  # the loss is the first look's
