"""Tests of Wikidata linking: the offline lexicon, the API client against a local server, the CLI."""

from __future__ import annotations

import json
import re
import socket
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef
from werkzeug import Request, Response

from confkg.cli import main
from confkg.link import (
    ACCEPTED_CLASSES,
    USER_AGENT,
    Lexicon,
    WikidataClient,
    WikidataUnreachable,
    label_key,
    link_offline,
    link_store,
    load_lexicon,
    read_review,
    remove_links,
    review_file,
)
from confkg.link import linker as linker_module
from confkg.namespaces import CK, GRAPH, ID, LINKS_GRAPH, WD
from confkg.store import KGStore

FIXTURES = Path(__file__).parent / "data" / "wikidata"
SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "wikidata-qids.md"
API_PATH = "/w/api.php"

# The rows of ../shared/spec/wikidata-qids.md: the only QIDs confkg may state.
CONFIRMED_ITEMS = {
    "Q8475": "Interpol",
    "Q207203": "Europol",
    "Q7172": "Arab League",
    "Q217172": "Gulf Cooperation Council",
    "Q19698214": "President of Interpol",
    "Q1028": "Morocco",
    "Q948": "Tunisia",
    "Q142": "France",
    "Q822": "Lebanon",
    "Q878": "United Arab Emirates",
    "Q851": "Saudi Arabia",
    "Q79": "Egypt",
    "Q846": "Qatar",
    "Q810": "Jordan",
    "Q3551": "Rabat",
    "Q3572": "Tunis",
    "Q3820": "Beirut",
    "Q1519": "Abu Dhabi",
    "Q3692": "Riyadh",
    "Q85": "Cairo",
    "Q101625": "Marrakesh",
    "Q456": "Lyon",
}
CONFIRMED_CLASSES = {"Q5", "Q43229", "Q515", "Q6256", "Q327333", "Q35535", "Q484652", "Q245065", "Q192350",
                     "Q625994", "Q1656682"}  # fmt: skip

# The entities of the offline test and the item each must carry.
EXPECTED_OFFLINE = {
    ID["organisation/interpol"]: "Q8475",
    ID["organisation/europol"]: "Q207203",
    ID["organisation/gcc"]: "Q217172",
    ID["place/morocco"]: "Q1028",
    ID["place/tunisia"]: "Q948",
    ID["place/france"]: "Q142",
    ID["place/tunis"]: "Q3572",
    ID["place/lyon"]: "Q456",
    ID["place/marrakesh"]: "Q101625",
}


# -- helpers -----------------------------------------------------------------------


def entity_graph(entities: list[tuple[str, URIRef, str, str | None, list[str]]]) -> Graph:
    """An article graph: (key, class, Arabic label, English label, altLabels) per entity."""
    g = Graph()
    article = ID["article/test"]
    g.add((article, RDF.type, CK.Article))
    for key, cls, ar, en, alts in entities:
        s = ID[key]
        g.add((s, RDF.type, cls))
        g.add((s, RDFS.label, Literal(ar, lang="ar")))
        if en:
            g.add((s, RDFS.label, Literal(en, lang="en")))
        for alt in alts:
            g.add((s, SKOS.altLabel, Literal(alt, lang="ar")))
        g.add((s, CK.mentionedIn, article))
    return g


def make_store(path: Path, entities) -> KGStore:
    store = KGStore.open(path)
    store.replace_graphs({GRAPH["test"]: entity_graph(entities)})
    return store


def same_as(store: KGStore) -> dict[URIRef, set[str]]:
    out: dict[URIRef, set[str]] = {}
    for s, _, o in store.graph(LINKS_GRAPH).triples((None, OWL.sameAs, None)):
        out.setdefault(s, set()).add(str(o).removeprefix(str(WD)))
    return out


OFFLINE_ENTITIES = [
    ("organisation/interpol", CK.Organisation, "الإنتربول", "Interpol", ["المنظمة الدولية للشرطة الجنائية"]),
    ("organisation/europol", CK.Organisation, "يوروبول", "Europol", []),
    ("organisation/gcc", CK.Organisation, "مجلس التعاون الخليجي", "Gulf Cooperation Council", []),
    ("place/morocco", CK.Country, "المغرب", "Morocco", ["المملكة المغربية"]),
    ("place/tunisia", CK.Country, "تونس", "Tunisia", []),
    ("place/france", CK.Country, "فرنسا", "France", []),
    ("place/tunis", CK.Place, "تونس", "Tunis", []),
    ("place/lyon", CK.Place, "ليون", "Lyon", []),
    ("place/marrakesh", CK.Place, "مراكش", "Marrakesh", []),
]


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text("utf-8")


