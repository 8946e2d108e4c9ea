"""SHACL Core property shapes checked directly on one article graph, without pyshacl's per-node overhead.

pyshacl builds a full result (with a human-readable description) for every value
that fails a member of an sh:or or of an sh:qualifiedValueShape, and re-reads the
shapes graph on every call: about 18 ms per article graph with confkg's shapes,
enough to cap a build at a few dozen articles per second. This module compiles
the property shapes that use only the common Core constraints into plain checks
and runs them on an index of the graph: about 2 ms per article graph.

What is compiled: a property shape with class targets, an IRI as sh:path, an
sh:message, and only these constraints: sh:minCount, sh:maxCount, sh:class,
sh:datatype, sh:nodeKind, sh:languageIn, sh:minInclusive, sh:maxInclusive,
sh:minExclusive, sh:maxExclusive, sh:lessThanOrEquals, sh:or and
sh:qualifiedValueShape (with sh:qualifiedMinCount / sh:qualifiedMaxCount, not
disjoint) whose member shapes use only the value constraints of that list. Any
other shape stays with pyshacl. Each check follows pyshacl's code for that
component (which value nodes fail, which result they give), and the tests compare
the two on every rule of the shapes file and on random damage to valid graphs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from pyshacl.rdfutil.compare import compare_literal
from rdflib import BNode, Graph, Literal, URIRef
from rdflib import namespace as rdflib_ns
from rdflib.collection import Collection
from rdflib.term import Node

from confkg.namespaces import Terms

# terms read for every triple and value checked, each made once (namespaces.Terms)
RDF, RDFS, SH, XSD = (Terms(ns) for ns in (rdflib_ns.RDF, rdflib_ns.RDFS, rdflib_ns.SH, rdflib_ns.XSD))

# Predicates on a shape that say nothing about the data.
_ANNOTATIONS = frozenset(
    {RDF.type, SH.name, SH.description, SH.message, SH.severity, SH.order, SH.group, RDFS.label, RDFS.comment}
)
# Constraints tested one value node at a time (usable inside sh:or / sh:qualifiedValueShape).
_VALUE_PARAMETERS = frozenset(
    {
        SH["class"],
        SH.datatype,
        SH.nodeKind,
        SH.languageIn,
        SH.minInclusive,
        SH.maxInclusive,
        SH.minExclusive,
        SH.maxExclusive,
    }
)
_PROPERTY_PARAMETERS = _VALUE_PARAMETERS | {
    SH.minCount,
    SH.maxCount,
    SH["or"],
    SH.qualifiedValueShape,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.lessThanOrEquals,
}

ValueTest = Callable[["GraphIndex", Node], bool]
_NONE: frozenset[Node] = frozenset()


class GraphIndex:
    """One article graph as dictionaries: subject -> predicate -> objects, and the class hierarchy it states."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        # predicates keyed by their plain string: a lookup by a URIRef key that is another
        # object (the shapes' path) would run rdflib's Python-level __eq__, most of the checks' time
        out: dict[Node, dict[str, set[Node]]] = defaultdict(lambda: defaultdict(set))
        instances: dict[Node, set[Node]] = defaultdict(set)
        subclass_of: dict[Node, set[Node]] = defaultdict(set)
        type_, subclass = str(RDF.type), str(RDFS.subClassOf)
        for s, p, o in graph:
            key = str(p)
            out[s][key].add(o)
            if key == type_:
                instances[o].add(s)
            elif key == subclass:
                subclass_of[s].add(o)
        self._out = out
        self._instances = instances
        self._subclass_of = subclass_of

    def values(self, node: Node, path: URIRef) -> set[Node] | frozenset[Node]:
        found = self._out.get(node)
        return (found.get(str(path)) or _NONE) if found else _NONE

    def instances(self, cls: Node) -> set[Node]:
        """Nodes typed `cls` or a subclass of it (the data graph's rdfs:subClassOf), as pyshacl's class targets."""
        found = set(self._instances.get(cls, ()))
        for sub in self._subclasses(cls):
            found |= self._instances.get(sub, set())
        return found

    def has_class(self, node: Node, cls: Node) -> bool:
        """sh:class: one of the node's types is `cls` or has it among its superclasses."""
        if isinstance(node, Literal):
            return False
        for kind in self.values(node, RDF.type):
            # the same term as rdflib's `==` tells it (same type, same text), without its Python-level call
            if (type(kind) is type(cls) and str.__eq__(kind, cls)) or cls in self._superclasses(kind):
                return True
        return False

    def _superclasses(self, cls: Node) -> set[Node]:
        seen: set[Node] = set()
        todo = [cls]
        while todo:
            for parent in self._subclass_of.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def _subclasses(self, cls: Node) -> set[Node]:
        if not self._subclass_of:
            return set()
        return {sub for sub in self._subclass_of if cls in self._superclasses(sub)}


