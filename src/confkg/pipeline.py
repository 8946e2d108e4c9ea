"""The build: ingest -> extract -> rdf -> validate -> store, for files, folders or article objects."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from confkg.extract import extract, load_gazetteer
from confkg.ingest import IngestError, iter_articles
from confkg.models import Article, ArticleFacts
from confkg.namespaces import CK
from confkg.rdf import article_graph, content_hash, pipeline_version
from confkg.resolve import iris
from confkg.resolve.merge import subjects_of
from confkg.store import KGStore


@dataclass
class Refusal:
    article_id: str
    source: str
    reasons: list[str]


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    facts: list[ArticleFacts] = field(default_factory=list)
    touched: set[URIRef] = field(default_factory=set)  # entities whose merged facts may change

    @property
    def ok(self) -> bool:
        return not self.errors and not self.refused


Validator = Callable[[dict[str, Graph]], dict[str, list]]


def process_article(article: Article) -> tuple[ArticleFacts, Graph]:
    """Extract one article and turn it into its graph (pure: no I/O, safe in any process)."""
    gaz = load_gazetteer()
    facts = extract(article, gazetteer=gaz)
    return facts, article_graph(facts, gazetteer=gaz)


def build(
    paths: Iterable[str | Path],
    store: KGStore,
    *,
    validator: Validator | None = None,
    batch_size: int = 64,
    skip_unchanged: bool = True,
    on_article: Callable[[str], None] | None = None,
) -> BuildReport:
    """Build every article under `paths` into `store`, one transaction per batch of articles.

    An article whose graph fails validation is refused and not stored; the
    others are. With `skip_unchanged`, an article whose text has the same
    content hash as the stored one is not rebuilt.
    """
    report = BuildReport()
    known = stored_hashes(store) if skip_unchanged else {}
    pending: dict[str, tuple[Article, ArticleFacts, Graph]] = {}

    def flush() -> None:
        if not pending:
            return
        graphs = {aid: g for aid, (_, _, g) in pending.items()}
        found = validator(graphs) if validator else {}
        # warnings (sh:Warning) are reported by `confkg validate`; only violations refuse a graph
        problems = {
            aid: [v for v in vs if getattr(v, "severity", "Violation") == "Violation"]
            for aid, vs in found.items()
        }
        to_store: dict[URIRef, Graph] = {}
        for aid, (art, facts, g) in pending.items():
            if problems.get(aid):
                report.refused.append(Refusal(aid, art.source or aid, [str(p) for p in problems[aid]]))
                continue
            to_store[iris.article_graph(aid)] = g
            report.built.append(aid)
            report.facts.append(facts)
        if to_store:
            # what the old and the new graphs are about: the merged graph is redone for those only
            report.touched.update(subjects_of(store, to_store))
            store.replace_graphs(to_store)
            report.touched.update(subjects_of(store, to_store))
        pending.clear()

    for item in iter_articles(paths):
        if isinstance(item, IngestError):
            report.errors.append(item)
            continue
        if on_article:
            on_article(item.id)
        if skip_unchanged and known.get(item.id) == (content_hash(item.text), pipeline_version()):
            report.unchanged.append(item.id)
            continue
        if item.id in pending:
            report.errors.append(IngestError(item.source or item.id, f"duplicate article id {item.id!r}"))
            continue
        facts, graph = process_article(item)
        pending[item.id] = (item, facts, graph)
        if len(pending) >= batch_size:
            flush()
    flush()
    return report


def stored_hashes(store: KGStore) -> dict[str, tuple[str, str]]:
    """Article id -> (content hash, pipeline version) of what the store holds."""
    rows = store.query(
        f"SELECT ?id ?h ?v WHERE {{ GRAPH ?g {{ ?a <{CK.articleId}> ?id ; <{CK.contentHash}> ?h ; "
        f"<{CK.pipelineVersion}> ?v }} }}"
    )
    return {str(r[0]): (str(r[1]), str(r[2])) for r in rows}