# Requests the fake Wikidata answers: (action, language, search) or (action, ids).
ROUTES = {
    ("wbsearchentities", "ar", "جامعة الدول العربية"): "search-ar-arab-league.json",
    ("wbsearchentities", "en", "Arab League"): "search-en-arab-league.json",
    ("wbgetentities", "Q7172"): "entities-arab-league.json",
    ("wbsearchentities", "ar", "الأمانة العامة لمجلس وزراء الداخلية العرب"): "search-ar-no-hit.json",
    ("wbsearchentities", "ar", "الإنتربول"): "search-ar-interpol.json",
    ("wbsearchentities", "en", "Europol"): "search-en-europol.json",
    ("wbgetentities", "Q8475|Q207203"): "entities-interpol-europol.json",
    ("wbsearchentities", "ar", "فرنسا"): "search-ar-france.json",
    ("wbgetentities", "Q142"): "entities-france.json",
    ("wbsearchentities", "ar", "منظمة مجهولة"): "truncated.json",
}


def fake_wikidata(request: Request) -> Response:
    args = request.args
    action = args.get("action")
    if action == "wbsearchentities":
        key = (action, args.get("language"), args.get("search"))
    else:
        key = (action, args.get("ids"))
    name = ROUTES.get(key)
    if name is None:
        return Response(json.dumps({"error": {"code": "unexpected", "info": f"no fixture for {key}"}}), 200,
                        content_type="application/json")  # fmt: skip
    return Response(fixture(name), 200, content_type="application/json; charset=utf-8")


@pytest.fixture
def wikidata(httpserver: HTTPServer) -> HTTPServer:
    httpserver.expect_request(API_PATH).respond_with_handler(fake_wikidata)
    return httpserver


@pytest.fixture
def sleeps() -> list[float]:
    return []


def client_for(server: HTTPServer, tmp_path: Path, sleeps: list[float], **options) -> WikidataClient:
    defaults = {"min_interval": 0.0, "timeout": 5.0, "max_attempts": 3, "backoff": 0.5}
    defaults.update(options)
    return WikidataClient(
        api_url=server.url_for(API_PATH),
        cache_path=tmp_path / "cache.sqlite",
        sleep=sleeps.append,
        **defaults,
    )


def lexicon_without(*qids: str) -> Lexicon:
    return Lexicon(e for e in load_lexicon().entries if e.qid not in qids)


# -- the lexicon -------------------------------------------------------------------


def test_lexicon_holds_exactly_the_confirmed_qids():
    lexicon = load_lexicon()
    assert lexicon.qids() == set(CONFIRMED_ITEMS)
    by_qid = {e.qid: e for e in lexicon.entries}
    for qid, name in CONFIRMED_ITEMS.items():
        assert by_qid[qid].en == name
    assert {e.type for e in lexicon.entries} == {"organisation", "country", "city", "position"}


def test_type_checks_use_only_confirmed_classes():
    used = set().union(*ACCEPTED_CLASSES.values())
    assert used <= CONFIRMED_CLASSES


@pytest.mark.skipif(not SPEC.exists(), reason="the shared spec is not next to the repository")
def test_lexicon_and_classes_agree_with_the_shared_spec():
    text = SPEC.read_text("utf-8")
    rows = dict(re.findall(r"^\| ([^|]+?) \| [^|]* \| (Q\d+) \|", text, flags=re.M))
    spec_items = set(rows.values())
    assert load_lexicon().qids() == spec_items
    classes_part = text.split("Wikidata classes and properties", 1)[1]
    spec_classes = set(re.findall(r"\bQ\d+\b", classes_part))
    assert set().union(*ACCEPTED_CLASSES.values()) <= spec_classes
    for path in FIXTURES.glob("*.json"):
        assert set(re.findall(r"\bQ\d+\b", path.read_text("utf-8"))) <= spec_items | spec_classes, path.name


def test_label_key_folds_spelling_and_leading_article():
    assert label_key("الإنتربول") == label_key("انتربول") == label_key("الانتربول")
    assert label_key("المغرب") == label_key("مغرب")
    assert label_key("The Arab League") == label_key("arab league")
    assert label_key("مجلس التعاون الخليجي") == "مجلس التعاون الخليجي"


def test_lexicon_uses_class_and_english_label_to_tell_tunis_from_tunisia():
    lexicon = load_lexicon()
    city = lexicon.match(lexicon_type="city", keys={label_key("تونس"), label_key("Tunis")})
    country = lexicon.match(lexicon_type="country", keys={label_key("تونس"), label_key("Tunisia")})
    assert city.entry.qid == "Q3572"
    assert country.entry.qid == "Q948"
    # A place whose English label names the state: reported, never linked to either.
    confused = lexicon.match(lexicon_type="city", keys={label_key("تونس"), label_key("Tunisia")})
    assert confused.entry is None and confused.reason == "lexicon-conflict"
    assert {e.qid for e in confused.conflicting} == {"Q3572", "Q948"}
    # An organisation is never linked to a place entry.
    assert lexicon.match(lexicon_type="organisation", keys={label_key("فرنسا")}) is None


