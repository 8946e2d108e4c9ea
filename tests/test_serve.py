"""confkg serve against a live server on 127.0.0.1: the SPARQL 1.1 Protocol through SPARQLWrapper, the refusals, linked data.

The store is built here from rdflib graphs shaped like docs/graph.md (two
articles, a merged graph, Wikidata links), so these tests do not depend on the
extraction pipeline. The browser test (tests/test_serve_browser.py) reuses the
helpers of this module.
"""

from __future__ import annotations

import concurrent.futures
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as rns
from SPARQLWrapper import CSV, JSON, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import EndPointInternalError, QueryBadFormed, SPARQLWrapperException

from confkg.namespaces import CK, GRAPH, ID, LINKS_GRAPH, MERGED_GRAPH, WD
from confkg.serve.safety import Refusal, analyse, check_outbound
from confkg.store import KGStore

REPO = Path(__file__).resolve().parents[1]

# -- test data ---------------------------------------------------------------------

ART_A, ART_B = "900_serve_test_a", "901_serve_test_b"
CONF = ID["conference/arab-police-security-leaders-47"]
SERIES = ID["series/arab-police-security-leaders"]
TANGIER, MOROCCO = ID["place/tangier"], ID["place/morocco"]
INTERPOL, NAUSS = ID["organisation/interpol"], ID["organisation/nauss"]
OFFICIAL = ID["official/abd-allatyf-hmwshy"]
POSITION = ID["position/abd-allatyf-hmwshy-1a2b3c4d"]
TOPIC = ID["topic/terrorism"]
RECO = ID["recommendation/arab-police-security-leaders-47-3f2a00000000"]

TITLE_A = "طنجة.. اختتام المؤتمر السابع والأربعين لقادة الشرطة والأمن العرب"
SENTENCE_A1 = (
    "اسدل الستار اليوم الخميس 07 دجنبر الجاري بمدينة طنجة على المؤتمر السابع والأربعون "
    "لقادة الشرطة والأمن العرب، الذي حظي بمشاركة وفود أمنية رفيعة المستوى من مختلف الدول العربية."
)
SENTENCE_A2 = "كما حضر المؤتمر رئيس المنظمة الدولية للشرطة الجنائية وناقش المؤتمر مكافحة الإرهاب."
SENTENCE_A3 = "ودعا المؤتمر جامعة نايف العربية للعلوم الأمنية إلى تنظيم نشاط علمي حول الجرائم السيبرانية."
TITLE_B = "المديرية العامة للأمن الوطني تشارك في مؤتمر قادة الشرطة والأمن العرب"
SENTENCE_B1 = (
    "وترأس عبد اللطيف حموشي، المدير العام للأمن الوطني، وفد المغرب إلى المؤتمر السابع والأربعين بطنجة."
)


def _evidence(g: Graph, entity: URIRef, article_id: str, text: str, doc: str) -> None:
    start = doc.index(text)
    ev = ID[f"evidence/{article_id}-{start}-{start + len(text)}"]
    g.add((entity, CK.evidence, ev))
    g.add((ev, rns.RDF.type, CK.Evidence))
    g.add((ev, CK.inArticle, ID[f"article/{article_id}"]))
    g.add((ev, CK.beginIndex, Literal(start)))
    g.add((ev, CK.endIndex, Literal(start + len(text))))
    g.add((ev, CK.sentence, Literal(text, lang="ar")))


def _labelled(g: Graph, node: URIRef, kind: URIRef, ar: str, en: str | None, article: URIRef) -> None:
    g.add((node, rns.RDF.type, kind))
    g.add((node, rns.RDFS.label, Literal(ar, lang="ar")))
    if en:
        g.add((node, rns.RDFS.label, Literal(en, lang="en")))
    g.add((node, CK.mentionedIn, article))


