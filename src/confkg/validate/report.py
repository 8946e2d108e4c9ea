"""Validation results as plain objects: one Violation per SHACL result, a Report with a text and a SHACL graph form."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from confkg.namespaces import CK, bind_prefixes
from confkg.validate.shapes import shape_name

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
_SENTENCE_CHARS = 160  # enough to recognise the sentence, short enough for one line


@dataclass(frozen=True)
class Violation:
    """One SHACL validation result, traced back to its article graph and the sentence behind it."""

    graph: str  # the key of the article graph it was found in (the article id)
    rule: str  # sh:name of the SPARQL constraint or shape, else the shape's IRI
    message: str
    focus: Node
    path: URIRef | str | None  # a property, or a SPARQL property path for a complex sh:path
    value: Node | None
    severity: str  # "Violation", "Warning" or "Info"
    sentence: str | None = None  # the ck:sentence of the evidence behind the focus node
    component: str | None = None  # the constraint component, e.g. "MinCount", "SPARQL"
    source_shape: Node | None = None  # the shape whose constraint failed

    def sort_key(self) -> tuple:
        return (
            self.graph,
            SEVERITY_ORDER.get(self.severity, 9),
            self.rule,
            str(self.focus),
            str(self.path or ""),
            _value_key(self.value),
            self.component or "",
            self.message,
            str(self.source_shape or ""),
        )

    def __str__(self) -> str:
        return self.line()

    def line(self, *, names: Graph | None = None) -> str:
        """One line: graph, severity, rule, focus node, path, value, message, sentence.

        `names` supplies the prefixes nodes are shortened with (confkg's by default).
        """
        names = names if names is not None else _NAMES
        parts = [
            f"{self.graph}: {self.severity}",
            self.rule + (f" ({self.component})" if self.component else ""),
            _short(names, self.focus),
            _short(names, self.path) if isinstance(self.path, URIRef) else (self.path or "-"),
            _short(names, self.value) if self.value is not None else "-",
            self.message,
        ]
        sentence = _one_line(self.sentence) if self.sentence else "-"
        if len(sentence) > _SENTENCE_CHARS:
            sentence = sentence[: _SENTENCE_CHARS - 1] + "…"
        parts.append(f"sentence: {sentence}")
        return " | ".join(_one_line(p) for p in parts)


@dataclass
class Report:
    """The outcome of validating one file or graph: its violations, as text and as a SHACL report graph."""

    violations: list[Violation]
    graph: Graph  # a standard sh:ValidationReport, original IRIs throughout
    graphs: list[str]  # keys of the article graphs validated
    skipped: list[str] = field(default_factory=list)  # graphs that are not article graphs
    source: str | None = None  # the file validated, when there is one

    @property
    def conforms(self) -> bool:
        """SHACL's meaning: no result at all, of any severity."""
        return not self.violations

    @property
    def passed(self) -> bool:
        """The gate's meaning: no result of severity sh:Violation (warnings do not block)."""
        return not any(v.severity == "Violation" for v in self.violations)

    def by_graph(self) -> dict[str, list[Violation]]:
        return group(self.violations, self.graphs)

    def text(self) -> str:
        """A readable report: a summary line, then one line per result."""
        counts = {s: sum(v.severity == s for v in self.violations) for s in SEVERITY_ORDER}
        failing = len({v.graph for v in self.violations})
        where = f" in {self.source}" if self.source else ""
        if self.conforms:
            head = f"conforms: {len(self.graphs)} graph(s){where}, no results"
        else:
            found = ", ".join(f"{n} {s.lower()}(s)" for s, n in counts.items() if n)
            verdict = "passed with warnings" if self.passed else "FAILED"
            head = f"{verdict}: {found} in {failing} of {len(self.graphs)} graph(s){where}"
        lines = [head]
        if self.skipped:
            lines.append("not validated (not article graphs): " + ", ".join(self.skipped))
        lines += [v.line() for v in self.violations]
        return "\n".join(lines) + "\n"


def finish(violations: Iterable[Violation]) -> list[Violation]:
    """Drop exact duplicates (a node reached by one shared shape through two classes) and sort."""
    return sorted(set(violations), key=Violation.sort_key)


def violations_from_report(report: Graph, shapes: Graph, *, key: str, graph: Graph) -> list[Violation]:
    """Turn a pyshacl report graph about one article graph into Violations (used to check the batch path)."""
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        out.append(
            make_violation(
                shapes,
                key=key,
                graph=graph,
                focus=report.value(result, SH.focusNode),
                path=render_path(report, report.value(result, SH.resultPath)),
                value=report.value(result, SH.value),
                severity=report.value(result, SH.resultSeverity),
                source_shape=report.value(result, SH.sourceShape),
                source_constraint=report.value(result, SH.sourceConstraint),
                component=report.value(result, SH.sourceConstraintComponent),
                messages=[str(m) for m in report.objects(result, SH.resultMessage)],
            )
        )
    return finish(out)


def make_violation(
    shapes: Graph,
    *,
    key: str,
    graph: Graph,
    focus: Node,
    path: URIRef | str | None,
    value: Node | None,
    severity: Node | None,
    source_shape: Node | None,
    source_constraint: Node | None,
    component: Node | None,
    messages: list[str],
) -> Violation:
    """One Violation with its rule name, chosen message and supporting sentence."""
    rule = (
        shape_name(shapes, source_constraint)
        or shape_name(shapes, source_shape)
        or (str(source_shape) if isinstance(source_shape, URIRef) else _component_name(component) or "shape")
    )
    return Violation(
        graph=key,
        rule=rule,
        message=pick_message(messages, shapes, source_shape),
        focus=focus,
        path=path,
        value=value,
        severity=_local(severity) if severity is not None else "Violation",
        sentence=find_sentence(graph, focus),
        component=_component_name(component),
        source_shape=source_shape,
    )


def pick_message(messages: list[str], shapes: Graph, source_shape: Node | None) -> str:
    """The most specific message: a SPARQL constraint's own, not its node shape's general one."""
    general = (
        {str(m) for m in shapes.objects(source_shape, SH.message)} if source_shape is not None else set()
    )
    specific = [m for m in messages if m not in general]
    chosen = specific or list(messages)
    return "; ".join(sorted(set(chosen)))


def find_sentence(graph: Graph, focus: Node | None) -> str | None:
    """The sentence behind a node: its own evidence, else the evidence of a node that points to it."""
    if focus is None:
        return None
    own = _sentence_of(graph, focus)
    if own is not None:
        return own
    # A position, a place or a series has no evidence of its own when it is named only
    # through the official or conference that points to it: use that node's sentence.
    best = None
    for pointer in {s for s, p in graph.subject_predicates(focus) if p not in _NOT_POINTERS}:
        found = _earliest_sentence(graph, pointer)
        if found is not None and (best is None or found < best):
            best = found
    return best[1] if best else None


# Edges that do not mean "this node is named through that one".
_NOT_POINTERS = {CK.mentionedIn, CK.inArticle, CK.evidence}


def _sentence_of(graph: Graph, node: Node) -> str | None:
    found = _earliest_sentence(graph, node)
    return found[1] if found else None


def _earliest_sentence(graph: Graph, node: Node) -> tuple[tuple[float, str], str] | None:
    """(position, sentence) of the node's earliest evidence, or its own sentence if it is evidence."""
    candidates = []
    direct = graph.value(node, CK.sentence)
    if direct is not None:
        candidates.append((_begin(graph, node), str(direct)))
    for evidence in graph.objects(node, CK.evidence):
        for sentence in graph.objects(evidence, CK.sentence):
            candidates.append((_begin(graph, evidence), str(sentence)))
    return min(candidates) if candidates else None


def _begin(graph: Graph, evidence: Node) -> tuple[float, str]:
    begin = graph.value(evidence, CK.beginIndex)
    try:
        number = float(begin.toPython()) if begin is not None else float("inf")
    except (TypeError, ValueError):
        number = float("inf")
    return (number, str(evidence))


def render_path(graph: Graph, path: Node | None) -> URIRef | str | None:
    """A sh:resultPath as a property, or as SPARQL property-path text when it is a complex path."""
    if path is None or isinstance(path, URIRef):
        return path
    return _path_text(graph, path)


def _path_text(graph: Graph, path: Node) -> str:
    if isinstance(path, URIRef):
        return f"<{path}>"
    if (path, RDF.first, None) in graph:
        return "(" + "/".join(_path_text(graph, p) for p in Collection(graph, path)) + ")"
    for predicate, wrap in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "({})*"),
        (SH.oneOrMorePath, "({})+"),
        (SH.zeroOrOnePath, "({})?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return wrap.format(_path_text(graph, inner))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path_text(graph, p) for p in Collection(graph, alternatives)) + ")"
    return str(path)


