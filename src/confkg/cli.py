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
@click.option(
    "--jobs",
    "-j",
    default=1,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Processes that extract and validate (one writer stores their graphs).",
)
@click.option(
    "--dask",
    "dask_address",
    metavar="ADDRESS",
    help="Extract on this Dask scheduler (tcp://host:8786) into N-Quads shards (needs --shards); then "
    "'confkg load'. Articles --store holds unchanged are left out.",
)
@click.option(
    "--shards",
    "shards_dir",
    type=click.Path(file_okay=False),
    help="With --dask: folder for the shards, one part-NNNNN.nq per partition (shared by the workers).",
)
def build(
    paths: tuple[str, ...],
    store_dir: str,
    no_validate: bool,
    force: bool,
    quiet: bool,
    jobs: int,
    dask_address: str | None,
    shards_dir: str | None,
) -> None:
    """Extract articles (.txt, .jsonl, .html files or folders) into the store."""
    from confkg.pipeline import build as run_build
    from confkg.pipeline import prepare_worker, workers_for
    from confkg.report import print_build_report

    # the `confkg` command is a process of its own (`run`); called in another program's
    # process (a test's CliRunner), the build leaves that process's garbage collector alone
    own_process = bool((click.get_current_context().obj or {}).get("own_process"))

    if dask_address or shards_dir:
        if not (dask_address and shards_dir):
            fail("--dask ADDRESS and --shards DIR go together")
        _build_on_dask(
            paths,
            dask_address,
            shards_dir,
            validate=not no_validate,
            quiet=quiet,
            skip_in=None if force else store_dir,
        )
        return
    validator = None
    if not no_validate:
        from confkg.validate import validate_graphs

        validator = validate_graphs
    from confkg.extract.gazetteer import GazetteerError

    try:
        # the workers first, forked while this process has one thread: before the store opens
        pool = workers_for(jobs)
    except GazetteerError as exc:
        fail(str(exc))
    try:
        store = open_store(store_dir, create=True)
        try:
            from confkg import upkeep

            change = upkeep.begin(store)
            with _ProgressBar(paths, enabled=not quiet) as progress:
                report = run_build(
                    paths,
                    store,
                    validator=validator,
                    skip_unchanged=not force,
                    jobs=jobs,
                    progress=progress,
                    keep_facts=False,
                    prepare=prepare_worker if own_process else None,
                    pool=pool,
                )
            if pool is not None:
                pool.shutdown()  # before the merge: the workers' memory goes now
                pool = None
            merged, links = upkeep.finish(
                store, change, touched=report.touched, relink=report.relink, changed=bool(report.built)
            )
            print_build_report(report, store, merged=merged, quiet=quiet)
            if links is not None and not quiet:
                click.echo(f"Wikidata (offline lexicon): {links.describe()}")
        except (StoreError, GazetteerError) as exc:
            fail(str(exc))
        finally:
            store.close()
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if not report.ok:
        sys.exit(1)


