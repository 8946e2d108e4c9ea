"""The confkg command line: build a graph from articles, query it, export it.

Start with `confkg build seeds/articles`, then `confkg query -f queries/conferences.rq`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from confkg.store import DEFAULT_LOCATION, KGStore, StoreError

store_option = click.option(
    "--store",
    "store_dir",
    default=DEFAULT_LOCATION,
    show_default=True,
    envvar="CONFKG_STORE",
    help="Folder of the embedded store (created on first build).",
)


def fail(message: str, code: int = 2) -> None:
    click.echo(f"confkg: {message}", err=True)
    sys.exit(code)


def open_store(store_dir: str, *, create: bool = False) -> KGStore:
    try:
        return KGStore.open(store_dir, create=create)
    except StoreError as exc:
        fail(str(exc))
        raise  # unreachable


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="confkg")
def main() -> None:
    """Build a knowledge graph of security-cooperation conferences from Arabic news.

    \b
    First:   confkg build seeds/articles      (articles -> ./confkg-data/)
    Then:    confkg query -f queries/conferences.rq
             confkg export --format turtle -o graph.ttl
    """


@main.command()
@click.argument("paths", nargs=-1, required=True)
@store_option
@click.option("--no-validate", is_flag=True, help="Store graphs without the SHACL gate (not advised).")
@click.option("--force", is_flag=True, help="Rebuild articles even when their text has not changed.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the one-line summary and errors.")
def build(paths: tuple[str, ...], store_dir: str, no_validate: bool, force: bool, quiet: bool) -> None:
    """Extract articles (.txt, .jsonl, .html files or folders) into the store."""
    from confkg.pipeline import build as run_build
    from confkg.report import print_build_report

    validator = None
    if not no_validate:
        from confkg.validate import validate_graphs

        validator = validate_graphs
    store = open_store(store_dir, create=True)
    try:
        report = run_build(paths, store, validator=validator, skip_unchanged=not force)
        from confkg.resolve.merge import update_merged

        merged = update_merged(store)
        print_build_report(report, store, merged=merged, quiet=quiet)
    except StoreError as exc:
        fail(str(exc))
    finally:
        store.close()
    if not report.ok:
        sys.exit(1)


@main.command()
@click.argument("sparql", required=False)
@click.option("-f", "--file", "query_file", type=click.Path(dir_okay=False), help="Read the query from a .rq file.")
@store_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "turtle"]),
    default="table",
    show_default=True,
    help="table/csv/json for SELECT and ASK (json = SPARQL JSON results); turtle for CONSTRUCT/DESCRIBE.",
)
def query(sparql: str | None, query_file: str | None, store_dir: str, fmt: str) -> None:
    """Run a SPARQL query over the union of all graphs."""
    from confkg.query import QueryError, render, run_query

    if query_file:
        try:
            sparql = Path(query_file).read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"{query_file}: cannot read the query ({exc})")
    if not sparql or not sparql.strip():
        fail("give a query as an argument or with -f FILE.rq")
    store = open_store(store_dir)
    try:
        result = run_query(store, sparql)
        click.echo(render(result, fmt), nl=False)
    except QueryError as exc:
        fail(f"{query_file or 'query'}: {exc}")
    finally:
        store.close()


@main.command()
@store_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["turtle", "trig", "nquads", "jsonld", "ntriples"]),
    default="turtle",
    show_default=True,
    help="turtle/jsonld/ntriples: the merged graph; trig/nquads: one named graph per article.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file (default: stdout).")
def export(store_dir: str, fmt: str, output: str | None) -> None:
    """Write the whole graph in a standard RDF format."""
    store = open_store(store_dir)
    try:
        if output:
            tmp = Path(output).with_name(Path(output).name + ".part")
            with tmp.open("wb") as fh:
                store.export(fmt, fh)
            tmp.replace(output)
            click.echo(f"wrote {len(store)} quads as {fmt} to {output}", err=True)
        else:
            store.export(fmt, sys.stdout.buffer)
    except OSError as exc:
        fail(f"{output}: cannot write ({exc.strerror or exc})")
    finally:
        store.close()


@main.command()
@click.argument("article_ids", nargs=-1, required=True)
@store_option
def remove(article_ids: tuple[str, ...], store_dir: str) -> None:
    """Remove articles' graphs and withdraw what only they supported."""
    from confkg.resolve import iris
    from confkg.resolve.merge import update_merged

    store = open_store(store_dir)
    try:
        present = set(store.article_graph_iris())
        missing = [a for a in article_ids if iris.article_graph(a) not in present]
        if missing:
            fail(f"no article {', '.join(missing)} in {store_dir}", code=1)
        store.remove_graphs([iris.article_graph(a) for a in article_ids])
        update_merged(store)
        click.echo(f"removed {len(article_ids)} article(s); {len(store)} quads remain")
    finally:
        store.close()


if __name__ == "__main__":  # pragma: no cover
    main()