# The gazetteer key of each lexicon item (docs/gazetteers.md): the only entity each QID may name.
GAZETTEER_KEY_BY_QID = {
    "Q8475": ("organisation", "interpol"),
    "Q207203": ("organisation", "europol"),
    "Q7172": ("organisation", "arab-league"),
    "Q217172": ("organisation", "gcc"),
    "Q1028": ("country", "morocco"),
    "Q948": ("country", "tunisia"),
    "Q142": ("country", "france"),
    "Q822": ("country", "lebanon"),
    "Q878": ("country", "uae"),
    "Q851": ("country", "saudi-arabia"),
    "Q79": ("country", "egypt"),
    "Q846": ("country", "qatar"),
    "Q810": ("country", "jordan"),
    "Q3551": ("city", "rabat"),
    "Q3572": ("city", "tunis"),
    "Q3820": ("city", "beirut"),
    "Q1519": ("city", "abu-dhabi"),
    "Q3692": ("city", "riyadh"),
    "Q85": ("city", "cairo"),
    "Q101625": ("city", "marrakesh"),
    "Q456": ("city", "lyon"),
}
GAZETTEERS = Path(__file__).resolve().parents[1] / "src" / "confkg" / "data" / "gazetteers"


@pytest.mark.skipif(
    not (GAZETTEERS / "places.toml").exists() or not (GAZETTEERS / "organisations.toml").exists(),
    reason="the gazetteers are not there",
)
def test_every_gazetteer_entry_matches_only_its_own_item():
    import tomllib

    lexicon = load_lexicon()
    found = {}
    for file, sections in (("places.toml", ("country", "city")), ("organisations.toml", ("organisation",))):
        data = tomllib.loads((GAZETTEERS / file).read_text("utf-8"))
        for kind in sections:
            for row in data.get(kind, []):
                names = [
                    row.get("ar", ""),
                    row.get("en", ""),
                    *row.get("aliases", []),
                    *row.get("abbreviations", []),
                ]
                match = lexicon.match(lexicon_type=kind, keys={label_key(n) for n in names if n})
                if match is not None:
                    assert match.entry is not None, (kind, row["key"], match.reason)
                    found[match.entry.qid] = (kind, row["key"])
    assert found == GAZETTEER_KEY_BY_QID


# -- offline linking -----------------------------------------------------------------


def test_offline_links_the_expected_items_and_nothing_else(tmp_path):
    store = make_store(tmp_path / "store", OFFLINE_ENTITIES)
    try:
        summary = link_offline(store)
        links = same_as(store)
        assert links == {s: {q} for s, q in EXPECTED_OFFLINE.items()}
        assert summary.by_method() == {"lexicon": len(EXPECTED_OFFLINE)}
        assert not summary.review and not summary.errors

        g = store.graph(LINKS_GRAPH)
        for subject, qid in EXPECTED_OFFLINE.items():
            (node,) = list(g.subjects(CK.linkSubject, subject))
            assert (node, RDF.type, CK.Link) in g
            assert g.value(node, CK.linkTarget) == WD[qid]
            confidence = g.value(node, CK.linkConfidence)
            assert confidence.datatype == URIRef("http://www.w3.org/2001/XMLSchema#decimal")
            assert float(confidence) == 1.0
            assert str(g.value(node, CK.linkMethod)) == "lexicon"

        first = set(g)
        link_offline(store)
        assert set(store.graph(LINKS_GRAPH)) == first  # idempotent
        assert len(store.graph(GRAPH["test"])) > 0  # the article graph is untouched
    finally:
        store.close()


def test_entities_come_one_at_a_time_in_iri_order_with_every_label_and_the_class_conflicts_warned(tmp_path):
    """The linker reads the store's entities as a stream (a build links them all): the same
    entities, labels and warnings as reading them whole, in IRI order."""
    from rdflib import BNode

    from confkg.link import read_entities

    g = entity_graph(OFFLINE_ENTITIES)
    both = ID["organisation/also-a-person"]
    g.add((both, RDF.type, CK.Organisation))
    g.add((both, RDF.type, CK.Official))
    plain = ID["place/plain-labels"]
    g.add((plain, RDF.type, CK.Place))
    g.add((plain, RDFS.label, Literal("مراكش")))  # no language tag: Arabic by its letters
    g.add((plain, RDFS.label, Literal("Marrakech")))
    g.add((plain, RDFS.label, URIRef("https://example.org/not-a-label")))
    g.add((plain, SKOS.prefLabel, Literal("  ")))
    g.add((ID["place/morocco"], RDF.type, CK.Place))
    blank = BNode()
    g.add((blank, RDF.type, CK.Organisation))
    g.add((blank, RDFS.label, Literal("nameless", lang="en")))
    store = KGStore.open(tmp_path / "store")
    try:
        store.replace_graphs({GRAPH["test"]: g})
        entities, warnings = read_entities(store)
    finally:
        store.close()
    iris = [e.iri for e in entities]
    assert iris == sorted(ID[key] for key, *_ in OFFLINE_ENTITIES + [("place/plain-labels",)])
    assert warnings == [f"{both}: typed as official and organisation; not linked"]
    by_iri = {e.iri: e for e in entities}
    assert by_iri[plain].kind == "city"
    assert by_iri[plain].labels == {"ar": ["مراكش"], "en": ["Marrakech"]}
    morocco = by_iri[ID["place/morocco"]]
    assert morocco.kind == "country"  # a Country is a Place too: the narrower class decides
    assert morocco.alt_labels == ["المملكة المغربية"]
    assert morocco.labels["en"] == ["Morocco"]


