"""The walking skeleton, as a user runs it: build, query, export, rebuild, bad input."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pyoxigraph
import pytest
from conftest import SEEDS
from rdflib import Dataset, Graph

from confkg.cli import main
from confkg.ingest import iter_articles
from confkg.namespaces import CK
from confkg.store import KGStore, StoreError

CONFERENCES = """
PREFIX ck: <https://w3id.org/confkg/ontology#>
SELECT ?c ?edition ?city ?country ?start ?end WHERE {
  ?c a ck:Conference ; ck:edition ?edition ; ck:heldIn ?p .
  ?p rdfs:label ?city FILTER(LANG(?city) = "en")
  ?p ck:country/rdfs:label ?country FILTER(LANG(?country) = "en")
  OPTIONAL { ?c ck:startDate ?start } OPTIONAL { ?c ck:endDate ?end }
} ORDER BY ?edition
"""


def _rows(store_dir: Path, sparql: str) -> list[tuple]:
    with KGStore.open(store_dir, create=False) as store:
        return [tuple(None if v is None else str(v) for v in row) for row in store.query(sparql)]


def test_the_samples_give_the_four_conferences_each_once(seed_store_dir):
    rows = _rows(seed_store_dir, CONFERENCES)
    by_edition = {}
    for c, edition, city, country, start, end in rows:
        by_edition.setdefault(edition, set()).add((c, city, country, start, end))
    assert set(by_edition) == {"1", "47", "48", "93"}
    assert all(len({r[0] for r in v}) == 1 for v in by_edition.values()), "one IRI per conference"
    assert {(r[1], r[2]) for r in by_edition["47"]} == {("Tangier", "Morocco")}
    assert {r[4] for r in by_edition["47"]} == {"2023-12-07"}
    assert {(r[1], r[2], r[3], r[4]) for r in by_edition["48"]} == {
        ("Tunis", "Tunisia", "2024-12-04", "2024-12-05")
    }
    assert {(r[1], r[2]) for r in by_edition["93"]} == {("Marrakesh", "Morocco")}
    assert {(r[1], r[2]) for r in by_edition["1"]} == {("Lyon", "France")}


def test_each_article_has_its_own_named_graph_with_an_article_node(seed_store_dir):
    with KGStore.open(seed_store_dir, create=False) as store:
        graphs = {str(g).rsplit("/", 1)[1] for g in store.article_graph_iris()}
        assert graphs == {p.stem for p in SEEDS.glob("*.txt")}
        g = store.graph(store.article_graph_iris()[0])
        articles = list(g.subjects(predicate=None, object=CK.Article))
        assert len(articles) == 1
        assert g.value(articles[0], CK.sourcePath) is not None


def test_building_the_same_folder_twice_gives_the_same_triples(seed_store_copy, runner):
    before = _all_quads(seed_store_copy)
    result = runner.invoke(main, ["build", str(SEEDS), "--store", str(seed_store_copy), "--force", "-q"])
    assert result.exit_code == 0, result.output
    assert _all_quads(seed_store_copy) == before


def test_an_unchanged_article_is_skipped_and_a_changed_one_replaced(seed_store_copy, runner, tmp_path):
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    result = runner.invoke(main, ["build", str(folder), "--store", str(seed_store_copy), "-q"])
    assert "5 unchanged" in result.output
    art = folder / "003_c716a55496f628a4.txt"
    art.write_text(art.read_text("utf-8").replace("ليون", "نيس"), "utf-8")
    result = runner.invoke(main, ["build", str(folder), "--store", str(seed_store_copy), "-q"])
    assert result.exit_code == 0, result.output
    assert "built 1 article(s)" in result.output
    rows = _rows(
        seed_store_copy,
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/confkg/id/graph/003_c716a55496f628a4> { ?a <https://w3id.org/confkg/ontology#articleId> ?id } }",
    )
    assert rows == [("1",)], "the article graph was replaced, not duplicated"


def test_unchanged_articles_are_found_by_looking_up_the_articles_given_a_batch_at_a_time(
    seed_store_copy, runner, tmp_path, monkeypatch
):
    """The stored hashes are read for the articles of the folder only, HASH_LOOKUP at a time; a
    batch boundary in the middle changes nothing."""
    from confkg import pipeline

    with KGStore.open(seed_store_copy, create=False) as store:
        found = pipeline.stored_hashes(store, ["003_c716a55496f628a4", "no-such-article"])
    assert list(found) == ["003_c716a55496f628a4"]
    assert found["003_c716a55496f628a4"][1] == pipeline.pipeline_version()
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    art = folder / "004_7f5ce3c5399a6bce.txt"
    art.write_text(art.read_text("utf-8").replace("مراكش", "فاس"), "utf-8")
    asked: list[list[str]] = []
    real = pipeline.stored_hashes
    monkeypatch.setattr(pipeline, "HASH_LOOKUP", 2)
    monkeypatch.setattr(
        pipeline, "stored_hashes", lambda store, ids: asked.append(list(ids)) or real(store, ids)
    )
    result = runner.invoke(main, ["build", str(folder), "--store", str(seed_store_copy), "-q"])
    assert result.exit_code == 0, result.output
    assert "built 1 article(s)" in result.output and "4 unchanged" in result.output
    assert [len(ids) for ids in asked] == [2, 2, 1]
    assert sorted(i for ids in asked for i in ids) == sorted(p.stem for p in SEEDS.glob("*.txt"))


def _all_quads(store_dir: Path) -> set[str]:
    with KGStore.open(store_dir, create=False) as store:
        return {str(q) for q in store.ox}


def test_the_pipeline_version_follows_the_data_files_not_where_confkg_is_installed(tmp_path):
    # a rebuild skips unchanged articles by (content hash, pipeline version): a fresh checkout or
    # virtual environment elsewhere must not change the version, a changed gazetteer must
    from importlib import resources

    from confkg.rdf import data_digest

    source = Path(str(resources.files("confkg.data")))
    here, there = tmp_path / "a" / "data", tmp_path / "elsewhere" / "deeper" / "data"
    for target in (here, there):
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    assert data_digest(here) == data_digest(there) == data_digest(source)
    gazetteer = next(p for p in sorted(there.rglob("*.toml")) if p.parent != there)
    gazetteer.write_text(gazetteer.read_text(encoding="utf-8") + "\n# one more line\n", encoding="utf-8")
    assert data_digest(there) != data_digest(here)
    shutil.copy(gazetteer, here / gazetteer.relative_to(there))
    assert data_digest(there) == data_digest(here)
    gazetteer.rename(gazetteer.with_name("renamed.toml"))  # the same bytes under another name
    assert data_digest(there) != data_digest(here)


def test_an_article_needs_twenty_arabic_letters():
    from confkg.ingest import IngestError, _article

    def read(text: str):
        return _article(id="a", text=text, source="a.txt", title=None, url=None, published=None)

    latin = "Interpol General Assembly, Marrakesh. " * 20
    assert isinstance(read(latin + "مراكش" * 3 + "ملتق"), IngestError)  # 19 Arabic letters
    assert not isinstance(read(latin + "مراكش" * 4), IngestError)  # 20


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("empty.txt", b"", "empty file"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary file"),
        ("latin1.txt", "مؤتمر".encode() + " caf\xe9".encode("latin-1"), "not UTF-8"),
        ("english.txt", b"The conference opened in Tunis on Monday.", "no Arabic text"),
    ],
)
def test_bad_input_gives_a_one_line_error_naming_the_file_and_the_rest_is_built(
    tmp_path, runner, name, content, problem
):
    folder = tmp_path / "in"
    shutil.copytree(SEEDS, folder)
    (folder / name).write_bytes(content)
    store = tmp_path / "store"
    result = runner.invoke(main, ["build", str(folder), "--store", str(store), "-q"])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and name in errors[0] and problem in errors[0]
    assert "built 5 article(s)" in result.output


def test_a_missing_path_is_reported_and_the_exit_code_says_so(tmp_path, runner):
    result = runner.invoke(
        main, ["build", str(tmp_path / "nowhere"), str(SEEDS), "--store", str(tmp_path / "s"), "-q"]
    )
    assert result.exit_code == 1
    assert "nowhere: no such file or folder" in result.output
    assert "built 5 article(s)" in result.output


def test_jsonl_articles_carry_their_id_url_and_publication_date(tmp_path, runner):
    text = (SEEDS / "002_f50b1f537d9797d9.txt").read_text("utf-8")
    lines = [
        json.dumps(
            {"id": "tn-48", "text": text, "url": "https://example.org/a", "published": "2024-12-06"},
            ensure_ascii=False,
        ),
        "{not json",
        json.dumps({"title": "بلا نص"}, ensure_ascii=False),
    ]
    src = tmp_path / "feed.jsonl"
    src.write_text("\n".join(lines) + "\n", "utf-8")
    store = tmp_path / "store"
    result = runner.invoke(main, ["build", str(src), "--store", str(store), "-q"])
    assert result.exit_code == 1
    assert f"{src}:2: invalid JSON" in result.output
    assert f"{src}:3:" in result.output
    rows = _rows(
        store,
        "SELECT ?url ?pub WHERE { ?a <https://w3id.org/confkg/ontology#articleId> 'tn-48' ; <https://w3id.org/confkg/ontology#url> ?url ; <https://w3id.org/confkg/ontology#published> ?pub }",
    )
    assert rows == [("https://example.org/a", "2024-12-06")]


def test_html_pages_are_read_through_trafilatura(tmp_path, runner):
    body = (SEEDS / "002_f50b1f537d9797d9.txt").read_text("utf-8").split("\n")
    paragraphs = "".join(f"<p>{line}</p>" for line in body[1:] if line.strip())
    html = (
        '<html lang="ar"><head><title>المؤتمر 48 لقادة الشرطة والأمن العرب</title>'
        '<meta property="article:published_time" content="2024-12-06"></head>'
        f"<body><nav>الرئيسية</nav><article><h1>{body[0]}</h1>{paragraphs}</article></body></html>"
    )
    page = tmp_path / "page48.html"
    page.write_text(html, "utf-8")
    store = tmp_path / "store"
    result = runner.invoke(main, ["build", str(page), "--store", str(store), "-q"])
    assert result.exit_code == 0, result.output
    rows = _rows(
        store,
        "SELECT ?e WHERE { ?c a <https://w3id.org/confkg/ontology#Conference> ; <https://w3id.org/confkg/ontology#edition> ?e }",
    )
    assert rows == [("48",)]


def test_turtle_export_parses_with_rdflib_and_pyoxigraph(seed_store_dir, runner, tmp_path):
    out = tmp_path / "kg.ttl"
    result = runner.invoke(
        main, ["export", "--store", str(seed_store_dir), "--format", "turtle", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert "@prefix ck: <https://w3id.org/confkg/ontology#>" in text
    g = Graph().parse(out, format="turtle")
    assert len(g) > 100
    assert len(list(pyoxigraph.parse(path=str(out), format=pyoxigraph.RdfFormat.TURTLE))) == len(g)


def test_trig_export_keeps_one_graph_per_article(seed_store_dir, runner, tmp_path):
    out = tmp_path / "kg.trig"
    result = runner.invoke(
        main, ["export", "--store", str(seed_store_dir), "--format", "trig", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    ds = Dataset()
    ds.parse(out, format="trig")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert {f"https://w3id.org/confkg/id/graph/{p.stem}" for p in SEEDS.glob("*.txt")} <= names


def test_query_prints_a_table_csv_and_sparql_json(seed_store_dir, runner):
    q = "SELECT ?e WHERE { ?c a ck:Conference ; ck:edition ?e } ORDER BY ?e"
    table = runner.invoke(main, ["query", q, "--store", str(seed_store_dir)])
    assert table.exit_code == 0 and "(4 rows)" in table.output
    csv = runner.invoke(main, ["query", q, "--store", str(seed_store_dir), "--format", "csv"])
    assert csv.output.split() == ["e", "1", "47", "48", "93"]
    js = json.loads(
        runner.invoke(main, ["query", q, "--store", str(seed_store_dir), "--format", "json"]).output
    )
    assert [b["e"]["value"] for b in js["results"]["bindings"]] == ["1", "47", "48", "93"]


def test_construct_gives_turtle(seed_store_dir, runner):
    q = "CONSTRUCT { ?c ck:edition ?e } WHERE { ?c a ck:Conference ; ck:edition ?e }"
    result = runner.invoke(main, ["query", q, "--store", str(seed_store_dir), "--format", "turtle"])
    assert result.exit_code == 0
    assert len(Graph().parse(data=result.output, format="turtle")) == 4


def test_a_malformed_query_gives_a_clear_error(seed_store_dir, runner):
    result = runner.invoke(main, ["query", "SELECT ?x WHERE { ?x", "--store", str(seed_store_dir)])
    assert result.exit_code == 2
    assert result.output.startswith("confkg: query:")
    assert "Traceback" not in result.output


def test_query_from_a_file_of_the_queries_folder(seed_store_dir, runner):
    root = Path(__file__).resolve().parents[1]
    for rq in sorted((root / "queries").glob("*.rq")):
        result = runner.invoke(main, ["query", "-f", str(rq), "--store", str(seed_store_dir)])
        assert result.exit_code == 0, (rq.name, result.output)
        assert "row" in result.output


def test_query_answers_are_rdflib_terms_each_distinct_term_made_once():
    from rdflib import XSD, Literal, URIRef

    ex, n = "http://example.org/", "<http://example.org/n>"
    data = "".join(
        f"<{ex}{s}> {p} {o} .\n"
        for s, p, o in [
            ("a", f"<{ex}name>", '"أ"'),
            ("a", f"<{ex}name>", '"b"@en'),
            ("a", f"<{ex}name>", f'"2024-12-04"^^<{XSD.date}>'),
            ("b", f"<{ex}name>", '"أ"'),
            ("a", n, f'"7"^^<{XSD.integer}>'),
            ("b", n, f'"7"^^<{XSD.integer}>'),
        ]
    )
    with KGStore.open(None) as store:
        store.replace_graphs({URIRef("http://example.org/g"): data})
        # confkg's prefixes are predefined, as for `confkg query`
        assert store.query("ASK { ?s ck:missing ?o }").askAnswer is False
        rows = list(store.query("SELECT ?s ?o WHERE { ?s <http://example.org/name> ?o } ORDER BY ?s STR(?o)"))
        assert [(str(s), o) for s, o in rows] == [
            ("http://example.org/a", Literal("2024-12-04", datatype=XSD.date)),
            ("http://example.org/a", Literal("b", lang="en")),
            ("http://example.org/a", Literal("أ")),  # xsd:string is the plain literal of RDF 1.1
            ("http://example.org/b", Literal("أ")),
        ]
        assert rows[2][1] is rows[3][1] and rows[0][0] is rows[1][0]  # made once, reused down a column
        assert rows[0][1].toPython().year == 2024
        counts = list(store.query("SELECT ?s ?n ?none WHERE { ?s <http://example.org/n> ?n } ORDER BY ?s"))
        assert [(r.n, r.none) for r in counts] == [(Literal(7), None), (Literal(7), None)]
        # a query's FROM names its default graph, as SPARQL says (through oxrdflib it was ignored)
        assert len(store.query("SELECT * FROM <http://example.org/none> WHERE { ?s ?p ?o }").bindings) == 0
        assert len(store.query("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }").bindings) == 6
        built = store.query("CONSTRUCT { ?o ?p ?s } WHERE { ?s ?p ?o FILTER(ISIRI(?o)) }").graph
        assert built is not None and len(built) == 0
        built = store.query(
            "CONSTRUCT { ?s <http://example.org/m> ?n } WHERE { ?s <http://example.org/n> ?n }"
        ).graph
        assert len(built) == 2


def _same_literal(made, expected) -> list[str]:
    """What differs between two rdflib literals, in every field rdflib keeps and in its comparisons."""
    fields = {
        "lexical": (str(made), str(expected)),
        "language": (made.language, expected.language),
        "datatype": (made.datatype, expected.datatype),
        "value": (made.value, expected.value),
        "value type": (type(made.value), type(expected.value)),
        "ill_typed": (made.ill_typed, expected.ill_typed),
        "hash": (hash(made), hash(expected)),
        "n3": (made.n3(), expected.n3()),
        "eq": (made == expected, True),
        "eq term": (made.eq(expected), True),
        "pickled": (pickle.loads(pickle.dumps(made)) == expected, True),
    }
    return [f"{name}: {a!r} != {b!r}" for name, (a, b) in fields.items() if a != b]


def test_query_literals_are_those_rdflibs_constructor_makes():
    """The converter makes text, counts and dates without Literal(); each must be rdflib's own."""
    from rdflib import XSD, Literal

    from confkg.store.terms import TermConverter

    texts = ["", "b", "عبد اللطيف حموشي", "line\nbreak", ' "quoted" ', "٤٨", "0047", "2024-12-04", "x" * 300]
    cases = [(t, lang, None) for t in texts for lang in (None, "ar", "en", "en-GB", "AR")]
    integers = ["0", "7", "48", "-5", "123456789012345678901234567890", "00", "+5", "-0", "0047"]
    dates = ["2024-12-04", "2023-02-28", "2024-02-29", "0001-01-01", "9999-12-31", "2023-02-30", "2023-13-01"]
    dates += [
        "0000-01-01",
        "12023-01-01",
        "-0001-01-01",
        "2024-12-04Z",
        "2024-12-04+01:00",
        "2024-1-4",
        "20241204",
        "2024-W49-3",
    ]
    cases += [(v, None, XSD.integer) for v in integers] + [(v, None, XSD.date) for v in dates]
    cases += [(v, None, XSD.gYear) for v in ["2024", "0001"]] + [
        ("1.50", None, XSD.decimal),
        ("true", None, XSD.boolean),
    ]
    convert = TermConverter()
    problems = []
    for lexical, lang, datatype in cases:
        term = pyoxigraph.Literal(
            lexical, language=lang, datatype=None if datatype is None else pyoxigraph.NamedNode(datatype)
        )
        # what rdflib makes of what Oxigraph gives (it writes tags in lower case, some values canonical)
        expected = Literal(term.value, lang=term.language, datatype=None if datatype is None else datatype)
        made = convert(term)
        problems += [f"{lexical!r} {lang} {datatype}: {p}" for p in _same_literal(made, expected)]
    assert problems == []
    with pytest.raises(ValueError):  # a tag rdflib refuses is refused as before
        TermConverter()(pyoxigraph.Literal("x", language="a b"))


