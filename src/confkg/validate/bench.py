"""Micro-benchmark of the validate stage: one pyshacl call per article against one call per batch."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import date, timedelta

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef

from confkg.namespaces import CK, ID, bind_prefixes
from confkg.validate.batch import reference_violations, validate_graphs
from confkg.validate.shapes import load_shapes, plan_for


def measure(graphs: Mapping[str, Graph], *, repeat: int = 3) -> dict:
    """Milliseconds to validate these article graphs one call each and all in one batch call (best of `repeat`).

    validate_ms_per_article: validate_graphs() called once per article (the batch path
        with a batch of one: core shapes through pyshacl, SPARQL rules as one query).
    validate_whole_graph_ms: validate_graphs() called once on all of them.
    pyshacl_plain_ms_per_article: plain pyshacl, every shape (sh:sparql included), one call per article.
    """
    load_shapes()
    plan_for(None)  # parse and plan the shapes before timing: that is once per process
    keys = list(graphs)
    per_article = _best(repeat, lambda: [validate_graphs({k: graphs[k]}) for k in keys])
    whole = _best(repeat, lambda: validate_graphs(graphs))
    plain = _best(repeat, lambda: [reference_violations(graphs[k], key=k) for k in keys])
    n = max(1, len(keys))
    return {
        "articles": len(keys),
        "triples": sum(len(g) for g in graphs.values()),
        "validate_ms_per_article": round(per_article / n, 2),
        "validate_whole_graph_ms": round(whole, 2),
        "validate_whole_graph_ms_per_article": round(whole / n, 2),
        "pyshacl_plain_ms_per_article": round(plain / n, 2),
    }


def _best(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def synthetic_graphs(count: int = 20) -> dict[str, Graph]:
    """Article-sized graphs (~100 triples) shaped like docs/graph.md, sharing entities across articles.

    Several articles report the same conference (same IRI), so that the batch's
    article-local IRIs matter; all graphs are valid.
    """
    return {f"{i:03d}_synthetic": synthetic_article(i) for i in range(count)}


def synthetic_article(i: int) -> Graph:
    """One valid article graph; article i reports conference edition 40 + i % 7."""
    g = Graph()
    bind_prefixes(g)
    aid = f"{i:03d}_synthetic"
    article = ID[f"article/{aid}"]
    edition = 40 + i % 7
    start = date(2016, 12, 5) + timedelta(days=365 * (edition - 40))
    conference = ID[f"conference/arab-police-security-leaders-{edition}"]
    series = ID["series/arab-police-security-leaders"]
    city, country = ID["place/tangier"], ID["place/morocco"]
    organiser, interpol, nauss = (
        ID["organisation/caim-secretariat"],
        ID["organisation/interpol"],
        ID["organisation/nauss"],
    )
    official = ID[f"official/official-{i % 5}"]
    position = ID[f"position/official-{i % 5}-5c1e2b7a90d4"]
    recommendation = ID[f"recommendation/arab-police-security-leaders-{edition}-{i:012x}"]
    topic = ID["topic/terrorism"]
    ev1, ev2 = ID[f"evidence/{aid}-66-240"], ID[f"evidence/{aid}-241-330"]

    def ar(text: str) -> Literal:
        return Literal(text, lang="ar")

    def add(s: URIRef, p: URIRef, o) -> None:
        g.add((s, p, o))

    add(article, RDF.type, CK.Article)
    add(article, RDFS.label, ar(f"اختتام المؤتمر {edition} لقادة الشرطة والأمن العرب"))
    add(article, CK.articleId, Literal(aid))
    add(article, CK.sourcePath, Literal(f"seeds/articles/{aid}.txt"))
    add(article, CK.published, Literal(start + timedelta(days=1), datatype=XSD.date))
    add(article, CK.contentHash, Literal(f"sha256:{i:064x}"))
    for ev, begin, end, text in (
        (ev1, 66, 240, f"اسدل الستار اليوم على أشغال المؤتمر {edition} لقادة الشرطة والأمن العرب"),
        (ev2, 241, 330, "ودعا المؤتمر جامعة نايف العربية للعلوم الأمنية إلى تنظيم نشاط علمي"),
    ):
        add(ev, RDF.type, CK.Evidence)
        add(ev, CK.inArticle, article)
        add(ev, CK.beginIndex, Literal(begin, datatype=XSD.nonNegativeInteger))
        add(ev, CK.endIndex, Literal(end, datatype=XSD.nonNegativeInteger))
        add(ev, CK.sentence, ar(text))
    add(conference, RDF.type, CK.Conference)
    add(conference, RDFS.label, ar(f"المؤتمر {edition} لقادة الشرطة والأمن العرب"))
    add(
        conference,
        RDFS.label,
        Literal(f"Conference of Arab Police and Security Leaders {edition}", lang="en"),
    )
    add(conference, CK.series, series)
    add(conference, CK.edition, Literal(edition, datatype=XSD.positiveInteger))
    add(conference, CK.heldIn, city)
    add(conference, CK.startDate, Literal(start, datatype=XSD.date))
    add(conference, CK.endDate, Literal(start + timedelta(days=1), datatype=XSD.date))
    add(conference, CK.year, Literal(str(start.year), datatype=XSD.gYear))
    add(conference, CK.organiser, organiser)
    add(conference, CK.openedBy, official)
    add(conference, CK.participant, interpol)
    add(conference, CK.participant, country)
    add(conference, CK.topic, topic)
    add(conference, CK.evidence, ev1)
    add(series, RDF.type, CK.ConferenceSeries)
    add(series, RDFS.label, ar("مؤتمر قادة الشرطة والأمن العرب"))
    add(city, RDF.type, CK.Place)
    add(city, RDFS.label, ar("طنجة"))
    add(city, RDFS.label, Literal("Tangier", lang="en"))
    add(city, CK.country, country)
    add(country, RDF.type, CK.Country)
    add(country, RDFS.label, ar("المغرب"))
    for org, name in (
        (organiser, "الأمانة العامة لمجلس وزراء الداخلية العرب"),
        (interpol, "الإنتربول"),
        (nauss, "جامعة نايف العربية للعلوم الأمنية"),
    ):
        add(org, RDF.type, CK.Organisation)
        add(org, RDFS.label, ar(name))
        add(org, CK.evidence, ev2 if org == nauss else ev1)
    add(interpol, SKOS.altLabel, ar("المنظمة الدولية للشرطة الجنائية"))
    add(official, RDF.type, CK.Official)
    add(official, RDFS.label, ar(f"المسؤول {i % 5}"))
    add(official, CK.holds, position)
    add(official, CK.affiliation, organiser)
    add(official, CK.evidence, ev1)
    add(position, RDF.type, CK.Position)
    add(position, RDFS.label, ar("الأمين العام"))
    add(position, CK.title, ar("الأمين العام"))
    add(position, CK.organisation, organiser)
    add(position, CK.evidence, ev1)
    attendee = ID[f"official/attendee-{i % 3}"]
    add(conference, CK.attendee, attendee)
    add(attendee, RDF.type, CK.Official)
    add(attendee, RDFS.label, ar(f"الحاضر {i % 3}"))
    add(attendee, SKOS.altLabel, ar(f"حاضر {i % 3}"))
    add(attendee, CK.affiliation, interpol)
    add(attendee, CK.evidence, ev1)
    add(attendee, CK.mentionedIn, article)
    add(conference, CK.participantCount, Literal(100 + i, datatype=XSD.nonNegativeInteger))
    add(conference, CK.announced, Literal(False))
    add(conference, CK.patron, official)
    add(conference, CK.chairedBy, official)
    add(recommendation, CK.addressedTo, country)
    for org in (organiser, interpol, nauss):
        add(org, RDFS.label, Literal(f"organisation {org.rsplit('/', 1)[-1]}", lang="en"))
    add(series, RDFS.label, Literal("Conference of Arab Police and Security Leaders", lang="en"))
    add(country, RDFS.label, Literal("Morocco", lang="en"))
    add(official, SKOS.altLabel, ar(f"م {i % 5}"))
    add(recommendation, RDF.type, CK.Recommendation)
    add(recommendation, RDFS.label, ar("ودعا المؤتمر جامعة نايف العربية للعلوم الأمنية"))
    add(recommendation, CK.text, ar("ودعا المؤتمر جامعة نايف العربية للعلوم الأمنية إلى تنظيم نشاط علمي"))
    add(recommendation, CK.issuedBy, conference)
    add(recommendation, CK.addressedTo, nauss)
    add(recommendation, CK.topic, topic)
    add(recommendation, CK.evidence, ev2)
    add(topic, RDF.type, CK.Topic)
    add(topic, RDFS.label, ar("الإرهاب"))
    add(topic, RDFS.label, Literal("Terrorism", lang="en"))
    for entity in (
        conference,
        series,
        city,
        country,
        organiser,
        interpol,
        nauss,
        official,
        position,
        recommendation,
        topic,
    ):
        add(entity, CK.mentionedIn, article)
    return g
