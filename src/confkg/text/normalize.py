"""Arabic normalisation for matching only: the graph keeps the text as written.

Matching folds what Arabic news writes in several ways for the same word:
alef and hamza forms, ta marbuta and ha, alef maqsura and ya, diacritics,
tatweel, Eastern Arabic and Persian digits, and Latin case. `NormText` keeps a
map from every character of the normalised text back to the original, so a
match found in normalised text has exact offsets in the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Diacritics (tashkeel), Quranic marks, superscript alef, and tatweel are dropped.
_DROP = set(chr(c) for c in range(0x0610, 0x061B)) | set(chr(c) for c in range(0x064B, 0x0660))
_DROP |= {"\u0670", "\u0640", "\u06D6", "\u06D7", "\u06D8", "\u06D9", "\u06DA", "\u06DB", "\u06DC"}
_DROP |= {"\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"}
_DROP |= {"\ufeff", "\u00ad"}

_MAP = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ٲ": "ا",
    "ٳ": "ا",
    "ة": "ه",
    "ى": "ي",
    "ی": "ي",  # Persian ya
    # hamza seats vary by region (مسؤول / مسئول، شؤون / شئون): fold every seat to ء
    "ئ": "ء",
    "ؤ": "ء",
    "ک": "ك",  # Persian kaf
    "ـ": "",
    "٫": ".",
    "،": "،",
}
for _i, _d in enumerate("٠١٢٣٤٥٦٧٨٩"):
    _MAP[_d] = str(_i)
for _i, _d in enumerate("۰۱۲۳۴۵۶۷۸۹"):
    _MAP[_d] = str(_i)

ARABIC_LETTER = "\u0621-\u064a\u0671-\u06d3"
WORD_RE = re.compile(rf"[{ARABIC_LETTER}A-Za-z0-9]+")


def fold_char(ch: str) -> str:
    if ch in _DROP:
        return ""
    mapped = _MAP.get(ch)
    if mapped is not None:
        return mapped
    if ch.isspace():
        return " "
    return ch.lower()


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """The matching form of a string: folded letters and digits, single spaces."""
    out = "".join(fold_char(ch) for ch in text)
    return re.sub(r"\s+", " ", out).strip()


@dataclass(frozen=True)
class Token:
    """A word of the normalised text, with its span in the original text."""

    norm: str
    start: int  # offset in the original text
    end: int
    index: int  # position in the token list


class NormText:
    """A normalised view of a text, with offsets back into the original."""

    def __init__(self, text: str) -> None:
        self.original = text
        chars: list[str] = []
        origin: list[int] = []
        for i, ch in enumerate(text):
            folded = fold_char(ch)
            for f in folded:
                chars.append(f)
                origin.append(i)
        self.norm = "".join(chars)
        self._origin = origin
        self.tokens: list[Token] = [
            Token(m.group(), self.orig_start(m.start()), self.orig_end(m.end()), n)
            for n, m in enumerate(WORD_RE.finditer(self.norm))
        ]

    def orig_start(self, norm_index: int) -> int:
        if norm_index >= len(self._origin):
            return len(self.original)
        return self._origin[norm_index]

    def orig_end(self, norm_end: int) -> int:
        if norm_end <= 0:
            return 0
        end = self._origin[norm_end - 1] + 1
        # a word's trailing diacritics belong to it
        while end < len(self.original) and self.original[end] in _DROP and not self.original[end].isspace():
            end += 1
        return end

    def tokens_between(self, start: int, end: int) -> list[Token]:
        """Tokens lying inside the original span [start, end)."""
        return [t for t in self.tokens if t.start >= start and t.end <= end]


# Proclitics news Arabic attaches to a word: conjunctions (و ف), prepositions
# (ب ل ك), the article (ال), and their combinations (وبال، فلل، وللـ …).
_CONJ = ("و", "ف")
_PREP = ("ب", "ل", "ك")


@lru_cache(maxsize=131072)
def stems(word: str) -> tuple[str, ...]:
    """Every reading of a normalised word with its proclitics removed, longest first.

    "وللانتربول" -> ("وللانتربول", "للانتربول", "لانتربول", "انتربول", ...). A reading
    shorter than two letters is not kept. Callers look each reading up in a
    gazetteer; a word that is a name in full (ليون, والي) stays a candidate as is.
    """
    out: list[str] = [word]
    bases = [word]
    for c in _CONJ:
        if word.startswith(c) and len(word) > 2:
            bases.append(word[1:])
    with_prep = list(bases)
    for b in bases:
        if b.startswith("لل") and len(b) > 3:
            # ل + ال with the alef dropped: للانتربول = ل + الانتربول
            with_prep.append("ال" + b[2:])
            with_prep.append(b[2:])
        for p in _PREP:
            if b.startswith(p) and len(b) > 2:
                with_prep.append(b[1:])
    for b in with_prep:
        out.append(b)
        if b.startswith("ال") and len(b) > 3:
            out.append(b[2:])
    seen: list[str] = []
    for s in out:
        if len(s) >= 2 and s not in seen:
            seen.append(s)
    return tuple(seen)


def strip_article(word: str) -> str:
    """A normalised word without the article ال (the key form for names)."""
    if word.startswith("ال") and len(word) > 3:
        return word[2:]
    return word


def name_key(text: str) -> str:
    """The identity key of a name: normalised, ال dropped from each part, عبد joined."""
    parts = []
    for p in WORD_RE.findall(normalize(text)):
        for joined_prefix in ("عبدال", "ابوال"):
            # "عبداللطيف" is written joined or apart: key both as عبد + لطيف
            if p.startswith(joined_prefix) and len(p) > len(joined_prefix) + 1:
                p = joined_prefix[:-2] + p[len(joined_prefix) :]
                break
        parts.append(strip_article(p))
    joined: list[str] = []
    skip = False
    for i, p in enumerate(parts):
        if skip:
            skip = False
            continue
        if p in ("عبد", "ابو", "بو") and i + 1 < len(parts):
            joined.append(p + parts[i + 1])
            skip = True
        else:
            joined.append(p)
    return " ".join(joined)
