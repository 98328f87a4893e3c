"""The inspector: one frame in, one result record out, composed of stage objects built once.

It runs in two halves so that a pipeline can batch the CNN between them: ``prepare`` does the per-frame CPU
work (decode, locate, face, read the address) and ``finish`` folds in the CNN's verdict (reading the
postage box when the CNN is unsure it holds postage) and decides. Calling
the inspector runs both in-process. No stage failure escapes: a bad image is a ``bad_image`` record, and an
unexpected error is a ``processing_error`` record with the error in its message.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import numpy as np

from mailpiece.inspect.config import InspectConfig
from mailpiece.inspect.decide import decide
from mailpiece.inspect.decode import BadImage, decode_image
from mailpiece.inspect.facing import face_and_read
from mailpiece.inspect.frame import Frame
from mailpiece.inspect.locate import LocatedPiece, locate_piece
from mailpiece.inspect.postage_box import find_postage_box
from mailpiece.inspect.postage_codes import qr_code_alone
from mailpiece.inspect.postage_damage import PostageDamageStage
from mailpiece.inspect.postage_wording import paid_kind, read_paid_wording, read_postage_wording
from mailpiece.inspect.reader import AddressReader, AddressReading, OcrBudget
from mailpiece.inspect.result import ClassCall, Result, bad_image
from mailpiece.inspect.sort_plan import SortPlan


@dataclass(kw_only=True)
class Prepared:
    """A frame after the CPU stages, waiting for the CNN's verdict."""

    frame: Frame
    piece: np.ndarray  # faced, straightened piece
    reading: AddressReading
    orientation: int
    quad: np.ndarray
    # Where postage would be on the faced piece, found here on the CPU half so that a batching CNN actor
    # does no image work; the record shows it only when the CNN calls postage present.
    postage_box: tuple[int, int, int, int] | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + (time.perf_counter() - start) * 1000


