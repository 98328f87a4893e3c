"""Read text lines from an address-block crop with Tesseract, in-process (tesserocr) or via the CLI.

Both engines see the same greyscale image with the same page segmentation and resolution, and group
words into lines the same way, so they return the same lines; tesserocr just skips a process launch.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np

DEFAULT_TESSDATA = Path("/usr/share/tesseract-ocr/5/tessdata")
# PSM 6 ("a single uniform block") read address crops as well as PSM 4 and 11: docs/address-reading.md.
DEFAULT_PSM = 6
# Crops carry no DPI; telling both engines the same value keeps their layout heuristics identical.
SOURCE_DPI = 300

Box = tuple[int, int, int, int]


@dataclass(frozen=True, kw_only=True)
class OcrWord:
    """One recognised word: text, Tesseract's confidence scaled to 0..1, box (x0, y0, x1, y1) in the input."""

    text: str
    confidence: float
    box: Box

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "confidence": self.confidence, "box": list(self.box)}


@dataclass(frozen=True, kw_only=True)
class OcrLine:
    """One text line: its words in reading order, their joined text, mean confidence and enclosing box."""

    text: str
    confidence: float
    box: Box
    words: tuple[OcrWord, ...]

    @classmethod
    def from_words(cls, words: list[OcrWord]) -> OcrLine:
        boxes = np.array([w.box for w in words])
        box = (int(boxes[:, 0].min()), int(boxes[:, 1].min()), int(boxes[:, 2].max()), int(boxes[:, 3].max()))
        confidence = float(np.mean([w.confidence for w in words]))
        return cls(text=" ".join(w.text for w in words), confidence=confidence, box=box, words=tuple(words))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["box"] = list(self.box)
        d["words"] = [w.to_dict() for w in self.words]
        return d


class OcrEngine(Protocol):
    """Anything that turns an image (greyscale or BGR uint8) into text lines."""

    name: str

    def read_lines(self, image: np.ndarray) -> list[OcrLine]: ...


class OcrTimeout(RuntimeError):  # noqa: N818 - reads as what happened: the OCR timed out
    """Recognition ran past the engine's time budget; the caller treats the address as unread."""


def find_tessdata() -> Path:
    """The tessdata folder: $TESSDATA_PREFIX, the Debian path, or whatever `tesseract --list-langs` names."""
    candidates = []
    if os.environ.get("TESSDATA_PREFIX"):
        prefix = Path(os.environ["TESSDATA_PREFIX"])
        candidates += [prefix, prefix / "tessdata"]
    candidates.append(DEFAULT_TESSDATA)
    for folder in candidates:
        if (folder / "eng.traineddata").is_file():
            return folder
    if shutil.which("tesseract"):
        listing = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30)
        named = re.search(r'"([^"]+)"', listing.stdout + listing.stderr)
        if named and Path(named[1]).is_dir():
            return Path(named[1])
    raise FileNotFoundError(
        "no tessdata with eng.traineddata found; install tesseract-ocr or set TESSDATA_PREFIX"
    )


def _one_thread_per_worker() -> None:
    # Tesseract's OpenMP threads fight the Ray workers for cores; must be set before the library loads.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def _as_grey(image: np.ndarray) -> np.ndarray:
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY)
    if image.dtype != np.uint8 or image.ndim != 2:
        raise ValueError(f"OCR needs a uint8 greyscale or BGR image, got {image.dtype} {image.shape}")
    return np.ascontiguousarray(image)


def _lines_from_words(rows: list[tuple[tuple[int, ...], OcrWord]]) -> list[OcrLine]:
    """Group (line key, word) rows, already in reading order, into lines; blank words are dropped."""
    lines: list[OcrLine] = []
    current: list[OcrWord] = []
    current_key: tuple[int, ...] | None = None
    for key, word in rows:
        if not word.text.strip():
            continue
        if key != current_key and current:
            lines.append(OcrLine.from_words(current))
            current = []
        current_key = key
        current.append(word)
    if current:
        lines.append(OcrLine.from_words(current))
    return lines