def test_offline_never_links_across_classes(tmp_path):
    entities = [
        # A place called تونس whose English label names the state: neither item is certain.
        ("place/tunis-confused", CK.Place, "تونس", "Tunisia", []),
        # An organisation named like a country, a country named like a city.
        ("organisation/france", CK.Organisation, "فرنسا", None, []),
        ("place/rabat-country", CK.Country, "الرباط", None, []),
        # An official named like an organisation: officials are never linked from the lexicon.
        ("official/interpol", CK.Official, "الإنتربول", None, []),
        # Spelling variants still match.
        ("organisation/interpol-variant", CK.Organisation, "الانتربول", None, []),
        ("place/abu-dhabi", CK.Place, "أبو ظبي", None, []),
    ]
    store = make_store(tmp_path / "store", entities)
    try:
        summary = link_offline(store)
        assert same_as(store) == {
            ID["organisation/interpol-variant"]: {"Q8475"},
            ID["place/abu-dhabi"]: {"Q1519"},
        }
        (item,) = summary.review
        assert item.subject == ID["place/tunis-confused"]
        assert item.reason == "lexicon-conflict"
        assert read_review(review_file(store))[0].subject == ID["place/tunis-confused"]
    finally:
        store.close()


def test_offline_keeps_links_an_online_run_found(tmp_path, wikidata, sleeps):
    store = make_store(tmp_path / "store", [("organisation/arab-league", CK.Organisation, "جامعة الدول العربية",
                                             "Arab League", [])])  # fmt: skip
    try:
        with client_for(wikidata, tmp_path, sleeps) as client:
            link_store(store, client=client, lexicon=lexicon_without("Q7172"))
        assert same_as(store) == {ID["organisation/arab-league"]: {"Q7172"}}
        summary = link_store(store, client=None, lexicon=lexicon_without("Q7172"))
        assert summary.kept == 1
        assert same_as(store) == {ID["organisation/arab-league"]: {"Q7172"}}
    finally:
        store.close()


SEEDS = Path(__file__).resolve().parents[1] / "seeds" / "articles"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="no seeds/articles")
def test_seeds_build_then_offline_link_gives_the_confirmed_items(tmp_path):
    store_dir = tmp_path / "store"
    runner = CliRunner()
    built = runner.invoke(main, ["build", str(SEEDS), "--store", str(store_dir), "--quiet"])
    assert built.exit_code == 0, built.output
    linked = runner.invoke(main, ["link", "--offline", "--store", str(store_dir)])
    assert linked.exit_code == 0, linked.output
    with KGStore.open(store_dir) as store:
        links = same_as(store)
    for subject, qid in EXPECTED_OFFLINE.items():
        assert links.get(subject) == {qid}, subject
    # Nothing carries a wrong item: each QID only on the entity it names.
    for subject, qids in links.items():
        (qid,) = qids
        kind, key = GAZETTEER_KEY_BY_QID[qid]
        prefix = "organisation" if kind == "organisation" else "place"
        assert subject == ID[f"{prefix}/{key}"], (subject, qid)


def _links_and_review(store: KGStore) -> tuple[set, str]:
    return set(store.graph(LINKS_GRAPH)), review_file(store).read_text("utf-8")


