"""One entity, one node: the merged graph of the samples against seeds/gold/merged.json."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pyoxigraph
import pytest
from conftest import GOLD, SEEDS
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

from confkg.cli import main
from confkg.namespaces import CK, MERGED_GRAPH
from confkg.pipeline import build
from confkg.resolve import iris
from confkg.resolve.merge import subjects_in, subjects_of, update_merged
from confkg.store import KGStore, StoreError

P = "PREFIX ck: <https://w3id.org/confkg/ontology#>\n"


def _q(store_dir, sparql):
    with KGStore.open(store_dir, create=False) as store:
        return [tuple(None if v is None else str(v) for v in r) for r in store.query(P + sparql)]


def test_the_merged_graph_has_the_conferences_series_and_officials_of_the_gold(seed_store_dir):
    gold = json.loads((GOLD / "merged.json").read_text("utf-8"))
    confs = _q(seed_store_dir, "SELECT DISTINCT ?c WHERE { ?c a ck:Conference }")
    series = _q(seed_store_dir, "SELECT DISTINCT ?s WHERE { ?c ck:series ?s }")
    officials = _q(seed_store_dir, "SELECT DISTINCT ?o WHERE { ?o a ck:Official }")
    assert len(confs) == gold["distinct_conferences"] == 4
    assert len(series) == len(gold["conference_series"]) == 3
    assert len(officials) == gold["distinct_officials"] == 6


def test_every_conference_has_the_gold_place_and_dates_and_articles(seed_store_dir):
    gold = json.loads((GOLD / "merged.json").read_text("utf-8"))
    rows = _q(
        seed_store_dir,
        """SELECT ?c ?series ?edition ?city ?country ?start ?end
                  (GROUP_CONCAT(DISTINCT ?id; separator=" ") AS ?ids) WHERE {
             ?c a ck:Conference ; ck:series/rdfs:label ?series ; ck:edition ?edition ;
                ck:heldIn ?p ; ck:mentionedIn/ck:articleId ?id .
             FILTER(LANG(?series) = "en")
             ?p rdfs:label ?city FILTER(LANG(?city) = "en")
             ?p ck:country/rdfs:label ?country FILTER(LANG(?country) = "en")
             OPTIONAL { ?c ck:startDate ?start } OPTIONAL { ?c ck:endDate ?end }
           } GROUP BY ?c ?series ?edition ?city ?country ?start ?end""",
    )
    got = {
        (series, int(edition)): (city, country, start, end, sorted(ids.split()))
        for _, series, edition, city, country, start, end, ids in rows
    }
    for g in gold["conferences"]:
        key = (g["series_en"], g["edition"])
        assert key in got, key
        assert got[key] == (g["city_en"], g["country_en"], g["start"], g["end"], sorted(g["articles"])), key


def test_interpol_is_one_organisation_under_all_its_spellings(seed_store_dir):
    rows = _q(
        seed_store_dir,
        "SELECT DISTINCT ?o WHERE { ?o a ck:Organisation ; rdfs:label ?l FILTER(STR(?l) = 'Interpol') }",
    )
    assert rows == [("https://w3id.org/confkg/id/organisation/interpol",)]
    spellings = _q(
        seed_store_dir,
        "SELECT DISTINCT ?s WHERE { <https://w3id.org/confkg/id/organisation/interpol> skos:altLabel ?s }",
    )
    assert {"الإنتربول", "الانتربول"} <= {s for (s,) in spellings}


def test_hammouchi_is_one_person_with_his_variant_spellings(seed_store_dir):
    gold = json.loads((GOLD / "merged.json").read_text("utf-8"))
    h = next(o for o in gold["officials"] if o["name_ar"] == "عبد اللطيف حموشي")
    rows = _q(
        seed_store_dir,
        """SELECT DISTINCT ?o ?id WHERE { ?o a ck:Official ; rdfs:label ?l ; ck:mentionedIn/ck:articleId ?id
           FILTER(CONTAINS(STR(?l), "حموشي")) }""",
    )
    assert len({o for o, _ in rows}) == 1
    assert sorted({i for _, i in rows}) == sorted(h["articles"])
    labels = {
        s
        for (s,) in _q(
            seed_store_dir,
            f"SELECT ?s WHERE {{ <{rows[0][0]}> skos:altLabel|rdfs:label|skos:prefLabel ?s }}",
        )
    }
    assert {"عبد اللطيف حموشي", "عبد اللطيف الحموشي", "الحموشي"} <= labels


def test_merged_conclusions_live_in_their_own_graph_with_their_sources(seed_store_dir):
    rows = _q(
        seed_store_dir,
        f"""SELECT ?start ?src WHERE {{ GRAPH <{MERGED_GRAPH}> {{
               ?c ck:startDate ?start .
               ?st rdf:subject ?c ; rdf:predicate ck:startDate ; prov:wasDerivedFrom ?src }} }}""",
    )
    by_start = {}
    for start, src in rows:
        by_start.setdefault(start, set()).add(src.rsplit("/", 1)[1])
    assert by_start["2025-11-24"] == {"001_68def380e0635f55", "004_7f5ce3c5399a6bce"}
    assert by_start["2023-12-06"] == {"000_694295c2e3e9f014", "001_68def380e0635f55"}
    # each article graph alone states only what its article says
    alone = _q(
        seed_store_dir,
        """SELECT ?start WHERE { GRAPH <https://w3id.org/confkg/id/graph/004_7f5ce3c5399a6bce> {
             ?c ck:startDate ?start } }""",
    )
    assert alone == []


def test_remove_names_only_articles_and_changes_nothing_when_one_is_not_there(seed_store_copy, runner):
    """The merged graph, the links graph or an id no article could have are not articles."""
    with KGStore.open(seed_store_copy, create=False) as store:
        before = len(store)
    for ids in (["merged"], ["wikidata-links"], ["001_68def380e0635f55", "no such>article"], ["000_x"]):
        result = runner.invoke(main, ["remove", *ids, "--store", str(seed_store_copy)])
        assert result.exit_code == 1, result.output
        assert "no article" in result.output and ids[-1] in result.output
    with KGStore.open(seed_store_copy, create=False) as store:
        assert len(store) == before and store.article_count() == 5


def test_removing_an_article_withdraws_what_only_it_supported(seed_store_copy, runner):
    result = runner.invoke(main, ["remove", "004_7f5ce3c5399a6bce", "--store", str(seed_store_copy)])
    assert result.exit_code == 0, result.output
    assert "removed 1 article(s); 4 article(s) remain" in result.output
    starts = _q(
        seed_store_copy,
        "SELECT ?s WHERE { <https://w3id.org/confkg/id/conference/interpol-general-assembly-93> ck:startDate ?s }",
    )
    assert starts == []
    # the conference itself is still reported by article 001
    with KGStore.open(seed_store_copy, create=False) as store:
        assert store.query(
            P + "ASK { <https://w3id.org/confkg/id/conference/interpol-general-assembly-93> a ck:Conference }"
        ).askAnswer


GA93_START = (
    "SELECT ?s WHERE { <https://w3id.org/confkg/id/conference/interpol-general-assembly-93> ck:startDate ?s }"
)


def _merge_fails(monkeypatch) -> None:
    """Until monkeypatch.undo(): every merge stops half-way, as a full disk or a kill would."""
    from confkg.resolve import merge

    def fail(*args, **kwargs):
        raise StoreError("the disk is full")

    monkeypatch.setattr(merge, "update_merged", fail)


def _stopped_build(tmp_path: Path, runner, monkeypatch) -> tuple[Path, Path]:
    """A store built from article 001, then a build adding 004 that stopped before merging."""
    folder, store = tmp_path / "in", tmp_path / "store"
    folder.mkdir()
    shutil.copy(SEEDS / "001_68def380e0635f55.txt", folder)
    assert runner.invoke(main, ["build", str(folder), "--store", str(store), "-q"]).exit_code == 0
    shutil.copy(SEEDS / "004_7f5ce3c5399a6bce.txt", folder)
    _merge_fails(monkeypatch)
    assert runner.invoke(main, ["build", str(folder), "--store", str(store), "-q"]).exit_code != 0
    monkeypatch.undo()
    assert _q(store, GA93_START) == []  # 004 written, the dates not merged
    return folder, store


def test_a_build_stopped_before_merging_is_merged_whole_by_the_next_build(tmp_path, runner, monkeypatch):
    """The articles a stopped build wrote are unchanged for the next build, which would merge
    nothing: with no links state left (see confkg.link), it merges every entity."""
    folder, store = _stopped_build(tmp_path, runner, monkeypatch)
    again = runner.invoke(main, ["build", str(folder), "--store", str(store), "-q"])
    assert again.exit_code == 0 and "built 0 article(s); 2 unchanged" in again.output
    assert _q(store, GA93_START) == [("2025-11-24",)]


def test_a_stopped_removal_of_every_article_is_withdrawn_by_the_next_build(tmp_path, runner, monkeypatch):
    """With no article left, the merged graph still spoke of the removed articles' entities: the
    next command merges every entity the merged graph speaks of, not only those it touches."""
    from confkg import upkeep

    folder, other, store = tmp_path / "in", tmp_path / "other", tmp_path / "store"
    folder.mkdir(), other.mkdir()
    for name in ("001_68def380e0635f55.txt", "004_7f5ce3c5399a6bce.txt"):
        shutil.copy(SEEDS / name, folder)
    shutil.copy(SEEDS / "002_f50b1f537d9797d9.txt", other)
    assert runner.invoke(main, ["build", str(folder), "--store", str(store), "-q"]).exit_code == 0
    assert _q(store, GA93_START) == [("2025-11-24",)]
    _merge_fails(monkeypatch)
    removed = runner.invoke(
        main, ["remove", "001_68def380e0635f55", "004_7f5ce3c5399a6bce", "--store", str(store)]
    )
    assert removed.exit_code != 0
    monkeypatch.undo()
    assert _q(store, GA93_START) == [("2025-11-24",)]  # the merged date outlived its articles
    assert runner.invoke(main, ["build", str(other), "--store", str(store), "-q"]).exit_code == 0
    assert _q(store, GA93_START) == []
    assert not (store / upkeep.PENDING_FILE).exists()


def test_a_link_run_after_a_stopped_build_does_not_hide_what_the_build_left_undone(
    tmp_path, runner, monkeypatch
):
    """`confkg link` writes a fresh links state; the build's own marker still says the merged graph
    of the stopped build's articles was never made, so the next build makes it."""
    from confkg import upkeep

    folder, store = _stopped_build(tmp_path, runner, monkeypatch)
    assert (store / upkeep.PENDING_FILE).exists()
    linked = runner.invoke(main, ["link", "--offline", "--store", str(store)])
    assert linked.exit_code == 0, linked.output
    assert _q(store, GA93_START) == []  # linking does not merge
    again = runner.invoke(main, ["build", str(folder), "--store", str(store), "-q"])
    assert again.exit_code == 0 and "built 0 article(s); 2 unchanged" in again.output
    assert _q(store, GA93_START) == [("2025-11-24",)]
    assert not (store / upkeep.PENDING_FILE).exists()


