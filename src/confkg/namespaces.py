"""The namespaces confkg writes with, bound once so every serialisation reads well."""

from rdflib import OWL, PROV, RDF, RDFS, SKOS, XSD, Namespace
from rdflib.namespace import NamespaceManager

CK = Namespace("https://w3id.org/confkg/ontology#")
ID = Namespace("https://w3id.org/confkg/id/")
GRAPH = Namespace("https://w3id.org/confkg/id/graph/")
WD = Namespace("http://www.wikidata.org/entity/")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")

MERGED_GRAPH = GRAPH["merged"]
LINKS_GRAPH = GRAPH["wikidata-links"]
META_GRAPH = GRAPH["meta"]

PREFIXES: dict[str, Namespace] = {
    "ck": CK,
    "id": ID,
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
    "skos": Namespace(str(SKOS)),
    "prov": Namespace(str(PROV)),
    "schema": SCHEMA,
    "org": ORG,
    "foaf": FOAF,
    "wd": WD,
}


def bind_prefixes(graph) -> None:
    """Bind confkg's prefixes on a graph or dataset (replacing rdflib's defaults)."""
    manager = NamespaceManager(graph, bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        manager.bind(prefix, namespace, override=True, replace=True)
    graph.namespace_manager = manager


def sparql_prologue() -> str:
    """PREFIX declarations for the prefixes above, for queries kept as plain strings."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
