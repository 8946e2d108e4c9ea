"""The build: ingest -> extract -> rdf -> validate -> store, for files, folders or article objects."""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from confkg.extract import extract, load_gazetteer
from confkg.ingest import ARTICLE_ID, SUFFIXES, IngestError, iter_articles
from confkg.models import Article, ArticleFacts
from confkg.namespaces import CK, LINKED_CLASSES
from confkg.rdf import TripleSet, article_triples, content_hash, pipeline_version
from confkg.resolve import iris
from confkg.resolve.merge import MERGED_CLASSES, typed_subjects_in, typed_subjects_of
from confkg.store import VALUES_ROWS, KGStore, named_quads, ntriples, triple_count


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
    relink: set[URIRef] = field(default_factory=set)  # entities whose Wikidata links may change
    conferences: set[URIRef] = field(default_factory=set)  # the conferences among `touched`
    quads: int = 0  # written into the article graphs (their union and the merged graph aside)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.refused


_NOTED_CLASSES = tuple(dict.fromkeys((*MERGED_CLASSES, *LINKED_CLASSES)))


def _note_subjects(report: BuildReport, typed: set[tuple[URIRef, URIRef]]) -> None:
    """Note the entities of graphs written or replaced: to merge (`touched`) and to link (`relink`)."""
    for s, cls in typed:
        if cls in MERGED_CLASSES:
            report.touched.add(s)
            if cls == CK.Conference:
                report.conferences.add(s)
        if cls in LINKED_CLASSES:
            report.relink.add(s)


Validator = Callable[[dict[str, Graph | TripleSet]], dict[str, list]]


def prepare_worker() -> None:
    """Ready this process to extract many articles: load the gazetteers, collect what is
    garbage already, then hand what is left to the garbage collector's permanent generation
    (`gc.freeze`).

    Modules and gazetteers live as long as the process, and the collector's full passes walked
    them again and again while articles came and went (0.8 % of extraction's instructions and
    fewer cache misses, cachegrind; 3–4 % more articles per second in one benchmark run:
    docs/scaling.md). Objects stay freed by their reference counts as before. Only for a
    process of its own: a `--jobs` worker, or the `confkg` command (`build(prepare=...)`).
    """
    load_gazetteer()
    gc.collect()
    gc.freeze()


def worker_pool(jobs: int) -> ProcessPoolExecutor:
    """`jobs` worker processes for `build(pool=...)`, readied by `prepare_worker`.

    Forked now from this process when that is safe, so that they start with its imports
    (about half a second of each worker's start-up, while the writer waits for its first
    batch); spawned otherwise, as the first tasks come. Safe means Linux, and this process
    running one thread: no open Oxigraph store (RocksDB's threads, which stay after it
    closes), no progress bar, no server. So the `confkg` command makes its pool before it
    opens the store. The caller shuts the pool down (`with worker_pool(n) as pool: ...`).
    """
    method = "fork" if can_fork() else "spawn"
    pool = ProcessPoolExecutor(
        max_workers=jobs, mp_context=multiprocessing.get_context(method), initializer=prepare_worker
    )
    if method == "fork":
        # What this process holds is frozen for the fork, so the workers' collector leaves it
        # alone (its passes would touch, and so copy, every page of it), then thawed here; a
        # process that froze objects itself (`prepare_worker`, a host program) is left as it is.
        freeze = gc.get_freeze_count() == 0
        if freeze:
            gc.freeze()
        try:
            pool.submit(int)  # a first task forks every worker now, before any thread starts here
        except BaseException:
            # a fork that failed part of the way (no more processes allowed, say): the workers
            # already forked wait for tasks, and exiting would wait for them
            for worker in list(getattr(pool, "_processes", {}).values()):
                worker.terminate()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        finally:
            if freeze:
                gc.unfreeze()
    return pool


def workers_for(jobs: int) -> ProcessPoolExecutor | None:
    """What `confkg build --jobs N` does before it opens the store: None for one job; else the
    gazetteers loaded here (a data file that cannot be used raises GazetteerError now, and
    forked workers inherit them), then `worker_pool(jobs)`."""
    if jobs <= 1:
        return None
    load_gazetteer()
    return worker_pool(jobs)