def test_adding_one_article_updates_the_merged_graph_without_rebuilding_the_others(tmp_path, runner):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS / "001_68def380e0635f55.txt", folder)
    store = tmp_path / "store"
    runner.invoke(main, ["build", str(folder), "--store", str(store), "-q"])
    assert _q(store, GA93_START) == []
    shutil.copy(SEEDS / "004_7f5ce3c5399a6bce.txt", folder)
    result = runner.invoke(main, ["build", str(folder), "--store", str(store), "-q"])
    assert re.search(r"built 1 article\(s\), [0-9,]+ quads; 1 unchanged\.", result.output)
    assert _q(store, GA93_START) == [("2025-11-24",)]


def test_what_a_build_reads_from_the_graphs_it_writes_is_what_the_store_gives_for_them():
    """The build takes the entities of the graphs it has just written from the graphs (subjects_in),
    not from the store; the store is asked only about graphs it already holds (`stored`)."""
    from confkg.ingest import iter_articles
    from confkg.pipeline import process_article

    graphs = {iris.article_graph(a.id): process_article(a)[1] for a in iter_articles([SEEDS])}
    with KGStore.open(None) as store:
        first, *rest = graphs
        assert store.stored(graphs) == []
        store.replace_graphs({first: graphs[first]})
        assert store.stored(graphs) == [first]
        store.replace_graphs({iri: graphs[iri] for iri in rest})
        assert store.stored(graphs) == list(graphs)
        for iri, triples in graphs.items():
            expected = set(subjects_of(store, [iri]))
            assert len(expected) >= 3  # a conference, an organisation, an official at least
            assert subjects_in([triples]) == subjects_in([triples.graph()]) == expected
            assert subjects_in([triples.ntriples()]) == expected
        assert subjects_in(t.ntriples() for t in graphs.values()) == set(subjects_of(store, graphs))


