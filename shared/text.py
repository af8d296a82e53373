"""Text helpers: Vietnamese names searched with or without diacritics ("Ky Son" finds "Kỳ Sơn"), and CSV
cells that a spreadsheet cannot run as formulas.

``fold`` is written by hand because it is a few lines of the standard library: NFD splits a letter from its
tone and vowel marks, which are then dropped. Đ/đ is a letter of its own, not a d with a mark, so it is
mapped.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case, no diacritics, single spaces: the form stored next to a name and used to search it."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.lower().split())


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
"""What makes Excel, LibreOffice or Google Sheets read a CSV cell as a formula (OWASP "CSV injection"): a
school named ``=HYPERLINK("http://evil", "Bấm vào đây")`` would otherwise become a live link in the
Department's spreadsheet, and ``=cmd|…`` worse."""


def spreadsheet_cell(value: object) -> str:
    """One CSV cell as text, safe to open in a spreadsheet: a text that would run as a formula gets a leading
    ``'``, which spreadsheets read as "this is text" and do not show. Every CSV writer uses this.

    Numbers stay as they are (``-5`` is a number, not a formula); ``None`` is an empty cell; a bool is
    ``true``/``false``; a list is its items joined with ``;``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        value = ";".join(str(item) for item in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def from_spreadsheet_cell(text: str) -> str:
    """The reverse, for a CSV file read back in: the ``'`` that ``spreadsheet_cell`` put before a formula
    character is dropped, so an exported file imports as it was."""
    if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text