class _ProgressBar:
    """One progress bar on stderr: articles done, articles per second, refused so far, time left."""

    def __init__(self, paths: tuple[str, ...], *, enabled: bool) -> None:
        self.paths = paths
        self.enabled = enabled
        self.bar = None
        self.task = None

    def __enter__(self):
        if not self.enabled:
            return None
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        from confkg.pipeline import count_articles

        self.bar = Progress(
            BarColumn(),
            TextColumn("{task.completed}/{task.total} articles"),
            TextColumn("{task.fields[rate]} articles/s"),
            TextColumn("refused {task.fields[refused]}"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        self.bar.start()
        self.task = self.bar.add_task("build", total=count_articles(self.paths) or None, rate="-", refused=0)
        return self.update

    def update(self, state) -> None:
        task = self.bar.tasks[0]
        rate = f"{task.speed:.1f}" if task.speed else "-"
        self.bar.update(self.task, completed=state.done, refused=state.refused, rate=rate)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _build_on_dask(
    paths: tuple[str, ...],
    address: str,
    shards_dir: str,
    *,
    validate: bool,
    quiet: bool,
    skip_in: str | None,
) -> None:
    """`skip_in`: a store whose unchanged articles are left out, when it exists (the one the shards
    are meant for: `confkg load` takes the same --store)."""
    from confkg.pipeline import build_shards, stored_hashes
    from confkg.store.remote import is_remote

    store = None
    if skip_in is not None and (is_remote(skip_in) or Path(skip_in).is_dir()):
        try:
            store = KGStore.open_read_only(skip_in)  # no lock: queries and serve go on meanwhile
        except StoreError as exc:
            fail(str(exc))
    try:
        known = (lambda ids: stored_hashes(store, ids)) if store is not None else None
        report = build_shards(paths, shards_dir, scheduler=address, validate=validate, known=known)
    except ImportError as exc:
        fail(f"--dask needs dask.distributed ({exc.name}); pip install 'confkg[scale]'")
    except (
        FileExistsError,
        StoreError,
    ) as exc:  # before OSError: a folder of old shards, an unreadable store
        fail(str(exc))
    except OSError as exc:
        fail(f"{address}: cannot use the Dask cluster ({exc})")
    finally:
        if store is not None:
            store.close()
    for e in report.errors:
        click.echo(f"error: {e}", err=True)
    for r in report.refused:
        click.echo(f"refused: {r.source}: {len(r.reasons)} problem(s)", err=True)
        if not quiet:
            for reason in r.reasons:
                click.echo(f"    {reason}", err=True)
    click.echo(
        f"built {len(report.built)} article(s) into {len(report.shards)} shard(s), {report.quads} quads, "
        f"in {shards_dir}"
        + (f"; {len(report.unchanged)} unchanged in {skip_in}" if report.unchanged else "")
        + (f"; refused {len(report.refused)}" if report.refused else "")
        + (f"; {len(report.errors)} error(s)" if report.errors else "")
        + f". Next: confkg load {shards_dir} --store {skip_in if store is not None else 'STORE'}"
    )
    if not report.ok:
        sys.exit(1)


@main.command()
@click.argument("shards", nargs=-1, required=True)
@store_option
@click.option("--quiet", "-q", is_flag=True, help="Print only the one-line summary and errors.")
def load(shards: tuple[str, ...], store_dir: str, quiet: bool) -> None:
    """Bulk-load N-Quads shards (files or folders of *.nq, from build --dask) into the store."""
    from confkg import upkeep
    from confkg.pipeline import load_shards

    store = open_store(store_dir, create=True)
    try:
        change = upkeep.begin(store)
        report = load_shards(store, shards)
        # every entity: the shards do not say which graphs they replaced
        merged, links = upkeep.finish(store, change, touched=None, relink=None, changed=True)
        click.echo(
            f"loaded {report.quads} quads in {report.graphs} graph(s) from {report.files} shard(s) "
            f"in {report.seconds:.1f} s"
            + (f" ({report.replaced} replaced)" if report.replaced else "")
            + f"; {len(store)} quads in the store."
        )
        if not quiet:
            click.echo(
                f"merged: {merged.conferences} conference(s), {merged.dates_completed} date(s) completed"
            )
            click.echo(f"Wikidata (offline lexicon): {links.describe()}")
    except (OSError, SyntaxError, ValueError) as exc:
        fail(f"cannot load the shards ({exc})")
    except StoreError as exc:
        fail(str(exc))
    finally:
        store.close()


@main.command()
@click.argument("sparql", required=False)
@click.option(
    "-f", "--file", "query_file", type=click.Path(dir_okay=False), help="Read the query from a .rq file."
)
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
    from confkg import upkeep
    from confkg.namespaces import LINKED_CLASSES
    from confkg.pipeline import stored_articles
    from confkg.resolve import iris
    from confkg.resolve.merge import subjects_of

    store = open_store(store_dir)
    try:
        # the articles' own nodes, looked up (not every graph of the store listed)
        present = stored_articles(store, article_ids)
        missing = [a for a in article_ids if a not in present]
        if missing:
            fail(f"no article {', '.join(missing)} in {store_dir}", code=1)
        graphs = [iris.article_graph(a) for a in article_ids]
        touched = subjects_of(store, graphs)
        relink = subjects_of(store, graphs, LINKED_CLASSES)
        change = upkeep.begin(store)
        store.remove_graphs(graphs)
        # an entity only these articles named loses its link
        upkeep.finish(store, change, touched=touched, relink=relink, changed=True)
        # the articles left, not the quads: Oxigraph counts quads by reading every one
        click.echo(f"removed {len(article_ids)} article(s); {store.article_count()} article(s) remain")
    finally:
        store.close()


@main.command()
@click.argument("rdf_file", required=False, type=click.Path(dir_okay=False))
@store_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "turtle"]),
    default="text",
    show_default=True,
    help="text: one line per result; turtle: the standard SHACL validation report graph.",
)
def validate(rdf_file: str | None, store_dir: str, fmt: str) -> None:
    """Check the stored article graphs, or an RDF file, against the SHACL shapes."""
    import io

    from rdflib import Dataset

    from confkg.validate import ValidationInputError, validate_file, validate_graph

    try:
        if rdf_file:
            report = validate_file(rdf_file)
        else:
            store = open_store(store_dir)
            try:
                buffer = io.BytesIO()
                store.export("nquads", buffer)
            finally:
                store.close()
            data = Dataset()
            data.parse(data=buffer.getvalue(), format="nquads")
            report = validate_graph(data, key="store")
            report.source = store_dir
    except ValidationInputError as exc:
        fail(str(exc))
    if fmt == "turtle":
        click.echo(report.graph.serialize(format="turtle"), nl=False)
    else:
        click.echo(report.text(), nl=False)
    if not report.passed:
        sys.exit(1)


