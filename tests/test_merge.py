"""One entity, one node: the merged graph of the samples against seeds/gold/merged.json."""

from __future__ import annotations

import json
import shutil

from conftest import GOLD, SEEDS

from confkg.cli import main
from confkg.namespaces import MERGED_GRAPH
from confkg.store import KGStore

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


def test_removing_an_article_withdraws_what_only_it_supported(seed_store_copy, runner):
    result = runner.invoke(main, ["remove", "004_7f5ce3c5399a6bce", "--store", str(seed_store_copy)])
    assert result.exit_code == 0, result.output
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


def test_adding_one_article_updates_the_merged_graph_without_rebuilding_the_others(tmp_path, runner):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS / "001_68def380e0635f55.txt", folder)
    store = tmp_path / "store"
    runner.invoke(main, ["build", str(folder), "--store", str(store), "-q"])
    q = "SELECT ?s WHERE { <https://w3id.org/confkg/id/conference/interpol-general-assembly-93> ck:startDate ?s }"
    assert _q(store, q) == []
    shutil.copy(SEEDS / "004_7f5ce3c5399a6bce.txt", folder)
    result = runner.invoke(main, ["build", str(folder), "--store", str(store), "-q"])
    assert "built 1 article(s); 1 unchanged" in result.output
    assert _q(store, q) == [("2025-11-24",)]
