"""Text rules: every stored string is NFC; search ignores case, diacritics and tone-mark placement."""

from __future__ import annotations

import re
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


# Characters no stored text may hold: C0 controls but tab, line feed and carriage return (line
# ends); DEL and the C1 controls; lone surrogates (not encodable in UTF-8, so unstorable); the
# bidirectional embedding, override and isolate controls (they make a name display as another);
# and Unicode's noncharacters. NUL above all: PostgreSQL text cannot hold it, and an act holding
# one once took every read down.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069"
    "\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(1, 17))
    + "]")


def unstorable(value: str) -> str | None:
    """Why ``value`` may not be stored (its first forbidden character), or None if it may."""
    found = _FORBIDDEN.search(value)
    if found is None:
        return None
    char = found.group()
    what = ("a lone surrogate" if "\ud800" <= char <= "\udfff"
            else "a bidirectional control" if "\u202a" <= char <= "\u2069"
            else "a noncharacter" if unicodedata.category(char) == "Cn"
            else "a control character")
    return f"U+{ord(char):04X} ({what}) at position {found.start()} is not allowed in text"