@main.command()
@click.argument("gold_dir", type=click.Path(exists=True, file_okay=False))
@click.argument("articles", nargs=-1, required=True)
@click.option("--min-f1", type=float, default=None, help="Exit 1 when the overall F1 is below this.")
def evaluate(gold_dir: str, articles: tuple[str, ...], min_f1: float | None) -> None:
    """Score extraction against annotations (GOLD_DIR/*.json) per kind of fact."""
    from confkg.evaluate import evaluate as run

    ev = run(gold_dir, articles)
    if ev.articles == 0:
        fail(f"no article under {' '.join(articles)} has an annotation in {gold_dir}")
    click.echo(ev.table(), nl=False)
    if ev.missing:
        click.echo(f"annotated but not found: {', '.join(ev.missing)}", err=True)
    if min_f1 is not None and ev.overall.f1 < min_f1:
        sys.exit(1)


@main.command()
@store_option
@click.option("--offline", is_flag=True, help="Use the packaged lexicon only; no network.")
@click.option(
    "--min-confidence",
    type=click.FloatRange(0.0, 1.0),
    default=0.8,
    show_default=True,
    help="Make no link below this confidence (0 to 1).",
)
@click.option(
    "--review",
    "show_review",
    is_flag=True,
    help="List the candidates the last run left for a person to decide; links nothing.",
)
@click.option("--remove", is_flag=True, help="Withdraw every Wikidata link (drop the links graph).")
@click.option(
    "--endpoint",
    default="https://www.wikidata.org/w/api.php",
    show_default=True,
    envvar="CONFKG_WIKIDATA_API",
    help="Wikidata's action API (another URL for a mirror or a test server).",
)
@click.option(
    "--request-interval",
    type=click.FloatRange(min=0.1),
    default=0.1,
    show_default=True,
    help="Seconds between two requests to Wikidata (at least 0.1).",
)
def link(
    store_dir: str,
    offline: bool,
    min_confidence: float,
    show_review: bool,
    remove: bool,
    endpoint: str,
    request_interval: float,
) -> None:
    """Link organisations, places, officials and series to Wikidata (owl:sameAs).

    \b
    The lexicon first (no network), then Wikidata's search with a type check.
    Links go into the graph https://w3id.org/confkg/id/graph/wikidata-links;
    ambiguous candidates into STORE/wikidata/review.json (see --review).
    """
    from confkg.link import (
        CACHE_FILE,
        REASONS,
        REVIEW_FILE,
        LexiconError,
        WikidataClient,
        WikidataUnreachable,
        link_dir,
        link_store,
        read_review,
        remove_links,
    )
    from confkg.namespaces import LINKS_GRAPH

    if show_review and remove:
        fail("--review and --remove do not go together")
    if show_review:
        # The review file is plain JSON beside the store: reading it needs no lock on the store,
        # so it works while `confkg serve` holds it.
        path = link_dir(store_dir) / REVIEW_FILE
        try:
            items = read_review(path)
        except (OSError, ValueError, KeyError) as exc:
            fail(f"{path}: cannot read the review file ({exc})")
        if not items:
            hint = "" if path.exists() else " (run 'confkg link' first)"
            click.echo(f"nothing to review{hint}")
            return
        click.echo(f"{len(items)} entit{'y' if len(items) == 1 else 'ies'} to review ({path}):")
        for item in items:
            click.echo(f"\n{item.subject}  «{item.label}»  ({item.kind})")
            click.echo(f"  {REASONS.get(item.reason, item.reason)}:")
            for c in item.candidates:
                conf = f"{c.confidence:.2f}" if c.confidence is not None else "  - "
                about = f" — {c.description}" if c.description else ""
                click.echo(f"    {c.qid:<11} {conf}  {c.label}{about}  [{c.method}]")
        return
    store = open_store(store_dir)
    errors = False
    try:
        if remove:
            count = remove_links(store)
            click.echo(f"removed {count} Wikidata link(s) and the graph <{LINKS_GRAPH}>")
            return
        client = None
        if not offline:
            client = WikidataClient(
                api_url=endpoint,
                cache_path=link_dir(store_dir) / CACHE_FILE,
                min_interval=request_interval,
            )
        try:
            summary = link_store(store, client=client, min_confidence=min_confidence)
        except WikidataUnreachable as exc:
            fail(str(exc))
        finally:
            if client is not None:
                client.close()
        for message in summary.errors:
            click.echo(f"confkg: {message}", err=True)
        for qid, subjects in summary.shared_targets().items():
            click.echo(
                f"confkg: note: {qid} is linked from {len(subjects)} entities ({', '.join(subjects)}); "
                "owl:sameAs makes them one",
                err=True,
            )
        click.echo(summary.describe())
        errors = bool(summary.errors)
    except (StoreError, LexiconError) as exc:
        fail(str(exc))
    finally:
        store.close()
    if errors:
        sys.exit(1)


