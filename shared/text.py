"""Vietnamese names searched with or without diacritics: "Ky Son" finds "Kỳ Sơn".

Written by hand because it is a few lines of the standard library: NFD splits a letter from its tone and
vowel marks, which are then dropped. Đ/đ is a letter of its own, not a d with a mark, so it is mapped.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case, no diacritics, single spaces: the form stored next to a name and used to search it."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.lower().split())