def can_fork() -> bool:
    """Whether fork is safe here: Linux, and the kernel counts one thread in this process."""
    if not sys.platform.startswith("linux") or "fork" not in multiprocessing.get_all_start_methods():
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def process_article(article: Article) -> tuple[ArticleFacts, TripleSet]:
    """Extract one article and turn it into its graph (pure: no I/O, safe in any process)."""
    gaz = load_gazetteer()
    facts = extract(article, gazetteer=gaz)
    return facts, article_triples(facts, gazetteer=gaz)


@dataclass
class BuildProgress:
    """Where a build stands, passed to `build(progress=...)` after each chunk of articles."""

    done: int = 0  # articles read so far: built, unchanged, refused or in error
    built: int = 0
    unchanged: int = 0
    refused: int = 0
    errors: int = 0


Progress = Callable[[BuildProgress], None]

# One article on its way: what it is, what came of it, and the violations that refuse it.
# Facts are None from a worker when the caller does not keep them; a graph may be its N-Triples text.
_Done = tuple[Article, ArticleFacts | None, TripleSet | str, list]


def build(
    paths: Iterable[str | Path],
    store: KGStore,
    *,
    validator: Validator | None = None,
    batch_size: int = 64,
    skip_unchanged: bool = True,
    on_article: Callable[[str], None] | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
    keep_facts: bool = True,
    chunk_size: int = 16,
    prepare: Callable[[], None] | None = None,
    pool: Executor | None = None,
) -> BuildReport:
    """Build every article under `paths` into `store`, one transaction per batch of articles.

    An article whose graph fails validation is refused and not stored; the
    others are. With `skip_unchanged`, an article whose text has the same
    content hash as the stored one is not rebuilt.

    `jobs` > 1 extracts and validates in that many processes (chunks of
    `chunk_size` articles), while this process stays the one writer: the
    batches and their transactions are the same as with one job, so the store
    ends up the same. `progress` is called after each chunk. `keep_facts=False`
    leaves `report.facts` empty, so memory does not grow with the corpus.
    Workers made here come from `worker_pool`: spawned when this process runs other threads (an
    on-disk store's), forked otherwise (an in-memory store), so a script that calls this with
    `jobs` > 1 needs Python's `if __name__ == "__main__":` guard; `pool` brings workers made
    earlier (forked before the store opened, as the `confkg` command does), which the caller
    shuts down. With one job, `prepare` (the `confkg` command passes `prepare_worker`) is
    called once before this process extracts its first article.
    """
    report = BuildReport()
    state = BuildProgress()
    known = (lambda ids: stored_hashes(store, ids)) if skip_unchanged else None

    def tell() -> None:
        if progress:
            state.built, state.refused, state.errors = (
                len(report.built),
                len(report.refused),
                len(report.errors),
            )
            state.unchanged = len(report.unchanged)
            progress(state)

    def write(done: list[_Done]) -> None:
        to_store: dict[URIRef, TripleSet | str] = {}
        for art, facts, g, problems in done:
            if problems:
                report.refused.append(Refusal(art.id, art.source or art.id, [str(p) for p in problems]))
                continue
            to_store[iris.article_graph(art.id)] = g
            report.built.append(art.id)
            if keep_facts:
                report.facts.append(facts)
        if to_store:
            # the merged graph is redone for what the old and the new graphs are about: the old
            # from the store, asked only about graphs it holds (a first build has none, and querying
            # the store between bulk loads makes RocksDB hold memory for every file it ingested)
            _note_subjects(report, typed_subjects_of(store, store.stored(to_store), _NOTED_CLASSES))
            store.replace_graphs(to_store, bulk=True)
            report.quads += sum(triple_count(g) for g in to_store.values())
            _note_subjects(report, typed_subjects_in(to_store.values(), _NOTED_CLASSES))  # and now

    if jobs <= 1:
        pending: dict[str, tuple[Article, ArticleFacts, TripleSet]] = {}

        def flush() -> None:
            if not pending:
                return
            graphs = {aid: g for aid, (_, _, g) in pending.items()}
            found = validator(graphs) if validator else {}
            write(
                [(art, facts, g, _violations(found.get(aid, []))) for aid, (art, facts, g) in pending.items()]
            )
            state.done += len(pending)
            pending.clear()
            tell()

        for item in _articles(paths, report, known, state=state, on_article=on_article):
            if item.id in pending:
                report.errors.append(IngestError(item.source or item.id, f"duplicate article id {item.id!r}"))
                state.done += 1
                continue
            if prepare is not None:
                prepare()
                prepare = None
            facts, graph = process_article(item)
            pending[item.id] = (item, facts, graph)
            if len(pending) >= batch_size:
                flush()
        flush()
        tell()
        return report

    _build_parallel(
        _articles(paths, report, known, state=state, on_article=on_article),
        report=report,
        state=state,
        write=write,
        tell=tell,
        validator=validator,
        jobs=jobs,
        batch_size=batch_size,
        chunk_size=chunk_size,
        keep_facts=keep_facts,
        pool=pool,
    )
    tell()
    return report