@main.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on."
)
@click.option(
    "--timeout",
    default=5.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds a query may run.",
)
@click.option(
    "--max-rows",
    default=10_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Rows (or triples) a query may return.",
)
@click.option(
    "--allow-update",
    "allow_update",
    metavar="TOKEN",
    help="Accept SPARQL Update sent with Authorization: Bearer TOKEN.",
)
@click.option(
    "--allow-service",
    "allow_service",
    metavar="HOST",
    multiple=True,
    help="Host (host or host:port) that SERVICE and LOAD may reach; repeat for several. Default: none.",
)
@click.option(
    "--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Query worker processes."
)
@click.option(
    "--refresh",
    default=2.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds between checks for a changed store (0: never).",
)
@click.option(
    "--max-memory",
    default=2048,
    show_default=True,
    type=click.IntRange(min=0),
    help="MB of memory per query worker (0: no limit).",
)
@click.option(
    "--queries",
    "queries_dir",
    type=click.Path(file_okay=False),
    help="Folder of example .rq queries for the page (default: the repository's queries/).",
)
def serve(
    store_dir: str,
    host: str,
    port: int,
    timeout: float,
    max_rows: int,
    allow_update: str | None,
    allow_service: tuple[str, ...],
    workers: int,
    refresh: float,
    max_memory: int,
    queries_dir: str | None,
) -> None:
    """Serve the store read-only: SPARQL endpoint at /sparql, explorer page at /."""
    from confkg.serve import ServeConfig, SnapshotError
    from confkg.serve import serve as run_server

    hosts = tuple(h for item in allow_service for h in item.replace(",", " ").split())
    if allow_update is not None and len(allow_update) < 12:
        fail("--allow-update TOKEN: use a token of at least 12 characters")
    config = ServeConfig(
        store_dir=Path(store_dir),
        host=host,
        port=port,
        timeout=timeout,
        max_rows=max_rows,
        allow_update=allow_update,
        allow_service=hosts,
        workers=workers,
        refresh=refresh,
        max_memory_mb=max_memory or None,
        queries_dir=Path(queries_dir) if queries_dir else None,
    )
    try:
        run_server(config)
    except SnapshotError as exc:
        fail(str(exc))


def run() -> None:
    """The `confkg` command (a process of its own: see `build`)."""
    main(obj={"own_process": True})


if __name__ == "__main__":  # pragma: no cover
    run()
