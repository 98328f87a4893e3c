"""Torch datasets of faced pieces for the CNN: cut each piece out of its frame along the labelled quad
(jittered, as the live piece locator is never exact), turn it 180° at random for the orientation head,
letterbox it like inference does, and augment it photometrically.

Two sources give the same samples: a dataset folder (frames + ``labels.jsonl``, from ``mailpiece synth``
or the review desk) and the generator itself, rendering frames by (seed, index) with nothing on disk.
Every random choice comes from ``np.random.default_rng([seed, epoch, index])``, so a sample is a pure
function of those three numbers whatever worker loads it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
from torch.utils.data import ConcatDataset, Dataset

from mailpiece.datasets.config import SynthConfig
from mailpiece.models.augment import apply_augment, sample_augment
from mailpiece.models.heads import HEAD_CLASSES
from mailpiece.models.preprocess import PreprocessConfig, letterbox_bgr

Sample = tuple[torch.Tensor, dict[str, int]]


@dataclass(frozen=True, kw_only=True)
class PieceRecord:
    """What a sample needs from one label line: where the frame is, the piece quad and the two classes."""

    image: Path
    quad: tuple[tuple[float, float], ...]  # TL, TR, BR, BL of the upright piece, frame pixels
    postage: str
    damage: str


@dataclass(frozen=True, kw_only=True)
class SampleAugment:
    """How strongly samples are varied: ``train()`` for training, ``evaluation()`` for scoring."""

    quad_jitter: float = 0.04  # corners move up to this fraction of the piece's width/height
    scale_jitter: float = 0.04  # the whole quad grows/shrinks and shifts up to this fraction
    photometric: float = 1.0  # strength passed to ``sample_augment`` (0: none)
    flip: bool = True  # turn half the pieces 180° (labelled for the orientation head)

    @classmethod
    def train(cls) -> SampleAugment:
        return cls()

    @classmethod
    def evaluation(cls) -> SampleAugment:
        """A realistically imperfect locator, no photometric changes; flips still test orientation."""
        return cls(quad_jitter=0.02, scale_jitter=0.01, photometric=0.0)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_records(dataset_dir: str | Path) -> list[PieceRecord]:
    """The label lines of a dataset folder; only image, piece_quad, postage.kind and damage.kind are read,
    so minimal exports (the review desk's) load as well as the generator's full labels.
    """
    root = Path(dataset_dir)
    records = []
    with open(root / "labels.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                d = json.loads(line)
                quad = tuple((float(x), float(y)) for x, y in d["piece_quad"])
                records.append(
                    PieceRecord(
                        image=root / d["image"],
                        quad=quad,
                        postage=d["postage"]["kind"],
                        damage=d["damage"]["kind"],
                    )
                )
    return records


def read_frame(record: PieceRecord, enough: int) -> tuple[np.ndarray, PieceRecord]:
    """Decode a record's frame, at 1/2 or 1/4 scale (JPEG decodes that for a fraction of the cost) when
    the piece would still be at least ``enough`` pixels wide; the record's quad is scaled to match.
    """
    quad = np.asarray(record.quad, np.float64)
    width = float(np.linalg.norm(quad[1] - quad[0]))
    factor = 4 if width >= 4 * enough else 2 if width >= 2 * enough else 1
    mode = {1: cv2.IMREAD_COLOR, 2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4}[factor]
    frame = cv2.imread(str(record.image), mode)
    if frame is None:
        raise FileNotFoundError(f"cannot read frame {record.image}")
    if factor == 1:
        return frame, record
    scaled = tuple((x / factor, y / factor) for x, y in record.quad)
    return frame, PieceRecord(image=record.image, quad=scaled, postage=record.postage, damage=record.damage)


def jitter_quad(quad: np.ndarray, rng: np.random.Generator, augment: SampleAugment) -> np.ndarray:
    """Move each corner along the piece's own axes, then scale and shift the whole quad a little."""
    quad = quad.astype(np.float64)
    across, down = quad[1] - quad[0], quad[3] - quad[0]
    reach = rng.uniform(0.0, augment.quad_jitter)
    moves = rng.uniform(-reach, reach, size=(4, 2))
    quad = quad + moves[:, :1] * across + moves[:, 1:] * down
    centre = quad.mean(axis=0)
    scale = 1.0 + rng.uniform(-augment.scale_jitter, augment.scale_jitter)
    shift = rng.uniform(-augment.scale_jitter, augment.scale_jitter, size=2) * 0.5
    return centre + (quad - centre) * scale + shift[0] * across + shift[1] * down


def cut_piece(frame: np.ndarray, quad: np.ndarray, max_side: int = 1600) -> np.ndarray:
    """Warp the quad (TL, TR, BR, BL) onto an upright rectangle at about its own pixel size."""
    width = (np.linalg.norm(quad[1] - quad[0]) + np.linalg.norm(quad[2] - quad[3])) / 2
    height = (np.linalg.norm(quad[3] - quad[0]) + np.linalg.norm(quad[2] - quad[1])) / 2
    shrink = min(1.0, max_side / max(width, height, 1.0))
    w, h = max(8, round(width * shrink)), max(8, round(height * shrink))
    target = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    return cv2.warpPerspective(frame, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def recompress(piece: np.ndarray, quality: int) -> np.ndarray:
    """JPEG-encode and decode at camera resolution: the blocking and ringing of a cheaper camera."""
    ok, data = cv2.imencode(".jpg", np.ascontiguousarray(piece), [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(data, cv2.IMREAD_COLOR) if ok else piece


def make_sample(
    frame: np.ndarray,
    record: PieceRecord,
    rng: np.random.Generator,
    augment: SampleAugment,
    preprocess: PreprocessConfig,
    heads: dict[str, tuple[str, ...]] = HEAD_CLASSES,
) -> Sample:
    """One training/evaluation sample: the letterboxed, augmented piece and its class indices."""
    quad = jitter_quad(np.asarray(record.quad), rng, augment)
    # twice the model's input is plenty before the antialiased letterbox, and keeps the warp cheap
    piece = cut_piece(frame, quad, max_side=2 * max(preprocess.input_size))
    upside_down = bool(augment.flip and rng.random() < 0.5)
    if upside_down:
        piece = piece[::-1, ::-1]
    if augment.photometric > 0 and rng.random() < 0.4 * augment.photometric:
        piece = recompress(piece, int(rng.integers(20, 91)))
    image = letterbox_bgr(piece, preprocess)
    if augment.photometric > 0:
        image = apply_augment(image, sample_augment(rng, augment.photometric))
    targets = {
        "postage": heads["postage"].index(record.postage),
        "damage": heads["damage"].index(record.damage),
        "orientation": heads["orientation"].index("upside_down" if upside_down else "upright"),
    }
    return image, targets


class _EpochSeeded(Dataset):
    def __init__(self, seed: int, augment: SampleAugment, preprocess: PreprocessConfig) -> None:
        self.seed, self.epoch = seed, 0
        self.augment, self.preprocess = augment, preprocess

    def set_epoch(self, epoch: int) -> None:
        """Fresh augmentation per epoch (the training loop calls this before each pass)."""
        self.epoch = epoch

    def _rng(self, index: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, self.epoch, index])


class PieceFolderDataset(_EpochSeeded):
    """The pieces of one dataset folder (images + ``labels.jsonl``)."""

    def __init__(
        self,
        root: str | Path,
        *,
        seed: int = 0,
        augment: SampleAugment = SampleAugment.train(),
        preprocess: PreprocessConfig = PreprocessConfig(),
    ) -> None:
        super().__init__(seed, augment, preprocess)
        self.root = Path(root)
        self.records = read_records(root)

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: int) -> Sample:
        frame, record = read_frame(self.records[index], 2 * max(self.preprocess.input_size))
        return make_sample(frame, record, self._rng(index), self.augment, self.preprocess)

    def classes(self) -> list[tuple[str, str]]:
        return [(r.postage, r.damage) for r in self.records]


class SyntheticPieceDataset(_EpochSeeded):
    """``count`` pieces rendered on the fly by the generator from (``render_seed``, index): no disk."""

    def __init__(
        self,
        render_seed: int,
        count: int,
        *,
        seed: int = 0,
        augment: SampleAugment = SampleAugment.train(),
        preprocess: PreprocessConfig = PreprocessConfig(),
        synth_config: SynthConfig = SynthConfig(),
    ) -> None:
        super().__init__(seed, augment, preprocess)
        self.render_seed, self.count, self.synth_config = render_seed, count, synth_config

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> Sample:
        frame, record = self._render(index)
        return make_sample(frame, record, self._rng(index), self.augment, self.preprocess)

    def _render(self, index: int) -> tuple[np.ndarray, PieceRecord]:
        from mailpiece.datasets.render import encode, render_frame  # heavy: import on first use

        rendered = render_frame(self.render_seed, index, self.synth_config)
        # through the frame's own JPEG, as a dataset folder on disk would hold it
        frame = cv2.imdecode(np.frombuffer(encode(rendered), np.uint8), cv2.IMREAD_COLOR)
        label = rendered.label
        record = PieceRecord(
            image=Path(label.image),
            quad=tuple(label.piece_quad),
            postage=label.postage.kind,
            damage=label.damage.kind,
        )
        return frame, record

    def classes(self) -> list[tuple[str, str]]:
        from mailpiece.datasets.spec import sample_spec

        specs = (sample_spec(self.render_seed, i, self.synth_config) for i in range(self.count))
        return [(s.postage_kind, s.damage_kind) for s in specs]


class PieceMix(ConcatDataset):
    """Several piece datasets as one (synthetic plus review-desk exports), passing on ``set_epoch``."""

    def set_epoch(self, epoch: int) -> None:
        for part in self.datasets:
            part.set_epoch(epoch)

    def classes(self) -> list[tuple[str, str]]:
        return [c for part in self.datasets for c in part.classes()]


def loader_worker_init(_worker_id: int) -> None:
    """DataLoader worker set-up: one OpenCV thread each, as the workers already share the cores."""
    cv2.setNumThreads(1)


def class_weights(
    classes: Sequence[tuple[str, str]], heads: dict[str, tuple[str, ...]] = HEAD_CLASSES, power: float = 0.5
) -> dict[str, torch.Tensor]:
    """Loss weights per head that lift rare classes: (mean count / count) ** power, 1 for absent ones.
    Orientation needs none: the random 180° turn balances it.
    """
    weights = {}
    for position, head in enumerate(("postage", "damage")):
        counts = np.array([sum(1 for c in classes if c[position] == k) for k in heads[head]], np.float64)
        present = counts > 0
        w = np.ones_like(counts)
        if present.any():
            lifted = (counts[present].mean() / counts[present]) ** power
            w[present] = lifted / lifted.mean()
        weights[head] = torch.tensor(w, dtype=torch.float32)
    weights["orientation"] = torch.ones(len(heads["orientation"]))
    return weights
