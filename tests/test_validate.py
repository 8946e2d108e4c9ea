"""The validate stage: batch validation gives the same results as one graph at a time, files, reports."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH
from test_shapes import CASES, CONF, DGSN, OFFICIAL, POSITION, REC, VALID, valid_graph

from confkg.namespaces import CK, GRAPH, ID, MERGED_GRAPH
from confkg.rdf import TripleSet
from confkg.validate import (
    Report,
    ValidationInputError,
    reference_violations,
    validate_file,
    validate_graph,
    validate_graphs,
)
from confkg.validate.bench import measure, synthetic_graphs
from confkg.validate.shapes import load_shapes, plan_for

XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
ID_ARABIC_LABEL = URIRef("https://w3id.org/confkg/shapes#ArabicLabel")
CONF_SENTENCE = str(valid_graph().value(ID["evidence/000_694295c2e3e9f014-66-240"], CK.sentence))


def individually(graphs: dict[str, Graph], shapes=None) -> dict[str, list]:
    """The yardstick: plain pyshacl, every shape including sh:sparql, one call per graph."""
    return {key: reference_violations(graph, key=key, shapes=shapes) for key, graph in graphs.items()}


def edited(*edits) -> Graph:
    g = valid_graph()
    for s, p, values in edits:
        g.remove((s, p, None))
        for v in values:
            g.add((s, p, v))
    return g


def date(text: str) -> Literal:
    return Literal(text, datatype=XSD.date)


# --- batch == one graph at a time ------------------------------------------------------


def test_a_batch_gives_exactly_the_violations_of_each_graph_alone():
    graphs = {case.id: case.graph() for case in CASES}
    graphs |= synthetic_graphs(8)
    # The same conference IRI with other, clashing facts in other articles.
    graphs["same conference, other dates"] = edited((CONF, CK.startDate, [date("2023-12-05")]))
    graphs["same conference, other edition"] = edited(
        (CONF, CK.edition, [Literal(48, datatype=XSD.positiveInteger)])
    )
    graphs["same conference, backwards"] = edited(
        (CONF, CK.startDate, [date("2023-12-09")]), (CONF, CK.endDate, [date("2023-12-08")])
    )
    # A node outside confkg's namespace is not made article-local: it is reported in the graph that has it.
    wikidata_org = URIRef("http://www.wikidata.org/entity/Q1")
    graphs["unlabelled Wikidata organisation"] = edited((CONF, CK.organiser, [wikidata_org]))
    graphs["unlabelled Wikidata organisation"].add((wikidata_org, RDF.type, CK.Organisation))
    batch = validate_graphs(graphs)
    alone = individually(graphs)
    assert {v.rule for v in batch["unlabelled Wikidata organisation"]} >= {
        "Arabic label",
        "mentioned in an article",
    }
    assert list(batch) == list(graphs)
    for key in graphs:
        assert batch[key] == alone[key], key
    assert sum(len(v) for v in batch.values()) > len(CASES)  # the comparison is not vacuous
    assert {v.rule for vs in batch.values() for v in vs} >= {"start not after end", "year matches the dates"}


def test_an_iri_oxigraph_will_not_read_is_still_validated_like_pyshacl():
    # the SPARQL rules run on Oxigraph; a user's file may hold an IRI that rdflib accepts and
    # Oxigraph does not (braces): the rules then run on rdflib's engine, with the same results
    odd = URIRef(str(CONF) + "{x}")
    g = Graph()
    for s, p, o in edited((CONF, CK.year, [Literal("2022", datatype=XSD.gYear)])):
        g.add((odd if s == CONF else s, p, odd if o == CONF else o))
    batch = validate_graphs({"odd": g})
    assert "year matches the dates" in {v.rule for v in batch["odd"]}
    assert batch["odd"] == individually({"odd": g})["odd"]


def test_a_value_that_cannot_be_ordered_against_a_range_bound_fails_it_as_in_pyshacl():
    """An edition written as a time of day cannot be compared with the bounds 1 and 500: pyshacl's
    compare_literal raises TypeError, pyshacl reports the value, and the native range check does
    the same (validate/native.py, _in_range)."""
    graphs = {"time edition": edited((CONF, CK.edition, [Literal("12:00:00", datatype=XSD.time)]))}
    batch = validate_graphs(graphs)
    assert batch == individually(graphs)
    assert {"MinInclusive", "MaxInclusive"} <= {v.component for v in batch["time edition"]}


def _literals_to_order() -> list[Literal]:
    """Literals of many datatypes, well and ill typed, for comparisons by pairs."""
    ints = [Literal(n, datatype=XSD[t]) for n in (-3, 0, 1, 7, 500, 10**20) for t in
            ("integer", "positiveInteger", "nonNegativeInteger", "int", "long", "unsignedByte")]  # fmt: skip
    return ints + [
        Literal("07", datatype=XSD.integer),
        Literal("0", datatype=XSD.positiveInteger),  # ill-typed, with the value 0
        Literal("300", datatype=XSD.unsignedByte),  # ill-typed, with the value 300
        Literal("x1", datatype=XSD.integer),  # ill-typed
        Literal("1.5", datatype=XSD.decimal),
        Literal("7", datatype=XSD.decimal),
        Literal("7.0", datatype=XSD.double),
        Literal("true", datatype=XSD.boolean),
        Literal("1", datatype=XSD.boolean),
        Literal("7"),
        Literal("7", datatype=XSD.string),
        Literal("7", lang="ar"),
        Literal("2023-12-09", datatype=XSD.date),
        Literal("2023-12-10", datatype=XSD.date),
        Literal("2023-12-09Z", datatype=XSD.date),
        Literal("2023-13-45", datatype=XSD.date),  # ill-typed
        Literal("2023-12-09T10:00:00", datatype=XSD.dateTime),
        Literal("2023", datatype=XSD.gYear),
        Literal("12:00:00", datatype=XSD.time),
        Literal("7", datatype=URIRef("http://example.org/unknown")),
        # made from Python ints with other datatypes: rdflib keeps the int as their value
        Literal(7, datatype=URIRef("http://example.org/unknown")),
        Literal(7, datatype=XSD.string),
        Literal(2023, datatype=XSD.gYear),
        Literal(1, datatype=XSD.decimal),
    ]


def test_integers_and_dates_compared_directly_order_as_rdflib_and_pyshacl_order_them():
    """The range and sh:lessThanOrEquals checks compare two integers or two xsd:date values as
    Python values (`_plain_values`), skipping rdflib's Python-level comparisons: every pair of
    these literals gets the answer rdflib's and pyshacl's comparisons give."""
    from pyshacl.rdfutil.compare import compare_literal

    from confkg.validate.native import _comparable, _in_range, _less_or_equal, _plain_values

    def rdflib_less_or_equal(v: Literal, w: Literal) -> bool:
        (a, a_text), (b, b_text) = _comparable(v), _comparable(w)
        return a_text == b_text and bool(a <= b)

    def pyshacl_order(v: Literal, bound: Literal) -> int | None:
        if isinstance(bound.value, str) != isinstance(v.value, str):
            return None
        try:
            return compare_literal(v, bound)
        except (TypeError, NotImplementedError):
            return None

    literals = _literals_to_order()
    direct = 0
    for v in literals:
        for w in literals:
            direct += _plain_values(v, w) is not None
            try:
                expected = rdflib_less_or_equal(v, w)
            except TypeError:
                expected = None
            if expected is not None:
                assert _less_or_equal(v, w) == expected, (v, w)
            order = pyshacl_order(v, w)
            for accept in (lambda c: c >= 0, lambda c: c <= 0, lambda c: c > 0, lambda c: c < 0):
                assert _in_range(v, w, accept) == (order is not None and accept(order)), (v, w)
    assert direct > 36 * 36  # the integers among themselves, and the two well-typed dates


def test_the_range_memo_keeps_a_literal_without_datatype_apart_from_one_typed_by_an_iri_none():
    from confkg.validate.native import _range_test

    at_most_10 = _range_test(Literal(10), lambda c: c <= 0)
    typed_none = Literal("5", datatype=URIRef("None"))
    plain = Literal("5")
    assert at_most_10(None, typed_none) is True  # rdflib orders an unknown datatype against the bound
    assert at_most_10(None, plain) is False  # a string against a number: not in range
    again = _range_test(Literal(10), lambda c: c <= 0)
    assert again(None, plain) is False and again(None, typed_none) is True


def test_graphs_given_as_triple_sets_give_the_same_violations_and_sentences():
    # what the build hands the validator: confkg.rdf.TripleSet, not rdflib Graphs
    graphs = {case.id: case.graph() for case in CASES}
    graphs["no evidence for the position"] = edited(
        (POSITION, CK.evidence, []), (POSITION, CK.title, [Literal("Director", lang="en")])
    )
    as_sets = {key: TripleSet(g) for key, g in graphs.items()}
    from_graphs = validate_graphs(graphs)
    from_sets = validate_graphs(as_sets)
    assert from_sets == from_graphs
    assert sum(len(v) for v in from_sets.values()) > len(CASES)
    assert all(v.sentence for v in from_sets["no evidence for the position"])


def test_a_triple_set_reads_and_removes_patterns_and_writes_the_ntriples_graph_would():
    g = valid_graph()
    ts = TripleSet(g)
    assert (CONF, CK.edition, None) in ts and (CONF, CK.edition, Literal(1)) not in ts
    assert set(ts.triples((CONF, RDF.type, None))) == set(g.triples((CONF, RDF.type, None)))
    lines = {line for line in g.serialize(format="nt").splitlines() if line.strip()}
    assert set(ts.ntriples().splitlines()) == lines
    assert len(ts.graph()) == len(g)
    ts.remove((CONF, None, None))
    assert (CONF, None, None) not in ts and len(ts) == len(g) - len(list(g.triples((CONF, None, None))))


def test_shared_iris_do_not_pool_facts_across_articles():
    a = valid_graph()
    b = edited(
        (CONF, CK.startDate, [date("2023-12-05")]),
        (CONF, CK.edition, [Literal(48, datatype=XSD.positiveInteger)]),
    )
    naive_union = a + b
    pooled = {v.rule for v in reference_violations(naive_union, key="union")}
    assert {"conference has at most one start date", "conference has at most one edition"} <= pooled
    assert validate_graphs({"a": a, "b": b}) == {"a": [], "b": []}


def test_a_violation_is_attributed_to_its_own_article_with_the_original_iri():
    good = valid_graph()
    bad = edited((CONF, CK.startDate, [date("2023-12-09")]))
    found = validate_graphs({"good": good, "bad": bad})
    assert found["good"] == []
    (violation,) = found["bad"]
    assert violation.rule == "start not after end"
    assert violation.focus == CONF
    assert violation.path == CK.endDate
    assert violation.value == date("2023-12-07")
    assert violation.component == "SPARQL"
    assert violation.message == "The conference ends (2023-12-07) before it starts (2023-12-09)."
    assert violation.sentence == CONF_SENTENCE


def test_batch_size_does_not_change_the_results():
    graphs = {case.id: case.graph() for case in CASES[:12]}
    assert validate_graphs(graphs, batch_size=5) == validate_graphs(graphs)


def test_the_sparql_rules_come_from_the_shapes_file():
    plan = plan_for(None)
    constraints = set(load_shapes().objects(None, SH.sparql))
    assert {rule.constraint for rule in plan.rules} == constraints
    assert not any(plan.core.triples((None, SH.sparql, None)))
    for rule in plan.rules:
        select = str(load_shapes().value(rule.constraint, SH.select))
        body = select.split("{", 1)[1].replace("$this", "?this")
        assert body in rule.query  # the file's text, only ?this bound by a target pattern
        assert "ck:Conference" in rule.query or str(CK.Conference) in rule.query


CUSTOM_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ck: <https://w3id.org/confkg/ontology#> .
@prefix ex: <http://example.org/shapes#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:Prefixes sh:declare [ sh:prefix "ck" ; sh:namespace "https://w3id.org/confkg/ontology#"^^xsd:anyURI ] .

# A node shape whose query does not project $this and uses {$this} in its message.
ex:OfficialNeedsAffiliation a sh:NodeShape ;
    sh:targetSubjectsOf ck:holds ;
    sh:name "official needs an affiliation" ;
    sh:sparql [
        sh:message "{$this} holds {?value} but serves no organisation" ;
        sh:prefixes ex:Prefixes ;
        sh:select "SELECT ?value WHERE { $this ck:holds ?value . FILTER NOT EXISTS { $this ck:affiliation ?o } }" ;
    ] .

# A property shape's SPARQL constraint uses $PATH: it stays with pyshacl.
ex:ConferenceLabels a sh:NodeShape ;
    sh:targetClass ck:Conference ;
    sh:property [
        sh:path ck:topic ;
        sh:name "topic also on a recommendation" ;
        sh:sparql [
            sh:message "topic {?value} is on no recommendation" ;
            sh:prefixes ex:Prefixes ;
            sh:select "SELECT $this ?value WHERE { $this $PATH ?value . FILTER NOT EXISTS { ?r ck:topic ?value ; ck:issuedBy $this } }" ;
        ]
    ] .
"""