def test_select_rows_are_those_rdflib_makes():
    from rdflib import Literal, Variable
    from rdflib.query import Result, ResultRow

    from confkg.store.terms import SelectResult

    names = [Variable("a"), Variable("b")]
    bindings = [{names[0]: Literal("x"), names[1]: None}, {names[0]: None, names[1]: Literal(2)}, {}]
    made, expected = SelectResult("SELECT"), Result("SELECT")
    for result in (made, expected):
        result.vars, result.bindings = names, [dict(b) for b in bindings]
    rows, want = list(made), list(expected)
    assert rows == want and len(rows) == 2
    for row, other in zip(rows, want, strict=True):
        assert isinstance(row, ResultRow) and row.labels == other.labels
        assert (row.a, row["b"], row[Variable("a")], row.get("c"), row.asdict()) == (
            other.a, other["b"], other[Variable("a")], other.get("c"), other.asdict()
        )  # fmt: skip
    assert made.serialize(format="json") == expected.serialize(format="json")
    assert len(made) == 3 and bool(made)


def test_a_failed_write_leaves_the_store_as_it_was(seed_store_copy):
    from rdflib import URIRef

    before = _all_quads(seed_store_copy)
    bad = Graph()
    bad.add((URIRef("https://w3id.org/confkg/id/x"), CK.edition, URIRef("http://bad iri")))
    with KGStore.open(seed_store_copy) as store:
        good = store.graph(store.article_graph_iris()[0])
        with pytest.raises(StoreError):
            store.replace_graphs(
                {store.article_graph_iris()[0]: Graph(), URIRef("https://w3id.org/confkg/id/graph/bad"): bad}
            )
        assert len(good) > 0
    assert _all_quads(seed_store_copy) == before


