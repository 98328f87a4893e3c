"""A grid of thumbnails for eyeballing a dataset, with the ground truth drawn on each frame."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from mailpiece.datasets.render import SyntheticFrame


def _annotated(frame: SyntheticFrame) -> np.ndarray:
    """The frame with its piece quad (green, first corner marked), address (blue) and postage (red) boxes."""
    img = frame.image.copy()
    label = frame.label
    thick = max(2, img.shape[1] // 500)
    quad = np.array(label.piece_quad, np.int32)
    cv2.polylines(img, [quad], True, (0, 200, 0), thick, cv2.LINE_AA)
    cv2.circle(img, tuple(int(v) for v in quad[0]), 4 * thick, (0, 200, 0), -1)
    x0, y0, x1, y1 = label.address_box
    cv2.rectangle(img, (x0, y0), (x1, y1), (255, 120, 0), thick)
    if label.postage_box:
        x0, y0, x1, y1 = label.postage_box
        cv2.rectangle(img, (x0, y0), (x1, y1), (0, 0, 255), thick)
    return img


def _caption(frame: SyntheticFrame) -> str:
    label = frame.label
    damage = (
        label.damage.kind
        if label.damage.kind == "none"
        else f"{label.damage.kind} {label.damage.severity:.1f}"
    )
    flags = "".join(
        flag
        for flag, on in (
            (" UD", label.orientation == 180),
            (" grey", label.grayscale),
            (" scan", label.flat_scan),
            (" UNSORTABLE", not label.sortable),
        )
        if on
    )
    return f"{label.piece_id} {label.piece_type} | {label.postage.kind} | {damage}{flags}"


def make_contact_sheet(
    frames: Sequence[SyntheticFrame | np.ndarray], cols: int = 4, cell_width: int = 480, annotate: bool = True
) -> np.ndarray:
    """Tile frames (or plain BGR arrays) into one BGR image; synthetic frames get boxes and a caption."""
    if not frames:
        raise ValueError("make_contact_sheet needs at least one frame")
    cells = []
    for item in frames:
        is_synthetic = isinstance(item, SyntheticFrame)
        img = _annotated(item) if is_synthetic and annotate else (item.image if is_synthetic else item)
        if img.ndim == 2:
            img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
        cell_height = cell_width * 3 // 4
        scale = min(cell_width / img.shape[1], cell_height / img.shape[0])
        size = (max(1, round(img.shape[1] * scale)), max(1, round(img.shape[0] * scale)))
        thumb = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
        cell = np.full((cell_height + 22, cell_width, 3), 255, np.uint8)
        cell[: thumb.shape[0], : thumb.shape[1]] = thumb
        if is_synthetic:
            cv2.putText(
                cell,
                _caption(item),
                (4, cell.shape[0] - 7),
                cv2.FONT_HERSHEY_SIMPLEX,
                0.4,
                (0, 0, 0),
                1,
                cv2.LINE_AA,
            )
        cells.append(cell)
    rows = []
    for start in range(0, len(cells), cols):
        row = cells[start : start + cols]
        row += [np.full_like(cells[0], 255)] * (cols - len(row))
        rows.append(np.concatenate(row, axis=1))
    return np.concatenate(rows, axis=0)
