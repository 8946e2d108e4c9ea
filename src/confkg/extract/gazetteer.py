"""The gazetteers, loaded once from the package's data files into phrase indexes.

The data lives in `confkg/data/` as TOML (see docs/gazetteers.md); this module
only reads it. A `Gazetteer` is immutable after loading and shared read-only by
every extraction in a process.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

from confkg.text.dates import Calendar, calendar_from
from confkg.text.normalize import normalize, strip_article
from confkg.text.phrases import PhraseGroup, PhraseIndex
from confkg.text.sentences import Boilerplate


@dataclass(frozen=True)
class PlaceEntry:
    key: str
    en: str
    ar: str
    is_country: bool
    country: str | None = None
    capital: bool = False


@dataclass(frozen=True)
class OrgEntry:
    key: str
    en: str | None
    ar: str
    country: str | None = None
    kind: str = "other"
    head_titles: tuple[str, ...] = ()


@dataclass(frozen=True)
class NationalEntry:
    key: str
    en: str
    ar: str
    head_titles: tuple[str, ...] = ()


@dataclass(frozen=True)
class SeriesEntry:
    key: str
    en: str | None
    ar: str
    heads: tuple[str, ...] = ()
    organisation: str | None = None
    organiser: str | None = None
    standalone: bool = False  # named in the news without a head word ("عملية العقبة")


@dataclass(frozen=True)
class TopicEntry:
    key: str
    en: str | None
    ar: str


@dataclass(frozen=True)
class UnlistedBodies:
    """The words that find a body no entry lists by the form of its name (organisations.toml [unlisted]).

    Each set holds the words normalised; `head_keys` are the heads' lookup keys (without ال).
    """

    heads: frozenset[str] = frozenset()
    bare_adjectives: frozenset[str] = frozenset()
    adjectives: frozenset[str] = frozenset()
    not_complements: frozenset[str] = frozenset()
    named_after: frozenset[str] = frozenset()

    @classmethod
    def from_table(cls, table: dict) -> UnlistedBodies:
        def words(name: str) -> frozenset[str]:
            found = table.get(name, [])
            if not isinstance(found, list) or not all(isinstance(w, str) for w in found):
                raise ValueError(f"organisations.toml [unlisted] {name}: a list of words is expected")
            return frozenset(normalize(w) for w in found)

        return cls(
            *(words(f) for f in ("heads", "bare_adjectives", "adjectives", "not_complements", "named_after"))
        )

    @cached_property
    def head_keys(self) -> frozenset[str]:
        return frozenset(strip_article(w) for w in self.heads)


@dataclass
class Gazetteer:
    places: dict[str, PlaceEntry] = field(default_factory=dict)
    place_index: PhraseIndex[tuple[str, ...]] = field(default_factory=PhraseIndex)
    adjective_index: PhraseIndex[str] = field(default_factory=PhraseIndex)
    capitals: dict[str, str] = field(default_factory=dict)  # country -> capital city
    orgs: dict[str, OrgEntry] = field(default_factory=dict)
    org_index: PhraseIndex[tuple[str, ...]] = field(default_factory=PhraseIndex)
    # names that stand for an organisation only beside another one ("الأمانة العامة" beside
    # "مجلس وزراء الداخلية العرب"): name -> [(key, the organisation that must be named too)]
    context_index: PhraseIndex[tuple[tuple[str, str], ...]] = field(default_factory=PhraseIndex)
    abbreviations: dict[str, str] = field(default_factory=dict)  # lower-case latin -> key
    nationals: dict[str, NationalEntry] = field(default_factory=dict)
    national_index: PhraseIndex[str] = field(default_factory=PhraseIndex)
    unlisted: UnlistedBodies = field(default_factory=UnlistedBodies)
    head_titles: PhraseIndex[tuple[str, ...]] = field(
        default_factory=PhraseIndex
    )  # -> org keys / national keys
    series: dict[str, SeriesEntry] = field(default_factory=dict)
    series_names: PhraseIndex[str] = field(default_factory=PhraseIndex)
    series_bodies: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # org -> [(body, series)]
    series_of_org: dict[str, str] = field(default_factory=dict)  # org -> series named by it alone
    honorifics: PhraseIndex[str] = field(default_factory=PhraseIndex)
    position_heads: PhraseIndex[str] = field(default_factory=PhraseIndex)
    given_names: frozenset[str] = frozenset()
    particles: frozenset[str] = frozenset()
    compound_tails: frozenset[str] = frozenset()
    topics: dict[str, TopicEntry] = field(default_factory=dict)
    topic_index: PhraseIndex[str] = field(default_factory=PhraseIndex)
    triggers: dict[str, PhraseIndex[str]] = field(default_factory=dict)
    trigger_words: dict[str, list[str]] = field(default_factory=dict)
    boilerplate: Boilerplate = field(default_factory=lambda: Boilerplate([], []))
    calendar: Calendar | None = None

    phrases: PhraseGroup | None = None

    def trigger(self, name: str) -> PhraseIndex[str]:
        return self.triggers[name]

    def phrase_indexes(self) -> list[PhraseIndex]:
        """Every phrase index of the gazetteer, the calendar's too."""
        found = [v for v in vars(self).values() if isinstance(v, PhraseIndex)]
        found += self.triggers.values()
        if self.calendar is not None:
            found += [self.calendar.months, self.calendar.weekdays]
        return found

    @cached_property
    def event_verbs(self) -> frozenset[str]:
        """One-word cues of what happens at a conference: a personal name never runs through them."""
        names = (
            "opened",
            "chaired",
            "recommend",
            "organiser",
            "patron",
            "participation",
            "closing",
            "opening",
            "held",
        )
        return frozenset(w for n in names for w in self.trigger_words.get(n, []) if " " not in w)

    @cached_property
    def abbreviation_keys(self) -> frozenset[str]:
        """The abbreviations as lookup keys (without ال), to find their tokens (Doc.tokens_keyed)."""
        return frozenset(strip_article(a) for a in self.abbreviations)

    @cached_property
    def position_head_words(self) -> frozenset[str]:
        """First words of position titles, with and without ال ("ومدير" continues a title)."""
        firsts = {normalize(h).split()[0] for h in self.position_heads._by_first}
        return frozenset(firsts | {strip_article(w) for w in firsts})


