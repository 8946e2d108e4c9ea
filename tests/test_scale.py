"""Past one machine: Dask shards and their bulk load, and SPARQL servers (Oxigraph, Virtuoso) as the store.

Each path builds the samples and must answer the example queries in queries/
exactly as the embedded store built directly does.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS

from confkg.cli import main
from confkg.store import KGStore
from confkg.store.remote import RemoteStore

pytestmark = pytest.mark.scale

QUERIES = sorted((ROOT / "queries").glob("*.rq"))


def _answers(store: object) -> dict[str, list[tuple]]:
    """Every example query's rows as strings, sorted (engines order ties differently)."""
    out = {}
    for q in QUERIES:
        result = store.query(q.read_text("utf-8"))
        names = [str(v) for v in result.vars]
        rows = [tuple(_cell(name, v) for name, v in zip(names, row, strict=True)) for row in result]
        out[q.stem] = sorted(rows, key=lambda r: tuple("" if v is None else v for v in r))
    return out


def _cell(name: str, value: object) -> str | None:
    if value is None:
        return None
    if name.endswith("_ids"):
        return " ".join(sorted(str(value).split()))  # a GROUP_CONCAT: SPARQL leaves its order to the engine
    return str(value)


@pytest.fixture(scope="module")
def expected(seed_store_dir: Path) -> dict[str, list[tuple]]:
    with KGStore.open(seed_store_dir, create=False) as store:
        answers = _answers(store)
    assert all(answers.values()), "every example query answers something on the samples"
    return answers


def _same_as(store: object) -> set[tuple[str, str]]:
    """The owl:sameAs links the build's offline linking wrote (it reads every entity of the store)."""
    from rdflib import OWL

    from confkg.namespaces import LINKS_GRAPH

    return {(str(s), str(o)) for s, _, o in store.graph(LINKS_GRAPH).triples((None, OWL.sameAs, None))}


