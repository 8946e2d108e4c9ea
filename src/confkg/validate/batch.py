"""Validate many article graphs at once, with results attributed to the article graph they belong to.

Three parts: the property shapes confkg.validate.native compiles run on each graph
alone; whatever else the shapes hold goes to one pyshacl call on the union of the
batch; each SPARQL rule runs as one query over that union, answered by Oxigraph's
engine in memory (rdflib's joins solutions pairwise: 2 ms per article for the two
date rules, against 0.3 ms).

Why a batch: pyshacl costs about 10 ms per call whatever the graph's size, and an
sh:sparql constraint runs one query per focus node (docs: library-measurements §3).
One call on the union of the graphs, and one query per SPARQL rule, is much cheaper.

Why IRIs are rewritten: the same conference extracted from two articles has the same
IRI, so a plain union would pool the facts of both articles (two sh:series, a start
date from one and an end date from the other) and could not say which article a
result came from. Before the union, every IRI minted by confkg (under
https://w3id.org/confkg/id/) and every blank node is replaced by an alias local to
its graph; results are mapped back to the original node and its graph. IRIs outside
that namespace (classes, Wikidata items) are vocabulary shared by all graphs and
stay as they are.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
import pyshacl
from oxrdflib._converter import from_ox
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from confkg import ntriples
from confkg.namespaces import ID
from confkg.validate.native import run_checks
from confkg.validate.report import (
    Violation,
    finish,
    group,
    make_violation,
    render_path,
    violations_from_report,
)
from confkg.validate.shapes import ShapesPlan, SparqlRule, plan_for, resolve_shapes

if TYPE_CHECKING:
    from confkg.rdf import TripleSet

ID_BASE = str(ID)
_ALIAS_PREFIX = "urn:x-confkg-batch:g{index}:"
_ALIAS_TEXT = re.compile(r"urn:x-confkg-batch:g\d+:")

# The same options for the batch and for the one-graph reference, so that they agree.
PYSHACL_OPTIONS = {
    "inference": "none",
    "advanced": False,
    "abort_on_first": False,
    "allow_warnings": True,
    "allow_infos": True,
}

DEFAULT_BATCH_SIZE = 500  # graphs per pyshacl call: bounds memory on a large rebuild


def validate_graphs(
    graphs: Mapping[str, Graph | TripleSet],
    *,
    shapes: Graph | str | Path | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> dict[str, list[Violation]]:
    """Validate article graphs (key: article id) together; return the violations of each, every key present."""
    plan = plan_for(shapes)
    keys = list(graphs)
    found: list[Violation] = []
    for start in range(0, len(keys), max(1, batch_size)):
        chunk = keys[start : start + max(1, batch_size)]
        found += _validate_batch([(key, graphs[key]) for key in chunk], plan)
    return group(finish(found), keys)


def reference_violations(
    graph: Graph, *, key: str, shapes: Graph | str | Path | None = None
) -> list[Violation]:
    """Validate one graph the plain way (pyshacl with every shape, sh:sparql included): the batch's yardstick."""
    full = resolve_shapes(shapes)
    copy = _in_memory(graph)
    _, report, text = pyshacl.validate(copy, shacl_graph=full, inplace=True, **PYSHACL_OPTIONS)
    if not isinstance(report, Graph):
        raise RuntimeError(f"pyshacl could not apply the shapes: {text}")
    return violations_from_report(report, full, key=key, graph=graph)


@dataclass
class _Batch:
    keys: list[str]
    graphs: list[Graph | TripleSet]
    triples: list[tuple[Node, Node, Node]]  # the union's triples, confkg's nodes made local
    back: dict[Node, tuple[int, Node]]  # alias -> (graph index, original node)

    @cached_property
    def union(self) -> Graph:
        """The union as an rdflib Graph in memory, for pyshacl (superlinear on an Oxigraph-backed graph)."""
        union = Graph()
        union.addN((s, p, o, union) for s, p, o in self.triples)
        return union

    @cached_property
    def engine(self) -> ox.Store | None:
        """The union in an in-memory Oxigraph store, for the SPARQL rules.

        None when a term does not go through N-Triples (an IRI rdflib accepts from a user's
        file and Oxigraph does not, such as one with braces): rdflib's engine answers then.
        """
        store = ox.Store()
        try:
            store.load(ntriples.write(self.triples).encode(), format=ox.RdfFormat.N_TRIPLES)
        except (SyntaxError, ValueError):
            return None
        except Exception as exc:  # rdflib refuses to write such an IRI with a bare Exception
            if "does not look like a valid URI" not in str(exc):
                raise
            return None
        return store

    def owners(self, node: Node) -> list[tuple[int, Node]]:
        """The graph(s) a result's focus node belongs to, with the node's original form."""
        if node in self.back:
            return [self.back[node]]
        # A node outside confkg's namespace is shared; it belongs to every graph that
        # describes it (or, failing that, mentions it).
        owners = [(i, node) for i, g in enumerate(self.graphs) if (node, None, None) in g]
        return owners or [(i, node) for i, g in enumerate(self.graphs) if (None, None, node) in g]

    def original(self, node: Node | None) -> Node | None:
        if node is None:
            return None
        found = self.back.get(node)
        return found[1] if found else node


