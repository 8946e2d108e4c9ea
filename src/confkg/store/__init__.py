"""The store: the one place confkg opens its embedded, persistent Oxigraph dataset.

Everything else talks to it through rdflib's API (`KGStore.dataset`) or plain
SPARQL strings (`KGStore.query`), which oxrdflib hands to Oxigraph's own engine.
Writes are transactional: `replace_graphs` swaps any number of named graphs in
one Oxigraph transaction, and `patch_graph` edits part of one large graph (what
it says about some subjects) in one, so a failure leaves the store as it was.

The default graph holds the union of all named graphs, as a set. Oxigraph's own
"default graph as union" answers once per named graph a triple is in (a bag), so
a conference reported by two articles would come back twice; instead every write
keeps the default graph equal to the set union, in the same transaction.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import io
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF
from rdflib.query import Result
from rdflib.term import Node

from confkg.models import StatementLines
from confkg.namespaces import CK, GRAPH, bind_prefixes, export_prefixes
from confkg.store.terms import TermConverter, as_result

DEFAULT_LOCATION = "confkg-data"
FLUSH_EVERY_QUADS = 100_000  # measured: bounded memory and faster writes than no flush or a flush per write
# Oxigraph joins a VALUES block of at most 1,000 rows by looking each row up; a larger one, by
# scanning everything the pattern beside it matches in the store: cost with the store's size.
VALUES_ROWS = 1000
# Each article graph holds one article node with its ck:articleId (SHACL): counting those graphs
# reads one index range (0.17 s for 20,000 articles) where listing every named graph took 1.8 s.
ARTICLE_COUNT_QUERY = f"SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?a <{CK.articleId}> ?id }} }}"

# Oxigraph's bulk loader ingests its files once per million quads (its default chunk)
BULK_CHUNK_QUADS = 1_000_000


class StoreError(Exception):
    """The store cannot be opened or written; the message says why, in one line."""


class KGStore:
    """An embedded Oxigraph store on disk, seen through rdflib as a Dataset."""

    def __init__(self, ox_store: ox.Store, location: str | None) -> None:
        self.ox = ox_store
        self.location = location
        self.read_only = False  # open_read_only: no lock taken, no writes
        self._unflushed = 0  # quads written since the last flush
        self.dataset = Dataset(store=OxigraphStore(store=ox_store), default_union=False)
        bind_prefixes(self.dataset)

    @classmethod
    def open(cls, location: str | Path | None = DEFAULT_LOCATION, *, create: bool = True) -> KGStore:
        """Open the store at `location` (a folder), creating it when `create` is true.

        `location=None` gives an in-memory store (tests, benchmarks); an http(s)
        URL, a SPARQL 1.1 server (`confkg.store.remote.RemoteStore`, same methods).
        """
        if location is None:
            return cls(ox.Store(), None)
        if isinstance(location, str) and location.lower().startswith(("http://", "https://")):
            from confkg.store.remote import RemoteStore

            return RemoteStore.open(location)  # type: ignore[return-value]  # KGStore's methods, no .ox
        path = Path(location)
        if not path.exists() and not create:
            raise StoreError(f"{path}: no confkg store here (run 'confkg build' first)")
        if path.exists() and not path.is_dir():
            raise StoreError(f"{path}: not a folder, cannot hold a store")
        try:
            return cls(ox.Store(str(path)), str(path))
        except OSError as exc:
            msg = str(exc)
            if "lock" in msg.lower():
                raise StoreError(
                    f"{path}: the store is open in another confkg process (build or serve); "
                    "wait for it or use another --store"
                ) from exc
            raise StoreError(f"{path}: cannot open the store ({msg.splitlines()[0]})") from exc

    @classmethod
    def open_read_only(cls, location: str | Path) -> KGStore:
        """The store at `location` to read from, without taking its lock: a build or serve may hold
        it meanwhile (what they write later is not seen). Writing through it fails."""
        if isinstance(location, str) and location.lower().startswith(("http://", "https://")):
            return cls.open(location)
        path = Path(location)
        if not path.is_dir():
            raise StoreError(f"{path}: no confkg store here (run 'confkg build' first)")
        try:
            store = cls(ox.Store.read_only(str(path)), str(path))
        except OSError as exc:
            raise StoreError(f"{path}: cannot open the store ({str(exc).splitlines()[0]})") from exc
        store.read_only = True
        return store

    def close(self) -> None:
        """Flush and release the store, so that another KGStore can open the folder at once."""
        if getattr(self, "ox", None) is None:
            return
        if not self.read_only:
            self.ox.flush()
        # rdflib's Dataset keeps reference cycles: Oxigraph's lock is released only when
        # the last reference goes, so break the links and collect now rather than later.
        self.dataset.store._store = None
        self.dataset = None
        self.ox = None
        gc.collect()

    def __enter__(self) -> KGStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------

    def replace_graphs(
        self, graphs: Mapping[URIRef, Graph | str], *, remove: Iterable[URIRef] = (), bulk: bool = False
    ) -> None:
        """Replace each named graph by the given triples, and drop `remove`, in one transaction.

        A graph may come as an rdflib Graph, a confkg.rdf.TripleSet, or its N-Triples
        text (what build workers send).

        `bulk`: a batch of only new graphs (a first build) goes in through Oxigraph's bulk
        loader, 3 times as fast as its transactional one (docs/scaling.md). Below its chunk
        of a million quads, a call is one RocksDB ingestion of every index's files: all or
        nothing in our crash tests (tests/test_build.py kills builds mid-way), though Oxigraph
        documents no guarantee. A batch that replaces a stored graph is always a transaction.

        One SPARQL Update request: every operation in it costs a few milliseconds
        whatever its size, so a batch is at most one DELETE for the graphs that
        exist already, a DROP for each graph that goes away, and one INSERT DATA.
        """
        parts = []
        with _unchanged_on_error():
            sizes = {iri: triple_count(graph) for iri, graph in graphs.items()}
            gone = [iri for iri in [*remove, *(i for i, n in sizes.items() if not n)] if self._has(iri)]
            old = [iri for iri in graphs if sizes[iri] and self._has(iri)] + gone
            if old:
                values = " ".join(f"<{iri}>" for iri in old)
                listed = ", ".join(f"<{iri}>" for iri in old)
                # take their triples out of the union unless a graph that stays states them too
                parts.append(
                    f"DELETE {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} "
                    f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other NOT IN ({listed})) }} }}"
                )
                parts.append(
                    f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
                )
                parts += [f"DROP SILENT GRAPH <{iri}>" for iri in gone]
            bodies = {iri: ntriples(graph) for iri, graph in graphs.items() if sizes[iri]}
            quads = None if parts else _as_nquads(bodies)
            if quads is not None and bulk and quads.count("\n") >= BULK_CHUNK_QUADS:
                quads = None  # more than one chunk of the bulk loader: not all or nothing, use a transaction
            if quads is not None:
                # only new graphs: Oxigraph's N-Quads parser, in one transaction (about 20 % faster
                # than the same triples as INSERT DATA) or, with `bulk`, through its bulk loader
                if bulk:
                    # graphs confkg wrote itself (StatementLines: IRIs minted from article ids and
                    # gazetteer keys, both checked, written by confkg.ntriples, which refuses what
                    # rdflib refuses) are not parsed strictly again: 5-10 % of the loader's time
                    lenient = all(isinstance(body, StatementLines) for body in bodies.values())
                    self.ox.bulk_load(quads.encode(), format=ox.RdfFormat.N_QUADS, lenient=lenient)
                else:
                    self.ox.load(quads.encode(), format=ox.RdfFormat.N_QUADS)
                self._wrote(2 * sum(sizes.values()))
                return
            if bodies:
                named = "\n".join(f"GRAPH <{iri}> {{\n{body}\n}}" for iri, body in bodies.items())
                parts.append("INSERT DATA {\n" + "\n".join(bodies.values()) + "\n" + named + "\n}")
            self._apply(parts, quads=2 * sum(sizes.values()))

    def patch_graph(
        self,
        iri: URIRef,
        *,
        delete_subjects: Iterable[URIRef] = (),
        delete: Iterable[tuple[Node, Node, Node]] = (),
        insert: Graph | str = "",
    ) -> None:
        """Edit one named graph in one transaction: take out what it says about `delete_subjects`
        and the `delete` triples, then add `insert`.

        What a graph says about a subject is its triples with that subject and, whole, the
        rdf:Statement nodes that reify them (rdf:subject it). A triple taken out leaves the
        union only if no other named graph states it; one added joins it. A graph left empty
        is dropped, as `replace_graphs` drops it. The cost follows the subjects and triples
        given, not the graph's size: for a large graph rebuilt piece by piece (the merged graph),
        where `replace_graphs` would read and rewrite all of it.
        """
        subjects = list(delete_subjects)
        triples = list(delete)
        parts = []
        with _unchanged_on_error():
            for where in about_patterns(iri, subjects, triples):
                parts.append(
                    f"DELETE {{ ?s ?p ?o }} WHERE {{ {where} "
                    f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != <{iri}>) }} }}"
                )
                parts.append(f"DELETE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }} WHERE {{ {where} }}")
            size = triple_count(insert)
            if size:
                body = ntriples(insert)
                parts.append(f"INSERT DATA {{\n{body}\nGRAPH <{iri}> {{\n{body}\n}}\n}}")
            self._apply(parts, quads=2 * (size + len(subjects) + len(triples)))
            if self._has(iri) and self._empty(iri):
                self.ox.remove_graph(_ox_iri(iri))

    def _apply(self, parts: list[str], *, quads: int) -> None:
        """Run SPARQL Update operations as one request, one transaction; `quads` is about what it writes."""
        if not parts:
            return
        self.ox.update(" ;\n".join(parts))
        self._wrote(quads)

    def _wrote(self, quads: int) -> None:
        self._unflushed += quads
        if self._unflushed >= FLUSH_EVERY_QUADS:
            # RocksDB keeps written data in memory until a flush: without one a build's
            # memory grows with the corpus (1.2 GiB after 2.4M quads, 130 MiB with it)
            self.ox.flush()
            self._unflushed = 0
            release_freed_memory()

    def _has(self, iri: URIRef) -> bool:
        return self.ox.contains_named_graph(_ox_iri(iri))

    def stored(self, iris: Iterable[URIRef]) -> list[URIRef]:
        """Those of these named graphs the store holds (a key lookup each, no query)."""
        return [iri for iri in iris if self._has(iri)]

    def _empty(self, iri: URIRef) -> bool:
        return next(self.ox.quads_for_pattern(None, None, None, _ox_iri(iri)), None) is None

    def remove_graphs(self, iris: Iterable[URIRef]) -> None:
        self.replace_graphs({}, remove=iris)

    # -- reading -------------------------------------------------------------

    def query(self, sparql: str) -> Result:
        """Run a SPARQL query string over the union of all graphs (rdflib Result, rows read now).

        The default graph is that union (a set), unless the query names its own with FROM;
        `GRAPH ?g { … }` reaches each named graph (or those of FROM NAMED). confkg's prefixes
        (ck:, rdfs: …) are predefined. Oxigraph's engine answers, and each distinct term of the
        answer becomes an rdflib term once (confkg.store.terms).
        """
        prefixes = {prefix: str(ns) for prefix, ns in self.dataset.namespaces()}
        return as_result(self.ox.query(sparql, prefixes=prefixes))

    def select_values(self, sparql: str) -> Iterator[tuple[str | None, ...]]:
        """The rows of a SELECT query as the lexical values of their terms (None where unbound).

        Datatypes and language tags are left out, and no rdflib term is built: for code that
        reads many rows and needs only the values (the merge's queries: about 1.5 times as fast as `query`).
        """
        for solution in self.ox.query(sparql):
            yield tuple(None if term is None else term.value for term in solution)

    def graph(self, iri: URIRef) -> Graph:
        """A copy in memory of one named graph."""
        g = Graph()
        bind_prefixes(g)
        g += map(TermConverter().triple, self.ox.quads_for_pattern(None, None, None, _ox_iri(iri)))
        return g

    def graph_iris(self) -> list[URIRef]:
        return sorted(URIRef(g.value) for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))

    def article_graph_iris(self) -> list[URIRef]:
        base = str(GRAPH)
        special = {"merged", "wikidata-links", "meta"}
        return [g for g in self.graph_iris() if g.startswith(base) and g[len(base) :] not in special]

    def article_count(self) -> int:
        """The article graphs in the store (one count over ck:articleId, not a list of every graph)."""
        return int(next(iter(self.select_values(ARTICLE_COUNT_QUERY)))[0] or 0)

    def __len__(self) -> int:
        return len(self.ox)

    # -- export --------------------------------------------------------------

    def export(self, fmt: str, out: io.BufferedIOBase | str | Path) -> None:
        """Write the whole store: turtle (merged union), trig / nquads (named graphs), jsonld."""
        if fmt in ("trig", "nquads"):
            # the named graphs only: the default graph is their union, already in them
            items = (
                q
                for q in self.ox.quads_for_pattern(None, None, None)
                if isinstance(q.graph_name, ox.NamedNode)
            )
        else:
            items = (q.triple for q in self.ox.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        write_rdf(items, out, fmt)


@contextmanager
def _unchanged_on_error() -> Iterator[None]:
    """A write that fails for any reason (serialiser, engine) was not applied: say so, in one line."""
    try:
        yield
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StoreError(f"the store was not changed: {first}") from exc


def about_patterns(
    graph: URIRef, subjects: list[URIRef], triples: list[tuple[Node, Node, Node]]
) -> list[str]:
    """SPARQL patterns binding ?s ?p ?o to each triple of `graph` about `subjects` (see `patch_graph`)
    and to each of `triples` that the graph holds: one pattern per VALUES block of at most VALUES_ROWS.

    Each is for an update operation of its own, not joined by UNION: Virtuoso matches every triple
    of the graph when a UNION has a VALUES block of several variables in one of its branches.
    """
    patterns = []
    for start in range(0, len(subjects), VALUES_ROWS):
        values = " ".join(f"<{s}>" for s in subjects[start : start + VALUES_ROWS])
        patterns.append(
            f"GRAPH <{graph}> {{ VALUES ?about {{ {values} }} "
            f"{{ ?about ?p ?o BIND(?about AS ?s) }} UNION {{ ?s <{RDF.subject}> ?about ; ?p ?o }} }}"
        )
    for start in range(0, len(triples), VALUES_ROWS):
        rows = " ".join(f"({s.n3()} {p.n3()} {o.n3()})" for s, p, o in triples[start : start + VALUES_ROWS])
        patterns.append(f"GRAPH <{graph}> {{ VALUES (?s ?p ?o) {{ {rows} }} ?s ?p ?o }}")
    return patterns


def _ox_iri(iri: URIRef) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def release_freed_memory() -> None:
    """Hand memory freed by the write path back to the system (glibc's malloc_trim; elsewhere nothing).

    Each batch is a SPARQL Update of several megabytes, parsed and applied by
    Oxigraph's threads; glibc keeps what they free in its arenas, so a long build's
    resident memory grew by about 35 MiB per 1,000 articles (1 GiB at 20,000) though
    Python's own objects stayed flat. Measured after 3,000 articles: 305 -> 200 MiB.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _malloc_trim():
    global _TRIM
    if _TRIM is False:
        try:
            _TRIM = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
        except (OSError, AttributeError):  # not glibc (macOS, musl, Windows)
            _TRIM = None
    return _TRIM


_TRIM = False  # not looked up yet


def ntriples(graph: Graph | str) -> str:
    """A graph's N-Triples text; a str is taken to be that text already.

    Besides an rdflib Graph, anything with an `ntriples()` method (confkg.rdf.TripleSet) will do.
    """
    if isinstance(graph, str):
        return graph
    if isinstance(graph, Graph):
        return graph.serialize(format="nt")
    return graph.ntriples()


def _as_nquads(bodies: Mapping[URIRef, str]) -> str | None:
    """N-Quads putting each graph's N-Triples into the graph and into the union (the default graph).

    None when a line is not one plain statement ending in " ." (a trailing comment, say): the
    caller then goes through SPARQL, which reads any N-Triples.
    """
    union: list[str] = []
    named: list[str] = []
    for iri, body in bodies.items():
        quads = named_quads(body, iri)
        if quads is None:
            return None
        named.append(quads)
        # the union's part: the statements as they are (every line is one, but for blank ones)
        union.append(
            body
            if isinstance(body, StatementLines)
            else "".join(f"{ln.strip()}\n" for ln in nt_lines(body) if ln.strip())
        )
    return "".join(union) + "".join(named)


def named_quads(body: str, iri: URIRef) -> str | None:
    """One graph's N-Triples as N-Quads in the named graph `iri`: the graph's name before each " .".

    None when a line is not one plain statement ending in " ." (a comment, say). Text marked
    `StatementLines` (what confkg.rdf writes) is one replace: N-Triples escapes line breaks inside
    literals, so every "\n" ends a statement.
    """
    suffix = f" <{iri}> .\n"
    if isinstance(body, StatementLines):
        return body.replace(" .\n", suffix)
    out = []
    for line in nt_lines(body):
        line = line.strip()
        if not line:
            continue
        if not line.endswith(" .") or line.startswith("#"):
            return None
        out.append(line[:-2] + suffix)
    return "".join(out)


def nt_lines(text: str) -> list[str]:
    """N-Triples lines: ended by line feeds and carriage returns only (str.splitlines would also
    split at the line and paragraph separators a literal may hold as they are)."""
    return text.replace("\r", "\n").split("\n")


def triple_count(graph: Graph | str) -> int:
    """The number of triples in a graph or in N-Triples text (one a line)."""
    if isinstance(graph, str):
        if isinstance(graph, StatementLines):
            return graph.count("\n")
        return sum(1 for line in nt_lines(graph) if line.strip() and not line.lstrip().startswith("#"))
    return len(graph)


EXPORT_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def write_rdf(items: Iterable[ox.Triple] | Iterable[ox.Quad], out, fmt: str) -> None:
    """Serialise an export: triples for turtle/jsonld/ntriples, quads for trig/nquads."""
    form = EXPORT_FORMATS.get(fmt)
    if form is None:
        raise StoreError(f"unknown export format {fmt!r}")
    if fmt == "turtle":
        ox.serialize(_sorted(items), out, form, prefixes=export_prefixes())
    elif fmt == "trig":
        ox.serialize(items, out, form, prefixes=export_prefixes())
    else:
        ox.serialize(items, out, form)


def _sorted(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    # Oxigraph's Turtle writer groups consecutive triples by subject; sorting
    # makes one block per subject and a stable output.
    return sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