# -- merging in chunks, patching the merged graph ----------------------------------------------------


def _triples(store: KGStore, graph: URIRef | None) -> set[str]:
    """One graph's triples as N-Triples-like strings (None: the default graph, the union)."""
    name = pyoxigraph.DefaultGraph() if graph is None else pyoxigraph.NamedNode(str(graph))
    return {str(q.triple) for q in store.ox.quads_for_pattern(None, None, None, name)}


def _set_union_of_named_graphs(store: KGStore) -> set[str]:
    return {str(q.triple) for q in store.ox if isinstance(q.graph_name, pyoxigraph.NamedNode)}


def _build(folder: Path, store: KGStore, *, chunk_size: int) -> None:
    """What `confkg build` does to the store, without the Wikidata links."""
    report = build([folder], store, keep_facts=False)
    update_merged(store, subjects=report.touched, chunk_size=chunk_size)


def _remove(store: KGStore, article_id: str, *, chunk_size: int) -> None:
    """What `confkg remove` does."""
    graphs = [iris.article_graph(article_id)]
    touched = subjects_of(store, graphs)
    store.remove_graphs(graphs)
    update_merged(store, subjects=touched, chunk_size=chunk_size)


def _from_scratch(folder: Path) -> KGStore:
    """A fresh store of the folder's articles, its merged graph computed all at once."""
    store = KGStore.open(None)
    build([folder], store, keep_facts=False)
    update_merged(store, chunk_size=1_000_000)
    return store