def test_query_on_a_missing_store_says_to_build_first(tmp_path, runner):
    result = runner.invoke(main, ["query", "ASK {}", "--store", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "run 'confkg build' first" in result.output


def _graph(*triples) -> Graph:
    g = Graph()
    for t in triples:
        g.add(t)
    return g


def _union(store: KGStore) -> set:
    """The default graph's triples as tuples of strings."""
    return {
        tuple(x.value for x in (q.subject, q.predicate, q.object))
        for q in store.ox.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph())
    }


def _names(*triples) -> set:
    return {tuple(str(x) for x in t) for t in triples}


def test_replacing_and_removing_graphs_keeps_the_union_exact():
    from rdflib import URIRef

    from confkg.namespaces import GRAPH
    from confkg.store import ntriples

    ex = "http://example.org/"
    shared, a1, a2, b1 = (
        (URIRef(ex + "s"), URIRef(ex + "p"), URIRef(ex + o)) for o in ("shared", "a1", "a2", "b1")
    )

    a, b = GRAPH["test-a"], GRAPH["test-b"]
    with KGStore.open(None) as store:
        # a graph may come as its N-Triples text, as build workers send it
        store.replace_graphs({a: _graph(shared, a1), b: ntriples(_graph(shared, b1))})
        assert _union(store) == _names(shared, a1, b1)
        store.replace_graphs({a: _graph(a2)})  # b still states the shared triple: it stays
        assert _union(store) == _names(shared, a2, b1)
        assert len(store.graph(a)) == 1
        store.remove_graphs([b])
        assert _union(store) == _names(a2)
        assert store.graph_iris() == [a]
        store.replace_graphs({a: Graph()})  # an empty graph removes it
        assert _union(store) == set() and store.graph_iris() == [] and len(store) == 0


@pytest.mark.parametrize("bulk", [False, True])
def test_graphs_given_as_text_go_in_whole_as_written_by_workers_or_by_hand(bulk):
    from rdflib import Literal, URIRef

    from confkg.models import StatementLines
    from confkg.namespaces import GRAPH
    from confkg.rdf import TripleSet
    from confkg.store import ntriples, triple_count

    ex = "http://example.org/"
    s, p = URIRef(ex + "s"), URIRef(ex + "p")
    # a literal may hold a line separator, a " ." and a "#": one statement each all the same
    odd = [Literal("سطر\u2028ثان"), Literal("ends with ." + "\u2029"), Literal("# not a comment .")]
    # as a worker sends it: a TripleSet's text, through pickle
    worker_text = pickle.loads(pickle.dumps(TripleSet((s, p, o) for o in odd).ntriples()))
    assert isinstance(worker_text, StatementLines) and triple_count(worker_text) == 3
    assert triple_count(ntriples(_graph(*((s, p, o) for o in odd)))) == 3  # rdflib's own text
    by_hand = f'# a comment\n\n  <{ex}t> <{ex}p> <{ex}o> .\n<{ex}t> <{ex}p> "x" .   \n'
    assert triple_count(by_hand) == 2
    a, b = GRAPH["test-a"], GRAPH["test-b"]
    with KGStore.open(None) as store:
        store.replace_graphs({a: worker_text, b: by_hand}, bulk=bulk)
        assert {str(o) for o in store.graph(a).objects(s, p)} == {str(o) for o in odd}
        assert len(store.graph(b)) == 2
        assert len(_union(store)) == 5


def test_a_shard_keeps_a_literal_holding_a_line_separator_whole(tmp_path):
    # Dask shards are N-Quads made from each graph's lines; a sentence may hold U+2028 as it is
    from rdflib import Literal, URIRef

    from confkg.namespaces import GRAPH
    from confkg.pipeline import _quad_lines, load_shards
    from confkg.rdf import TripleSet

    s, p = URIRef("http://example.org/s"), URIRef("http://example.org/p")
    sentence = Literal("الجملة الأولى\u2028والثانية\x85", lang="ar")
    graph = TripleSet([(s, p, sentence), (s, p, URIRef("http://example.org/o"))])
    shard = tmp_path / "part-00000.nq"
    shard.write_text("".join(_quad_lines(graph, GRAPH["test-a"])), encoding="utf-8")
    with KGStore.open(None) as store:
        load_shards(store, [shard])
        assert set(store.graph(GRAPH["test-a"]).objects(s, p)) == {sentence, URIRef("http://example.org/o")}


@pytest.mark.parametrize("bulk", [False, True])
@pytest.mark.parametrize(
    "bad",
    [
        '<http://example.org/s> <http://example.org/p> "unterminated .',
        "not rdf .",
        # an IRI Oxigraph refuses: text not written by confkg is parsed strictly, bulk or not
        '<http://example.org/%zz> <http://example.org/p> "o" .',
    ],
)
def test_new_graphs_with_a_malformed_one_write_nothing(bad, bulk):
    # a batch of new graphs goes in through Oxigraph's N-Quads loader (or its bulk loader,
    # as a build writes them): still all or nothing
    from rdflib import URIRef

    from confkg.namespaces import GRAPH
    from confkg.store import ntriples

    ex = "http://example.org/"
    kept = (URIRef(ex + "s"), URIRef(ex + "p"), URIRef(ex + "kept"))
    new = (URIRef(ex + "s"), URIRef(ex + "p"), URIRef(ex + "new"))
    with KGStore.open(None) as store:
        store.replace_graphs({GRAPH["test-a"]: _graph(kept)})
        before = {str(q) for q in store.ox}
        with pytest.raises(StoreError, match="the store was not changed"):
            store.replace_graphs({GRAPH["test-b"]: ntriples(_graph(new)), GRAPH["test-c"]: bad}, bulk=bulk)
        assert {str(q) for q in store.ox} == before
        store.replace_graphs({GRAPH["test-b"]: ntriples(_graph(new)) + "\n# a comment\n"}, bulk=bulk)
        assert _union(store) == _names(kept, new) and len(store.graph(GRAPH["test-b"])) == 1


def test_patching_a_graph_takes_out_what_it_says_about_some_subjects_and_keeps_the_union_exact():
    from rdflib import URIRef
    from rdflib.namespace import RDF

    from confkg.namespaces import GRAPH

    ex = "http://example.org/"
    s1, s2, s3, st, p, q = (URIRef(ex + n) for n in ("s1", "s2", "s3", "st", "p", "q"))
    shared, own, other, kept, gone, new = (
        (s, p, URIRef(ex + o))
        for s, o in ((s1, "shared"), (s1, "own"), (s2, "other"), (s3, "kept"), (s3, "gone"), (s1, "new"))
    )
    reification = [(st, RDF.subject, s1), (st, RDF.predicate, p), (st, q, URIRef(ex + "source"))]

    a, b = GRAPH["test-a"], GRAPH["test-b"]
    with KGStore.open(None) as store:
        store.replace_graphs({a: _graph(shared, own, other, kept, gone, *reification), b: _graph(shared)})
        store.patch_graph(a, delete_subjects=[s1], delete=[gone], insert=_graph(new))
        # s1's triples and the statement about it go, and `gone`; b still states `shared`: it stays in the union
        assert set(store.graph(a)) == {other, kept, new}
        assert _union(store) == _names(shared, other, kept, new)
        with pytest.raises(StoreError):  # a failed patch changes nothing
            store.patch_graph(a, delete_subjects=[s2], insert=_graph((s2, p, URIRef("http://bad iri"))))
        assert set(store.graph(a)) == {other, kept, new}
        store.patch_graph(a, delete_subjects=[s1, s2, s3])  # a graph left empty is dropped
        assert store.graph_iris() == [b] and _union(store) == _names(shared)


def test_the_build_summary_gives_one_line_per_conference_when_articles_disagree(
    tmp_path, runner, monkeypatch
):
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    from confkg import report
    from confkg.namespaces import GRAPH

    store_dir = tmp_path / "s"
    assert runner.invoke(main, ["build", str(SEEDS), "--store", str(store_dir), "-q"]).exit_code == 0
    conf = URIRef("https://w3id.org/confkg/id/conference/arab-police-security-leaders-47")
    rabat = URIRef("https://w3id.org/confkg/id/place/rabat")
    with KGStore.open(store_dir, create=False) as store:
        # another article with other dates and another city for the 47th conference
        g = Graph()
        g.add((conf, CK.startDate, Literal("2023-12-01", datatype=XSD.date)))
        g.add((conf, CK.startDate, Literal("2023-12-09", datatype=XSD.date)))
        g.add((conf, CK.endDate, Literal("2023-12-02", datatype=XSD.date)))
        g.add((conf, CK.endDate, Literal("2023-12-10", datatype=XSD.date)))
        g.add((conf, CK.heldIn, rabat))
        store.replace_graphs({GRAPH["disagreeing"]: g})
        rows = {r["iri"]: r for r in report.conference_rows(store)}
    assert len(rows) == 4
    row = rows["conference:arab-police-security-leaders-47"]
    # the earliest start and the latest end, as queries/conferences.rq
    assert row["start"] == "2023-12-01" and row["end"] == "2023-12-10"
    assert (row["city"], row["country"]) == ("Rabat", "Morocco")  # a city and its own country
    assert row["articles"] == "2" and row["edition"] == "47"

    monkeypatch.setattr(report, "SHOWN", 2)
    out = runner.invoke(main, ["build", str(SEEDS), "--store", str(store_dir), "--force"]).output
    listed = [line for line in out.splitlines() if line.startswith("  - ")]
    assert "Conferences in the store (4):" in out
    assert len(listed) == 2 and "… and 2 more" in out
    # the two most reported (two articles each)
    assert all("in 2 article(s)" in line for line in listed)


def test_the_build_summary_lists_the_conferences_of_the_articles_it_wrote(tmp_path, runner):
    """On a store that holds more, the summary is about what the build wrote (its cost follows the
    articles written, not the store); a build that writes nothing lists nothing."""
    from confkg.resolve import iris

    articles, store_dir = tmp_path / "articles", tmp_path / "store"
    articles.mkdir()
    lyon_article = "003_c716a55496f628a4.txt"
    for path in sorted(SEEDS.glob("*.txt")):
        if path.name != lyon_article:
            shutil.copy(path, articles / path.name)
    first = runner.invoke(main, ["build", str(articles), "--store", str(store_dir)])
    assert first.exit_code == 0 and "Conferences in the store (3):" in first.output

    shutil.copy(SEEDS / lyon_article, articles / lyon_article)
    second = runner.invoke(main, ["build", str(articles), "--store", str(store_dir)])
    assert second.exit_code == 0, second.output
    listed = [line for line in second.output.splitlines() if line.startswith("  - ")]
    assert "Conferences of the articles built (1 of 4 in the store):" in second.output
    assert listed == ["  - 1st International Security Forum — Lyon, France — date unknown — in 1 article(s)"]
    with KGStore.open(store_dir, create=False) as store:
        written = len(store.graph(iris.article_graph(Path(lyon_article).stem)))
    assert (
        f"built 1 article(s), {written:,} quads; 4 unchanged. Store {store_dir}: 5 article(s)."
        in second.output
    )

    third = runner.invoke(main, ["build", str(articles), "--store", str(store_dir)])
    assert "Conferences in the store: 4 (no article written by this build)" in third.output
    assert not [line for line in third.output.splitlines() if line.startswith("  - ")]


def test_the_conferences_example_query_gives_one_row_per_conference_when_articles_disagree(tmp_path, runner):
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    from confkg.namespaces import GRAPH

    store_dir = tmp_path / "s"
    assert runner.invoke(main, ["build", str(SEEDS), "--store", str(store_dir), "-q"]).exit_code == 0
    conf = URIRef("https://w3id.org/confkg/id/conference/arab-police-security-leaders-47")
    g = Graph()
    for day in ("2023-12-01", "2023-12-09"):
        g.add((conf, CK.startDate, Literal(day, datatype=XSD.date)))
        g.add((conf, CK.endDate, Literal(day, datatype=XSD.date)))
    g.add((conf, CK.heldIn, URIRef("https://w3id.org/confkg/id/place/rabat")))
    with KGStore.open(store_dir, create=False) as store:
        store.replace_graphs({GRAPH["disagreeing"]: g})
        query = (Path(__file__).parents[1] / "queries" / "conferences.rq").read_text("utf-8")
        rows = [r for r in store.query(query) if str(r.edition) == "47"]
    assert len(rows) == 1  # not one row per combination of dates and cities
    (row,) = rows
    assert (str(row.start), str(row.end)) == ("2023-12-01", "2023-12-09")  # the span the articles give
    assert str(row.city) == "Rabat" and str(row.country) == "Morocco"


def test_officials_and_recommendations_queries_give_one_row_per_fact_with_its_sources(seed_store_dir):
    queries = Path(__file__).parents[1] / "queries"
    with KGStore.open(seed_store_dir, create=False) as store:
        ids = {str(r[0]) for r in store.query("SELECT ?id WHERE { ?a a ck:Article ; ck:articleId ?id }")}
        officials = list(store.query((queries / "officials.rq").read_text("utf-8")))
        mentions = {
            str(r[0]): int(r[1])
            for r in store.query(
                "SELECT ?o (COUNT(DISTINCT ?a) AS ?n) WHERE { ?o a ck:Official ; ck:mentionedIn ?a } GROUP BY ?o"
            )
        }
        recommendations = list(store.query((queries / "recommendations.rq").read_text("utf-8")))
        sentences = {
            str(r[0])
            for r in store.query(
                "SELECT ?s WHERE { ?r a ck:Recommendation ; ck:evidence ?e . ?e ck:sentence ?s }"
            )
        }
    assert len(officials) == len(mentions) == len({str(r.official) for r in officials})
    assert sorted(int(r.articles) for r in officials) == sorted(mentions.values())
    for row in officials:
        listed = str(row.article_ids).split()
        assert len(listed) == int(row.articles) and set(listed) <= ids
    hammouchi = next(r for r in officials if "حموشي" in str(r.official))
    assert int(hammouchi.articles) == 3
    assert recommendations and len(recommendations) == len(set(recommendations))
    assert all(r.sentence is not None and str(r.sentence) in sentences for r in recommendations)


SPECIAL = {"merged", "wikidata-links", "meta"}


def _by_graph(store_dir: Path) -> dict[str, set[str]]:
    """Each graph's quads as text (the default graph, the union, under "")."""
    out: dict[str, set[str]] = {}
    store = pyoxigraph.Store.read_only(str(store_dir))
    for q in store:
        name = "" if isinstance(q.graph_name, pyoxigraph.DefaultGraph) else q.graph_name.value
        out.setdefault(name, set()).add(f"{q.subject} {q.predicate} {q.object}")
    return out


def test_a_first_build_killed_mid_way_keeps_whole_article_graphs_and_resumes_to_the_same_store(tmp_path):
    # A build writes a batch of new graphs through Oxigraph's bulk loader, which documents no
    # transaction: kill builds at several points and check that every graph stored is whole,
    # that the union is exactly the union of the named graphs, and that building again
    # completes the store to what an uninterrupted build gives.
    import signal
    import subprocess
    import sys
    import time

    from conftest import ROOT

    from confkg.namespaces import GRAPH

    corpus = tmp_path / "corpus.jsonl"
    lines = []
    for source in sorted((ROOT / "tests" / "data").glob("*/articles.jsonl")):
        for line in source.read_text("utf-8").splitlines():
            if line.strip():
                lines.append(json.loads(line))
    with corpus.open("w", encoding="utf-8") as out:
        for copy in range(15):  # enough batches that a kill falls between and inside them
            for item in lines:
                out.write(json.dumps({**item, "id": f"{item['id']}-c{copy}"}, ensure_ascii=False) + "\n")
    confkg = [sys.executable, "-c", "from confkg.cli import main; main()"]

    def run(store: Path, kill_after: float | None = None) -> None:
        proc = subprocess.Popen([*confkg, "build", str(corpus), "--store", str(store), "--quiet"])
        if kill_after is None:
            assert proc.wait(timeout=600) == 0
            return
        time.sleep(kill_after)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)

    started = time.perf_counter()
    run(tmp_path / "whole")
    seconds = time.perf_counter() - started
    whole = _by_graph(tmp_path / "whole")
    assert len(whole) > 15 * len(lines)

    articles = {g for g in whole if g.startswith(str(GRAPH)) and g[len(str(GRAPH)) :] not in SPECIAL}
    stored = []
    for n, fraction in enumerate((0.35, 0.6, 0.8)):
        store = tmp_path / f"killed-{n}"
        run(store, kill_after=seconds * fraction)
        if not store.exists():
            continue
        cut = _by_graph(store)
        named = {g: quads for g, quads in cut.items() if g}
        for graph in named.keys() & articles:  # the merged graph is merged in chunks: it may be partial
            assert named[graph] == whole[graph], f"{graph} was stored in part"
        assert cut.get("", set()) == set().union(*named.values()), "the union differs from the named graphs"
        stored.append(len(named.keys() & articles))
        if n == 0:
            run(store)
            assert _by_graph(store) == whole
    assert any(0 < k < len(articles) for k in stored), f"no kill fell inside the build: {stored}"


