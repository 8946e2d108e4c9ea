"""IRIs minted from normalised keys (docs/iris.md): the same thing always gets the same IRI."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from rdflib import URIRef

from confkg.namespaces import GRAPH, ID
from confkg.text.normalize import normalize

# A fixed Arabic-to-ASCII letter table: readable, stable slugs (not a scholarly romanisation).
_TRANSLIT = {
    "ا": "a", "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh",
    "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "a",
    "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": "w",
    "ي": "y", "ء": "", " ": "-",
}  # fmt: skip
_SLUG_OK = re.compile(r"[^a-z0-9-]+")


def short_hash(text: str, n: int = 12) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:n]


def slugify(key: str) -> str:
    """A lowercase ASCII slug of a (normalised) key; a hash when nothing transliterates."""
    norm = normalize(key)
    out = "".join(_TRANSLIT.get(ch, ch) for ch in norm).lower()
    out = _SLUG_OK.sub("-", out)
    out = re.sub(r"-{2,}", "-", out).strip("-")[:80].strip("-")
    return out or short_hash(norm)


# The entities' IRIs come back article after article, and making a URIRef checks its text:
# each is made once per process (the caches hold the most recent few thousand of each kind).
_recent = lru_cache(maxsize=4096)


@_recent
def conference(key: str) -> URIRef:
    return ID[f"conference/{key}"]


@_recent
def series(key: str) -> URIRef:
    return ID[f"series/{key}"]


@_recent
def organisation(key: str) -> URIRef:
    return ID[f"organisation/{key}"]


@_recent
def place(key: str) -> URIRef:
    return ID[f"place/{key}"]


@_recent
def official(key: str) -> URIRef:
    return ID[f"official/{slugify(key)}"]


@_recent
def position(official_key: str, title: str) -> URIRef:
    return ID[f"position/{slugify(official_key)}-{short_hash(normalize(title), 8)}"]


@_recent
def recommendation(conference_key: str, text: str) -> URIRef:
    return ID[f"recommendation/{conference_key}-{short_hash(normalize(text))}"]


@_recent
def topic(key: str) -> URIRef:
    return ID[f"topic/{key}"]


def article(article_id: str) -> URIRef:
    return ID[f"article/{article_id}"]


def evidence(article_id: str, start: int, end: int) -> URIRef:
    return ID[f"evidence/{article_id}-{start}-{end}"]


def article_graph(article_id: str) -> URIRef:
    return GRAPH[article_id]


def conference_key(series_key: str, *, edition: int | None, year: int | None, article_id: str) -> str:
    """series + edition; without an edition series + year; without either, local to the article."""
    if edition is not None:
        return f"{series_key}-{edition}"
    if year is not None:
        return f"{series_key}-y{year}"
    return f"{series_key}-a-{slugify(article_id)}"