def _violations(found: list) -> list:
    # warnings (sh:Warning) are reported by `confkg validate`; only violations refuse a graph
    return [v for v in found if getattr(v, "severity", "Violation") == "Violation"]


# Articles read ahead to look up their stored hashes in one query: the lookup follows the articles
# given, not the store (reading every stored hash took 2.5 s of a ten-article build into 20,000).
HASH_LOOKUP = 256


def _articles(
    paths: Iterable[str | Path],
    report: BuildReport | ShardReport,
    known: Callable[[list[str]], dict[str, tuple[str, str]]] | None,
    *,
    state: BuildProgress | None = None,
    on_article: Callable[[str], None] | None = None,
    seen: set[str] | None = None,
) -> Iterator[Article]:
    """The articles to build: ingest errors and unchanged articles go into `report` and are left out.

    `known` gives the stored (content hash, pipeline version) of some article ids (None: rebuild
    every article); `state.done` counts the articles left out. With `seen`, an id met before in
    this run is an error, unchanged or not."""
    ahead: list[Article | IngestError] = []

    def left_out() -> None:
        if state is not None:
            state.done += 1

    def release() -> Iterator[Article]:
        ids = [item.id for item in ahead if not isinstance(item, IngestError)]
        stored = known(ids) if known is not None and ids else {}
        for item in ahead:
            if isinstance(item, IngestError):
                report.errors.append(item)
                left_out()
                continue
            if seen is not None:
                if item.id in seen:
                    report.errors.append(
                        IngestError(item.source or item.id, f"duplicate article id {item.id!r}")
                    )
                    left_out()
                    continue
                seen.add(item.id)
            if on_article:
                on_article(item.id)
            if stored.get(item.id) == (content_hash(item.text), pipeline_version()):
                report.unchanged.append(item.id)
                left_out()
                continue
            yield item
        ahead.clear()

    for item in iter_articles(paths):
        ahead.append(item)
        if len(ahead) >= HASH_LOOKUP:
            yield from release()
    yield from release()


def _build_parallel(
    articles: Iterator[Article],
    *,
    report: BuildReport,
    state: BuildProgress,
    write: Callable[[list[_Done]], None],
    tell: Callable[[], None],
    validator: Validator | None,
    jobs: int,
    batch_size: int,
    chunk_size: int,
    keep_facts: bool = True,
    pool: Executor | None = None,
) -> None:
    """Extract and validate chunks in worker processes; write each batch here, in order, in one transaction.

    Without `keep_facts` the workers do not send each article's facts back (a third of what
    they send, and pickling it is as slow as pickling the graph's text).
    """
    remote_validator = validator if validator is not None and _picklable(validator) else None
    # Graphs come back as N-Triples text, cheaper to send than a pickled Graph, unless
    # the validator has to run here and needs them as Graphs.
    as_text = validator is None or remote_validator is not None
    in_flight: deque[tuple[list[Article], bool, Future]] = deque()
    ready: list[_Done] = []
    limit = max(2, jobs * 3)  # chunks queued ahead: enough to keep workers busy, bounded memory

    def collect_one() -> None:
        chunk, last, future = in_flight.popleft()
        results = future.result()
        done = [(art, facts, g, problems) for art, (facts, g, problems) in zip(chunk, results, strict=True)]
        if validator is not None and remote_validator is None:
            found = validator({art.id: g for art, _, g, _ in done})
            done = [(art, facts, g, _violations(found.get(art.id, []))) for art, facts, g, _ in done]
        ready.extend(done)
        state.done += len(chunk)
        if last:
            write(ready)
            ready.clear()
        tell()

    # made here unless given: by now this process holds the store, and an on-disk one runs threads,
    # so `worker_pool` spawns them (it forks only a process that runs one thread)
    with nullcontext(pool) if pool is not None else worker_pool(jobs) as pool:
        batch_ids: set[str] = set()
        chunk: list[Article] = []

        def submit(last: bool) -> None:
            nonlocal chunk
            if chunk or last:
                in_flight.append(
                    (chunk, last, pool.submit(_process_chunk, chunk, remote_validator, as_text, keep_facts))
                )
                chunk = []
            while len(in_flight) > limit:
                collect_one()

        for item in articles:
            if item.id in batch_ids:
                # the same rule as one job: a repeated id within a batch is an error
                report.errors.append(IngestError(item.source or item.id, f"duplicate article id {item.id!r}"))
                state.done += 1
                continue
            batch_ids.add(item.id)
            chunk.append(item)
            if len(batch_ids) >= batch_size:
                submit(last=True)
                batch_ids = set()
            elif len(chunk) >= chunk_size:
                submit(last=False)
        if batch_ids:
            submit(last=True)
        while in_flight:
            collect_one()


