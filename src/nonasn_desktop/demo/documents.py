"""Synthetic sample documents that pass the document rules (DOMAIN.md section 4).

:func:`make_sample_document` draws a KTP-like card, a pas foto, a swafoto, a Kartu Keluarga,
an ijazah scan, an SK jabatan and a salary slip. They look like what an honorer brings (a
light-blue card with text lines and a photo, a portrait on a blue background, a cream
diploma with a border, typed letters) but every name, number and place is invented, and
each is marked "CONTOH". The same kind, seed and name always give the same bytes.

The drawing of each kind lives in :mod:`~nonasn_desktop.demo.scanned_documents` (pictures and
scans) and :mod:`~nonasn_desktop.demo.typed_documents` (typed letters); what they share in
:mod:`~nonasn_desktop.demo.document_drawing`.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from nonasn_desktop.demo.document_drawing import Person, invent_person
from nonasn_desktop.demo.scanned_documents import (
    draw_ijazah,
    draw_kk,
    draw_ktp,
    draw_pas_foto,
    draw_swafoto,
)
from nonasn_desktop.demo.typed_documents import draw_bukti_gaji, draw_sk_jabatan

_GENERATORS: dict[str, Callable[[random.Random, Person], tuple[bytes, str]]] = {
    "ktp": draw_ktp,
    "pas_foto": draw_pas_foto,
    "swafoto": draw_swafoto,
    "kk": draw_kk,
    "ijazah": draw_ijazah,
    "sk_jabatan": draw_sk_jabatan,
    "bukti_gaji": draw_bukti_gaji,
}
SAMPLE_KINDS: tuple[str, ...] = tuple(_GENERATORS)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "contoh"


def make_sample_document(kind: str, *, seed: int, name: str = "CONTOH") -> tuple[bytes, str]:
    """A synthetic document of ``kind`` that passes its rule, and a file name for it.

    The same ``kind``, ``seed`` and ``name`` always give the same bytes; different seeds
    give different documents. The person behind one seed (NIK, birth date, region) is the
    same in every kind. Raises ValueError for a kind it cannot draw.
    """
    generator = _GENERATORS.get(kind)
    if generator is None:
        raise ValueError(f"no sample generator for document kind {kind!r}")
    # Not for secrets: a seeded generator is what makes the samples reproducible.
    person = invent_person(random.Random(f"person:{seed}"), name.strip() or "CONTOH")  # noqa: S311
    content, extension = generator(random.Random(f"{kind}:{seed}"), person)  # noqa: S311
    return content, f"{kind}_{_slug(name)}_{seed}.{extension}"
