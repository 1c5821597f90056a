"""Roles of the clerks who use the application."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    OPERATOR = "operator"
    VERIFIKATOR = "verifikator"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {"operator": "Operator", "verifikator": "Verifikator", "admin": "Admin"}[self.value]