def sample_graphs() -> dict[URIRef, Graph]:
    """Two article graphs, the merged graph and the Wikidata links, as confkg would write them."""
    graphs: dict[URIRef, Graph] = {}

    doc_a = "\n".join([TITLE_A, SENTENCE_A1, SENTENCE_A2, SENTENCE_A3])
    a = Graph()
    art_a = ID[f"article/{ART_A}"]
    a.add((art_a, rns.RDF.type, CK.Article))
    a.add((art_a, rns.RDFS.label, Literal(TITLE_A, lang="ar")))
    a.add((art_a, CK.articleId, Literal(ART_A)))
    a.add((art_a, CK.published, Literal("2023-12-07", datatype=rns.XSD.date)))
    _labelled(a, CONF, CK.Conference, "المؤتمر السابع والأربعون لقادة الشرطة والأمن العرب",
              "47th Conference of Arab Police and Security Leaders", art_a)  # fmt: skip
    a.add((CONF, CK.series, SERIES))
    a.add((CONF, CK.edition, Literal(47, datatype=rns.XSD.positiveInteger)))
    a.add((CONF, CK.heldIn, TANGIER))
    a.add((CONF, CK.endDate, Literal("2023-12-07", datatype=rns.XSD.date)))
    a.add((CONF, CK.year, Literal("2023", datatype=rns.XSD.gYear)))
    a.add((CONF, CK.participant, INTERPOL))
    a.add((CONF, CK.topic, TOPIC))
    _evidence(a, CONF, ART_A, SENTENCE_A1, doc_a)
    _labelled(a, SERIES, CK.ConferenceSeries, "مؤتمر قادة الشرطة والأمن العرب",
              "Conference of Arab Police and Security Leaders", art_a)  # fmt: skip
    _labelled(a, TANGIER, CK.Place, "طنجة", "Tangier", art_a)
    a.add((TANGIER, CK.country, MOROCCO))
    _labelled(a, MOROCCO, CK.Country, "المغرب", "Morocco", art_a)
    _labelled(a, INTERPOL, CK.Organisation, "المنظمة الدولية للشرطة الجنائية", "INTERPOL", art_a)
    _evidence(a, INTERPOL, ART_A, SENTENCE_A2, doc_a)
    _labelled(a, NAUSS, CK.Organisation, "جامعة نايف العربية للعلوم الأمنية", "Naif Arab University for Security Sciences", art_a)  # fmt: skip
    _evidence(a, NAUSS, ART_A, SENTENCE_A3, doc_a)
    _labelled(a, TOPIC, CK.Topic, "الإرهاب", "Terrorism", art_a)
    _labelled(a, RECO, CK.Recommendation, "تنظيم نشاط علمي حول الجرائم السيبرانية", None, art_a)
    a.add((RECO, CK.text, Literal("تنظيم نشاط علمي حول الجرائم السيبرانية", lang="ar")))
    a.add((RECO, CK.issuedBy, CONF))
    a.add((RECO, CK.addressedTo, NAUSS))
    _evidence(a, RECO, ART_A, SENTENCE_A3, doc_a)
    graphs[GRAPH[ART_A]] = a

    doc_b = "\n".join([TITLE_B, SENTENCE_B1])
    b = Graph()
    art_b = ID[f"article/{ART_B}"]
    b.add((art_b, rns.RDF.type, CK.Article))
    b.add((art_b, rns.RDFS.label, Literal(TITLE_B, lang="ar")))
    b.add((art_b, CK.articleId, Literal(ART_B)))
    _labelled(b, CONF, CK.Conference, "المؤتمر السابع والأربعون لقادة الشرطة والأمن العرب",
              "47th Conference of Arab Police and Security Leaders", art_b)  # fmt: skip
    b.add((CONF, CK.series, SERIES))
    b.add((CONF, CK.heldIn, TANGIER))
    b.add((CONF, CK.participant, MOROCCO))
    _evidence(b, CONF, ART_B, SENTENCE_B1, doc_b)
    _labelled(b, SERIES, CK.ConferenceSeries, "مؤتمر قادة الشرطة والأمن العرب",
              "Conference of Arab Police and Security Leaders", art_b)  # fmt: skip
    _labelled(b, TANGIER, CK.Place, "طنجة", "Tangier", art_b)
    _labelled(b, MOROCCO, CK.Country, "المغرب", "Morocco", art_b)
    _labelled(b, OFFICIAL, CK.Official, "عبد اللطيف حموشي", None, art_b)
    b.add((OFFICIAL, rns.SKOS.altLabel, Literal("الحموشي", lang="ar")))
    b.add((OFFICIAL, CK.holds, POSITION))
    _evidence(b, OFFICIAL, ART_B, SENTENCE_B1, doc_b)
    _labelled(b, POSITION, CK.Position, "المدير العام للأمن الوطني", None, art_b)
    b.add((POSITION, CK.title, Literal("المدير العام للأمن الوطني", lang="ar")))
    graphs[GRAPH[ART_B]] = b

    merged = Graph()
    merged.add((MERGED_GRAPH, rns.PROV.wasDerivedFrom, GRAPH[ART_A]))
    merged.add((MERGED_GRAPH, rns.PROV.wasDerivedFrom, GRAPH[ART_B]))
    merged.add((CONF, CK.startDate, Literal("2023-12-06", datatype=rns.XSD.date)))
    graphs[MERGED_GRAPH] = merged

    links = Graph()
    links.add((INTERPOL, rns.OWL.sameAs, WD["Q8475"]))
    links.add((TANGIER, rns.OWL.sameAs, WD["Q160303"]))
    graphs[LINKS_GRAPH] = links
    return graphs


def build_store(path: Path) -> Path:
    store = KGStore.open(path, create=True)
    try:
        store.replace_graphs(sample_graphs())
    finally:
        store.close()
    return path


