"""Plain data objects passed between the pipeline's stages (ingest -> extract -> resolve -> rdf)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


class StatementLines(str):
    """N-Triples text of one statement a line, each ending in " .\\n", and nothing else.

    What confkg.rdf writes for an article graph (confkg.ntriples: rdflib's own N-Triples text). The
    store takes it as it is, where other text is read line by line (blank lines, comments).
    """

    __slots__ = ()


@dataclass(frozen=True)
class Article:
    """One source article, as ingested. `text` is the whole text, headline included."""

    id: str
    text: str
    title: str | None = None
    source: str | None = None  # file path, or the URL it came from
    url: str | None = None
    published: date | None = None


@dataclass(frozen=True)
class Evidence:
    """The sentence that supports a fact: character offsets into `Article.text`."""

    start: int
    end: int
    text: str


@dataclass
class Place:
    """A city or a country named in the article, resolved against the gazetteer."""

    key: str
    name_ar: str
    name_en: str | None
    is_country: bool
    country_key: str | None = None  # for a city: the state it lies in
    written: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Organisation:
    key: str
    name_ar: str  # canonical Arabic name
    name_en: str | None = None
    country_key: str | None = None  # for national bodies
    written: list[str] = field(default_factory=list)  # spellings as written in this article
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Position:
    title_ar: str  # as written
    organisation_key: str | None = None
    evidence: Evidence | None = None


@dataclass
class Official:
    key: str  # normalised name, the identity used across articles
    name_ar: str  # the fullest form written in the article
    aliases: list[str] = field(default_factory=list)  # other spellings, short mentions
    positions: list[Position] = field(default_factory=list)
    affiliations: list[str] = field(default_factory=list)  # organisation keys
    country_key: str | None = None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class DateClues:
    """What an article says about when a conference took place, before any year is inferred.

    The extractor fills what the text states; `confkg.resolve` turns clues into dates
    using the article's publication date, other dates in the article, or merged siblings.
    """

    start_day: tuple[int, int] | None = None  # (month, day) stated without a year
    end_day: tuple[int, int] | None = None
    start_weekday: int | None = None  # 0 = Monday, as datetime.weekday()
    end_weekday: int | None = None
    duration_days: int | None = None
    this_month: bool = False  # "الجاري": the month of publication
    years_in_article: list[int] = field(default_factory=list)


@dataclass
class Conference:
    key: str  # canonical key: series + edition (or year, or article id)
    series_key: str
    series_ar: str
    series_en: str | None
    name_ar: str  # the mention as written
    edition: int | None = None
    place_key: str | None = None  # a city, or a country when no city is given
    start: date | None = None
    end: date | None = None
    year: int | None = None
    clues: DateClues = field(default_factory=DateClues)
    organisers: list[str] = field(default_factory=list)  # organisation keys
    patrons: list[str] = field(default_factory=list)  # official keys
    opened_by: list[str] = field(default_factory=list)
    chaired_by: list[str] = field(default_factory=list)
    attendees: list[str] = field(default_factory=list)
    participant_orgs: list[str] = field(default_factory=list)
    participant_countries: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    participants_count: int | None = None
    announced: bool = False  # a future session announced, not reported
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Recommendation:
    text: str  # as written
    conference_key: str
    addressed_to: list[str] = field(default_factory=list)  # organisation or country keys
    topics: list[str] = field(default_factory=list)
    evidence: Evidence | None = None


@dataclass
class Topic:
    key: str
    name_ar: str
    name_en: str | None = None


@dataclass
class ArticleFacts:
    """Everything extracted from one article; the unit the rdf stage turns into a named graph."""

    article: Article
    conferences: list[Conference] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)
    officials: list[Official] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
