"""The one error of the spreadsheet reader: the file cannot (or may not) be read."""

from __future__ import annotations

from nonasn_desktop.errors import UserError


class SpreadsheetError(UserError):
    """The file cannot be read as a spreadsheet at all, or is refused by a bound of
    forms/roster_file.toml; the message says why in Indonesian and what to do."""
