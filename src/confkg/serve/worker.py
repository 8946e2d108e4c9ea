"""The query worker: a child process that opens a store snapshot read-only and runs one job at a time.

Oxigraph cannot interrupt a query in-process, so every query runs here, in a
process the server can kill when the time limit passes. The module imports
nothing of the web stack, so a worker starts in a fraction of a second.
Jobs and replies are plain dicts sent over a `multiprocessing` pipe.
"""

from __future__ import annotations

import ctypes
import os
import resource
import traceback
from collections.abc import Iterator
from itertools import islice
from typing import Any

import pyoxigraph as ox

CK = "https://w3id.org/confkg/ontology#"
ID = "https://w3id.org/confkg/id/"
GRAPH = ID + "graph/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL_SAMEAS = "http://www.w3.org/2002/07/owl#sameAs"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
MERGED = GRAPH + "merged"
LINKS = GRAPH + "wikidata-links"
META = GRAPH + "meta"

# Predicates the entity page shows in their own sections rather than as facts.
SECTION_PREDICATES = {
    RDF_TYPE,
    RDFS_LABEL,
    SKOS + "prefLabel",
    SKOS + "altLabel",
    OWL_SAMEAS,
    CK + "evidence",
    CK + "mentionedIn",
}
MAX_INCOMING = 300
MAX_OUTGOING = 1000

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "trig": ox.RdfFormat.TRIG,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "nquads": ox.RdfFormat.N_QUADS,
}
PREFIXED_FORMATS = {"turtle", "trig"}
QUAD_FORMATS = {"trig", "nquads"}


class JobError(Exception):
    """A job that cannot be answered; `status` is the HTTP status the server should give."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# -- process set-up ------------------------------------------------------------


def isolate_network() -> bool:
    """Move this process into a new, empty network namespace (no interface, not even loopback).

    Defence in depth: when no SERVICE host is allowed, the worker should never
    talk to the network, so even a SERVICE clause the query check missed has
    nowhere to go. It needs CAP_SYS_ADMIN (root) or unprivileged user
    namespaces; where neither is available it returns False and the check in
    `confkg.serve.safety` is the only guard.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    clone_newnet, clone_newuser = 0x40000000, 0x10000000
    if libc.unshare(clone_newnet) == 0:
        return True
    return libc.unshare(clone_newuser | clone_newnet) == 0


def limit_memory(max_bytes: int | None) -> None:
    """Cap this process's address space, so a query that materialises too much dies alone."""
    if not max_bytes:
        return
    try:
        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))
    except (ValueError, OSError):
        pass


def worker_main(conn, settings: dict[str, Any]) -> None:
    """Entry point of a worker process: answer jobs until the pipe closes."""
    isolated = isolate_network() if settings.get("isolate_network") else False
    limit_memory(settings.get("max_memory"))
    conn.send({"ready": True, "pid": os.getpid(), "isolated": isolated})
    store: ox.Store | None = None
    opened: str | None = None
    union_fallback = False
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            path = job["snapshot"]
            if path != opened:
                store = None  # close the old snapshot before opening the new one
                store = ox.Store.read_only(path)
                opened = path
                union_fallback = default_graph_missing(store)
            assert store is not None
            job["union_fallback"] = union_fallback
            reply = {"ok": True, **run_job(store, job)}
        except JobError as exc:
            reply = {"ok": False, "status": exc.status, "message": exc.message}
        except MemoryError:
            reply = {"ok": False, "status": 503, "message": "the query needed more memory than allowed"}
        except Exception as exc:  # the message goes back to the client; the worker lives on
            reply = {
                "ok": False,
                "status": 500,
                "message": f"{type(exc).__name__}: {exc}",
                "trace": traceback.format_exc(limit=5),
            }
        reply["snapshot"] = opened
        try:
            conn.send(reply)
        except (EOFError, OSError, BrokenPipeError):
            return


def default_graph_missing(store: ox.Store) -> bool:
    """True for a store whose default graph is empty although named graphs hold data.

    `KGStore` keeps the default graph equal to the set union of the named
    graphs. A store written before it did has only named graphs; for it,
    queries fall back to Oxigraph's union of the named graphs, so that they
    still find something (with a triple repeated once per graph that holds it).
    """
    if next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        return False
    return next(iter(store.named_graphs()), None) is not None


