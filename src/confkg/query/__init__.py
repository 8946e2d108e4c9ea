"""Query: run SPARQL over the store and render results as a table, CSV, SPARQL JSON or Turtle."""

from __future__ import annotations

import io

from rdflib import Graph, Literal, URIRef
from rdflib.query import Result

from confkg.namespaces import KIND_PREFIXES, PREFIXES, bind_prefixes
from confkg.store import KGStore


class QueryError(Exception):
    """A query that cannot run: the message is the parser's or engine's, on one line."""


def run_query(store: KGStore, sparql: str) -> Result:
    """Run a SPARQL query string (never a prepared query: Oxigraph's engine answers it)."""
    try:
        result = store.query(sparql)
        if result.type == "SELECT":
            # materialise now so engine errors surface here, not while printing
            result.bindings  # noqa: B018
        return result
    except (SyntaxError, ValueError, OSError, RuntimeError, TypeError) as exc:
        raise QueryError(" ".join(str(exc).split())) from exc
    except Exception as exc:  # rdflib's own parser raises pyparsing exceptions
        raise QueryError(" ".join(str(exc).split()) or type(exc).__name__) from exc


def short(term: object) -> str:
    """A term as people read it: prefixed IRIs, plain literal text."""
    if isinstance(term, URIRef):
        s = str(term)
        for prefix, ns in sorted({**PREFIXES, **KIND_PREFIXES}.items(), key=lambda kv: -len(str(kv[1]))):
            if s.startswith(str(ns)):
                return f"{prefix}:{s[len(str(ns)) :]}"
        return s
    if isinstance(term, Literal):
        return str(term)
    return "" if term is None else str(term)


def render(result: Result, fmt: str) -> str:
    if result.type == "ASK":
        if fmt == "json":
            return result.serialize(format="json").decode("utf-8") + "\n"
        return ("true" if result.askAnswer else "false") + "\n"
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        if fmt not in ("turtle", "table"):
            raise QueryError(f"--format {fmt} is for SELECT and ASK; use --format turtle")
        g = Graph()
        bind_prefixes(g)
        for t in result.graph if result.graph is not None else []:
            g.add(t)
        return g.serialize(format="turtle")
    if fmt == "turtle":
        raise QueryError("--format turtle is for CONSTRUCT and DESCRIBE; use table, csv or json")
    if fmt == "json":
        return result.serialize(format="json").decode("utf-8") + "\n"
    if fmt == "csv":
        return result.serialize(format="csv").decode("utf-8")
    return table(result)


def table(result: Result) -> str:
    names = [str(v) for v in result.vars or []]
    rows = [[short(row[i]) for i in range(len(names))] for row in result]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    widths = [min(w, 70) for w in widths]
    out = io.StringIO()

    def line(cells: list[str]) -> None:
        out.write("  ".join(_cut(c, w).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip() + "\n")

    line(names)
    line(["-" * w for w in widths])
    for r in rows:
        line(r)
    out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")
    return out.getvalue()


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