class Inspector:
    """``Inspector(frame) -> Result``; build it with :func:`mailpiece.inspect.factory.build_inspector`."""

    def __init__(
        self,
        *,
        config: InspectConfig,
        reader: AddressReader,
        sort_plan: SortPlan,
        postage_damage: PostageDamageStage | None = None,
    ) -> None:
        self.config = config
        self.reader = reader
        self.sort_plan = sort_plan
        self.postage_damage = postage_damage

    @property
    def model_name(self) -> str | None:
        return self.postage_damage.model_name if self.postage_damage else None

    def __call__(self, frame: Frame) -> Result:
        """Inspect one frame in-process.

        With a CNN stage, the CNN looks at the straightened piece before facing: its postage and damage heads
        do not depend on which way up the piece lies, and its orientation head tells the reader which way
        to read first, which usually saves the second OCR pass.
        """
        timings: dict[str, float] = {}
        start = time.perf_counter()
        located = self._locate(frame, timings, start)
        if isinstance(located, Result):
            return located
        calls, upside_down = None, None
        if self.postage_damage is not None:
            try:
                with _timed(timings, "cnn"):
                    scores = self.postage_damage.scores([located.image])[0]
                calls, upside_down = self.postage_damage.calls(scores), scores.orientation["upside_down"]
            except Exception as err:  # a model failure is this frame's error, not the line's
                return self._reject_error(frame, err, timings, start)
        prepared = self._read(frame, located, timings, start, upside_down=upside_down)
        if isinstance(prepared, Result):
            return prepared
        return self.finish(prepared, calls)

    def prepare(self, frame: Frame) -> Prepared | Result:
        """Decode, locate, face and read; a finished reject Result when the frame cannot go further.

        This is the CPU half for pipelines that batch the CNN elsewhere: it faces by layout and OCR alone.
        """
        timings: dict[str, float] = {}
        start = time.perf_counter()
        located = self._locate(frame, timings, start)
        if isinstance(located, Result):
            return located
        return self._read(frame, located, timings, start, upside_down=None)

    def _locate(self, frame: Frame, timings: dict[str, float], start: float) -> LocatedPiece | Result:
        try:
            with _timed(timings, "decode"):
                image = decode_image(frame.data, max_pixels=self.config.max_pixels)
            with _timed(timings, "locate"):
                located = locate_piece(image)
        except BadImage as err:
            return self.reject_bad(frame, str(err), timings, start)
        except Exception as err:  # a bug or a pathological frame must not stop the line
            return self._reject_error(frame, err, timings, start)
        if located is None:
            return self.reject_bad(frame, "no mail piece found in the frame", timings, start)
        return located

    def _read(
        self,
        frame: Frame,
        located: LocatedPiece,
        timings: dict[str, float],
        start: float,
        *,
        upside_down: float | None,
    ) -> Prepared | Result:
        try:
            with _timed(timings, "ocr"):
                budget = OcrBudget(self.config.ocr_budget_ms)
                faced = face_and_read(located.image, self.reader, upside_down=upside_down, budget=budget)
            postage_box = find_postage_box(faced.piece)  # not OCR time: booked under "prepare" alone
        except Exception as err:  # a bug or a pathological frame must not stop the line
            return self._reject_error(frame, err, timings, start)
        # The CPU half alone: when the CNN ran before facing, its time is booked under "cnn".
        timings["prepare"] = (time.perf_counter() - start) * 1000 - timings.get("cnn", 0.0)
        return Prepared(
            frame=frame,
            piece=faced.piece,
            reading=faced.reading,
            orientation=faced.orientation,
            quad=located.quad,
            postage_box=postage_box,
            timings_ms=timings,
        )

    def finish(self, prepared: Prepared, calls: tuple | None) -> Result:
        """Fold in the CNN's postage and damage calls and decide. The postage box's print is read where
        it can overrule the CNN (:mod:`mailpiece.inspect.postage_wording`; one short OCR pass, only for a
        box with rows of print): a paid call the CNN is unsure of (score under ``postage_wording_below``)
        is overruled by a box that asks for a stamp or holds a QR code alone
        (:mod:`mailpiece.inspect.postage_codes`), and an unpaid call by a box that says the postage is
        paid (a permit imprint in a face the CNN does not know)."""
        try:
            postage, damage = calls if calls is not None else (None, None)
            message = prepared.reading.out_of_time
            read = None
            if postage is not None and postage.present and postage.score < self.config.postage_wording_below:
                read = self._no_postage_in_box(prepared)
                if read:
                    postage = ClassCall(present=False, kind="none", score=postage.score)
            elif postage is not None and not postage.present:
                wording = self._read_wording(prepared, read_paid_wording)
                if wording:
                    postage = ClassCall(present=True, kind=paid_kind(wording), score=postage.score)
                    read = f"the postage box reads {' '.join(wording.split())!r}: postage paid"
            message = "; ".join(m for m in (message, read) if m) or None
            # Where the postage the CNN called present sits: an overlay for the review desk, no decision.
            postage_box = prepared.postage_box if postage and postage.present else None
            address = prepared.reading.address
            address_reasons = prepared.reading.reject_reasons(self.config.address)
            if address_reasons and not prepared.reading.out_of_time:
                message = "; ".join(m for m in (_address_note(prepared.reading), message) if m)
            verdict = decide(address, address_reasons, postage, damage, sort_plan=self.sort_plan)
            return Result(
                piece_id=prepared.frame.piece_id,
                source=prepared.frame.source,
                decision=verdict.decision,
                bin=verdict.bin,
                reasons=verdict.reasons,
                address=address,
                postage=postage,
                damage=damage,
                orientation=prepared.orientation,
                message=message,
                model=self.model_name,
                timings_ms={**prepared.timings_ms, "total": _total_ms(prepared.timings_ms)},
                piece_quad=_frame_quad(prepared),
                address_box=_frame_box(prepared, prepared.reading.box),
                postage_box=_frame_box(prepared, postage_box),
            )
        except Exception as err:  # never lose the frame
            return self._reject_error(prepared.frame, err, prepared.timings_ms, None)

    def _read_wording(self, prepared: Prepared, read: Callable[..., str | None]) -> str | None:
        """The postage box's print if ``read`` (from mailpiece.inspect.postage_wording) finds the words it
        looks for; booked as OCR time of the CPU half."""
        start = time.perf_counter()
        try:
            return read(prepared.piece, prepared.postage_box, self.reader.ocr)
        finally:
            spent = (time.perf_counter() - start) * 1000
            for stage in ("ocr", "prepare"):
                prepared.timings_ms[stage] = prepared.timings_ms.get(stage, 0.0) + spent

    def _no_postage_in_box(self, prepared: Prepared) -> str | None:
        """Why the postage box holds no postage, or None: it asks for a stamp (one OCR pass), or it holds
        a QR code and nothing else (pixel work of a few ms, booked under the CPU half)."""
        wording = self._read_wording(prepared, read_postage_wording)
        if wording:
            return f"the postage box reads {' '.join(wording.split())!r}: no stamp on it"
        with _timed(prepared.timings_ms, "prepare"):
            if qr_code_alone(prepared.piece, prepared.postage_box):
                return "the postage box holds a QR code and nothing else: no postage"
        return None

    def reject_bad(
        self, frame: Frame, message: str, timings: dict[str, float] | None = None, start: float | None = None
    ) -> Result:
        """The ``bad_image`` record for a frame that cannot be used (also for files a source cannot read)."""
        timings = dict(timings or {})
        if start is not None:
            timings["total"] = (time.perf_counter() - start) * 1000
        return replace(
            bad_image(frame.piece_id, frame.source, message, self.sort_plan.reject_bin), timings_ms=timings
        )

    def _reject_error(
        self, frame: Frame, err: Exception, timings: dict[str, float], start: float | None
    ) -> Result:
        if start is not None:
            timings["total"] = (time.perf_counter() - start) * 1000
        return Result(
            piece_id=frame.piece_id,
            source=frame.source,
            decision="reject",
            bin=self.sort_plan.reject_bin,
            reasons=("processing_error",),
            message=f"{type(err).__name__}: {err}",
            timings_ms=timings,
        )


