"""Arabic normalisation for matching only: the graph keeps the text as written.

Matching folds what Arabic news writes in several ways for the same word:
alef and hamza forms, ta marbuta and ha, alef maqsura and ya, diacritics,
tatweel, Eastern Arabic and Persian digits, and Latin case. `NormText` keeps a
map from every character of the normalised text back to the original, so a
match found in normalised text has exact offsets in the article.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import accumulate, count, repeat
from operator import itemgetter
from typing import NamedTuple

# Diacritics (tashkeel), Quranic marks, superscript alef, and tatweel are dropped.
_DROP = set(chr(c) for c in range(0x0610, 0x061B)) | set(chr(c) for c in range(0x064B, 0x0660))
_DROP |= {"\u0670", "\u0640", "\u06d6", "\u06d7", "\u06d8", "\u06d9", "\u06da", "\u06db", "\u06dc"}
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


# str.translate form of fold_char: the fast path of NormText (whitespace folds to a space)
_TABLE = {ord(c): None for c in _DROP} | {ord(k): (v or None) for k, v in _MAP.items()}
_TABLE |= {
    ord(c): " "
    for c in "\t\n\r\x0b\x0c\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
}
_DROP_ALL = frozenset(_DROP | {"ـ"})
# The same folds as (character, replacement) pairs. No replacement is itself folded, so
# replacing each character the text holds, one after the other, gives what str.translate
# gives; str.translate looks every character up in a dict, this is about 9 times as fast
# on news text, which holds few of these characters.
_FOLDS = tuple(sorted((chr(k), v or "") for k, v in _TABLE.items()))
_FOLDS_KEEPING_LINES = tuple((ch, to) for ch, to in _FOLDS if ch != "\n")
# The characters some fold changes: a short string (a name, a title) is folded by finding
# which of them it holds in one search, not by looking for each of the 108 in turn.
_FOLD_TO = dict(_FOLDS)
_FOLDABLE = re.compile("[" + "".join(re.escape(ch) for ch in _FOLD_TO) + "]")
_SHORT = 128  # below this length one search is faster; above, a text holds too many (ة, أ)


def fold(text: str, *, keep_lines: bool = False) -> str:
    """`text.translate(_TABLE)`: every character folded, the dropped ones removed.

    With `keep_lines`, "\\n" stays as it is (the rest folds as before, other breaks such as
    "\\r" and U+2028 to a space), so the folded text splits at "\\n" into the folded lines.
    """
    if len(text) < _SHORT and not keep_lines:
        for ch in set(_FOLDABLE.findall(text)):
            text = text.replace(ch, _FOLD_TO[ch])
        return text
    for ch, to in _FOLDS_KEEPING_LINES if keep_lines else _FOLDS:
        if ch in text:
            text = text.replace(ch, to)
    return text


_DROPPED = re.compile("[" + "".join(re.escape(c) for c in sorted(_DROP | {"ـ"})) + "]")
# WORD_RE as a split with the words kept: separator, word, separator, …, separator
_WORD_SPLIT = re.compile(f"({WORD_RE.pattern})")


def _word_spans(folded: str) -> tuple[list[str], list[int], list[int]]:
    """The words of a normalised text with their start and end offsets in it.

    What `WORD_RE.finditer` gives, by one split and running sums of the pieces' lengths:
    no Python call per word (a third of the time for an article's ~500 words).
    """
    parts = _WORD_SPLIT.split(folded)
    offsets = list(accumulate(map(len, parts), initial=0))
    return parts[1::2], offsets[1::2], offsets[2::2]


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
    return " ".join(fold(text).lower().split())


# A character that normalising keeps and that is not a space: each becomes at least one
# character of the normalised text.
_KEPT = re.compile(r"[^\s" + "".join(re.escape(c) for c in sorted(_DROP_ALL)) + "]")


def shorter_than_two(text: str) -> bool:
    """Whether `normalize(text)` has fewer than two characters, found without normalising a
    text that has two characters normalising keeps (nearly every sentence)."""
    first = _KEPT.search(text)
    if first is None:
        return True
    if _KEPT.search(text, first.end()) is not None:
        return False
    return len(normalize(text)) < 2  # one kept character may lower-case to two (İ)


def normalized_lines(text: str) -> list[str]:
    """`[normalize(line) for line in text.split("\n")]`, the text folded once, not line by line."""
    return [" ".join(line.split()) for line in fold(text, keep_lines=True).lower().split("\n")]


class Token(NamedTuple):
    """A word of the normalised text, with its span in the original text.

    A named tuple rather than a dataclass: an article has about a thousand tokens,
    and a tuple is made several times faster.
    """

    norm: str
    start: int  # offset in the original text
    end: int
    index: int  # position in the token list


class NormText:
    """A normalised view of a text, with offsets back into the original."""

    def __init__(self, text: str) -> None:
        self.original = text
        # every fold maps one character to one or none, so the kept characters keep their order;
        # line breaks stay, so the folded text splits into the folded lines (line_keys)
        folded = fold(text, keep_lines=True).lower()
        origin: list[int] | range
        one_each = False  # whether every kept character folds to exactly one
        if len(folded) == len(text) and _DROPPED.search(text) is None:
            origin = range(len(text))
        elif len(folded) == len(text) - len(_DROPPED.findall(text)):
            # every kept character, by the ranges between the dropped ones (news text drops few)
            origin = []
            kept_from = 0
            for m in _DROPPED.finditer(text):
                origin.extend(range(kept_from, m.start()))
                kept_from = m.end()
            origin.extend(range(kept_from, len(text)))
            one_each = True
        else:
            # the general path: a character may fold to none or (lower-casing) to two
            chars: list[str] = []
            origin = []
            for i, ch in enumerate(text):
                for f in "\n" if ch == "\n" else fold_char(ch):
                    chars.append(f)
                    origin.append(i)
            folded = "".join(chars)
        self.norm = folded
        self._folded_whole = isinstance(origin, range) or one_each  # folded as normalize folds
        self._origin = origin
        self._readings = None  # filled by confkg.text.phrases.token_positions, shared by all indexes
        self._phrase_starts: dict | None = None  # confkg.text.phrases.PhraseGroup.starts, per group
        self._words: dict[str, list[int]] | None = None  # word_positions, computed once
        # with nothing dropped the offsets are the same in both texts; otherwise they map back
        words, starts, ends = _word_spans(folded)
        if one_each:
            # a word ends where the next kept character starts: the marks dropped after a
            # word belong to it (what orig_end gives, without a call per token)
            starts = map(origin.__getitem__, starts)
            ends = map([*origin, len(text)].__getitem__, ends)
        elif not isinstance(origin, range):
            starts = map(self.orig_start, starts)
            ends = map(self.orig_end, ends)
        self.tokens: list[Token] = list(map(tuple.__new__, repeat(Token), zip(words, starts, ends, count())))

    def line_keys(self) -> list[str]:
        """`normalize` of each line of the original text (split at "\\n"), from the folded text."""
        if not self._folded_whole:  # folded character by character: lower-casing can differ (Σ)
            return normalized_lines(self.original)
        return [" ".join(line.split()) for line in self.norm.split("\n")]

    def word_positions(self) -> dict[str, list[int]]:
        """Each normalised word of the text and the indexes of its tokens, in order (computed once).

        The lists are shared: read them, do not change them. Passes that look for a few words
        (a name's first word, a day word) visit the ~250 distinct words of an article instead
        of its ~450 tokens.
        """
        words = self._words
        if words is None:
            words = self._words = {}
            for n, word in enumerate(map(itemgetter(0), self.tokens)):  # a token's index is its position
                at = words.get(word)
                if at is None:
                    words[word] = [n]
                else:
                    at.append(n)
        return words

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


@lru_cache(maxsize=8192)  # officials' names come back article after article
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