@dataclass(frozen=True)
class PropertyCheck:
    """One compiled property shape: where it applies, what it requires, and how its results read."""

    shape: Node
    path: URIRef
    targets: tuple[Node, ...]  # classes whose instances are its focus nodes
    severity: URIRef
    messages: tuple[str, ...]
    min_count: int | None
    max_count: int | None
    value_tests: tuple[tuple[URIRef, ValueTest], ...]  # (component, test), one result per failing value
    qualified: tuple[tuple[ValueTest, int | None, int | None], ...]  # (member test, min, max)
    less_than_or_equals: tuple[URIRef, ...]


@dataclass(frozen=True)
class Result:
    """One validation result of a compiled check, in SHACL's terms."""

    check: PropertyCheck
    focus: Node
    component: URIRef
    value: Node | None


def compile_property_shape(shapes: Graph, shape: Node) -> PropertyCheck | None:
    """The shape as a PropertyCheck, or None when it uses anything this module does not check exactly."""
    path = shapes.value(shape, SH.path)
    targets = tuple(sorted(shapes.objects(shape, SH.targetClass)))
    messages = tuple(str(m.value) for m in shapes.objects(shape, SH.message) if isinstance(m, Literal))
    predicates = set(shapes.predicates(shape, None))
    allowed = _ANNOTATIONS | _PROPERTY_PARAMETERS | {SH.path, SH.targetClass}
    if (
        not isinstance(path, URIRef)
        or not targets
        or not all(isinstance(t, URIRef) for t in targets)
        or not messages
        or predicates - allowed
        or any(p != SH.property for _, p in shapes.subject_predicates(shape))  # a member of sh:or, sh:node …
    ):
        return None
    counts = [_single_integer(shapes, shape, p) for p in (SH.minCount, SH.maxCount)]
    if any(c is False for c in counts):
        return None
    value_tests = _value_tests(shapes, shape)
    if value_tests is None:
        return None
    or_tests = []
    for members in shapes.objects(shape, SH["or"]):
        test = _or_test(shapes, members)
        if test is None:
            return None
        or_tests.append((SH.OrConstraintComponent, test))
    qualified = []
    if any(True for _ in shapes.objects(shape, SH.qualifiedValueShapesDisjoint)):
        return None
    for member in shapes.objects(shape, SH.qualifiedValueShape):
        test = _member_test(shapes, member)
        bounds = [_single_integer(shapes, shape, p) for p in (SH.qualifiedMinCount, SH.qualifiedMaxCount)]
        if test is None or any(b is False for b in bounds):
            return None
        qualified.append((test, bounds[0], bounds[1]))
    if not qualified and (SH.qualifiedMinCount in predicates or SH.qualifiedMaxCount in predicates):
        return None
    pairs = tuple(shapes.objects(shape, SH.lessThanOrEquals))
    if not all(isinstance(p, URIRef) for p in pairs):
        return None
    severity = shapes.value(shape, SH.severity) or SH.Violation
    return PropertyCheck(
        shape=shape,
        path=path,
        targets=targets,
        severity=severity,
        messages=messages,
        min_count=counts[0],
        max_count=counts[1],
        value_tests=tuple(value_tests + or_tests),
        qualified=tuple(qualified),
        less_than_or_equals=pairs,  # type: ignore[arg-type]
    )


