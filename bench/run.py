"""`make bench`: measures confkg on this machine, side by side with rdflib's in-memory store, in one run.

Writes bench/results/latest.json (the figures) and bench/results/latest.md (the
same figures next to the targets of issue 7, printed too). Every corpus comes
from bench/corpus.py with a fixed seed. Sizes are chosen to fit 15 minutes on a
2-core machine; `--quick` shrinks them for a smoke run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
QUERIES = sorted((ROOT / "queries").glob("*.rq"))
SEED = 7

TARGETS = {
    "extract": 300.0,  # articles per second on one core
    "build2": 100.0,  # articles per second on two cores, the whole build
    "query_ms": 50.0,  # median per example query on ~1M triples
    "speedup": 10.0,  # times faster than rdflib in memory
    "rss_100k_mb": 1024.0,  # peak memory of a 100k-article build
}


@dataclass
class Sizes:
    extract: int = 250  # articles timed for extraction alone
    extract_runs: int = 3  # new processes per mode; the best counts
    build: int = 300  # articles per whole build (1 and 2 processes)
    build_runs: int = 3  # new processes per process count; the best counts
    store_quads: int = 1_000_000  # the query store, replicated from the build's graphs
    rss: tuple[int, int] = (200, 5000)  # two corpus sizes for peak memory
    validate: int = 40  # article graphs for the SHACL comparison
    query_runs: int = 21  # timed runs per query on the Oxigraph store (after one warm-up)
    rdflib_budget_s: float = 240.0  # wall time the rdflib baseline may take, load included
    rdflib_quads: int = 1_000_000  # store size for the rdflib baseline (capped if smaller than the store)


QUICK = Sizes(extract=20, extract_runs=1, build=24, build_runs=1, store_quads=60_000, rss=(20, 60), validate=8, query_runs=5,
              rdflib_budget_s=60.0, rdflib_quads=60_000)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes: checks the benchmark runs, measures nothing"
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="folder for latest.json and latest.md (default bench/results, bench/results/quick)",
    )
    parser.add_argument(
        "--memory",
        type=int,
        metavar="N",
        help="only the peak memory of one `confkg build --jobs 2` of N generated articles, sampled "
        "through the build (100000: about 50 minutes on 2 cores); writes memory-N.json and prints it",
    )
    parser.add_argument("--rss-child", nargs=2, metavar=("CORPUS", "STORE"), help=argparse.SUPPRESS)
    parser.add_argument("--extract-child", nargs=2, metavar=("CORPUS", "MODE"), help=argparse.SUPPRESS)
    parser.add_argument("--build-child", nargs=3, metavar=("CORPUS", "STORE", "JOBS"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--rdflib-child", nargs=3, metavar=("NQUADS", "OUT", "BUDGET"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.extract_child:
        if args.extract_child[1] not in ("prepared", "plain"):
            parser.error("--extract-child CORPUS prepared|plain")
        print(extract_child(Path(args.extract_child[0]), prepared=args.extract_child[1] == "prepared"))
        return 0
    if args.build_child:
        corpus_file, store_dir, jobs = args.build_child
        print(json.dumps(whole_build(Path(corpus_file), Path(store_dir), jobs=int(jobs))))
        return 0
    if args.rss_child:
        return rss_child(Path(args.rss_child[0]), Path(args.rss_child[1]))
    if args.rdflib_child:
        return rdflib_child(
            Path(args.rdflib_child[0]), Path(args.rdflib_child[1]), float(args.rdflib_child[2])
        )
    if args.memory:
        return memory_only(args.memory, args.out or RESULTS)
    sizes = QUICK if args.quick else Sizes()
    out = args.out or (RESULTS / "quick" if args.quick else RESULTS)  # a smoke run keeps the real figures
    with tempfile.TemporaryDirectory(prefix="confkg-bench-") as tmp:
        figures, notes = run(sizes, Path(tmp))
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", "utf-8")
    table = markdown(figures, notes, sizes)
    (out / "latest.md").write_text(table, "utf-8")
    print(table)
    return 0


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(sizes: Sizes, tmp: Path) -> tuple[dict, dict]:
    import corpus

    notes: dict = {"machine": machine()}
    started = time.perf_counter()
    biggest = max(sizes.build, sizes.extract, *sizes.rss)
    jsonl = corpus.write(tmp / "corpus.jsonl", biggest, seed=SEED)
    subset = {n: _head(jsonl, tmp / f"corpus-{n}.jsonl", n) for n in {sizes.build, sizes.extract, *sizes.rss}}
    kb = [len(json.loads(line)["text"].encode()) / 1024 for line in jsonl.read_text("utf-8").splitlines()]
    notes["corpus"] = (
        f"{biggest} generated articles, {min(kb):.1f}–{max(kb):.1f} KB (mean {statistics.mean(kb):.1f} KB)"
    )

    say(f"extraction alone: {sizes.extract} articles on one core")
    extract_rates, notes["extract_runs"] = extraction_rates(subset[sizes.extract], runs=sizes.extract_runs)

    build_rate: dict[str, float] = {}
    stores: dict[str, Path] = {}
    for jobs in (1, 2):
        say(f"whole build: {sizes.build} articles, {jobs} process(es)")
        stores[str(jobs)] = tmp / f"store-j{jobs}"
        build_rate[str(jobs)], detail = whole_builds(
            subset[sizes.build], stores[str(jobs)], jobs=jobs, runs=sizes.build_runs
        )
        notes[f"build{jobs}"] = detail
    notes["jobs_equal"] = same_dataset(stores["1"], stores["2"])

    say("the query store: replicating article graphs into N-Quads shards, then bulk loading")
    big = tmp / "store-big"
    load = bulk_load(stores["1"], big, tmp / "shards", target_quads=sizes.store_quads)
    notes["load"] = load

    say("SPARQL latency on the Oxigraph store")
    medians, p95 = oxigraph_latency(big, runs=sizes.query_runs)

    say("the same queries with rdflib in memory (subprocess)")
    baseline = rdflib_latency(big, tmp, sizes)
    notes["rdflib"] = baseline

    say(f"SHACL: {sizes.validate} article graphs one call each versus one call")
    validation = validate_figures(stores["1"], sizes.validate)
    notes["validate"] = validation

    rss: dict[str, float] = {}
    for n in sizes.rss:
        say(f"peak memory of a build of {n} articles (subprocess, 2 processes)")
        rss[str(n)], notes[f"rss{n}"] = peak_rss(subset[n], tmp / f"store-rss-{n}", keep=True)
    big_store, added = tmp / f"store-rss-{max(sizes.rss)}", 10
    say(f"adding {added} articles to the store of {max(sizes.rss)} (confkg build, a new process)")
    incremental = incremental_build(big_store, tmp / "added.jsonl", start=max(sizes.rss), count=added)
    notes["seconds"] = round(time.perf_counter() - started, 1)

    figures = {
        "extract_articles_per_s": round(extract_rates["prepared"], 2),
        "extract_plain_process_articles_per_s": round(extract_rates["plain"], 2),
        "build_articles_per_s": {k: round(v, 2) for k, v in build_rate.items()},
        "load_triples_per_s": round(load["triples_per_s"], 0),
        "store_triples": load["store_quads"],
        "query_median_ms": medians,
        "rdflib_memory_query_median_ms": baseline["median_ms"],
        "query_p95_ms": p95,
        "validate_ms_per_article": validation["validate_ms_per_article"],
        "validate_whole_graph_ms": validation["validate_whole_graph_ms"],
        "peak_rss_mb": rss,
        "incremental_build": incremental,
    }
    return figures, notes


def incremental_build(store_dir: Path, articles_file: Path, *, start: int, count: int) -> dict:
    """`confkg build` of `count` new articles into a store of `start` built ones, run as a user runs
    it (a new process, the summary printed), then the same command again with nothing new."""
    import corpus

    with articles_file.open("w", encoding="utf-8") as out:
        for article in corpus.articles(count, seed=SEED, start=start):  # the ids after the store's
            out.write(json.dumps(article, ensure_ascii=False) + "\n")
    command = [sys.executable, "-c", "from confkg.cli import run; run()", "build", str(articles_file)]
    seconds = []
    for _ in range(2):
        began = time.perf_counter()
        proc = subprocess.run([*command, "--store", str(store_dir)], capture_output=True, text=True)
        seconds.append(round(time.perf_counter() - began, 1))
        if proc.returncode not in (0, 1):  # 1: an article refused, which the figure survives
            raise RuntimeError(f"the incremental build failed (exit {proc.returncode}): {proc.stderr[-500:]}")
    return {"store_articles": start, "added": count, "seconds": seconds[0], "rerun_seconds": seconds[1]}


def memory_only(count: int, out: Path) -> int:
    """`--memory N`: the peak of one build of N articles, with the memory every 30 s on the way."""
    import corpus

    with tempfile.TemporaryDirectory(prefix="confkg-bench-") as tmp:
        say(f"generating {count} articles")
        jsonl = corpus.write(Path(tmp) / "corpus.jsonl", count, seed=SEED)
        say(f"peak memory of a build of {count} articles (subprocess, 2 processes)")
        peak, detail = peak_rss(jsonl, Path(tmp) / "store", every_s=30.0)
    result = {"articles": count, "peak_rss_mb": peak, **detail, "machine": machine(), "seed": SEED}
    out.mkdir(parents=True, exist_ok=True)
    (out / f"memory-{count}.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(json.dumps(result, indent=2))
    return 0


def _head(src: Path, dst: Path, n: int) -> Path:
    with src.open("rb") as fh, dst.open("wb") as out:
        for i, line in enumerate(fh):
            if i >= n:
                break
            out.write(line)
    return dst


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} CPU ({cpu}), {mem:.0f} GiB RAM, Python {platform.python_version()}"


# -- extraction and builds --------------------------------------------------------------------------


def extraction_rates(corpus_file: Path, *, runs: int) -> tuple[dict[str, float], dict[str, list[float]]]:
    """Extraction alone, each run in a new process: "prepared" as `confkg build` and its `--jobs`
    workers run it (`confkg.pipeline.prepare_worker`: gazetteers loaded, the heap frozen for the
    garbage collector), and "plain", a Python process that only imports confkg.

    The two alternate `runs` times and the best of each counts: on a shared machine other
    tenants only ever slow a run (one run of the same code measured 176 and another 338
    articles/s). Every run's figure is kept in the notes.
    """
    every: dict[str, list[float]] = {"prepared": [], "plain": []}
    for _ in range(runs):
        for mode in every:
            done = subprocess.run(
                [sys.executable, str(Path(__file__)), "--extract-child", str(corpus_file), mode],
                capture_output=True,
                text=True,
                check=True,
            )
            every[mode].append(round(float(done.stdout.strip().splitlines()[-1]), 1))
    return {mode: max(rates) for mode, rates in every.items()}, every


def extract_child(corpus_file: Path, *, prepared: bool) -> float:
    from confkg.ingest import iter_articles
    from confkg.pipeline import prepare_worker

    if prepared:
        prepare_worker()  # before the articles: a worker receives them after its start-up
    articles = [a for a in iter_articles([corpus_file]) if not hasattr(a, "problem")]
    return extraction_rate(articles)


def extraction_rate(articles: list) -> float:
    """Articles per second of `extract` alone (no graph, no store) in this one process."""
    from confkg.extract import extract, load_gazetteer

    gaz = load_gazetteer()
    for a in articles[:3]:
        extract(a, gazetteer=gaz)  # warm caches: the gazetteer's indexes are built once per process
    start = time.perf_counter()
    for a in articles:
        extract(a, gazetteer=gaz)
    return len(articles) / (time.perf_counter() - start)


def whole_builds(source: Path, store_dir: Path, *, jobs: int, runs: int) -> tuple[float, dict]:
    """`whole_build` in `runs` new processes, the best rate counting (other tenants of a shared
    machine only ever slow a run); every run's rate is in the detail. The last run's store stays."""
    rates, best = [], None
    for _ in range(runs):
        shutil.rmtree(store_dir, ignore_errors=True)
        done = subprocess.run(
            [sys.executable, str(Path(__file__)), "--build-child", str(source), str(store_dir), str(jobs)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the {jobs}-process build of {source} failed: {done.stderr[-2000:]}")
        rate, detail = json.loads(done.stdout.strip().splitlines()[-1])
        rates.append(round(rate, 1))
        if best is None or rate > best[0]:
            best = (rate, detail)
    rate, detail = best
    return rate, detail | {"runs": rates}


def whole_build(source: Path, store_dir: Path, *, jobs: int) -> tuple[float, dict]:
    """What `confkg build --jobs N` does: extract, validate, store, merge, link; articles per second.

    As the command does it (`confkg.cli.build`), once its modules are imported: with several
    jobs the workers come first (`workers_for`, forked before the store opens), with one the
    process is readied by `prepare_worker` before its first article. Run in a new process
    (`--build-child`): the figures do not depend on what the benchmark process did before.
    """
    from confkg.link import link_offline
    from confkg.pipeline import build, can_fork, prepare_worker, workers_for
    from confkg.resolve.merge import update_merged
    from confkg.store import KGStore
    from confkg.validate import validate_graphs

    def cpu(who: int) -> float:
        usage = resource.getrusage(who)
        return usage.ru_utime + usage.ru_stime

    start = time.perf_counter()
    writer_cpu, workers_cpu = cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN)
    # whether the workers could be forked (one thread here), as `worker_pool` decides: an import that
    # started a thread would make them spawned, and the figure is then not the command's
    workers = ("forked" if can_fork() else "spawned") if jobs > 1 else None
    pool = workers_for(jobs)  # as the command: gazetteers loaded, workers forked, before the store opens
    try:
        with KGStore.open(store_dir) as store:
            report = build(
                [source], store, validator=validate_graphs, jobs=jobs, keep_facts=False,
                prepare=prepare_worker, pool=pool,
            )  # fmt: skip
            stored = time.perf_counter()
            if pool is not None:
                pool.shutdown()  # as the command does before the merge; the workers' CPU counts once they have ended
                pool = None
            # the writer's CPU (its threads, the bulk loader's among them) and the workers'
            writer_cpu, workers_cpu = (
                cpu(resource.RUSAGE_SELF) - writer_cpu,
                cpu(resource.RUSAGE_CHILDREN) - workers_cpu,
            )
            update_merged(store, subjects=report.touched)
            link_offline(store, subjects=report.relink)
            quads = len(store)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    seconds = time.perf_counter() - start
    n = len(report.built) + len(report.refused)
    return n / seconds, {
        "articles": n,
        "refused": len(report.refused),
        "seconds": round(seconds, 1),
        "merge_link_seconds": round(seconds - (stored - start), 1),
        "writer_cpu_ms_per_article": round(1000 * writer_cpu / max(1, n), 2),
        "workers_cpu_ms_per_article": round(1000 * workers_cpu / max(1, n), 2),
        "quads": quads,
        "workers": workers,
    }


def same_dataset(a: Path, b: Path) -> bool:
    """Whether two stores hold the same quads (named graphs and the union)."""
    import pyoxigraph as ox

    def quads(path: Path) -> set[str]:
        store = ox.Store.read_only(str(path))
        return {str(q) for q in store}

    return quads(a) == quads(b)


# -- bulk load and queries --------------------------------------------------------------------------


def bulk_load(source: Path, target: Path, shards: Path, *, target_quads: int = 1_000_000) -> dict:
    """Replicate the built article graphs under fresh article ids into N-Quads shards, then `load_shards`.

    The copies keep the shared entities' IRIs (conferences, places, bodies), as
    many articles about the same conferences would; what is the article's own
    (its node, its evidence sentences, its graph) gets the new id.
    """
    from confkg.link import link_offline
    from confkg.pipeline import load_shards
    from confkg.resolve import iris
    from confkg.resolve.merge import update_merged
    from confkg.store import KGStore

    with KGStore.open(source, create=False) as store:
        graphs = {g: store.graph(g).serialize(format="nt") for g in store.article_graph_iris()}
        ratio = len(store) / max(1, sum(text.count("\n") for text in graphs.values()))
    base = str(iris.article_graph(""))
    per_round = sum(text.count("\n") for text in graphs.values())
    # a copy adds its named quads and, to the union, only what is new: between 1x and `ratio`x
    rounds = max(1, math.ceil(target_quads / (per_round * (1 + ratio) / 2)))
    shards.mkdir(parents=True, exist_ok=True)
    files = []
    for r in range(rounds):
        path = shards / f"part-{r:05d}.nq"
        with path.open("w", encoding="utf-8") as out:
            for graph, text in graphs.items():
                aid = graph[len(base) :]
                new = f"{aid}r{r:04d}"
                name = f" <{base}{new}> .\n"
                for line in text.replace(aid, new).splitlines():
                    if line.endswith(" ."):
                        out.write(line[:-2] + name)
        files.append(path)
    with KGStore.open(target) as store:
        report = load_shards(store, files)
        loaded = len(store)
        start = time.perf_counter()
        update_merged(store)
        link_offline(store)
        merge_seconds = time.perf_counter() - start
        total = len(store)
    return {
        "rounds": rounds,
        "articles": rounds * len(graphs),
        "named_quads": report.quads,
        "store_quads": total,
        "seconds": round(report.seconds, 2),
        "triples_per_s": loaded / report.seconds,
        "merge_link_seconds": round(merge_seconds, 1),
    }


def _timed(run: Callable[[], object], runs: int, budget_s: float) -> list[float]:
    run()  # the first query pays for parsing caches and cold pages
    times: list[float] = []
    deadline = time.perf_counter() + budget_s
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
        if time.perf_counter() > deadline:
            break
    return times


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def oxigraph_latency(store_dir: Path, *, runs: int) -> tuple[dict, dict]:
    """Median and p95 ms of each example query through KGStore.query (rows materialised, as users get them)."""
    from confkg.store import KGStore

    medians, p95 = {}, {}
    with KGStore.open(store_dir, create=False) as store:
        for q in QUERIES:
            text = q.read_text("utf-8")
            times = _timed(lambda text=text: list(store.query(text)), runs, budget_s=30.0)
            medians[q.stem] = round(statistics.median(times), 2)
            p95[q.stem] = round(_p95(times), 2)
    return medians, p95


def rdflib_latency(store_dir: Path, tmp: Path, sizes: Sizes) -> dict:
    """rdflib's in-memory Dataset on the same named graphs (default graph = their union), in a subprocess."""
    from confkg.store import KGStore

    nq = tmp / "store.nq"
    with KGStore.open(store_dir, create=False) as store, nq.open("wb") as fh:
        store.export("nquads", fh)
    out = tmp / "rdflib.json"
    cmd = [
        sys.executable,
        str(Path(__file__)),
        "--rdflib-child",
        str(nq),
        str(out),
        str(sizes.rdflib_budget_s),
    ]
    try:
        subprocess.run(cmd, check=True, timeout=sizes.rdflib_budget_s + 120)
    except subprocess.TimeoutExpired:
        pass  # what finished is in `out`; the rest is reported as not measured
    if out.exists():
        return json.loads(out.read_text("utf-8"))
    return {"median_ms": {}, "load_s": None, "quads": None, "runs": {}}