def run_job(store: ox.Store, job: dict[str, Any]) -> dict[str, Any]:
    op = job["op"]
    if op == "query":
        return run_query(store, job)
    if op == "entity":
        return {"entity": entity_view(store, job["iri"])}
    if op == "describe":
        return describe(store, job["iri"], job["format"], job.get("prefixes") or {})
    if op == "graphs":
        return {"graphs": graph_sizes(store)}
    if op == "search":
        return {"hits": search(store, job["text"], job.get("limit", 100))}
    if op == "ping":
        return {}
    raise JobError(400, f"unknown job {op!r}")


# -- SPARQL queries ------------------------------------------------------------


def _default_prefixes() -> dict[str, str]:
    from confkg.namespaces import KIND_PREFIXES, PREFIXES

    return {p: str(ns) for p, ns in {**PREFIXES, **KIND_PREFIXES}.items()}


DEFAULT_PREFIXES = _default_prefixes()


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def run_query(store: ox.Store, job: dict[str, Any]) -> dict[str, Any]:
    """Run one query and serialise at most `max_rows` rows (or triples) in the asked format."""
    kwargs: dict[str, Any] = {}
    if job.get("default_graphs") is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job["default_graphs"]]
    elif job.get("store_default_graph") and job.get("union_fallback"):
        kwargs["use_default_graph_as_union"] = True
    if job.get("named_graphs") is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
    # like the Wikidata and Virtuoso endpoints, confkg's prefixes (ck:, rdfs:, skos:, wd:,
    # conference: …) are predefined; a query's own PREFIX lines take precedence
    kwargs["prefixes"] = DEFAULT_PREFIXES
    try:
        result = store.query(job["query"], **kwargs)
    except SyntaxError as exc:
        raise JobError(400, _one_line(exc)) from exc
    except ValueError as exc:
        raise JobError(400, _one_line(exc)) from exc
    max_rows = int(job["max_rows"])
    try:
        if isinstance(result, ox.QueryBoolean):
            fmt = job.get("result_format")
            if fmt is None:
                raise JobError(406, "ASK answers come as SPARQL results (JSON, XML, CSV or TSV)")
            return {"form": "ASK", "body": result.serialize(format=RESULT_FORMATS[fmt]), "rows": 1}
        if isinstance(result, ox.QuerySolutions):
            fmt = job.get("result_format")
            if fmt is None:
                raise JobError(406, "SELECT answers come as SPARQL results (JSON, XML, CSV or TSV)")
            variables = result.variables
            rows = list(islice(result, max_rows + 1))
            truncated = len(rows) > max_rows
            rows = rows[:max_rows]
            return {
                "form": "SELECT",
                "body": _solutions_bytes(variables, rows, RESULT_FORMATS[fmt]),
                "rows": len(rows),
                "truncated": truncated,
            }
        fmt = job.get("graph_format")
        if fmt is None:
            raise JobError(
                406, "CONSTRUCT and DESCRIBE answers come as RDF (Turtle, N-Triples, JSON-LD, TriG)"
            )
        triples = list(islice(result, max_rows + 1))
        truncated = len(triples) > max_rows
        triples = triples[:max_rows]
        return {
            "form": "CONSTRUCT",
            "body": serialize_triples(triples, fmt, job.get("prefixes") or {}),
            "rows": len(triples),
            "truncated": truncated,
        }
    except (RuntimeError, OSError) as exc:
        # Evaluation errors (a failing SERVICE, a store read error) surface while iterating.
        raise JobError(500, f"the query failed while running: {_one_line(exc)}") from exc


def _solutions_bytes(variables: list[ox.Variable], rows: list[ox.QuerySolution], fmt) -> bytes:
    """Serialise already-fetched rows with Oxigraph's own writers.

    Oxigraph writes results only from a live QuerySolutions iterator, which
    cannot be cut at `max_rows`. The rows are written out as SPARQL TSV (each
    term in its N-Triples form, which is exactly what TSV holds), read back
    with Oxigraph's TSV parser and written in the asked format, so every
    format is still produced by Oxigraph.
    """
    lines = ["\t".join(f"?{v.value}" for v in variables)]
    for row in rows:
        cells = []
        for v in variables:
            term = row[v]
            cells.append("" if term is None else str(term))
        lines.append("\t".join(cells))
    tsv = "\n".join(lines) + "\n"
    return ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV).serialize(format=fmt)


