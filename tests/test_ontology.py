"""The ontology keeps the vocabulary contract, is consistent under HermiT, and defines every ck: term the code uses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import owlready2
import pytest
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

REPO = Path(__file__).resolve().parents[1]
ONTOLOGY = REPO / "ontology" / "confkg.ttl"
# CI clones the repository with the shared folder beside it.
VOCABULARY = REPO.parent / "shared" / "spec" / "VOCABULARY.md"
ONTOLOGY_IRI = URIRef("https://w3id.org/confkg/ontology")

CK = Namespace("https://w3id.org/confkg/ontology#")
# A plain Namespace: rdflib's XSD warns when pytest probes module attributes.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")

KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)

# What the pipeline needs beyond VOCABULARY.md, written as VOCABULARY.md writes
# its tables so that one parser reads both.
PIPELINE_TERMS = """
## Classes
| term | meaning |
|---|---|
| ck:Evidence | the sentence of an article that supports an entity |
| ck:Link | a reified owl:sameAs link |

## Properties
| term | from → to | meaning |
|---|---|---|
| ck:participantCount | Conference → xsd:nonNegativeInteger | how many took part |
| ck:announced | Conference → xsd:boolean | a future session announced rather than reported |
| ck:evidence | any resource → Evidence | the sentence that supports it |
| ck:inArticle | Evidence → Article | the article the sentence is in |
| ck:beginIndex, ck:endIndex | Evidence → xsd:nonNegativeInteger | character offsets into the article text |
| ck:sentence | Evidence → rdf:langString | the sentence as written |
| ck:articleId, ck:sourcePath, ck:contentHash | Article → xsd:string | the article's identity and bookkeeping |
| ck:url | Article → xsd:anyURI | where it was published |
| ck:published | Article → xsd:date | when it was published |
| ck:linkSubject, ck:linkTarget | Link → any resource | the two sides of the owl:sameAs |
| ck:linkConfidence | Link → xsd:decimal | how sure the linker is |
| ck:linkMethod | Link → xsd:string | how the link was found |
| ck:pipelineVersion | Article → xsd:string | the confkg version and data digest that built it |
| ck:statedStartDay, ck:statedEndDay | Conference → xsd:gMonthDay | a day and month stated without a year |
| ck:startWeekday, ck:endWeekday | Conference → xsd:positiveInteger | the ISO weekday (1 = Monday) the article gives |
| ck:durationDays | Conference → xsd:positiveInteger | how many days it lasted, as stated |
| ck:inPublicationMonth | Conference → xsd:boolean | its days are "this month" (الجاري) of publication |
"""


@dataclass(frozen=True)
class Signature:
    kind: URIRef  # one of KINDS
    domain: frozenset[URIRef] = frozenset()  # members of a union; empty: any resource
    range: frozenset[URIRef] = frozenset()


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY)


# --- the vocabulary contract ---------------------------------------------------------


def _iri(name: str) -> URIRef:
    prefix, _, local = name.rpartition(":")
    return {"": CK, "ck": CK, "xsd": XSD, "rdf": RDF}[prefix][local]


def _side(text: str) -> frozenset[URIRef]:
    text = re.sub(r"\(.*?\)", "", text).strip()  # "rdf:langString (@ar)"
    if text == "any resource":
        return frozenset()
    return frozenset(_iri(name.strip()) for name in text.split(" or "))


def parse_term_tables(markdown: str) -> dict[str, Signature]:
    """Read the '## Classes' and '## Properties' tables of VOCABULARY.md into signatures."""
    terms: dict[str, Signature] = {}
    section = None
    for line in markdown.splitlines():
        if line.startswith("## "):
            section = line[3:].strip().lower()
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if section not in ("classes", "properties") or not line.startswith("|"):
            continue
        names = re.findall(r"ck:(\w+)", cells[0])
        for name in names:
            if section == "classes":
                terms[name] = Signature(OWL.Class)
            else:
                domain, _, range_ = cells[1].partition("→")
                range_iris = _side(range_)
                is_data = range_iris and all(not iri.startswith(CK) for iri in range_iris)
                kind = OWL.DatatypeProperty if is_data else OWL.ObjectProperty
                terms[name] = Signature(kind, _side(domain), range_iris)
    return terms


def _members(graph: Graph, expression) -> frozenset:
    """The classes a class expression names: itself, or the members of its owl:unionOf."""
    union = graph.value(expression, OWL.unionOf) if isinstance(expression, BNode) else None
    if union is not None:
        return frozenset(Collection(graph, union))
    return frozenset([expression])


def _names(iris) -> str:
    return " or ".join(sorted(iri.n3() for iri in iris))


def _axis_problems(graph: Graph, term: URIRef, axis: URIRef, expected: frozenset) -> list[str]:
    declared = list(graph.objects(term, axis))
    what = axis.fragment
    if not expected:  # any resource: no axiom, or owl:Thing
        if declared not in ([], [OWL.Thing]):
            return [f"{term.n3()} {what} should be any resource, is {_names(declared)}"]
        return []
    if len(declared) != 1:
        return [f"{term.n3()} should have one {what}, has {len(declared)}"]
    found = _members(graph, declared[0])
    if found != expected:
        return [f"{term.n3()} {what} is {_names(found)}, expected {_names(expected)}"]
    return []


def signature_problems(graph: Graph, name: str, expected: Signature) -> list[str]:
    term = CK[name]
    kinds = {kind for kind in KINDS if (term, RDF.type, kind) in graph}
    if kinds != {expected.kind}:
        return [f"ck:{name} is declared as {_names(kinds) or 'nothing'}, expected {_names([expected.kind])}"]
    problems = _label_problems(graph, term)
    if expected.kind != OWL.Class:
        problems += _axis_problems(graph, term, RDFS.domain, expected.domain)
        problems += _axis_problems(graph, term, RDFS.range, expected.range)
    return problems


def _label_problems(graph: Graph, term: URIRef) -> list[str]:
    labels = {label.language for label in graph.objects(term, RDFS.label) if isinstance(label, Literal)}
    comments = {c.language for c in graph.objects(term, RDFS.comment) if isinstance(c, Literal)}
    problems = [f"{term.n3()} has no rdfs:label@{lang}" for lang in ("en", "ar") if lang not in labels]
    if "en" not in comments:
        problems.append(f"{term.n3()} has no rdfs:comment@en")
    return problems


def test_ontology_defines_every_vocabulary_term(ontology):
    assert VOCABULARY.is_file(), (
        f"the vocabulary contract is missing: {VOCABULARY} (clone ../shared beside the repo)"
    )
    contract = parse_term_tables(VOCABULARY.read_text(encoding="utf-8"))
    assert len(contract) >= 30, (
        f"read only {len(contract)} terms from {VOCABULARY}: has its table format changed?"
    )
    problems = [p for name, sig in contract.items() for p in signature_problems(ontology, name, sig)]
    assert not problems, "\n".join(problems)


def test_ontology_defines_the_terms_the_pipeline_adds(ontology):
    extra = parse_term_tables(PIPELINE_TERMS)
    problems = [p for name, sig in extra.items() for p in signature_problems(ontology, name, sig)]
    assert not problems, "\n".join(problems)


def test_every_confkg_term_has_english_and_arabic_labels_and_a_comment(ontology):
    terms = {s for s in ontology.subjects(RDF.type, None) if isinstance(s, URIRef) and s.startswith(CK)}
    assert len(terms) > 40
    problems = [p for term in sorted(terms) for p in _label_problems(ontology, term)]
    assert not problems, "\n".join(problems)


def test_ontology_states_version_title_description_and_licence(ontology):
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.title) is not None
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.description) is not None
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )


ALIGNMENTS = [
    (CK.Conference, RDFS.subClassOf, SCHEMA.Event),
    (CK.ConferenceSeries, RDFS.subClassOf, SCHEMA.EventSeries),
    (CK.Organisation, RDFS.subClassOf, SCHEMA.Organization),
    (CK.Organisation, RDFS.subClassOf, ORG.Organization),
    (CK.Organisation, RDFS.subClassOf, FOAF.Organization),
    (CK.Official, RDFS.subClassOf, SCHEMA.Person),
    (CK.Official, RDFS.subClassOf, FOAF.Person),
    (CK.Position, RDFS.subClassOf, ORG.Post),
    (CK.Place, RDFS.subClassOf, SCHEMA.Place),
    (CK.Country, RDFS.subClassOf, CK.Place),
    (CK.Country, RDFS.subClassOf, SCHEMA.Country),
    (CK.Topic, RDFS.subClassOf, SKOS.Concept),
    (CK.Article, RDFS.subClassOf, SCHEMA.NewsArticle),
    (CK.Article, RDFS.subClassOf, PROV.Entity),
    (CK.Evidence, RDFS.subClassOf, PROV.Entity),
    (CK.startDate, RDFS.subPropertyOf, SCHEMA.startDate),
    (CK.endDate, RDFS.subPropertyOf, SCHEMA.endDate),
    (CK.heldIn, RDFS.subPropertyOf, SCHEMA.location),
    (CK.organiser, RDFS.subPropertyOf, SCHEMA.organizer),
    (CK.attendee, RDFS.subPropertyOf, SCHEMA.attendee),
    (CK.holds, RDFS.subPropertyOf, ORG.holds),
    (CK.organisation, RDFS.subPropertyOf, ORG.postIn),
    (CK.affiliation, RDFS.subPropertyOf, SCHEMA.affiliation),
    (CK.series, RDFS.subPropertyOf, SCHEMA.superEvent),
]


def test_ontology_aligns_with_schema_org_org_foaf_prov_and_skos(ontology):
    missing = [f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in ALIGNMENTS if (s, p, o) not in ontology]
    assert not missing, "\n".join(missing)


def test_ontology_declares_each_external_term_it_aligns_with_as_one_kind(ontology):
    # OWL 2 DL needs every entity declared, and a property used as a super-property
    # of a datatype property must itself be one (and likewise for object properties).
    problems = []
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(sup, URIRef) and (sup, RDF.type, OWL.Class) not in ontology:
            problems.append(f"{sup.n3()} (superclass of {sub.n3()}) is not declared owl:Class")
    for sub, sup in ontology.subject_objects(RDFS.subPropertyOf):
        sup = ontology.value(sup, OWL.inverseOf) if isinstance(sup, BNode) else sup
        sub_kinds = {k for k in KINDS if (sub, RDF.type, k) in ontology}
        sup_kinds = {k for k in KINDS if (sup, RDF.type, k) in ontology}
        if len(sup_kinds) != 1 or sup_kinds != sub_kinds:
            problems.append(
                f"{sub.n3()} is {_names(sub_kinds)} but its super-property {sup.n3()} is {_names(sup_kinds)}"
            )
    assert not problems, "\n".join(problems)


def test_vocabulary_classes_are_pairwise_disjoint_and_a_country_is_a_place(ontology):
    disjoint = set()
    for axiom in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
        disjoint |= set(Collection(ontology, ontology.value(axiom, OWL.members)))
    names = "Conference ConferenceSeries Organisation Official Position Recommendation Place Topic Article"
    assert {CK[name] for name in names.split()} <= disjoint
    assert CK.Country not in disjoint
    assert (CK.Country, RDFS.subClassOf, CK.Place) in ontology


# --- HermiT ------------------------------------------------------------------------------
#
# HermiT refuses xsd:date and xsd:gYear: they are not in the OWL 2 datatype map.
# The copy handed to it (ontology and data alike; the file itself is unchanged)
# replaces both by xsd:dateTime, which is in the map: in the ranges and in the
# literals (2024-10-01 -> 2024-10-01T00:00:00, 2024 -> 2024-01-01T00:00:00, a
# time zone kept, a malformed literal refused rather than repaired).
# That changes no answer HermiT gives, because in this ontology the value space
# of those datatypes matters only through rdfs:range: a data property assertion
# p(a, v) is satisfied exactly when v lies in p's range. Each well-formed date or
# year becomes a well-formed dateTime and the ranges move with them, so every
# assertion is satisfied after the mapping exactly when it is under XSD's own
# semantics before it. Nothing else looks at the values: no datatype restriction
# (facets) or definition, no enumeration, no functional property, cardinality or
# key that could compare or count them, and all these value spaces are infinite.
# _assert_mapping_is_faithful checks those conditions on the ontology, so an axiom
# that breaks them fails the test instead of being reasoned about wrongly.

_DATE = re.compile(r"(-?\d{4,}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})?")
_YEAR = re.compile(r"(-?\d{4,})(Z|[+-]\d{2}:\d{2})?")


def _date_as_datetime(lexical: str) -> str:
    match = _DATE.fullmatch(lexical)
    if not match:
        raise ValueError(f"not an xsd:date: {lexical!r}")
    return f"{match[1]}T00:00:00{match[2] or ''}"


def _year_as_datetime(lexical: str) -> str:
    match = _YEAR.fullmatch(lexical)
    if not match:
        raise ValueError(f"not an xsd:gYear: {lexical!r}")
    return f"{match[1]}-01-01T00:00:00{match[2] or ''}"


_MONTH_DAY = re.compile(r"--(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?")


def _month_day_as_datetime(lexical: str) -> str:
    # a leap year, so that --02-29 stays a valid day
    match = _MONTH_DAY.fullmatch(lexical)
    if not match:
        raise ValueError(f"not an xsd:gMonthDay: {lexical!r}")
    return f"2000-{match[1]}-{match[2]}T00:00:00{match[3] or ''}"


OUTSIDE_DATATYPE_MAP = {
    XSD.date: _date_as_datetime,
    XSD.gYear: _year_as_datetime,
    XSD.gMonthDay: _month_day_as_datetime,
}
STAND_IN = XSD.dateTime
# Constructs through which the value space of a datatype could matter beyond a range.
VALUE_SENSITIVE = [
    OWL.Restriction,
    OWL.onDatatype,
    OWL.withRestrictions,
    OWL.oneOf,
    OWL.datatypeComplementOf,
    OWL.hasKey,
    OWL.FunctionalProperty,
    OWL.propertyDisjointWith,
    OWL.equivalentProperty,
    RDFS.Datatype,
]


def _assert_mapping_is_faithful(tbox: Graph) -> None:
    """Fail when the ontology uses the mapped datatypes in a way the mapping could change."""
    used = {term for triple in tbox for term in triple}
    assert not used & set(VALUE_SENSITIVE), f"the ontology now uses {_names(used & set(VALUE_SENSITIVE))}"
    assert STAND_IN not in used, f"{STAND_IN.n3()} is in use: mapping onto it could merge two datatypes"
    for datatype in OUTSIDE_DATATYPE_MAP:
        uses = {(s, p, o) for s, p, o in tbox if datatype in (s, p, o)}
        other = {(s, p, o) for s, p, o in uses if p != RDFS.range or o != datatype}
        assert not other, f"{datatype.n3()} is used beyond rdfs:range: {other}"
        for prop, _, _ in uses:
            # One range, none inherited: merging xsd:date and xsd:gYear into one
            # stand-in cannot make an empty intersection of two ranges non-empty.
            assert len(list(tbox.objects(prop, RDFS.range))) == 1, f"{prop.n3()} has several ranges"
            for sup in tbox.transitive_objects(prop, RDFS.subPropertyOf):
                assert sup == prop or tbox.value(sup, RDFS.range) is None, (
                    f"{sup.n3()} adds a range to {prop.n3()}"
                )


def for_hermit(tbox: Graph, abox: Graph) -> Graph:
    """The ontology and data with xsd:date and xsd:gYear replaced by xsd:dateTime (see above)."""
    _assert_mapping_is_faithful(tbox)
    copy = Graph()
    for s, p, o in (*tbox, *abox):
        if o in OUTSIDE_DATATYPE_MAP:
            o = STAND_IN
        elif isinstance(o, Literal) and o.datatype in OUTSIDE_DATATYPE_MAP:
            o = Literal(OUTSIDE_DATATYPE_MAP[o.datatype](str(o)), datatype=STAND_IN)
        copy.add((s, p, o))
    return copy


ABOX_PREFIXES = """
@prefix ck: <https://w3id.org/confkg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix conference: <https://w3id.org/confkg/id/conference/> .
@prefix series: <https://w3id.org/confkg/id/series/> .
@prefix organisation: <https://w3id.org/confkg/id/organisation/> .
@prefix official: <https://w3id.org/confkg/id/official/> .
@prefix position: <https://w3id.org/confkg/id/position/> .
@prefix place: <https://w3id.org/confkg/id/place/> .
@prefix recommendation: <https://w3id.org/confkg/id/recommendation/> .
@prefix topic: <https://w3id.org/confkg/id/topic/> .
@prefix article: <https://w3id.org/confkg/id/article/> .
@prefix evidence: <https://w3id.org/confkg/id/evidence/> .
@prefix link: <https://w3id.org/confkg/id/link/> .
"""

# Types are left for HermiT to infer from the properties; owl:NamedIndividual
# only declares the names, as OWL 2 DL asks.
ONE_CONFERENCE = """
conference:arab-police-leaders-47 a owl:NamedIndividual ;
    rdfs:label "المؤتمر السابع والأربعون لقادة الشرطة والأمن العرب"@ar ;
    ck:series series:arab-police-leaders ; ck:edition "47"^^xsd:positiveInteger ;
    ck:heldIn place:tunis ;
    ck:startDate "2024-10-01"^^xsd:date ; ck:endDate "2024-10-02+01:00"^^xsd:date ; ck:year "2024"^^xsd:gYear ;
    ck:organiser organisation:arab-interior-ministers-council ;
    ck:participant place:morocco , organisation:interpol ;
    ck:patron official:ali-bin-abdallah ; ck:openedBy official:muhammad-bin-ali-kuman ;
    ck:chairedBy official:muhammad-bin-ali-kuman ; ck:attendee official:muhammad-bin-ali-kuman ;
    ck:topic topic:cybercrime ; ck:participantCount "21"^^xsd:nonNegativeInteger ; ck:announced false ; ck:statedEndDay "--11-27"^^xsd:gMonthDay ; ck:durationDays "2"^^xsd:positiveInteger ;
    ck:mentionedIn article:a1 ; ck:evidence evidence:a1-0-120 .
