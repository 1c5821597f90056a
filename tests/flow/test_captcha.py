from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from nonasn_desktop.flow.captcha import ALPHABET, CaptchaChallenge, new_challenge, new_text, render


def seeded(seed: int) -> random.Random:
    """A reproducible random source: the same captcha every run."""
    return random.Random(seed)  # noqa: S311 - not for secrets, for repeatable tests


def test_same_seed_gives_same_text_and_picture() -> None:
    first = new_challenge(seeded(7))
    second = new_challenge(seeded(7))
    assert first.text == second.text
    assert first.png == second.png


def test_different_seeds_give_different_challenges() -> None:
    texts = {new_challenge(seeded(seed)).text for seed in range(20)}
    assert len(texts) > 15


def test_text_never_uses_look_alike_characters() -> None:
    rng = seeded(1)
    drawn = "".join(new_text(rng, 8) for _ in range(500))
    assert set(drawn) <= set(ALPHABET)
    assert not set(drawn) & set("0O1IlQ2Z5S8B")
    assert len(set(drawn)) == len(ALPHABET)


def test_picture_is_a_png_of_the_declared_size_with_more_than_a_background() -> None:
    challenge = new_challenge(seeded(3), length=6, size=(240, 90))
    assert challenge.png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(challenge.png))
    assert image.format == "PNG"
    assert image.size == (240, 90) == (challenge.width, challenge.height)
    assert len(challenge.text) == 6
    colours = image.convert("RGB").getcolors(maxcolors=100_000)
    assert colours is not None
    assert len(colours) > 50
    # Dark glyph strokes stand out on the pale background.
    darkest = min(sum(rgb) for _, rgb in colours)
    assert darkest < 300


def test_glyphs_are_distorted_differently_each_time() -> None:
    rng = seeded(5)
    text = "ACDEF"
    assert render(text, rng) != render(text, rng)


@pytest.mark.parametrize("typed", ["k7m4p", "K7M4P", " k7m 4p ", "K7M4P\n"])
def test_matches_ignores_case_and_spaces(typed: str) -> None:
    challenge = CaptchaChallenge(text="K7M4P", png=b"", width=1, height=1)
    assert challenge.matches(typed)


@pytest.mark.parametrize("typed", ["", "K7M4", "K7M4PP", "K7N4P"])
def test_matches_refuses_other_text(typed: str) -> None:
    challenge = CaptchaChallenge(text="K7M4P", png=b"", width=1, height=1)
    assert not challenge.matches(typed)


def test_default_random_source_works_without_a_seed() -> None:
    challenge = new_challenge()
    assert len(challenge.text) == 5
    assert set(challenge.text) <= set(ALPHABET)


def test_length_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        new_text(seeded(1), 0)
