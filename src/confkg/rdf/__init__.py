"""RDF: one article's facts as one self-contained graph (docs/graph.md).

`article_triples` gives the triples as a `TripleSet`, what the build validates
and stores: a set with the few Graph methods the pipeline needs, because
putting ~600 triples in an rdflib Graph costs more than extracting them.
`article_graph` gives the same triples as an rdflib Graph.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources

from rdflib import Graph, Literal, URIRef
from rdflib import namespace as rdflib_ns
from rdflib.term import Node

from confkg import __version__, namespaces, ntriples
from confkg.extract.gazetteer import Gazetteer, load_gazetteer
from confkg.models import ArticleFacts, Evidence, StatementLines
from confkg.namespaces import Terms, bind_prefixes
from confkg.resolve import iris

# the terms written for every article, each made once (namespaces.Terms)
CK = Terms(namespaces.CK)
RDF, RDFS, SKOS, XSD = (Terms(ns) for ns in (rdflib_ns.RDF, rdflib_ns.RDFS, rdflib_ns.SKOS, rdflib_ns.XSD))

_ORDINAL_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


def english_ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else _ORDINAL_SUFFIX.get(n % 10, "th")
    return f"{n}{suffix}"


def conference_label_ar(series_ar: str, edition: int | None, year: int | None) -> str:
    if edition is not None:
        return f"{series_ar} (الدورة {edition})"
    if year is not None:
        return f"{series_ar} ({year})"
    return series_ar


def conference_label_en(series_en: str | None, edition: int | None, year: int | None) -> str | None:
    if not series_en:
        return None
    if edition is not None:
        return f"{english_ordinal(edition)} {series_en}"
    if year is not None:
        return f"{series_en} {year}"
    return series_en


def _opening(text: str, limit: int = 90) -> str:
    """A label for an article without a headline: the start of its first line."""
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    return first if len(first) <= limit else first[: limit - 1].rsplit(" ", 1)[0] + " …"


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def pipeline_version() -> str:
    """confkg's version and a digest of its data files: a change to either rebuilds articles."""
    return f"{__version__}+{data_digest(resources.files('confkg.data'))}"


def data_digest(root) -> str:
    """A digest of the .toml files under `root` (a folder): their names relative to it and their bytes.

    Where confkg is installed does not count: the same data gives the same digest in any checkout.
    """
    digest = hashlib.sha256(__version__.encode())
    for name, path in sorted(_data_files(root, "")):
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _data_files(folder, prefix: str):
    for entry in folder.iterdir():
        if entry.is_dir():
            yield from _data_files(entry, f"{prefix}{entry.name}/")
        elif entry.name.endswith(".toml"):
            yield f"{prefix}{entry.name}", entry


# Labels, titles and offsets come back article after article, and making a Literal checks and
# parses its value (5-15 µs): each is made once per process (the most recent ones kept).
# An article's own sentences are made each time.
@lru_cache(maxsize=8192)
def _arabic(text: str) -> Literal:
    return Literal(text, lang="ar")


@lru_cache(maxsize=2048)
def _english(text: str) -> Literal:
    return Literal(text, lang="en")


@lru_cache(maxsize=8192)
def _offset(n: int) -> Literal:
    return Literal(n, datatype=XSD.nonNegativeInteger)


def article_graph(facts: ArticleFacts, *, gazetteer: Gazetteer | None = None) -> Graph:
    """The named graph of one article as an rdflib Graph (confkg's prefixes bound)."""
    return article_triples(facts, gazetteer=gazetteer).graph()