def run_checks(checks: Iterable[PropertyCheck], graph: Graph) -> list[Result]:
    """Every result of the checks on one graph (pyshacl's results for the same shapes, in no set order)."""
    index = GraphIndex(graph)
    out: list[Result] = []
    focus_cache: dict[tuple[Node, ...], set[Node]] = {}
    for check in checks:
        focus_nodes = focus_cache.get(check.targets)
        if focus_nodes is None:
            focus_nodes = set().union(*(index.instances(c) for c in check.targets))
            focus_cache[check.targets] = focus_nodes
        for focus in focus_nodes:
            out += _check_focus(check, index, focus)
    return out


def _check_focus(check: PropertyCheck, index: GraphIndex, focus: Node) -> list[Result]:
    values = index.values(focus, check.path)
    out = []
    if check.min_count is not None and len(values) < check.min_count:
        out.append(Result(check, focus, SH.MinCountConstraintComponent, None))
    if check.max_count is not None and len(values) > check.max_count:
        out.append(Result(check, focus, SH.MaxCountConstraintComponent, None))
    for component, test in check.value_tests:
        out += [Result(check, focus, component, v) for v in values if not test(index, v)]
    for test, low, high in check.qualified:
        conforming = sum(1 for v in values if test(index, v))
        if high is not None and conforming > high:
            out.append(Result(check, focus, SH.QualifiedMaxCountConstraintComponent, None))
        if low is not None and conforming < low:
            out.append(Result(check, focus, SH.QualifiedMinCountConstraintComponent, None))
    for other in check.less_than_or_equals:
        compare = index.values(focus, other)
        out += [
            Result(check, focus, SH.LessThanOrEqualsConstraintComponent, v)
            for v in values
            for w in compare
            if not _less_or_equal(v, w)
        ]
    return out


# --- compiling value constraints ------------------------------------------------------------


def _value_tests(shapes: Graph, shape: Node) -> list[tuple[URIRef, ValueTest]] | None:
    """(component, test) for each value constraint on the shape; None if one cannot be compiled."""
    tests: list[tuple[URIRef, ValueTest]] = []
    for cls in shapes.objects(shape, SH["class"]):
        tests.append((SH.ClassConstraintComponent, lambda index, v, c=cls: index.has_class(v, c)))
    for datatype in shapes.objects(shape, SH.datatype):
        tests.append((SH.DatatypeConstraintComponent, _datatype_test(datatype)))
    for kind in shapes.objects(shape, SH.nodeKind):
        if kind not in _NODE_KINDS:
            return None
        tests.append((SH.NodeKindConstraintComponent, lambda index, v, k=kind: _NODE_KINDS[k](v)))
    for languages in shapes.objects(shape, SH.languageIn):
        wanted = _languages(shapes, languages)
        if wanted is None:
            return None
        tests.append((SH.LanguageInConstraintComponent, lambda index, v, w=wanted: _language_in(v, w)))
    for parameter, component, accept in _RANGES:
        for bound in shapes.objects(shape, parameter):
            if not isinstance(bound, Literal):
                return None
            tests.append((component, _range_test(bound, accept)))
    return tests


def _member_test(shapes: Graph, member: Node) -> ValueTest | None:
    """A member shape of sh:or / sh:qualifiedValueShape as one test: the value conforms to all it says."""
    predicates = set(shapes.predicates(member, None))
    if predicates - _ANNOTATIONS - _VALUE_PARAMETERS:
        return None  # a nested property shape, sh:node, sh:deactivated …: pyshacl's business
    tests = _value_tests(shapes, member)
    if tests is None:
        return None
    checks = tuple(test for _, test in tests)
    return lambda index, v: all(test(index, v) for test in checks)


