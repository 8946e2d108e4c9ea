"""Find and load the SHACL shapes, and plan them for a batch: core shapes for pyshacl (property shapes
lifted to carry their node shape's targets) and SPARQL rules run as one query each."""

from __future__ import annotations

import importlib.resources
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef, Variable
from rdflib.namespace import SH
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from confkg.validate.native import PropertyCheck, compile_property_shape

REPO_SHAPES = Path(__file__).resolve().parents[3] / "shapes" / "confkg.ttl"

# Words that make a SPARQL constraint's meaning depend on being evaluated for one
# focus node at a time; such constraints stay with pyshacl (slow but exact).
_PER_FOCUS_ONLY = re.compile(
    r"\bGROUP\s+BY\b|\bHAVING\b|\bLIMIT\b|\bOFFSET\b|\bMINUS\b"
    r"|\b(COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\s*\("
    r"|[$?](currentShape|shapesGraph)\b|\$PATH\b",
    re.IGNORECASE,
)
_THIS = re.compile(r"[$?]this\b")
_SELECT = re.compile(r"\bSELECT\b", re.IGNORECASE)
_PROJECTION = re.compile(
    r"\bSELECT\s+(?:(?:DISTINCT|REDUCED)\s+)?(?P<vars>.*?)(?=\bWHERE\b|\{)",
    re.IGNORECASE | re.DOTALL,
)
_WHERE_BRACE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def shapes_path() -> Path:
    """The shapes file: the packaged copy `confkg/data/shapes.ttl` if installed, else the repository's."""
    try:
        packaged = importlib.resources.files("confkg").joinpath("data", "shapes.ttl")
        if packaged.is_file():
            return Path(str(packaged))
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        pass
    if REPO_SHAPES.is_file():
        return REPO_SHAPES
    raise FileNotFoundError(
        f"confkg SHACL shapes not found: neither confkg/data/shapes.ttl nor {REPO_SHAPES} exists"
    )


@lru_cache(maxsize=1)
def load_shapes() -> Graph:
    """The parsed shapes graph, read once per process. Treat it as read-only: it is shared."""
    graph = Graph()
    graph.parse(shapes_path(), format="turtle")
    return graph


@dataclass(frozen=True)
class SparqlRule:
    """One sh:sparql constraint of a node shape, rewritten to find every violation in one query."""

    shape: Node  # the node shape that carries the constraint
    constraint: Node  # the sh:SPARQLConstraint node
    query: str  # prologue + the sh:select text, with ?this bound by the shape's targets
    projects_this: bool  # whether the original SELECT projects $this (pyshacl reads it only then)
    predicates: frozenset[URIRef] | None  # the only predicates the query can match; None: any
    severity: URIRef
    shape_messages: tuple[Literal, ...]
    messages: tuple[Literal, ...]


@dataclass(frozen=True)
class ShapesPlan:
    """The shapes split for one batch run.

    `checks` run natively on each article graph (confkg.validate.native); `core`
    holds what is left for pyshacl, and `core_needed` says whether anything is;
    `rules` run as one SPARQL query each over the batch.
    """

    full: Graph
    core: Graph
    rules: tuple[SparqlRule, ...]
    checks: tuple[PropertyCheck, ...] = ()
    core_needed: bool = True

    def rule_predicates(self) -> frozenset[URIRef] | None:
        """The predicates the rules can match (None: any), so a batch need hold no other triple for them."""
        found: set[URIRef] = set()
        for rule in self.rules:
            if rule.predicates is None:
                return None
            found |= rule.predicates
        return frozenset(found)


def resolve_shapes(shapes: Graph | str | Path | None) -> Graph:
    """The shapes graph for an argument that may be a graph, a file path, or None (confkg's own)."""
    if shapes is None:
        return load_shapes()
    if isinstance(shapes, Graph):
        return shapes
    graph = Graph()
    graph.parse(str(shapes))
    return graph


def plan_for(shapes: Graph | str | Path | None) -> ShapesPlan:
    """The batch plan for some shapes; confkg's own shapes are planned once per process."""
    if shapes is None:
        return _default_plan()
    return plan_shapes(resolve_shapes(shapes))


@lru_cache(maxsize=1)
def _default_plan() -> ShapesPlan:
    return plan_shapes(load_shapes())