def test_linking_some_entities_again_patches_their_links_and_review_and_keeps_the_others(tmp_path):
    """What a build does after writing some articles: only their entities are looked at again;
    one the store no longer holds loses its link and its review entry."""
    store = make_store(tmp_path / "store", OFFLINE_ENTITIES)
    confused = ("place/tunis-confused", CK.Place, "تونس", "Tunisia", [])
    try:
        store.replace_graphs({GRAPH["other"]: entity_graph([confused])})
        first = link_offline(store)
        assert not first.partial and [i.subject for i in first.review] == [ID["place/tunis-confused"]]
        assert review_file(store).with_name("state.json").exists()
        # a statement no run would make: it stays only if Lyon is not looked at again
        marker = (ID["place/lyon"], OWL.sameAs, WD["Q1"])
        store.patch_graph(LINKS_GRAPH, insert=Graph().add(marker))

        # the other article now names Rabat instead of the confused place
        store.replace_graphs(
            {GRAPH["other"]: entity_graph([("place/rabat", CK.Place, "الرباط", "Rabat", [])])}
        )
        again = link_offline(store, subjects=[ID["place/tunis-confused"], ID["place/rabat"]])
        assert again.partial and again.entities == 1  # the confused place is gone from the store
        assert "the store's other entities keep their links" in again.describe()
        links = same_as(store)
        assert links[ID["place/rabat"]] == {"Q3551"}
        assert links[ID["place/lyon"]] == {"Q456", "Q1"}  # not looked at
        assert ID["place/tunis-confused"] not in links
        assert read_review(review_file(store)) == []

        # a second ck:Link node about Rabat (as a hand edit could leave): both go when Rabat is redone
        extra = ID["link/place-rabat-q2"]
        store.patch_graph(LINKS_GRAPH, insert=Graph().add((extra, CK.linkSubject, ID["place/rabat"])))
        assert link_offline(store, subjects=[ID["place/rabat"]]).partial
        assert (extra, CK.linkSubject, ID["place/rabat"]) not in store.graph(LINKS_GRAPH)
        assert same_as(store)[ID["place/rabat"]] == {"Q3551"}

        # without the marker, the same links and review as linking every entity again
        store.patch_graph(LINKS_GRAPH, delete=[marker])
        patched = _links_and_review(store)
        assert not link_offline(store).partial
        assert _links_and_review(store) == patched
    finally:
        store.close()


def test_links_made_with_another_lexicon_or_threshold_are_all_made_again(tmp_path):
    """Some entities are linked again only when the earlier links came from the same lexicon and
    threshold (the state file says so); otherwise every entity is, as if none were given."""
    store = make_store(tmp_path / "store", OFFLINE_ENTITIES)
    some = [ID["place/rabat"]]
    try:
        link_offline(store)
        summary = link_store(store, lexicon=lexicon_without("Q456"), subjects=some)
        assert not summary.partial and ID["place/lyon"] not in same_as(store)  # Lyon's entry is gone
        summary = link_store(store, lexicon=lexicon_without("Q456"), subjects=some)
        assert summary.partial and summary.entities == 0  # same lexicon: Rabat is not in the store
        assert not link_offline(store, subjects=some).partial  # back to the packaged lexicon
        assert same_as(store)[ID["place/lyon"]] == {"Q456"}
        assert not link_offline(store, subjects=some, min_confidence=0.9).partial
        review_file(store).with_name("state.json").write_text("{not json", "utf-8")
        assert not link_offline(store, subjects=some).partial  # an unreadable state: all again
        assert link_offline(store, subjects=some).partial
        review_file(store).unlink()  # the review entries of the others would be lost: all again
        assert not link_offline(store, subjects=some).partial
        review_file(store).write_text('{"items": [', "utf-8")
        assert not link_offline(store, subjects=some).partial
        assert link_offline(store, subjects=some).partial
        remove_links(store)
        assert not review_file(store).with_name("state.json").exists()
        assert not link_offline(store, subjects=some).partial
    finally:
        store.close()


@pytest.mark.skipif(not SEEDS.is_dir(), reason="no seeds/articles")
def test_build_links_the_entities_of_the_articles_it_writes_and_remove_unlinks_what_only_they_named(tmp_path):
    store_dir, articles = tmp_path / "store", tmp_path / "articles"
    runner = CliRunner()
    articles.mkdir()
    lyon_article = "003_c716a55496f628a4.txt"  # the one sample that names Lyon (and France)
    for path in sorted(SEEDS.glob("*.txt")):
        if path.name != lyon_article:
            (articles / path.name).write_text(path.read_text("utf-8"), "utf-8")
    assert runner.invoke(main, ["build", str(articles), "--store", str(store_dir)]).exit_code == 0
    marker = (ID["place/tunis"], OWL.sameAs, WD["Q1"])
    with KGStore.open(store_dir) as store:
        assert ID["place/lyon"] not in same_as(store) and ID["place/france"] not in same_as(store)
        store.patch_graph(LINKS_GRAPH, insert=Graph().add(marker))

    (articles / lyon_article).write_text((SEEDS / lyon_article).read_text("utf-8"), "utf-8")
    built = runner.invoke(main, ["build", str(articles), "--store", str(store_dir)])
    assert built.exit_code == 0, built.output
    assert "built 1 article(s)" in built.output and "entities of the articles written" in built.output
    with KGStore.open(store_dir) as store:
        links = same_as(store)
        assert links[ID["place/lyon"]] == {"Q456"} and links[ID["place/france"]] == {"Q142"}
        assert links[ID["place/tunis"]] == {"Q3572", "Q1"}  # not in the article built: not looked at

    removed = runner.invoke(main, ["remove", Path(lyon_article).stem, "--store", str(store_dir)])
    assert removed.exit_code == 0, removed.output
    assert "removed 1 article(s); 4 article(s) remain" in removed.output
    with KGStore.open(store_dir) as store:
        links = same_as(store)
        assert ID["place/lyon"] not in links and ID["place/france"] not in links
        assert links[ID["place/tunis"]] == {"Q3572", "Q1"}
        store.patch_graph(LINKS_GRAPH, delete=[marker])
        patched = _links_and_review(store)
        link_offline(store)
        assert _links_and_review(store) == patched


