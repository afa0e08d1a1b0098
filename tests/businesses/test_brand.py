"""The salon's brand colour on pages: text in it and white text on it reach WCAG AA (4.5:1)."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from businesses.brand import WHITE, accessible_brand, contrast, rgb

colours = st.integers(0, 0xFFFFFF).map(lambda value: f"#{value:06x}")


def test_contrast_matches_wcags_examples():
    assert contrast((0, 0, 0), WHITE) == pytest.approx(21)
    assert contrast(WHITE, WHITE) == pytest.approx(1)
    assert contrast(rgb("#767676"), WHITE) == pytest.approx(4.54, abs=0.01)  # the lightest AA grey


def test_a_dark_enough_brand_colour_is_kept():
    assert accessible_brand("#7c3aed") == "#7c3aed"


def test_a_light_brand_colour_is_darkened_in_its_own_hue():
    darker = accessible_brand("#ffd400")  # a sunny yellow: 1.4:1 on white
    assert darker != "#ffd400"
    assert contrast(rgb(darker), WHITE) >= 4.5
    red, green, blue = rgb(darker)
    assert red > green > blue == 0  # still a yellow (a dark one), not grey or black


@given(colours)
def test_every_colour_comes_out_readable_and_passing_ones_unchanged(colour):
    result = accessible_brand(colour)
    assert contrast(rgb(result), WHITE) >= 4.5
    if contrast(rgb(colour), WHITE) >= 4.5:
        assert result == colour


def test_the_brand_stylesheet_serves_the_readable_colour(client, salon):
    salon.brand_color = "#ffd400"
    salon.save()
    css = client.get(reverse("brand-css", args=[salon.pk])).content.decode()
    assert f"--brand: {accessible_brand('#ffd400')};" in css
