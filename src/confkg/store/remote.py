"""A SPARQL 1.1 server (Oxigraph server, Virtuoso, Fuseki, GraphDB …) as confkg's store, with KGStore's methods.

`KGStore.open("http://host:port/sparql")` returns a `RemoteStore`. It writes with
SPARQL 1.1 Update (`DROP SILENT GRAPH`, `INSERT DATA` in batches of at most
1,000 triple statements, which Virtuoso needs) and reads through the query
endpoint with rdflib's `SPARQLUpdateStore` (`method="POST_FORM"`: Virtuoso hangs
on a plain POST of `application/sparql-query`).

The default graph is kept equal to the set union of the named graphs, as in the
embedded store, in one of two ways:

- a server with a real default graph (Oxigraph, Fuseki, GraphDB's default
  context): the union is written into it, and queries use it as it is;
- a server whose default graph is every graph at once, as a bag (Virtuoso): the
  union is written into its own graph `id:graph/union`; queries read it as their
  default graph (`DEFINE input:default-graph-uri`), and a query that only looks
  inside `GRAPH ?g { … }` hides it (`DEFINE input:named-graph-exclude`). A query
  that does both sees `id:graph/union` among its named graphs. Given either
  pragma, Virtuoso finds nothing in a `GRAPH <iri> { … }` block, so a query whose
  blocks all name an IRI gets none, and one that mixes them with the others
  finds nothing there: write two queries.

Unlike the embedded store, a replacement spans several HTTP requests and is not
atomic. What makes a half-written article harmless: each graph is dropped and
rewritten, and an article graph's ck:contentHash goes in its last request, so an
interrupted build leaves an article without its hash and the next build redoes it.
A SELECT answer of exactly PAGE_ROWS rows is read again a page at a time: servers cut answers
(Virtuoso at 10,000 rows) and say so only in a header (`RemoteStore.query`). CONSTRUCT and
DESCRIBE answers are not paged.

A patch of the merged graph (`patch_graph`) first takes out what it replaces, then adds
the new triples in batches: interrupted, it leaves some entities without their merged
statements (the union still equal to the named graphs') until they are merged again,
by a later build that touches them or by `update_merged(store)`.
"""

from __future__ import annotations

import io
import re
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore
from rdflib.query import Result
from rdflib.term import Node

from confkg.namespaces import CK, GRAPH, bind_prefixes
from confkg.store import ARTICLE_COUNT_QUERY, EXPORT_FORMATS, StoreError, about_patterns, nt_lines, write_rdf

UNION_GRAPH = GRAPH["union"]
BATCH_STATEMENTS = 1000  # triple statements per INSERT DATA: Virtuoso runs out of memory at about 5,000
BATCH_VALUES = 500  # subjects or triples in the VALUES of one patch's DELETE (a request of some 50 kB)
PAGE_ROWS = 10_000  # rows per page of a long answer: Virtuoso's default ResultSetMaxRows
SPECIAL_GRAPHS = {"merged", "wikidata-links", "meta", "union"}


class RemoteStoreError(StoreError):
    """The server cannot be reached or refused a request; the message says which and why, in one line."""


def is_remote(location: object) -> bool:
    """True for a store location that is a SPARQL endpoint URL rather than a folder."""
    return isinstance(location, str) and location.lower().startswith(("http://", "https://"))