@pytest.mark.skipif(not SEEDS.is_dir(), reason="no seeds/articles")
def test_a_build_that_stops_before_linking_leaves_the_links_to_the_next_build_whole(tmp_path, monkeypatch):
    """From the first article written until the links are done, the store has no state file: a
    build that stops between (here the merge fails) leaves none, and the next build, even one
    with nothing to write, links every entity."""
    from confkg.resolve import merge
    from confkg.store import StoreError

    store_dir, articles = tmp_path / "store", tmp_path / "articles"
    runner = CliRunner()
    articles.mkdir()
    lyon_article = "003_c716a55496f628a4.txt"
    for path in sorted(SEEDS.glob("*.txt")):
        if path.name != lyon_article:
            (articles / path.name).write_text(path.read_text("utf-8"), "utf-8")
    assert runner.invoke(main, ["build", str(articles), "--store", str(store_dir)]).exit_code == 0
    state = store_dir / "wikidata" / "state.json"
    assert state.exists()
    unchanged = runner.invoke(main, ["build", str(articles), "--store", str(store_dir)])
    assert unchanged.exit_code == 0 and state.exists()  # nothing written: the state stands

    (articles / lyon_article).write_text((SEEDS / lyon_article).read_text("utf-8"), "utf-8")

    def fail(*args, **kwargs):
        raise StoreError("the disk is full")

    monkeypatch.setattr(merge, "update_merged", fail)
    stopped = runner.invoke(main, ["build", str(articles), "--store", str(store_dir)])
    assert stopped.exit_code != 0 and "the disk is full" in stopped.output
    assert not state.exists()
    with KGStore.open(store_dir) as store:
        assert ID["place/lyon"] not in same_as(store)  # written, not linked

    monkeypatch.undo()
    again = runner.invoke(main, ["build", str(articles), "--store", str(store_dir)])
    assert again.exit_code == 0, again.output
    assert "no article written by this build" in again.output
    assert "the store's other entities keep their links" not in again.output  # every entity
    assert state.exists()
    with KGStore.open(store_dir) as store:
        assert same_as(store)[ID["place/lyon"]] == {"Q456"}


def test_remove_withdraws_the_links(tmp_path):
    store = make_store(tmp_path / "store", OFFLINE_ENTITIES)
    try:
        link_offline(store)
        assert remove_links(store) == len(EXPECTED_OFFLINE)
        assert len(store.graph(LINKS_GRAPH)) == 0
        assert not review_file(store).exists()
        assert len(store.graph(GRAPH["test"])) > 0
    finally:
        store.close()


# -- online linking against a local server --------------------------------------------


def test_online_hit_links_an_organisation_the_lexicon_lacks(tmp_path, wikidata, sleeps):
    store = make_store(tmp_path / "store", [("organisation/arab-league", CK.Organisation, "جامعة الدول العربية",
                                             "Arab League", [])])  # fmt: skip
    try:
        with client_for(wikidata, tmp_path, sleeps) as client:
            summary = link_store(store, client=client, lexicon=lexicon_without("Q7172"))
        assert same_as(store) == {ID["organisation/arab-league"]: {"Q7172"}}
        (link,) = summary.links
        assert link.method == "label-search+type-check"
        assert float(link.confidence) == 0.95  # exact in Arabic and English, right type
        requests = [req for req, _ in wikidata.log]
        assert {r.args["action"] for r in requests} == {"wbsearchentities", "wbgetentities"}
        assert all(r.headers["User-Agent"] == USER_AGENT for r in requests)
        search = next(r for r in requests if r.args["action"] == "wbsearchentities")
        assert search.args["type"] == "item" and search.args["limit"] == "7"
        entities = next(r for r in requests if r.args["action"] == "wbgetentities")
        assert entities.args["props"] == "claims|labels"
    finally:
        store.close()


