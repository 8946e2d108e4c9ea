"""Extract: one article in, everything it says about conferences out (a pure function, no I/O)."""

from __future__ import annotations

from confkg.extract.conferences import extract_conferences
from confkg.extract.doc import Doc
from confkg.extract.gazetteer import Gazetteer, load_gazetteer
from confkg.extract.officials import find_officials
from confkg.extract.organisations import find_organisations
from confkg.extract.places import find_places
from confkg.extract.recommendations import extract_recommendations
from confkg.models import Article, ArticleFacts, Organisation, Place, Topic
from confkg.resolve.dates import resolve_in_article

__all__ = ["extract", "load_gazetteer", "Gazetteer"]


def extract(article: Article, *, gazetteer: Gazetteer | None = None) -> ArticleFacts:
    """Everything one article says, as plain data objects with their supporting sentences."""
    gaz = gazetteer or load_gazetteer()
    doc = Doc.build(article, gaz)
    places = find_places(doc)
    orgs = find_organisations(doc, places)
    officials, official_mentions, national_orgs = find_officials(doc, places, orgs)
    orgs = sorted([*orgs, *national_orgs], key=lambda o: o.first)
    conferences, sentence_conf = extract_conferences(doc, places, orgs, official_mentions)
    for conf in conferences:
        resolve_in_article(conf, published=article.published)
    recommendations = extract_recommendations(
        doc, conferences, sentence_conf, orgs, places, official_mentions
    )

    organisations: dict[str, Organisation] = {}
    for o in orgs:
        org = organisations.get(o.key)
        if org is None:
            org = organisations[o.key] = Organisation(
                key=o.key, name_ar=o.name_ar, name_en=o.name_en, country_key=o.country
            )
        if o.surface not in org.written:
            org.written.append(o.surface)
        if o.sentence >= 0:
            ev = doc.evidence(o.sentence)
            if ev not in org.evidence:
                org.evidence.append(ev)
    # an organisation named inside a post's title is supported by that title's sentence
    for off in officials:
        for pos in off.positions:
            key = pos.organisation_key or ""
            if key in gaz.orgs and key not in organisations:
                e = gaz.orgs[key]
                organisations[key] = Organisation(key=key, name_ar=e.ar, name_en=e.en, country_key=e.country)
            org = organisations.get(key)
            if org is not None and pos.evidence and pos.evidence not in org.evidence:
                org.evidence.append(pos.evidence)
        for key in off.affiliations:
            org = organisations.get(key)
            if org is not None and not org.evidence:
                org.evidence.extend(off.evidence[:1])
    # organisations named only through a title or a series (no sentence of their own)
    for conf in conferences:
        for key in conf.organisers + conf.participant_orgs:
            if key not in organisations and key in gaz.orgs:
                e = gaz.orgs[key]
                organisations[key] = Organisation(key=key, name_ar=e.ar, name_en=e.en, country_key=e.country)

    place_keys: dict[str, Place] = {}

    def add_place(key: str | None, ev=None, written: str | None = None) -> None:
        if not key or key not in gaz.places:
            return
        e = gaz.places[key]
        p = place_keys.get(key)
        if p is None:
            p = place_keys[key] = Place(
                key=key, name_ar=e.ar, name_en=e.en, is_country=e.is_country, country_key=e.country
            )
        if written and written not in p.written:
            p.written.append(written)
        if ev and ev not in p.evidence:
            p.evidence.append(ev)
        if not e.is_country and e.country:
            add_place(e.country)

    for p in places:
        if not p.via_adjective:
            add_place(p.key, doc.evidence(p.sentence), doc.surface(p.first, p.last))
    for conf in conferences:
        add_place(conf.place_key)
        for c in conf.participant_countries:
            add_place(c)
    for o in organisations.values():
        add_place(o.country_key)
    for off in officials:
        add_place(off.country_key)
    for r in recommendations:
        for k in r.addressed_to:
            add_place(k) if k in gaz.places else None

    topic_keys = {t for c in conferences for t in c.topics} | {t for r in recommendations for t in r.topics}
    topics = [
        Topic(key=k, name_ar=gaz.topics[k].ar, name_en=gaz.topics[k].en)
        for k in sorted(topic_keys)
        if k in gaz.topics
    ]
    return ArticleFacts(
        article=article,
        conferences=conferences,
        organisations=list(organisations.values()),
        officials=officials,
        places=list(place_keys.values()),
        recommendations=recommendations,
        topics=topics,
    )
