"""The merged graph: conclusions that need more than one article, with the article graphs they rest on.

Article graphs already share IRIs (docs/iris.md), so their union holds each
conference, official and organisation once. What no single article states
lives in `id:graph/merged`:

- dates completed across articles (a year from one, "24 حتى 27 نونبر الجاري"
  from another; "closed Thursday 07 December" plus "opened Wednesday, lasted
  two days");
- the preferred label of an entity written several ways (skos:prefLabel, the
  other spellings as skos:altLabel).

Each merged statement is reified (rdf:Statement) with prov:wasDerivedFrom the
article graphs it was derived from, and the graph node itself lists them all.
`update_merged(store, subjects=...)` recomputes only what touches the given
entities, so adding or removing one article does not redo the rest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS, XSD

from confkg.models import DateClues
from confkg.namespaces import CK, ID, MERGED_GRAPH
from confkg.resolve.dates import combine, resolve
from confkg.resolve.iris import short_hash
from confkg.store import KGStore


@dataclass
class MergeSummary:
    conferences: int = 0
    dates_completed: int = 0
    labels_merged: int = 0


_CONF_QUERY = """
SELECT ?g ?c ?start ?end ?year ?sday ?eday ?sw ?ew ?dur ?inpub ?pub WHERE {
  GRAPH ?g {
    ?c a <%(ck)sConference> .
    %(values)s
    OPTIONAL { ?c <%(ck)sstartDate> ?start }
    OPTIONAL { ?c <%(ck)sendDate> ?end }
    OPTIONAL { ?c <%(ck)syear> ?year }
    OPTIONAL { ?c <%(ck)sstatedStartDay> ?sday }
    OPTIONAL { ?c <%(ck)sstatedEndDay> ?eday }
    OPTIONAL { ?c <%(ck)sstartWeekday> ?sw }
    OPTIONAL { ?c <%(ck)sendWeekday> ?ew }
    OPTIONAL { ?c <%(ck)sdurationDays> ?dur }
    OPTIONAL { ?c <%(ck)sinPublicationMonth> ?inpub }
    OPTIONAL { ?a a <%(ck)sArticle> ; <%(ck)spublished> ?pub }
  }
  FILTER(?g != <%(merged)s>)
}
"""

_LABEL_QUERY = """
SELECT ?s ?label (COUNT(DISTINCT ?g) AS ?n) (GROUP_CONCAT(DISTINCT STR(?g); separator=" ") AS ?graphs) WHERE {
  GRAPH ?g {
    ?s a ?type ; <http://www.w3.org/2000/01/rdf-schema#label> ?label .
    %(values)s
    FILTER(LANG(?label) = "ar")
    FILTER(?type IN (<%(ck)sOfficial>, <%(ck)sOrganisation>, <%(ck)sConference>))
  }
  FILTER(?g != <%(merged)s>)
} GROUP BY ?s ?label
"""


def _values(subjects: Iterable[URIRef] | None, var: str) -> str:
    if subjects is None:
        return ""
    return f"VALUES ?{var} {{ {' '.join(f'<{s}>' for s in subjects)} }}"


def _md(value: object) -> tuple[int, int] | None:
    """(month, day) from an xsd:date or an xsd:gMonthDay literal."""
    if value is None:
        return None
    s = str(value)
    try:
        if s.startswith("--"):
            return int(s[2:4]), int(s[5:7])
        d = date.fromisoformat(s[:10])
        return d.month, d.day
    except ValueError:
        return None


def update_merged(store: KGStore, *, subjects: Iterable[URIRef] | None = None) -> MergeSummary:
    """Recompute the merged graph (all of it, or only what is about `subjects`)."""
    subjects = list(subjects) if subjects is not None else None
    if subjects is not None and not subjects:
        return MergeSummary()
    summary = MergeSummary()
    out = Graph()
    sources_all: set[str] = set()

    def derived(s: URIRef, p: URIRef, o, sources: Iterable[str]) -> None:
        srcs = sorted(set(sources))
        out.add((s, p, o))
        st = ID[f"statement/{short_hash(f'{s} {p} {o}', 16)}"]
        out.add((st, RDF.type, RDF.Statement))
        out.add((st, RDF.subject, s))
        out.add((st, RDF.predicate, p))
        out.add((st, RDF.object, o))
        for g in srcs:
            out.add((st, PROV.wasDerivedFrom, URIRef(g)))
            sources_all.add(g)

    fmt = {"ck": str(CK), "merged": str(MERGED_GRAPH)}
    rows = store.query(_CONF_QUERY % {**fmt, "values": _values(subjects, "c")})
    per_conf: dict[URIRef, dict[str, dict]] = defaultdict(dict)
    for r in rows:
        g, c = str(r.g), r.c
        per_conf[c][g] = {
            "start": r.start, "end": r.end, "year": r.year, "sday": r.sday, "eday": r.eday,
            "sw": r.sw, "ew": r.ew, "dur": r.dur, "inpub": r.inpub, "pub": r.pub,
        }  # fmt: skip
    for c, graphs in per_conf.items():
        summary.conferences += 1
        clue_sets = []
        stated = {"start": set(), "end": set(), "year": set()}
        for info in graphs.values():
            clues = DateClues(
                start_day=_md(info["start"]) or _md(info["sday"]),
                end_day=_md(info["end"]) or _md(info["eday"]),
                start_weekday=int(info["sw"]) - 1 if info["sw"] is not None else None,
                end_weekday=int(info["ew"]) - 1 if info["ew"] is not None else None,
                duration_days=int(info["dur"]) if info["dur"] is not None else None,
                this_month=bool(info["inpub"] and info["inpub"].toPython()),
            )
            year = int(str(info["year"])[:4]) if info["year"] is not None else None
            for k in ("start", "end"):
                if info[k] is not None:
                    stated[k].add(str(info[k]))
                    year = year or int(str(info[k])[:4])
            if year is not None:
                stated["year"].add(str(year))
            pub = date.fromisoformat(str(info["pub"])[:10]) if info["pub"] is not None else None
            clue_sets.append((clues, year, pub))
        if len(graphs) < 2:
            continue
        merged, year, published = combine(clue_sets)
        when = resolve(merged, stated_year=year, published=published)
        sources = list(graphs)
        if when.start and when.start.isoformat() not in stated["start"] and not stated["start"]:
            derived(c, CK.startDate, Literal(when.start.isoformat(), datatype=XSD.date), sources)
            summary.dates_completed += 1
        if when.end and when.end.isoformat() not in stated["end"] and not stated["end"]:
            derived(c, CK.endDate, Literal(when.end.isoformat(), datatype=XSD.date), sources)
            summary.dates_completed += 1
        if when.year and not stated["year"]:
            derived(c, CK.year, Literal(str(when.year), datatype=XSD.gYear), sources)

    labels: dict[URIRef, list[tuple[Literal, int, list[str]]]] = defaultdict(list)
    for r in store.query(_LABEL_QUERY % {**fmt, "values": _values(subjects, "s")}):
        labels[r.s].append((r.label, int(r.n), str(r.graphs).split()))
    for s, variants in labels.items():
        if len(variants) < 2:
            continue
        summary.labels_merged += 1
        # the spelling most articles use; on a tie the fuller one
        best = max(variants, key=lambda v: (v[1], len(str(v[0]))))
        all_graphs = [g for v in variants for g in v[2]]
        derived(s, SKOS.prefLabel, best[0], all_graphs)
        for label, _, graphs in variants:
            if label != best[0]:
                derived(s, SKOS.altLabel, label, graphs)

    for g in sorted(sources_all):
        out.add((MERGED_GRAPH, PROV.wasDerivedFrom, URIRef(g)))
    _write(store, out, subjects)
    return summary


def _write(store: KGStore, out: Graph, subjects: list[URIRef] | None) -> None:
    if subjects is not None:
        # keep what the merged graph says about other entities; redo these ones
        keep = store.graph(MERGED_GRAPH)
        redo = set(subjects)
        statements = {st for st, _, s in keep.triples((None, RDF.subject, None)) if s in redo}
        for s in redo | statements:
            keep.remove((s, None, None))
        keep.remove((MERGED_GRAPH, PROV.wasDerivedFrom, None))
        for t in out:
            keep.add(t)
        used = set(keep.objects(None, PROV.wasDerivedFrom))
        for g in used:
            keep.add((MERGED_GRAPH, PROV.wasDerivedFrom, g))
        out = keep
    store.replace_graphs({MERGED_GRAPH: out})


def subjects_of(store: KGStore, graphs: Iterable[URIRef]) -> list[URIRef]:
    """The conferences and labelled entities of some article graphs (to merge incrementally)."""
    values = " ".join(f"<{g}>" for g in graphs)
    if not values:
        return []
    rows = store.query(
        f"SELECT DISTINCT ?s WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s a ?t }} "
        f"FILTER(?t IN (<{CK}Conference>, <{CK}Official>, <{CK}Organisation>)) }}"
    )
    return [r.s for r in rows]


__all__ = ["update_merged", "subjects_of", "MergeSummary"]