def _tesserocr_rows(iterator: Any, level: Any) -> list[tuple[tuple[int, ...], OcrWord]]:
    """Walk a tesserocr result iterator word by word, numbering lines as the iterator enters them."""
    rows: list[tuple[tuple[int, ...], OcrWord]] = []
    line_number = 0
    while iterator is not None:
        if iterator.IsAtBeginningOf(level.TEXTLINE):
            line_number += 1
        if not iterator.Empty(level.WORD):
            x0, y0, x1, y1 = iterator.BoundingBox(level.WORD)
            text = iterator.GetUTF8Text(level.WORD).strip()
            confidence = iterator.Confidence(level.WORD) / 100.0
            rows.append(((line_number,), OcrWord(text=text, confidence=confidence, box=(x0, y0, x1, y1))))
        if not iterator.Next(level.WORD):
            break
    return rows


class TesserocrEngine:
    """Tesseract in-process: one ``PyTessBaseAPI`` made at construction and reused for every crop."""

    name = "tesserocr"

    def __init__(
        self, *, tessdata: Path | None = None, psm: int = DEFAULT_PSM, time_budget_ms: int | None = None
    ) -> None:
        _one_thread_per_worker()
        import tesserocr

        self._tesserocr = tesserocr
        self._api = tesserocr.PyTessBaseAPI(
            path=str(tessdata or find_tessdata()) + "/", lang="eng", psm=psm, init=True
        )
        self.time_budget_ms = time_budget_ms  # per crop; None means no limit
        self._lock = threading.Lock()  # one API object must never be driven from two threads at once

    def read_lines(self, image: np.ndarray) -> list[OcrLine]:
        grey = _as_grey(image)
        with self._lock:
            api = self._api
            api.SetImageBytes(grey.tobytes(), grey.shape[1], grey.shape[0], 1, grey.shape[1])
            api.SetSourceResolution(SOURCE_DPI)
            if not api.Recognize(timeout=self.time_budget_ms or 0):
                raise OcrTimeout(f"tesserocr gave up after the {self.time_budget_ms} ms budget")
            rows = _tesserocr_rows(api.GetIterator(), self._tesserocr.RIL)
        return _lines_from_words(rows)

    def close(self) -> None:
        self._api.End()


class PytesseractEngine:
    """Tesseract through its command line (one process per crop): slower, but needs only the binary."""

    name = "pytesseract"

    def __init__(
        self, *, tessdata: Path | None = None, psm: int = DEFAULT_PSM, time_budget_ms: int | None = None
    ) -> None:
        _one_thread_per_worker()
        import pytesseract

        self._pytesseract = pytesseract
        self._config = f'--psm {psm} --dpi {SOURCE_DPI} --tessdata-dir "{tessdata or find_tessdata()}"'
        self.time_budget_ms = time_budget_ms  # per crop; None means no limit

    def read_lines(self, image: np.ndarray) -> list[OcrLine]:
        grey = _as_grey(image)
        try:
            data = self._pytesseract.image_to_data(
                grey,
                lang="eng",
                config=self._config,
                output_type="dict",
                timeout=(self.time_budget_ms or 0) / 1000,
            )
        except RuntimeError as exc:
            if "timeout" in str(exc).lower():
                raise OcrTimeout(f"tesseract CLI gave up after the {self.time_budget_ms} ms budget") from exc
            raise
        rows = []
        for i, level in enumerate(data["level"]):
            if level != 5:  # 5 = word
                continue
            x0, y0 = int(data["left"][i]), int(data["top"][i])
            word = OcrWord(
                text=str(data["text"][i]).strip(),
                confidence=max(float(data["conf"][i]), 0.0) / 100.0,
                box=(x0, y0, x0 + int(data["width"][i]), y0 + int(data["height"][i])),
            )
            key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
            rows.append((key, word))
        return _lines_from_words(rows)


