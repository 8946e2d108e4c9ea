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
from collections.abc import Hashable, Iterable
from functools import lru_cache, partial
from typing import Generic, NamedTuple, TypeVar

from confkg.text.normalize import WORD_RE, NormText, Token, normalize, stems, strip_article

V = TypeVar("V", bound=Hashable)


class Match(NamedTuple, Generic[V]):
    """One name found in a text (a named tuple: an article has hundreds)."""

    value: V
    first: int  # token index of the first token
    last: int  # token index of the last token (inclusive)
    start: int  # original offsets
    end: int
    surface: str  # the original text of the match, without the proclitics of its first word


# tuple.__new__ skips the named tuple's Python-level __new__ (an article has ~100 matches)
_new_match = partial(tuple.__new__, Match)


def _words(name: str) -> tuple[str, ...]:
    return tuple(WORD_RE.findall(normalize(name)))


class PhraseIndex(Generic[V]):
    """Names to values, matched against token lists with proclitics stripped.

    The names sharing a first word form a trie on their later words (each keyed
    without ال), so matching at a token walks only the names that can still match.
    """

    def __init__(self) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], V]]] = defaultdict(list)
        self._trie: dict[str, _Node] = {}  # first word's key -> the trie of the later words
        self._added = 0
        self.max_len = 0
        self._group: PhraseGroup | None = None  # shares the search for starting tokens (find_all)
        self._slot = 0  # this index's place in its group

    def add(self, name: str, value: V) -> None:
        words = _words(name)
        if not words:
            return
        first = strip_article(words[0])
        rest = tuple(words[1:])
        entry = (rest, value)
        if entry in self._by_first[first]:
            return
        self._by_first[first].append(entry)
        self.max_len = max(self.max_len, len(words))
        node = self._trie.get(first)
        if node is None:
            node = self._trie[first] = _Node()
        for w in rest:
            node = node.child(strip_article(w))
        if node.value is None:  # the first value given for a name wins
            node.value = (self._added, value)
        self._added += 1
        if self._group is not None:
            self._group._version += 1  # what the group knows of its members is out of date

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

    def _match(self, tokens: list[Token], i: int) -> tuple[V, int, str] | None:
        """The longest name at token i; between readings of the first word, the first reading's."""
        best: tuple[V, int, str] | None = None
        best_len = -1
        n_tokens = len(tokens)
        trie = self._trie
        for key, stem in first_readings(tokens[i].norm):
            root = trie.get(key)
            if root is None:
                continue
            # depth-first over the later tokens: a token may read several ways (والأمن: و + الأمن);
            # the longest name wins, and between names as long the one added first
            here = root.value
            if here is None:
                found_len, found_order, found_value = -1, 0, None
            else:
                found_len, found_order, found_value = 0, here[0], here[1]
            # a node's children are pushed before the next is taken, so the root needs no
            # stack entry of its own (a third of the roots are names of one word: no children)
            stack: list[tuple[_Node, int]] = []
            node, j = root, i
            while True:
                children = node.children
                if children and j + 1 < n_tokens:
                    for k in follow_keys(tokens[j + 1].norm):
                        child = children.get(k)
                        if child is not None:
                            stack.append((child, j + 1))
                if not stack:
                    break
                node, j = stack.pop()
                here = node.value
                if here is not None:
                    length = j - i
                    if length > found_len or (length == found_len and here[0] < found_order):
                        found_len, found_order, found_value = length, here[0], here[1]
            if found_len > best_len:
                best_len = found_len
                best = (found_value, i + found_len, stem)
        return best

    def find_all(self, text: NormText) -> list[Match[V]]:
        """Non-overlapping matches, left to right, the longest at each position."""
        out: list[Match[V]] = []
        tokens = text.tokens
        if self._group is not None:
            starts = self._group.starts(text)[self._slot]
        else:
            positions = token_positions(text)
            # only the tokens whose readings can start one of this index's names
            starts = sorted({i for key in positions.keys() & self._trie.keys() for i in positions[key]})
        after = 0
        for i in starts:
            if i < after:
                continue
            hit = self._match(tokens, i)
            if hit is None:
                continue
            value, last, stem = hit
            start, end = tokens[i].start, tokens[last].end
            surface = without_proclitics(text.original[start:end], stem)
            out.append(_new_match((value, i, last, start, end, surface)))
            after = last + 1
        return out


