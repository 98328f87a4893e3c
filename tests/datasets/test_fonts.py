"""The font catalogue: which installed faces can draw an address, and the style each is filed under."""

from __future__ import annotations

import pytest

from mailpiece.datasets.fonts import _SKIP_WORDS, _style, font_catalogue


@pytest.mark.parametrize(
    ("file_stem", "style"),
    [
        ("DejaVuSans-Bold", "sans"),
        ("LiberationSerif-Regular", "serif"),
        ("NimbusMonoPS-Regular", "mono"),
        ("Z003-MediumItalic", "script"),
        # Families bench/heldout_fonts.sh renders with: filed by what they are, not as sans by default.
        ("EBGaramond12-Regular", "serif"),
        ("LinLibertine_R", "serif"),
        ("GentiumPlus-Regular", "serif"),
        ("texgyrepagella-regular", "serif"),
        ("FiraCode-Regular", "mono"),
        ("Hack-Bold", "mono"),
        ("texgyrecursor-regular", "mono"),
        ("dkgBd", "script"),
        ("Humor-Sans", "script"),
        ("Roboto-Regular", "sans"),
    ],
)
def test_a_face_is_filed_under_its_style(file_stem: str, style: str) -> None:
    assert _style(file_stem) == style


def test_the_installed_catalogue_can_draw_addresses_in_every_style_the_generator_asks_for() -> None:
    faces = font_catalogue()
    assert {face.style for face in faces} >= {"sans", "serif", "mono"}
    assert not any(word in face.path for face in faces for word in _SKIP_WORDS)
    assert [face.path for face in faces] == sorted(face.path for face in faces), "sorted: deterministic picks"
