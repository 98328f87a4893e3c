"""Turn encoded file bytes or a caller's array into a validated HxWx3 uint8 BGR frame.

Everything a camera, a scanner or a hostile upload can hand us ends either as a usable frame or as
``BadImage`` with a message a person can act on; no other exception leaves this module.
"""

from __future__ import annotations

import io
import warnings

import cv2
import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

MIN_SIDE = 64
DEFAULT_MAX_PIXELS = 40_000_000
# The formats a sorting line plausibly produces; anything else is not worth the attack surface.
ACCEPTED_FORMATS = ("JPEG", "PNG", "TIFF", "BMP", "GIF", "WEBP")

_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8", "JPEG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"GIF8", "GIF"),
    (b"BM", "BMP"),
)
_MAGIC_HINTS = (
    (b"<!doctype html", "an HTML page"),
    (b"<html", "an HTML page"),
    (b"<?xml", "an XML document"),
    (b"{", "a JSON document"),
    (b"%pdf", "a PDF document"),
    (b"pk\x03\x04", "a ZIP archive"),
)


class BadImage(ValueError):  # noqa: N818 - the domain name for a frame that is not a usable image
    """The input is not a usable image; the message says why, for the record's ``message`` field."""


def decode_image(data: bytes | np.ndarray, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Decode and validate a frame; return HxWx3 uint8 BGR or raise ``BadImage``."""
    try:
        if isinstance(data, np.ndarray):
            return _validated_array(data, max_pixels)
        if isinstance(data, (bytes, bytearray, memoryview)):
            return _decoded_bytes(bytes(data), max_pixels)
        raise BadImage(f"expected encoded bytes or a numpy array, got {type(data).__name__}")
    except BadImage:
        raise
    except Exception as exc:  # a decoder bug or resource failure must still be a clean reject
        raise BadImage(f"could not decode image: {type(exc).__name__}: {exc}") from exc


def _check_size(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise BadImage(f"image is {width}x{height} = {width * height} pixels, over the limit of {max_pixels}")
    if min(width, height) < MIN_SIDE:
        raise BadImage(f"image is {width}x{height}, too small (each side must be at least {MIN_SIDE} px)")


def _decoded_bytes(data: bytes, max_pixels: int) -> np.ndarray:
    if not data:
        raise BadImage("empty input: no bytes")
    with warnings.catch_warnings():
        # Corrupt files make PIL's plugins warn; the outcome is a frame or BadImage, not log noise.
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise BadImage(f"image header claims too many pixels: {exc}") from exc
        except UnidentifiedImageError as exc:
            raise BadImage(_unidentified_message(data)) from exc
        width, height = image.size  # from the header: nothing is decoded yet
        _check_size(width, height, max_pixels)
        if ImageFile.LOAD_TRUNCATED_IMAGES:
            # Someone flipped PIL's global switch; a truncated JPEG would decode as grey filler.
            _check_jpeg_complete(image.format, data)
        try:
            image.load()
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise BadImage(f"{image.format} data is truncated or corrupt: {exc}") from exc
        ImageOps.exif_transpose(image, in_place=True)  # in place: a copy would double a 40 MP frame
    _check_size(*image.size, max_pixels)
    return _bgr_from_pil(image)


def _check_jpeg_complete(fmt: str | None, data: bytes) -> None:
    if fmt == "JPEG" and data.rfind(b"\xff\xd9") < data.find(b"\xff\xda"):
        raise BadImage("JPEG data is truncated: no end-of-image marker after the scan")


def _unidentified_message(data: bytes) -> str:
    for magic, fmt in _IMAGE_MAGIC:
        if data.startswith(magic):
            return f"{fmt} signature found but the file is truncated or corrupt ({len(data)} bytes)"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return f"WEBP signature found but the file is truncated or corrupt ({len(data)} bytes)"
    head = data[:64].lstrip().lower()
    for magic, what in _MAGIC_HINTS:
        if head.startswith(magic):
            return f"not an image: the bytes are {what}"
    return f"not a recognised image format ({len(data)} bytes starting {data[:8]!r}); expected " + ", ".join(
        ACCEPTED_FORMATS
    )


def _bgr_from_pil(image: Image.Image) -> np.ndarray:
    """Bring any PIL mode to 8-bit BGR: scale 16-bit, composite alpha on white, convert CMYK/palette.

    The common modes (RGB, L) go straight to OpenCV's colour conversion: no intermediate full-size copies,
    which on a 40 MP frame are 120 MB each (peak memory of a worker, not only time).
    """
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        grey = _grey8_from_wide(np.asarray(image))
        return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
    if image.mode == "L":
        return cv2.cvtColor(np.asarray(image), cv2.COLOR_GRAY2BGR)
    if image.mode == "RGB":
        return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)
    if image.mode == "P" or image.mode == "PA":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "La", "RGBa"):
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image.convert("RGBA"))
    rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
    return np.ascontiguousarray(rgb[:, :, ::-1])


def _grey8_from_wide(values: np.ndarray) -> np.ndarray:
    """Map a 16-bit or 32-bit integer, or float, greyscale plane to uint8.

    Integers above 255 are taken as 16-bit (0..65535); floats at most 1.0 as 0..1; otherwise as 0..255.
    """
    is_float = values.dtype.kind == "f"
    values = values.astype(np.float64)
    if not np.isfinite(values).all():
        raise BadImage("image contains NaN or infinite pixel values")
    peak = float(values.max(initial=0.0))
    if peak > 255.0:
        scale = 255.0 / 65535.0
    elif peak <= 1.0 and is_float:
        scale = 255.0
    else:
        scale = 1.0
    return np.clip(np.rint(values * scale), 0, 255).astype(np.uint8)


def _validated_array(array: np.ndarray, max_pixels: int) -> np.ndarray:
    """Accept uint8/uint16 greyscale, BGR or BGRA arrays; reject anything else with the reason."""
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise BadImage(f"array shape {array.shape} is not HxW, HxWx3 or HxWx4")
    height, width = array.shape[:2]
    _check_size(width, height, max_pixels)
    if array.dtype == np.uint16:
        array = (array.astype(np.uint32) * 255 + 32767) // 65535
        array = array.astype(np.uint8)
    elif array.dtype != np.uint8:
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            raise BadImage(f"array of {array.dtype} contains NaN or infinite values")
        raise BadImage(f"array dtype {array.dtype} is not uint8 or uint16")
    if array.ndim == 2:
        return np.ascontiguousarray(np.repeat(array[:, :, None], 3, axis=2))
    if array.shape[2] == 4:
        alpha = array[:, :, 3:4].astype(np.float32) / 255.0
        over_white = array[:, :, :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
        return np.rint(over_white).astype(np.uint8)
    return np.ascontiguousarray(array)
