"""Oxigraph's terms as rdflib terms, each distinct term made once.

oxrdflib builds a new rdflib term for every cell of every answer, and an rdflib
Literal with a datatype costs 12–16 µs to make (it parses its value): on a listing
of 1,500 officials that is more time than the query itself. A `TermConverter`
keeps the terms it has made, so a count, a date or an IRI repeated down a column
is made once, and it makes an xsd:string literal as the plain literal it is in
RDF 1.1 (`Literal("x")`, a third of the cost; SPARQL results and Turtle write it
without a datatype, as Oxigraph does).

Two more costs are rdflib's own and are cut here, each giving what rdflib gives:
a plain or language-tagged literal is made without `Literal.__new__`, which
parses and normalises a value that for these is the lexical form itself (8 µs
against 1 µs; officials.rq makes 2,000 of them), and a SELECT answer's rows are
made with one shared column index instead of a new dict per row (rdflib's
`ResultRow`, 8 µs a row). tests/test_build.py compares both with rdflib's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef, Variable
from rdflib.query import Result, ResultRow
from rdflib.term import Node

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER = re.compile(r"-?[1-9][0-9]*|0")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _integer(lexical: str) -> int | None:
    return int(lexical) if _INTEGER.fullmatch(lexical) else None


def _date(lexical: str) -> date | None:
    if not _DATE.fullmatch(lexical):
        return None
    try:
        return date.fromisoformat(lexical)
    except ValueError:  # 2023-02-30, year 0: rdflib's constructor says so, as before
        return None


# Datatypes whose canonical lexical forms (Oxigraph writes them so) rdflib would keep as they are,
# with these values and well-typed: counts, editions and dates, most of a listing's typed cells.
_CANONICAL: dict[str, Callable[[str], object]] = {f"{_XSD}integer": _integer, f"{_XSD}date": _date}


class TermConverter:
    """Converts Oxigraph terms to rdflib terms, reusing the ones it has already made.

    One converter per answer or per graph: it holds every distinct term it has seen.
    """

    __slots__ = ("_made", "_datatypes", "_languages")

    def __init__(self) -> None:
        self._made: dict[object, Node] = {}
        self._datatypes: dict[str, URIRef] = {}
        self._languages: set[str] = set()  # tags rdflib has accepted once

    def __call__(self, term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Node | None:
        if term is None:
            return None
        made = self._made.get(term)
        if made is None:
            made = self._made[term] = self._make(term)
        return made

    def bindings(
        self, names: list[Variable], solutions: ox.QuerySolutions
    ) -> list[dict[Variable, Node | None]]:
        """Each solution as rdflib's bindings (`__call__` inlined: a listing has thousands of cells)."""
        made, make = self._made, self._make
        out = []
        for solution in solutions:
            row: dict[Variable, Node | None] = {}
            for name, term in zip(names, solution, strict=True):
                if term is None:
                    row[name] = None
                    continue
                node = made.get(term)
                if node is None:
                    node = made[term] = make(term)
                row[name] = node
            out.append(row)
        return out

    def triple(self, t: ox.Triple | ox.Quad) -> tuple[Node, Node, Node]:
        return (self(t.subject), self(t.predicate), self(t.object))  # type: ignore[return-value]

    def _make(self, term: object) -> Node:
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.Literal):
            language = term.language
            if language:
                if language not in self._languages:
                    Literal("", lang=language)  # rdflib's check of the tag: ValueError as before
                    self._languages.add(language)
                text = term.value
                return _literal(text, language, None, text, None)
            datatype = term.datatype.value
            if datatype == _XSD_STRING:
                text = term.value
                return _literal(text, None, None, text, None)
            known = self._datatypes.get(datatype)
            if known is None:
                known = self._datatypes[datatype] = URIRef(datatype)
            lexical = term.value
            parse = _CANONICAL.get(datatype)
            value = parse(lexical) if parse is not None else None
            if value is None:
                return Literal(lexical, datatype=known)
            return _literal(lexical, None, known, value, False)
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        if isinstance(term, ox.Triple):  # RDF-star: a quoted triple
            return self.triple(term)  # type: ignore[return-value]
        raise ValueError(f"unexpected Oxigraph term: {term!r}")


def _literal(
    lexical: str, language: str | None, datatype: URIRef | None, value: object, ill_typed: bool | None
) -> Literal:
    """The literal rdflib's `Literal()` makes, built from fields known without its parsing.

    Text (plain or tagged): rdflib keeps the lexical form as it is and as the value, with no
    datatype and no ill-typed flag. A canonical integer or date: the form as it is, its value,
    well-typed.
    """
    made = str.__new__(Literal, lexical)
    made._language = language
    made._datatype = datatype
    made._value = value
    made._ill_typed = ill_typed
    return made


class SelectResult(Result):
    """An rdflib SELECT Result whose rows share one column index (rdflib builds one per row)."""

    def __iter__(self) -> Iterator:  # type: ignore[override]
        if self.type != "SELECT" or self._genbindings:
            yield from super().__iter__()
            return
        names = list(self.vars or [])
        labels = {str(name): i for i, name in enumerate(names)}
        new = tuple.__new__
        for b in self._bindings:
            if b:  # as rdflib: no row for an empty binding
                row = new(ResultRow, [b.get(name) for name in names])
                row.labels = labels
                yield row


def as_result(answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> Result:
    """An Oxigraph answer as an rdflib Result, its rows read now (errors surface here)."""
    convert = TermConverter()
    if isinstance(answer, ox.QueryBoolean):
        out = Result("ASK")
        out.askAnswer = bool(answer)
        return out
    if isinstance(answer, ox.QuerySolutions):
        out = SelectResult("SELECT")
        names = [Variable(v.value) for v in answer.variables]
        out.vars = names
        out.bindings = convert.bindings(names, answer)
        return out
    if isinstance(answer, ox.QueryTriples):
        from rdflib import Graph

        out = Result("CONSTRUCT")
        out.graph = Graph()
        out.graph += (convert.triple(t) for t in answer)
        return out
    raise ValueError(f"unexpected Oxigraph answer: {answer!r}")
