"""Reviewed pieces back into training: a dataset folder in the generator's layout (``frames/`` +
``labels.jsonl``) that ``mailpiece train --extra`` mixes with synthetic data.

Each line carries the fields the CNN's loader reads (``image``, ``piece_quad``, ``postage.kind``,
``damage.kind``) with the reviewer's kinds, the reviewed address, the machine's boxes, and a ``review``
block saying who changed what. Fields only a generator knows (seed, font, severity) are left out or null.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from mailpiece.inspect.piece_ids import free_piece_id
from mailpiece.inspect.zip_directory import ZipDirectory
from mailpiece.review.corrections import agrees
from mailpiece.review.security import image_file
from mailpiece.review.store import CorrectionRow, ReviewStore, StoredPiece

EXPORT_VERSION = "mailpiece-review/1"


@dataclass(frozen=True, kw_only=True)
class ExportSummary:
    """What ``export_labels`` wrote, and what it had to leave out and why."""

    out_dir: Path
    exported: int
    skipped: dict[str, int] = field(default_factory=dict)


def export_labels(
    store: ReviewStore, out_dir: str | Path, directory: ZipDirectory | None = None
) -> ExportSummary:
    """Write each reviewed piece (its latest review) and its frame into ``out_dir``; rewrites labels.jsonl."""
    directory = directory or ZipDirectory.shared()
    out = Path(out_dir)
    (out / "frames").mkdir(parents=True, exist_ok=True)
    skipped: dict[str, int] = {}
    lines = []
    used: set[str] = set()  # file stems given so far: two piece ids must not share one frame file
    for piece_id, fields in sorted(store.latest_reviews().items()):
        stored = store.piece(piece_id)
        image = image_file(stored.image_path, store.path.parent) if stored else None
        size = _frame_size(image) if image else None
        if stored is None or image is None or size is None:
            why = "no record" if stored is None else "no readable image"
            skipped[why] = skipped.get(why, 0) + 1
            continue
        stem = free_piece_id(_file_stem(piece_id), lambda s: s in used)  # a~2 and a_2 both read a_2
        used.add(stem)
        name = f"frames/{stem}{image.suffix.lower()}"
        shutil.copy2(image, out / name)
        lines.append(_label(stored, fields, name, size, directory))
    with open(out / "labels.jsonl", "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(line) + "\n" for line in lines)
    (out / "README.md").write_text(_readme(len(lines), store.path), encoding="utf-8")
    return ExportSummary(out_dir=out, exported=len(lines), skipped=skipped)


def _label(
    stored: StoredPiece,
    fields: dict[str, CorrectionRow],
    image: str,
    size: tuple[int, int],
    directory: ZipDirectory,
) -> dict[str, Any]:
    result = stored.result
    width, height = size
    human = {name: row.human_value for name, row in fields.items()}
    quad = result.piece_quad or ((0, 0), (width, 0), (width, height), (0, height))
    postage, damage = human.get("postage"), human.get("damage")
    address = _address(result, human.get("zip"), directory)
    latest = max(fields.values(), key=lambda row: row.reviewed_at)
    return {
        "piece_id": result.piece_id,
        "image": image,
        "width": width,
        "height": height,
        "address": address,
        "return_address": None,
        "postage": {"kind": postage, "cancelled": None},
        "damage": {"kind": damage, "severity": None},
        "orientation": result.orientation or 0,
        "piece_quad": [[round(float(x), 1), round(float(y), 1)] for x, y in quad],
        "address_box": list(result.address_box) if result.address_box else None,
        "postage_box": list(result.postage_box) if result.postage_box else None,
        "sortable": address is not None and postage != "none" and damage == "none",
        "review": {
            "source": result.source,
            "reviewer": latest.reviewer,
            "reviewed_at": latest.reviewed_at,
            "machine": {name: row.machine_value for name, row in fields.items()},
            "changed": sorted(n for n, r in fields.items() if not agrees(n, r.machine_value, r.human_value)),
        },
    }


def _address(result: Any, zip_code: str | None, directory: ZipDirectory) -> dict[str, Any] | None:
    """The reviewed destination: the human's ZIP, with city and state from the directory."""
    if not zip_code:
        return None
    zip5, _, zip4 = zip_code.partition("-")
    entry = directory.lookup(zip5)
    read = result.address
    city = entry.city if entry else (read.city if read and read.zip5 == zip5 else None)
    state = entry.state if entry else (read.state if read and read.zip5 == zip5 else None)
    return {
        "name": None, "company": None, "street": None, "unit": None, "city": city, "state": state,
        "zip5": zip5, "zip4": zip4 or None, "lines": list(read.lines) if read else [],
    }  # fmt: skip


def _frame_size(image: Path) -> tuple[int, int] | None:
    try:
        with Image.open(image) as frame:
            return frame.size
    except OSError:
        return None


def _file_stem(piece_id: str) -> str:
    """A piece id as a safe file name (ids from cameras or URLs may hold any character; ``~`` is the
    separator of piece ids made unique, mailpiece.inspect.piece_ids)."""
    return re.sub(r"[^A-Za-z0-9._~-]", "_", piece_id).lstrip(".") or "piece"


def _readme(count: int, db: Path) -> str:
    return f"""# Reviewed mail pieces

Exported by `{EXPORT_VERSION}` (`mailpiece export-labels`) from `{db.name}`: {count} pieces, each with the
QA reviewer's postage kind, damage kind and ZIP (see docs/review.md).

- `frames/<piece_id>.jpg`: the camera frames as the line saw them.
- `labels.jsonl`: one JSON object per frame, in the generator's field names; `review` says who changed what.

Train on it with synthetic data: `mailpiece train --synthetic 20000 --extra THIS_FOLDER`.
"""
