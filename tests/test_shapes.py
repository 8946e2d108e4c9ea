"""The SHACL shapes (shapes/confkg.ttl): the docs/graph.md example passes, and every rule has a graph that fails it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH

from confkg.namespaces import CK, ID
from confkg.validate import load_shapes, reference_violations, shapes_path

# An open namespace: pytest probes module globals, and rdflib's closed XSD warns on unknown names.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

DATA = Path(__file__).parent / "data" / "shapes"
VALID = DATA / "valid_article.ttl"

ARTICLE = ID["article/000_694295c2e3e9f014"]
CONF = ID["conference/arab-police-security-leaders-47"]
SERIES = ID["series/arab-police-security-leaders"]
CITY = ID["place/tangier"]
COUNTRY = ID["place/morocco"]
ORG = ID["organisation/caim-secretariat"]
DGSN = ID["organisation/dgsn-morocco"]
OFFICIAL = ID["official/abd-allatif-hmwshy"]
POSITION = ID["position/abd-allatif-hmwshy-5c1e2b7a90d4"]
REC = ID["recommendation/arab-police-security-leaders-47-3f2a0c9d1e4b"]
TOPIC = ID["topic/terrorism"]
EVIDENCE = ID["evidence/000_694295c2e3e9f014-66-240"]


def valid_graph() -> Graph:
    return Graph().parse(VALID, format="turtle")


# --- small edits of the valid graph -------------------------------------------------


def put(s: URIRef, p: URIRef, *values) -> Callable[[Graph], None]:
    """Replace every value of s p by `values`."""

    def edit(g: Graph) -> None:
        g.remove((s, p, None))
        for v in values:
            g.add((s, p, v))

    return edit


def add(s: URIRef, p: URIRef, *values) -> Callable[[Graph], None]:
    def edit(g: Graph) -> None:
        for v in values:
            g.add((s, p, v))

    return edit


def drop(s: URIRef, p: URIRef) -> Callable[[Graph], None]:
    return put(s, p)


def keep_only_english_label(s: URIRef) -> Callable[[Graph], None]:
    return put(s, RDFS.label, Literal("only an English label", lang="en"))


def both(*edits: Callable[[Graph], None]) -> Callable[[Graph], None]:
    def edit(g: Graph) -> None:
        for e in edits:
            e(g)

    return edit


def date(text: str) -> Literal:
    return Literal(text, datatype=XSD.date)


@dataclass(frozen=True)
class Case:
    id: str
    edit: Callable[[Graph], None]
    rules: frozenset[str]  # every rule expected to fail, exactly
    focus: URIRef
    path: URIRef | None
    severity: str = "Violation"

    def graph(self) -> Graph:
        g = valid_graph()
        self.edit(g)
        return g


def case(id: str, edit, rules, focus, path=None, severity="Violation") -> Case:
    rules = frozenset([rules] if isinstance(rules, str) else rules)
    return Case(id, edit, rules, focus, path, severity)


ENTITIES = {
    "article": ARTICLE,
    "conference": CONF,
    "series": SERIES,
    "place": CITY,
    "country": COUNTRY,
    "organisation": ORG,
    "official": OFFICIAL,
    "position": POSITION,
    "recommendation": REC,
    "topic": TOPIC,
}

CASES: list[Case] = [
    # Every class needs an Arabic label.
    *(
        case(
            f"no Arabic label on the {name}", keep_only_english_label(node), "Arabic label", node, RDFS.label
        )
        for name, node in ENTITIES.items()
    ),
    case("plain label", add(CITY, RDFS.label, Literal("Tanger")), "label language-tagged", CITY, RDFS.label),
    case(
        "plain altLabel",
        add(OFFICIAL, SKOS.altLabel, Literal("Hammouchi")),
        "alternative label language-tagged",
        OFFICIAL,
        SKOS.altLabel,
    ),
    case(
        "not mentioned in an article",
        drop(TOPIC, CK.mentionedIn),
        "mentioned in an article",
        TOPIC,
        CK.mentionedIn,
    ),
    case(
        "mentioned in a non-article",
        put(SERIES, CK.mentionedIn, ORG),
        "mentioned in an article",
        SERIES,
        CK.mentionedIn,
    ),
    case(
        "evidence is not evidence",
        add(ORG, CK.evidence, ARTICLE),
        "evidence is ck:Evidence",
        ORG,
        CK.evidence,
    ),
    case(
        "conference without evidence", drop(CONF, CK.evidence), "has evidence", CONF, CK.evidence, "Warning"
    ),
    case("topic is a place", put(REC, CK.topic, CITY), "topic is ck:Topic", REC, CK.topic),
    # Conference.
    case("no series", drop(CONF, CK.series), "conference has one series", CONF, CK.series),
    case(
        "two series",
        both(
            add(CONF, CK.series, ID["series/other"]),
            add(ID["series/other"], RDF.type, CK.ConferenceSeries),
            add(ID["series/other"], RDFS.label, Literal("سلسلة أخرى", lang="ar")),
            add(ID["series/other"], CK.mentionedIn, ARTICLE),
        ),
        "conference has one series",
        CONF,
        CK.series,
    ),
    case(
        "series is an organisation",
        put(CONF, CK.series, ORG),
        "series is ck:ConferenceSeries",
        CONF,
        CK.series,
    ),
    case(
        "two editions",
        add(CONF, CK.edition, Literal(48, datatype=XSD.positiveInteger)),
        "conference has at most one edition",
        CONF,
        CK.edition,
    ),
    case(
        "edition x",
        put(CONF, CK.edition, Literal("x")),
        {"edition datatype", "edition between 1 and 500"},
        CONF,
        CK.edition,
    ),
    case(
        "edition 0",
        put(CONF, CK.edition, Literal("0", datatype=XSD.positiveInteger)),
        {"edition datatype", "edition between 1 and 500"},
        CONF,
        CK.edition,
    ),
    case(
        "edition 501",
        put(CONF, CK.edition, Literal(501, datatype=XSD.positiveInteger)),
        "edition between 1 and 500",
        CONF,
        CK.edition,
    ),
    case("held in an organisation", put(CONF, CK.heldIn, ORG), "held in a place", CONF, CK.heldIn),
    case(
        "two start dates",
        add(CONF, CK.startDate, date("2023-12-05")),
        "conference has at most one start date",
        CONF,
        CK.startDate,
    ),
    case(
        "start date is a string",
        put(CONF, CK.startDate, Literal("6 December 2023")),
        "start date datatype",
        CONF,
        CK.startDate,
    ),
    case(
        "two end dates",
        add(CONF, CK.endDate, date("2023-12-08")),
        "conference has at most one end date",
        CONF,
        CK.endDate,
    ),
    case(
        "end date is a dateTime",
        put(CONF, CK.endDate, Literal("2023-12-07T10:00:00", datatype=XSD.dateTime)),
        "end date datatype",
        CONF,
        CK.endDate,
    ),
    case(
        "two years",
        add(CONF, CK.year, Literal("2024", datatype=XSD.gYear)),
        {"conference has at most one year", "year matches the dates"},
        CONF,
        CK.year,
    ),
    case("year is an integer", put(CONF, CK.year, Literal(2023)), "year datatype", CONF, CK.year),
    case(
        "end before start",
        both(put(CONF, CK.startDate, date("2023-12-08")), put(CONF, CK.endDate, date("2023-12-07"))),
        "start not after end",
        CONF,
        CK.endDate,
    ),
    case(
        "year does not match the dates",
        put(CONF, CK.year, Literal("2022", datatype=XSD.gYear)),
        "year matches the dates",
        CONF,
        CK.year,
    ),
    case(
        "organiser is an official",
        put(CONF, CK.organiser, OFFICIAL),
        "organiser is ck:Organisation",
        CONF,
        CK.organiser,
    ),
    case("patron is an organisation", put(CONF, CK.patron, ORG), "patron is ck:Official", CONF, CK.patron),
    case("opened by a place", put(CONF, CK.openedBy, CITY), "opened by ck:Official", CONF, CK.openedBy),
    case("chaired by a topic", put(CONF, CK.chairedBy, TOPIC), "chaired by ck:Official", CONF, CK.chairedBy),
    case(
        "attendee is an organisation",
        put(CONF, CK.attendee, ORG),
        "attendee is ck:Official",
        CONF,
        CK.attendee,
    ),
    case(
        "participant is a topic",
        add(CONF, CK.participant, TOPIC),
        "participant is an organisation or a country",
        CONF,
        CK.participant,
    ),
    case(
        "participant is a city",
        add(CONF, CK.participant, CITY),
        "participant is an organisation or a country",
        CONF,
        CK.participant,
    ),
    case(
        "two participant counts",
        add(CONF, CK.participantCount, Literal(7, datatype=XSD.nonNegativeInteger)),
        "conference has at most one participant count",
        CONF,
        CK.participantCount,
    ),
    case(
        "participant count is a decimal",
        put(CONF, CK.participantCount, Literal("120.0", datatype=XSD.decimal)),
        "participant count datatype",
        CONF,
        CK.participantCount,
    ),
    case(
        "negative participant count",
        put(CONF, CK.participantCount, Literal(-5)),
        "participant count not negative",
        CONF,
        CK.participantCount,
    ),
    case(
        "two announced flags",
        add(CONF, CK.announced, Literal(True)),
        "conference has at most one announced flag",
        CONF,
        CK.announced,
    ),
    case(
        "announced is text", put(CONF, CK.announced, Literal("yes")), "announced datatype", CONF, CK.announced
    ),
    # Official and position.
    case("holds an organisation", put(OFFICIAL, CK.holds, ORG), "holds a ck:Position", OFFICIAL, CK.holds),
    case(
        "affiliated with a place",
        put(OFFICIAL, CK.affiliation, CITY),
        "affiliation is ck:Organisation",
        OFFICIAL,
        CK.affiliation,
    ),
    case("position without title", drop(POSITION, CK.title), "position has one title", POSITION, CK.title),
    case(
        "position with two titles",
        add(POSITION, CK.title, Literal("مدير", lang="ar")),
        "position has one title",
        POSITION,
        CK.title,
    ),
    case(
        "title is a plain string",
        put(POSITION, CK.title, Literal("المدير العام")),
        {"title datatype", "title in Arabic"},
        POSITION,
        CK.title,
    ),
    case(
        "title in English",
        put(POSITION, CK.title, Literal("Director General", lang="en")),
        "title in Arabic",
        POSITION,
        CK.title,
    ),
    case(
        "position at two organisations",
        add(POSITION, CK.organisation, ORG),
        "position has at most one organisation",
        POSITION,
        CK.organisation,
    ),
    case(
        "position at a place",
        put(POSITION, CK.organisation, CITY),
        "position organisation is ck:Organisation",
        POSITION,
        CK.organisation,
    ),
    # Recommendation.
    case(
        "recommendation without conference",
        drop(REC, CK.issuedBy),
        "recommendation has one issuing conference",
        REC,
        CK.issuedBy,
    ),
    case(
        "recommendation issued by two conferences",
        add(REC, CK.issuedBy, ID["conference/other-1"]),
        {"recommendation has one issuing conference", "issuing conference exists"},
        REC,
        CK.issuedBy,
    ),
    case(
        "recommendation of an untyped conference",
        put(REC, CK.issuedBy, ID["conference/not-in-this-graph"]),
        "issuing conference exists",
        REC,
        CK.issuedBy,
    ),
    case(
        "recommendation issued by an organisation",
        put(REC, CK.issuedBy, ORG),
        "issuing conference exists",
        REC,
        CK.issuedBy,
    ),
    case("recommendation without text", drop(REC, CK.text), "recommendation has one text", REC, CK.text),
    case(
        "recommendation with two texts",
        add(REC, CK.text, Literal("نص آخر", lang="ar")),
        "recommendation has one text",
        REC,
        CK.text,
    ),
    case(
        "text is a plain string",
        put(REC, CK.text, Literal("tanzim")),
        {"text datatype", "text in Arabic"},
        REC,
        CK.text,
    ),
    case(
        "text in English",
        put(REC, CK.text, Literal("The conference called on NAUSS", lang="en")),
        "text in Arabic",
        REC,
        CK.text,
    ),
    case(
        "addressed to a topic",
        add(REC, CK.addressedTo, TOPIC),
        "addressed to an organisation or a country",
        REC,
        CK.addressedTo,
    ),
    # Place.
    case(
        "city in two countries",
        both(
            add(CITY, CK.country, ID["place/spain"]),
            add(ID["place/spain"], RDF.type, CK.Country),
            add(ID["place/spain"], RDFS.label, Literal("إسبانيا", lang="ar")),
            add(ID["place/spain"], CK.mentionedIn, ARTICLE),
        ),
        "place lies in at most one country",
        CITY,
        CK.country,
    ),
    case("city in an organisation", put(CITY, CK.country, ORG), "country is ck:Country", CITY, CK.country),
    # Article.
    case("article without id", drop(ARTICLE, CK.articleId), "article has one id", ARTICLE, CK.articleId),
    case(
        "article id is a number",
        put(ARTICLE, CK.articleId, Literal(694295)),
        "article id datatype",
        ARTICLE,
        CK.articleId,
    ),
    case(
        "two source paths",
        add(ARTICLE, CK.sourcePath, Literal("elsewhere.txt")),
        "article has at most one source path",
        ARTICLE,
        CK.sourcePath,
    ),
    case(
        "source path in Arabic",
        put(ARTICLE, CK.sourcePath, Literal("مقال.txt", lang="ar")),
        "source path datatype",
        ARTICLE,
        CK.sourcePath,
    ),
    case(
        "two urls",
        add(ARTICLE, CK.url, Literal("https://example.org/2", datatype=XSD.anyURI)),
        "article has at most one url",
        ARTICLE,
        CK.url,
    ),
    case(
        "url is a plain string",
        put(ARTICLE, CK.url, Literal("https://example.org/news/694295")),
        "url datatype",
        ARTICLE,
        CK.url,
    ),
    case(
        "two publication dates",
        add(ARTICLE, CK.published, date("2023-12-08")),
        "article has at most one publication date",
        ARTICLE,
        CK.published,
    ),
    case(
        "published is a string",
        put(ARTICLE, CK.published, Literal("2023-12-07")),
        "published datatype",
        ARTICLE,
        CK.published,
    ),
    case(
        "two content hashes",
        add(ARTICLE, CK.contentHash, Literal("sha256:00")),
        "article has at most one content hash",
        ARTICLE,
        CK.contentHash,
    ),
    case(
        "content hash is an IRI literal",
        put(ARTICLE, CK.contentHash, Literal("urn:x", datatype=XSD.anyURI)),
        "content hash datatype",
        ARTICLE,
        CK.contentHash,
    ),
    # Evidence.
    case(
        "evidence in no article",
        drop(EVIDENCE, CK.inArticle),
        "evidence in one article",
        EVIDENCE,
        CK.inArticle,
    ),
    case(
        "evidence in a conference",
        put(EVIDENCE, CK.inArticle, CONF),
        "evidence article is ck:Article",
        EVIDENCE,
        CK.inArticle,
    ),
    case(
        "evidence without begin",
        drop(EVIDENCE, CK.beginIndex),
        "evidence has one begin index",
        EVIDENCE,
        CK.beginIndex,
    ),
    case(
        "begin index is a string",
        put(EVIDENCE, CK.beginIndex, Literal("66")),
        {"begin index datatype", "begin index not negative", "begin index not after end index"},
        EVIDENCE,
        CK.beginIndex,
    ),
    case(
        "negative begin index",
        put(EVIDENCE, CK.beginIndex, Literal(-1)),
        "begin index not negative",
        EVIDENCE,
        CK.beginIndex,
    ),
    case(
        "begin after end",
        put(EVIDENCE, CK.beginIndex, Literal(300)),
        "begin index not after end index",
        EVIDENCE,
        CK.beginIndex,
    ),
    case(
        "evidence with two ends",
        add(EVIDENCE, CK.endIndex, Literal(250)),
        "evidence has one end index",
        EVIDENCE,
        CK.endIndex,
    ),
    case(
        "end index is a decimal",
        put(EVIDENCE, CK.endIndex, Literal("240.0", datatype=XSD.decimal)),
        "end index datatype",
        EVIDENCE,
        CK.endIndex,
    ),
    case(
        "negative end index",
        both(put(EVIDENCE, CK.beginIndex, Literal(-3)), put(EVIDENCE, CK.endIndex, Literal(-2))),
        {"begin index not negative", "end index not negative"},
        EVIDENCE,
        CK.endIndex,
    ),
    case(
        "evidence without sentence",
        drop(EVIDENCE, CK.sentence),
        "evidence has one sentence",
        EVIDENCE,
        CK.sentence,
    ),
    case(
        "sentence is a plain string",
        put(EVIDENCE, CK.sentence, Literal("a sentence")),
        {"sentence datatype", "sentence in Arabic"},
        EVIDENCE,
        CK.sentence,
    ),
    case(
        "sentence in English",
        put(EVIDENCE, CK.sentence, Literal("The curtain fell", lang="en")),
        "sentence in Arabic",
        EVIDENCE,
        CK.sentence,
    ),
]


# --- tests ----------------------------------------------------------------------------


def test_shapes_file_is_found_and_parses():
    assert shapes_path().is_file()
    assert len(load_shapes()) > 100
    assert load_shapes() is load_shapes()  # parsed once per process


def test_shapes_graph_is_valid_shacl():
    from pyshacl.entrypoints import meta_validate
    from rdflib.term import _toPythonMapping

    # meta_validate's RDFS inference swaps rdflib's literal converters for owlrl's, for
    # the whole process; owlrl's cannot read "--12-06"^^xsd:gMonthDay and logs a traceback
    # for each one, which keeps store handles alive in pytest's log capture. Put them back.
    saved = dict(_toPythonMapping)
    try:
        conforms, _, text = meta_validate(load_shapes())
    finally:
        _toPythonMapping.clear()
        _toPythonMapping.update(saved)
    assert conforms, text


def test_every_shape_and_constraint_has_a_name_and_an_english_message():
    shapes = load_shapes()
    nodes = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    nodes |= set(shapes.objects(None, SH.sparql))
    assert len(nodes) > 60
    for node in nodes:
        assert isinstance(node, URIRef), f"shape without an IRI: {node}"
        assert shapes.value(node, SH.name) is not None, f"{node} has no sh:name"
        messages = [m for m in shapes.objects(node, SH.message) if m.language in (None, "en")]
        assert messages, f"{node} has no English sh:message"


def test_every_class_of_the_vocabulary_is_targeted():
    targeted = set(load_shapes().objects(None, SH.targetClass))
    expected = {
        CK[c]
        for c in (
            "Conference",
            "ConferenceSeries",
            "Organisation",
            "Official",
            "Position",
            "Recommendation",
            "Place",
            "Country",
            "Topic",
            "Article",
            "Evidence",
        )
    }
    assert expected <= targeted


def test_only_agreed_ck_terms_are_used():
    agreed = {
        # VOCABULARY.md
        "Conference",
        "ConferenceSeries",
        "Organisation",
        "Official",
        "Position",
        "Recommendation",
        "Place",
        "Country",
        "Topic",
        "Article",
        "series",
        "edition",
        "heldIn",
        "country",
        "startDate",
        "endDate",
        "year",
        "organiser",
        "patron",
        "openedBy",
        "chairedBy",
        "participant",
        "attendee",
        "issuedBy",
        "text",
        "addressedTo",
        "topic",
        "holds",
        "title",
        "organisation",
        "affiliation",
        "mentionedIn",
        # terms the code uses beyond it
        "participantCount",
        "announced",
        "Evidence",
        "evidence",
        "inArticle",
        "beginIndex",
        "endIndex",
        "sentence",
        "articleId",
        "sourcePath",
        "url",
        "published",
        "contentHash",
    }
    used = {
        str(term)[len(str(CK)) :]
        for triple in load_shapes()
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(str(CK))
    }
    assert used <= agreed, used - agreed


def test_the_docs_example_passes_every_shape():
    assert reference_violations(valid_graph(), key="doc") == []


def test_integers_as_the_oxigraph_store_returns_them_pass():
    # Oxigraph stores xsd:positiveInteger / xsd:nonNegativeInteger as xsd:integer.
    g = valid_graph()
    for s, p, o in list(g):
        if isinstance(o, Literal) and o.datatype in (XSD.positiveInteger, XSD.nonNegativeInteger):
            g.set((s, p, Literal(str(o), datatype=XSD.integer)))
    assert (CONF, CK.edition, Literal("47", datatype=XSD.integer)) in g
    assert reference_violations(g, key="from-store") == []


def test_every_rule_has_a_failing_example():
    shapes = load_shapes()
    rules = {
        str(shapes.value(node, SH.name))
        for node in set(shapes.subjects(RDF.type, SH.PropertyShape)) | set(shapes.objects(None, SH.sparql))
    }
    exercised = set().union(*(c.rules for c in CASES))
    assert rules - exercised == set()
    assert exercised - rules == set()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_a_broken_graph_fails_exactly_its_rules(case: Case):
    found = reference_violations(case.graph(), key="case")
    assert {v.rule for v in found} == case.rules, [v.line() for v in found]
    assert any(v.focus == case.focus and v.path == case.path for v in found), [v.line() for v in found]
    assert all(v.severity == case.severity for v in found)
    shapes = load_shapes()
    assert all(
        v.message == str(shapes.value(v.source_shape, SH.message)) for v in found if v.component != "SPARQL"
    )
