"""The long fuzz run: the property targets of tests/inspect/test_fuzz.py with many more examples; a table.

python bench/fuzz_long.py                      # 120 s per target
python bench/fuzz_long.py --seconds 600 --targets decode_bytes,inspector

Each target runs in batches of hypothesis examples, each batch from a fresh random seed, until its time is
up; the table shows how many inputs each target tried and which failed (with the shrunk input). Exit status
1 when any target failed.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, seed, settings
from hypothesis.strategies import SearchStrategy
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the targets live with the tests
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from tests.inspect import test_fuzz  # noqa: E402


@dataclass
class Tally:
    inputs: int = 0
    batches: int = 0
    failures: list[str] = field(default_factory=list)


def run_target(strategy: SearchStrategy, check: Callable[[Any], None], seconds: float, batch: int) -> Tally:
    """Run ``check`` on inputs drawn from ``strategy`` in seeded batches until ``seconds`` have passed."""
    tally = Tally()
    last_failing: list[str] = []

    def counted(value: Any) -> None:
        tally.inputs += 1
        try:
            check(value)
        except Exception as err:
            last_failing[:] = [f"{type(err).__name__}: {str(err)[:160]} on {repr(value)[:160]}"]
            raise

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run = settings(max_examples=batch, deadline=None, database=None,
                       suppress_health_check=list(HealthCheck))(given(strategy)(counted))
        try:
            seed(random.getrandbits(64))(run)()
        except Exception as err:
            tally.failures.append(last_failing[0] if last_failing else f"{type(err).__name__}: {err}")
        tally.batches += 1
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="time per target")
    parser.add_argument("--batch", type=int, default=200, help="examples per hypothesis run")
    parser.add_argument("--targets", default=",".join([*test_fuzz.TARGETS, "inspector"]))
    parser.add_argument("--lenient-inspector", action="store_true",
                        help="a processing_error record passes (only escapes and invalid records fail)")
    args = parser.parse_args()

    targets = dict(test_fuzz.TARGETS)
    if "inspector" in args.targets.split(","):
        import torch

        from mailpiece.inspect.factory import build_inspector

        torch.set_num_threads(1)
        inspector = build_inspector(cnn=True, device="cpu")
        strict = not args.lenient_inspector
        targets["inspector"] = (test_fuzz.frames, lambda data: test_fuzz.check_inspector(
            inspector, data, errors_are_bugs=strict))
    table = Table("target", "inputs tried", "runs", "inputs/s", "failures", title="fuzzing")
    failed = False
    for name in args.targets.split(","):
        strategy, check = targets[name]
        start = time.monotonic()
        batch = max(10, args.batch // 10) if name == "inspector" else args.batch
        tally = run_target(strategy, check, args.seconds, batch)
        rate = tally.inputs / (time.monotonic() - start)
        table.add_row(name, str(tally.inputs), str(tally.batches), f"{rate:.0f}",
                      "\n".join(tally.failures) or "0")
        failed |= bool(tally.failures)
        print(f"{name}: {tally.inputs} inputs, {len(tally.failures)} failing runs", flush=True)
    Console(width=200).print(table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