def _or_test(shapes: Graph, members: Node) -> ValueTest | None:
    try:
        items = list(Collection(shapes, members))
    except Exception:  # noqa: BLE001 - not a well-formed list: let pyshacl report it
        return None
    if not items:
        return None
    tests = [_member_test(shapes, item) for item in items]
    if any(t is None for t in tests):
        return None
    return lambda index, v: any(test(index, v) for test in tests)  # type: ignore[misc]


def _single_integer(shapes: Graph, shape: Node, parameter: URIRef) -> int | None | bool:
    """The parameter's one integer value, None if absent, False if it is not one integer."""
    found = list(shapes.objects(shape, parameter))
    if not found:
        return None
    if len(found) > 1 or not isinstance(found[0], Literal) or not isinstance(found[0].value, int):
        return False
    return int(found[0].value)


def _languages(shapes: Graph, node: Node) -> frozenset[str] | None:
    try:
        items = list(Collection(shapes, node))
    except Exception:  # noqa: BLE001
        return None
    if not all(isinstance(i, Literal) and isinstance(i.value, str) for i in items):
        return None
    return frozenset(str(i.value).lower() for i in items)


# --- the tests themselves, as pyshacl's components run them -----------------------------------------


def _datatype_test(datatype: Node) -> ValueTest:
    """sh:datatype as `_has_datatype`, with the common case first: a literal of exactly that datatype,
    compared as plain strings (rdflib's Python-level URIRef equality was a tenth of the checks' time)."""
    if not isinstance(datatype, URIRef):
        return lambda index, v: _has_datatype(v, datatype)
    wanted = str(datatype)
    # a literal without a datatype is an xsd:string, or an rdf:langString with its language tag
    plain = datatype == XSD.string
    tagged = datatype == RDF.langString

    def test(index: GraphIndex, v: Node) -> bool:
        if isinstance(v, Literal):
            typed = v.datatype
            if typed is not None:
                if str.__eq__(typed, wanted):
                    return getattr(v, "ill_typed", None) is not True and _actual_datatype(v, datatype)
            elif plain or tagged:
                return (plain if v.language is None else tagged) and _actual_datatype(v, datatype)
        return _has_datatype(v, datatype)

    return test


def _has_datatype(v: Node, datatype: Node) -> bool:
    if not isinstance(v, Literal):
        return False
    if v.datatype == datatype:
        return getattr(v, "ill_typed", None) is not True and _actual_datatype(v, datatype)
    if datatype == RDFS.Literal:
        return True
    if datatype == RDFS.Datatype:
        return bool(v.datatype)
    if v.datatype is None and v.language is None and datatype == XSD.string:
        return _actual_datatype(v, datatype)
    if datatype == RDF.langString and v.language:
        return _actual_datatype(v, datatype)
    return False


_PYTHON_TYPES = {
    XSD.string: (str, bytes),
    RDF.langString: (str, bytes),
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.date: date,
    XSD.time: time,
    XSD.dateTime: datetime,
}


def _actual_datatype(v: Literal, datatype: Node) -> bool:
    expected = _PYTHON_TYPES.get(datatype)  # type: ignore[call-overload]
    return True if expected is None else isinstance(v.value, expected)


def _language_in(v: Node, wanted: frozenset[str]) -> bool:
    if not isinstance(v, Literal) or not v.language:
        return False
    lang = str(v.language).lower()
    return "*" in wanted or lang in wanted or lang.split("-")[0] in wanted


def _range_test(bound: Literal, accept: Callable[[int], bool]) -> ValueTest:
    """sh:minInclusive and its kin against one bound, each distinct value compared once.

    pyshacl's literal comparison takes ~20 µs, and the same offsets, editions and weekdays
    come back in article after article; the answer depends only on the value's lexical form,
    datatype and language, so it is kept under those (at most `_RANGE_MEMO` of them at a time).
    """
    known: dict[tuple[str, object, object], bool] = {}

    def test(index: GraphIndex, v: Node) -> bool:
        if not isinstance(v, Literal):
            return False
        # plain strings (rdflib's term hash is Python-level), None kept apart from an IRI "None"
        datatype = v.datatype
        key = (str(v), None if datatype is None else str(datatype), v.language)
        ok = known.get(key)
        if ok is None:
            if len(known) >= _RANGE_MEMO:
                known.clear()
            ok = known[key] = _in_range(v, bound, accept)
        return ok

    return test