def _validate_batch(items: list[tuple[str, Graph]], plan: ShapesPlan) -> list[Violation]:
    out = []
    for key, graph in items:
        out += _native_violations(key, graph, plan)
    if not plan.core_needed and not plan.rules:
        return out
    # Without shapes left for pyshacl, the union need only hold what the rules can match.
    batch = _union(items, None if plan.core_needed else plan.rule_predicates())
    if not batch.triples:
        return out
    if plan.core_needed:
        out += _core_violations(batch, plan)
    for rule in plan.rules:
        out += _rule_violations(batch, plan, rule)
    return out


def _native_violations(key: str, graph: Graph | TripleSet, plan: ShapesPlan) -> list[Violation]:
    """The compiled property shapes on one article graph (no union needed: each graph alone)."""
    if not plan.checks:
        return []
    results = run_checks(plan.checks, graph)
    if not results:
        return []
    graph = _as_graph(graph)  # a violation's report reads the graph (its sentence, its labels)
    return [
        make_violation(
            plan.full,
            key=key,
            graph=graph,
            focus=result.focus,
            path=result.check.path,
            value=result.value,
            severity=result.check.severity,
            source_shape=result.check.shape,
            source_constraint=None,
            component=result.component,
            messages=list(result.check.messages),
        )
        for result in results
    ]


def _as_graph(graph: Graph | TripleSet) -> Graph | _Lookup:
    """What a violation's report reads (its sentence): the Graph, or a lookup over a TripleSet's triples."""
    return graph if isinstance(graph, Graph) else _Lookup(graph)


