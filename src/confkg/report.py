"""What `confkg build` prints: counts, the conferences found, and every article it could not take."""

from __future__ import annotations

import click

from confkg.namespaces import CK
from confkg.pipeline import BuildReport
from confkg.query import short
from confkg.store import KGStore

CONFERENCES = f"""
SELECT ?c ?label ?edition ?city ?country ?start ?end ?year (COUNT(DISTINCT ?a) AS ?articles) WHERE {{
  ?c a <{CK}Conference> ; <{CK}mentionedIn> ?a .
  OPTIONAL {{ ?c <http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(LANG(?label) = "en") }}
  OPTIONAL {{ ?c <{CK}edition> ?edition }}
  OPTIONAL {{ ?c <{CK}heldIn> ?p . ?p <http://www.w3.org/2000/01/rdf-schema#label> ?city FILTER(LANG(?city) = "en")
             OPTIONAL {{ ?p <{CK}country> ?k . ?k <http://www.w3.org/2000/01/rdf-schema#label> ?country FILTER(LANG(?country) = "en") }} }}
  OPTIONAL {{ ?c <{CK}startDate> ?start }}
  OPTIONAL {{ ?c <{CK}endDate> ?end }}
  OPTIONAL {{ ?c <{CK}year> ?year }}
}} GROUP BY ?c ?label ?edition ?city ?country ?start ?end ?year ORDER BY ?c
"""


def conference_rows(store: KGStore) -> list[dict[str, str]]:
    """One row per conference of the merged graph (dates as the union states them)."""
    rows: dict[str, dict[str, str]] = {}
    for r in store.query(CONFERENCES):
        key = str(r.c)
        row = rows.setdefault(key, {"iri": short(r.c)})
        for name in ("label", "edition", "city", "country", "start", "end", "year", "articles"):
            v = getattr(r, name)
            if v is not None and name not in row:
                row[name] = str(v)
    return list(rows.values())


def print_build_report(report: BuildReport, store: KGStore, *, merged=None, quiet: bool = False) -> None:
    n_articles = len(store.article_graph_iris())
    if not quiet:
        confs = conference_rows(store)
        click.echo(f"Conferences in the store ({len(confs)}):")
        for c in confs:
            place = ", ".join(x for x in (c.get("city"), c.get("country")) if x) or "place unknown"
            if c.get("start") or c.get("end"):
                when = f"{c.get('start', '?')} to {c.get('end', '?')}"
            else:
                when = c.get("year", "date unknown")
            name = c.get("label") or c["iri"]
            click.echo(f"  - {name} — {place} — {when} — in {c.get('articles', '0')} article(s)")
        if merged is not None and merged.dates_completed:
            click.echo(f"  ({merged.dates_completed} date(s) completed by merging articles)")
    for e in report.errors:
        click.echo(f"error: {e}", err=True)
    for r in report.refused:
        click.echo(f"refused: {r.source}: {len(r.reasons)} problem(s)", err=True)
        for reason in r.reasons:
            click.echo(f"    {reason}", err=True)
    parts = [f"built {len(report.built)} article(s)"]
    if report.unchanged:
        parts.append(f"{len(report.unchanged)} unchanged")
    if report.refused:
        parts.append(f"refused {len(report.refused)}")
    if report.errors:
        parts.append(f"{len(report.errors)} error(s)")
    click.echo(
        "; ".join(parts)
        + f". Store {store.location or getattr(store, 'url', None) or '(memory)'}: "
        + f"{n_articles} article(s), {len(store)} quads."
    )