def _address_note(reading: AddressReading) -> str:
    """Why the address was not sorted on, in words for the review desk: the directory's note (what was
    read, what was checked, why it is held back), or that no address line was found."""
    if reading.verdict is not None:
        return f"address: {reading.verdict.note}"
    return "address: no block read as an address"


def _total_ms(timings: dict[str, float]) -> float:
    """Wall time of the frame: the CPU half plus the CNN, whether it ran before facing or after."""
    return timings.get("prepare", 0.0) + timings.get("cnn", 0.0)


def _frame_quad(prepared: Prepared) -> tuple[tuple[float, float], ...]:
    """The piece's corners in frame pixels, ordered TL, TR, BR, BL of the faced piece."""
    quad = prepared.quad if prepared.orientation == 0 else np.roll(prepared.quad, 2, axis=0)
    return tuple((round(float(x), 1), round(float(y), 1)) for x, y in quad)


def _frame_box(prepared: Prepared, box: tuple[int, int, int, int] | None) -> tuple[int, int, int, int] | None:
    """Map a box on the faced piece back to an axis-aligned box in frame pixels."""
    if box is None:
        return None
    height, width = prepared.piece.shape[:2]
    quad = np.asarray(_frame_quad(prepared), dtype=np.float64)
    corners = [(box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3])]
    points = []
    for x, y in corners:
        u, v = x / max(1, width - 1), y / max(1, height - 1)
        top = quad[0] + u * (quad[1] - quad[0])
        bottom = quad[3] + u * (quad[2] - quad[3])
        points.append(top + v * (bottom - top))
    pts = np.array(points)
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    return int(x0), int(y0), int(np.ceil(x1)), int(np.ceil(y1))
