"""The actors of one run and their health, as the driver sees them.

Actors restart forever (``max_restarts=-1``) but never retry a task themselves (``max_task_retries=0``):
the driver retries a failed frame on another worker and counts the attempts, which is how a frame that
kills every worker it touches becomes a ``processing_error`` instead of stalling the line. After a
failure an actor is benched until a ``ping`` comes back, so new frames go to workers known to be alive;
an actor whose node is gone simply never comes back from the bench.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import ray
from ray.actor import ActorHandle
from ray.exceptions import RayError

from mailpiece.inspect.frame import Frame
from mailpiece.pipelines.cluster import StagePlan, actor_env
from mailpiece.pipelines.sources import SyntheticRecipe
from mailpiece.pipelines.workers import InspectorSettings, InspectWorker, PostageDamageBatcher

CNN = -1  # the index the batcher goes by in the health table
_REPING_S = 1.0


@dataclass
class _Health:
    actor: ActorHandle
    in_flight: int = 0
    ping: ray.ObjectRef | None = None  # set while benched
    reping_at: float | None = None
    failures: int = field(default=0)

    @property
    def benched(self) -> bool:
        return self.ping is not None or self.reping_at is not None


class StagePool:
    """Creates the actors for a plan, hands out work, benches failed actors until they answer again."""

    def __init__(self, plan: StagePlan, settings: InspectorSettings, *, run_id: str,
                 frames_per_worker: int | None = None) -> None:
        self.plan = plan
        # Frames wait in the driver, not in a worker's mailbox behind a slow frame, so whichever worker
        # frees first takes the next one (tail latency). A worker of the separate stage holds two: it
        # prepares the next frame while the CNN actor finishes the last.
        self.frames_per_worker = frames_per_worker or (1 if plan.cnn_stage == "fused" else 2)
        common: dict[str, Any] = {"max_restarts": -1, "max_task_retries": 0,
                                  "runtime_env": {"env_vars": actor_env()}}
        fused = plan.cnn_stage == "fused"
        worker_class = ray.remote(InspectWorker)
        self._health: dict[int, _Health] = {}
        for index in range(plan.workers):
            actor = worker_class.options(name=f"{run_id}-inspect-{index}", num_cpus=plan.worker_cpus,
                                         scheduling_strategy="SPREAD", **common).remote(settings, cnn=fused)
            self._health[index] = _Health(actor)
        self.batcher: ActorHandle | None = None
        if not fused:
            self.batcher = ray.remote(PostageDamageBatcher).options(
                name=f"{run_id}-cnn", num_cpus=0, num_gpus=plan.cnn_gpus, max_concurrency=1000, **common,
            ).remote(settings, device=plan.cnn_device)
            self._health[CNN] = _Health(self.batcher)

    def wait_ready(self, timeout_s: float = 600.0) -> None:
        """Block until every actor has built its inspector (model load, Tesseract start)."""
        ray.get([h.actor.ping.remote() for h in self._health.values()], timeout=timeout_s)

    def submit(self, payload: Frame | SyntheticRecipe, avoid: int | None = None,
               ) -> tuple[ray.ObjectRef, int] | None:
        """Start a frame on the least busy live worker with room, not ``avoid`` if another has room;
        None when no worker can take it now."""
        if CNN in self._health and self._health[CNN].benched:
            return None
        live = [i for i, h in self._health.items()
                if i != CNN and not h.benched and h.in_flight < self.frames_per_worker]
        if not live:
            return None
        choices = [i for i in live if i != avoid] or live
        index = min(choices, key=lambda i: self._health[i].in_flight)
        worker = self._health[index].actor
        if self.batcher is None:
            ref = worker.inspect.remote(payload)
        else:
            ref = self.batcher.finish.remote(worker.prepare.remote(payload))
        self._health[index].in_flight += 1
        return ref, index

    def done(self, index: int) -> None:
        self._health[index].in_flight -= 1

    def failed(self, index: int) -> None:
        """A frame on worker ``index`` failed: bench the worker (and the CNN actor) until they answer."""
        self._health[index].in_flight -= 1
        for key in (index, CNN):
            health = self._health.get(key)
            if health is not None and not health.benched:
                health.failures += 1
                health.ping = health.actor.ping.remote()

    @property
    def pings(self) -> list[ray.ObjectRef]:
        """Pings to wait on beside the frames; re-sends pings that are due."""
        now = time.monotonic()
        for health in self._health.values():
            if health.reping_at is not None and now >= health.reping_at:
                health.reping_at, health.ping = None, health.actor.ping.remote()
        return [h.ping for h in self._health.values() if h.ping is not None]

    def answered(self, ref: ray.ObjectRef) -> bool:
        """Handle a finished ping; False when ``ref`` is not a ping."""
        for health in self._health.values():
            if health.ping is not None and health.ping == ref:
                health.ping = None
                try:
                    ray.get(ref)
                except RayError:  # still restarting or gone: ask again shortly
                    health.reping_at = time.monotonic() + _REPING_S
                return True
        return False

    @property
    def live_workers(self) -> int:
        return sum(1 for i, h in self._health.items() if i != CNN and not h.benched)

    def stats(self) -> dict[str, Any]:
        """What the CNN actor reports (device, batches), when there is one and it answers."""
        if self.batcher is None:
            return {}
        try:
            return ray.get(self.batcher.stats.remote(), timeout=5)
        except (RayError, TimeoutError):
            return {}

    def shutdown(self) -> None:
        for health in self._health.values():
            ray.kill(health.actor, no_restart=True)
