"""Read an RDF file for validation and split it into the article graphs it holds."""

from __future__ import annotations

from pathlib import Path

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.util import guess_format

from confkg.namespaces import CK, GRAPH, LINKS_GRAPH, MERGED_GRAPH, META_GRAPH
from confkg.validate.errors import ValidationInputError

FORMATS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".trig": "trig",
    ".nq": "nquads",
    ".nquads": "nquads",
    ".nt": "nt",
    ".ntriples": "nt",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".n3": "n3",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}

# These graphs hold statements about entities typed in the article graphs (merged
# conclusions, Wikidata links, bookkeeping): the article shapes do not apply to them alone.
NOT_ARTICLE_GRAPHS = frozenset({MERGED_GRAPH, LINKS_GRAPH, META_GRAPH})


def read_rdf(path: str | Path) -> Dataset:
    """Parse a file into a Dataset, the format chosen by its extension; ValidationInputError if it cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise ValidationInputError(f"{path}: no such file")
    rdf_format = FORMATS.get(path.suffix.lower()) or guess_format(str(path))
    if rdf_format is None:
        raise ValidationInputError(
            f"{path}: cannot tell the RDF format from the extension {path.suffix!r} "
            f"(known: {', '.join(sorted(FORMATS))})"
        )
    dataset = Dataset()
    try:
        dataset.parse(path, format=rdf_format)
    except Exception as exc:  # rdflib's parsers raise many unrelated types
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise ValidationInputError(
            f"{path}: malformed {rdf_format} ({type(exc).__name__}): {detail}"
        ) from exc
    return dataset


def article_graphs(graph: Graph, *, default_key: str = "graph") -> tuple[dict[str, Graph], list[str]]:
    """The article graphs in a graph or dataset, keyed by article id, and the graph names skipped."""
    contexts = getattr(graph, "graphs", None) or getattr(graph, "contexts", None)
    if contexts is None:
        return {_key_for(graph, default_key): graph}, []
    found: dict[str, Graph] = {}
    skipped: list[str] = []
    for context in contexts():
        if len(context) == 0:
            continue
        name = context.identifier
        if name in NOT_ARTICLE_GRAPHS:
            skipped.append(str(name))
            continue
        if name == DATASET_DEFAULT_GRAPH_ID or isinstance(name, BNode):
            key = _key_for(context, default_key)
        elif isinstance(name, URIRef) and name.startswith(str(GRAPH)):
            key = name[len(str(GRAPH)) :]
        else:
            key = str(name)
        unique, n = key, 1
        while unique in found:  # two graphs for one article id: keep both apart
            n += 1
            unique = f"{key}#{n}"
        found[unique] = context
    return found, sorted(skipped)


def _key_for(graph: Graph, default_key: str) -> str:
    """The article id a lone graph states (ck:articleId), else the default key."""
    ids = {str(i) for i in graph.objects(None, CK.articleId)}
    return ids.pop() if len(ids) == 1 else default_key
