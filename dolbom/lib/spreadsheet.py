"""Cells that a spreadsheet program opens safely: every CSV or Excel file dolbom writes goes through here.

A cell starting with one of ``FORMULA_START`` is run as a formula by Excel, 한셀 and LibreOffice (CSV or
formula injection: ``=HYPERLINK(...)`` in a name typed by a person sends data away when the file is opened);
such text gets a leading apostrophe, which the programs show as plain text. Numbers stay numbers.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: object) -> str:
    """The value as text for a CSV cell, defused."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def defuse_typed(value: object) -> object:
    """For a typed writer (openpyxl): numbers, dates and None unchanged, text defused."""
    return defuse(value) if isinstance(value, str) else value
