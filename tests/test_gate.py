"""The SHACL gate in the build: a malformed article graph never reaches the store."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import SEEDS
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, XSD

import confkg.pipeline as pipeline
from confkg.cli import main
from confkg.namespaces import CK
from confkg.store import KGStore

BROKEN = "002_f50b1f537d9797d9"
CONF = URIRef("https://w3id.org/confkg/id/conference/arab-police-security-leaders-48")


def _break(kind: str):
    real = pipeline.process_article

    def process(article):
        facts, graph = real(article)
        if article.id == BROKEN:
            if kind == "end before start":
                graph.remove((CONF, CK.endDate, None))
                graph.add((CONF, CK.endDate, Literal("2024-12-01", datatype=XSD.date)))
            elif kind == "wrong datatype":
                graph.remove((CONF, CK.edition, None))
                graph.add((CONF, CK.edition, Literal("الثامن والأربعون", lang="ar")))
            elif kind == "missing label":
                graph.remove((CONF, RDFS.label, None))
        return facts, graph

    return process


@pytest.mark.parametrize("kind", ["end before start", "wrong datatype", "missing label"])
def test_a_broken_article_graph_is_refused_and_named_and_the_store_is_unchanged(
    kind, monkeypatch, tmp_path, runner
):
    store = tmp_path / "store"
    folder = tmp_path / "in"
    shutil.copytree(SEEDS, folder)
    # a first, good build of the article: the refused rebuild must leave it as it was
    assert (
        runner.invoke(main, ["build", str(folder / f"{BROKEN}.txt"), "--store", str(store), "-q"]).exit_code
        == 0
    )
    with KGStore.open(store, create=False) as s:
        before = {str(q) for q in s.ox}

    monkeypatch.setattr(pipeline, "process_article", _break(kind))
    result = runner.invoke(main, ["build", str(folder), "--store", str(store), "--force", "-q"])
    assert result.exit_code == 1
    refused = [line for line in result.output.splitlines() if line.startswith("refused:")]
    assert len(refused) == 1 and BROKEN in refused[0]
    assert re.search(r"built 4 article\(s\), [0-9,]+ quads; refused 1\.", result.output)
    with KGStore.open(store, create=False) as s:
        graph_now = {
            str(q) for q in s.ox.quads_for_pattern(None, None, None, None) if BROKEN in str(q.graph_name)
        }
        graph_before = {q for q in before if f"graph/{BROKEN}>" in q}
        assert graph_now == graph_before


def test_the_refusal_report_gives_the_rule_the_node_and_the_sentence(monkeypatch, tmp_path, runner):
    monkeypatch.setattr(pipeline, "process_article", _break("end before start"))
    result = runner.invoke(main, ["build", str(SEEDS), "--store", str(tmp_path / "s"), "-q"])
    report = result.output
    assert "arab-police-security-leaders-48" in report
    assert "start not after end" in report and '"2024-12-01"' in report
    assert "sentence: المؤتمر 48 لقادة الشرطة والأمن العرب" in report


def test_validate_reads_a_file_and_reports_in_turtle(tmp_path, runner, seed_store_dir):
    out = tmp_path / "kg.trig"
    runner.invoke(main, ["export", "--store", str(seed_store_dir), "--format", "trig", "-o", str(out)])
    result = runner.invoke(main, ["validate", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("conforms: 5 graph(s)")
    ttl = runner.invoke(main, ["validate", str(out), "--format", "turtle"])
    assert "sh:ValidationReport" in ttl.output and "sh:conforms true" in ttl.output


def test_validate_names_a_malformed_file(tmp_path, runner):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix x: <", "utf-8")
    result = runner.invoke(main, ["validate", str(bad)])
    assert result.exit_code == 2
    assert str(bad) in result.output and "Traceback" not in result.output