def _process_chunk(
    articles: list[Article], validator: Validator | None, as_text: bool = False, keep_facts: bool = True
) -> list[tuple[ArticleFacts | None, TripleSet | str, list]]:
    """In a worker: extract a chunk of articles and validate their graphs in one call.

    With `as_text`, each graph goes back as its N-Triples text, ready for the store; without
    `keep_facts`, the facts stay here (None goes back).
    """
    done = [process_article(a) for a in articles]
    found = validator({a.id: g for a, (_, g) in zip(articles, done, strict=True)}) if validator else {}
    return [
        (facts if keep_facts else None, ntriples(g) if as_text else g, _violations(found.get(a.id, [])))
        for a, (facts, g) in zip(articles, done, strict=True)
    ]


def _picklable(obj: object) -> bool:
    try:
        pickle.dumps(obj)
    except Exception:  # a lambda or a closure: it runs in the parent instead
        return False
    return True


def count_articles(paths: Iterable[str | Path]) -> int:
    """How many articles `paths` hold, cheaply (a .jsonl counts its non-empty lines): a progress bar's total."""
    total = 0
    for raw in paths:
        path = Path(raw)
        files = (
            [
                p
                for p in path.rglob("*")
                if p.is_file() and not any(x.startswith(".") for x in p.relative_to(path).parts)
            ]
            if path.is_dir()
            else [path]
        )
        for f in files:
            suffix = f.suffix.lower()
            if suffix == ".jsonl":
                try:
                    with f.open("rb") as fh:
                        total += sum(1 for line in fh if line.strip())
                except OSError:
                    total += 1
            elif suffix in SUFFIXES or not path.is_dir():
                total += 1
    return total


