"""`confkg build --jobs N`: worker processes extract and validate, one writer stores, and the graph is the same."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ROOT

from confkg.cli import main
from confkg.pipeline import BuildProgress, build, count_articles
from confkg.store import KGStore
from confkg.validate import validate_graphs

sys.path.insert(0, str(ROOT / "bench"))
import corpus  # noqa: E402  (bench/ is not a package: the benchmark's generator, used here for volume only)

COUNT = 24


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated corpus of modest size, as one .jsonl file."""
    return corpus.write(tmp_path_factory.mktemp("corpus") / "articles.jsonl", COUNT, seed=11)


def _nquads(runner, store: Path) -> list[str]:
    result = runner.invoke(main, ["export", "--format", "nquads", "--store", str(store)])
    assert result.exit_code == 0, result.output
    return sorted(line for line in result.output.splitlines() if line.strip())


def _union(store: Path) -> set[str]:
    with KGStore.open(store, create=False) as s:
        return {" ".join(str(t) for t in row) for row in s.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")}


# `confkg build` as its own process, the workers of its pool asked whether they were forked from
# it: a forked worker sees what the command's process held in memory when it made the pool.
_COMMAND_REPORTING_ITS_POOL = """
import json, sys
import confkg.pipeline as pipeline
made = pipeline.worker_pool

def worker_pool(jobs):
    json.confkg_probe = "the command's memory"
    pool = made(jobs)
    probe = "getattr(__import__('json'), 'confkg_probe', 'a new process')"
    print("worker:", pool.submit(eval, probe).result(), file=sys.stderr)
    return pool

pipeline.worker_pool = worker_pool
from confkg.cli import run
run()
"""


def test_jobs_2_gives_the_same_graph_as_jobs_1(generated: Path, tmp_path: Path, runner) -> None:
    """The command forks its workers before it opens the store (they start with its imports)."""
    import subprocess

    one, two = tmp_path / "one", tmp_path / "two"
    first = runner.invoke(main, ["build", str(generated), "--store", str(one), "--jobs", "1", "--quiet"])
    command = [sys.executable, "-c", _COMMAND_REPORTING_ITS_POOL]
    second = subprocess.run(
        [*command, "build", str(generated), "--store", str(two), "--jobs", "2"],
        capture_output=True,
        text=True,
    )
    assert first.exit_code == 0, first.output
    assert second.returncode == 0, second.stderr
    assert "worker: the command's memory" in second.stderr
    assert f"{COUNT}/{COUNT} articles" in second.stderr  # the progress bar's last state
    assert f"built {COUNT} article(s)" in second.stdout
    quads = _nquads(runner, one)
    assert len(quads) > COUNT * 100
    # the build's loader reads confkg's own graphs leniently: what it stored passes a strict parse
    assert len(list(ox.parse("\n".join(quads).encode(), format=ox.RdfFormat.N_QUADS))) == len(quads)
    assert quads == _nquads(runner, two)  # every named graph, merged and links graphs included
    assert _union(one) == _union(two)  # and the default graph, their union


def test_workers_are_forked_only_from_a_process_running_one_thread() -> None:
    """Forking a process with other threads (an open store's, a progress bar's) can copy a held
    lock into the child: `worker_pool` spawns then."""
    import subprocess

    script = """
import json, threading
from confkg.pipeline import worker_pool
json.confkg_probe = "the parent's memory"
probe = "getattr(__import__('json'), 'confkg_probe', 'a new process')"
with worker_pool(2) as pool:
    alone = [pool.submit(eval, probe).result() for _ in range(4)]
stop = threading.Event()
other = threading.Thread(target=stop.wait)
other.start()
with worker_pool(2) as pool:
    beside_a_thread = [pool.submit(eval, probe).result() for _ in range(4)]
stop.set()
other.join()
print(json.dumps([alone, beside_a_thread]))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    alone, beside_a_thread = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(alone) == {"the parent's memory"}
    assert set(beside_a_thread) == {"a new process"}


def test_a_fork_that_fails_part_of_the_way_leaves_no_worker_behind() -> None:
    """The second fork refused (a limit on processes, say): `worker_pool` raises, and the worker
    forked before it does not keep the process from exiting."""
    import subprocess

    script = """
import os
from confkg.pipeline import worker_pool
forks = []
real_fork = os.fork
def fork():
    forks.append(1)
    if len(forks) == 2:
        raise BlockingIOError(11, "Resource temporarily unavailable")
    return real_fork()
os.fork = fork
try:
    worker_pool(2)
except BlockingIOError as exc:
    print("refused:", exc.strerror)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "refused: Resource temporarily unavailable" in done.stdout


def test_making_a_pool_leaves_what_the_process_froze_frozen() -> None:
    import subprocess

    script = """
import gc, json
from confkg.pipeline import worker_pool
with worker_pool(2) as pool:
    pool.submit(int).result()
alone = gc.get_freeze_count()
gc.freeze()
frozen = gc.get_freeze_count()
with worker_pool(2) as pool:
    pool.submit(int).result()
print(json.dumps([alone, frozen, gc.get_freeze_count()]))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    alone, frozen, after = json.loads(done.stdout.strip().splitlines()[-1])
    assert alone == 0  # frozen for the fork, then thawed
    assert frozen > 10_000 and after > frozen - 1_000  # still frozen (a few died meanwhile), not thawed


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_gazetteer_that_cannot_be_used_is_told_in_one_line(
    tmp_path: Path, runner, monkeypatch, jobs
) -> None:
    import confkg.extract.gazetteer as gazetteer
    import confkg.pipeline as pipeline

    def refused(folder=None):
        raise gazetteer.GazetteerError("places.toml: key 'abu dhabi' is not ...")

    monkeypatch.setattr(gazetteer, "load_gazetteer", refused)
    monkeypatch.setattr(pipeline, "load_gazetteer", refused)
    seeds = ROOT / "seeds" / "articles"
    result = runner.invoke(main, ["build", str(seeds), "--store", str(tmp_path / "s"), "--jobs", jobs, "-q"])
    assert result.exit_code == 2
    assert "confkg: places.toml: key 'abu dhabi'" in result.output
    assert "Traceback" not in result.output


def test_progress_counts_every_article_and_a_rebuild_skips_them_all(generated: Path, tmp_path: Path) -> None:
    seen: list[BuildProgress] = []

    def progress(state: BuildProgress) -> None:
        seen.append(BuildProgress(**vars(state)))

    with KGStore.open(tmp_path / "store") as store:
        report = build([generated], store, validator=validate_graphs, jobs=2, progress=progress, chunk_size=5)
        assert len(report.built) == COUNT and not report.refused and not report.errors
        assert sorted(f.article.id for f in report.facts) == sorted(report.built)  # the workers sent them
        assert [s.done for s in seen] == sorted(s.done for s in seen)  # never goes back
        assert seen[-1].done == COUNT == seen[-1].built
        assert len(seen) >= COUNT // 5  # one call per chunk at least
        again = build([generated], store, validator=validate_graphs, jobs=2, keep_facts=False)
    assert len(again.unchanged) == COUNT and not again.built


def test_refusals_and_duplicates_are_the_same_with_two_jobs(tmp_path: Path) -> None:
    rows = [dict(a) for a in corpus.articles(6, seed=3)]
    rows.append(dict(rows[0]))  # the same id twice in one batch: an error, as with one job
    source = tmp_path / "dup.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")

    def refuse_second(graphs):  # a lambda-like validator that cannot be pickled runs in the parent
        return {k: (["refused on purpose"] if k == rows[1]["id"] else []) for k in graphs}

    reports = []
    for jobs in (1, 2):
        with KGStore.open(tmp_path / f"store{jobs}") as store:
            reports.append(build([source], store, validator=refuse_second, jobs=jobs, chunk_size=2))
    one, two = reports
    assert [r.article_id for r in one.refused] == [r.article_id for r in two.refused] == [rows[1]["id"]]
    assert [str(e) for e in one.errors] == [str(e) for e in two.errors]
    assert len(one.errors) == 1 and "duplicate article id" in str(one.errors[0])
    assert one.built == two.built
    assert count_articles([source]) == len(rows)


def test_listing_queries_sort_by_the_whole_name_whatever_shortcut_they_take(
    generated: Path, tmp_path: Path
) -> None:
    """officials.rq and recommendations.rq sort by a seven-letter prefix before the whole string
    (cheaper on Oxigraph); the order must be the plain sort's, on a corpus with many ties."""
    queries = ROOT / "queries"
    with KGStore.open(tmp_path / "store") as store:
        build([generated], store, keep_facts=False)
        officials = [
            (int(r.articles), str(r.official))
            for r in store.query((queries / "officials.rq").read_text("utf-8"))
        ]
        recommendations = [
            (str(r.conference), str(r.recommendation))
            for r in store.query((queries / "recommendations.rq").read_text("utf-8"))
        ]
    assert len(officials) > 20 and len(recommendations) > 20
    # many names share their first seven letters, so the whole name decides often
    assert len({name[:7] for _, name in officials}) < len(officials)
    assert officials == sorted(officials, key=lambda r: (-r[0], r[1]))
    assert recommendations == sorted(recommendations)


def test_a_prepared_worker_extracts_the_same_with_its_loaded_objects_frozen_for_the_collector() -> None:
    """`prepare_worker` (the `--jobs` workers' initializer, and `confkg build` itself with one
    job) loads the gazetteers and freezes the heap; extraction gives the same graph after it."""
    import subprocess

    script = """
import gc, json, sys
from confkg.ingest import iter_articles
from confkg.pipeline import prepare_worker, process_article
from confkg.store import ntriples
articles = [a for a in iter_articles([sys.argv[1]]) if not hasattr(a, "problem")]
before = [sorted(str(ntriples(process_article(a)[1])).splitlines()) for a in articles]
frozen = gc.get_freeze_count()
prepare_worker()
after = [sorted(str(ntriples(process_article(a)[1])).splitlines()) for a in articles]
print(json.dumps({"frozen_before": frozen, "frozen": gc.get_freeze_count(), "same": before == after}))
"""
    seeds = ROOT / "seeds" / "articles"
    done = subprocess.run(
        [sys.executable, "-c", script, str(seeds)], capture_output=True, text=True, check=True
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["frozen_before"] == 0 and found["frozen"] > 10_000
    assert found["same"]


def test_build_prepares_its_process_once_before_extracting_and_not_when_nothing_is_new(
    tmp_path: Path,
) -> None:
    seeds = ROOT / "seeds" / "articles"
    calls: list[int] = []
    with KGStore.open(tmp_path / "store") as store:
        build([seeds], store, prepare=lambda: calls.append(1), batch_size=2)
        assert calls == [1]
        build([seeds], store, prepare=lambda: calls.append(2))  # every article unchanged
        assert calls == [1]


def test_the_confkg_command_freezes_its_own_process_and_not_a_caller_s(tmp_path: Path, runner) -> None:
    import gc
    import subprocess

    seeds = ROOT / "seeds" / "articles"
    before = gc.get_freeze_count()
    result = runner.invoke(main, ["build", str(seeds), "--store", str(tmp_path / "in-process"), "-q"])
    assert result.exit_code == 0, result.output
    assert gc.get_freeze_count() == before  # the test's own process is left alone
    script = (
        "import atexit, gc\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count()))\n"
        "from confkg.cli import run\n"
        "run()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "build", str(seeds), "--store", str(tmp_path / "own"), "-q"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip().splitlines()[-1].split()[1]) > 10_000