def _statements_agree_with_the_graph_node(store: KGStore) -> None:
    """Each merged triple is reified with its sources, and the graph node lists exactly those sources."""
    merged = store.graph(MERGED_GRAPH)
    statements = set(merged.subjects(RDF.type, RDF.Statement))
    reified = {
        (merged.value(st, RDF.subject), merged.value(st, RDF.predicate), merged.value(st, RDF.object))
        for st in statements
    }
    stated = {t for t in merged if t[0] not in statements and t[0] != MERGED_GRAPH}
    assert stated == reified
    sources = {g for st in statements for g in merged.objects(st, PROV.wasDerivedFrom)}
    assert set(merged.objects(MERGED_GRAPH, PROV.wasDerivedFrom)) == sources


A000, A001, A002, A003, A004 = sorted(p.name for p in SEEDS.glob("*.txt"))
START_93 = URIRef("https://w3id.org/confkg/id/conference/interpol-general-assembly-93")


def test_merging_in_chunks_as_articles_come_change_and_go_gives_the_merged_graph_of_a_full_recompute(
    tmp_path,
):
    folder = tmp_path / "articles"
    folder.mkdir()
    store = KGStore.open(None)
    patch, patches = store.patch_graph, []

    def patch_and_check(*args, **kwargs) -> None:
        patch(*args, **kwargs)
        patches.append(kwargs)
        _statements_agree_with_the_graph_node(store)  # after every chunk, not only at the end

    store.patch_graph = patch_and_check

    def add(*names: str) -> None:
        for name in names:
            shutil.copy(SEEDS / name, folder)

    def same_as_from_scratch(step: str) -> set[str]:
        expected = _from_scratch(folder)
        merged = _triples(store, MERGED_GRAPH)
        assert merged == _triples(expected, MERGED_GRAPH), step
        assert _triples(store, None) == _triples(expected, None), step
        assert _triples(store, None) == _set_union_of_named_graphs(store), step
        assert store.graph_iris() == expected.graph_iris(), step
        _statements_agree_with_the_graph_node(store)
        return merged

    add(A001, A002)
    _build(folder, store, chunk_size=2)
    first = same_as_from_scratch("first build")
    add(A000, A004)
    _build(folder, store, chunk_size=2)
    assert same_as_from_scratch("two articles added") != first
    assert store.graph(MERGED_GRAPH).value(START_93, CK.startDate) == Literal("2025-11-24", datatype=XSD.date)
    text = (folder / A004).read_text("utf-8")
    assert "من 24 حتى 27 نونبر الجاري" in text
    (folder / A004).write_text(
        text.replace("من 24 حتى 27 نونبر الجاري", "من 25 حتى 28 نونبر الجاري"), "utf-8"
    )
    _build(folder, store, chunk_size=2)
    same_as_from_scratch("one article changed")
    assert store.graph(MERGED_GRAPH).value(START_93, CK.startDate) == Literal("2025-11-25", datatype=XSD.date)
    (folder / A001).unlink()
    _remove(store, A001.removesuffix(".txt"), chunk_size=2)
    same_as_from_scratch("one article removed")
    assert store.graph(MERGED_GRAPH).value(START_93, CK.startDate) is None
    add(A001, A003)
    _build(folder, store, chunk_size=3)
    same_as_from_scratch("two more added")
    assert len(patches) > 20 and any(p["delete"] for p in patches)