series:arab-police-leaders a owl:NamedIndividual ; rdfs:label "مؤتمر قادة الشرطة والأمن العرب"@ar .
place:tunis a owl:NamedIndividual ; rdfs:label "تونس"@ar , "Tunis"@en ; ck:country place:tunisia .
place:tunisia a owl:NamedIndividual ; rdfs:label "تونس"@ar , "Tunisia"@en .
place:morocco a owl:NamedIndividual ; rdfs:label "المغرب"@ar ; skos:altLabel "المملكة المغربية"@ar .
organisation:arab-interior-ministers-council a owl:NamedIndividual ; rdfs:label "مجلس وزراء الداخلية العرب"@ar .
organisation:interpol a owl:NamedIndividual ; rdfs:label "الإنتربول"@ar ; owl:sameAs wd:Q8475 .
wd:Q8475 a owl:NamedIndividual .
official:ali-bin-abdallah a owl:NamedIndividual ; rdfs:label "علي بن عبد الله"@ar .
official:muhammad-bin-ali-kuman a owl:NamedIndividual ; rdfs:label "محمد بن علي كومان"@ar ;
    ck:holds position:muhammad-bin-ali-kuman-3f2a ;
    ck:affiliation organisation:arab-interior-ministers-council .
position:muhammad-bin-ali-kuman-3f2a a owl:NamedIndividual ;
    ck:title "الأمين العام لمجلس وزراء الداخلية العرب"@ar ;
    ck:organisation organisation:arab-interior-ministers-council .