def test_ntriples_are_written_as_rdflib_writes_them_each_iri_once_per_call():
    """confkg.ntriples.write gives rdflib's own N-Triples text, and refuses what rdflib refuses."""
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import XSD
    from rdflib.plugins.serializers.nt import _nt_row

    from confkg import ntriples
    from confkg.pipeline import process_article

    article = next(iter_articles([SEEDS]))
    _, graph = process_article(article)
    triples = list(graph)
    s, b = URIRef("https://w3id.org/confkg/id/x"), BNode("b1")
    triples += [
        (s, CK.text, Literal('قال "نعم"\\ ثم\nسطر\r\u2028', lang="ar")),
        (b, CK.startDate, Literal("2024-12-04", datatype=XSD.date)),
        (s, CK.mentionedIn, b),
        (b, CK.text, Literal("plain")),
        # not RDF, but rdflib writes it: literals equal to rdflib (tags differ in case) stay apart
        (Literal("a", lang="en"), CK.text, s),
        (Literal("a", lang="EN"), CK.text, s),
    ]
    assert ntriples.write(triples) == "".join(map(_nt_row, triples))
    assert ntriples.write([]) == ""
    with pytest.raises(Exception, match="does not look like a valid URI"):
        ntriples.write([(URIRef("https://example.org/a b{c}"), CK.text, Literal("x"))])
