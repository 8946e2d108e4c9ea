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

Entities are merged MERGE_CHUNK at a time, each chunk patched into the merged
graph in one transaction (`KGStore.patch_graph`): memory follows the chunk, not
the corpus, and the merged graph is never read or rewritten whole. After every
chunk the graph node's sources are exactly those of the statements, so a failure
leaves some entities merged anew and the others as they were, all consistent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS, XSD

from confkg.models import DateClues
from confkg.namespaces import CK, ID, MERGED_GRAPH
from confkg.resolve.dates import combine, resolve
from confkg.resolve.iris import short_hash
from confkg.store import VALUES_ROWS, KGStore

# Entities per chunk: memory follows it. Kept well under VALUES_ROWS (1,000): Oxigraph joins a larger
# VALUES block by scanning every match of the pattern beside it in the whole store. On 3,000 articles
# (16,088 entities) the final merge took 5.1 / 5.8 / 5.5 s in chunks of 250 / 500 / 1,000, and 21 s
# in chunks of 2,000.
MERGE_CHUNK = 500
MERGED_CLASSES = (CK.Conference, CK.Official, CK.Organisation)  # what the merged graph is about


def _class_list() -> str:
    return ", ".join(f"<{c}>" for c in MERGED_CLASSES)


@dataclass
class MergeSummary:
    conferences: int = 0
    dates_completed: int = 0
    labels_merged: int = 0


# what an article graph says about a conference's dates: predicate -> key of the row dicts below
_CLUES = {
    "startDate": "start", "endDate": "end", "year": "year", "statedStartDay": "sday", "statedEndDay": "eday",
    "startWeekday": "sw", "endWeekday": "ew", "durationDays": "dur", "inPublicationMonth": "inpub",
}  # fmt: skip

# One row per clue, and one per rdf:type so that a conference without clues has a row too. Not one
# row per conference with an OPTIONAL per clue: Oxigraph evaluates each OPTIONAL over the whole
# store before joining it, a cost per chunk that grows with the corpus.
_CONF_QUERY = """
SELECT ?g ?c ?p ?o WHERE {
  %(values)s
  GRAPH ?g { ?c a <%(ck)sConference> ; ?p ?o }
  FILTER(?g != <%(merged)s>)
  FILTER(?p IN (<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>, %(clues)s))
}
"""

_PUBLISHED_QUERY = """
SELECT ?g ?pub WHERE {
  %(values)s
  GRAPH ?g { ?a a <%(ck)sArticle> ; <%(ck)spublished> ?pub }
}
"""

