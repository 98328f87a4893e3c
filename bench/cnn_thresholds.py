"""The CNN's catch vs false-reject table on a labelled dataset, on the pieces the inspector itself cuts out.

    .venv/bin/python bench/cnn_thresholds.py DATASET [--checkpoint PATH ...] [--limit N] [--one-look]

Each frame is decoded and located exactly as the inspector does (``locate_piece``); the located piece goes
through the CNN stage as in the inspector (unsure pieces looked at a second time, turned 180°;
``--one-look`` scores the first look alone); no OCR runs, so a few thousand frames take minutes on one
core, not an hour. It prints the rates at the thresholds in use, at 0.5/0.5, at the pair chosen on this
set for ≤1 % and ≤0.5 % good pieces rejected, and a grid, so thresholds can be chosen on the same crops
the sorter will see. Choose them on one seed and confirm them on another. Several ``--checkpoint``
options score each checkpoint on the same crops (each frame is located once), so a retrained model is
compared with the shipped one side by side.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.progress import track  # noqa: E402
from rich.table import Table  # noqa: E402

from mailpiece.datasets.labels import read_labels  # noqa: E402
from mailpiece.inspect.config import CnnThresholds  # noqa: E402
from mailpiece.inspect.decode import decode_image  # noqa: E402
from mailpiece.inspect.locate import locate_piece  # noqa: E402
from mailpiece.inspect.postage_damage import PostageDamageStage  # noqa: E402
from mailpiece.models.metrics import RejectRates, choose_thresholds, reject_rates  # noqa: E402
from mailpiece.models.predict import PieceClassifier  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--checkpoint", type=Path, action="append", default=None,
                        help="checkpoint to score (repeatable; default: the shipped one)")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--one-look", action="store_true",
                        help="score the first look alone (no second look at unsure pieces)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    one_look = CnnThresholds(second_view_postage=None, second_view_damage=None)
    config = one_look if args.one_look else CnnThresholds()
    stages = [PostageDamageStage(PieceClassifier.from_checkpoint(path), config)
              for path in (args.checkpoint or [None])]
    labels = read_labels(args.dataset)[: args.limit or None]
    p_unpaid: list[list[float]] = [[] for _ in stages]
    p_damaged: list[list[float]] = [[] for _ in stages]
    unpaid, damaged, missed = [], [], 0
    for label in track(labels, description="locate + CNN", console=Console(stderr=True)):
        located = locate_piece(decode_image((args.dataset / label.image).read_bytes()))
        if located is None:
            missed += 1
            continue
        for k, stage in enumerate(stages):
            scores = stage.scores([located.image])[0]
            p_unpaid[k].append(scores.postage["none"])
            p_damaged[k].append(1.0 - scores.damage["none"])
        unpaid.append(label.postage.kind == "none")
        damaged.append(label.damage.kind != "none")
    for k, stage in enumerate(stages):
        arrays = [np.asarray(v) for v in (p_unpaid[k], p_damaged[k], unpaid, damaged)]
        default = stage.thresholds
        rows = [
            ("in use (config + checkpoint)", reject_rates(*arrays, postage_threshold=default.no_postage,
                                                    damage_threshold=default.damaged)),
            ("0.5 / 0.5", reject_rates(*arrays)),
            ("chosen here, ≤1 % good rejected", choose_thresholds(*arrays, max_good_rejected=0.01)),
            ("chosen here, ≤0.5 % good rejected", choose_thresholds(*arrays, max_good_rejected=0.005)),
        ]
        rows += [(f"grid {tp:.2f} / {td:.2f}",
                  reject_rates(*arrays, postage_threshold=tp, damage_threshold=td))
                 for tp in (0.1, 0.2, 0.3, 0.5) for td in (0.5, 0.6, 0.7, 0.8)]
        _print(rows, len(labels), missed, stage.classifier.version)
    return 0


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f} %"


def _print(rows: list[tuple[str, RejectRates]], frames: int, missed: int, model: str) -> None:
    first = rows[0][1]
    table = Table(title=f"{model}: {frames} frames ({missed} with no piece found): {first.unpaid} unpaid, "
                        f"{first.damaged} damaged, {first.good} good")
    for column in ("thresholds", "P(none) ≥", "P(damaged) ≥", "unpaid caught", "damaged caught",
                   "good rejected"):
        table.add_column(column, justify="left" if column == "thresholds" else "right")
    for name, r in rows:
        table.add_row(name, f"{r.postage_threshold:.2f}", f"{r.damage_threshold:.2f}", _pct(r.unpaid_caught),
                      _pct(r.damaged_caught), _pct(r.good_rejected))
    Console(width=130).print(table)


if __name__ == "__main__":
    sys.exit(main())
