"""Shared set-up for the pipeline tests: synthetic frames, the inspector settings, a private Ray cluster.

Ray gets its own short temp dir (its unix socket paths must stay under ~107 characters) and no dashboard,
and is always started with ``address="local"`` so it never joins another cluster on this machine.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailpiece.pipelines.workers import InspectorSettings

FRAME_COUNT = 8


@pytest.fixture(scope="session")
def frames_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Eight synthetic frames (fixed seed) plus one corrupt file: nine pieces, one of them a bad image."""
    from mailpiece.datasets import write_dataset

    out = tmp_path_factory.mktemp("dataset")
    write_dataset(out, FRAME_COUNT, seed=11, progress=False)
    frames = out / "frames"
    (frames / "corrupt_0001.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not a JPEG")
    return frames


def copy_frames(frames_dir: Path, target: Path) -> list[str]:
    """Copy the test frames into ``target``; returns their piece ids."""
    target.mkdir(parents=True, exist_ok=True)
    for path in frames_dir.iterdir():
        shutil.copy2(path, target / path.name)
    return sorted(p.stem for p in frames_dir.iterdir())


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> InspectorSettings:
    """The packaged CNN checkpoint; until one ships, a freshly initialised model of the default arch."""
    from mailpiece.models.checkpoint import default_checkpoint_path

    if default_checkpoint_path().exists():
        return InspectorSettings()
    import torch

    from mailpiece.models.checkpoint import CheckpointInfo, model_version, save_checkpoint
    from mailpiece.models.heads import HEAD_CLASSES
    from mailpiece.models.preprocess import PreprocessConfig
    from mailpiece.models.zoo import DEFAULT_ARCH, build_model

    torch.manual_seed(0)
    model = build_model(DEFAULT_ARCH)
    info = CheckpointInfo(version=model_version(model), arch=DEFAULT_ARCH, heads=dict(HEAD_CLASSES),
                          preprocess=PreprocessConfig())
    path = save_checkpoint(tmp_path_factory.mktemp("model") / "untrained.pt", model, info)
    return InspectorSettings(checkpoint=path)


def short_ray_tmpdir() -> str:
    return tempfile.mkdtemp(prefix="mpray", dir="/tmp")


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    """One private two-CPU Ray cluster per test module."""
    import ray

    temp_dir = short_ray_tmpdir()
    os.environ["RAY_TMPDIR"] = temp_dir
    ray.init(address="local", num_cpus=2, include_dashboard=False, _temp_dir=temp_dir,
             log_to_driver=False)
    yield
    ray.shutdown()
    shutil.rmtree(temp_dir, ignore_errors=True)
