"""Captcha challenges for steps 7 and 16 of the registration, drawn without Qt.

The portal asks for a captcha twice. On a clerk's desk it guards nothing against robots; it is
kept because the honorer will meet it on the real portal and because it makes the person sitting
beside the clerk read something off the screen. The text avoids characters that look alike once
distorted (0/O/Q, 1/I/L, 2/Z, 5/S, 8/B) and is compared case-insensitively.

Everything random comes from one :class:`random.Random`, so a test that injects a seeded one
gets the same text and the same PNG bytes every time. In production the default is
:class:`random.SystemRandom`.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

# Upper case only (the comparison ignores case), without look-alikes.
ALPHABET = "ACDEFGHJKMNPRTUVWXY34679"
DEFAULT_LENGTH = 5
DEFAULT_SIZE = (220, 80)


@dataclass(frozen=True)
class CaptchaChallenge:
    """One captcha: the text to type and its picture (PNG bytes)."""

    text: str
    png: bytes
    width: int
    height: int

    def matches(self, typed: str) -> bool:
        """True when ``typed`` is the text, ignoring case and any spaces around or inside."""
        return "".join(typed.split()).casefold() == self.text.casefold()


def new_text(rng: random.Random, length: int = DEFAULT_LENGTH) -> str:
    if length < 1:
        raise ValueError("captcha length must be positive")
    return "".join(rng.choice(ALPHABET) for _ in range(length))


def new_challenge(
    rng: random.Random | None = None,
    *,
    length: int = DEFAULT_LENGTH,
    size: tuple[int, int] = DEFAULT_SIZE,
) -> CaptchaChallenge:
    """A fresh challenge: random text and its distorted picture."""
    rng = rng if rng is not None else random.SystemRandom()
    text = new_text(rng, length)
    return CaptchaChallenge(text=text, png=render(text, rng, size), width=size[0], height=size[1])


def _colour(rng: random.Random, low: int, high: int) -> tuple[int, int, int]:
    return (rng.randint(low, high), rng.randint(low, high), rng.randint(low, high))


def _glyph(char: str, rng: random.Random, font_size: int) -> Image.Image:
    """One character on a transparent tile: random colour, sheared, then rotated."""
    font = ImageFont.load_default(size=font_size)
    tile_size = int(font_size * 1.6)
    tile = Image.new("RGBA", (tile_size, tile_size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(tile)
    left, top, right, bottom = draw.textbbox((0, 0), char, font=font)
    origin = ((tile_size - (right - left)) / 2 - left, (tile_size - (bottom - top)) / 2 - top)
    draw.text(origin, char, font=font, fill=(*_colour(rng, 10, 110), 255))
    shear = rng.uniform(-0.3, 0.3)
    tile = tile.transform(
        tile.size,
        Image.Transform.AFFINE,
        (1, shear, -shear * tile_size / 2, 0, 1, 0),
        resample=Image.Resampling.BICUBIC,
    )
    return tile.rotate(rng.uniform(-28, 28), resample=Image.Resampling.BICUBIC, expand=False)


def render(text: str, rng: random.Random, size: tuple[int, int] = DEFAULT_SIZE) -> bytes:
    """The PNG picture of ``text``: distorted glyphs over a pale background, noise on top."""
    width, height = size
    image = Image.new("RGB", size, _colour(rng, 215, 250))
    draw = ImageDraw.Draw(image)

    # Background speckles, so the glyph edges are not the only contrast.
    for _ in range(width * height // 40):
        point = (rng.randrange(width), rng.randrange(height))
        draw.point(point, fill=_colour(rng, 150, 235))

    slot = width / (len(text) + 0.5)
    font_size = max(12, int(min(height * 0.62, slot * 1.05)))
    for index, char in enumerate(text):
        glyph = _glyph(char, rng, rng.randint(int(font_size * 0.85), font_size))
        centre_x = slot * (index + 0.75) + rng.uniform(-slot * 0.12, slot * 0.12)
        centre_y = height / 2 + rng.uniform(-height * 0.1, height * 0.1)
        position = (int(centre_x - glyph.width / 2), int(centre_y - glyph.height / 2))
        image.paste(glyph, position, glyph)

    # Noise lines across the text: straight strokes and one wavy curve.
    for _ in range(rng.randint(3, 5)):
        start = (rng.randrange(width // 4), rng.randrange(height))
        end = (rng.randrange(width * 3 // 4, width), rng.randrange(height))
        draw.line([start, end], fill=_colour(rng, 40, 160), width=rng.randint(1, 2))
    amplitude = rng.uniform(height * 0.08, height * 0.2)
    phase = rng.uniform(0, math.tau)
    base = rng.uniform(height * 0.35, height * 0.65)
    wave = [
        (x, base + amplitude * math.sin(phase + x * math.tau / width * 1.5))
        for x in range(0, width, 4)
    ]
    draw.line(wave, fill=_colour(rng, 40, 140), width=2)

    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
