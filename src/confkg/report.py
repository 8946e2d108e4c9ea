"""What `confkg build` prints: counts, the conferences found, and every article it could not take.

The conferences listed are those of the articles the build wrote (all of them in a first build),
read for those conferences only, so the summary of ten articles added to a large store costs
about ten articles' worth of queries, not a pass over the store.
"""

from __future__ import annotations

from collections.abc import Iterable

import click
from rdflib import URIRef

from confkg.namespaces import CK
from confkg.pipeline import BuildReport
from confkg.query import short
from confkg.resolve.merge import MERGE_CHUNK
from confkg.store import KGStore

_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
_CONF = f"?c a <{CK}Conference>"

# What the summary shows of each conference, one small query per fact. Not one query with an
# OPTIONAL per fact: articles may disagree (two start dates, two cities), and one row per
# combination multiplied on a 10,000-article store into millions of rows.
# `%s` is a VALUES block of the conferences asked about (MERGE_CHUNK at a time), or nothing for all.
_FACTS = {
    "articles": f"SELECT ?c (COUNT(DISTINCT ?a) AS ?v) WHERE {{ %s {_CONF} ; <{CK}mentionedIn> ?a }} GROUP BY ?c",
    "label": f'SELECT ?c ?v WHERE {{ %s {_CONF} ; {_LABEL} ?v FILTER(LANG(?v) = "en") }}',
    "edition": f"SELECT ?c ?v WHERE {{ %s {_CONF} ; <{CK}edition> ?v }}",
    "place": f"""SELECT ?c ?v ?country WHERE {{ %s {_CONF} ; <{CK}heldIn> ?p . ?p {_LABEL} ?v FILTER(LANG(?v) = "en")
                 OPTIONAL {{ ?p <{CK}country> ?k . ?k {_LABEL} ?country FILTER(LANG(?country) = "en") }} }}""",
    "start": f"SELECT ?c ?v WHERE {{ %s {_CONF} ; <{CK}startDate> ?v }}",
    "end": f"SELECT ?c ?v WHERE {{ %s {_CONF} ; <{CK}endDate> ?v }}",
    "year": f"SELECT ?c ?v WHERE {{ %s {_CONF} ; <{CK}year> ?v }}",
}
_COUNT = f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ {_CONF} }}"

SHOWN = 40  # conferences listed after a build; the rest are counted (a corpus may hold thousands)


def conference_rows(store: KGStore, conferences: Iterable[URIRef] | None = None) -> list[dict[str, str]]:
    """One row per conference of the store, or of `conferences` (other subjects among them are left
    out). Where articles disagree: the earliest start and the latest end (as
    queries/conferences.rq, so a span never ends before it starts), the least of anything else."""
    if conferences is None:
        blocks = [""]
    else:
        listed = sorted({str(c) for c in conferences})
        blocks = [
            "VALUES ?c { " + " ".join(f"<{c}>" for c in listed[i : i + MERGE_CHUNK]) + " }"
            for i in range(0, len(listed), MERGE_CHUNK)
        ]
    rows: dict[str, dict[str, str]] = {}
    for name, sparql in _FACTS.items():
        for c, *values in (row for block in blocks for row in store.select_values(sparql % block)):
            row = rows.setdefault(c, {"iri": short(URIRef(c))})
            if name == "place":
                city, country = values
                if "city" not in row or (city, country or "") < (row["city"], row.get("country", "")):
                    row["city"] = city
                    row.pop("country", None)
                    if country:
                        row["country"] = country
            elif name == "edition":
                if name not in row or int(values[0]) < int(row[name]):
                    row[name] = values[0]
            elif name == "end":
                if name not in row or values[0] > row[name]:
                    row[name] = values[0]
            elif name not in row or values[0] < row[name]:
                row[name] = values[0]
    return [rows[c] for c in sorted(rows)]


def conference_count(store: KGStore) -> int:
    return int(next(iter(store.select_values(_COUNT)))[0] or 0)


def print_build_report(report: BuildReport, store: KGStore, *, merged=None, quiet: bool = False) -> None:
    n_articles = store.article_count()
    if not quiet:
        total = conference_count(store)
        confs = conference_rows(store, report.conferences) if report.built else []
        if not report.built:
            click.echo(f"Conferences in the store: {total} (no article written by this build)")
        elif len(confs) == total:
            click.echo(f"Conferences in the store ({total}):")
        else:
            click.echo(f"Conferences of the articles built ({len(confs)} of {total} in the store):")
        # the most reported first when there are more than can be read at a glance
        shown = (
            confs if len(confs) <= SHOWN else sorted(confs, key=lambda c: -int(c.get("articles", 0)))[:SHOWN]
        )
        for c in sorted(shown, key=lambda c: c["iri"]):
            place = ", ".join(x for x in (c.get("city"), c.get("country")) if x) or "place unknown"
            if c.get("start") or c.get("end"):
                when = f"{c.get('start', '?')} to {c.get('end', '?')}"
            else:
                when = c.get("year", "date unknown")
            name = c.get("label") or c["iri"]
            click.echo(f"  - {name} — {place} — {when} — in {c.get('articles', '0')} article(s)")
        if len(confs) > SHOWN:
            click.echo(f"  … and {len(confs) - SHOWN} more (confkg query -f queries/conferences.rq)")
        if merged is not None and merged.dates_completed:
            click.echo(f"  ({merged.dates_completed} date(s) completed by merging articles)")
    for e in report.errors:
        click.echo(f"error: {e}", err=True)
    for r in report.refused:
        click.echo(f"refused: {r.source}: {len(r.reasons)} problem(s)", err=True)
        for reason in r.reasons:
            click.echo(f"    {reason}", err=True)
    parts = [f"built {len(report.built)} article(s)" + (f", {report.quads:,} quads" if report.built else "")]
    if report.unchanged:
        parts.append(f"{len(report.unchanged)} unchanged")
    if report.refused:
        parts.append(f"refused {len(report.refused)}")
    if report.errors:
        parts.append(f"{len(report.errors)} error(s)")
    click.echo(
        "; ".join(parts)
        + f". Store {store.location or getattr(store, 'url', None) or '(memory)'}: "
        + f"{n_articles} article(s)."
    )