def build_ocr_engine(
    name: str = "auto",
    *,
    tessdata: Path | None = None,
    psm: int = DEFAULT_PSM,
    time_budget_ms: int | None = None,
) -> OcrEngine:
    """Build an engine by name: ``tesserocr``, ``pytesseract``, or ``auto`` (tesserocr when importable)."""
    if name == "auto":
        try:
            import tesserocr  # noqa: F401
        except ImportError:
            name = "pytesseract"
        else:
            name = "tesserocr"
    engines = {"tesserocr": TesserocrEngine, "pytesseract": PytesseractEngine}
    if name not in engines:
        raise ValueError(f"unknown OCR engine {name!r}; choose auto, tesserocr or pytesseract")
    return engines[name](tessdata=tessdata, psm=psm, time_budget_ms=time_budget_ms)


def estimate_text_height(grey: np.ndarray) -> float | None:
    """Typical glyph height in px from dark connected components (upper quartile, so capitals count)."""
    _, ink = cv2.threshold(_as_grey(grey), 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    width, height, area = (stats[1:, k] for k in (cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT, cv2.CC_STAT_AREA))
    glyph = (height >= 4) & (height < 0.5 * ink.shape[0]) & (width <= 3 * height) & (area >= 8)
    if glyph.sum() < 3:
        return None
    return float(np.percentile(height[glyph], 75))


def preprocess_for_ocr(
    crop: np.ndarray,
    *,
    text_height_px: float | None = None,
    target_height_px: float = 28.0,
    binarize: bool = False,
    pad_px: int = 16,
) -> np.ndarray:
    """Grey, dark text on light, glyphs scaled to about ``target_height_px``, shading flattened, padded.

    Tesseract reads best with capitals 20-30 px tall and a clean white margin; uneven lighting is divided
    out so a shadow across the label does not swallow a line. Binarising first (``binarize=True``) is
    optional: on blurred camera frames, Tesseract's own thresholding of the flattened grey reads as well.
    """
    grey = _as_grey(crop)
    if np.median(grey) < 110:  # light print on a dark label
        grey = 255 - grey
    height = text_height_px or estimate_text_height(grey)
    if height:
        scale = float(np.clip(target_height_px / height, 0.25, 4.0))
        if abs(scale - 1.0) > 0.15:
            size = (max(1, round(grey.shape[1] * scale)), max(1, round(grey.shape[0] * scale)))
            grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    grey = (
        _flattened_otsu(grey, int(target_height_px))
        if binarize
        else flatten_background(grey, int(target_height_px))
    )
    return cv2.copyMakeBorder(grey, pad_px, pad_px, pad_px, pad_px, cv2.BORDER_CONSTANT, value=255)


def flatten_background(grey: np.ndarray, glyph_px: int) -> np.ndarray:
    """Divide out the paper's shading (a closing wider than any glyph, done at quarter size).

    Background that is far darker than the paper (belt showing past a torn edge, a dark label border) is
    not paper: it becomes white instead of stretching the contrast, which would thin the print to dots.
    """
    small = cv2.resize(
        grey, (max(1, grey.shape[1] // 4), max(1, grey.shape[0] // 4)), interpolation=cv2.INTER_AREA
    )
    side = max(3, (glyph_px * 3 // 4) | 1)
    background = cv2.morphologyEx(
        small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (side, side))
    )
    background = cv2.resize(cv2.blur(background, (3, 3)), (grey.shape[1], grey.shape[0]), cv2.INTER_LINEAR)
    flat = cv2.divide(grey, np.maximum(background, 1), scale=255)
    # Dark regions wider than any stroke survive a closing half a glyph wide; print does not.
    half_glyph = max(3, (glyph_px // 2) | 1)
    filled = cv2.morphologyEx(
        grey, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (half_glyph, half_glyph))
    )
    not_paper = filled < 0.55 * float(np.median(filled))
    if not_paper.any():
        not_paper = cv2.dilate(not_paper.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
        flat[not_paper] = 255
    return flat


def _flattened_otsu(grey: np.ndarray, glyph_px: int) -> np.ndarray:
    """Flatten the background, then Otsu."""
    _, binary = cv2.threshold(flatten_background(grey, glyph_px), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return binary
