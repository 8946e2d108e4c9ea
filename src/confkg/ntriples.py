"""N-Triples text of rdflib triples, as rdflib's own N-Triples serializer writes it.

rdflib writes each term anew for every triple, checking each IRI's characters each time. An
article's graph names the same subjects and predicates again and again, so here each IRI and
blank node is written once per call and reused: the same text, line for line.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Literal
from rdflib.plugins.serializers.nt import _quoteLiteral  # how Graph.serialize writes a literal
from rdflib.term import Node


def write(triples: Iterable[tuple[Node, Node, Node]]) -> str:
    """The N-Triples of `triples`, one statement a line, in their order.

    The same text as rdflib's serializer (`_nt_row` for each triple), with the same error for
    an IRI it cannot write ('… does not look like a valid URI …').
    """
    written: dict[Node, str] = {}  # IRI or blank node -> its N-Triples form
    lines = []
    for s, p, o in triples:
        s3 = written.get(s)
        if s3 is None:
            s3 = _remember(written, s)
        p3 = written.get(p)
        if p3 is None:
            p3 = _remember(written, p)
        if isinstance(o, Literal):
            o3 = _quoteLiteral(o)
        else:
            o3 = written.get(o)
            if o3 is None:
                o3 = _remember(written, o)
        lines.append(f"{s3} {p3} {o3} .\n")
    return "".join(lines)


def _remember(written: dict[Node, str], term: Node) -> str:
    """The term's N-Triples form, kept for the next time unless it is a literal: rdflib counts
    literals whose language tags differ in case as equal, and each keeps its own text."""
    text = term.n3()
    if not isinstance(term, Literal):
        written[term] = text
    return text