def plan_shapes(shapes: Graph) -> ShapesPlan:
    """Move every SPARQL constraint that can run as one global query out of the shapes given to pyshacl."""
    rules: list[SparqlRule] = []
    moved: list[tuple[Node, Node]] = []
    for shape, constraint in sorted(shapes.subject_objects(SH.sparql)):
        if _is_true(shapes.value(constraint, SH.deactivated)):
            moved.append((shape, constraint))  # pyshacl would skip it too
            continue
        rule = _global_rule(shapes, shape, constraint)
        if rule is not None:
            rules.append(rule)
            moved.append((shape, constraint))
    core = Graph()
    for prefix, namespace in shapes.namespaces():
        core.bind(prefix, namespace, override=True)
    dropped = set(moved)
    for s, p, o in shapes:
        if p == SH.sparql and (s, o) in dropped:
            continue
        core.add((s, p, o))
    _lift_property_shapes(core)
    checks = _compile_checks(core)
    return ShapesPlan(
        full=shapes, core=core, rules=tuple(rules), checks=checks, core_needed=_core_needed(core)
    )


def _compile_checks(core: Graph) -> tuple[PropertyCheck, ...]:
    """Take out of `core` the property shapes confkg.validate.native checks exactly, and return their checks."""
    checks = []
    for shape in sorted(set(core.subjects(SH.targetClass, None))):
        if (shape, SH.path, None) not in core:
            continue
        check = compile_property_shape(core, shape)
        if check is not None:
            checks.append(check)
            core.remove((shape, SH.targetClass, None))  # untargeted, pyshacl no longer checks it
    return tuple(checks)


_CONSTRAINTS = frozenset(ALL_CONSTRAINT_PARAMETERS) | {SH.property, SH.sparql, SH.node}


def _core_needed(core: Graph) -> bool:
    """Whether some targeted shape left in `core` has a constraint, so that pyshacl must run."""
    targeted = {s for p in _TARGETS for s in core.subjects(p, None)}
    targeted |= set(core.subjects(RDF.type, RDFS.Class)) | set(core.subjects(RDF.type, OWL.Class))
    return any(p in _CONSTRAINTS for shape in targeted for p in core.predicates(shape, None))


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def _lift_property_shapes(core: Graph) -> None:
    """Give each property shape its node shape's targets, so pyshacl checks it once for all focus nodes.

    pyshacl validates a property shape reached through sh:property once per focus
    node (a few hundred calls per article, each re-reading the shapes graph); a
    property shape with targets of its own is validated once, on all of them. SHACL
    gives both the same results, with the property shape as sh:sourceShape. Node
    shapes whose property shapes matter in another way stay as they are: one that
    is deactivated or closed (sh:closed reads its sh:property paths), one reached
    from another shape (sh:node, sh:or …), one whose property shapes are
    qualified-disjoint siblings, one with an implicit class target or none.
    """
    for node in sorted(set(core.subjects(SH.property, None))):
        targets = [(p, o) for p in _TARGETS for o in core.objects(node, p)]
        properties = list(core.objects(node, SH.property))
        if (
            not targets
            or any(True for _ in core.subject_predicates(node))
            or _is_true(core.value(node, SH.deactivated))
            or _is_true(core.value(node, SH.closed))
            or (node, RDF.type, RDFS.Class) in core
            or (node, RDF.type, OWL.Class) in core
            or any(_is_true(core.value(prop, SH.qualifiedValueShapesDisjoint)) for prop in properties)
        ):
            continue
        for prop in properties:
            core.remove((node, SH.property, prop))
            for predicate, target in targets:
                core.add((prop, predicate, target))


