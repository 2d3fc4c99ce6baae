"""Text rules: every stored string is NFC; search ignores case, diacritics and tone-mark placement."""

from __future__ import annotations

import unicodedata


def nfc(value: str) -> str:
    """Normalise to NFC and fold runs of white space, as every stored name must be."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def fold(value: str) -> str:
    """A search key: no case, no diacritics, đ→d, so 'Hoà', 'Hòa' and 'hoa' are equal."""
    decomposed = unicodedata.normalize("NFD", value.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.replace("đ", "d").split())


_TONES = {"\u0300": "2", "\u0301": "1", "\u0303": "4", "\u0309": "3", "\u0323": "5"}


def name_key(value: str) -> str:
    """The key under which sibling names must be unique: case-insensitive, tone placement ignored.

    Vietnamese diacritics change meaning (Lập and Lạp are different names) so they are kept, but
    where a tone mark sits (Hoà/Hòa, Thuỷ/Thủy) does not: each word's tone moves to its end.
    """
    words = []
    for word in unicodedata.normalize("NFD", value.casefold()).split():
        tones = [c for c in word if c in _TONES]
        base = "".join(c for c in word if c not in _TONES)
        words.append(unicodedata.normalize("NFC", base) + "".join(_TONES[t] for t in tones))
    return " ".join(words)
