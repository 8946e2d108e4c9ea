"""The validate stage: check article graphs against confkg's SHACL shapes, many graphs per pyshacl call.

    validate_graphs({article_id: graph, ...}) -> {article_id: [Violation, ...]}
    validate_graph(graph_or_dataset) -> Report
    validate_file("build/kg.trig") -> Report      # .ttl .trig .nq .nt .jsonld ...

A Report has `.violations`, `.passed` (no sh:Violation), `.conforms` (no result at
all), `.text()` (one line per result, with the sentence the fact came from) and
`.graph` (a standard SHACL validation report, for `--format turtle`).
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from confkg.validate.batch import reference_violations, validate_graphs
from confkg.validate.errors import ValidationInputError
from confkg.validate.load import article_graphs, read_rdf
from confkg.validate.report import Report, Violation, report_graph
from confkg.validate.shapes import load_shapes, plan_for, shapes_path

__all__ = [
    "Report",
    "ValidationInputError",
    "Violation",
    "load_shapes",
    "reference_violations",
    "shapes_path",
    "validate_file",
    "validate_graph",
    "validate_graphs",
]


def validate_graph(
    graph: Graph,
    *,
    shapes: Graph | str | Path | None = None,
    key: str = "graph",
    source: str | None = None,
) -> Report:
    """Validate a graph (one article) or a dataset (one named graph per article) and report.

    A named graph `id:graph/{article-id}` is keyed by its article id; a lone graph by the
    ck:articleId it states, else by `key`.
    """
    graphs, skipped = article_graphs(graph, default_key=key)
    found = validate_graphs(graphs, shapes=shapes)
    violations = [v for name in graphs for v in found[name]]
    return Report(
        violations=violations,
        graph=report_graph(violations, plan_for(shapes).full),
        graphs=list(graphs),
        skipped=skipped,
        source=source,
    )


def validate_file(path: str | Path, *, shapes: Graph | str | Path | None = None) -> Report:
    """Validate every article graph in an RDF file; ValidationInputError if it cannot be read or parsed."""
    return validate_graph(read_rdf(path), shapes=shapes, key=Path(path).stem, source=str(path))