def _about(store: KGStore, entity: URIRef) -> set[str]:
    """What the merged graph says about one entity: its triples and their statements, whole."""
    merged = store.graph(MERGED_GRAPH)
    statements = set(merged.subjects(RDF.subject, entity))
    return {str(t) for t in merged if t[0] == entity or t[0] in statements}


def test_a_merge_that_fails_halfway_leaves_each_entity_merged_before_or_after_and_the_union_exact(
    tmp_path, monkeypatch
):
    import confkg.store

    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    store = KGStore.open(None)
    _build(folder, store, chunk_size=1000)
    before = _from_scratch(folder)
    for name, old, new in [
        (A004, "من 24 حتى 27 نونبر الجاري", "من 25 حتى 28 نونبر الجاري"),  # the assembly's dates
        (A000, "عبد اللطيف حموشي", "عبد اللطيف الحموشي"),  # Hammouchi's spellings
    ]:
        text = (folder / name).read_text("utf-8")
        assert old in text
        (folder / name).write_text(text.replace(old, new), "utf-8")
    after = _from_scratch(folder)
    touched = build([folder], store, keep_facts=False).touched

    writes = []
    ntriples = confkg.store.ntriples

    def third_write_breaks(graph):
        writes.append(graph)
        return ntriples(graph) + ("\n<broken" if len(writes) == 3 else "")

    monkeypatch.setattr(confkg.store, "ntriples", third_write_breaks)
    with pytest.raises(StoreError):
        update_merged(store, subjects=touched, chunk_size=1)
    assert len(writes) == 3
    changed = [e for e in touched if _about(before, e) != _about(after, e)]
    states = [
        "after"
        if _about(store, e) == _about(after, e)
        else "before"
        if _about(store, e) == _about(before, e)
        else "neither"
        for e in changed
    ]
    assert sorted(set(states)) == ["after", "before"], states  # some chunks written, the others not at all
    assert _triples(store, None) == _set_union_of_named_graphs(store)
    _statements_agree_with_the_graph_node(store)

    monkeypatch.undo()
    update_merged(store, subjects=touched)
    assert _triples(store, MERGED_GRAPH) == _triples(after, MERGED_GRAPH)
    assert _triples(store, None) == _triples(after, None)


def test_a_tie_between_spellings_goes_to_the_same_one_however_the_entities_are_chunked():
    from rdflib import Graph
    from rdflib.namespace import RDFS, SKOS

    pairs = [("أحمد", "محمد"), ("سعيد", "رشيد"), ("كريم", "حكيم"), ("يوسف", "يونس"), ("سمير", "بشير")]
    entities = [URIRef(f"https://w3id.org/confkg/id/official/tie-{i}") for i in range(len(pairs))]
    graphs = {iris.article_graph("tie-a"): Graph(), iris.article_graph("tie-b"): Graph()}
    for entity, pair, flip in zip(entities, pairs, [0, 1, 0, 1, 0], strict=True):
        for g, name in zip(graphs.values(), pair[::-1] if flip else pair, strict=True):
            g.add((entity, RDF.type, CK.Official))
            g.add((entity, RDFS.label, Literal(name, lang="ar")))
    store = KGStore.open(None)
    store.replace_graphs(graphs)
    first_in_code_point_order = {
        e: Literal(min(pair), lang="ar") for e, pair in zip(entities, pairs, strict=True)
    }
    for chunk_size in (1, 2, len(entities)):
        update_merged(store, chunk_size=chunk_size)
        merged = store.graph(MERGED_GRAPH)
        assert {e: merged.value(e, SKOS.prefLabel) for e in entities} == first_in_code_point_order, chunk_size
