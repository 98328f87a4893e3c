"""One synthetic camera frame with its ground truth: a pure function of (seed, index, config).

The plan comes from rng stream 0 (`sample_spec`), pixels from stream 1, so the same seed and index give
a byte-identical encoded frame on the same machine (same fonts, same OpenCV/FreeType builds).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import cv2
import numpy as np

from mailpiece.datasets.camera import Pose, background, expose, lay_piece, neighbour, sample_pose
from mailpiece.datasets.config import SynthConfig
from mailpiece.datasets.crush_styles import varied_crush
from mailpiece.datasets.damage import crease, crush, stain, tear
from mailpiece.datasets.damage_styles import varied_crease, varied_stain, varied_tear
from mailpiece.datasets.labels import DamageLabel, PieceLabel, PostageLabel
from mailpiece.datasets.lettering import ink_box
from mailpiece.datasets.piece_face import render_face
from mailpiece.datasets.spec import PieceSpec, rng_for, sample_spec

Box = tuple[int, int, int, int]

# A destination whose last line (city, state, ZIP) lost more than this share of its ink to a tear or an
# opaque spill is unsortable: the ZIP can no longer be read.
MAX_ADDRESS_LOSS = 0.02


@dataclass(frozen=True, kw_only=True)
class SyntheticFrame:
    """A rendered frame: `image` is always (H, W, 3) uint8 BGR; greyscale frames carry three equal
    channels in memory and are encoded as single-channel JPEG."""

    image: np.ndarray
    label: PieceLabel
    jpeg_quality: int


def piece_id(index: int) -> str:
    """The dataset-wide name of frame `index`."""
    return f"piece_{index:06d}"


def _frame_box(pose: Pose, box: Box, width: int, height: int) -> Box:
    """The axis-aligned frame box around a piece box after the camera pose, clipped to the frame."""
    x0, y0, x1, y1 = box
    pts = pose.project(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64))
    fx0, fy0 = np.floor(pts.min(axis=0)).astype(int)
    fx1, fy1 = np.ceil(pts.max(axis=0)).astype(int)
    return max(0, int(fx0)), max(0, int(fy0)), min(width, int(fx1)), min(height, int(fy1))


def _damage(spec: PieceSpec, rng: np.random.Generator, image, ink, postage_box):
    """Apply the planned damage; returns (image, alpha or None, ink, share of the ZIP line destroyed).

    For ``spec.varied_damage`` the stock rendering makes its draws from the frame's stream on copies (and
    is dropped), then a random-look one (``damage_styles``) draws from the piece's own stream 4, so
    everything drawn after the damage is as on the stock piece."""
    if spec.damage_kind == "none":
        return image, None, ink, 0.0
    if spec.varied_damage:
        _apply_damage(spec, rng, image.copy(), ink.copy(), postage_box, varied=False)
        rng = rng_for(spec.seed, spec.index, 4)
    return _apply_damage(spec, rng, image, ink, postage_box, varied=spec.varied_damage)


def _apply_damage(spec: PieceSpec, rng: np.random.Generator, image, ink, postage_box, *, varied: bool):
    """The stock rendering of the planned damage, or with ``varied`` a random-look one (the functions
    are looked up when called, so a benchmark can patch this module's ``tear`` etc.)."""
    loss, alpha = 0.0, None
    target = ink_box(ink[..., 1], 0, 0) if spec.damage_over_address else None
    if spec.damage_kind == "torn":
        alpha = np.full(image.shape[:2], 255, np.uint8)
        loss = (varied_tear if varied else tear)(image, alpha, ink, rng, spec.severity, target, postage_box)
    elif spec.damage_kind == "creased":
        (varied_crease if varied else crease)(image, rng, spec.severity)
    elif spec.damage_kind == "stained":
        loss = (varied_stain if varied else stain)(image, ink, rng, spec.severity, spec.dpi, target)
    elif spec.damage_kind == "crushed":
        alpha = np.full(image.shape[:2], 255, np.uint8)
        image, alpha, ink = (varied_crush if varied else crush)(image, alpha, ink, rng, spec.severity)
    return image, alpha, ink, loss


class _Laps:
    """CPU milliseconds per stage into `timings` when one is given (for the benchmark)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings, self.last = timings, time.process_time()

    def __call__(self, stage: str) -> None:
        if self.timings is not None:
            now = time.process_time()
            self.timings[stage] = self.timings.get(stage, 0.0) + (now - self.last) * 1000.0
            self.last = now


def render_spec(spec: PieceSpec, timings: dict[str, float] | None = None) -> SyntheticFrame:
    """Draw the frame a plan describes, with its label (the second half of `render_frame`).

    `timings`, when given, receives milliseconds per stage: face, damage, belt, lay, expose.
    """
    lap = _Laps(timings)
    rng = rng_for(spec.seed, spec.index, 1)
    face = render_face(spec, rng)
    lap("face")
    image, alpha, ink, loss = _damage(spec, rng, face.image, face.address_ink, face.postage_box)
    address_box = face.address_box
    if spec.damage_kind == "crushed":  # the warp moved the text a few pixels
        moved = ink_box(ink[..., 0], 0, 0)
        if moved is not None:
            address_box = (max(0, moved[0] - 2), max(0, moved[1] - 2), moved[2] + 2, moved[3] + 2)
    if alpha is None:
        alpha = np.full(image.shape[:2], 255, np.uint8)
    lap("damage")
    pose = sample_pose(rng, spec)
    bg = background(rng, pose, alpha, spec.flat_scan)
    if not spec.flat_scan and rng.random() < 0.15:
        neighbour(bg, rng, pose, spec.size_px)
    lap("belt")
    frame = lay_piece(bg, image, alpha, pose)
    lap("lay")
    frame = expose(frame, rng, spec.grayscale)
    lap("expose")
    label = _label(spec, pose, address_box, face.postage_box, sortable=loss <= MAX_ADDRESS_LOSS)
    return SyntheticFrame(image=frame, label=label, jpeg_quality=spec.jpeg_quality)


def _label(
    spec: PieceSpec, pose: Pose, address_box: Box, postage_box: Box | None, sortable: bool
) -> PieceLabel:
    w, h = spec.size_px
    quad = pose.project(np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64))
    return PieceLabel(
        piece_id=piece_id(spec.index),
        image=f"frames/{piece_id(spec.index)}.jpg",
        seed=spec.seed,
        index=spec.index,
        piece_type=spec.piece_type,
        window=spec.window,
        address_label=spec.address_label,
        dpi=spec.dpi,
        width=pose.width,
        height=pose.height,
        address=spec.address,
        return_address=spec.return_address,
        postage=PostageLabel(kind=spec.postage_kind, cancelled=spec.cancelled),
        damage=DamageLabel(kind=spec.damage_kind, severity=spec.severity),
        orientation=spec.orientation,
        rotation_deg=spec.rotation_deg,
        grayscale=spec.grayscale,
        flat_scan=spec.flat_scan,
        jpeg_quality=spec.jpeg_quality,
        piece_quad=tuple((round(float(x), 1), round(float(y), 1)) for x, y in quad),  # type: ignore[arg-type]
        piece_size=(w, h),
        address_box=_frame_box(pose, address_box, pose.width, pose.height),
        postage_box=_frame_box(pose, postage_box, pose.width, pose.height) if postage_box else None,
        sortable=sortable,
    )


def render_frame(seed: int, index: int, config: SynthConfig = SynthConfig()) -> SyntheticFrame:
    """Frame `index` of synthetic dataset `seed`: pixels plus full ground truth."""
    return render_spec(sample_spec(seed, index, config))


def encode(frame: SyntheticFrame) -> bytes:
    """The frame as JPEG bytes at its quality; greyscale frames become single-channel JPEGs."""
    image = frame.image
    if frame.label.grayscale:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(frame.jpeg_quality)])
    if not ok:
        raise RuntimeError(f"JPEG encoding failed for {frame.label.piece_id}")
    return buf.tobytes()
