"""Places: cities and countries by name, by nisba adjective, and "the capital of X"."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from confkg.extract.doc import Doc


@dataclass(frozen=True)
class PlaceMention:
    key: str
    first: int
    last: int
    sentence: int
    via_adjective: bool = False  # "المغربية": the country as an adjective
    as_region: bool = False  # "جنوب شرق فرنسا": a country named to locate a city
    alternatives: tuple[str, ...] = ()  # other readings of an ambiguous name (تونس: state and city)


_CITY_MARKERS = {"مدينه", "بمدينه", "لمدينه", "العاصمه", "بالعاصمه", "عاصمه", "ومدينه"}
_CAPITAL = {"العاصمه", "بالعاصمه", "عاصمه", "للعاصمه", "والعاصمه"}
_REGION_WORDS = {"جنوب", "شمال", "شرق", "غرب", "وسط", "جنوبي", "شمالي", "شرقي", "غربي"}


def find_places(doc: Doc) -> list[PlaceMention]:
    gaz = doc.gaz
    toks = doc.tokens
    out: list[PlaceMention] = []
    covered: set[int] = set()
    named = doc.find(gaz.place_index)
    # which states the article is about, from what is unambiguous: names with one reading
    # and nisba adjectives ("الأردنية"); they settle "عمان" (Oman or Amman) and "طرابلس"
    country_votes: Counter[str] = Counter()
    for m in named:
        if len(m.value) == 1:
            entry = gaz.places[m.value[0]]
            country_votes[entry.key if entry.is_country else (entry.country or "")] += 1
    for m in doc.find(gaz.adjective_index):
        country_votes[m.value] += 1
    for m in named:
        key = _choose(doc, m.value, m.first, country_votes)
        prev = toks[m.first - 1].norm if m.first > 0 else ""
        as_region = gaz.places[key].is_country and prev in _REGION_WORDS
        out.append(
            PlaceMention(
                key, m.first, m.last, doc.sentence_of(m.first), as_region=as_region, alternatives=m.value
            )
        )
        covered.update(range(m.first, m.last + 1))
    for m in doc.find(gaz.adjective_index):
        if m.first in covered:
            continue
        prev = toks[m.first - 1].norm if m.first > 0 else ""
        sent = doc.sentence_of(m.first)
        if prev in _CAPITAL and m.value in gaz.capitals:
            # "العاصمة التونسية": the capital city of that state
            out.append(PlaceMention(gaz.capitals[m.value], m.first - 1, m.last, sent))
        else:
            out.append(PlaceMention(m.value, m.first, m.last, sent, via_adjective=True))
    out.sort(key=lambda p: p.first)
    return out


def _choose(doc: Doc, keys: tuple[str, ...], first: int, votes: Counter[str]) -> str:
    """One place for an ambiguous name: تونس (state or city), طرابلس (Libya or Lebanon)."""
    if len(keys) == 1:
        return keys[0]
    gaz = doc.gaz
    prev = doc.tokens[first - 1].norm if first > 0 else ""
    nxt = doc.tokens[first + 1].norm if first + 1 < len(doc.tokens) else ""
    cities = [k for k in keys if not gaz.places[k].is_country]
    countries = [k for k in keys if gaz.places[k].is_country]

    def support(k: str) -> int:
        e = gaz.places[k]
        return votes.get(e.key if e.is_country else (e.country or ""), 0)

    if cities and (prev in _CITY_MARKERS or nxt in ("العاصمه",)):
        return max(cities, key=support)
    best_city = max(cities, key=support) if cities else None
    # a city whose state the article names, against a state it never names otherwise
    # ("عمان" in an article about Jordan is Amman); a state that is its own city's name
    # (تونس، الكويت، الجزائر) stays the state
    if best_city and countries and gaz.places[best_city].country not in countries:
        if support(best_city) > max(support(c) for c in countries):
            return best_city
    if countries:
        return countries[0]
    return best_city


def country_of(doc: Doc, key: str) -> str | None:
    entry = doc.gaz.places.get(key)
    if entry is None:
        return None
    return entry.key if entry.is_country else entry.country


def home_country(doc: Doc, places: list[PlaceMention]) -> str | None:
    """The state an article is about, when its place names clearly point to one.

    "بالتعاون مع وزارة الداخلية" or "وزير الداخلية" without a state belong to it.
    """
    votes: Counter[str] = Counter()
    for p in places:
        e = doc.gaz.places[p.key]
        votes[e.key if e.is_country else (e.country or "")] += 1
    ranked = [(n, c) for c, n in votes.most_common(2) if c]
    if not ranked:
        return None
    if len(ranked) == 1 or ranked[0][0] >= 2 * ranked[1][0]:
        return ranked[0][1]
    return None