def report_graph(violations: list[Violation], shapes: Graph) -> Graph:
    """A standard SHACL validation report (sh:ValidationReport) for these violations."""
    graph = Graph()
    bind_prefixes(graph)
    graph.bind("sh", SH)
    shapes_namespace = dict(shapes.namespaces()).get("cks")
    if shapes_namespace is not None:
        graph.bind("cks", shapes_namespace)
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(not violations)))
    for violation in violations:
        result = BNode()
        graph.add((report, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.focusNode, violation.focus))
        graph.add((result, SH.resultSeverity, SH[violation.severity]))
        if violation.source_shape is not None:
            graph.add((result, SH.sourceShape, violation.source_shape))
            if isinstance(violation.source_shape, BNode):
                _copy_structure(shapes, violation.source_shape, graph)
        if violation.component:
            graph.add((result, SH.sourceConstraintComponent, SH[f"{violation.component}ConstraintComponent"]))
        if isinstance(violation.path, URIRef):
            graph.add((result, SH.resultPath, violation.path))
        elif violation.path is not None and violation.source_shape is not None:
            shape_path = shapes.value(violation.source_shape, SH.path)
            if shape_path is not None:
                graph.add((result, SH.resultPath, shape_path))
                _copy_structure(shapes, shape_path, graph)
        if violation.value is not None:
            graph.add((result, SH.value, violation.value))
        graph.add((result, SH.resultMessage, Literal(violation.message)))
    return graph


