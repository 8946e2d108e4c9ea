"""The offline lexicon: curated Wikidata items matched to store entities by their labels and class."""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from confkg.text.normalize import normalize

LEXICON_TYPES = ("organisation", "country", "city", "position")
QID_RE = re.compile(r"Q[1-9][0-9]*")

# Punctuation does not distinguish names ("Abu-Dhabi", "U.A.E"); `normalize`
# keeps it, so matching turns it into spaces.
_PUNCT = re.compile(r"[^\w\s]+")


def label_key(text: str) -> str:
    """The matching form of a label: normalised, punctuation and a leading ال or "the" dropped."""
    key = _PUNCT.sub(" ", normalize(text))
    key = re.sub(r"\s+", " ", key).strip()
    first, _, rest = key.partition(" ")
    # Only the first word's article: "المغرب" = "مغرب", but inner articles
    # ("الإمارات العربية المتحدة") are part of the name as written.
    if first.startswith("ال") and len(first) > 3:
        key = (first[2:] + " " + rest).strip()
    elif first == "the" and rest:
        key = rest
    return key


class LexiconError(Exception):
    """The lexicon file is malformed; the message names the entry."""


@dataclass(frozen=True)
class LexiconEntry:
    qid: str
    type: str
    en: str
    ar: str
    fr: str = ""
    aliases_ar: tuple[str, ...] = ()
    aliases_en: tuple[str, ...] = ()
    keys: frozenset[str] = field(default=frozenset(), compare=False)

    @classmethod
    def from_toml(cls, row: Mapping[str, object], where: str) -> LexiconEntry:
        def text(name: str, required: bool = True) -> str:
            value = row.get(name, "")
            if not isinstance(value, str) or (required and not value.strip()):
                raise LexiconError(f"{where}: '{name}' must be a non-empty string")
            return value

        def texts(name: str) -> tuple[str, ...]:
            value = row.get(name, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise LexiconError(f"{where}: '{name}' must be a list of strings")
            return tuple(value)

        qid = text("qid")
        if not QID_RE.fullmatch(qid):
            raise LexiconError(f"{where}: {qid!r} is not a Wikidata item id (Q…)")
        kind = text("type")
        if kind not in LEXICON_TYPES:
            raise LexiconError(f"{where}: type {kind!r} is not one of {', '.join(LEXICON_TYPES)}")
        en, ar, fr = text("en"), text("ar"), text("fr", required=False)
        aliases_ar, aliases_en = texts("aliases_ar"), texts("aliases_en")
        names = [ar, fr, en, *aliases_ar, *aliases_en]
        return cls(
            qid=qid,
            type=kind,
            en=en,
            ar=ar,
            fr=fr,
            aliases_ar=aliases_ar,
            aliases_en=aliases_en,
            keys=frozenset(label_key(n) for n in names if n.strip()),
        )


@dataclass(frozen=True)
class LexiconMatch:
    """What the lexicon says about one entity: one entry to link, or several to review."""

    entry: LexiconEntry | None
    # Entries of the right type the labels point to, when they do not agree on one.
    conflicting: tuple[LexiconEntry, ...] = ()
    reason: str = ""


class Lexicon:
    """The lexicon entries with an index from label keys to entries."""

    def __init__(self, entries: Iterable[LexiconEntry]) -> None:
        self.entries: tuple[LexiconEntry, ...] = tuple(entries)
        seen: dict[str, LexiconEntry] = {}
        for e in self.entries:
            if e.qid in seen and seen[e.qid].type != e.type:
                raise LexiconError(f"{e.qid} is listed twice with different types")
            seen[e.qid] = e
        self._by_key: dict[str, list[LexiconEntry]] = {}
        for e in self.entries:
            for k in e.keys:
                self._by_key.setdefault(k, []).append(e)

    def __len__(self) -> int:
        return len(self.entries)

    def qids(self) -> set[str]:
        return {e.qid for e in self.entries}

    def fingerprint(self) -> str:
        """A digest of what linking reads (each entry's item, type, label keys and the names a
        review shows): equal for two lexicons that link every entity alike, so a linker can tell
        whether earlier links still hold."""
        rows = sorted(
            f"{e.qid}\t{e.type}\t{e.en}\t{e.ar}\t{e.fr}\t{'|'.join(sorted(e.keys))}" for e in self.entries
        )
        return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()

    def owners(self, key: str) -> list[LexiconEntry]:
        """Entries (of any type) one of whose names has this key."""
        return self._by_key.get(key, [])

    def match(self, *, lexicon_type: str, keys: Iterable[str]) -> LexiconMatch | None:
        """The entry an entity with these label keys and this type is, if the labels agree on one.

        An entry of the right type is accepted only when no label of the entity
        names another entry instead: a ck:Place "تونس" whose English label is
        "Tunisia" names the state, not the city, so it is reported, not linked.
        Returns None when no label names an entry of the right type.
        """
        keys = set(keys)
        candidates = {e for k in keys for e in self.owners(k) if e.type == lexicon_type}
        if not candidates:
            return None
        agreeing = []
        for cand in candidates:
            # Every label that names some entry must name this one too.
            if all(cand in owners for k in keys if (owners := self.owners(k))):
                agreeing.append(cand)
        if len(agreeing) == 1:
            return LexiconMatch(agreeing[0])
        if agreeing:
            return LexiconMatch(None, _ordered(agreeing), "lexicon-ambiguous")
        # Show the person every entry the labels name, of any type: that is the disagreement.
        named = {e for k in keys for e in self.owners(k)}
        return LexiconMatch(None, _ordered(named), "lexicon-conflict")


def _ordered(entries: Iterable[LexiconEntry]) -> tuple[LexiconEntry, ...]:
    return tuple(sorted(entries, key=lambda e: int(e.qid[1:])))


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Read the lexicon: the packaged `wikidata-lexicon.toml`, or another file of the same form."""
    if path is None:
        text = resources.files("confkg.data").joinpath("wikidata-lexicon.toml").read_text("utf-8")
        where = "wikidata-lexicon.toml"
    else:
        text = Path(path).read_text("utf-8")
        where = str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"{where}: {exc}") from exc
    rows = data.get("entry", [])
    if not isinstance(rows, list):
        raise LexiconError(f"{where}: 'entry' must be an array of tables ([[entry]])")
    return Lexicon(LexiconEntry.from_toml(row, f"{where} entry {i + 1}") for i, row in enumerate(rows))