def _read(folder: Path | None, package: str, name: str) -> dict:
    if folder is not None:
        path = folder / name
        return tomllib.loads(path.read_text("utf-8")) if path.exists() else {}
    res = resources.files(package).joinpath(name)
    return tomllib.loads(res.read_text("utf-8")) if res.is_file() else {}


# What a gazetteer key may be: it becomes part of an entity's IRI (id:place/{key}, ...), and the build
# hands the article graphs to Oxigraph's loader without checking their IRIs again (`replace_graphs`).
KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class GazetteerError(ValueError):
    """A gazetteer file that cannot be used, named with the problem."""


def _check_keys(g: Gazetteer) -> None:
    """Every key, and every field naming one (a city's or a body's country, a series' bodies), is
    a `KEY`: each becomes part of an IRI."""
    fields = (
        ("places.toml", "key", g.places),
        ("places.toml", "country", [e.country for e in g.places.values() if e.country is not None]),
        ("organisations.toml", "key", [*g.orgs, *g.nationals]),
        ("organisations.toml", "country", [e.country for e in g.orgs.values() if e.country is not None]),
        ("series.toml", "key", g.series),
        ("series.toml", "organisation", [e.organisation for e in g.series.values() if e.organisation]),
        ("series.toml", "organiser", [e.organiser for e in g.series.values() if e.organiser]),
        ("topics.toml", "key", g.topics),
    )
    for name, field_name, keys in fields:
        for key in keys:
            if not isinstance(key, str) or not KEY.fullmatch(key):
                raise GazetteerError(
                    f"{name}: {field_name} {key!r} is not lower-case latin letters and digits joined by "
                    "single hyphens (a key becomes part of an IRI)"
                )