def article_triples(facts: ArticleFacts, *, gazetteer: Gazetteer | None = None) -> TripleSet:
    """The named graph of one article: every entity typed and labelled, with its evidence."""
    gaz = gazetteer or load_gazetteer()
    art = facts.article
    # An entity named in many sentences states its type and labels many times: a set keeps one.
    g = TripleSet()
    a = iris.article(art.id)

    ar = _arabic
    g.add((a, RDF.type, CK.Article))
    g.add((a, CK.articleId, Literal(art.id)))
    g.add((a, RDFS.label, ar(art.title or _opening(art.text) or art.id)))
    if art.source:
        g.add((a, CK.sourcePath, Literal(art.source)))
    if art.url:
        g.add((a, CK.url, Literal(art.url, datatype=XSD.anyURI)))
    if art.published:
        g.add((a, CK.published, Literal(art.published.isoformat(), datatype=XSD.date)))
    g.add((a, CK.contentHash, Literal(content_hash(art.text))))
    g.add((a, CK.pipelineVersion, Literal(pipeline_version())))

    # many entities cite the same sentence, an entity is named many times: each evidence
    # node and each entity's type and labels are made once per article
    evidence_nodes: dict[tuple[int, int, str], URIRef] = {}
    entities: set[tuple[URIRef, URIRef, str, str | None]] = set()

    def evidence(node: URIRef, evs: list[Evidence]) -> None:
        for ev in evs:
            e = evidence_nodes.get((ev.start, ev.end, ev.text))
            if e is not None:
                g.add((node, CK.evidence, e))
                continue
            e = evidence_nodes[ev.start, ev.end, ev.text] = iris.evidence(art.id, ev.start, ev.end)
            g.add((node, CK.evidence, e))
            g.add((e, RDF.type, CK.Evidence))
            g.add((e, CK.inArticle, a))
            g.add((e, CK.beginIndex, _offset(ev.start)))
            g.add((e, CK.endIndex, _offset(ev.end)))
            g.add((e, CK.sentence, Literal(ev.text, lang="ar")))  # an article's own: not kept

    def entity(node: URIRef, cls: URIRef, label_ar: str, label_en: str | None = None) -> None:
        if (node, cls, label_ar, label_en) in entities:
            return
        entities.add((node, cls, label_ar, label_en))
        g.add((node, RDF.type, cls))
        g.add((node, RDFS.label, ar(label_ar)))
        if label_en:
            g.add((node, RDFS.label, _english(label_en)))
        g.add((node, CK.mentionedIn, a))

    def place_node(key: str) -> URIRef:
        node = iris.place(key)
        e = gaz.places.get(key)
        if e is not None:
            entity(node, CK.Country if e.is_country else CK.Place, e.ar, e.en)
        return node

    # not recursive (a city's country is a country, which has none): a function that calls itself
    # holds itself in its closure, and that cycle would keep the article's triples alive until
    # Python's cyclic collector ran, rather than freeing them when the caller drops them
    def place(key: str) -> URIRef:
        node = place_node(key)
        e = gaz.places.get(key)
        if e is not None and not e.is_country and e.country:
            g.add((node, CK.country, place_node(e.country)))
        return node

    org_names = {o.key: o for o in facts.organisations}

    def organisation(key: str) -> URIRef:
        node = iris.organisation(key)
        o = org_names.get(key)
        e = gaz.orgs.get(key)
        if o is not None:
            entity(node, CK.Organisation, o.name_ar, o.name_en)
            for w in o.written:
                if w != o.name_ar:
                    g.add((node, SKOS.altLabel, ar(w)))
            evidence(node, o.evidence)
            if o.country_key:
                g.add((node, CK.country, place(o.country_key)))
        elif e is not None:
            entity(node, CK.Organisation, e.ar, e.en)
        return node

    for o in facts.organisations:
        organisation(o.key)
    for p in facts.places:
        node = place(p.key)
        for w in p.written:
            if w != p.name_ar:
                g.add((node, SKOS.altLabel, ar(w)))
        evidence(node, p.evidence)

    topic_names = {t.key: t for t in facts.topics}

    def topic(key: str) -> URIRef:
        node = iris.topic(key)
        t = topic_names.get(key)
        if t is not None:
            entity(node, CK.Topic, t.name_ar, t.name_en)
            g.add((node, RDF.type, SKOS.Concept))
        return node

    official_nodes: dict[str, URIRef] = {}
    for off in facts.officials:
        node = iris.official(off.key)
        official_nodes[off.key] = node
        entity(node, CK.Official, off.name_ar)
        for alias in off.aliases:
            g.add((node, SKOS.altLabel, ar(alias)))
        evidence(node, off.evidence)
        for pos in off.positions:
            pnode = iris.position(off.key, pos.title_ar)
            entity(pnode, CK.Position, pos.title_ar)
            g.add((pnode, CK.title, ar(pos.title_ar)))
            if pos.organisation_key:
                g.add((pnode, CK.organisation, organisation(pos.organisation_key)))
            if pos.evidence:
                evidence(pnode, [pos.evidence])
            g.add((node, CK.holds, pnode))
        for org_key in off.affiliations:
            g.add((node, CK.affiliation, organisation(org_key)))

    for conf in facts.conferences:
        node = iris.conference(conf.key)
        entity(
            node,
            CK.Conference,
            conference_label_ar(conf.series_ar, conf.edition, conf.year),
            conference_label_en(conf.series_en, conf.edition, conf.year),
        )
        if conf.name_ar and conf.name_ar != conference_label_ar(conf.series_ar, conf.edition, conf.year):
            g.add((node, SKOS.altLabel, ar(conf.name_ar)))
        snode = iris.series(conf.series_key)
        entity(snode, CK.ConferenceSeries, conf.series_ar, conf.series_en)
        g.add((node, CK.series, snode))
        if conf.edition is not None:
            g.add((node, CK.edition, Literal(conf.edition, datatype=XSD.positiveInteger)))
        if conf.place_key:
            g.add((node, CK.heldIn, place(conf.place_key)))
        if conf.start:
            g.add((node, CK.startDate, Literal(conf.start.isoformat(), datatype=XSD.date)))
        if conf.end:
            g.add((node, CK.endDate, Literal(conf.end.isoformat(), datatype=XSD.date)))
        if conf.year:
            g.add((node, CK.year, Literal(str(conf.year), datatype=XSD.gYear)))
        _clues(g, node, conf)
        if conf.announced:
            g.add((node, CK.announced, Literal(True)))
        if conf.participants_count is not None:
            g.add(
                (node, CK.participantCount, Literal(conf.participants_count, datatype=XSD.nonNegativeInteger))
            )
        for key in conf.organisers:
            g.add((node, CK.organiser, organisation(key)))
        for prop, keys in (
            (CK.patron, conf.patrons),
            (CK.openedBy, conf.opened_by),
            (CK.chairedBy, conf.chaired_by),
            (CK.attendee, conf.attendees),
        ):
            for key in keys:
                if key in official_nodes:
                    g.add((node, prop, official_nodes[key]))
        for key in conf.participant_orgs:
            g.add((node, CK.participant, organisation(key)))
        for key in conf.participant_countries:
            g.add((node, CK.participant, place(key)))
        for key in conf.topics:
            g.add((node, CK.topic, topic(key)))
        evidence(node, conf.evidence)

    conf_keys = {c.key for c in facts.conferences}
    for rec in facts.recommendations:
        if rec.conference_key not in conf_keys:
            continue
        node = iris.recommendation(rec.conference_key, rec.text)
        entity(node, CK.Recommendation, rec.text if len(rec.text) <= 120 else rec.text[:117] + "…")
        g.add((node, CK.text, ar(rec.text)))
        g.add((node, CK.issuedBy, iris.conference(rec.conference_key)))
        for key in rec.addressed_to:
            if key in gaz.places:
                g.add((node, CK.addressedTo, place(key)))
            else:
                g.add((node, CK.addressedTo, organisation(key)))
        for key in rec.topics:
            g.add((node, CK.topic, topic(key)))
        if rec.evidence:
            evidence(node, [rec.evidence])
    return g