def _global_rule(shapes: Graph, shape: Node, constraint: Node) -> SparqlRule | None:
    """The constraint as one query over all focus nodes, or None if it must stay per focus node."""
    select = shapes.value(constraint, SH.select)
    if not isinstance(select, Literal):
        return None  # malformed: let pyshacl report it
    text = str(select)
    if (
        shapes.value(shape, SH.path) is not None  # property shapes pre-bind $PATH and $value
        or any(True for _ in shapes.subject_predicates(shape))  # reached through sh:node etc.
        or _is_true(shapes.value(shape, SH.deactivated))
        or _PER_FOCUS_ONLY.search(text)
        or len(_SELECT.findall(text)) != 1  # a subquery scopes $this differently
        or not _THIS.search(text)
    ):
        return None
    targets = _target_patterns(shapes, shape)
    if not targets:
        return None
    projection = _PROJECTION.search(text)
    if projection is None:
        return None
    projected = projection.group("vars")
    projects_this = bool(_THIS.search(projected)) or projected.strip().startswith("*")
    text = _THIS.sub("?this", text)
    if not projects_this:
        # ?this must come back to name the focus node; pyshacl ignores it then (projects_this=False).
        start = projection.start("vars")
        text = text[:start] + "?this " + text[start:]
    where = _WHERE_BRACE.search(text)
    brace = where.end() if where else text.find("{") + 1
    if brace <= 0:
        return None
    # Joining the targets into the outermost group binds ?this before the group's
    # FILTERs and EXISTS run, as pyshacl's pre-binding of $this does.
    focus = "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(targets) + " } }\n"
    text = text[:brace] + "\n" + focus + text[brace:]
    query = _prologue(shapes, constraint) + text
    return SparqlRule(
        shape=shape,
        constraint=constraint,
        query=query,
        projects_this=projects_this,
        predicates=_query_predicates(query),
        severity=shapes.value(shape, SH.severity) or SH.Violation,
        shape_messages=tuple(sorted(m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal))),
        messages=tuple(sorted(m for m in shapes.objects(constraint, SH.message) if isinstance(m, Literal))),
    )


def _query_predicates(query: str) -> frozenset[URIRef] | None:
    """Every predicate a query's patterns (paths, EXISTS and subqueries included) can match; None: any."""
    try:
        algebra = prepareQuery(query).algebra
    except Exception:  # noqa: BLE001 - pyshacl will report the query; assume it reads everything
        return None
    found: set[URIRef] = set()
    todo: list[object] = [algebra]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            for triple in node.get("triples") or ():
                if isinstance(triple, (tuple, list)) and len(triple) == 3:
                    if not _path_predicates(triple[1], found):
                        return None
            todo.extend(node.values())
        elif isinstance(node, (list, tuple, set)):
            todo.extend(node)
    return frozenset(found)


def _path_predicates(path: object, found: set[URIRef]) -> bool:
    """Add the IRIs a predicate or property path can match; False when it can match any predicate."""
    if isinstance(path, URIRef):
        found.add(path)
        return True
    if isinstance(path, (SequencePath, AlternativePath)):
        return all(_path_predicates(p, found) for p in path.args)
    if isinstance(path, MulPath):
        return _path_predicates(path.path, found)
    if isinstance(path, InvPath):
        return _path_predicates(path.arg, found)
    if isinstance(path, (NegatedPath, Variable)):
        return False
    return False


def _target_patterns(shapes: Graph, shape: Node) -> list[str]:
    """SPARQL group patterns binding ?this to the shape's focus nodes (empty if a target is unsupported)."""
    patterns: list[str] = []
    classes = list(shapes.objects(shape, SH.targetClass))
    if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes:
        classes.append(shape)  # implicit class target
    for cls in classes:
        if not isinstance(cls, URIRef):
            return []
        patterns.append(f"{{ ?this <{RDF.type}>/<{RDFS.subClassOf}>* <{cls}> }}")
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        if not isinstance(prop, URIRef):
            return []
        patterns.append(f"{{ ?this <{prop}> ?confkg_target_o }}")
    for prop in shapes.objects(shape, SH.targetObjectsOf):
        if not isinstance(prop, URIRef):
            return []
        patterns.append(f"{{ ?confkg_target_s <{prop}> ?this }}")
    # Explicit target nodes name IRIs that batching rewrites; advanced targets need SHACL-AF.
    if any(True for _ in shapes.objects(shape, SH.targetNode)) or any(
        True for _ in shapes.objects(shape, SH.target)
    ):
        return []
    return patterns


def _prologue(shapes: Graph, constraint: Node) -> str:
    """PREFIX lines from sh:prefixes / sh:declare, as pyshacl collects them."""
    declared: dict[str, str] = {}
    sources = list(shapes.objects(constraint, SH.prefixes))
    sources += list(shapes.subjects(RDF.type, OWL.Ontology))
    for source in sources:
        for declaration in shapes.objects(source, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                declared.setdefault(str(prefix), str(namespace))
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(declared.items()))


def _is_true(node: Node | None) -> bool:
    return isinstance(node, Literal) and node.value is True


def shape_name(shapes: Graph, node: Node | None) -> str | None:
    """The sh:name of a shape or constraint (English preferred), or None."""
    if node is None:
        return None
    names = [n for n in shapes.objects(node, SH.name) if isinstance(n, Literal)]
    if not names:
        return None
    names.sort(key=lambda n: (n.language not in (None, "en"), str(n)))
    return str(names[0])