def _multi(pairs: list[tuple[str, str]]) -> PhraseIndex[tuple[str, ...]]:
    """An index whose values are every key a name belongs to (a name can be ambiguous)."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for name, key in pairs:
        n = normalize(name)
        if n and key not in by_name[n]:
            by_name[n].append(key)
    index: PhraseIndex[tuple[str, ...]] = PhraseIndex()
    for n, keys in by_name.items():
        index.add(n, tuple(keys))
    return index


@lru_cache(maxsize=4)
def load_gazetteer(folder: str | None = None) -> Gazetteer:
    """Load every data file; `folder` replaces the package's gazetteers (for experiments)."""
    gz_dir = Path(folder) if folder else None
    gaz_pkg = "confkg.data.gazetteers"
    g = Gazetteer()

    places = _read(gz_dir, gaz_pkg, "places.toml")
    place_pairs: list[tuple[str, str]] = []
    for c in places.get("country", []):
        g.places[c["key"]] = PlaceEntry(c["key"], c["en"], c["ar"], True)
        for name in [c["ar"], *c.get("aliases", [])]:
            place_pairs.append((name, c["key"]))
        for adj in c.get("adjectives", []):
            g.adjective_index.add(adj, c["key"])
    for c in places.get("city", []):
        entry = PlaceEntry(
            c["key"], c["en"], c["ar"], False, c.get("country") or None, bool(c.get("capital"))
        )
        g.places[c["key"]] = entry
        if entry.capital and entry.country:
            g.capitals[entry.country] = entry.key
        for name in [c["ar"], *c.get("aliases", [])]:
            place_pairs.append((name, c["key"]))
    g.place_index = _multi(place_pairs)

    orgs = _read(gz_dir, gaz_pkg, "organisations.toml")
    org_pairs: list[tuple[str, str]] = []
    title_pairs: list[tuple[str, str]] = []
    for o in orgs.get("organisation", []):
        entry = OrgEntry(
            o["key"],
            o.get("en") or None,
            o["ar"],
            o.get("country") or None,
            o.get("kind", "other"),
            tuple(o.get("head_titles", [])),
        )
        g.orgs[entry.key] = entry
        for name in [o["ar"], *o.get("aliases", [])]:
            org_pairs.append((name, entry.key))
        for abbr in o.get("abbreviations", []):
            g.abbreviations.setdefault(abbr.lower(), entry.key)
        for t in entry.head_titles:
            title_pairs.append((t, entry.key))
    for n in orgs.get("national", []):
        entry = NationalEntry(n["key"], n["en"], n["ar"], tuple(n.get("head_titles", [])))
        g.nationals[entry.key] = entry
        g.national_index.add(entry.ar, entry.key)
        for alias in n.get("aliases", []):
            g.national_index.add(alias, entry.key)
        for t in entry.head_titles:
            title_pairs.append((t, "national:" + entry.key))
    g.org_index = _multi(org_pairs)
    g.unlisted = UnlistedBodies.from_table(orgs.get("unlisted", {}))
    by_context: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for o in orgs.get("organisation", []):
        for name in o.get("context_aliases", []):
            if o.get("context"):
                by_context[normalize(name)].append((o["key"], o["context"]))
    for name, pairs in by_context.items():
        g.context_index.add(name, tuple(pairs))
    g.head_titles = _multi(title_pairs)

    series = _read(None, "confkg.data", "series.toml")
    for s in series.get("series", []):
        entry = SeriesEntry(
            s["key"],
            s.get("en"),
            s["ar"],
            tuple(normalize(h) for h in s.get("heads", [])),
            s.get("organisation"),
            s.get("organiser"),
            bool(s.get("standalone", False)),
        )
        g.series[entry.key] = entry
        for name in s.get("names", []):
            g.series_names.add(name, entry.key)
        if entry.organisation:
            bodies = s.get("body", [])
            for body in bodies:
                g.series_bodies.setdefault(entry.organisation, []).append((normalize(body), entry.key))
            g.series_of_org.setdefault(entry.organisation, entry.key)

    titles = _read(gz_dir, gaz_pkg, "titles.toml")
    for h in titles.get("honorifics", []):
        g.honorifics.add(h, h)
    for h in titles.get("position_heads", []):
        g.position_heads.add(h, h)
    names = _read(None, "confkg.data", "names.toml")
    g.given_names = frozenset(normalize(n) for n in names.get("given", []))
    g.particles = frozenset(normalize(p) for p in names.get("particles", []))
    g.compound_tails = frozenset(normalize(p) for p in names.get("compound_tails", []))
    # multi-word given names count by their first word ("نور الدين" -> نور)
    g.given_names = g.given_names | frozenset(n.split()[0] for n in g.given_names if " " in n)

    topics = _read(gz_dir, gaz_pkg, "topics.toml")
    for t in topics.get("topic", []):
        g.topics[t["key"]] = TopicEntry(t["key"], t.get("en"), t["ar"])
        for kw in [t["ar"], *t.get("keywords", [])]:
            g.topic_index.add(kw, t["key"])

    triggers = _read(None, "confkg.data", "triggers.toml")
    for name, words in triggers.items():
        index: PhraseIndex[str] = PhraseIndex()
        for w in words:
            index.add(w, normalize(w))
        g.triggers[name] = index
        g.trigger_words[name] = [normalize(w) for w in words]

    g.calendar = calendar_from(_read(gz_dir, gaz_pkg, "calendar.toml"))
    bp = _read(gz_dir, gaz_pkg, "boilerplate.toml")
    g.boilerplate = Boilerplate(
        bp.get("line_patterns", []),
        [*bp.get("site_names", []), *bp.get("exact_lines", [])],
        bp.get("section_headers", []),
    )
    _check_keys(g)
    # every index searches an article's words for its names' first words in one pass
    g.phrases = PhraseGroup(g.phrase_indexes())
    return g