def test_other_shapes_batch_the_same_way_and_fall_back_to_pyshacl_when_they_must():
    shapes = Graph().parse(data=CUSTOM_SHAPES, format="turtle")
    plan = plan_for(shapes)
    assert len(plan.rules) == 1 and not plan.rules[0].projects_this
    assert len(list(plan.core.triples((None, SH.sparql, None)))) == 1  # the $PATH one stays
    graphs = {
        "fine": valid_graph(),
        "no affiliation": edited((OFFICIAL, CK.affiliation, [])),
        "extra topic": edited((CONF, CK.topic, [ID["topic/terrorism"], ID["topic/drugs"]])),
    }
    batch = validate_graphs(graphs, shapes=shapes)
    assert batch == individually(graphs, shapes=shapes)
    # pyshacl fills {?value} but not {$this} when the query does not project $this: so does the batch.
    assert [v.message for v in batch["no affiliation"]] == [
        f"{{$this}} holds {POSITION} but serves no organisation"
    ]
    assert batch["no affiliation"][0].value == POSITION
    assert [v.rule for v in batch["extra topic"]] == ["topic also on a recommendation"]


CLOSED_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ck: <https://w3id.org/confkg/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/shapes#> .

# Closed: its property shapes' paths are the properties allowed, so they stay under it.
ex:ClosedSeries a sh:NodeShape ;
    sh:targetClass ck:ConferenceSeries ;
    sh:closed true ;
    sh:ignoredProperties ( rdf:type ) ;
    sh:property [ sh:path rdfs:label ; sh:minCount 1 ] .

