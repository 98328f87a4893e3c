"""The camera over the belt: a belt background, the piece laid on it at a pose, then lighting, blur,
sensor noise and colour as a line-scan or area camera would deliver them.

Smooth things (belt texture, shadow, lighting) are made at a quarter or an eighth of the frame size and
upsampled, and per-pixel work stays in 8-bit OpenCV calls: that keeps a frame at a few milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from mailpiece.datasets.grain import add_grain, grain, smooth_field
from mailpiece.datasets.spec import PieceSpec

_BELT_TINTS = ((1.0, 1.0, 1.0), (1.0, 0.95, 0.9), (0.8, 1.1, 0.85), (1.35, 1.0, 0.75), (1.1, 1.05, 1.0))


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
    lo, hi = (0.0, 0.06) if spec.flat_scan else (0.12, 0.7)
    margins = rng.uniform(lo * spec.dpi, hi * spec.dpi, 4)  # left, top, right, bottom
    moved -= moved.min(axis=0)
    moved += margins[:2]
    span = moved.max(axis=0)
    width, height = int(np.ceil(span[0] + margins[2])), int(np.ceil(span[1] + margins[3]))
    hom = cv2.getPerspectiveTransform(corners.astype(np.float32), moved.astype(np.float32))
    return Pose(homography=hom.astype(np.float64), width=width, height=height)


def _belt_small(rng: np.random.Generator, width: int, height: int, flat_scan: bool) -> np.ndarray:
    """float32 (height, width, 3) background at reduced size: scanner lid, rubber belt or roller bed."""
    if flat_scan:
        tone = rng.uniform(200, 250) if rng.random() < 0.7 else rng.uniform(10, 40)
        base = tone * (1 + smooth_field(rng, height, width, cells=2, amplitude=0.03))
        return np.repeat(base[..., None], 3, axis=2)
    kind = rng.random()
    tone = rng.uniform(25, 85) if kind < 0.92 else rng.uniform(140, 200)
    tint = np.array(_BELT_TINTS[int(rng.integers(len(_BELT_TINTS)))], np.float32)
    streaks = cv2.GaussianBlur(
        grain(rng, height, width), (0, 0), sigmaX=float(rng.uniform(3, 10)), sigmaY=0.5
    )
    base = tone * (
        1 + smooth_field(rng, height, width, cells=3, amplitude=0.12) + streaks * rng.uniform(0.2, 0.6)
    )
    if 0.75 <= kind < 0.92:  # roller bed: metal cylinders across the direction of travel
        pitch = max(4.0, width / rng.uniform(6, 14))
        profile = np.clip(np.sin(np.pi * (np.arange(width) % pitch) / pitch), 0, 1) ** 0.6
        base = base * 0.4 + np.float32(rng.uniform(90, 170)) * profile[None, :].astype(np.float32)
    if rng.random() < 0.3:  # belt seam
        x, slope = int(rng.uniform(0, width)), rng.uniform(-0.4, 0.4)
        pts = np.array([[x, 0], [int(x + slope * height), height]], np.int32)
        cv2.polylines(base, [pts], False, float(tone * rng.uniform(0.5, 1.6)), 1)
    if rng.random() < 0.3:  # side rails
        rail = max(1, int(height * rng.uniform(0.02, 0.06)))
        base[:rail] = rng.uniform(110, 190)
        base[height - rail :] = rng.uniform(110, 190)
    return base[..., None] * tint


def background(rng: np.random.Generator, pose: Pose, alpha: np.ndarray, flat_scan: bool) -> np.ndarray:
    """The full-size uint8 BGR background, with the piece's soft drop shadow already on it."""
    f = 4
    sw, sh = -(-pose.width // f), -(-pose.height // f)
    small = _belt_small(rng, sw, sh, flat_scan)
    if not flat_scan:
        shift = np.array([[1, 0, rng.integers(-6, 10)], [0, 1, rng.integers(-6, 10)], [0, 0, 1]], np.float64)
        down = np.diag([1.0 / f, 1.0 / f, 1.0])
        size = (max(1, alpha.shape[1] // f), max(1, alpha.shape[0] // f))
        tiny = cv2.resize(alpha, size, interpolation=cv2.INTER_AREA)
        hom = down @ shift @ pose.homography @ np.linalg.inv(down)
        shadow = cv2.warpPerspective(tiny, hom, (sw, sh), flags=cv2.INTER_LINEAR).astype(np.float32) / 255.0
        shadow = cv2.GaussianBlur(shadow, (0, 0), float(rng.uniform(0.8, 2.5)))
        small *= (1.0 - float(rng.uniform(0.2, 0.55)) * shadow)[..., None]
    small8 = np.clip(small, 0, 255).astype(np.uint8)
    full = cv2.resize(small8, (sw * f, sh * f), interpolation=cv2.INTER_LINEAR)
    return np.ascontiguousarray(full[: pose.height, : pose.width])


def neighbour(frame: np.ndarray, rng: np.random.Generator, pose: Pose, piece_size: tuple[int, int]) -> None:
    """The edge of the next or previous piece on the belt, in the margin beside this one (in place)."""
    w, h = piece_size
    quad = pose.project(np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64))
    left = rng.random() < 0.5
    edge = quad[:, 0].min() - 6 if left else quad[:, 0].max() + 6
    room = edge if left else pose.width - edge
    if room < 12:
        return
    depth = rng.uniform(0.3, 1.0) * room
    x_in = edge - rng.uniform(0, depth) if left else edge + rng.uniform(0, depth)
    top, bottom = rng.uniform(-0.2, 0.4) * pose.height, rng.uniform(0.6, 1.2) * pose.height
    slant = rng.uniform(-0.08, 0.08) * (bottom - top)
    x_out = -50.0 if left else pose.width + 50.0
    poly = np.array([[x_out, top], [x_in + slant, top], [x_in - slant, bottom], [x_out, bottom]], np.int32)
    tone = tuple(int(v) for v in rng.uniform(150, 250, 3))
    cv2.fillConvexPoly(frame, poly, tone, cv2.LINE_AA)


def lay_piece(bg: np.ndarray, piece: np.ndarray, alpha: np.ndarray, pose: Pose) -> np.ndarray:
    """Warp the piece (with its opacity: tears and crumpled edges) onto the background.

    The piece is premultiplied by its opacity, so the warp's interpolation (and its zero border) yields
    premultiplied colour and the composite is one multiply and one add.
    """
    if alpha.min() < 255:
        piece = cv2.multiply(piece, cv2.merge((alpha, alpha, alpha)), scale=1 / 255.0)
    bgra = cv2.cvtColor(piece, cv2.COLOR_BGR2BGRA)
    bgra[..., 3] = alpha
    warped = cv2.warpPerspective(bgra, pose.homography, (pose.width, pose.height), flags=cv2.INTER_LINEAR)
    *colour, a = cv2.split(warped)
    clear = cv2.bitwise_not(a)
    return cv2.add(cv2.merge(colour), cv2.multiply(bg, cv2.merge((clear, clear, clear)), scale=1 / 255.0))


def expose(frame: np.ndarray, rng: np.random.Generator, grayscale: bool) -> np.ndarray:
    """Lighting gradient and vignette, colour cast, motion or focus blur, sensor noise, greyscale."""
    h, w = frame.shape[:2]
    gh, gw = max(2, h // 8), max(2, w // 8)
    gain = 1.0 + smooth_field(rng, gh, gw, cells=2, amplitude=float(rng.uniform(0.02, 0.12)))
    yy, xx = np.mgrid[0:gh, 0:gw].astype(np.float32)
    r2 = ((xx - gw / 2) / (gw / 2)) ** 2 + ((yy - gh / 2) / (gh / 2)) ** 2
    gain *= 1.0 - float(rng.uniform(0.0, 0.25)) * r2 / 2
    gain *= float(rng.uniform(0.78, 1.12) if rng.random() < 0.93 else rng.uniform(1.12, 1.35))
    cast = rng.uniform(0.92, 1.08, 3).astype(np.float32)
    gain8 = np.clip(gain[..., None] * cast * 128.0, 0, 255).astype(np.uint8)
    out = cv2.multiply(frame, cv2.resize(gain8, (w, h), interpolation=cv2.INTER_LINEAR), scale=1 / 128.0)
    if rng.random() < 0.15:  # specular glare from the lamps on glossy stock or window film
        cy, cx = rng.uniform(0, gh), rng.uniform(0, gw)
        ry, rx = gh * rng.uniform(0.08, 0.3), gw * rng.uniform(0.08, 0.4)
        blob = np.exp(-(((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2)) * rng.uniform(25, 90)
        glare = cv2.resize(blob.astype(np.uint8), (w, h), interpolation=cv2.INTER_LINEAR)
        out = cv2.add(out, cv2.cvtColor(glare, cv2.COLOR_GRAY2BGR))
    # Sorter cameras are built to read addresses (short exposure, fixed focus on the belt): blur stays
    # under about a stroke width at 150 dpi, and the heaviest cases are rare.
    roll = rng.random()
    if roll < 0.3:
        length = int(rng.integers(2, 6))
        out = cv2.blur(out, (length, 1))
    elif roll < 0.6:
        out = cv2.GaussianBlur(out, (0, 0), float(rng.uniform(0.4, 1.1)))
    sigma = float(rng.uniform(1.0, 6.0))
    if grayscale:
        grey = add_grain(cv2.cvtColor(out, cv2.COLOR_BGR2GRAY), rng, sigma)
        return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
    return add_grain(out, rng, sigma)