def _copy_structure(source: Graph, node: Node, target: Graph) -> None:
    """Copy the blank-node tree under `node` (a complex path or a blank shape) into the report."""
    todo, seen = [node], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for p, o in source.predicate_objects(current):
            target.add((current, p, o))
            if isinstance(o, BNode):
                todo.append(o)


def _component_name(component: Node | None) -> str | None:
    if component is None:
        return None
    name = _local(component)
    return name[: -len("ConstraintComponent")] if name.endswith("ConstraintComponent") else name


def _local(node: Node) -> str:
    text = str(node)
    return re.split(r"[#/]", text)[-1] or text


def _value_key(value: Node | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Literal):
        return f"{value}|{value.datatype or ''}|{value.language or ''}"
    return str(value)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


_NAMES = Graph()
bind_prefixes(_NAMES)


def _short(names: Graph, node: Node | str | None) -> str:
    """A node as short text with confkg's prefixes: ck:edition, id:conference/x, "x"^^xsd:string."""
    if node is None:
        return "-"
    if isinstance(node, URIRef):
        # The longest bound namespace wins, and the rest may hold "/" (id:conference/x):
        # this is for reading, not Turtle.
        best = max(
            ((p, str(ns)) for p, ns in names.namespaces() if str(node).startswith(str(ns))),
            key=lambda item: len(item[1]),
            default=None,
        )
        return f"{best[0]}:{str(node)[len(best[1]) :]}" if best else f"<{node}>"
    if isinstance(node, Literal):
        return node.n3(names.namespace_manager)
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


def group(violations: Iterable[Violation], keys: Iterable[str]) -> dict[str, list[Violation]]:
    """Violations per graph key, every key present (an empty list for a clean graph)."""
    grouped: dict[str, list[Violation]] = {key: [] for key in keys}
    for violation in violations:
        grouped.setdefault(violation.graph, []).append(violation)
    return grouped