def test_online_answers_come_from_the_cache_the_second_time(tmp_path, wikidata, sleeps):
    store = make_store(tmp_path / "store", [("organisation/arab-league", CK.Organisation, "جامعة الدول العربية",
                                             "Arab League", [])])  # fmt: skip
    try:
        with client_for(wikidata, tmp_path, sleeps) as client:
            link_store(store, client=client, lexicon=lexicon_without("Q7172"))
        sent = len(wikidata.log)
        first = set(store.graph(LINKS_GRAPH))
        with client_for(wikidata, tmp_path, sleeps) as client:
            summary = link_store(store, client=client, lexicon=lexicon_without("Q7172"))
        assert len(wikidata.log) == sent and summary.requests == 0
        assert set(store.graph(LINKS_GRAPH)) == first
    finally:
        store.close()


def test_online_no_hit_links_nothing(tmp_path, wikidata, sleeps):
    store = make_store(tmp_path / "store", [("organisation/caim", CK.Organisation,
                                             "الأمانة العامة لمجلس وزراء الداخلية العرب", None, [])])  # fmt: skip
    try:
        with client_for(wikidata, tmp_path, sleeps) as client:
            summary = link_store(store, client=client)
        assert same_as(store) == {}
        assert summary.not_found == 1 and not summary.review and not summary.errors
    finally:
        store.close()


def test_online_ambiguous_name_is_reported_not_linked(tmp_path, wikidata, sleeps):
    # One entity whose Arabic name is Interpol's and English name Europol's:
    # two organisations fit equally well.
    store = make_store(tmp_path / "store", [("organisation/police-bodies", CK.Organisation, "الإنتربول",
                                             "Europol", [])])  # fmt: skip
    try:
        with client_for(wikidata, tmp_path, sleeps) as client:
            summary = link_store(store, client=client, lexicon=Lexicon([]))
        assert same_as(store) == {}
        (item,) = summary.review
        assert item.reason == "ambiguous"
        assert {c.qid for c in item.candidates} == {"Q8475", "Q207203"}
        assert read_review(review_file(store)) == summary.review
    finally:
        store.close()


def test_online_candidate_of_the_wrong_type_is_not_linked(tmp_path, wikidata, sleeps):
    # An organisation named "France": the only candidate is a country.
    store = make_store(tmp_path / "store", [("organisation/france", CK.Organisation, "فرنسا", None, [])])
    try:
        with client_for(wikidata, tmp_path, sleeps) as client:
            summary = link_store(store, client=client, lexicon=Lexicon([]))
        assert same_as(store) == {}
        assert summary.wrong_type == 1 and not summary.review
    finally:
        store.close()


def test_online_country_passes_the_type_check(tmp_path, wikidata, sleeps):
    store = make_store(tmp_path / "store", [("place/france", CK.Country, "فرنسا", None, [])])
    try:
        with client_for(wikidata, tmp_path, sleeps) as client:
            link_store(store, client=client, lexicon=Lexicon([]))
        assert same_as(store) == {ID["place/france"]: {"Q142"}}
    finally:
        store.close()


def test_timeout_is_retried_then_reported_cleanly(tmp_path, sleeps):
    release = threading.Event()

    def slow(request: Request) -> Response:
        release.wait(5)
        return Response(fixture("search-ar-no-hit.json"), 200, content_type="application/json")

    server = HTTPServer(threaded=True)
    server.expect_request(API_PATH).respond_with_handler(slow)
    server.start()
    store = make_store(tmp_path / "store", [("organisation/caim", CK.Organisation,
                                             "الأمانة العامة لمجلس وزراء الداخلية العرب", None, [])])  # fmt: skip
    try:
        link_offline(store)
        before = set(store.graph(LINKS_GRAPH))
        with client_for(server, tmp_path, sleeps, timeout=0.2, max_attempts=3) as client:
            with pytest.raises(WikidataUnreachable) as caught:
                link_store(store, client=client)
        message = str(caught.value)
        assert message.startswith(f"cannot reach Wikidata at {server.url_for(API_PATH)}: ")
        assert "3 attempts" in message
        assert message.endswith("; run with --offline to use the lexicon only")
        assert "\n" not in message
        assert sleeps == [0.5, 1.0]  # exponential back-off between the three attempts
        assert set(store.graph(LINKS_GRAPH)) == before  # nothing changed
    finally:
        release.set()
        store.close()
        server.clear()
        server.stop()


def test_429_waits_for_retry_after_then_succeeds(tmp_path, httpserver, sleeps):
    answers = []

    def throttled(request: Request) -> Response:
        answers.append(request.args.get("action"))
        if len(answers) == 1:
            return Response("Too Many Requests", 429, headers={"Retry-After": "3"})
        return fake_wikidata(request)

    httpserver.expect_request(API_PATH).respond_with_handler(throttled)
    store = make_store(tmp_path / "store", [("place/france", CK.Country, "فرنسا", None, [])])
    try:
        with client_for(httpserver, tmp_path, sleeps) as client:
            summary = link_store(store, client=client, lexicon=Lexicon([]))
        assert sleeps == [3.0]
        assert answers[:2] == ["wbsearchentities", "wbsearchentities"]
        assert same_as(store) == {ID["place/france"]: {"Q142"}}
        assert not summary.errors
    finally:
        store.close()