def _order(item: Any) -> tuple[str, ...]:
    # Oxigraph's writers group consecutive statements by subject: sorting gives one block per subject.
    graph = str(item.graph_name) if isinstance(item, ox.Quad) else ""
    return (graph, str(item.subject), str(item.predicate), str(item.object))


def serialize_triples(triples: list[ox.Triple], fmt: str, prefixes: dict[str, str]) -> bytes:
    form = GRAPH_FORMATS[fmt]
    if fmt in QUAD_FORMATS:
        items: list[Any] = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    else:
        items = triples
    if fmt in PREFIXED_FORMATS:
        return ox.serialize(items, format=form, prefixes=_used_prefixes(items, prefixes))
    return ox.serialize(items, format=form)


def _used_prefixes(items: list[Any], prefixes: dict[str, str]) -> dict[str, str]:
    """Only the prefixes the data uses, so a small answer does not start with a dozen PREFIX lines."""
    seen: set[str] = set()
    for item in items:
        for term in (item.subject, item.predicate, item.object):
            if isinstance(term, ox.NamedNode):
                seen.add(term.value)
            elif isinstance(term, ox.Literal):
                seen.add(term.datatype.value)
    return {p: ns for p, ns in prefixes.items() if any(iri.startswith(ns) for iri in seen)}


# -- linked data ------------------------------------------------------------------


def _term(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "iri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        return {
            "type": "literal",
            "value": term.value,
            "lang": term.language,
            "datatype": term.datatype.value if term.datatype else None,
        }
    return {"type": "other", "value": str(term)}


def named_quads(store: ox.Store, s: Any, p: Any, o: Any) -> Iterator[ox.Quad]:
    """Quads in named graphs only: the default graph repeats them as the union, without provenance."""
    for q in store.quads_for_pattern(s, p, o, None):
        if not isinstance(q.graph_name, ox.DefaultGraph):
            yield q


def _graph_iri(g: Any) -> str | None:
    return g.value if isinstance(g, ox.NamedNode) else None


def graph_sizes(store: ox.Store) -> dict[str, Any]:
    """Triples in the default graph and in each named graph (for the service description)."""
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
    named = [(r["g"].value, int(r["n"].value)) for r in rows if isinstance(r["g"], ox.NamedNode)]
    default = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"]
    return {"default": int(default.value), "named": named}


def describe(store: ox.Store, iri: str, fmt: str, prefixes: dict[str, str]) -> dict[str, Any]:
    """RDF about one IRI: its triples either way round, plus the evidence behind them.

    For a named graph's IRI the answer is the graph itself.
    """
    node = ox.NamedNode(iri)
    quads: list[ox.Quad] = []
    graph_quads = list(islice(store.quads_for_pattern(None, None, None, node), MAX_OUTGOING * 50))
    if graph_quads:
        quads = graph_quads
    else:
        quads = list(islice(named_quads(store, node, None, None), MAX_OUTGOING))
        quads += list(islice(named_quads(store, None, None, node), MAX_INCOMING))
        evidence = {q.object for q in quads if q.predicate.value == CK + "evidence"}
        for ev in evidence:
            if isinstance(ev, ox.NamedNode | ox.BlankNode):
                quads += list(named_quads(store, ev, None, None))
    if not quads:
        raise JobError(404, f"nothing is known about <{iri}> in this store")
    form = GRAPH_FORMATS[fmt]
    if fmt in QUAD_FORMATS:
        # TriG and N-Quads keep each statement's graph: which article it came from.
        items: list[Any] = sorted(set(quads), key=_order)
    else:
        items = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=_order)
    if fmt in PREFIXED_FORMATS:
        body = ox.serialize(items, format=form, prefixes=_used_prefixes(items, prefixes))
    else:
        body = ox.serialize(items, format=form)
    return {"body": body}