def rdflib_child(nq: Path, out: Path, budget_s: float) -> int:
    from rdflib import Dataset

    deadline = time.perf_counter() + budget_s
    result: dict = {"median_ms": {}, "runs": {}}
    start = time.perf_counter()
    ds = Dataset(default_union=True)
    ds.parse(str(nq), format="nquads")
    result["load_s"] = round(time.perf_counter() - start, 1)
    result["quads"] = len(ds)
    out.write_text(json.dumps(result), "utf-8")
    for q in QUERIES:
        # every query runs once even past the budget (on a slow machine the first ones spend it,
        # and the last had no figure); the caller's timeout still ends a query that never finishes
        text = q.read_text("utf-8")
        times = []
        for _ in range(3):  # rdflib takes seconds a query here: three runs at most, no warm-up
            t = time.perf_counter()
            list(ds.query(text))
            times.append((time.perf_counter() - t) * 1000)
            if time.perf_counter() > deadline or times[-1] > 20_000:
                break
        result["median_ms"][q.stem] = round(statistics.median(times), 1)
        result["runs"][q.stem] = len(times)
        out.write_text(json.dumps(result), "utf-8")  # partial results survive a timeout
    return 0


# -- validation and memory --------------------------------------------------------------------------


def validate_figures(store_dir: Path, count: int) -> dict:
    from confkg.store import KGStore
    from confkg.validate.bench import measure

    with KGStore.open(store_dir, create=False) as store:
        names = store.article_graph_iris()[:count]
        graphs = {str(g).rsplit("/", 1)[-1]: store.graph(g) for g in names}
    return measure(graphs, repeat=1)