def test_malformed_json_names_the_url_and_skips_only_that_entity(tmp_path, wikidata, sleeps):
    store = make_store(tmp_path / "store", [
        ("organisation/unknown", CK.Organisation, "منظمة مجهولة", None, []),
        ("organisation/arab-league", CK.Organisation, "جامعة الدول العربية", "Arab League", []),
    ])  # fmt: skip
    try:
        with client_for(wikidata, tmp_path, sleeps) as client:
            summary = link_store(store, client=client, lexicon=lexicon_without("Q7172"))
        (error,) = summary.errors
        assert str(ID["organisation/unknown"]) in error
        assert "malformed JSON from " + wikidata.url_for(API_PATH) + "?action=wbsearchentities" in error
        assert same_as(store) == {ID["organisation/arab-league"]: {"Q7172"}}
    finally:
        store.close()


def test_requests_are_spaced_by_the_minimum_interval(tmp_path, wikidata, sleeps):
    with client_for(wikidata, tmp_path, sleeps, min_interval=0.25, clock=lambda: 100.0) as client:
        client.search("فرنسا", language="ar")
        client.get_items(["Q142"])
    assert sleeps == [0.25]


# -- the command line -------------------------------------------------------------------


def test_cli_offline_then_remove(tmp_path):
    store_dir = tmp_path / "store"
    make_store(store_dir, OFFLINE_ENTITIES).close()
    runner = CliRunner()
    result = runner.invoke(main, ["link", "--offline", "--store", str(store_dir)])
    assert result.exit_code == 0, result.output
    assert f"{len(EXPECTED_OFFLINE)} of {len(OFFLINE_ENTITIES)} entities linked" in result.output
    with KGStore.open(store_dir) as store:
        assert same_as(store) == {s: {q} for s, q in EXPECTED_OFFLINE.items()}
        first = set(store.graph(LINKS_GRAPH))
    assert runner.invoke(main, ["link", "--offline", "--store", str(store_dir)]).exit_code == 0
    with KGStore.open(store_dir) as store:
        assert set(store.graph(LINKS_GRAPH)) == first

    result = runner.invoke(main, ["link", "--remove", "--store", str(store_dir)])
    assert result.exit_code == 0, result.output
    assert f"removed {len(EXPECTED_OFFLINE)} Wikidata link(s)" in result.output
    with KGStore.open(store_dir) as store:
        assert len(store.graph(LINKS_GRAPH)) == 0
        assert len(store.graph(GRAPH["test"])) > 0


def test_cli_online_with_review(tmp_path, wikidata, monkeypatch):
    monkeypatch.setattr(linker_module, "load_lexicon", lambda: lexicon_without("Q7172", "Q8475", "Q207203"))
    store_dir = tmp_path / "store"
    make_store(store_dir, [
        ("organisation/arab-league", CK.Organisation, "جامعة الدول العربية", "Arab League", []),
        ("organisation/police-bodies", CK.Organisation, "الإنتربول", "Europol", []),
    ]).close()  # fmt: skip
    runner = CliRunner()
    args = ["--store", str(store_dir), "--endpoint", wikidata.url_for(API_PATH)]
    result = runner.invoke(main, ["link", *args])
    assert result.exit_code == 0, result.output
    assert "1 of 2 entities linked (1 label-search+type-check)" in result.output
    assert "1 to review" in result.output
    assert (store_dir / "wikidata" / "cache.sqlite").exists()

    result = runner.invoke(main, ["link", "--review", "--store", str(store_dir)])
    assert result.exit_code == 0, result.output
    assert str(ID["organisation/police-bodies"]) in result.output
    assert "Q8475" in result.output and "Q207203" in result.output
    with KGStore.open(store_dir) as store:
        assert same_as(store) == {ID["organisation/arab-league"]: {"Q7172"}}


def test_cli_unreachable_network_is_one_clear_line(tmp_path, monkeypatch):
    import time

    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    store_dir = tmp_path / "store"
    make_store(store_dir, [("official/someone", CK.Official, "أحمد ناصر الرئيسي", None, [])]).close()
    endpoint = f"http://127.0.0.1:{port}/w/api.php"
    result = CliRunner().invoke(main, ["link", "--store", str(store_dir), "--endpoint", endpoint])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"confkg: cannot reach Wikidata at {endpoint}: ")
    assert lines[0].endswith("; run with --offline to use the lexicon only")
    assert "Traceback" not in result.output