recommendation:arab-police-leaders-47-9c1e a owl:NamedIndividual ;
    ck:issuedBy conference:arab-police-leaders-47 ; ck:addressedTo place:morocco ;
    ck:text "تعزيز التعاون في مكافحة الجرائم الإلكترونية"@ar ; ck:topic topic:cybercrime .
topic:cybercrime a owl:NamedIndividual ; rdfs:label "الجرائم الإلكترونية"@ar .
article:a1 a owl:NamedIndividual ; ck:articleId "a1" ; ck:sourcePath "articles/a1.txt" ;
    ck:url "https://example.org/news/a1"^^xsd:anyURI ; ck:published "2024-10-03"^^xsd:date ;
    ck:contentHash "5d41402abc4b2a76b9719d911017c592" .
evidence:a1-0-120 a owl:NamedIndividual ; ck:inArticle article:a1 ;
    ck:beginIndex "0"^^xsd:nonNegativeInteger ; ck:endIndex "120"^^xsd:nonNegativeInteger ;
    ck:sentence "انطلقت في تونس أعمال المؤتمر السابع والأربعين لقادة الشرطة والأمن العرب"@ar .
link:interpol-q8475 a owl:NamedIndividual ; ck:linkSubject organisation:interpol ; ck:linkTarget wd:Q8475 ;
    ck:linkConfidence 0.95 ; ck:linkMethod "curated-qid" .