# -- a live server --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`confkg serve` in a subprocess on a free port of 127.0.0.1."""

    def __init__(self, store: Path, *args: str, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.endpoint = self.base + "/sparql"
        self.log_path = log
        self._log = log.open("wb")
        cmd = [
            sys.executable,
            "-m",
            "confkg.cli",
            "serve",
            "--store",
            str(store),
            "--port",
            str(self.port),
            *args,
        ]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"confkg serve exited with {self.proc.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.endpoint, timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"confkg serve did not answer within 30 s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()

    def request(
        self, path: str, *, method: str = "GET", data: bytes | None = None, headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> tuple[int, dict[str, str], bytes]:  # fmt: skip
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
        except urllib.error.HTTPError as e:
            return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()

    def query(
        self, query: str, accept: str = "application/sparql-results+json", **kw
    ) -> tuple[int, dict, bytes]:
        body = urllib.parse.urlencode({"query": query}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
        return self.request("/sparql", method="POST", data=body, headers=headers, **kw)


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("serve") / "store")


@pytest.fixture(scope="module")
def server(store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    srv = LiveServer(store_dir, "--refresh", "0.2", log=tmp_path_factory.mktemp("log") / "serve.log")
    yield srv
    srv.stop()


def wrapper(server: LiveServer, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    sw = SPARQLWrapper(server.endpoint)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    sw.setMethod(method)
    sw.setTimeout(30)
    return sw


SELECT_LABELS = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label WHERE {{ <{TANGIER}> rdfs:label ?label }} ORDER BY ?label
"""
ASK_CONF = f"ASK {{ <{CONF}> a <{CK.Conference}> }}"
CONSTRUCT_PLACE = f"CONSTRUCT {{ <{TANGIER}> ?p ?o }} WHERE {{ <{TANGIER}> ?p ?o }}"


# -- the protocol through SPARQLWrapper ------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_select_json(server: LiveServer, method: str) -> None:
    result = wrapper(server, SELECT_LABELS, JSON, method).query()
    assert result.response.headers["Content-Type"].startswith("application/sparql-results+json")
    values = {
        (b["label"]["value"], b["label"].get("xml:lang")) for b in result.convert()["results"]["bindings"]
    }
    assert values == {("طنجة", "ar"), ("Tangier", "en")}


def test_select_xml(server: LiveServer) -> None:
    result = wrapper(server, SELECT_LABELS, XML).query()
    assert result.response.headers["Content-Type"].startswith("application/sparql-results+xml")
    doc = result.convert()  # an xml.dom.minidom document
    literals = [(n.firstChild.data, n.getAttribute("xml:lang")) for n in doc.getElementsByTagName("literal")]
    assert ("طنجة", "ar") in literals


def test_select_csv_and_tsv(server: LiveServer) -> None:
    csv = wrapper(server, SELECT_LABELS, CSV).query()
    assert csv.response.headers["Content-Type"].startswith("text/csv")
    assert csv.convert().decode("utf-8").splitlines() == ["label", "Tangier", "طنجة"]
    tsv = wrapper(server, SELECT_LABELS, TSV).query()
    assert tsv.response.headers["Content-Type"].startswith("text/tab-separated-values")
    assert tsv.convert().decode("utf-8").splitlines() == ["?label", '"Tangier"@en', '"طنجة"@ar']


def test_confkg_prefixes_are_predefined_and_a_query_may_redefine_them(server: LiveServer) -> None:
    bare = "SELECT ?label WHERE { place:tangier rdfs:label ?label } ORDER BY ?label"
    assert wrapper(server, bare, CSV).query().convert().decode("utf-8").splitlines() == [
        "label",
        "Tangier",
        "طنجة",
    ]
    own = (
        "PREFIX rdfs: <http://example.org/not-rdfs#> SELECT ?label WHERE { place:tangier rdfs:label ?label }"
    )
    assert wrapper(server, own, CSV).query().convert().decode("utf-8").splitlines() == ["label"]


def test_select_post_directly(server: LiveServer) -> None:
    sw = wrapper(server, SELECT_LABELS, JSON, "POST")
    sw.setRequestMethod("postdirectly")  # application/sparql-query
    assert len(sw.query().convert()["results"]["bindings"]) == 2


@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_ask_every_format(server: LiveServer, fmt: str) -> None:
    result = wrapper(server, ASK_CONF, fmt).query()
    converted = result.convert()
    if fmt == JSON:
        assert converted["boolean"] is True
    elif fmt == XML:
        assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"
    else:
        assert converted.decode().strip() == "true"


def test_construct_turtle(server: LiveServer) -> None:
    result = wrapper(server, CONSTRUCT_PLACE, TURTLE).query()
    assert result.response.headers["Content-Type"].startswith("text/turtle")
    g = Graph().parse(data=result.convert().decode("utf-8"), format="turtle")
    assert (TANGIER, rns.RDFS.label, Literal("طنجة", lang="ar")) in g
    assert (TANGIER, CK.country, MOROCCO) in g


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/trig", "trig"),
        ("text/turtle", "turtle"),
    ],
)
def test_construct_every_format(server: LiveServer, accept: str, rdflib_format: str) -> None:
    sw = wrapper(server, CONSTRUCT_PLACE, TURTLE)
    sw.addCustomHttpHeader("Accept", accept)
    response = sw.query().response
    assert response.headers["Content-Type"].split(";")[0] == accept
    g = Graph().parse(data=response.read().decode("utf-8"), format=rdflib_format)
    assert (TANGIER, rns.RDFS.label, Literal("Tangier", lang="en")) in g
    assert len(g) == 7  # 2 labels, type, country, sameAs, mentionedIn each article; no repeats


def test_describe(server: LiveServer) -> None:
    result = wrapper(server, f"DESCRIBE <{INTERPOL}>", TURTLE).query()
    g = Graph().parse(data=result.convert().decode("utf-8"), format="turtle")
    assert (INTERPOL, rns.RDFS.label, Literal("INTERPOL", lang="en")) in g


def test_default_and_named_graph_parameters(server: LiveServer) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }"
    only_b = urllib.parse.urlencode({"query": count, "default-graph-uri": str(GRAPH[ART_B])})
    status, _, body = server.request(
        f"/sparql?{only_b}", headers={"Accept": "application/sparql-results+json"}
    )
    n_b = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    assert status == 200 and n_b == sum(
        1 for _ in sample_graphs()[GRAPH[ART_B]].triples((None, rns.RDF.type, None))
    )
    # Without graph parameters the default graph is the union of every named graph.
    status, _, body = server.query(count)
    n_all = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    assert n_all > n_b
    # named-graph-uri limits what GRAPH ?g can see (and leaves the default graph empty).
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    params = urllib.parse.urlencode([("query", q), ("named-graph-uri", str(LINKS_GRAPH))])
    status, _, body = server.request(
        f"/sparql?{params}", headers={"Accept": "application/sparql-results+json"}
    )
    assert [b["g"]["value"] for b in json.loads(body)["results"]["bindings"]] == [str(LINKS_GRAPH)]


def test_from_clause_selects_graphs(server: LiveServer) -> None:
    q = f"SELECT (COUNT(*) AS ?n) FROM <{LINKS_GRAPH}> WHERE {{ ?s ?p ?o }}"
    status, _, body = server.query(q)
    assert status == 200
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "2"


def test_service_description(server: LiveServer) -> None:
    status, headers, body = server.request("/sparql", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=body.decode("utf-8"), format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (URIRef(server.endpoint), URIRef(sd + "endpoint"), URIRef(server.endpoint)) in g
    assert (None, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in g
    assert (None, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Update")) not in g
    assert (None, URIRef(sd + "feature"), URIRef(sd + "BasicFederatedQuery")) not in g
    assert (None, URIRef(sd + "name"), GRAPH[ART_A]) in g


def test_cors(server: LiveServer) -> None:
    status, headers, _ = server.request(
        "/sparql",
        method="OPTIONS",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert status == 200
    assert headers["access-control-allow-origin"] == "*"
    _, headers, _ = server.query(ASK_CONF)
    _, headers, _ = server.request(
        "/sparql?" + urllib.parse.urlencode({"query": ASK_CONF}),
        headers={"Origin": "https://yasgui.example", "Accept": "application/sparql-results+json"},
    )
    assert headers["access-control-allow-origin"] == "*"


# -- status codes ---------------------------------------------------------------------------


def test_malformed_query_is_400_with_the_parser_message(server: LiveServer) -> None:
    status, _, body = server.query("SELECT ?s WHERE { ?s ?p ")
    assert status == 400
    message = body.decode()
    assert message.startswith("SPARQL syntax error:") and "1:" in message  # line:column from Oxigraph
    with pytest.raises(QueryBadFormed):
        wrapper(server, "SELEC ?s WHERE { ?s ?p ?o }", JSON).query()


def test_not_acceptable_is_406(server: LiveServer) -> None:
    status, _, body = server.query(SELECT_LABELS, accept="image/png")
    assert status == 406
    assert "application/sparql-results+json" in body.decode()
    status, _, body = server.query(CONSTRUCT_PLACE, accept="text/csv")
    assert status == 406 and "text/turtle" in body.decode()


def test_oversized_query_is_413(server: LiveServer) -> None:
    padding = "# " + "x" * 120_000 + "\n"
    status, _, body = server.query(padding + SELECT_LABELS)
    assert status == 413 and "larger than" in body.decode()
    status, _, _ = server.request(
        "/sparql", method="POST", data=(padding + SELECT_LABELS).encode(),
        headers={"Content-Type": "application/sparql-query"},
    )  # fmt: skip
    assert status == 413


def test_unsupported_content_type_is_415(server: LiveServer) -> None:
    status, _, _ = server.request(
        "/sparql", method="POST", data=b"{}", headers={"Content-Type": "application/json"}
    )
    assert status == 415


def test_row_cap_marks_truncation(store_dir: Path, tmp_path: Path) -> None:
    srv = LiveServer(store_dir, "--max-rows", "5", "--refresh", "0", log=tmp_path / "serve.log")
    try:
        status, headers, body = srv.query("SELECT * WHERE { ?s ?p ?o }")
        assert status == 200
        assert len(json.loads(body)["results"]["bindings"]) == 5
        assert headers["x-confkg-truncated"] == "true"
        status, headers, body = srv.query(CONSTRUCT_PLACE, accept="application/n-triples")
        assert len(body.decode().strip().splitlines()) == 5 and headers["x-confkg-truncated"] == "true"
        status, headers, body = srv.query(SELECT_LABELS)
        assert "x-confkg-truncated" not in headers
    finally:
        srv.stop()


# -- refusals --------------------------------------------------------------------------------


def test_update_refused(server: LiveServer) -> None:
    insert = f'INSERT DATA {{ GRAPH <{GRAPH["x"]}> {{ <{TANGIER}> <{rns.RDFS.comment}> "hacked" }} }}'
    status, _, body = server.request(
        "/sparql", method="POST", data=urllib.parse.urlencode({"update": insert}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert status == 403 and "read-only" in body.decode() and "--allow-update" in body.decode()
    status, _, body = server.request(
        "/sparql", method="POST", data=insert.encode(), headers={"Content-Type": "application/sparql-update"}
    )
    assert status == 403
    # An update smuggled in as a query is refused as an update, not run.
    status, _, body = server.query(insert)
    assert status == 403 and "read-only" in body.decode()
    status, _, _ = server.request("/sparql?" + urllib.parse.urlencode({"update": insert}))
    assert status == 403
    sw = SPARQLWrapper(server.endpoint)
    sw.setQuery(insert)
    sw.setMethod("POST")
    with pytest.raises((SPARQLWrapperException, urllib.error.HTTPError)) as info:
        sw.query()
    assert "403" in str(info.value)
    _, _, body = server.query(f'ASK {{ ?s <{rns.RDFS.comment}> "hacked" }}')
    assert json.loads(body)["boolean"] is False


def test_load_refused(server: LiveServer) -> None:
    status, _, body = server.request(
        "/sparql",
        method="POST",
        data=b"LOAD <file:///etc/passwd>",
        headers={"Content-Type": "application/sparql-update"},
    )
    assert status == 403
    status, _, body = server.query("LOAD <http://127.0.0.1:9/data.ttl>")
    assert status == 403 and "read-only" in body.decode()


class _Recorder(http.server.BaseHTTPRequestHandler):
    """A stand-in remote SPARQL endpoint / web server that records every request it gets."""

    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        type(self).hits.append(self.path)
        body = json.dumps(
            {
                "head": {"vars": ["x"]},
                "results": {"bindings": [{"x": {"type": "literal", "value": "remote"}}]},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def remote() -> Iterator[tuple[str, type[_Recorder]]]:
    handler = type("Recorder", (_Recorder,), {"hits": []})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{srv.server_address[1]}", handler
    srv.shutdown()
    srv.server_close()


def test_service_refused_and_nothing_fetched(server: LiveServer, remote) -> None:
    host, recorder = remote
    q = f"SELECT ?x WHERE {{ SERVICE <http://{host}/sparql> {{ ?x ?y ?z }} }}"
    status, _, body = server.query(q)
    assert status == 403
    assert "SERVICE" in body.decode() and "--allow-service" in body.decode()
    for sneaky in [
        f"SELECT * WHERE {{ service silent <http://{host}/sparql> {{ ?x ?y ?z }} }}",
        f"PREFIX r: <http://{host}/>\nSELECT * WHERE {{ SERVICE r:sparql {{ ?x ?y ?z }} }}",
        f"SELECT * WHERE {{ BIND(<http://{host}/sparql> AS ?e) SERVICE ?e {{ ?x ?y ?z }} }}",
        f'SELECT * WHERE {{ ?s ?p "#" . SERVICE <http://{host}/sparql> {{ ?x ?y ?z }} }}',
        f"PREFIX e: <http://e/>\nSELECT * WHERE {{ ?s e:a\\# ?o . SERVICE <http://{host}/sparql> {{ ?x ?y ?z }} }}",
        f"SELECT * WHERE {{ ?s ?p 'it''s' . SERVICE <http://{host}/sparql> {{ ?x ?y ?z }} }}",
    ]:
        status, _, body = server.query(sneaky)
        assert status == 403, (sneaky, body)
    assert recorder.hits == []


def test_from_urls_and_files_are_not_read(server: LiveServer, remote) -> None:
    host, recorder = remote
    for source in ["file:///etc/passwd", f"http://{host}/data.ttl"]:
        for clause in ("FROM", "FROM NAMED"):
            q = f"SELECT * {clause} <{source}> WHERE {{ {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} }} }}"
            status, _, body = server.query(q)
            assert status == 200
            assert json.loads(body)["results"]["bindings"] == []
    for source in ["file:///etc/passwd", f"http://{host}/data.ttl"]:
        params = urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": source})
        status, _, body = server.request(
            "/sparql?" + params, headers={"Accept": "application/sparql-results+json"}
        )
        assert status == 200 and json.loads(body)["results"]["bindings"] == []
    assert recorder.hits == []


def test_allowed_service_and_authorised_update(store_dir: Path, tmp_path: Path, remote) -> None:
    host, recorder = remote
    token = "test-token-0123456789"
    srv = LiveServer(
        store_dir,
        "--allow-service",
        host,
        "--allow-update",
        token,
        "--refresh",
        "0",
        log=tmp_path / "serve.log",
    )
    try:
        q = f"SELECT ?x WHERE {{ SERVICE <http://{host}/sparql> {{ ?x ?y ?z }} }}"
        status, _, body = srv.query(q)
        assert status == 200, body
        assert json.loads(body)["results"]["bindings"] == [{"x": {"type": "literal", "value": "remote"}}]
        assert len(recorder.hits) == 1
        status, _, body = srv.query("SELECT * WHERE { SERVICE <http://127.0.0.2:9/sparql> { ?x ?y ?z } }")
        assert status == 403 and "not allowed" in body.decode()

        # Updates: refused without the token, applied with it, and seen by the next query.
        graph = GRAPH["update-test"]
        insert = f'INSERT DATA {{ GRAPH <{graph}> {{ <{TANGIER}> <{rns.RDFS.comment}> "city"@en }} }}'
        form = urllib.parse.urlencode({"update": insert}).encode()
        ctype = {"Content-Type": "application/x-www-form-urlencoded"}
        status, headers, _ = srv.request("/sparql", method="POST", data=form, headers=ctype)
        assert status == 401 and headers["www-authenticate"].startswith("Bearer")
        status, _, _ = srv.request(
            "/sparql", method="POST", data=form, headers={**ctype, "Authorization": "Bearer nope"}
        )
        assert status == 401
        status, _, body = srv.request(
            "/sparql", method="POST", data=form, headers={**ctype, "Authorization": f"Bearer {token}"}
        )
        assert status == 204, body
        _, _, body = srv.query(f'ASK {{ GRAPH <{graph}> {{ ?s <{rns.RDFS.comment}> "city"@en }} }}')
        assert json.loads(body)["boolean"] is True
        # LOAD of a file is refused even with the token.
        status, _, body = srv.request(
            "/sparql", method="POST", data=b"LOAD <file:///etc/passwd>",
            headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {token}"},
        )  # fmt: skip
        assert status == 403 and "files" in body.decode()
        delete = f"DROP GRAPH <{graph}>"
        status, _, _ = srv.request(
            "/sparql", method="POST", data=delete.encode(),
            headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {token}"},
        )  # fmt: skip
        assert status == 204
    finally:
        srv.stop()


# -- time limit ---------------------------------------------------------------------------------

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }"


def test_runaway_query_stopped_while_others_answered(store_dir: Path, tmp_path: Path) -> None:
    srv = LiveServer(
        store_dir, "--timeout", "1.5", "--workers", "2", "--refresh", "0", log=tmp_path / "serve.log"
    )
    try:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            started = time.monotonic()
            slow = pool.submit(srv.query, RUNAWAY)
            time.sleep(0.2)  # the runaway query is running in one worker now
            status, _, body = srv.query(ASK_CONF)
            assert status == 200 and json.loads(body)["boolean"] is True
            assert not slow.done(), "the small query was not answered while the runaway one ran"
            status, _, body = slow.result(30)
            took = time.monotonic() - started
        assert status == 503
        assert "1.5 s time limit" in body.decode()
        assert 1.4 < took < 6, took
        # Through SPARQLWrapper too: a 503 surfaces as an error, and the server lives on.
        with pytest.raises((EndPointInternalError, SPARQLWrapperException, urllib.error.HTTPError)):
            wrapper(srv, RUNAWAY, JSON).query()
        for _ in range(3):  # the killed workers were replaced
            assert wrapper(srv, ASK_CONF, JSON).query().convert()["boolean"] is True
    finally:
        srv.stop()


# -- linked data -------------------------------------------------------------------------------


def test_entity_iri_resolves_to_turtle_and_jsonld(server: LiveServer) -> None:
    path = "/id/" + str(INTERPOL)[len(str(ID)) :]
    status, headers, body = server.request(path, headers={"Accept": "text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    assert "accept" in headers.get("vary", "").lower()
    g = Graph().parse(data=body.decode(), format="turtle")
    assert (INTERPOL, rns.OWL.sameAs, WD["Q8475"]) in g
    assert (CONF, CK.participant, INTERPOL) in g
    assert (None, CK.sentence, Literal(SENTENCE_A2, lang="ar")) in g
    status, headers, body = server.request(path, headers={"Accept": "application/ld+json"})
    assert status == 200 and headers["content-type"].startswith("application/ld+json")
    g = Graph().parse(data=body.decode(), format="json-ld")
    assert (INTERPOL, rns.RDFS.label, Literal("المنظمة الدولية للشرطة الجنائية", lang="ar")) in g


def test_entity_page_html(server: LiveServer) -> None:
    path = "/id/" + str(CONF)[len(str(ID)) :]
    status, headers, body = server.request(
        path, headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    )
    page = body.decode()
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in headers["content-security-policy"]
    assert '<span lang="ar" dir="rtl">المؤتمر السابع والأربعون لقادة الشرطة والأمن العرب</span>' in page
    assert SENTENCE_A1 in page and SENTENCE_B1 in page
    assert TITLE_A in page  # the article behind the facts
    assert 'href="/id/place/tangier"' in page
    assert "Concluded across articles" in page  # ck:startDate from the merged graph
    status, _, body = server.request("/id/place/tangier")
    assert status == 200 and 'href="http://www.wikidata.org/entity/Q160303"' in body.decode()
    status, _, _ = server.request("/id/place/atlantis", headers={"Accept": "text/html"})
    assert status == 404
    status, _, _ = server.request("/id/place/atlantis", headers={"Accept": "text/turtle"})
    assert status == 404


def test_search_and_index(server: LiveServer) -> None:
    status, _, body = server.request("/search?" + urllib.parse.urlencode({"q": "طنجة"}))
    assert status == 200 and 'href="/id/place/tangier"' in body.decode()
    status, headers, body = server.request("/")
    page = body.decode()
    assert status == 200
    for rq in sorted((REPO / "queries").glob("*.rq")):
        assert f'data-name="{rq.stem}"' in page
    # every script and stylesheet the page loads is local
    assert "https://" not in page.split('<script type="application/json"')[0].replace("https://w3id.org", "")
    for asset in ["/static/app.css", "/static/app.js", "/static/vendor/editor.min.js",
                  "/static/fonts/noto-sans-arabic-arabic-400-normal.woff2"]:  # fmt: skip
        status, _, _ = server.request(asset)
        assert status == 200, asset


def test_example_queries_run(server: LiveServer) -> None:
    for rq in sorted((REPO / "queries").glob("*.rq")):
        status, _, body = server.query(rq.read_text("utf-8"))
        assert status == 200, (rq.name, body)
        assert json.loads(body)["results"]["bindings"], f"{rq.name} found nothing in the test store"


def test_real_build_serves_every_example(tmp_path: Path) -> None:
    """`confkg build seeds/articles`, then every example query and an entity page over it."""
    store = tmp_path / "store"
    build = subprocess.run(
        [sys.executable, "-m", "confkg.cli", "build", str(REPO / "seeds" / "articles"), "--store", str(store), "-q"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if not (store / "CURRENT").exists():
        pytest.skip(f"confkg build made no store (exit {build.returncode}): {build.stderr.strip()[-300:]}")
    srv = LiveServer(store, "--refresh", "0", log=tmp_path / "serve.log")
    try:
        for rq in sorted((REPO / "queries").glob("*.rq")):
            status, _, body = srv.query(rq.read_text("utf-8"))
            assert status == 200, (rq.name, body)
            assert json.loads(body)["results"]["bindings"], f"{rq.name} found nothing in the seed articles"
        _, _, body = srv.query(f"SELECT ?c WHERE {{ ?c a <{CK.Conference}> ; <{CK.evidence}> ?e }} LIMIT 1")
        conference = json.loads(body)["results"]["bindings"][0]["c"]["value"]
        status, _, body = srv.request("/id/" + conference[len(str(ID)) :], headers={"Accept": "text/html"})
        assert status == 200 and '<blockquote class="sentence' in body.decode()
    finally:
        srv.stop()


# -- consistency while the store is written ----------------------------------------------------


def test_readers_see_whole_transactions(tmp_path: Path) -> None:
    """A writer swaps two graphs per transaction; the server never shows one swapped and one not."""
    store = build_store(tmp_path / "store")
    srv = LiveServer(store, "--refresh", "0.05", log=tmp_path / "serve.log")
    counter = URIRef("urn:confkg:test:counter")
    q = f"SELECT ?g ?n WHERE {{ GRAPH ?g {{ <{counter}> <{rns.RDF.value}> ?n }} }}"
    seen: set[int] = set()
    try:
        writer = KGStore.open(store)  # the server holds no lock: a build can write meanwhile
        n, until = 0, time.monotonic() + 60
        try:
            # twelve transactions, and more while the server has not refreshed yet (a loaded machine
            # takes longer to snapshot): the test is about what readers see, not about speed
            while n < 12 or (len(seen) <= 1 and time.monotonic() < until):
                n += 1
                graphs = {}
                for name in ("pair-a", "pair-b"):
                    g = Graph()
                    g.add((counter, rns.RDF.value, Literal(n)))
                    graphs[GRAPH[name]] = g
                writer.replace_graphs(graphs)
                writer.ox.flush()
                for _ in range(3):
                    status, _, body = srv.query(q)
                    assert status == 200, body
                    values = [int(b["n"]["value"]) for b in json.loads(body)["results"]["bindings"]]
                    assert len(values) in (0, 2) and len(set(values)) <= 1, values
                    seen.update(values)
                    time.sleep(0.08)  # a snapshot takes ~0.5 s (a process start and a copy)
        finally:
            writer.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            _, _, body = srv.query(q)
            values = [int(b["n"]["value"]) for b in json.loads(body)["results"]["bindings"]]
            if values == [n, n]:
                break
            time.sleep(0.1)
        assert values == [n, n], "the server never caught up with the last transaction"
        assert len(seen) > 1, "the server never refreshed while the writer was running"
    finally:
        srv.stop()


# -- the query check itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://evil/> { ?a ?b ?c }" }',
        "SELECT * WHERE { ?s ?p '''\nSERVICE <http://evil/> {}\n''' }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://evil/> { ?a ?b ?c }",
        "SELECT * WHERE { ?s <http://x/SERVICE> ?o }",
        "PREFIX service: <http://x/>\nSELECT * WHERE { ?s service:p ?service }",
        'SELECT * WHERE { ?s ?p "a \\" SERVICE <http://evil/> {} \\" b" }',
    ],
)
def test_check_ignores_service_in_strings_comments_iris_and_names(query: str) -> None:
    analysis = analyse(query)
    assert analysis.services == []
    check_outbound(analysis, ())
    assert ox.Store().query(query) is not None  # Oxigraph agrees the query is valid


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://evil/> { ?a ?b ?c } }",
        "select * where { sErViCe SILENT <http://evil/> { ?a ?b ?c } }",
        'SELECT * WHERE { ?s ?p "x" SERVICE ?endpoint { ?a ?b ?c } }',
        "PREFIX e: <http://evil/>\nSELECT * WHERE { SERVICE e:sparql { ?a ?b ?c } }",
        "SELECT * WHERE { ?s ?p 'it\\'s' . SERVICE <http://evil/> { ?a ?b ?c } }",
        "PREFIX e: <http://e/>\nSELECT * WHERE { ?s e:a\\#b ?o . SERVICE <http://evil/> { ?a ?b ?c } }",
        "PREFIX e: <http://e/>\nSELECT * WHERE { ?s e:it\\'s ?o . SERVICE <http://evil/> { ?a ?b ?c } }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o<?p) SERVICE <http://evil/> { ?a ?b ?c } }",
        "SELECT * WHERE { ?s ?p ?o #\n SERVICE <http://evil/> { ?a ?b ?c } }",
        "SELECT * WHERE { ?s ?p ?o \r SERVICE <http://evil/> { ?a ?b ?c } }",
        'SELECT * WHERE { ?s ?p "\\u0022" SERVICE <http://evil/> { ?a ?b ?c } }',
        "SELECT * WHERE { { SELECT * WHERE { SERVICE <http://evil/> { ?a ?b ?c } } } }",
        "ASK { FILTER EXISTS { SERVICE <http://evil/> { ?a ?b ?c } } }",
    ],
)
def test_check_finds_every_service(query: str) -> None:
    analysis = analyse(query)
    assert analysis.services, query
    with pytest.raises(Refusal) as info:
        check_outbound(analysis, ())
    assert info.value.status == 403
    with pytest.raises(Refusal):
        check_outbound(analysis, ("allowed.example",))


def test_check_allows_listed_hosts_only() -> None:
    ok = analyse("SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?a ?b ?c } }")
    check_outbound(ok, ("query.wikidata.org",))
    with pytest.raises(Refusal):
        check_outbound(ok, ("wikidata.org",))
    with pytest.raises(Refusal):
        check_outbound(ok, ("query.wikidata.org:8443",))
    with pytest.raises(Refusal):  # a file: endpoint never passes
        check_outbound(
            analyse("SELECT * WHERE { SERVICE <file:///etc/passwd> { ?a ?b ?c } }"), ("localhost",)
        )
    loads = analyse("LOAD <file:///etc/passwd> INTO GRAPH <http://g>")
    assert loads.is_update and loads.loads
    with pytest.raises(Refusal):
        check_outbound(loads, ("localhost",))