def stored_hashes(store: KGStore, article_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Article id -> (content hash, pipeline version) of those of these articles the store holds.

    Each article's own graph and node are named in the query (VALUES), so the engine looks them
    up rather than reading every stored article."""
    graphs = {iris.article_graph(i): i for i in article_ids if ARTICLE_ID.fullmatch(i)}
    # only the articles whose graph is there go to a query (the embedded store finds the graphs by
    # key, no query): a first build asks none, and queries between bulk loads make RocksDB keep
    # memory (a 4,000-article first build peaked at 260 MiB with one every 256 articles, 225 without)
    ids = [graphs[g] for g in store.stored(graphs)]
    found = _about_articles(store, ids, f"<{CK.contentHash}> ?h ; <{CK.pipelineVersion}> ?v", "?h ?v")
    return {aid: (h, v) for aid, h, v in found}


def stored_articles(store: KGStore, article_ids: Iterable[str]) -> set[str]:
    """Those of these article ids whose article graph the store holds (looked up, as stored_hashes)."""
    return {aid for (aid,) in _about_articles(store, article_ids, "", "")}


def _about_articles(
    store: KGStore, article_ids: Iterable[str], more: str, names: str
) -> list[tuple[str, ...]]:
    """(article id, *names) for each of these articles stored, its node found by its ck:articleId in
    its own graph (`more`: further predicate-object pairs of the node), up to VALUES_ROWS a query.
    An id that ingest could not have given (`ARTICLE_ID`) names no stored article."""
    ids = sorted({i for i in article_ids if ARTICLE_ID.fullmatch(i)})
    out: list[tuple[str, ...]] = []
    for start in range(0, len(ids), VALUES_ROWS):
        pairs = " ".join(
            f"(<{iris.article_graph(i)}> <{iris.article(i)}>)" for i in ids[start : start + VALUES_ROWS]
        )
        pattern = f"?a <{CK.articleId}> ?id" + (f" ; {more}" if more else "")
        rows = store.select_values(
            f"SELECT ?id {names} WHERE {{ VALUES (?g ?a) {{ {pairs} }} GRAPH ?g {{ {pattern} }} }}"
        )
        out.extend(tuple(str(v) for v in row) for row in rows)
    return out


# -- past one machine: shards from a Dask cluster, and their bulk load ------------------------------


@dataclass
class ShardReport:
    """What `build_shards` wrote: one N-Quads file per partition."""

    shards: list[Path] = field(default_factory=list)
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # left out: the store holds them as they are
    refused: list[Refusal] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)
    quads: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and not self.refused


def build_shards(
    paths: Iterable[str | Path],
    shards_dir: str | Path,
    *,
    scheduler: object,
    validate: bool = True,
    partition_size: int = 256,
    max_in_flight: int | None = None,
    known: Callable[[list[str]], dict[str, tuple[str, str]]] | None = None,
) -> ShardReport:
    """Extract and validate articles on a Dask cluster; each partition becomes `part-NNNNN.nq` in `shards_dir`.

    `known` leaves out the articles a store already holds as they are (`stored_hashes` of that
    store, as `build` does). A folder holding shards already is refused (FileExistsError): a
    graph in two shards, an old version beside a new one, would be loaded as both.

    `scheduler` is a `distributed.Client` or a scheduler address ("tcp://host:8786").
    The workers write the shards themselves, so `shards_dir` must be a folder
    every worker reaches under the same path (a shared file system; on one
    machine, any folder). Articles are read here and sent in partitions of
    `partition_size`; at most `max_in_flight` partitions (default: twice the
    workers' threads) are out at once, so memory here stays bounded.
    """
    from distributed import Client, as_completed

    folder = Path(shards_dir).resolve()
    earlier = sorted(folder.glob("part-*.nq")) if folder.is_dir() else []
    if earlier:
        raise FileExistsError(
            f"{folder}: holds {len(earlier)} shard(s) of an earlier run ({earlier[0].name}…); "
            "load them (confkg load) and remove them, or give an empty --shards folder"
        )
    folder.mkdir(parents=True, exist_ok=True)
    client = scheduler if isinstance(scheduler, Client) else Client(str(scheduler))
    own_client = client is not scheduler
    report = ShardReport()
    results: dict[int, dict] = {}
    try:
        threads = sum(client.nthreads().values()) or 1
        limit = max_in_flight or 2 * threads
        running = as_completed()
        partition: list[Article] = []
        index = 0

        def take(done: object) -> None:
            out = done.result()
            results[out["index"]] = out

        def submit() -> None:
            nonlocal partition, index
            future = client.submit(_write_shard, index, partition, str(folder), validate, pure=False)
            running.add(future)
            partition, index = [], index + 1
            while running.count() >= limit:
                take(next(running))

        for item in _articles(paths, report, known, seen=set()):
            partition.append(item)
            if len(partition) >= partition_size:
                submit()
        if partition:
            submit()
        for done in running:
            take(done)
    finally:
        if own_client:
            client.close()
    for i in sorted(results):
        out = results[i]
        report.shards.append(Path(out["path"]))
        report.built.extend(out["built"])
        report.refused.extend(Refusal(*r) for r in out["refused"])
        report.quads += out["quads"]
    return report


def _write_shard(index: int, articles: list[Article], folder: str, validate: bool) -> dict:
    """On a Dask worker: one partition's article graphs as one N-Quads file, refused graphs left out."""
    done = [(a, *process_article(a)) for a in articles]
    found: dict[str, list] = {}
    if validate:
        from confkg.validate import validate_graphs

        found = validate_graphs({a.id: g for a, _, g in done})
    lines: list[str] = []
    built: list[str] = []
    refused: list[tuple[str, str, list[str]]] = []
    for art, _, g in done:
        problems = _violations(found.get(art.id, []))
        if problems:
            refused.append((art.id, art.source or art.id, [str(p) for p in problems]))
            continue
        built.append(art.id)
        lines.extend(_quad_lines(g, iris.article_graph(art.id)))
    path = Path(folder) / f"part-{index:05d}.nq"
    tmp = path.with_name(path.name + ".part")
    tmp.write_text("".join(sorted(lines)), "utf-8")
    tmp.replace(path)  # a shard is either whole or absent
    return {"index": index, "path": str(path), "built": built, "refused": refused, "quads": len(lines)}


def _quad_lines(graph: Graph | TripleSet, name: URIRef) -> list[str]:
    """N-Quads lines of a graph (rdflib's N-Triples writer gives one plain statement a line)."""
    quads = named_quads(ntriples(graph), name)
    if quads is None:
        raise ValueError(f"{name}: its N-Triples hold a line that is not one statement")
    return [f"{line}\n" for line in quads.split("\n") if line]


@dataclass
class LoadReport:
    """What `load_shards` did."""

    files: int = 0
    quads: int = 0  # quads read from the shards (named graphs)
    graphs: int = 0
    replaced: int = 0  # graphs that were in the store already and were replaced
    seconds: float = 0.0


def shard_files(paths: Iterable[str | Path]) -> list[Path]:
    """The N-Quads files under `paths` (files, or folders of `*.nq`), in a stable order."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        out.extend(sorted(p.glob("*.nq")) if p.is_dir() else [p])
    return out


def load_shards(store: KGStore, paths: Iterable[str | Path]) -> LoadReport:
    """Bulk-load N-Quads shards; the default graph stays the set union of the named graphs.

    The graphs a shard holds replace those of the same name in the store. Into
    the embedded store this is Oxigraph's bulk loader (fast, not transactional:
    an interrupted load is redone by loading again); into a remote store,
    batches of INSERT DATA. Afterwards run `update_merged(store)` and the
    linker, as `confkg load` does.
    """
    import time

    import pyoxigraph as ox

    start = time.perf_counter()
    files = shard_files(paths)
    report = LoadReport(files=len(files))
    for f in files:
        if not f.is_file():
            raise FileNotFoundError(f"{f}: no such shard")
    existing = {str(g) for g in store.graph_iris()}
    if existing:
        # graphs that are in the store already are replaced: find them first (a fresh store skips this pass)
        names = {
            str(getattr(q.graph_name, "value", ""))
            for f in files
            for q in ox.parse(path=str(f), format=ox.RdfFormat.N_QUADS)
        }
        present = existing & names
        if present:
            store.remove_graphs([URIRef(g) for g in sorted(present)])
        report.replaced = len(present)
    graphs: set[str] = set()

    if getattr(store, "ox", None) is not None:
        # the named graphs with Oxigraph's own loader (parsing in Rust); then their triples into the union
        for f in files:
            store.ox.bulk_load(path=str(f), format=ox.RdfFormat.N_QUADS)

        def union(path: Path) -> Iterator[ox.Quad]:
            for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
                report.quads += 1
                if isinstance(q.graph_name, ox.NamedNode):
                    graphs.add(q.graph_name.value)
                yield ox.Quad(q.subject, q.predicate, q.object)

        for f in files:
            store.ox.bulk_extend(union(f))
        store.ox.flush()
    else:

        def lines() -> Iterator[tuple[str, str]]:
            for f in files:
                for q in ox.parse(path=str(f), format=ox.RdfFormat.N_QUADS):
                    if not isinstance(q.graph_name, ox.NamedNode):
                        continue  # confkg's shards hold named graphs only; a bare triple has no article behind it
                    graphs.add(q.graph_name.value)
                    yield q.graph_name.value, f"{q.subject} {q.predicate} {q.object} ."

        report.quads = store.load_quads(lines())
    report.graphs = len(graphs)
    report.seconds = time.perf_counter() - start
    return report