"""

ID = "https://w3id.org/confkg/id/"


def load_for_hermit(tmp_path: Path, abox_turtle: str) -> owlready2.World:
    """A fresh owlready2 World holding the ontology and the data, in a form HermiT accepts."""
    abox = Graph().parse(data=ABOX_PREFIXES + abox_turtle, format="turtle")
    path = tmp_path / "confkg-for-hermit.owl"
    # owlready2 reads no Turtle (and format="turtle" silently loads nothing): hand it RDF/XML.
    for_hermit(Graph().parse(ONTOLOGY), abox).serialize(path, format="xml")
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load()
    assert world[str(CK.Conference)] is not None, "owlready2 loaded none of the ontology"
    return world


def _types(world: owlready2.World, iri: str) -> set[str]:
    return {cls.iri for cls in world[iri].INDIRECT_is_a if hasattr(cls, "iri")}


@pytest.mark.reasoner
def test_ontology_is_consistent_under_hermit(tmp_path):
    world = load_for_hermit(tmp_path, ONE_CONFERENCE)
    city, official = ID + "place/tunis", ID + "official/muhammad-bin-ali-kuman"
    assert str(SCHEMA.Place) not in _types(world, city)

    owlready2.sync_reasoner(world, infer_property_values=False, debug=0)  # raises if inconsistent

    expected = {
        city: {CK.Place, SCHEMA.Place},
        ID + "place/tunisia": {CK.Country, CK.Place, SCHEMA.Country},
        official: {CK.Official, FOAF.Person, SCHEMA.Person},
        ID + "position/muhammad-bin-ali-kuman-3f2a": {CK.Position, ORG.Post},
        ID + "organisation/arab-interior-ministers-council": {
            CK.Organisation,
            ORG.Organization,
            FOAF.Organization,
        },
        ID + "conference/arab-police-leaders-47": {CK.Conference, SCHEMA.Event},
        ID + "series/arab-police-leaders": {CK.ConferenceSeries, SCHEMA.EventSeries},
        ID + "recommendation/arab-police-leaders-47-9c1e": {CK.Recommendation},
        ID + "topic/cybercrime": {CK.Topic, SKOS.Concept},
        ID + "article/a1": {CK.Article, SCHEMA.NewsArticle, PROV.Entity},
        ID + "evidence/a1-0-120": {CK.Evidence, PROV.Entity},
        ID + "link/interpol-q8475": {CK.Link},
    }
    missing = {iri: {str(c) for c in classes} - _types(world, iri) for iri, classes in expected.items()}
    assert not any(missing.values()), f"HermiT did not infer: { {k: v for k, v in missing.items() if v} }"


@pytest.mark.reasoner
@pytest.mark.parametrize(
    "abox",
    [
        pytest.param(
            "conference:x a owl:NamedIndividual , ck:Conference , ck:Official .",
            id="conference-and-official",
        ),
        pytest.param(
            "conference:x a owl:NamedIndividual ; ck:heldIn official:y . official:y a owl:NamedIndividual , ck:Official .",
            id="official-as-venue",
        ),
    ],
)
def test_hermit_reports_a_resource_that_is_two_disjoint_things(tmp_path, abox):
    world = load_for_hermit(tmp_path, abox)
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        owlready2.sync_reasoner(world, infer_property_values=False, debug=0)


def test_dates_handed_to_hermit_stay_well_formed_and_distinct():
    assert _date_as_datetime("2024-10-01") == "2024-10-01T00:00:00"
    assert _date_as_datetime("2024-10-01Z") == "2024-10-01T00:00:00Z"
    assert _year_as_datetime("2024+03:00") == "2024-01-01T00:00:00+03:00"
    assert _date_as_datetime("2024-10-01") != _date_as_datetime("2024-10-02")
    for bad in ("2024", "1/10/2024", "2024-10-01T10:00:00"):
        with pytest.raises(ValueError):
            _date_as_datetime(bad)


# --- the code uses only terms the ontology defines ---------------------------------------

_NAME = r"([A-Za-z_][A-Za-z0-9_]*)"
_CK_IRI = re.escape(str(CK))
_PREFIX_DECLARATION = re.compile(rf"(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<{_CK_IRI}>", re.IGNORECASE)
_PYTHON_USES = [
    re.compile(rf"\bCK\.{_NAME}"),
    re.compile(rf"""\bCK\[\s*["']{_NAME}["']\s*\]"""),
]


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    written: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.written}: {self.reason}"