# Plain: its property shape is lifted to ck:Topic's targets.
ex:Topic a sh:NodeShape ;
    sh:targetClass ck:Topic ;
    sh:property ex:TopicThreeLabels .
ex:TopicThreeLabels sh:path rdfs:label ; sh:minCount 3 ; sh:message "A topic has three labels." .
"""


def test_property_shapes_are_lifted_to_their_node_shape_targets_and_compiled():
    plan = plan_for(None)
    shapes = load_shapes()
    # Every property shape of confkg's file is checked natively: pyshacl is not called at all.
    assert {c.shape for c in plan.checks} == set(shapes.subjects(RDF.type, SH.PropertyShape))
    assert not plan.core_needed
    assert not any(plan.core.triples((None, SH.property, None)))
    # A shared property shape carries the targets of every node shape that uses it.
    owners = set(shapes.subjects(SH.property, ID_ARABIC_LABEL))
    expected = {c for owner in owners for c in shapes.objects(owner, SH.targetClass)}
    (label_check,) = [c for c in plan.checks if c.shape == ID_ARABIC_LABEL]
    assert set(label_check.targets) == expected
    assert expected >= {CK.Conference, CK.Official, CK.Organisation}

    custom = Graph().parse(data=CLOSED_SHAPES, format="turtle")
    custom_plan = plan_for(custom)
    closed = URIRef("http://example.org/shapes#ClosedSeries")
    assert len(list(custom_plan.core.objects(closed, SH.property))) == 1
    assert custom_plan.core_needed  # sh:closed is pyshacl's
    (topic_check,) = custom_plan.checks
    assert topic_check.shape == URIRef("http://example.org/shapes#TopicThreeLabels")
    assert topic_check.targets == (CK.Topic,)
    graphs = {case.id: case.graph() for case in CASES[:6]}
    batch = validate_graphs(graphs, shapes=custom)
    assert batch == individually(graphs, shapes=custom)
    assert {v.rule for vs in batch.values() for v in vs} >= {
        str(closed),
        "http://example.org/shapes#TopicThreeLabels",
    }


_REPLACEMENTS = [
    Literal("نص"),
    Literal("text", lang="en"),
    Literal("نص", lang="ar-EG"),
    Literal(0, datatype=XSD.positiveInteger),
    Literal(47, datatype=XSD.integer),
    Literal(501, datatype=XSD.positiveInteger),
    Literal("2023-13-45", datatype=XSD.date),  # ill-typed
    Literal("2023-12-09", datatype=XSD.date),
    Literal("2023", datatype=XSD.gYear),
    Literal(-3, datatype=XSD.integer),
    URIRef("http://www.wikidata.org/entity/Q1"),
    ID["place/tangier"],
    CK.Conference,
    BNode(),
]


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_native_checks_agree_with_pyshacl_on_random_damage(data):
    """Remove, replace, add or retype at random in a valid graph: the batch and plain pyshacl agree."""
    graph = valid_graph()
    triples = sorted(graph, key=lambda t: tuple(str(x) for x in t))
    for _ in range(data.draw(st.integers(1, 4))):
        s, p, o = data.draw(st.sampled_from(triples))
        action = data.draw(st.sampled_from(["remove", "replace", "add", "retype"]))
        if action == "remove":
            graph.remove((s, p, o))
        elif action == "retype":
            graph.set((s, RDF.type, data.draw(st.sampled_from([CK.Place, CK.Country, CK.Topic, CK.Article]))))
        else:
            if action == "replace":
                graph.remove((s, p, o))
            graph.add((s, p, data.draw(st.sampled_from(_REPLACEMENTS))))
    try:
        expected = reference_violations(graph, key="g")
    except Exception:  # noqa: BLE001 - pyshacl refuses some damage outright (a blank node compared)
        return
    assert validate_graphs({"g": graph}) == {"g": expected}


# --- sentences ---------------------------------------------------------------------------


def test_a_violation_carries_the_sentence_of_its_evidence():
    (violation,) = validate_graphs({"g": edited((REC, CK.text, [Literal("in English", lang="en")]))})["g"]
    assert violation.sentence.startswith("ودعا المؤتمر جامعة نايف")


def test_a_node_without_evidence_borrows_the_sentence_of_the_node_pointing_to_it():
    g = edited((POSITION, CK.evidence, []), (POSITION, CK.title, [Literal("Director", lang="en")]))
    found = validate_graphs({"g": g})["g"]
    assert {v.rule for v in found} == {"title in Arabic", "has evidence"}
    assert all(v.sentence == CONF_SENTENCE for v in found)  # the official's evidence


# --- files and reports -------------------------------------------------------------------


def test_validate_file_on_the_docs_example():
    report = validate_file(VALID)
    assert isinstance(report, Report)
    assert report.passed and report.conforms
    assert report.graphs == ["000_694295c2e3e9f014"]  # keyed by the ck:articleId it states
    assert report.text().startswith("conforms: 1 graph(s)")
    assert (None, SH.conforms, Literal(True)) in report.graph


def _dataset(graphs: dict[str, Graph]) -> Dataset:
    ds = Dataset()
    for key, graph in graphs.items():
        named = ds.graph(GRAPH[key])
        for triple in graph:
            named.add(triple)
    return ds


@pytest.mark.parametrize("suffix,fmt", [(".trig", "trig"), (".nq", "nquads"), (".jsonld", "json-ld")])
def test_validate_file_splits_named_graphs_per_article(tmp_path, suffix, fmt):
    graphs = {
        "art-good": valid_graph(),
        "art-bad": edited((CONF, CK.edition, [Literal(501, datatype=XSD.positiveInteger)])),
    }
    ds = _dataset(graphs)
    ds.graph(MERGED_GRAPH).add((CONF, CK.year, Literal("2023", datatype=XSD.gYear)))
    path = tmp_path / f"kg{suffix}"
    ds.serialize(path, format=fmt)
    report = validate_file(path)
    assert sorted(report.graphs) == ["art-bad", "art-good"]
    assert report.skipped == [str(MERGED_GRAPH)]
    assert not report.passed
    assert [(v.graph, v.rule, v.focus, v.path, v.value) for v in report.violations] == [
        ("art-bad", "edition between 1 and 500", CONF, CK.edition, Literal(501, datatype=XSD.positiveInteger))
    ]
    assert report.violations == validate_graphs(graphs)["art-bad"]


def test_validate_file_reads_ntriples(tmp_path):
    path = tmp_path / "one.nt"
    edited((CONF, CK.heldIn, [DGSN])).serialize(path, format="nt", encoding="utf-8")
    report = validate_file(path)
    assert [v.rule for v in report.violations] == ["held in a place"]


def test_malformed_turtle_raises_a_validation_input_error_naming_the_file(tmp_path):
    path = tmp_path / "broken.ttl"
    path.write_text('@prefix ck: <https://w3id.org/confkg/ontology#> .\n<a> ck:edition "47" \n<b> ck:x .\n')
    with pytest.raises(ValidationInputError) as error:
        validate_file(path)
    assert str(path) in str(error.value)
    assert "turtle" in str(error.value)


def test_unreadable_inputs_raise_validation_input_errors(tmp_path):
    with pytest.raises(ValidationInputError, match="no such file"):
        validate_file(tmp_path / "missing.ttl")
    odd = tmp_path / "graph.xyz"
    odd.write_text("")
    with pytest.raises(ValidationInputError, match="graph.xyz"):
        validate_file(odd)


def test_the_text_report_has_one_line_per_violation_with_the_sentence():
    g = edited((CONF, CK.edition, [Literal("x")]), (CONF, CK.heldIn, [DGSN]))
    report = validate_graph(g, key="art")
    lines = report.text().splitlines()
    assert lines[0].startswith("FAILED: 4 violation(s) in 1 of 1 graph(s)")
    assert len(lines) == 1 + len(report.violations) == 5
    edition_line = next(line for line in lines if "edition datatype" in line)
    assert edition_line.startswith("000_694295c2e3e9f014: Violation | edition datatype (Or) | ")
    assert (
        '| conference:arab-police-security-leaders-47 | ck:edition | "x" | ck:edition is an xsd:positiveInteger'
        in edition_line
    )
    assert "sentence: اسدل الستار" in edition_line


def test_the_report_graph_is_a_standard_shacl_report_with_original_iris():
    g = edited((CONF, CK.edition, [Literal(0)]), (CONF, CK.heldIn, [DGSN]))
    report = validate_graph(g)
    results = list(report.graph.objects(None, SH.result))
    assert len(results) == len(report.violations) == 2
    assert (None, SH.conforms, Literal(False)) in report.graph
    assert set(report.graph.objects(None, SH.focusNode)) == {CONF}
    assert set(report.graph.objects(None, SH.value)) == {Literal(0), DGSN}
    assert set(report.graph.objects(None, SH.resultPath)) == {CK.edition, CK.heldIn}
    assert set(report.graph.objects(None, SH.sourceConstraintComponent)) == {
        SH.OrConstraintComponent,
        SH.MinInclusiveConstraintComponent,
    }
    assert "sh:ValidationReport" in report.graph.serialize(format="turtle")


def test_warnings_do_not_fail_the_gate():
    report = validate_graph(edited((CONF, CK.evidence, [])))
    assert [v.severity for v in report.violations] == ["Warning"]
    assert report.passed and not report.conforms
    assert report.text().startswith("passed with warnings: 1 warning(s)")


def test_an_oxigraph_backed_graph_is_validated_in_memory():
    ox = Graph(store="Oxigraph")
    for triple in edited((CONF, CK.endDate, [date("2023-12-01")])):
        ox.add(triple)
    found = validate_graphs({"ox": ox})["ox"]
    assert [v.rule for v in found] == ["start not after end"]


def test_an_empty_batch_and_an_empty_graph():
    assert validate_graphs({}) == {}
    assert validate_graphs({"empty": Graph()}) == {"empty": []}


def test_measure_reports_both_timings():
    result = measure(synthetic_graphs(2), repeat=1)
    assert result["articles"] == 2
    assert result["validate_ms_per_article"] > 0 and result["validate_whole_graph_ms"] > 0


def test_synthetic_graphs_are_article_sized_and_valid():
    graphs = synthetic_graphs(8)
    assert all(90 <= len(g) <= 110 for g in graphs.values())
    assert validate_graphs(graphs) == {key: [] for key in graphs}
    # Articles 0 and 7 report the same conference: the batch must keep them apart.
    conference = URIRef(str(ID) + "conference/arab-police-security-leaders-40")
    assert (conference, RDF.type, CK.Conference) in graphs["000_synthetic"]
    assert (conference, RDF.type, CK.Conference) in graphs["007_synthetic"]