Triple = tuple[Node, Node, Node]


class TripleSet(set):
    """A graph as a plain set of triples, with the Graph methods the build uses.

    `triples`, `remove` and `in` take patterns with None as a wildcard, as rdflib's
    Graph does; `graph()` makes an rdflib Graph of it and `ntriples()` its
    N-Triples text (rdflib's own line writer, so the text is the one Graph.serialize gives).
    """

    def add(self, triple: Triple) -> TripleSet:  # type: ignore[override]
        set.add(self, triple)
        return self

    def triples(self, pattern: tuple[Node | None, Node | None, Node | None]) -> Iterator[Triple]:
        s, p, o = pattern
        if s is not None and p is not None and o is not None:
            if set.__contains__(self, pattern):
                yield pattern  # type: ignore[misc]
            return
        for t in self:
            if (s is None or t[0] == s) and (p is None or t[1] == p) and (o is None or t[2] == o):
                yield t

    def __contains__(self, pattern: object) -> bool:
        if isinstance(pattern, tuple) and None in pattern:
            return next(self.triples(pattern), None) is not None  # type: ignore[arg-type]
        return set.__contains__(self, pattern)

    def remove(self, pattern: tuple[Node | None, Node | None, Node | None]) -> None:  # type: ignore[override]
        """Remove every triple matching the pattern (none matching is not an error)."""
        self.difference_update(list(self.triples(pattern)))

    def graph(self) -> Graph:
        graph = Graph()
        bind_prefixes(graph)
        graph.addN((s, p, o, graph) for s, p, o in self)
        return graph

    def ntriples(self) -> StatementLines:
        return StatementLines(ntriples.write(self))


def _clues(g: TripleSet, node: URIRef, conf) -> None:
    """What the article says about the dates without a year, for merging with siblings."""
    c = conf.clues
    if c.start_day and not conf.start:
        g.add(
            (
                node,
                CK.statedStartDay,
                Literal(f"--{c.start_day[0]:02d}-{c.start_day[1]:02d}", datatype=XSD.gMonthDay),
            )
        )
    if c.end_day and not conf.end:
        g.add(
            (
                node,
                CK.statedEndDay,
                Literal(f"--{c.end_day[0]:02d}-{c.end_day[1]:02d}", datatype=XSD.gMonthDay),
            )
        )
    if c.start_weekday is not None:
        g.add((node, CK.startWeekday, Literal(c.start_weekday + 1, datatype=XSD.positiveInteger)))
    if c.end_weekday is not None:
        g.add((node, CK.endWeekday, Literal(c.end_weekday + 1, datatype=XSD.positiveInteger)))
    if c.duration_days:
        g.add((node, CK.durationDays, Literal(c.duration_days, datatype=XSD.positiveInteger)))
    if c.this_month:
        g.add((node, CK.inPublicationMonth, Literal(True)))
