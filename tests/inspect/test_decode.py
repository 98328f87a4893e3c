"""decode_image: every common format decodes to HxWx3 uint8 BGR; a hostile corpus, built here, is rejected."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from mailpiece.inspect.decode import BadImage, decode_image


def _encoded(image: Image.Image, fmt: str, **params) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **params)
    return buf.getvalue()


def _scene(width: int = 160, height: int = 96) -> Image.Image:
    """A red left half and a blue right half, so channel order and orientation are checkable."""
    rgb = np.zeros((height, width, 3), np.uint8)
    rgb[:, : width // 2] = (220, 20, 20)
    rgb[:, width // 2 :] = (20, 20, 220)
    return Image.fromarray(rgb)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_header(width: int, height: int, bit_depth: int = 8, colour: int = 0) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr)


def _claiming_png(width: int, height: int) -> bytes:
    """A PNG whose header claims a size while its pixel data is a few bytes."""
    pixels = _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
    return _png_header(width, height) + pixels + _png_chunk(b"IEND", b"")


def _huge_valid_png(side: int) -> bytes:
    """A genuinely decodable 1-bit PNG of side x side, built row by row so the test stays small."""
    row = b"\x00" + b"\xff" * ((side + 7) // 8)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    return _png_header(side, side, bit_depth=1) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "TIFF", "BMP", "GIF", "WEBP"])
def test_common_formats_decode_to_bgr(fmt: str) -> None:
    frame = decode_image(_encoded(_scene(), fmt))
    assert frame.shape == (96, 160, 3) and frame.dtype == np.uint8 and frame.flags.c_contiguous
    left, right = frame[48, 20].astype(int), frame[48, 140].astype(int)
    assert left[2] > 150 and left[0] < 90, "left half is red, so BGR has a high last channel"
    assert right[0] > 150 and right[2] < 90


def test_greyscale_is_expanded_to_three_equal_channels() -> None:
    grey = Image.fromarray(np.full((80, 90), 77, np.uint8), mode="L")
    frame = decode_image(_encoded(grey, "PNG"))
    assert frame.shape == (80, 90, 3) and (frame == 77).all()


def test_sixteen_bit_png_is_scaled_to_eight_bits() -> None:
    wide = np.zeros((70, 70), np.uint16)
    wide[:, 35:] = 65535
    wide[:, :35] = 32896  # 128 * 257
    frame = decode_image(_encoded(Image.fromarray(wide), "PNG"))
    assert frame[10, 10, 0] == 128 and frame[10, 60, 1] == 255


def test_cmyk_jpeg_and_tiff_become_rgb() -> None:
    cmyk = _scene().convert("CMYK")
    for fmt in ("JPEG", "TIFF"):
        frame = decode_image(_encoded(cmyk, fmt))
        assert frame.shape == (96, 160, 3)
        assert frame[48, 20, 2] > 150 and frame[48, 140, 0] > 150


def test_alpha_is_composited_on_white() -> None:
    rgba = np.zeros((64, 64, 4), np.uint8)
    rgba[:, :32] = (0, 0, 0, 255)  # opaque black
    frame = decode_image(_encoded(Image.fromarray(rgba, mode="RGBA"), "PNG"))
    assert (frame[:, :32] == 0).all() and (frame[:, 32:] == 255).all()


def test_palette_with_transparency_is_composited_on_white() -> None:
    palette = Image.new("P", (64, 64), 1)
    palette.putpalette([0, 0, 0, 200, 0, 0] + [0] * 762)
    palette.paste(0, (0, 0, 32, 64))
    frame = decode_image(_encoded(palette, "PNG", transparency=0))
    assert (frame[:, :32] == 255).all()
    assert tuple(frame[10, 50]) == (0, 0, 200)


def test_exif_orientation_is_applied() -> None:
    scene = _scene(160, 96)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: display rotated 90 degrees clockwise
    frame = decode_image(_encoded(scene, "JPEG", exif=exif.tobytes()))
    assert frame.shape == (160, 96, 3)
    assert frame[20, 48, 2] > 150, "the red (left) half ends up on top"


def test_hostile_corpus_is_rejected_with_reasons() -> None:
    rng = np.random.default_rng(7)
    jpeg = _encoded(_scene(400, 300), "JPEG", quality=90)
    corpus = {
        "empty": (b"", "empty"),
        "random bytes": (rng.bytes(5000), "not a recognised image"),
        "html named .jpg": (b"<!DOCTYPE html><html><body>404</body></html>", "HTML"),
        "truncated jpeg": (jpeg[: len(jpeg) // 2], "truncated"),
        "header-only png": (_png_header(200, 200), "PNG signature found but .* truncated"),
        "png claiming 100000x100000": (_claiming_png(100_000, 100_000), "pixels"),
        "jpeg header only": (jpeg[:600], "truncated"),
        "sliver 3000x2": (_encoded(Image.new("RGB", (3000, 2)), "PNG"), "too small"),
        "tiny": (_encoded(Image.new("RGB", (20, 20)), "BMP"), "too small"),
    }
    for name, (data, words) in corpus.items():
        with pytest.raises(BadImage, match=f"(?i){words}"):
            decode_image(data)
        assert name


def test_truncated_jpeg_is_rejected_even_if_pil_is_told_to_load_truncated_images(monkeypatch) -> None:
    jpeg = _encoded(_scene(400, 300), "JPEG", quality=90)
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(BadImage, match="truncated"):
        decode_image(jpeg[: len(jpeg) * 2 // 3])
    assert decode_image(jpeg).shape == (300, 400, 3)


def test_valid_but_huge_png_is_rejected_from_its_header() -> None:
    data = _huge_valid_png(30_000)
    assert len(data) < 2_000_000
    with pytest.raises(BadImage, match="pixels"):
        decode_image(data)
    with pytest.raises(BadImage, match="over the limit of 1000000"):
        decode_image(_encoded(_scene(1200, 1000), "PNG"), max_pixels=1_000_000)


def test_arrays_are_validated() -> None:
    grey = np.full((100, 120), 9, np.uint8)
    assert decode_image(grey).shape == (100, 120, 3)
    assert decode_image(grey[:, :, None]).shape == (100, 120, 3)
    assert decode_image(np.full((100, 120, 3), 65535, np.uint16)).max() == 255
    bgra = np.zeros((100, 120, 4), np.uint8)
    assert (decode_image(bgra) == 255).all(), "fully transparent pixels become white"
    bad = {
        "float with NaN": (np.full((100, 100, 3), np.nan, np.float32), "NaN"),
        "float": (np.zeros((100, 100, 3), np.float64), "dtype"),
        "int64": (np.zeros((100, 100), np.int64), "dtype"),
        "five channels": (np.zeros((100, 100, 5), np.uint8), "shape"),
        "one dimension": (np.zeros(10_000, np.uint8), "shape"),
        "sliver": (np.zeros((2, 3000, 3), np.uint8), "too small"),
    }
    for array, words in bad.values():
        with pytest.raises(BadImage, match=words):
            decode_image(array)
    with pytest.raises(BadImage, match="str"):
        decode_image("frame.jpg")  # type: ignore[arg-type]


_SEEDS = {fmt: _encoded(_scene(96, 80), fmt) for fmt in ("JPEG", "PNG", "GIF", "TIFF", "WEBP", "BMP")}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fmt=st.sampled_from(sorted(_SEEDS)),
    cuts=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8),
    keep=st.floats(0.0, 1.0),
)
def test_mutated_files_give_a_frame_or_bad_image_never_another_error(fmt, cuts, keep) -> None:
    data = bytearray(_SEEDS[fmt][: max(1, int(len(_SEEDS[fmt]) * keep))])
    for at, value in cuts:
        data[at % len(data)] = value
    try:
        frame = decode_image(bytes(data))
    except BadImage as exc:
        assert str(exc)
    else:
        assert frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3
        assert min(frame.shape[:2]) >= 64
