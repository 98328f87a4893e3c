"""The Ray actors: inspector workers (CPU: decode, locate, face, OCR) and the batching CNN stage.

Both build their inspector once, in ``__init__``, with one torch thread and one Tesseract thread
(``OMP_THREAD_LIMIT=1`` arrives through the actor's runtime_env). The classes are plain; the pool in
:mod:`mailpiece.pipelines.pool` turns them into actors with their resources and restart policy.

Test hook: a worker given a frame whose piece_id is listed in ``MAILPIECE_CRASH_ON`` (comma-separated)
kills its own process with ``os._exit`` — a real worker death, for the fault-tolerance tests and for
drills on a live line. The driver forwards the variable from its own environment to the actors.
"""

from __future__ import annotations

import asyncio
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ray

from mailpiece.inspect.frame import Frame
from mailpiece.inspect.inspector import Inspector, Prepared
from mailpiece.inspect.result import Result
from mailpiece.pipelines.sources import SyntheticRecipe

CRASH_HOOK_ENV = "MAILPIECE_CRASH_ON"


@dataclass(frozen=True, kw_only=True)
class InspectorSettings:
    """What every actor needs to build the same inspector (all paths must exist on every node)."""

    ocr_engine: str = "auto"
    sort_plan: Path | None = None
    checkpoint: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"ocr_engine": self.ocr_engine,
                "sort_plan": str(self.sort_plan) if self.sort_plan else None,
                "checkpoint": str(self.checkpoint) if self.checkpoint else None}

    def build(self, *, cnn: bool, device: str) -> Inspector:
        from mailpiece.inspect.factory import build_inspector, use_one_core

        use_one_core()  # one worker per core: torch and OpenCV must not spread over the others
        return build_inspector(ocr_engine=self.ocr_engine, sort_plan=self.sort_plan,
                               checkpoint=self.checkpoint, cnn=cnn, device=device)


def _crash_if_told(piece_id: str) -> None:
    listed = os.environ.get(CRASH_HOOK_ENV, "")
    if piece_id in {name.strip() for name in listed.split(",") if name.strip()}:
        os._exit(70)


def _frame_of(payload: Frame | SyntheticRecipe) -> Frame:
    return payload if isinstance(payload, Frame) else payload.frame()


class InspectWorker:
    """A CPU worker. With ``cnn=True`` it runs the whole inspector (``inspect``); otherwise only the CPU
    half (``prepare``) and the CNN stage actor finishes each piece."""

    def __init__(self, settings: InspectorSettings, *, cnn: bool) -> None:
        self.inspector = settings.build(cnn=cnn, device="cpu")

    def ping(self) -> str:
        """Alive: answers with the id of the node it runs on."""
        return ray.get_runtime_context().get_node_id()

    def inspect(self, payload: Frame | SyntheticRecipe) -> Result:
        frame = _frame_of(payload)
        _crash_if_told(frame.piece_id)
        return self.inspector(frame)

    def prepare(self, payload: Frame | SyntheticRecipe) -> Prepared | Result:
        frame = _frame_of(payload)
        _crash_if_told(frame.piece_id)
        return self.inspector.prepare(frame)


class PostageDamageBatcher:
    """The CNN stage as an async actor: concurrent ``finish`` calls are gathered into batches.

    A batch runs as soon as the model is free (so a lone piece is not held back), taking up to
    ``max_batch`` pieces that arrived while the previous batch ran; the model runs in one thread beside
    the event loop, so pieces keep arriving during inference.
    """

    def __init__(self, settings: InspectorSettings, *, device: str, max_batch: int = 16) -> None:
        self.inspector = settings.build(cnn=True, device=device)
        self.device = device
        self.max_batch = max_batch
        self._waiting: list[tuple[Prepared, asyncio.Future[Result]]] = []
        self._model_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cnn")
        self._running: asyncio.Task[None] | None = None
        self.batches = 0
        self.pieces = 0

    def ping(self) -> str:
        """Alive: answers with the id of the node it runs on."""
        return ray.get_runtime_context().get_node_id()

    def stats(self) -> dict[str, Any]:
        return {"device": self.device, "batches": self.batches, "pieces": self.pieces}

    async def finish(self, prepared: Prepared | Result) -> Result:
        """The record for one prepared piece (a frame already rejected in ``prepare`` passes through)."""
        if isinstance(prepared, Result):
            return prepared
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((prepared, future))
        if self._running is None or self._running.done():
            self._running = asyncio.create_task(self._run_batches())
        return await future

    async def _run_batches(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            batch, self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch:]
            try:
                pieces = [prepared for prepared, _ in batch]
                results = await loop.run_in_executor(self._model_thread, self._classify, pieces)
            except Exception as err:  # the driver retries these frames and counts the attempt
                for _, future in batch:
                    future.set_exception(err)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                future.set_result(result)

    def _classify(self, batch: list[Prepared]) -> list[Result]:
        start = time.perf_counter()
        calls = self.inspector.postage_damage([p.piece for p in batch])
        elapsed_ms = (time.perf_counter() - start) * 1000
        self.batches += 1
        self.pieces += len(batch)
        for prepared in batch:
            prepared.timings_ms["cnn"] = elapsed_ms  # the batch's time: what this piece waited for
        return [self.inspector.finish(p, c) for p, c in zip(batch, calls, strict=True)]
