"""Oxigraph's terms as rdflib terms, each distinct term made once.

oxrdflib builds a new rdflib term for every cell of every answer, and an rdflib
Literal with a datatype costs 12–16 µs to make (it parses its value): on a listing
of 1,500 officials that is more time than the query itself. A `TermConverter`
keeps the terms it has made, so a count, a date or an IRI repeated down a column
is made once, and it makes an xsd:string literal as the plain literal it is in
RDF 1.1 (`Literal("x")`, a third of the cost; SPARQL results and Turtle write it
without a datatype, as Oxigraph does).
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Node

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class TermConverter:
    """Converts Oxigraph terms to rdflib terms, reusing the ones it has already made.

    One converter per answer or per graph: it holds every distinct term it has seen.
    """

    __slots__ = ("_made", "_datatypes")

    def __init__(self) -> None:
        self._made: dict[object, Node] = {}
        self._datatypes: dict[str, URIRef] = {}

    def __call__(self, term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Node | None:
        if term is None:
            return None
        made = self._made.get(term)
        if made is None:
            made = self._made[term] = self._make(term)
        return made

    def triple(self, t: ox.Triple | ox.Quad) -> tuple[Node, Node, Node]:
        return (self(t.subject), self(t.predicate), self(t.object))  # type: ignore[return-value]

    def _make(self, term: object) -> Node:
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.Literal):
            if term.language:
                return Literal(term.value, lang=term.language)
            datatype = term.datatype.value
            if datatype == _XSD_STRING:
                return Literal(term.value)
            known = self._datatypes.get(datatype)
            if known is None:
                known = self._datatypes[datatype] = URIRef(datatype)
            return Literal(term.value, datatype=known)
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        if isinstance(term, ox.Triple):  # RDF-star: a quoted triple
            return self.triple(term)  # type: ignore[return-value]
        raise ValueError(f"unexpected Oxigraph term: {term!r}")


def as_result(answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> Result:
    """An Oxigraph answer as an rdflib Result, its rows read now (errors surface here)."""
    convert = TermConverter()
    if isinstance(answer, ox.QueryBoolean):
        out = Result("ASK")
        out.askAnswer = bool(answer)
        return out
    if isinstance(answer, ox.QuerySolutions):
        out = Result("SELECT")
        names = [Variable(v.value) for v in answer.variables]
        out.vars = names
        out.bindings = [
            {name: convert(term) for name, term in zip(names, solution, strict=True)} for solution in answer
        ]
        return out
    if isinstance(answer, ox.QueryTriples):
        from rdflib import Graph

        out = Result("CONSTRUCT")
        out.graph = Graph()
        out.graph += (convert.triple(t) for t in answer)
        return out
    raise ValueError(f"unexpected Oxigraph answer: {answer!r}")
