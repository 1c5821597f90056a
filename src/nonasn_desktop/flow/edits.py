"""Small changes to a registration's state that several writes of the flow share.

Each function changes only the state it is given and calls nothing outside: the machine
(:mod:`.machine`) decides when they apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from nonasn_desktop.flow.state import DocumentRef, RegistrationState
from nonasn_desktop.flow.values import TypedValues


def put(target: dict[str, str], key: str, raw: str) -> bool:
    """Store raw text (an empty text removes the key); True when something changed."""
    old = target.get(key, "")
    if raw == "":
        target.pop(key, None)
    else:
        target[key] = raw
    return old != raw


def invalidate_review(state: RegistrationState) -> None:
    """Data changed after step 20: it must be checked and declared again."""
    state.reviewed = False
    state.declaration = False


def sync_sk_variant(state: RegistrationState, typed: TypedValues) -> None:
    """The SK document records which form was handed in: the bentuk_sk field decides."""
    documents = state.documents
    ref = documents.get("sk_jabatan")
    if ref is None:
        return
    variant = typed.clean("bentuk_sk")
    if isinstance(variant, str) and ref.variant != variant:
        documents["sk_jabatan"] = DocumentRef(
            ref.kind, ref.document_id, ref.sha256, ref.original_name, ref.passed, variant
        )
    elif variant is None and ref.variant and "bentuk_sk" not in state.values:
        state.values["bentuk_sk"] = ref.variant


def clean_work_history(
    entries: Iterable[Mapping[str, str]], group_fields: Sequence[str]
) -> list[dict[str, str]]:
    """Work-history entries without empty texts; KeyError for a key that is not a group field."""
    cleaned: list[dict[str, str]] = []
    for entry in entries:
        unknown = set(entry) - set(group_fields)
        if unknown:
            raise KeyError(f"not work-history fields: {sorted(unknown)}")
        cleaned.append({k: v for k, v in entry.items() if v != ""})
    return cleaned
