"""Scale-out: a two-node Ray cluster loses its worker node mid-run, and every frame still gets its record."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import ray
from ray.cluster_utils import Cluster

from mailpiece.pipelines.cluster import plan_stages
from mailpiece.pipelines.driver import run_pipeline
from mailpiece.pipelines.records import PieceRecord
from mailpiece.pipelines.workers import InspectorSettings
from tests.pipelines.conftest import short_ray_tmpdir


def test_removing_the_worker_node_mid_run_finishes_every_frame(
        frames_dir: Path, settings: InspectorSettings, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    base = short_ray_tmpdir()
    monkeypatch.setenv("RAY_TMPDIR", base)  # Cluster records its address in $RAY_TMPDIR/ray, not /tmp/ray
    node_args = {"include_dashboard": False, "temp_dir": f"{base}/ray"}
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, **node_args})
    worker_node = cluster.add_node(num_cpus=2)
    written: list[str] = []
    nodes_seen: set[str] = set()

    def lose_the_worker_node(record: PieceRecord) -> None:
        written.append(record.result.piece_id)
        if len(written) == 2:
            for index in range(3):
                nodes_seen.add(ray.get(ray.get_actor(f"scale-inspect-{index}").ping.remote()))
            cluster.remove_node(worker_node)

    try:
        ray.init(address=cluster.address, log_to_driver=False)
        summary = run_pipeline(str(frames_dir), f"sqlite:{tmp_path / 'r.db'}", settings=settings, workers=3,
                               on_record=lose_the_worker_node, run_id="scale")
    finally:
        ray.shutdown()
        cluster.shutdown()
        shutil.rmtree(base, ignore_errors=True)

    assert len(nodes_seen) == 2  # the pool really was spread over both nodes
    with sqlite3.connect(tmp_path / "r.db") as db:
        stored = sorted(row[0] for row in db.execute("SELECT piece_id FROM results"))
    assert stored == sorted(written) == sorted(p.stem for p in frames_dir.iterdir())
    assert summary.frames == len(stored) and "processing_error" not in summary.reasons


def test_plan_puts_the_cnn_on_the_gpu_when_the_cluster_has_one() -> None:
    plan = plan_stages({"CPU": 16.0, "GPU": 1.0})
    assert (plan.cnn_stage, plan.cnn_device, plan.cnn_gpus, plan.workers) == ("separate", "cuda", 0.5, 16)
    assert plan.note is None


def test_plan_on_a_cpu_only_cluster_never_asks_for_a_gpu() -> None:
    for device in ("auto", "cpu", "cuda", "cuda:1"):
        for stage in ("auto", "fused", "separate"):
            plan = plan_stages({"CPU": 2.0}, device=device, cnn_stage=stage)
            assert (plan.cnn_device, plan.cnn_gpus) == ("cpu", 0.0)
            assert plan.cnn_stage == ("fused" if stage == "auto" else stage)
            assert (plan.note is not None) == device.startswith("cuda")


def test_plan_respects_cpu_on_a_gpu_cluster_and_never_oversubscribes() -> None:
    assert plan_stages({"CPU": 8.0, "GPU": 2.0}, device="cpu").cnn_stage == "fused"
    crowded = plan_stages({"CPU": 2.0}, workers=8)
    assert crowded.workers * crowded.worker_cpus <= 2.0  # all eight fit: none waits for a CPU forever
    with pytest.raises(ValueError, match="cnn_stage"):
        plan_stages({"CPU": 2.0}, cnn_stage="gpu")
    with pytest.raises(ValueError, match="device"):
        plan_stages({"CPU": 2.0}, device="tpu")
    with pytest.raises(ValueError, match="workers"):
        plan_stages({"CPU": 2.0}, workers=0)