class RemoteStore:
    """A SPARQL 1.1 endpoint seen through the methods confkg's code calls on KGStore."""

    def __init__(
        self,
        query_endpoint: str,
        *,
        update_endpoint: str | None = None,
        union_graph: URIRef | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.url = query_endpoint
        self.update_endpoint = update_endpoint or query_endpoint
        self.union_graph = union_graph
        self.timeout = timeout
        # No folder: confkg's files beside a store (the linker's review file) have nowhere to go.
        self.location: str | None = None
        self.ox = None  # no embedded Oxigraph here; code that needs it must check
        self.server = ""  # the Server header, when open() asked
        self._sparql = SPARQLUpdateStore(
            query_endpoint=query_endpoint,
            update_endpoint=self.update_endpoint,
            method="POST_FORM",
            returnFormat="json",
            autocommit=True,
            context_aware=True,
        )

    @classmethod
    def open(
        cls,
        url: str,
        *,
        update_endpoint: str | None = None,
        union_graph: URIRef | None | str = "auto",
        timeout: float = 60.0,
    ) -> RemoteStore:
        """Connect to the endpoint at `url`, checking that it answers.

        The update endpoint is `url` itself unless given, except that a URL
        ending in `/query` (Oxigraph, Fuseki) updates through `/update` beside it.
        `union_graph="auto"` asks the server who it is: Virtuoso gets `id:graph/union`.
        """
        if update_endpoint is None:
            parts = urlsplit(url)
            if parts.path.endswith("/query"):
                update_endpoint = urlunsplit(parts._replace(path=parts.path[: -len("query")] + "update"))
        server = _server_name(url, timeout=timeout)
        if union_graph == "auto":
            union_graph = UNION_GRAPH if "virtuoso" in server.lower() else None
        store = cls(url, update_endpoint=update_endpoint, union_graph=union_graph, timeout=timeout)
        store.server = server
        return store

    def close(self) -> None:
        self._sparql.close()

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------

    def replace_graphs(
        self, graphs: Mapping[URIRef, Graph | str], *, remove: Iterable[URIRef] = (), bulk: bool = False
    ) -> None:
        """Replace each named graph by the given triples and drop `remove`, keeping the default-graph union.

        `bulk` (a first build's batch) changes nothing here: a server has no bulk path over the protocol.
        """
        for iri in [*remove, *graphs]:
            # take the graph's triples out of the union unless another graph states them too
            self._update(
                f"DELETE {{ {self._in_union('?s ?p ?o')} }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} "
                f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER({self._other_graph(iri)}) }} }} ;\n"
                f"DROP SILENT GRAPH <{iri}>"
            )
        for iri, graph in graphs.items():
            self._insert_lines(iri, _ntriple_lines(graph))

    def patch_graph(
        self,
        iri: URIRef,
        *,
        delete_subjects: Iterable[URIRef] = (),
        delete: Iterable[tuple[Node, Node, Node]] = (),
        insert: Graph | str = "",
    ) -> None:
        """Take out what graph `iri` says about `delete_subjects` and the `delete` triples, then add
        `insert`, keeping the union: `KGStore.patch_graph`, in several requests (see the module's note)."""
        subjects, triples = list(delete_subjects), list(delete)
        for start in range(0, max(len(subjects), len(triples)), BATCH_VALUES):
            batch = (subjects[start : start + BATCH_VALUES], triples[start : start + BATCH_VALUES])
            for where in about_patterns(iri, *batch):
                self._update(
                    f"DELETE {{ {self._in_union('?s ?p ?o')} }} WHERE {{ {where} "
                    f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER({self._other_graph(iri)}) }} }} ;\n"
                    f"DELETE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }} WHERE {{ {where} }}"
                )
        self._insert_lines(iri, _ntriple_lines(insert) if insert else [])

    def _insert_lines(self, iri: URIRef, lines: list[str]) -> None:
        per_batch = max(1, BATCH_STATEMENTS // 2)  # each triple goes into its graph and into the union
        for start in range(0, len(lines), per_batch):
            body = "\n".join(lines[start : start + per_batch])
            self._update(f"INSERT DATA {{ {self._in_union(body)}\nGRAPH <{iri}> {{\n{body}\n}} }}")

    def remove_graphs(self, iris: Iterable[URIRef]) -> None:
        self.replace_graphs({}, remove=iris)

    def load_quads(self, quads: Iterable[tuple[str, str]]) -> int:
        """Add (graph IRI, N-Triples line) pairs as they come, in batches; the union is kept. Returns the count.

        For bulk loads of graphs that are not in the store yet (confkg load).
        """
        per_batch = max(1, BATCH_STATEMENTS // 2)
        pending: dict[str, list[str]] = {}
        size = count = 0
        for graph, line in quads:
            pending.setdefault(graph, []).append(line)
            size += 1
            count += 1
            if size >= per_batch:
                self._insert(pending)
                pending, size = {}, 0
        if pending:
            self._insert(pending)
        return count

    def _insert(self, pending: Mapping[str, list[str]]) -> None:
        everything = "\n".join(line for lines in pending.values() for line in lines)
        named = "\n".join(f"GRAPH <{g}> {{\n" + "\n".join(lines) + "\n}" for g, lines in pending.items())
        self._update(f"INSERT DATA {{ {self._in_union(everything)}\n{named} }}")

    def _in_union(self, body: str) -> str:
        return f"GRAPH <{self.union_graph}> {{\n{body}\n}}" if self.union_graph else body

    def _other_graph(self, iri: URIRef) -> str:
        if self.union_graph:
            return f"?other != <{iri}> && ?other != <{self.union_graph}>"
        return f"?other != <{iri}>"

    def _update(self, text: str) -> None:
        try:
            self._sparql.update(text)
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip().splitlines()
            raise RemoteStoreError(
                f"{self.update_endpoint}: update refused (HTTP {exc.code}: {detail[0] if detail else exc.reason})"
            ) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise RemoteStoreError(f"{self.update_endpoint}: cannot reach the server ({exc})") from exc

    # -- reading -------------------------------------------------------------

    def query(self, sparql: str) -> Result:
        """Run a SPARQL query string over the union of all graphs (rdflib Result), as KGStore.query does.

        Servers cap the rows of one answer (Virtuoso: ResultSetMaxRows, 10,000 by default) and say
        so only in a header. A SELECT answer of exactly PAGE_ROWS rows is therefore read again a
        page at a time (`_paged`), so no SELECT answer comes back silently cut; a server that sends
        more rows than that has cut nothing and is not asked again."""
        result = self._ask(sparql)
        if result.type == "SELECT" and len(result.bindings) == PAGE_ROWS:
            result.bindings = self._paged(sparql, [str(v) for v in result.vars or ()])
        return result

    def _ask(self, sparql: str) -> Result:
        text = self._dataset_pragmas(sparql) + sparql
        try:
            result = self._sparql.query(text)
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip().splitlines()
            raise RemoteStoreError(
                f"{self.url}: query refused (HTTP {exc.code}{': ' + detail[0] if detail else ''})"
            ) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise RemoteStoreError(f"{self.url}: cannot reach the server ({exc})") from exc
        if isinstance(result, tuple):
            # rdflib's POST_FORM connector returns (code, message, None) instead of raising
            code, message = result[0], result[1]
            raise ValueError(f"{self.url}: the server refused the query (HTTP {code}: {message})")
        return result

    def _paged(self, sparql: str, names: list[str]) -> list:
        """Every row of a SELECT query, PAGE_ROWS at a time.

        The query goes whole into a subquery, sorted by its own ORDER BY or else by all its
        variables, and the pages are cut outside it: Virtuoso refuses an ORDER BY whose LIMIT plus
        OFFSET passes 10,000 (MaxSortedTopRows, error SR353) but not one in a subquery. A query
        with a dataset clause (FROM) or a Virtuoso pragma (DEFINE) cannot go into a subquery: its
        cut answer is an error rather than a short list."""
        prologue, body = _split_prologue(sparql)
        outer = _top_level(body)
        if _DATASET_OR_PRAGMA.search(outer):
            raise RemoteStoreError(
                f"{self.url}: the server cut the answer at {PAGE_ROWS:,} rows, and a query with FROM or "
                "DEFINE cannot be read in pages: add LIMIT and OFFSET to read it in parts"
            )
        if not _ORDER_BY.search(outer) and names:
            body = f"SELECT * WHERE {{ {{\n{body}\n}} }} ORDER BY {' '.join('?' + n for n in names)}"
        rows: list = []
        while True:
            page = self._ask(
                f"{prologue}SELECT * WHERE {{ {{\n{body}\n}} }} LIMIT {PAGE_ROWS} OFFSET {len(rows)}"
            )
            rows.extend(page.bindings)
            if len(page.bindings) < PAGE_ROWS:
                return rows

    def select_values(self, sparql: str) -> Iterator[tuple[str | None, ...]]:
        """The rows of a SELECT query as the lexical values of their terms, as KGStore.select_values."""
        for row in self.query(sparql):
            yield tuple(None if term is None else str(term) for term in row)

    def _dataset_pragmas(self, sparql: str) -> str:
        if not self.union_graph:
            return ""
        use = _graph_use(sparql)
        if use == "iris":
            # nothing to hide, and Virtuoso, once given a dataset, finds nothing in a GRAPH <iri> block
            return ""
        if use == "named":
            return f"DEFINE input:named-graph-exclude <{self.union_graph}>\n"
        return f"DEFINE input:default-graph-uri <{self.union_graph}>\n"

    def graph(self, iri: URIRef) -> Graph:
        """A copy in memory of one named graph."""
        g = Graph()
        bind_prefixes(g)
        for s, p, o in self._pages(f"GRAPH <{iri}> {{ ?s ?p ?o }}", "?s ?p ?o"):
            g.add((s, p, o))
        return g

    def graph_iris(self) -> list[URIRef]:
        """confkg's named graphs on the server (a shared server may hold others, which are left out)."""
        rows = self.query(
            f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }}'
        )
        return sorted(URIRef(str(r[0])) for r in rows if self.union_graph is None or r[0] != self.union_graph)

    def stored(self, iris: Iterable[URIRef]) -> list[URIRef]:
        """Those of these named graphs the server holds (one query)."""
        asked = list(iris)
        if not asked:
            return []
        values = " ".join(f"<{iri}>" for iri in asked)
        rows = self.query(f"SELECT DISTINCT ?g WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}")
        held = {str(r[0]) for r in rows}
        return [iri for iri in asked if str(iri) in held]

    def article_graph_iris(self) -> list[URIRef]:
        base = str(GRAPH)
        return [g for g in self.graph_iris() if g[len(base) :] not in SPECIAL_GRAPHS]

    def article_count(self) -> int:
        """The article graphs on the server, as KGStore.article_count."""
        return int(next(iter(self.select_values(ARTICLE_COUNT_QUERY)))[0] or 0)

    def __len__(self) -> int:
        """Quads: the union's triples plus each of confkg's named graphs' (the embedded store's count)."""
        named = self.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
            f'FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }}'
        )
        union = self.query(
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        )  # the union graph, whichever way it is kept
        return int(next(iter(named))[0]) + int(next(iter(union))[0])

    def _pages(self, pattern: str, projection: str) -> Iterator[tuple]:
        """All rows of a pattern (`query` reads a capped answer again a page at a time)."""
        yield from (tuple(r) for r in self.query(f"SELECT {projection} WHERE {{ {pattern} }}"))

    # -- export --------------------------------------------------------------

    def export(self, fmt: str, out: io.BufferedIOBase | str | Path) -> None:
        """Write the whole store as KGStore.export does: turtle/jsonld/ntriples the union, trig/nquads the graphs."""
        from oxrdflib._converter import to_ox

        if fmt not in EXPORT_FORMATS:
            raise RemoteStoreError(f"unknown export format {fmt!r}")
        if fmt in ("trig", "nquads"):
            rows = self._pages(
                f'GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH}")'
                + (f" && ?g != <{self.union_graph}>" if self.union_graph else "")
                + ")",
                "?g ?s ?p ?o",
            )
            items = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g)) for g, s, p, o in rows]
        else:
            items = [
                ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in self._pages("?s ?p ?o", "?s ?p ?o")
            ]
        write_rdf(items, out, fmt)