@pytest.fixture(scope="module")
def expected_links(seed_store_dir: Path) -> set[tuple[str, str]]:
    with KGStore.open(seed_store_dir, create=False) as store:
        links = _same_as(store)
    assert len(links) >= 5, "the samples name Interpol, Morocco, France, Lyon, Marrakesh…"
    return links


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, proc: subprocess.Popen, *, seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited ({proc.returncode}): {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail(
        f"the server did not answer at {url} within {seconds} s: {log.read_text(errors='replace')[-2000:]}"
    )


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# -- Dask ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    distributed = pytest.importorskip("distributed", reason="dask.distributed is the 'scale' extra")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    ) as local:
        yield local


def test_dask_shards_loaded_answer_like_the_embedded_store(
    cluster, expected, seed_store_dir, tmp_path, runner
):
    shards, store = tmp_path / "shards", tmp_path / "store"
    # the store the shards are for (a build skips what it holds already): not the folder's confkg-data
    built = runner.invoke(
        main,
        [
            "build",
            str(SEEDS),
            "--dask",
            cluster.scheduler_address,
            "--shards",
            str(shards),
            "--store",
            str(store),
        ],
    )
    assert built.exit_code == 0, built.output
    assert sorted(p.name for p in shards.iterdir()) == ["part-00000.nq"]
    loaded = runner.invoke(main, ["load", str(shards), "--store", str(store)])
    assert loaded.exit_code == 0, loaded.output
    with KGStore.open(store, create=False) as s:
        assert _answers(s) == expected
        assert len(s.article_graph_iris()) == 5
    # and the whole dataset, merged and links graphs included, is the direct build's
    mine = runner.invoke(main, ["export", "--format", "nquads", "--store", str(store)])
    direct = runner.invoke(main, ["export", "--format", "nquads", "--store", str(seed_store_dir)])
    assert sorted(mine.output.splitlines()) == sorted(direct.output.splitlines())


def test_dask_leaves_out_what_the_store_holds_and_refuses_a_folder_of_old_shards(cluster, tmp_path, runner):
    """A second run over a grown folder sends only the changed article to the cluster; shards of
    an earlier run in the folder are not mixed with new ones."""
    folder, shards, again, store = (
        tmp_path / "in",
        tmp_path / "shards",
        tmp_path / "again",
        tmp_path / "store",
    )
    shutil.copytree(SEEDS, folder)
    address = cluster.scheduler_address
    first = runner.invoke(
        main, ["build", str(folder), "--dask", address, "--shards", str(shards), "--store", str(store)]
    )
    assert first.exit_code == 0, first.output
    assert "built 5 article(s)" in first.output and "unchanged" not in first.output  # no store yet
    assert runner.invoke(main, ["load", str(shards), "--store", str(store)]).exit_code == 0
    art = folder / "003_c716a55496f628a4.txt"
    art.write_text(art.read_text("utf-8").replace("ليون", "نيس"), "utf-8")
    refused = runner.invoke(
        main, ["build", str(folder), "--dask", address, "--shards", str(shards), "--store", str(store)]
    )
    assert refused.exit_code != 0 and "earlier run" in refused.output and str(shards) in refused.output
    assert sorted(p.name for p in shards.iterdir()) == ["part-00000.nq"]  # untouched
    with KGStore.open(store, create=False):  # held by another command (a build, serve): read anyway
        second = runner.invoke(
            main, ["build", str(folder), "--dask", address, "--shards", str(again), "--store", str(store)]
        )
    assert second.exit_code == 0, second.output
    assert "built 1 article(s)" in second.output and "4 unchanged" in second.output
    assert f"confkg load {again} --store {store}" in second.output
    shard = (again / "part-00000.nq").read_text("utf-8")
    assert {line.rsplit(" ", 2)[-2] for line in shard.splitlines()} == {
        "<https://w3id.org/confkg/id/graph/003_c716a55496f628a4>"
    }
    forced = runner.invoke(
        main,
        [
            "build",
            str(folder),
            "--dask",
            address,
            "--shards",
            str(tmp_path / "all"),
            "--store",
            str(store),
            "--force",
        ],
    )
    assert forced.exit_code == 0 and "built 5 article(s)" in forced.output
    # an id met twice is an error even where one copy is unchanged in the store
    (folder / "more").mkdir()
    (folder / "more" / "001_68def380e0635f55.txt").write_text(
        "تعديل " * 5 + (SEEDS / "001_68def380e0635f55.txt").read_text("utf-8"), "utf-8"
    )
    twice = runner.invoke(
        main,
        ["build", str(folder), "--dask", address, "--shards", str(tmp_path / "twice"), "--store", str(store)],
    )
    assert twice.exit_code == 1 and "duplicate article id '001_68def380e0635f55'" in twice.output


def test_one_shard_per_partition_and_reloading_replaces(cluster, expected, tmp_path):
    from confkg.pipeline import build_shards, load_shards

    with __import__("distributed").Client(cluster.scheduler_address) as client:
        report = build_shards([SEEDS], tmp_path / "shards", scheduler=client, partition_size=2)
    assert [p.name for p in report.shards] == ["part-00000.nq", "part-00001.nq", "part-00002.nq"]
    assert len(report.built) == 5 and report.ok
    from confkg.link import link_offline
    from confkg.resolve.merge import update_merged

    with KGStore.open(tmp_path / "store") as store:
        first = load_shards(store, report.shards)
        size = len(store)
        again = load_shards(store, [tmp_path / "shards"])  # the same graphs again: replaced, not doubled
        assert (first.graphs, again.replaced, len(store)) == (5, 5, size)
        update_merged(store)
        link_offline(store)
        assert _answers(store) == expected


# -- SPARQL servers as the store -------------------------------------------------------------------


@pytest.fixture()
def oxigraph_server(tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    if binary is None:
        pytest.skip("the Oxigraph server is not installed (pip install oxigraph: the 'scale' extra)")
    port = _free_port()
    log = tmp_path / "oxigraph.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [binary, "serve", "--location", str(tmp_path / "oxdata"), "--bind", f"127.0.0.1:{port}"],
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", proc, seconds=20, log=log)
        yield f"http://127.0.0.1:{port}/query"
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def embedded_size(seed_store_dir: Path) -> int:
    with KGStore.open(seed_store_dir, create=False) as store:
        return len(store)


def test_oxigraph_server_as_the_store(oxigraph_server, expected, expected_links, embedded_size, runner):
    built = runner.invoke(main, ["build", str(SEEDS), "--store", oxigraph_server, "--quiet"])
    assert built.exit_code == 0, built.output
    with KGStore.open(oxigraph_server) as store:
        assert isinstance(store, RemoteStore) and store.union_graph is None
        assert _answers(store) == expected
        assert _same_as(store) == expected_links
        assert len(store.article_graph_iris()) == 5
        assert len(store) == embedded_size
    # a second build changes nothing: the content hashes are read back from the server
    again = runner.invoke(main, ["build", str(SEEDS), "--store", oxigraph_server, "--quiet"])
    assert again.exit_code == 0 and "5 unchanged" in again.output, again.output


VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


def edit_ini(text: str, changes: dict[tuple[str, str], str]) -> str:
    """Set `key = value` in `[section]` of an ini text, adding the key when the section lacks it."""
    out: list[str] = []
    section = None
    done: set[tuple[str, str]] = set()

    def add_missing() -> None:
        for (sec, key), value in changes.items():
            if sec == section and (sec, key) not in done:
                out.append(f"{key} = {value}")
                done.add((sec, key))

    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            add_missing()
            section = stripped[1:-1]
        elif "=" in stripped and not stripped.startswith(";"):
            key = stripped.split("=", 1)[0].strip()
            if (section, key) in changes:
                out.append(f"{key} = {changes[(section, key)]}")
                done.add((section, key))
                continue
        out.append(line)
    add_missing()
    return "\n".join(out) + "\n"


@contextlib.contextmanager
def _virtuoso_server(tmp_path: Path, settings: dict[tuple[str, str], str]) -> Iterator[str]:
    """A Virtuoso server of its own on 127.0.0.1, with these ini settings beside confkg's."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if server is None or isql is None or not VIRTUOSO_INI.exists():
        pytest.skip(
            "Virtuoso Open Source is not installed (virtuoso-t, isql-vt, /etc/virtuoso-opensource-7): "
            "apt-get install virtuoso-opensource, see docs/scaling.md"
        )
    data = tmp_path / "virtuoso"
    data.mkdir()
    sql_port, http_port = _free_port(), _free_port()
    text = VIRTUOSO_INI.read_text().replace("/var/lib/virtuoso-opensource-7/db", str(data))
    ini = data / "virtuoso.ini"
    ini.write_text(
        edit_ini(
            text,
            {
                # 127.0.0.1 only: the server never listens on other interfaces
                ("Parameters", "ServerPort"): f"127.0.0.1:{sql_port}",
                ("HTTPServer", "ServerPort"): f"127.0.0.1:{http_port}",
                ("Parameters", "DirsAllowed"): f"., /usr/share/virtuoso-opensource-7/vad, {data}",
                **settings,
            },
        )
    )
    log = data / "server.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [server, "+foreground", "+configfile", str(ini)], cwd=data, stdout=fh, stderr=subprocess.STDOUT
        )
    try:
        _wait_for(f"http://127.0.0.1:{http_port}/sparql?query=ASK%7B%7D", proc, seconds=60, log=log)
        # a test server only: lets the anonymous /sparql endpoint run SPARQL Update
        grant = subprocess.run(
            [isql, f"127.0.0.1:{sql_port}", "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert grant.returncode == 0, grant.stdout + grant.stderr
        yield f"http://127.0.0.1:{http_port}/sparql"
    finally:
        _stop(proc)


@pytest.fixture()
def virtuoso(tmp_path: Path) -> Iterator[str]:
    with _virtuoso_server(tmp_path, {}) as url:
        yield url


CAP = 100  # rows of one answer, and rows an ORDER BY may sort, in the capped server below


@pytest.fixture()
def capped_virtuoso(tmp_path: Path, monkeypatch) -> Iterator[str]:
    """Virtuoso cutting every answer at CAP rows, as its defaults cut at 10,000 (ResultSetMaxRows,
    MaxSortedTopRows), and confkg paging at CAP: the samples then need several pages."""
    from confkg.store import remote

    monkeypatch.setattr(remote, "PAGE_ROWS", CAP)
    settings = {("SPARQL", "ResultSetMaxRows"): str(CAP), ("Parameters", "MaxSortedTopRows"): str(CAP)}
    with _virtuoso_server(tmp_path, settings) as url:
        yield url


def test_virtuoso_as_the_store(virtuoso, expected, expected_links, embedded_size, runner):
    built = runner.invoke(main, ["build", str(SEEDS), "--store", virtuoso, "--quiet"])
    assert built.exit_code == 0, built.output
    with KGStore.open(virtuoso) as store:
        assert isinstance(store, RemoteStore) and store.union_graph is not None  # Virtuoso: a union graph
        assert _answers(store) == expected
        assert _same_as(store) == expected_links
        assert len(store.article_graph_iris()) == 5
        assert len(store) == embedded_size


# -- an incremental merge on a server --------------------------------------------------------------


def _merged_graph(store: object) -> set[str]:
    from confkg.namespaces import MERGED_GRAPH

    return {line for line in store.graph(MERGED_GRAPH).serialize(format="nt").splitlines() if line}


def _union_and_named_graphs(store: object) -> tuple[set[str], set[str]]:
    """The default graph's triples, and those of all the named graphs (the set union the default graph must be)."""
    import io

    import pyoxigraph

    exported = {}
    for fmt, form in (("ntriples", pyoxigraph.RdfFormat.N_TRIPLES), ("nquads", pyoxigraph.RdfFormat.N_QUADS)):
        out = io.BytesIO()
        store.export(fmt, out)
        exported[fmt] = {
            str(x.triple if fmt == "nquads" else x) for x in pyoxigraph.parse(out.getvalue(), form)
        }
    return exported["ntriples"], exported["nquads"]


REMOVED = "004_7f5ce3c5399a6bce"  # its removal withdraws the dates it completed and a spelling of Interpol


def _removal_merges_as_in_the_embedded_store(url: str, seed_store_copy: Path, runner) -> None:
    built = runner.invoke(main, ["build", str(SEEDS), "--store", url, "--quiet"])
    assert built.exit_code == 0, built.output
    for store in (url, str(seed_store_copy)):
        removed = runner.invoke(main, ["remove", REMOVED, "--store", store])
        assert removed.exit_code == 0, removed.output
    with KGStore.open(url) as remote, KGStore.open(seed_store_copy, create=False) as embedded:
        merged = _merged_graph(remote)
        assert merged and merged == _merged_graph(embedded)
        union, named = _union_and_named_graphs(remote)
        assert union == named  # servers differ in how they write some datatypes: compare each with itself


def test_a_server_that_sends_every_row_is_asked_once(oxigraph_server, runner, monkeypatch):
    """Only an answer of exactly PAGE_ROWS rows may have been cut; a longer one is whole."""
    from confkg.store import remote

    built = runner.invoke(main, ["build", str(SEEDS), "--store", oxigraph_server, "--quiet"])
    assert built.exit_code == 0, built.output
    monkeypatch.setattr(remote, "PAGE_ROWS", 100)
    with KGStore.open(oxigraph_server) as store:
        asked = []
        ask = store._ask
        monkeypatch.setattr(store, "_ask", lambda q: asked.append(q) or ask(q))
        rows = list(store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }"))
        assert len(rows) > 10 * 100 and len(asked) == 1
        exactly = list(store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 100"))
        # may have been cut: read again, a page of 100 and an empty one
        assert len(asked) == 1 + 1 + 2 and len(set(map(str, exactly))) == 100


def test_oxigraph_server_merges_a_removal_as_the_embedded_store_does(
    oxigraph_server, seed_store_copy, runner
):
    _removal_merges_as_in_the_embedded_store(oxigraph_server, seed_store_copy, runner)


def test_virtuoso_merges_a_removal_as_the_embedded_store_does(virtuoso, seed_store_copy, runner):
    _removal_merges_as_in_the_embedded_store(virtuoso, seed_store_copy, runner)


def test_a_server_that_cuts_long_answers_is_read_a_page_at_a_time(
    capped_virtuoso, seed_store_dir, expected, expected_links, embedded_size, runner
):
    """Virtuoso cuts an answer at ResultSetMaxRows and says so only in a header; past
    MaxSortedTopRows it refuses an ORDER BY with OFFSET. Every read that can be long (the entities
    to merge and link, a graph, an export, a query) still gets all its rows."""
    built = runner.invoke(main, ["build", str(SEEDS), "--store", capped_virtuoso, "--quiet"])
    assert built.exit_code == 0, built.output
    with KGStore.open(capped_virtuoso) as store, KGStore.open(seed_store_dir, create=False) as embedded:
        listing = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
        assert len(list(store.query(listing))) == len(list(embedded.query(listing))) > 10 * CAP
        assert len(store) == embedded_size
        assert _answers(store) == expected
        assert _same_as(store) == expected_links
        assert _merged_graph(store) == _merged_graph(embedded)
        union, named = _union_and_named_graphs(store)
        assert union == named and len(named) > 10 * CAP
        # a query with a dataset clause cannot be paged: its cut answer is an error, not a short list
        from confkg.store.remote import RemoteStoreError

        with pytest.raises(RemoteStoreError, match="cut the answer"):
            store.query(f"SELECT ?s ?p ?o FROM <{store.union_graph}> WHERE {{ ?s ?p ?o }}")