def peak_rss(
    corpus_file: Path, store_dir: Path, *, every_s: float | None = None, keep: bool = False
) -> tuple[float, dict]:
    """Peak RSS (MiB) of `confkg build --jobs 2` in a fresh process: writer and workers together.

    The process tree's resident memory is sampled every 50 ms from /proc and summed, so the
    figure is what the build held at its worst moment (a sum of each process's own peak, as
    getrusage gives, adds peaks that never happen together). With `every_s`, the detail also
    has a timeline: [seconds, MiB in all, the writer's MiB] at that interval.
    """
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__)), "--rss-child", str(corpus_file), str(store_dir)],
        stdout=subprocess.PIPE,
        text=True,
    )
    peak = {"total": 0, "writer": 0, "worker": 0}
    timeline: list[list[float]] = []
    start = next_mark = time.perf_counter()
    while proc.poll() is None:
        tree = _tree_rss_kb(proc.pid)
        if tree:
            peak["total"] = max(peak["total"], sum(tree.values()))
            peak["writer"] = max(peak["writer"], tree.get(proc.pid, 0))
            peak["worker"] = max([peak["worker"], *(kb for pid, kb in tree.items() if pid != proc.pid)])
            if every_s is not None and time.perf_counter() >= next_mark:
                now = time.perf_counter() - start
                timeline.append(
                    [round(now), round(sum(tree.values()) / 1024), round(tree.get(proc.pid, 0) / 1024)]
                )
                next_mark += every_s
        time.sleep(0.05)
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"the peak-memory build of {corpus_file} failed (exit {proc.returncode})")
    detail = json.loads(out.strip().splitlines()[-1])
    if not keep:
        shutil.rmtree(store_dir, ignore_errors=True)
    detail |= {f"{k}_mb": round(v / 1024, 1) for k, v in peak.items() if k != "total"}
    if every_s is not None:
        detail["timeline"] = timeline
    return round(peak["total"] / 1024, 1), detail