def _server_name(url: str, *, timeout: float) -> str:
    """The server's `Server` header from a tiny ASK (also proves the endpoint answers queries)."""
    data = b"query=ASK%7B%7D"
    request = urllib.request.Request(
        url,
        data=data,
        headers={
            "Accept": "application/sparql-results+json",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return response.headers.get("Server", "") or ""
    except urllib.error.HTTPError as exc:
        raise RemoteStoreError(
            f"{url}: not a SPARQL endpoint that answers queries (HTTP {exc.code})"
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise RemoteStoreError(f"{url}: cannot reach the SPARQL server ({reason})") from exc


def _ntriple_lines(graph: Graph | str) -> list[str]:
    """The graph (or its N-Triples text) as N-Triples lines, its ck:contentHash last (see the module's note)."""
    if isinstance(graph, str):
        graph = Graph().parse(data=graph, format="nt")
    if any(isinstance(t, BNode) for triple in graph for t in triple):
        # a blank node's label is local to one INSERT DATA: split over batches it would become several nodes
        raise RemoteStoreError("a graph with blank nodes cannot be written in batches to a remote store")
    text = graph.serialize(format="nt") if isinstance(graph, Graph) else graph.ntriples()  # or a TripleSet
    lines = sorted(line for line in nt_lines(text) if line.strip())
    marker = f"<{CK.contentHash}>"
    return [line for line in lines if marker not in line] + [line for line in lines if marker in line]


_GRAPH_WORD = re.compile(r"\bGRAPH\b", re.IGNORECASE)
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)
_DATASET_OR_PRAGMA = re.compile(r"\bFROM\b|\bDEFINE\b", re.IGNORECASE)
# what may hold braces or keywords that are not the query's own: IRIs, strings, comments
_OPAQUE = re.compile(
    r"<[^<>\"{}|^`\\\s]*>"
    r'|"""[\s\S]*?"""'
    r"|'''[\s\S]*?'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|#[^\n]*"
)


def _top_level(query: str) -> str:
    """The query's text outside every group ({ … }), IRIs, strings and comments blanked: where its
    own solution modifiers (ORDER BY) and dataset clauses (FROM) are."""
    text = _OPAQUE.sub(" ", query)
    out, depth = [], 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    return "".join(out)


# the prologue: comments, BASE and PREFIX declarations before the query form
_PROLOGUE = re.compile(r"(?:\s+|#[^\n]*(?:\n|$)|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)*", re.IGNORECASE)


def _split_prologue(sparql: str) -> tuple[str, str]:
    """(the BASE and PREFIX declarations, ending in a line break; the rest of the query)."""
    end = _PROLOGUE.match(sparql).end()
    return (sparql[:end] + "\n" if end else ""), sparql[end:]


def _graph_use(sparql: str) -> str:
    """Where the query's triple patterns lie: "iris" when each sits in a GRAPH block naming an IRI,
    "named" when each sits in a GRAPH block and some block's graph is a variable (so the union graph
    may hide), "default" when some lies outside every GRAPH block or the query cannot be read."""
    if not _GRAPH_WORD.search(sparql):
        return "default"
    try:
        from rdflib.plugins.sparql.algebra import translateQuery
        from rdflib.plugins.sparql.parser import parseQuery

        algebra = translateQuery(parseQuery(sparql)).algebra
    except Exception:  # not rdflib's dialect: use the union as default graph, the safe reading
        return "default"
    found_outside = found_inside = graph_variable = False
    stack: list[tuple[Any, bool]] = [(algebra, False)]
    while stack:
        item, in_graph = stack.pop()
        name = getattr(item, "name", None)
        if name == "Graph":
            in_graph = True
            graph_variable = graph_variable or isinstance(item.get("term"), Variable)
        if name == "BGP" and item.get("triples"):
            if in_graph:
                found_inside = True
            else:
                found_outside = True
        if isinstance(item, dict):
            stack.extend((v, in_graph) for v in item.values())
        elif isinstance(item, list | tuple):
            stack.extend((v, in_graph) for v in item if not isinstance(v, str | Literal | URIRef))
    if found_outside or not found_inside:
        return "default"
    return "named" if graph_variable else "iris"


__all__ = ["BATCH_STATEMENTS", "RemoteStore", "RemoteStoreError", "UNION_GRAPH", "is_remote"]