class _Lookup:
    """The three Graph reads confkg.validate.report makes, on a plain set of triples (one pass to index)."""

    def __init__(self, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        self._out: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
        self._in: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
        for s, p, o in triples:
            self._out[s].append((p, o))
            self._in[o].append((s, p))

    def objects(self, subject: Node, predicate: Node) -> Iterator[Node]:
        return (o for p, o in self._out.get(subject, ()) if p == predicate)

    def value(self, subject: Node, predicate: Node) -> Node | None:
        return next(self.objects(subject, predicate), None)

    def subject_predicates(self, obj: Node) -> Iterator[tuple[Node, Node]]:
        return iter(self._in.get(obj, ()))


def _union(items: list[tuple[str, Graph]], predicates: frozenset[URIRef] | None = None) -> _Batch:
    """The graphs' triples (those with one of `predicates`, if given) together, confkg's nodes made local."""
    union: set[tuple[Node, Node, Node]] = set()
    back: dict[Node, tuple[int, Node]] = {}
    for index, (_, graph) in enumerate(items):
        alias = _aliaser(index, back)
        if predicates is None:
            triples = graph.triples((None, None, None))
        elif isinstance(graph, Graph):
            triples = (t for p in predicates for t in graph.triples((None, p, None)))
        else:  # a TripleSet: one pass
            triples = (t for t in graph if t[1] in predicates)
        union.update((alias(s), p, alias(o)) for s, p, o in triples)
    return _Batch(
        keys=[key for key, _ in items], graphs=[graph for _, graph in items], triples=list(union), back=back
    )


def _aliaser(index: int, back: dict[Node, tuple[int, Node]]) -> Callable[[Node], Node]:
    """A function giving graph `index` its own copy of each confkg IRI and blank node (recorded in `back`)."""
    prefix = _ALIAS_PREFIX.format(index=index)
    local: dict[Node, Node] = {}

    def alias(node: Node) -> Node:
        if isinstance(node, URIRef):
            if not node.startswith(ID_BASE):
                return node
        elif not isinstance(node, BNode):
            return node  # literals are values, not shared nodes
        found = local.get(node)
        if found is None:
            found = URIRef(prefix + node) if isinstance(node, URIRef) else BNode(f"g{index}x{node}")
            local[node] = found
            back[found] = (index, node)
        return found

    return alias


def _core_violations(batch: _Batch, plan: ShapesPlan) -> list[Violation]:
    """Run pyshacl once on the union with the shapes minus the SPARQL rules."""
    _, report, text = pyshacl.validate(batch.union, shacl_graph=plan.core, inplace=True, **PYSHACL_OPTIONS)
    if not isinstance(report, Graph):
        raise RuntimeError(f"pyshacl could not apply the shapes: {text}")
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        value = report.value(result, SH.value)
        messages = [_ALIAS_TEXT.sub("", str(m)) for m in report.objects(result, SH.resultMessage)]
        for index, original_focus in batch.owners(focus):
            out.append(
                make_violation(
                    plan.full,
                    key=batch.keys[index],
                    graph=_as_graph(batch.graphs[index]),
                    focus=original_focus,
                    path=render_path(report, report.value(result, SH.resultPath)),
                    value=batch.original(value),
                    severity=report.value(result, SH.resultSeverity),
                    source_shape=report.value(result, SH.sourceShape),
                    source_constraint=report.value(result, SH.sourceConstraint),
                    component=report.value(result, SH.sourceConstraintComponent),
                    messages=messages,
                )
            )
    return out


def _rule_violations(batch: _Batch, plan: ShapesPlan, rule: SparqlRule) -> list[Violation]:
    """One query for one SPARQL rule over the whole batch, read the way pyshacl reads per-focus results."""
    out = []
    seen: set = set()
    for bindings in _solutions(batch, rule.query):
        focus = bindings.pop("this", None)
        if focus is None:
            continue
        # pyshacl only sees ?this when the query projects it.
        this = focus if rule.projects_this else None
        failure = bindings.pop("failure", None)
        if failure is not None:
            marker = (focus, "failure")
            if marker in seen:
                continue
            seen.add(marker)
            path, value, fmt = None, focus, dict(bindings)
        else:
            path = bindings.pop("path", None)
            value = bindings.pop("value", None)
            if path is None and value is None and this is None:
                continue
            marker = (focus, this, path, value, frozenset(bindings.items()))
            if marker in seen:
                continue
            seen.add(marker)
            value = focus if value is None else value  # a node shape reports the focus node as value
            fmt = dict(bindings)
            if this is not None:
                fmt["this"] = this
            if path is not None:
                fmt["path"] = path
            fmt["value"] = value
        for index, original_focus in batch.owners(focus):
            originals = {name: batch.original(node) for name, node in fmt.items()}
            messages = [_format_message(m, originals) for m in rule.shape_messages]
            messages += [_format_message(m, originals) for m in rule.messages if m not in rule.shape_messages]
            out.append(
                make_violation(
                    plan.full,
                    key=batch.keys[index],
                    graph=_as_graph(batch.graphs[index]),
                    focus=original_focus,
                    path=path if isinstance(path, URIRef) or path is None else str(path),
                    value=batch.original(value),
                    severity=rule.severity,
                    source_shape=rule.shape,
                    source_constraint=rule.constraint,
                    component=SH.SPARQLConstraintComponent,
                    messages=messages,
                )
            )
    return out


def _solutions(batch: _Batch, query: str) -> Iterator[dict[str, Node]]:
    """A SELECT query's solutions over the batch as rdflib terms by variable name, unbound ones left out."""
    if batch.engine is None:
        yield from (row.asdict() for row in batch.union.query(query))
        return
    results = batch.engine.query(query)
    names = [v.value for v in results.variables]
    for solution in results:
        yield {name: from_ox(term) for name, term in zip(names, solution, strict=True) if term is not None}


def _format_message(message: Literal, bindings: Mapping[str, Node | None]) -> str:
    """Fill {?var} and {$var} from the solution, as pyshacl does for SPARQL-based results."""
    text = str(message)
    for name, node in bindings.items():
        if node is not None:
            text = re.sub("{[?$]" + re.escape(name) + "}", lambda _m, n=node: str(n), text)
    return text


def _in_memory(graph: Graph) -> Graph:
    copy = Graph()
    copy.addN((s, p, o, copy) for s, p, o in graph.triples((None, None, None)))
    return copy
