"""The camera over the belt: a belt background, the piece laid on it at a pose, then lighting, blur,
sensor noise and colour as a line-scan or area camera would deliver them.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from mailpiece.datasets.grain import grain, grain_u8, smooth_field
from mailpiece.datasets.spec import PieceSpec


@dataclass(frozen=True, kw_only=True)
class Pose:
    """Where the upright piece lands in the frame: a piece-to-frame homography and the frame size."""

    homography: np.ndarray  # 3x3 float64, upright piece px -> frame px
    width: int
    height: int

    def project(self, points: np.ndarray) -> np.ndarray:
        """Map (N, 2) piece points to frame points."""
        pts = np.asarray(points, np.float64).reshape(-1, 1, 2)
        return cv2.perspectiveTransform(pts, self.homography).reshape(-1, 2)


def sample_pose(rng: np.random.Generator, spec: PieceSpec) -> Pose:
    """Rotate by orientation + skew about the centre, tilt the corners a little, leave a belt margin."""
    w, h = spec.size_px
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
    theta = np.deg2rad(spec.orientation + spec.rotation_deg)
    rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    moved = (corners - [w / 2, h / 2]) @ rot.T
    if not spec.flat_scan:
        tilt = rng.uniform(0.0, 0.025) * min(w, h)
        moved += rng.uniform(-tilt, tilt, moved.shape)
    inch = spec.dpi
    lo = (0.0, 0.06) if spec.flat_scan else (0.12, 0.7)
    margins = rng.uniform(lo[0] * inch, lo[1] * inch, 4)  # left, top, right, bottom
    moved -= moved.min(axis=0)
    moved += margins[:2]
    span = moved.max(axis=0)
    width, height = int(np.ceil(span[0] + margins[2])), int(np.ceil(span[1] + margins[3]))
    hom = cv2.getPerspectiveTransform(corners.astype(np.float32), moved.astype(np.float32))
    return Pose(homography=hom.astype(np.float64), width=width, height=height)


def belt(rng: np.random.Generator, width: int, height: int, flat_scan: bool) -> np.ndarray:
    """The background: a scanner lid for flat scans, else a rubber belt, a light belt or rollers."""
    hw, hh = max(2, width // 2), max(2, height // 2)
    if flat_scan:
        tone = rng.uniform(200, 250) if rng.random() < 0.7 else rng.uniform(10, 40)
        base = np.full((hh, hw), tone, np.float32)
        colour = np.array([1.0, 1.0, 1.0], np.float32)
    else:
        kind = rng.random()
        tone = rng.uniform(25, 85) if kind < 0.92 else rng.uniform(140, 200)
        colour = np.array(
            [(1, 1, 1), (1.0, 0.95, 0.9), (0.8, 1.1, 0.85), (1.35, 1.0, 0.75), (1.1, 1.05, 1.0)][
                int(rng.integers(5))
            ],
            np.float32,
        )
        streaks = cv2.GaussianBlur(grain(rng, hh, hw), (0, 0), sigmaX=float(rng.uniform(8, 30)), sigmaY=0.7)
        base = tone * (
            1 + smooth_field(rng, hh, hw, cells=3, amplitude=0.12) + streaks * rng.uniform(0.1, 0.4)
        )
        if kind >= 0.75 and kind < 0.92:  # roller bed: metal cylinders across the direction of travel
            pitch = max(8.0, hw / rng.uniform(6, 14))
            phase = (np.arange(hw) % pitch) / pitch
            profile = np.clip(np.sin(np.pi * phase), 0, 1) ** 0.6
            base = base * 0.4 + np.float32(rng.uniform(90, 170)) * profile[None, :].astype(np.float32)
        if rng.random() < 0.3:  # belt seam
            x = int(rng.uniform(0, hw))
            slope = rng.uniform(-0.4, 0.4)
            pts = np.array([[x, 0], [int(x + slope * hh), hh]], np.int32)
            cv2.polylines(base, [pts], False, float(tone * rng.uniform(0.5, 1.6)), int(rng.integers(1, 4)))
        if rng.random() < 0.3:  # side rails
            rail = int(hh * rng.uniform(0.02, 0.06))
            base[:rail] = rng.uniform(110, 190)
            base[hh - rail :] = rng.uniform(110, 190)
    img = cv2.resize(np.clip(base, 0, 255), (width, height), interpolation=cv2.INTER_LINEAR)
    out = img[..., None] * colour[None, None, :]
    return np.clip(out, 0, 255).astype(np.uint8)


def lay_piece(
    background: np.ndarray,
    piece: np.ndarray,
    alpha: np.ndarray | None,
    pose: Pose,
    rng: np.random.Generator,
    flat_scan: bool,
) -> np.ndarray:
    """Warp the piece onto the background with a soft drop shadow under it."""
    size = (pose.width, pose.height)
    if alpha is None:
        alpha = np.full(piece.shape[:2], 255, np.uint8)
    warped = cv2.warpPerspective(piece, pose.homography, size, flags=cv2.INTER_LINEAR)
    a = cv2.warpPerspective(alpha, pose.homography, size, flags=cv2.INTER_LINEAR)
    bg = background
    if not flat_scan:
        dx, dy = int(rng.integers(-6, 10)), int(rng.integers(-6, 10))
        shadow = cv2.GaussianBlur(np.roll(a, (dy, dx), axis=(0, 1)), (0, 0), float(rng.uniform(3, 10)))
        depth = float(rng.uniform(0.2, 0.55))
        bg = (background * (1.0 - depth * shadow[..., None] / 255.0)).astype(np.uint8)
    a3 = (a.astype(np.float32) / 255.0)[..., None]
    return (bg + (warped.astype(np.float32) - bg) * a3).astype(np.uint8)


def expose(frame: np.ndarray, rng: np.random.Generator, grayscale: bool) -> np.ndarray:
    """Lighting gradient and vignette, colour cast, motion or focus blur, sensor noise, greyscale."""
    h, w = frame.shape[:2]
    gain = 1.0 + smooth_field(rng, h, w, cells=2, amplitude=float(rng.uniform(0.02, 0.12)))
    yy, xx = np.ogrid[0:h, 0:w]
    r2 = ((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2
    gain *= (1.0 - float(rng.uniform(0.0, 0.25)) * r2 / 2).astype(np.float32)
    gain *= float(rng.uniform(0.78, 1.12))
    cast = rng.uniform(0.92, 1.08, 3).astype(np.float32)
    out = np.clip(frame * gain[..., None] * cast, 0, 255).astype(np.uint8)
    roll = rng.random()
    if roll < 0.3:
        length = int(rng.integers(2, 9))
        kernel = np.zeros((1, length), np.float32)
        kernel[:] = 1.0 / length
        out = cv2.filter2D(out, -1, kernel)
    elif roll < 0.6:
        out = cv2.GaussianBlur(out, (0, 0), float(rng.uniform(0.4, 1.4)))
    sigma = float(rng.uniform(1.0, 6.0))
    noise = grain_u8(rng, h, w, sigma)
    if grayscale:
        grey = cv2.cvtColor(out, cv2.COLOR_BGR2GRAY).astype(np.int16) + noise
        return cv2.cvtColor(np.clip(grey, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
    return np.clip(out.astype(np.int16) + noise[..., None], 0, 255).astype(np.uint8)
