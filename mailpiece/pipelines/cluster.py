"""Joining a Ray cluster, and deciding from its resources how the stages are laid out.

The layout is decided once, on the driver, from ``ray.cluster_resources()``: the CNN goes to the GPU when
the cluster has one, and otherwise runs on CPU with ``device="cpu"`` forced, so no actor ever waits for a
GPU that does not exist. On CPU the CNN runs inside each inspector worker ("fused"): in
bench/bench_pipeline.py a separate CNN actor on CPU measured within noise of it, and fused needs no extra
hop, no copy of every piece image and no actor competing with the workers (docs/pipeline.md).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Any, Literal

import ray

from mailpiece.pipelines.workers import CRASH_HOOK_ENV

CnnStage = Literal["fused", "separate"]

# One Tesseract, OpenMP, BLAS and torch thread per worker: the pool, not the libraries, uses the cores.
WORKER_ENV = {"OMP_THREAD_LIMIT": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "OPENBLAS_NUM_THREADS": "1"}


@dataclass(frozen=True, kw_only=True)
class StagePlan:
    """How many workers, where the CNN runs, and what each actor asks the scheduler for."""

    workers: int
    worker_cpus: float
    cnn_stage: CnnStage
    cnn_device: str
    cnn_gpus: float
    note: str | None = None  # why a request was overridden (e.g. --device cuda on a CPU-only cluster)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def plan_stages(resources: dict[str, float], *, workers: int | None = None, device: str = "auto",
                cnn_stage: str = "auto", gpu_fraction: float = 0.5) -> StagePlan:
    """The stage layout for a cluster with ``resources`` (the dict ``ray.cluster_resources()`` returns)."""
    if cnn_stage not in ("auto", "fused", "separate"):
        raise ValueError(f"cnn_stage must be auto, fused or separate, got {cnn_stage!r}")
    if device != "auto" and device != "cpu" and not device.startswith("cuda"):
        raise ValueError(f"device must be auto, cpu or cuda[:N], got {device!r}")
    cpus = float(resources.get("CPU", 0.0))
    gpus = float(resources.get("GPU", 0.0))
    note = None
    if device == "cpu":
        cnn_device = "cpu"
    elif gpus >= gpu_fraction:
        cnn_device = "cuda"  # inside the actor Ray narrows CUDA_VISIBLE_DEVICES to its share
    else:
        cnn_device = "cpu"
        if device != "auto":
            note = f"--device {device} asked for, but the cluster has no GPU: the CNN runs on CPU"
    if cnn_stage == "auto":
        cnn_stage = "separate" if cnn_device == "cuda" else "fused"
    elif cnn_stage == "fused" and cnn_device == "cuda":
        cnn_device, note = "cpu", "fused stages run the CNN inside the CPU workers: the GPU is not used"
    count = workers if workers is not None else max(1, int(cpus))
    if count < 1:
        raise ValueError(f"workers must be at least 1, got {count}")
    # Ask for no more CPU than exists, or extra workers would wait for resources forever.
    worker_cpus = min(1.0, cpus / count) if cpus > 0 else 0.0
    return StagePlan(workers=count, worker_cpus=worker_cpus, cnn_stage=cnn_stage, cnn_device=cnn_device,
                     cnn_gpus=gpu_fraction if cnn_device == "cuda" else 0.0, note=note)


def actor_env() -> dict[str, str]:
    """Environment for every actor: the thread limits, plus the crash test hook when the driver has it."""
    env = dict(WORKER_ENV)
    if os.environ.get(CRASH_HOOK_ENV):
        env[CRASH_HOOK_ENV] = os.environ[CRASH_HOOK_ENV]
    return env


def connect(address: str | None, *, num_cpus: int | None = None) -> bool:
    """Connect to Ray; returns True when this call started the connection (the caller shuts it down).

    An existing connection (a test fixture, a notebook) is reused. Without ``address`` a private local
    cluster is started: ``address="local"``, never a bare ``ray.init()``, which could join some other
    cluster running on this machine.
    """
    if ray.is_initialized():
        return False
    if address:
        ray.init(address=address, log_to_driver=True)
    else:
        ray.init(address="local", num_cpus=num_cpus, include_dashboard=False)
    return True