# The Arabic spellings of the given entities (always a VALUES list: the chunk's entities, each an
# instance of MERGED_CLASSES), to find those written more than one way. Read from the default
# graph, the set union of the named graphs, so each (entity, spelling) comes once however many
# articles give it; the merged graph states no rdfs:label. Reading them per article graph (and,
# before, joining each graph's `?s a ?type` too) grew with the articles naming an entity: an
# organisation's secretariat is named in 22,852 of 20,000 articles' graphs.
_SPELLINGS_QUERY = """
SELECT ?s ?label WHERE {
  %(values)s
  ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label
  FILTER(LANG(?label) = "ar")
}
"""
# Which article graphs give each spelling, asked only for the entities written more than one way
# (a few in a chunk). No `?s a ?type` in the pattern: every article graph that labels an entity
# types it, and the join read every (entity, graph) pair again.
_LABEL_GRAPHS_QUERY = """
SELECT ?s ?label (GROUP_CONCAT(STR(?g); separator=" ") AS ?graphs) WHERE {
  %(values)s
  GRAPH ?g { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }
  FILTER(LANG(?label) = "ar")
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


def update_merged(
    store: KGStore, *, subjects: Iterable[URIRef] | None = None, chunk_size: int = MERGE_CHUNK
) -> MergeSummary:
    """Recompute the merged graph (all of it, or only what is about `subjects`), `chunk_size` entities
    at a time, each chunk one transaction."""
    todo = _all_subjects(store) if subjects is None else sorted(set(subjects))
    summary = MergeSummary()
    for start in range(0, len(todo), chunk_size):
        _merge_chunk(store, todo[start : start + chunk_size], summary)
    return summary


def _all_subjects(store: KGStore) -> list[URIRef]:
    """Every entity the merged graph may say something about: those of the article graphs, and
    those it speaks of already (an entity whose last article went keeps nothing)."""
    # two queries, not a UNION: a query mixing GRAPH ?g and GRAPH <iri> misreads on Virtuoso (confkg.store.remote)
    entities = store.select_values(
        f"""SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s a ?t }} FILTER(?g != <{MERGED_GRAPH}>)
              FILTER(?t IN ({_class_list()})) }}"""
    )
    merged = store.select_values(
        f"SELECT DISTINCT ?s WHERE {{ GRAPH <{MERGED_GRAPH}> {{ ?st <{RDF.subject}> ?s }} }}"
    )
    return [URIRef(s) for s in sorted({s for (s,) in entities} | {s for (s,) in merged})]


def _merge_chunk(store: KGStore, subjects: list[URIRef], summary: MergeSummary) -> None:
    """Merge a few entities and patch what the merged graph says about them, in one transaction."""
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
    per_conf = _conference_clues(store, subjects, fmt)
    for c, graphs in per_conf.items():
        summary.conferences += 1
        clue_sets = []
        stated = {"start": set(), "end": set(), "year": set()}
        # in the order of their graphs' IRIs: combine() takes the first clue of each kind, and the
        # engine's row order differs between a chunk of entities and another
        for _, info in sorted(graphs.items()):
            clues = DateClues(
                start_day=_md(info["start"]) or _md(info["sday"]),
                end_day=_md(info["end"]) or _md(info["eday"]),
                start_weekday=int(info["sw"]) - 1 if info["sw"] is not None else None,
                end_weekday=int(info["ew"]) - 1 if info["ew"] is not None else None,
                duration_days=int(info["dur"]) if info["dur"] is not None else None,
                this_month=info["inpub"] in ("true", "1"),
            )
            year = int(info["year"][:4]) if info["year"] is not None else None
            for k in ("start", "end"):
                if info[k] is not None:
                    stated[k].add(info[k])
                    year = year or int(info[k][:4])
            if year is not None:
                stated["year"].add(str(year))
            pub = date.fromisoformat(info["pub"][:10]) if info["pub"] is not None else None
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

    spellings: dict[str, int] = defaultdict(int)
    for s, _ in store.select_values(_SPELLINGS_QUERY % {**fmt, "values": _values(subjects, "s")}):
        spellings[s] += 1
    several = sorted(s for s, n in spellings.items() if n > 1)
    labels: dict[URIRef, list[tuple[Literal, int, list[str]]]] = defaultdict(list)
    if several:
        query = _LABEL_GRAPHS_QUERY % {**fmt, "values": _values(several, "s")}
        for s, label, graphs in store.select_values(query):
            sources = graphs.split()  # one a graph: a graph states a label once
            labels[URIRef(s)].append((Literal(label, lang="ar"), len(sources), sources))
    for s, variants in labels.items():
        if len(variants) < 2:
            continue
        summary.labels_merged += 1
        # the spelling most articles use; on a tie the fuller one, then the first in code-point
        # order (not the first row: the engine's row order differs from one chunk to another)
        best = min(variants, key=lambda v: (-v[1], -len(str(v[0])), str(v[0])))
        all_graphs = [g for v in variants for g in v[2]]
        derived(s, SKOS.prefLabel, best[0], all_graphs)
        for label, _, graphs in variants:
            if label != best[0]:
                derived(s, SKOS.altLabel, label, graphs)

    for g in sorted(sources_all):
        out.add((MERGED_GRAPH, PROV.wasDerivedFrom, URIRef(g)))
    # the graph node keeps a source while a statement about another entity still rests on it
    gone = _sources_of(store, subjects) - {URIRef(g) for g in sources_all}
    dropped = [(MERGED_GRAPH, PROV.wasDerivedFrom, g) for g in gone - _cited_beyond(store, gone, subjects)]
    store.patch_graph(MERGED_GRAPH, delete_subjects=subjects, delete=dropped, insert=out)


def _conference_clues(
    store: KGStore, subjects: list[URIRef], fmt: dict
) -> dict[URIRef, dict[str, dict[str, str | None]]]:
    """What each article graph says about the dates of each conference among `subjects`
    (conference -> graph -> clue key -> lexical value or None), with the article's publication date."""
    clues = ", ".join(f"<{CK}{name}>" for name in _CLUES)
    per_conf: dict[URIRef, dict[str, dict[str, str | None]]] = defaultdict(dict)
    query = _CONF_QUERY % {**fmt, "values": _values(subjects, "c"), "clues": clues}
    for g, c, p, o in store.select_values(query):
        info = per_conf[URIRef(c)].setdefault(g, dict.fromkeys([*_CLUES.values(), "pub"]))
        if p != str(RDF.type):
            _keep_first(info, _CLUES[p[len(CK) :]], o)
    graphs = sorted({g for infos in per_conf.values() for g in infos})
    published: dict[str, dict[str, str | None]] = defaultdict(lambda: {"pub": None})
    for start in range(0, len(graphs), VALUES_ROWS):
        values = _values(graphs[start : start + VALUES_ROWS], "g")
        for g, pub in store.select_values(_PUBLISHED_QUERY % {**fmt, "values": values}):
            _keep_first(published[g], "pub", pub)
    for infos in per_conf.values():
        for g, info in infos.items():
            info["pub"] = published[g]["pub"]
    return per_conf