class _Lookup:
    """Cached reads the entity page needs: labels, articles behind graphs, evidence sentences."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._labels: dict[str, dict[str, str]] = {}
        self._names: dict[str, list[str]] = {}
        self._articles: dict[str, dict[str, Any] | None] = {}
        self._evidence: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def labels(self, iri: str) -> dict[str, str]:
        """The first label per language (skos:prefLabel before rdfs:label), e.g. {"ar": …, "en": …}."""
        if iri not in self._labels:
            out: dict[str, str] = {}
            node = ox.NamedNode(iri)
            for pred in (SKOS + "prefLabel", RDFS_LABEL):
                for q in self.store.quads_for_pattern(node, ox.NamedNode(pred), None, None):
                    if isinstance(q.object, ox.Literal):
                        out.setdefault(q.object.language or "", q.object.value)
            self._labels[iri] = out
        return self._labels[iri]

    def all_names(self, iri: str) -> list[str]:
        """Every label and alternative spelling, to recognise the entity in a sentence."""
        if iri not in self._names:
            node = ox.NamedNode(iri)
            names: set[str] = set()
            for pred in (SKOS + "prefLabel", RDFS_LABEL, SKOS + "altLabel"):
                for q in self.store.quads_for_pattern(node, ox.NamedNode(pred), None, None):
                    if isinstance(q.object, ox.Literal) and len(q.object.value) > 1:
                        names.add(q.object.value)
            self._names[iri] = sorted(names, key=len, reverse=True)
        return self._names[iri]

    def article(self, graph: str) -> dict[str, Any] | None:
        """The article a graph was built from: its IRI, id, title, url, date."""
        if graph not in self._articles:
            g = ox.NamedNode(graph)
            found = None
            for q in self.store.quads_for_pattern(
                None, ox.NamedNode(RDF_TYPE), ox.NamedNode(CK + "Article"), g
            ):
                node = q.subject
                info: dict[str, Any] = {"iri": node.value if isinstance(node, ox.NamedNode) else None}
                for p in self.store.quads_for_pattern(node, None, None, g):
                    key = {
                        CK + "articleId": "id",
                        RDFS_LABEL: "title",
                        CK + "url": "url",
                        CK + "published": "published",
                    }.get(p.predicate.value)
                    if key and isinstance(p.object, ox.Literal):
                        info.setdefault(key, p.object.value)
                info.setdefault("id", graph[len(GRAPH) :] if graph.startswith(GRAPH) else graph)
                found = info
                break
            self._articles[graph] = found
        return self._articles[graph]

    def evidence(self, subject: Any, graph: str) -> list[dict[str, Any]]:
        """The sentences a subject's ck:evidence nodes hold in one graph, in text order."""
        key = (str(subject), graph)
        if key not in self._evidence:
            g = ox.NamedNode(graph)
            out = []
            for q in self.store.quads_for_pattern(subject, ox.NamedNode(CK + "evidence"), None, g):
                ev = q.object
                if not isinstance(ev, ox.NamedNode | ox.BlankNode):
                    continue
                item: dict[str, Any] = {"evidence": ev.value if isinstance(ev, ox.NamedNode) else None}
                for p in self.store.quads_for_pattern(ev, None, None, g):
                    name = p.predicate.value
                    if name == CK + "sentence" and isinstance(p.object, ox.Literal):
                        item["text"] = p.object.value
                        item["lang"] = p.object.language
                    elif name in (CK + "beginIndex", CK + "endIndex") and isinstance(p.object, ox.Literal):
                        try:
                            item["begin" if name.endswith("beginIndex") else "end"] = int(p.object.value)
                        except ValueError:
                            pass
                if item.get("text"):
                    out.append(item)
            out.sort(key=lambda e: e.get("begin", 0))
            self._evidence[key] = out
        return self._evidence[key]

    def derived_from(self, graph: str) -> list[str]:
        g = ox.NamedNode(graph)
        return sorted(
            {
                q.object.value
                for q in self.store.quads_for_pattern(g, ox.NamedNode(PROV_DERIVED), None, None)
                if isinstance(q.object, ox.NamedNode)
            }
        )


