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


class Terms:
    """A namespace's terms by attribute, each URIRef made once.

    rdflib's Namespace builds and checks a new URIRef on every attribute access (a few
    microseconds): code that writes hundreds of triples per article reads its terms here.
    """

    def __init__(self, namespace: Namespace) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        term = self._namespace[name]
        setattr(self, name, term)  # later reads are a plain attribute
        return term

    def __getitem__(self, name: str):  # for names that are Python keywords: SH["class"]
        return getattr(self, name)


MERGED_GRAPH = GRAPH["merged"]
LINKS_GRAPH = GRAPH["wikidata-links"]
META_GRAPH = GRAPH["meta"]
# The classes whose instances confkg.link states a Wikidata item for: a build links again those of
# the article graphs it writes or replaces, not the whole store.
LINKED_CLASSES = (CK.Organisation, CK.Country, CK.Place, CK.Official, CK.ConferenceSeries)

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


# One prefix per kind of minted IRI, so that Turtle reads "conference:interpol-general-assembly-93"
# rather than an escaped "id:conference\/…".
KIND_PREFIXES: dict[str, Namespace] = {
    kind: Namespace(f"{ID}{kind}/")
    for kind in (
        "article", "conference", "series", "organisation", "official", "position", "place",
        "recommendation", "topic", "evidence", "statement", "link", "graph",
    )
}  # fmt: skip


def export_prefixes() -> dict[str, str]:
    """The prefixes of an exported file: the vocabularies and one per kind of resource."""
    out = {p: str(ns) for p, ns in PREFIXES.items() if p != "id"}
    out.update({p: str(ns) for p, ns in KIND_PREFIXES.items()})
    return out


def bind_prefixes(graph) -> None:
    """Bind confkg's prefixes on a graph or dataset (replacing rdflib's defaults)."""
    manager = NamespaceManager(graph, bind_namespaces="none")
    for prefix, namespace in {**PREFIXES, **KIND_PREFIXES}.items():
        manager.bind(prefix, namespace, override=True, replace=True)
    graph.namespace_manager = manager


def sparql_prologue() -> str:
    """PREFIX declarations for the prefixes above, for queries kept as plain strings."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