def _keep_first(info: dict[str, str | None], key: str, value: str) -> None:
    # one value each in a valid article graph (SHACL); should there be more, the same one every time
    if info[key] is None or value < info[key]:
        info[key] = value


def _sources_of(store: KGStore, subjects: list[URIRef]) -> set[URIRef]:
    """The sources of what the merged graph says now about `subjects`."""
    rows = store.select_values(
        f"""SELECT DISTINCT ?g WHERE {{ GRAPH <{MERGED_GRAPH}> {{
          {_values(subjects, "s")} ?st <{RDF.subject}> ?s ; <{PROV.wasDerivedFrom}> ?g }} }}"""
    )
    return {URIRef(g) for (g,) in rows}


def _cited_beyond(store: KGStore, sources: set[URIRef], subjects: list[URIRef]) -> set[URIRef]:
    """Those of `sources` that a merged statement about an entity other than `subjects` cites."""
    ordered, chunk = sorted(sources), {str(s) for s in subjects}
    cited = set()
    for start in range(0, len(ordered), VALUES_ROWS):
        rows = store.select_values(
            f"""SELECT DISTINCT ?g ?s WHERE {{ GRAPH <{MERGED_GRAPH}> {{
              {_values(ordered[start : start + VALUES_ROWS], "g")} ?st <{PROV.wasDerivedFrom}> ?g ; <{RDF.subject}> ?s }} }}"""
        )
        cited |= {URIRef(g) for g, s in rows if s not in chunk}
    return cited


def subjects_of(
    store: KGStore, graphs: Iterable[URIRef], classes: Iterable[URIRef] = MERGED_CLASSES
) -> list[URIRef]:
    """The instances of `classes` (by default the conferences and labelled entities the merged graph
    is about) that some stored article graphs type: what to merge, or link, again after a change."""
    return sorted({s for s, _ in typed_subjects_of(store, graphs, classes)})


def typed_subjects_of(
    store: KGStore, graphs: Iterable[URIRef], classes: Iterable[URIRef]
) -> set[tuple[URIRef, URIRef]]:
    """(subject, class) for each instance of one of `classes` typed in some stored article graphs."""
    values = " ".join(f"<{g}>" for g in graphs)
    listed = ", ".join(f"<{c}>" for c in classes)
    if not values or not listed:
        return set()
    rows = store.select_values(
        f"SELECT DISTINCT ?s ?t WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s a ?t }} "
        f"FILTER(ISIRI(?s) && ?t IN ({listed})) }}"
    )
    return {(URIRef(s), URIRef(t)) for s, t in rows}


def subjects_in(graphs: Iterable[Graph | str], classes: Iterable[URIRef] = MERGED_CLASSES) -> set[URIRef]:
    """What `subjects_of` gives for these graphs once stored, read from the graphs themselves."""
    return {s for s, _ in typed_subjects_in(graphs, classes)}


def typed_subjects_in(graphs: Iterable[Graph | str], classes: Iterable[URIRef]) -> set[tuple[URIRef, URIRef]]:
    """What `typed_subjects_of` gives for these graphs once stored, read from the graphs themselves.

    A graph is an rdflib Graph, a confkg.rdf.TripleSet or its N-Triples text. The build
    uses this for the graphs it has just written rather than querying the store: reading
    files the bulk loader has just ingested makes RocksDB keep memory for each of them
    (the writer grew ~20 MiB per 1,000 articles; docs/scaling.md).
    """
    out: set[tuple[URIRef, URIRef]] = set()
    type_iri = f"<{RDF.type}>"
    wanted = {str(c): URIRef(c) for c in classes}
    marks = [f"<{c}>" for c in wanted]
    for graph in graphs:
        if isinstance(graph, str):
            # only the lines naming one of the classes go through the parser (which reads escapes
            # and any spacing); str.find runs in C, a loop over every line did not
            lines = []
            for mark in marks:
                at = graph.find(mark)
                while at >= 0:
                    start = graph.rfind("\n", 0, at) + 1
                    end = graph.find("\n", at)
                    end = len(graph) if end < 0 else end
                    if type_iri in graph[start:end]:
                        lines.append(graph[start:end])
                    at = graph.find(mark, end)
            for t in ox.parse("\n".join(lines), format=ox.RdfFormat.N_TRIPLES):
                if (
                    isinstance(t.subject, ox.NamedNode)
                    and t.predicate.value == str(RDF.type)
                    and t.object.value in wanted
                ):
                    out.add((URIRef(t.subject.value), wanted[t.object.value]))
        else:
            for s, _, o in graph.triples((None, RDF.type, None)):
                if isinstance(s, URIRef) and str(o) in wanted:
                    out.add((s, wanted[str(o)]))
    return out


__all__ = [
    "update_merged",
    "subjects_of",
    "subjects_in",
    "typed_subjects_of",
    "typed_subjects_in",
    "MergeSummary",
]