def _source(look: _Lookup, this: Any, graph: str | None, other: Any, own_graphs: set[str]) -> dict[str, Any]:
    """Where one fact about `this` (linking it to `other`) comes from: graph, article, sentences.

    The supporting sentences are the ck:evidence sentences, in the fact's own
    graph, of the entity the page is about, then those of the other end of the
    fact. A sentence both ends cite, or one that names the other end, comes
    first and is marked as the best match.
    """
    if graph is None:
        return {"graph": None, "kind": "default"}
    if graph == MERGED:
        derived = [g for g in look.derived_from(graph) if g in own_graphs]
        return {
            "graph": graph,
            "kind": "merged",
            "derived": [{"graph": g, "article": look.article(g)} for g in derived],
        }
    if graph == LINKS:
        return {"graph": graph, "kind": "links"}
    if graph == META:
        return {"graph": graph, "kind": "meta"}
    own = look.evidence(this, graph)
    theirs = look.evidence(other, graph) if isinstance(other, ox.NamedNode | ox.BlankNode) else []

    def names_of(term: Any) -> list[str]:
        if isinstance(term, ox.NamedNode):
            return look.all_names(term.value)
        if isinstance(term, ox.Literal):
            return [term.value]
        return []

    other_names, this_names = names_of(other), names_of(this)
    shared = {e["evidence"] for e in own if e.get("evidence")} & {e["evidence"] for e in theirs}
    ranked: list[tuple[int, int, dict[str, Any]]] = []
    for order, (item, names) in enumerate(
        [(e, other_names) for e in own] + [(e, this_names) for e in theirs]
    ):
        match = item.get("evidence") in shared or any(n in item["text"] for n in names)
        ranked.append((0 if match else 1, order, {**item, "match": match}))
    sentences: list[dict[str, Any]] = []
    seen: set[str] = set()
    for _, _, item in sorted(ranked, key=lambda r: (r[0], r[1])):
        if item["text"] not in seen:
            seen.add(item["text"])
            sentences.append(item)
    return {"graph": graph, "kind": "article", "article": look.article(graph), "sentences": sentences}


def entity_view(store: ox.Store, iri: str) -> dict[str, Any]:
    """Everything the entity page shows about one IRI, as plain data."""
    node = ox.NamedNode(iri)
    look = _Lookup(store)
    out_quads = list(islice(named_quads(store, node, None, None), MAX_OUTGOING + 1))
    in_quads = list(islice(named_quads(store, None, None, node), MAX_INCOMING * 4))
    graph_size = sum(1 for _ in islice(store.quads_for_pattern(None, None, None, node), 100_000))
    view: dict[str, Any] = {
        "iri": iri,
        "exists": bool(out_quads or in_quads or graph_size),
        "graph_size": graph_size,
        "graph_article": look.article(iri) if graph_size else None,
        "types": [],
        "labels": [],
        "same_as": [],
        "mentioned_in": [],
        "facts_out": [],
        "facts_in": [],
        "names": {},
        "truncated_out": len(out_quads) > MAX_OUTGOING,
        "truncated_in": False,
    }
    out_quads = out_quads[:MAX_OUTGOING]
    own_graphs = {g for q in out_quads if (g := _graph_iri(q.graph_name))}

    facts: dict[tuple[str, str], dict[str, Any]] = {}
    label_seen: set[tuple[str, str | None, str]] = set()
    for q in out_quads:
        p = q.predicate.value
        g = _graph_iri(q.graph_name)
        o = q.object
        if p == RDF_TYPE and isinstance(o, ox.NamedNode):
            if o.value not in view["types"]:
                view["types"].append(o.value)
        elif p in (RDFS_LABEL, SKOS + "prefLabel", SKOS + "altLabel") and isinstance(o, ox.Literal):
            kind = p.rsplit("#", 1)[-1]
            key = (o.value, o.language, kind)
            if key not in label_seen:
                label_seen.add(key)
                view["labels"].append({"text": o.value, "lang": o.language, "kind": kind})
        elif p == OWL_SAMEAS and isinstance(o, ox.NamedNode):
            if o.value not in view["same_as"]:
                view["same_as"].append(o.value)
        elif p == CK + "mentionedIn" and isinstance(o, ox.NamedNode):
            art = look.article(g) if g else None
            entry = {"iri": o.value, "graph": g, "article": art}
            if all(e["iri"] != o.value for e in view["mentioned_in"]):
                view["mentioned_in"].append(entry)
        elif p == CK + "evidence":
            continue
        else:
            key = (p, str(o))
            fact = facts.setdefault(key, {"p": p, "o": _term(o), "sources": []})
            fact["sources"].append(_source(look, node, g, o, own_graphs))
    view["facts_out"] = sorted(facts.values(), key=lambda f: (f["p"], f["o"]["value"]))

    incoming: dict[tuple[str, str], dict[str, Any]] = {}
    evidence_type = ox.NamedNode(CK + "Evidence")
    for q in in_quads:
        s = q.subject
        p = q.predicate.value
        g = _graph_iri(q.graph_name)
        if p == CK + "inArticle" or p == CK + "evidence":
            continue
        if next(iter(store.quads_for_pattern(s, ox.NamedNode(RDF_TYPE), evidence_type, None)), None):
            continue
        key = (str(s), p)
        if key not in incoming and len(incoming) >= MAX_INCOMING:
            view["truncated_in"] = True
            continue
        fact = incoming.setdefault(key, {"s": _term(s), "p": p, "sources": []})
        fact["sources"].append(_source(look, node, g, s, own_graphs))
    view["facts_in"] = sorted(incoming.values(), key=lambda f: (f["p"], f["s"]["value"]))

    referenced = set(view["types"])
    referenced.update(f["o"]["value"] for f in view["facts_out"] if f["o"]["type"] == "iri")
    referenced.update(f["s"]["value"] for f in view["facts_in"] if f["s"]["type"] == "iri")
    referenced.add(iri)
    view["names"] = {r: look.labels(r) for r in referenced}
    return view