def _tree_rss_kb(root: int) -> dict[int, int]:
    """Resident memory (KiB) of a process and all its descendants, read from /proc (Linux)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        parents[int(stat.parent.name)] = int(fields[1])
    tree, todo = {root}, [root]
    while todo:
        pid = todo.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                todo.append(child)
    rss: dict[int, int] = {}
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss[pid] = int(line.split()[1])
        except OSError:
            continue
    return rss


def rss_child(corpus_file: Path, store_dir: Path) -> int:
    from confkg.cli import main as cli

    start = time.perf_counter()
    try:
        cli(
            ["build", str(corpus_file), "--store", str(store_dir), "--jobs", "2", "--quiet"],
            standalone_mode=False,
        )
    except SystemExit as exc:  # a refused article exits 1; the memory figure still stands
        if exc.code not in (0, 1, None):
            raise
    seconds = time.perf_counter() - start
    disk = sum(f.stat().st_size for f in store_dir.rglob("*") if f.is_file())
    print(json.dumps({"seconds": round(seconds, 1), "store_mb_on_disk": round(disk / 2**20, 1)}))
    return 0


# -- the table --------------------------------------------------------------------------------------


def _measured_100k() -> list[str]:
    """The table row of the last `make bench-memory` at 100,000 articles, when there is one."""
    path = RESULTS / "memory-100000.json"
    if not path.exists():
        return []
    m = json.loads(path.read_text("utf-8"))
    mb = m["peak_rss_mb"]
    return [
        f"| peak memory of a 100k-article build, measured (`make bench-memory`, {path.name}: "
        f"{m['seconds'] / 60:.0f} min, {m['store_mb_on_disk'] / 1024:.1f} GB on disk) | {mb:,.0f} MiB "
        f"(writer {m['writer_mb']:,.0f}, each worker ≤ {m['worker_mb']:,.0f}) | < 1,024 MiB "
        f"| {_mark(mb < TARGETS['rss_100k_mb'])} |"
    ]


def _incremental_row(fig: dict) -> list[str]:
    inc = fig.get("incremental_build")
    if not inc:
        return []
    return [
        f"| `confkg build` of {inc['added']} new articles into the store of {inc['store_articles']:,} "
        f"(a new process, summary printed) | {inc['seconds']} s; the same command again, nothing new: "
        f"{inc['rerun_seconds']} s | follows the articles added, not the store | |"
    ]


def _mark(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**missed**")


def markdown(fig: dict, notes: dict, sizes: Sizes) -> str:
    small, big = (str(n) for n in sizes.rss)
    rss_small, rss_big = fig["peak_rss_mb"][small], fig["peak_rss_mb"][big]
    slope = (rss_big - rss_small) / (int(big) - int(small))
    rss_100k = rss_small + slope * (100_000 - int(small))
    lines = [
        "# confkg benchmark",
        "",
        f"Machine: {notes['machine']}. Corpus: {notes['corpus']} (bench/corpus.py, seed {SEED}). "
        f"Whole run: {notes['seconds']} s.",
        "",
        "| figure | measured | target (issue 7) | |",
        "|---|---|---|---|",
        f"| extraction alone, one core ({sizes.extract} articles; best of {sizes.extract_runs} new "
        f"process{'es' if sizes.extract_runs > 1 else ''} prepared as the build's are: `prepare_worker`) "
        f"| {fig['extract_articles_per_s']} articles/s "
        f"(a plain process: {fig.get('extract_plain_process_articles_per_s', '–')}) "
        f"| ≥ {TARGETS['extract']:.0f} articles/s | {_mark(fig['extract_articles_per_s'] >= TARGETS['extract'])} |",
        f"| whole build (extract, validate, store, merge, link), 1 process, {notes['build1']['articles']} articles; "
        f"best of {len(notes['build1'].get('runs', [0]))} new process(es), as `confkg build` runs it "
        f"| {fig['build_articles_per_s']['1']} articles/s | – | |",
        f"| whole build, 2 processes | {fig['build_articles_per_s']['2']} articles/s "
        f"| ≥ {TARGETS['build2']:.0f} articles/s | {_mark(fig['build_articles_per_s']['2'] >= TARGETS['build2'])} |",
        f"| `--jobs 2` gives the same dataset as `--jobs 1` | {'yes' if notes['jobs_equal'] else '**no**'} | same graph "
        f"| {_mark(notes['jobs_equal'])} |",
        f"| bulk load (`confkg load` of {notes['load']['rounds']} N-Quads shards) | "
        f"{fig['load_triples_per_s']:,.0f} quads/s into the store | – | |",
        f"| query store | {fig['store_triples']:,} quads ({notes['load']['articles']:,} article graphs; "
        f"named graphs + their union) | about 1 million | |",
    ]
    base = notes["rdflib"]
    for q in fig["query_median_ms"]:
        med, p95 = fig["query_median_ms"][q], fig["query_p95_ms"][q]
        ref = fig["rdflib_memory_query_median_ms"].get(q)
        speed = f"{ref / med:,.0f}×" if ref and med else "not measured"
        ok_speed = (ref / med >= TARGETS["speedup"]) if ref and med else None
        lines.append(
            f"| query `{q}.rq`: median / p95 (Oxigraph), rdflib in memory | {med} ms / {p95} ms; "
            f"rdflib {ref if ref is not None else '–'} ms ({speed} faster) "
            f"| < {TARGETS['query_ms']:.0f} ms; ≥ {TARGETS['speedup']:.0f}× rdflib "
            f"| {_mark(med < TARGETS['query_ms'])}; {_mark(ok_speed)} |"
        )
    v = notes["validate"]
    lines += [
        f"| SHACL, {v['articles']} article graphs, one validate_graphs call each | {fig['validate_ms_per_article']} ms "
        f"per article | – | |",
        f"| SHACL, the same graphs in one call | {fig['validate_whole_graph_ms']} ms in all "
        f"({v['validate_whole_graph_ms_per_article']} ms per article; plain pyshacl per article: "
        f"{v['pyshacl_plain_ms_per_article']} ms) | batch cheaper than per article "
        f"| {_mark(v['validate_whole_graph_ms_per_article'] < fig['validate_ms_per_article'])} |",
        f"| peak memory of a build, {small} articles (`--jobs 2`: writer and 2 workers together, sampled) | {rss_small} MiB | – | |",
        f"| peak memory of a build, {big} articles | {rss_big} MiB | – | |",
        f"| peak memory of a 100k-article build, extrapolated linearly from the two | {rss_100k:,.0f} MiB "
        f"({slope * 1000:+.1f} MiB per 1,000 articles) | < 1,024 MiB | {_mark(rss_100k < TARGETS['rss_100k_mb'])} |",
        *_measured_100k(),
        *_incremental_row(fig),
        "",
        "Notes",
        "",
        f"- Extraction alone, articles/s in each new process (best counts): {notes['extract_runs']}.",
        f"- Builds (the best run of each): 1 process {notes['build1']['seconds']} s, 2 processes "
        f"{notes['build2']['seconds']} s for "
        f"{notes['build1']['articles']} articles ({notes['build1']['refused']} refused); merge and offline linking "
        f"took {notes['build1']['merge_link_seconds']} s and {notes['build2']['merge_link_seconds']} s of that. "
        f"CPU per article before the merge: 1 process {notes['build1'].get('writer_cpu_ms_per_article', '?')} ms; "
        f"2 processes, the writer {notes['build2'].get('writer_cpu_ms_per_article', '?')} ms (its threads, the bulk "
        f"loader's among them) and the workers {notes['build2'].get('workers_cpu_ms_per_article', '?')} ms together "
        f"(start-up included; the workers {notes['build2'].get('workers') or '?'}). Every run, articles/s: 1 process "
        f"{', '.join(map(str, notes['build1'].get('runs', [])))}; 2 processes "
        f"{', '.join(map(str, notes['build2'].get('runs', [])))}.",
        f"- Query store: {notes['load']['articles']:,} article graphs made by copying {notes['build1']['articles']} built "
        f"graphs under fresh article ids ({notes['load']['named_quads']:,} named-graph quads), bulk-loaded in "
        f"{notes['load']['seconds']} s; the merged graph and the links then took {notes['load']['merge_link_seconds']} s.",
        f"- rdflib baseline: the same named graphs exported as N-Quads and parsed into `rdflib.Dataset(default_union=True)` "
        f"({base.get('quads') or '?'} triples in its default graph, the union; {base.get('load_s') or '?'} s to load); at most 3 runs per query "
        f"(runs: {base.get('runs')}), one only once {sizes.rdflib_budget_s:.0f} s are spent; a query without a figure "
        f"did not finish before the child's timeout ({sizes.rdflib_budget_s + 120:.0f} s).",
        f"- Peak memory: {', '.join(f'{n}: ' + json.dumps(notes[f'rss{n}']) for n in sizes.rss)}. The store is on "
        "disk (RocksDB), not in these figures beyond its caches. The processes' resident memory is sampled every "
        "50 ms and summed; writer_mb and worker_mb are each process's own peak.",
        "- p95 over the timed runs after one warm-up run; medians likewise.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    sys.exit(main())