def scan_for_terms(path: Path, defined: set[str]) -> list[Finding]:
    """Every use of a ck: term in a file that the ontology does not define."""
    text = path.read_text(encoding="utf-8")
    prefixes = {"ck"} | {p or "" for p in _PREFIX_DECLARATION.findall(text)}
    patterns = [re.compile(rf"(?<![\w.:-]){re.escape(p)}:{_NAME}") for p in sorted(prefixes)]
    patterns.append(re.compile(rf"{_CK_IRI}{_NAME}"))
    if path.suffix == ".py":
        patterns += _PYTHON_USES
    findings = []
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern in patterns:
            for match in pattern.finditer(line):
                name, written = match[1], match[0]
                if name not in defined:
                    findings.append(Finding(path, number, written, "not defined in ontology/confkg.ttl"))
                elif written.startswith("CK.") and getattr(CK, name) != URIRef(CK + name):
                    # rdflib's Namespace is a str: CK.count is str.count, not ck:count.
                    findings.append(Finding(path, number, written, f"is str.{name}, write CK[{name!r}]"))
    return findings


def _defined_terms(ontology: Graph) -> set[str]:
    return {
        s[len(CK) :] for s in ontology.subjects(RDF.type, None) if isinstance(s, URIRef) and s.startswith(CK)
    }