_RANGE_MEMO = 65536


def _in_range(v: Node, bound: Literal, accept: Callable[[int], bool]) -> bool:
    if not isinstance(v, Literal):
        return False
    if isinstance(bound.value, str) != isinstance(v.value, str):
        return False
    plain = _plain_values(v, bound)
    if plain is not None:
        a, b = plain
        return accept((a > b) - (a < b))
    try:
        return accept(compare_literal(v, bound))
    except (TypeError, NotImplementedError):
        # pyshacl's compare_literal raises these for values it cannot order (a time of day against a
        # number, say); pyshacl's range components then report the value, and so does this check
        return False


_RANGES = (
    (SH.minInclusive, SH.MinInclusiveConstraintComponent, lambda c: c >= 0),
    (SH.maxInclusive, SH.MaxInclusiveConstraintComponent, lambda c: c <= 0),
    (SH.minExclusive, SH.MinExclusiveConstraintComponent, lambda c: c > 0),
    (SH.maxExclusive, SH.MaxExclusiveConstraintComponent, lambda c: c < 0),
)

_NODE_KINDS: dict[Node, Callable[[Node], bool]] = {
    SH.IRI: lambda v: isinstance(v, URIRef),
    SH.BlankNode: lambda v: isinstance(v, BNode),
    SH.Literal: lambda v: isinstance(v, Literal),
    SH.BlankNodeOrIRI: lambda v: isinstance(v, (BNode, URIRef)),
    SH.BlankNodeOrLiteral: lambda v: isinstance(v, (BNode, Literal)),
    SH.IRIOrLiteral: lambda v: isinstance(v, (URIRef, Literal)),
}


def _less_or_equal(v: Node, w: Node) -> bool:
    """sh:lessThanOrEquals as pyshacl compares: strings with strings, other literals by value."""
    if isinstance(v, BNode) or isinstance(w, BNode):
        raise RuntimeError("Cannot use sh:lessThanOrEquals to compare a blank node.")
    if isinstance(v, Literal) and isinstance(w, Literal):
        plain = _plain_values(v, w)
        if plain is not None:
            return plain[0] <= plain[1]
    a, a_text = _comparable(v)
    b, b_text = _comparable(w)
    if a_text != b_text:
        return False
    return bool(a <= b)


# Datatypes whose well-typed values rdflib orders as the Python values they parse to: integers with
# integers (its numeric fast path: both numeric, neither ill-typed), xsd:date with xsd:date (the same
# datatype, values compared). Offsets, editions and counts are most of what the ranges see.
_INTEGER_TYPES = frozenset(
    str(XSD[name])
    for name in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    )
)  # fmt: skip
_XSD_DATE = str(XSD.date)


def _plain_values(a: Literal, b: Literal) -> tuple[object, object] | None:
    """The two literals' Python values when rdflib compares them as those values (both integers
    or both xsd:date, neither ill-typed), so that they can be compared without its Python-level calls
    (a comparison of two rdflib literals tests their datatypes against a list of fourteen, each
    test a Python call); None otherwise."""
    va, vb = a.value, b.value
    if a.ill_typed or b.ill_typed:  # "0"^^xsd:positiveInteger has the value 0, and rdflib orders it otherwise
        return None
    if type(va) is int and type(vb) is int:
        if str(a.datatype) in _INTEGER_TYPES and str(b.datatype) in _INTEGER_TYPES:
            return va, vb
    elif type(va) is date and type(vb) is date:
        if str(a.datatype) == _XSD_DATE and str(b.datatype) == _XSD_DATE:  # a typed literal has no language
            return va, vb
    return None


def _comparable(node: Node) -> tuple[object, bool]:
    if isinstance(node, URIRef):
        return str(node), True
    if isinstance(node, Literal) and isinstance(node.value, str):
        return node.value, True
    return node, False
