"""Clitic-aware phrase matching: find gazetteer names in a normalised text.

A name is a sequence of normalised words. It matches a run of tokens when the
first token, with its proclitics removed (بمدينة، وللإنتربول، لل…), equals the
name's first word with or without ال, and the following tokens equal the
following words (each also with or without a leading و or ال where the name
allows). The longest match wins, so "الجامعة العربية للعلوم الأمنية" beats
"الجامعة العربية".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

from confkg.text.normalize import WORD_RE, NormText, Token, normalize, stems, strip_article

V = TypeVar("V", bound=Hashable)


@dataclass(frozen=True)
class Match(Generic[V]):
    value: V
    first: int  # token index of the first token
    last: int  # token index of the last token (inclusive)
    start: int  # original offsets
    end: int
    surface: str  # the original text of the match, without the proclitics of its first word


def _words(name: str) -> tuple[str, ...]:
    return tuple(WORD_RE.findall(normalize(name)))


class PhraseIndex(Generic[V]):
    """Names to values, matched against token lists with proclitics stripped."""

    def __init__(self) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], V]]] = defaultdict(list)
        self.max_len = 0

    def add(self, name: str, value: V) -> None:
        words = _words(name)
        if not words:
            return
        first = strip_article(words[0])
        rest = tuple(words[1:])
        entry = (rest, value)
        if entry not in self._by_first[first]:
            self._by_first[first].append(entry)
            # longest names first so the first hit is the longest
            self._by_first[first].sort(key=lambda e: -len(e[0]))
        self.max_len = max(self.max_len, len(words))

    def __contains__(self, name: str) -> bool:
        return self.lookup(name) is not None

    def lookup(self, name: str) -> V | None:
        """The value of a whole name, written with or without clitics."""
        words = _words(name)
        if not words:
            return None
        for stem in stems(words[0]):
            for rest, value in self._by_first.get(strip_article(stem), ()):
                if tuple(words[1:]) == rest:
                    return value
        return None

    def match_at(self, tokens: list[Token], i: int) -> tuple[V, int] | None:
        """The longest name starting at token i: (value, index of its last token)."""
        hit = self._match(tokens, i)
        return (hit[0], hit[1]) if hit else None

    def _match(self, tokens: list[Token], i: int, readings: tuple | None = None) -> tuple[V, int, str] | None:
        best: tuple[V, int, str] | None = None
        for key, stem in readings if readings is not None else first_readings(tokens[i].norm):
            for rest, value in self._by_first.get(key, ()):
                n = len(rest)
                if i + n >= len(tokens):
                    continue
                if all(_same_word(tokens[i + 1 + k].norm, rest[k]) for k in range(n)):
                    if best is None or n > best[1] - i:
                        best = (value, i + n, stem)
        return best

    def find_all(self, text: NormText) -> list[Match[V]]:
        """Non-overlapping matches, left to right, the longest at each position."""
        out: list[Match[V]] = []
        tokens = text.tokens
        readings, positions = token_readings(text)
        # only the tokens whose readings can start one of this index's names
        starts = sorted({i for key in positions.keys() & self._by_first.keys() for i in positions[key]})
        after = 0
        for i in starts:
            if i < after:
                continue
            hit = self._match(tokens, i, readings[i])
            if hit is None:
                continue
            value, last, stem = hit
            start, end = tokens[i].start, tokens[last].end
            surface = without_proclitics(text.original[start:end], stem)
            out.append(Match(value, i, last, start, end, surface))
            after = last + 1
        return out


@lru_cache(maxsize=131072)
def first_readings(word: str) -> tuple[tuple[str, str], ...]:
    """(lookup key, stem) for every clitic reading of a word: the key drops ال as the index does."""
    out: dict[str, str] = {}
    for stem in stems(word):
        out.setdefault(strip_article(stem), stem)
    return tuple(out.items())


def token_readings(text: NormText) -> tuple[list[tuple[tuple[str, str], ...]], dict[str, list[int]]]:
    """Every token's readings, and the tokens each lookup key occurs at: computed once per text."""
    cached = getattr(text, "_readings", None)
    if cached is None:
        readings = [first_readings(t.norm) for t in text.tokens]
        positions: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(readings):
            for key, _ in r:
                positions[key].append(i)
        cached = (readings, dict(positions))
        text._readings = cached
    return cached


def without_proclitics(surface: str, stem: str | None = None) -> str:
    """The surface with the conjunction/preposition of its first word removed, ال kept.

    "وللإنتربول" -> "الإنتربول", "بالمديرية العامة" -> "المديرية العامة"; with the matched
    `stem` known, "لمجلس وزراء" -> "مجلس وزراء" too. A word that is a name in
    full (ليون) is left alone.
    """
    first, sep, rest = surface.partition(" ")
    cut = 0
    if stem is not None:
        targets = {"ال" + strip_article(stem), stem, strip_article(stem)}
        cut = next((k for k in range(len(first)) if normalize(first[k:]) in targets), 0)
    else:
        for prefix in ("وبال", "وال", "بال", "فال", "كال", "ولل", "لل"):
            if first.startswith(prefix) and len(first) > len(prefix) + 1:
                cut = len(prefix) - (2 if prefix.endswith("ال") else 0)
                break
    word = first[cut:]
    if first[:cut].endswith("لل"):
        word = "ال" + word  # ل + ال is written لل: give the name its article back
    return word + sep + rest


@lru_cache(maxsize=262144)
def _same_word(token: str, word: str) -> bool:
    if token == word:
        return True
    # a later word of a name may carry و or ل (والأمن، ولمراقبة) or differ by ال
    for stem in stems(token):
        if stem == word or strip_article(stem) == strip_article(word):
            return True
    return False
