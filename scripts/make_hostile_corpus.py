"""Write the hostile-frame corpus into a folder: every kind of file a camera, a scanner or an upload can hand
the inspector, generated from code (no binary blobs in git).

python scripts/make_hostile_corpus.py OUT    # ~25 files, a few MB, a few seconds

Besides the images, OUT/manifest.json lists each file with what the inspector must make of it: ``bad_image``
(unusable: rejected as bad_image with a message), ``decodes`` (a supported format of a real frame: anything
but bad_image or processing_error) or ``record`` (blank or empty frames: any one well-formed record).
tests/inspect/test_hostile.py runs the whole corpus through ``mailpiece inspect --json`` and checks both.
"""

from __future__ import annotations

import argparse
import io
import json
import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

SEED = 0  # synthetic frame 0 of seed 0: a piece that reads and sorts at full size


def _frame() -> np.ndarray:
    """A real synthetic frame (BGR), the base of the usable entries."""
    from mailpiece.datasets.render import render_frame

    return render_frame(SEED, 0).image


def _pil(image: np.ndarray) -> Image.Image:
    return Image.fromarray(np.ascontiguousarray(image[:, :, ::-1]))


def _saved(image: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **params)
    return buf.getvalue()


def _jpeg(image: np.ndarray, quality: int = 90) -> bytes:
    return cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1].tobytes()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png(width: int, height: int, rows: Callable[[], bytes], bit_depth: int) -> bytes:
    """A greyscale PNG whose IDAT is compressed row by row, so a huge image never exists in memory."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, 0, 0, 0, 0)
    packer = zlib.compressobj(9)
    row = rows()
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", body)
            + _png_chunk(b"IEND", b""))


def _claims_huge() -> bytes:
    """A PNG header claiming 100000 x 100000 pixels in front of a few bytes of data."""
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr)
            + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + _png_chunk(b"IEND", b""))


def _zeros_30000() -> bytes:
    """A valid 1-bit PNG of 30000 x 30000 black pixels: ~100 KB on disk, 2.7 GB once decoded to BGR."""
    side = 30_000
    return _png(side, side, lambda: b"\x00" + b"\x00" * ((side + 7) // 8), bit_depth=1)


def _header_only_jpeg(frame: np.ndarray) -> bytes:
    """Every JPEG marker up to and including the start of scan, and no scan data."""
    data = _jpeg(frame)
    return data[: data.find(b"\xff\xda") + 14]


def _cmyk(frame: np.ndarray) -> bytes:
    return _saved(_pil(frame).convert("CMYK"), "JPEG", quality=90)


def _grey16(frame: np.ndarray) -> bytes:
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY).astype(np.uint16) * 257
    return cv2.imencode(".png", grey)[1].tobytes()


def _alpha(frame: np.ndarray) -> bytes:
    bgra = cv2.cvtColor(frame, cv2.COLOR_BGR2BGRA)
    bgra[: frame.shape[0] // 4, :, 3] = 0  # a transparent band over the top of the frame
    return cv2.imencode(".png", bgra)[1].tobytes()


def _exif_rotated(frame: np.ndarray) -> bytes:
    """Pixels stored turned a quarter; EXIF orientation 6 says to turn them back."""
    exif = Image.Exif()
    exif[0x0112] = 6
    stored = cv2.rotate(frame, cv2.ROTATE_90_COUNTERCLOCKWISE)
    return _saved(_pil(stored), "JPEG", quality=90, exif=exif.tobytes())


def _animated_gif(frame: np.ndarray) -> bytes:
    first, second = _pil(frame), _pil(255 - frame)
    return _saved(first, "GIF", save_all=True, append_images=[second], duration=100, loop=0)


def _belt_only() -> bytes:
    """A frame of empty belt: the synthetic generator's belt with no piece laid on it."""
    from mailpiece.datasets.camera import background, sample_pose
    from mailpiece.datasets.spec import rng_for, sample_spec

    spec = sample_spec(SEED, 1)
    rng = rng_for(SEED, 1, stream=99)
    pose = sample_pose(rng, spec)
    alpha = np.zeros((spec.size_px[1], spec.size_px[0]), np.uint8)
    return _jpeg(background(rng, pose, alpha, flat_scan=False))


def corpus() -> list[tuple[str, str, Callable[[np.ndarray], bytes]]]:
    """(file name, what the inspector must make of it, maker of the bytes from the base frame)."""
    flat = np.zeros((1200, 1600, 3), np.uint8)
    rng = np.random.default_rng(SEED)
    return [
        ("empty.jpg", "bad_image", lambda f: b""),
        ("random_bytes.jpg", "bad_image", lambda f: rng.bytes(50_000)),
        ("html_page.jpg", "bad_image",
         lambda f: b"<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>\n" * 20),
        ("truncated.jpg", "bad_image", lambda f: _jpeg(f)[: len(_jpeg(f)) // 2]),
        ("header_only.jpg", "bad_image", _header_only_jpeg),
        ("claims_100000x100000.png", "bad_image", lambda f: _claims_huge()),
        ("zeros_30000x30000.png", "bad_image", lambda f: _zeros_30000()),
        ("one_pixel.png", "bad_image", lambda f: cv2.imencode(".png", f[:1, :1])[1].tobytes()),
        ("sliver_3000x2.png", "bad_image",
         lambda f: cv2.imencode(".png", cv2.resize(f, (3000, 2)))[1].tobytes()),
        ("grey_16bit.png", "decodes", _grey16),
        ("cmyk.jpg", "decodes", _cmyk),
        ("alpha.png", "decodes", _alpha),
        ("animated.gif", "decodes", _animated_gif),
        ("tiff_frame.tiff", "decodes", lambda f: _saved(_pil(f), "TIFF", compression="tiff_lzw")),
        ("bmp_frame.bmp", "decodes", lambda f: cv2.imencode(".bmp", f)[1].tobytes()),
        ("webp_frame.webp", "decodes", lambda f: cv2.imencode(".webp", f)[1].tobytes()),
        ("png_named.jpg", "decodes", lambda f: cv2.imencode(".png", f)[1].tobytes()),
        ("exif_rotated.jpg", "decodes", _exif_rotated),
        ("huge_8000x5000.jpg", "decodes",
         lambda f: _jpeg(cv2.resize(f, (8000, 5000), interpolation=cv2.INTER_LINEAR), quality=80)),
        ("all_black.png", "record", lambda f: cv2.imencode(".png", flat)[1].tobytes()),
        ("all_white.png", "record", lambda f: cv2.imencode(".png", flat + 255)[1].tobytes()),
        ("belt_only.jpg", "record", lambda f: _belt_only()),
        ("with spaces ünïcødé 郵便.jpg", "decodes", _jpeg),
    ]


def write_corpus(out: Path) -> dict[str, str]:
    """Write every corpus file and manifest.json into ``out``; returns {file name: expectation}."""
    out.mkdir(parents=True, exist_ok=True)
    frame = _frame()
    manifest = {}
    for name, expect, make in corpus():
        (out / name).write_bytes(make(frame))
        manifest[name] = expect
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    return manifest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write the corpus into (created)")
    args = parser.parse_args()
    manifest = write_corpus(args.out)
    total = sum((args.out / name).stat().st_size for name in manifest)
    print(f"{len(manifest)} files, {total / 1e6:.1f} MB in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