def test_code_uses_only_defined_terms(ontology):
    files = [
        *sorted((REPO / "src" / "confkg").rglob("*.py")),
        *sorted((REPO / "src" / "confkg").rglob("*.rq")),
        *sorted((REPO / "shapes").glob("*.ttl")),
        *sorted((REPO / "queries").glob("*.rq")),
    ]
    assert files, "found no source files to scan"
    defined = _defined_terms(ontology)
    findings = [str(f) for path in files for f in scan_for_terms(path, defined)]
    assert not findings, "ck: terms the ontology does not define:\n" + "\n".join(findings)


def test_term_scanner_reports_terms_the_ontology_lacks(ontology, tmp_path):
    defined = _defined_terms(ontology)
    code = tmp_path / "uses.py"
    code.write_text(
        'g.add((x, RDF.type, CK.Conference))\ng.add((x, CK.Nonexistent, y))\nq = "?x ck:heldIn ?p ; ck:Missing ?m"\n'
        "t = CK['AlsoMissing']\nn = CK.count\n",
        encoding="utf-8",
    )
    query = tmp_path / "uses.rq"
    query.write_text(
        f"PREFIX c: <{CK}>\nSELECT * {{ ?x c:heldIn ?p ; c:Gone ?g ; <{CK}Vanished> ?v }}\n",
        encoding="utf-8",
    )

    found = {
        (f.path.name, f.line, f.written)
        for path in (code, query)
        for f in scan_for_terms(path, defined | {"count"})
    }
    assert found == {
        ("uses.py", 2, "CK.Nonexistent"),
        ("uses.py", 3, "ck:Missing"),
        ("uses.py", 4, "CK['AlsoMissing']"),
        ("uses.py", 5, "CK.count"),
        ("uses.rq", 2, "c:Gone"),
        ("uses.rq", 2, f"{CK}Vanished"),
    }