SEARCH_QUERY = """
SELECT ?s (MIN(STR(?t)) AS ?type) WHERE {
  VALUES ?needle { $NEEDLE }
  { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }
  UNION { ?s <http://www.w3.org/2004/02/skos/core#altLabel> ?l }
  FILTER(isIRI(?s) && CONTAINS(LCASE(STR(?l)), LCASE(?needle)))
  OPTIONAL { ?s a ?t }
} GROUP BY ?s ORDER BY ?type ?s
"""


def search(store: ox.Store, text: str, limit: int) -> list[dict[str, Any]]:
    """Entities whose label contains `text` (case-insensitive), with their labels and types."""
    text = text.strip()
    if not text:
        return []
    # The text goes in as an N-Triples literal, escaped by Oxigraph, never spliced raw.
    needle = str(ox.Literal(text))
    rows = store.query(SEARCH_QUERY.replace("$NEEDLE", needle), use_default_graph_as_union=True)
    look = _Lookup(store)
    hits = []
    for row in islice(rows, limit):
        s = row["s"].value
        hits.append({"iri": s, "type": row["type"].value if row["type"] else None, "labels": look.labels(s)})
    return hits


# -- updates (only with --allow-update) -------------------------------------------


def update_main(conn, store_dir: str, update: str, isolate: bool) -> None:
    """Child process: apply one SPARQL Update to the live store, as one transaction, and exit.

    It opens the store for writing only for the length of the update, so a
    `confkg build` is kept out for that long and no longer; if a build holds
    the store, the update is refused rather than queued.
    """
    if isolate:
        isolate_network()
    try:
        try:
            store = ox.Store(store_dir)
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise JobError(
                    503, "the store is being written by another process (confkg build?); retry later"
                ) from exc
            raise JobError(500, f"cannot open the store for writing: {_one_line(exc)}") from exc
        try:
            store.update(update)
        except SyntaxError as exc:
            raise JobError(400, _one_line(exc)) from exc
        except (OSError, RuntimeError, ValueError) as exc:
            raise JobError(500, f"the update failed and was not applied: {_one_line(exc)}") from exc
        store.flush()
        del store
        conn.send({"ok": True})
    except JobError as exc:
        conn.send({"ok": False, "status": exc.status, "message": exc.message})
    except Exception as exc:
        conn.send({"ok": False, "status": 500, "message": f"{type(exc).__name__}: {_one_line(exc)}"})