class PhraseGroup:
    """Phrase indexes that look for their starting tokens together.

    An article is searched for a gazetteer's 32 indexes (places, organisations, titles, each
    kind of trigger word). Alone, each index intersects the article's lookup keys
    with its names' first words; a group reads the article's keys once, knowing which members
    each key starts a name of, and keeps the answer with the text. `find_all` gives the same
    matches either way (tested).
    """

    def __init__(self, indexes: Iterable[PhraseIndex]) -> None:
        self._indexes = list(indexes)
        for slot, index in enumerate(self._indexes):
            if index._group is not None:
                raise ValueError("a phrase index belongs to one group at most")
            index._group, index._slot = self, slot
        self._firsts: dict[str, tuple[int, ...]] = {}  # a first word's key -> the slots it starts names of
        self._version = 0  # one more each time a member gains a name
        self._built = -1  # the version _firsts was made at

    def starts(self, text: NormText) -> list[list[int]]:
        """For each member, by slot, the tokens where one of its names may start, in order
        (computed once per text: read, do not change)."""
        cached = text._phrase_starts
        if cached is None:
            cached = text._phrase_starts = {}
        hit = cached.get(self)
        if hit is not None and hit[0] == self._version:
            return hit[1]
        firsts = self._first_slots()
        positions = token_positions(text)
        per_slot: dict[int, set[int]] = {}
        for key in positions.keys() & firsts.keys():
            at = positions[key]
            for slot in firsts[key]:
                tokens = per_slot.get(slot)
                if tokens is None:
                    per_slot[slot] = set(at)
                else:
                    tokens.update(at)
        found: list[list[int]] = [[] for _ in self._indexes]
        for slot, tokens in per_slot.items():
            found[slot] = sorted(tokens)
        cached[self] = (self._version, found)
        return found

    def _first_slots(self) -> dict[str, tuple[int, ...]]:
        if self._built != self._version:  # a member has new names
            firsts: dict[str, tuple[int, ...]] = {}
            for slot, index in enumerate(self._indexes):
                for key in index._trie:
                    firsts[key] = (*firsts.get(key, ()), slot)
            self._firsts, self._built = firsts, self._version
        return self._firsts


@lru_cache(maxsize=131072)
def first_readings(word: str) -> tuple[tuple[str, str], ...]:
    """(lookup key, stem) for every clitic reading of a word: the key drops ال as the index does."""
    out: dict[str, str] = {}
    for stem in stems(word):
        out.setdefault(strip_article(stem), stem)
    return tuple(out.items())


def token_positions(text: NormText) -> dict[str, list[int]]:
    """The tokens each lookup key occurs at, in no set order (computed once per text, shared by
    all indexes: read the lists, do not change them)."""
    cached = text._readings
    if cached is None:
        # by word first: an article repeats its words, and the readings are per word
        cached = {}
        for word, at in text.word_positions().items():
            for key in first_keys(word):
                known = cached.get(key)
                # the word's own list is shared, not copied; a key several words read as gets a new one
                cached[key] = at if known is None else [*known, *at]
        text._readings = cached
    return cached


@lru_cache(maxsize=131072)
def first_keys(word: str) -> tuple[str, ...]:
    """The lookup keys of `first_readings`, without their stems."""
    return tuple(key for key, _ in first_readings(word))


@lru_cache(maxsize=65536)  # the same names come back article after article
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
def follow_keys(token: str) -> tuple[str, ...]:
    """The keys a later word of a name may have when written as `token`.

    A later word may carry و or ل (والأمن، ولمراقبة) or differ by ال, so a token
    matches a name's word when the word without ال is one of these.
    """
    return tuple(dict.fromkeys([strip_article(token), *(strip_article(s) for s in stems(token))]))


class _Node:
    """A trie node: the later words of the names that share a first word."""

    __slots__ = ("children", "value")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.value: tuple[int, object] | None = None  # (insertion order, value) of a name ending here

    def child(self, key: str) -> _Node:
        node = self.children.get(key)
        if node is None:
            node = self.children[key] = _Node()
        return node
