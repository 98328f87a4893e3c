"""Read rate under other cameras and lighting: a labelled set degraded several ways, each scored side by side.

    .venv/bin/python bench/camera_stress.py DATASET [--count 300] [--out /tmp/camera-stress]
                                            [--variants dim,blur,...] [--workers 2] [--cnn]

The first COUNT frames of DATASET (a `mailpiece synth` folder) are degraded as a different camera or
light would degrade them and written, with the same labels, to OUT/<variant>/ (kept: a second run reuses
them); then the inspector (no CNN, tesserocr, one core per worker) reads every variant and the table gives
the sortable pieces finalised with the right ZIP and the mis-sorts per variant, beside the undegraded
frames; with ``--cnn`` the shipped CNN runs too (on the CPU) and the table adds unpaid pieces caught,
damaged pieces caught and good pieces rejected for postage or damage. The degradations are deterministic
per frame:

- ``original``: the frames as they are (the baseline of the same run);
- ``small``: a lower-resolution camera (0.72 of the pixels across, about 110 dpi from 150);
- ``large``: a higher-resolution camera or a flatbed scan (1.8 times the pixels across, about 270 dpi);
- ``blur``: defocus (Gaussian, sigma 1.3 px);
- ``motion``: belt motion during the exposure (4 px horizontal smear);
- ``keystone``: a camera looking at the belt at an angle (the frame's far edge, a random one of the four,
  5-9 % shorter than the near one);
- ``stretch``: a line-scan camera whose line rate is off the belt's speed (the piece 8-18 % longer or
  shorter along the belt than across it);
- ``dim``: poor, uneven light (0.55-0.75 of the exposure, falling off towards the corners);
- ``cast``: a colour cast (white balance off by up to 30 % per channel);
- ``noise``: sensor noise (sigma 9 levels) and heavy JPEG compression (quality 45).

Results of this check are in docs/address-reading.md ("Other cameras and light"). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one Tesseract thread, as in a worker

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

Degrade = Callable[[np.ndarray, np.random.Generator], np.ndarray]


def _dim(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    height, width = image.shape[:2]
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    cx, cy = width * rng.uniform(0.3, 0.7), height * rng.uniform(0.3, 0.7)
    falloff = 1 - 0.9 * (((x - cx) / width) ** 2 + ((y - cy) / height) ** 2)
    gain = falloff[..., None] * rng.uniform(0.55, 0.75)
    return np.clip(image * gain, 0, 255).astype(np.uint8)


def _cast(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    gains = np.array([rng.uniform(0.7, 1.0), rng.uniform(0.8, 1.1), rng.uniform(0.9, 1.3)])
    return np.clip(image * gains[rng.permutation(3)], 0, 255).astype(np.uint8)


def _noise(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return np.clip(image + rng.normal(0, 9, image.shape), 0, 255).astype(np.uint8)


def _motion(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    kernel = np.zeros((5, 5), np.float32)
    kernel[2, :4] = 1 / 4
    return cv2.filter2D(image, -1, kernel)


def _keystone(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    height, width = image.shape[:2]
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    ends = [int(rng.integers(4))]  # the far edge (top, right, bottom or left): its two corners
    ends.append((ends[0] + 1) % 4)
    moved = corners.copy()  # each end of the far edge moves towards the other
    moved[ends] += (corners[ends[::-1]] - corners[ends]) * rng.uniform(0.05, 0.09)
    matrix = cv2.getPerspectiveTransform(corners, moved)
    return cv2.warpPerspective(image, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)


def _stretch(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    along = rng.uniform(1.08, 1.18) ** rng.choice([-1, 1])
    return cv2.resize(
        image, None, fx=along, fy=1.0, interpolation=cv2.INTER_AREA if along < 1 else cv2.INTER_CUBIC
    )


VARIANTS: dict[str, tuple[Degrade | None, int]] = {  # degradation, JPEG quality of the written frame
    "original": (None, 0),
    "small": (lambda im, rng: cv2.resize(im, None, fx=0.72, fy=0.72, interpolation=cv2.INTER_AREA), 85),
    "large": (lambda im, rng: cv2.resize(im, None, fx=1.8, fy=1.8, interpolation=cv2.INTER_CUBIC), 90),
    "blur": (lambda im, rng: cv2.GaussianBlur(im, (0, 0), 1.3), 85),
    "motion": (_motion, 85),
    "keystone": (_keystone, 85),
    "stretch": (_stretch, 85),
    "dim": (lambda im, rng: _dim(im.astype(np.float32), rng), 85),
    "cast": (lambda im, rng: _cast(im.astype(np.float32), rng), 85),
    "noise": (lambda im, rng: _noise(im.astype(np.float32), rng), 45),
}


def write_variant(dataset: Path, out: Path, name: str, count: int) -> Path:
    """The first ``count`` frames of ``dataset`` degraded as ``name``, with their labels, under ``out``."""
    if name == "original":
        return dataset
    target = out / name
    labels = [json.loads(line) for line in (dataset / "labels.jsonl").read_text().splitlines()][:count]
    written = target / "labels.jsonl"
    if written.is_file() and len(written.read_text().splitlines()) == len(labels):
        return target
    degrade, quality = VARIANTS[name]
    (target / "frames").mkdir(parents=True, exist_ok=True)
    for label in labels:
        rng = np.random.default_rng([label["index"], len(name)])
        image = cv2.imread(str(dataset / label["image"]), cv2.IMREAD_COLOR)
        path = (target / label["image"]).with_suffix(".jpg")
        cv2.imwrite(str(path), degrade(image, rng), [cv2.IMWRITE_JPEG_QUALITY, quality])
        label["image"] = str(path.relative_to(target))
    (target / "labels.jsonl").write_text("".join(json.dumps(label) + "\n" for label in labels))
    return target


def score_variant(args: tuple[str, Path, int, bool]) -> tuple[str, dict]:
    """Inspect the first ``count`` frames of one variant and score the address reading (and, with
    ``cnn``, the postage and damage calls as the records made them)."""
    name, folder, count, cnn = args
    from mailpiece.cli.report import truths_of
    from mailpiece.datasets.labels import read_labels
    from mailpiece.inspect.evaluation import score_addresses, score_cnn
    from mailpiece.inspect.factory import build_inspector, use_one_core
    from mailpiece.inspect.frame import Frame

    use_one_core()
    labels = read_labels(folder)[:count]
    inspector = build_inspector(cnn=cnn, device="cpu")
    results = [inspector(Frame.from_path(folder / label.image)) for label in labels]
    truths = truths_of(labels)
    scores = score_addresses(results, truths).to_dict()
    if cnn:
        thresholds = inspector.config.cnn
        cnn_scores = score_cnn(
            results, truths, postage_threshold=thresholds.no_postage, damage_threshold=thresholds.damaged
        )
        scores["cnn"] = cnn_scores.at_config.to_dict() if cnn_scores else None
    return name, scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path, help="a labelled dataset folder (mailpiece synth)")
    parser.add_argument("--count", type=int, default=300, help="frames per variant (the first N)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/camera-stress"), help="where variants go")
    parser.add_argument(
        "--variants", default=",".join(VARIANTS), help="comma-separated, of: " + ", ".join(VARIANTS)
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="variants scored at once")
    parser.add_argument("--cnn", action="store_true", help="run the shipped CNN too and score its calls")
    args = parser.parse_args()

    names = [n.strip() for n in args.variants.split(",") if n.strip()]
    unknown = sorted(set(names) - set(VARIANTS))
    if unknown:
        parser.error(f"unknown variant(s): {', '.join(unknown)}")
    folders = {name: write_variant(args.dataset, args.out, name, args.count) for name in names}
    # Spawned, not forked: a fork of a process that has run OpenCV's and numpy's thread pools can hang.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, args.workers), mp_context=spawn) as pool:
        jobs = [(name, folders[name], args.count, args.cnn) for name in names]
        scores = dict(pool.map(score_variant, jobs))

    from mailpiece.cli.report import percent

    model = "the CNN" if args.cnn else "no CNN"
    table = Table(title=f"{args.dataset}: first {args.count} frames per variant ({model}, one core each)")
    columns = ["variant", "sortable finalised right", "read rate", "mis-sorts"]
    columns += ["unpaid caught", "damaged caught", "good rejected"] if args.cnn else ["held for review"]
    for column in columns:
        table.add_column(column, justify="right" if column != "variant" else "left")
    for name in names:
        s = scores[name]
        row = [
            name,
            f"{s['finalized_right']}/{s['sortable']}",
            f"{100 * s['finalization_rate']:.1f}%",
            f"{s['missorted']} ({100 * s['missort_rate']:.1f}%)",
        ]
        if args.cnn:
            rates = s["cnn"] or {}
            row += [percent(rates.get(key)) for key in ("unpaid_caught", "damaged_caught", "good_rejected")]
        else:
            row.append(str(s["decisions"].get("reject", 0)))  # no CNN: every reject is held for its address
        table.add_row(*row)
    Console().print(table)


if __name__ == "__main__":
    main()
