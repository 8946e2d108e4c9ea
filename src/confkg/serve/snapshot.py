"""Private read-only copies of the store that the query workers read, refreshed when the store changes.

Why copies: `confkg build` keeps the store open for writing, and Oxigraph
(RocksDB) warns that opening a store read-only while another process writes
it is undefined behaviour: the writer may compact or delete files the reader
still needs. So no long-lived reader ever opens the live store. A short-lived
child process opens it read-only, copies every quad into a new store in a
private folder and exits; the workers only ever open such a finished,
never-again-written copy. A read-only open sees the state of the last
committed transaction or bulk ingestion (each `KGStore.replace_graphs` is one), so a copy
holds the store before or after a build's transaction, never half of it. If
the writer pulls a file away mid-copy, the child fails (or, at worst, crashes
alone) and the copy is retried; the workers keep serving the previous copy.

Change detection is a cheap marker, the names, sizes and mtimes of the
store's data files: every commit appends to RocksDB's write-ahead log, so it
changes the marker; a read-only open changes nothing, so reading never looks
like writing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger("confkg.serve")

# RocksDB's informational log and lock file change on every open; they carry no data.
_IGNORED = ("LOG", "LOCK")


class SnapshotError(Exception):
    """No snapshot of the store could be made; the message says why."""


def marker(store_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and mtimes of the store's data files: changes whenever a transaction commits."""
    entries = []
    try:
        with os.scandir(store_dir) as it:
            for e in it:
                if e.name.startswith(_IGNORED) or not e.is_file(follow_symlinks=False):
                    continue
                try:
                    st = e.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue  # deleted by a compaction between listing and stat
                entries.append((e.name, st.st_size, st.st_mtime_ns))
    except FileNotFoundError:
        return ()
    return tuple(sorted(entries))


def copy_store(source: str, target: str, conn) -> None:
    """Child process: copy every quad of the store at `source` into a new store at `target`."""
    from confkg.serve.worker import isolate_network

    isolate_network()  # copying needs no network
    try:
        import pyoxigraph as ox

        started = time.monotonic()
        src = ox.Store.read_only(source)
        dump = Path(target + ".nq")
        # Oxigraph's own dump and bulk loader: both native, no Python object per quad.
        src.dump(str(dump), ox.RdfFormat.N_QUADS)
        n = len(src)
        del src
        dst = ox.Store(target)
        dst.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        dst.flush()
        copied = len(dst)
        del dst
        dump.unlink()
        if copied != n:
            raise SnapshotError(f"copied {copied} quads of {n}")
        conn.send({"ok": True, "quads": copied, "seconds": time.monotonic() - started})
    except BaseException as exc:  # reported to the parent, which retries
        conn.send({"ok": False, "message": f"{type(exc).__name__}: {' '.join(str(exc).split())}"})


def _generation(path: Path) -> int:
    try:
        return int(path.name.rsplit("-", 1)[-1])
    except ValueError:
        return -1


class Snapshots:
    """The current snapshot of the store, and the machinery to refresh it when the store changes."""

    def __init__(self, store_dir: str | Path, *, workdir: str | Path | None = None) -> None:
        self.store_dir = Path(store_dir).resolve()
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="confkg-serve-"))
        self._own_workdir = workdir is None
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._generation = 0
        self.current: Path | None = None
        self.current_marker: tuple = ()
        self.quads = 0
        self.taken_at = 0.0
        self._lock: asyncio.Lock | None = None  # made inside the event loop, on first use
        self.on_change: list[Callable[[Path], Any]] = []

    # -- making one ----------------------------------------------------------

    def _check_store(self) -> None:
        if not self.store_dir.is_dir():
            raise SnapshotError(f"{self.store_dir}: no confkg store here (run 'confkg build' first)")
        if not (self.store_dir / "CURRENT").exists():
            raise SnapshotError(f"{self.store_dir}: not an Oxigraph store (no CURRENT file)")

    def take(self, *, attempts: int = 5, timeout: float = 600.0) -> Path:
        """Make a new snapshot (blocking) and make it current; retried if the store moves under it."""
        self._check_store()
        last = "unknown error"
        for attempt in range(attempts):
            seen = marker(self.store_dir)
            self._generation += 1
            target = self.workdir / f"snapshot-{self._generation}"
            reply = self._copy_in_child(target, timeout)
            if reply.get("ok"):
                self.current = target
                self.current_marker = seen
                self.quads = int(reply["quads"])
                self.taken_at = time.time()
                log.info("snapshot %s: %d quads in %.2f s", target.name, self.quads, reply["seconds"])
                return target
            last = reply.get("message", last)
            log.info("snapshot attempt %d failed, retrying: %s", attempt + 1, last)
            shutil.rmtree(target, ignore_errors=True)
            with contextlib.suppress(FileNotFoundError):
                Path(str(target) + ".nq").unlink()
            time.sleep(0.2 * (attempt + 1))
        raise SnapshotError(f"{self.store_dir}: could not copy the store ({last})")

    def _copy_in_child(self, target: Path, timeout: float) -> dict[str, Any]:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=copy_store, args=(str(self.store_dir), str(target), child), daemon=True)
        proc.start()
        child.close()
        try:
            if parent.poll(timeout):
                return parent.recv()
            return {"ok": False, "message": f"copy took longer than {timeout:.0f} s"}
        except EOFError:
            return {"ok": False, "message": f"the copying process died (exit code {proc.exitcode})"}
        finally:
            if proc.is_alive():
                proc.kill()
            proc.join(5)
            parent.close()

    # -- keeping it fresh ----------------------------------------------------

    def changed(self) -> bool:
        return marker(self.store_dir) != self.current_marker

    async def refresh(self) -> bool:
        """Take a new snapshot now (in a thread, the copy runs in a child process)."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            try:
                target = await asyncio.to_thread(self.take)
            except SnapshotError as exc:
                log.warning("keeping the previous snapshot: %s", exc)
                return False
            # Callbacks run here, in the event loop, not in the copying thread.
            for callback in self.on_change:
                callback(target)
            return True

    async def watch(self, interval: float) -> None:
        """Poll the marker; once a change has settled for one interval, refresh the snapshot.

        Waiting for the marker to stop moving means a build that writes many
        transactions in a row is copied once, after it, rather than after each.
        """
        previous = marker(self.store_dir)
        while True:
            await asyncio.sleep(interval)
            now = marker(self.store_dir)
            if now != self.current_marker and now == previous and now:
                await self.refresh()
            previous = now

    def remove_unused(self, in_use: set[str]) -> None:
        """Delete older snapshots that no worker has open any more.

        Only generations older than the current one go: a newer one may be
        a copy still being made.
        """
        if self.current is None:
            return
        current = _generation(self.current)
        keep = {str(self.current)} | in_use
        for path in self.workdir.glob("snapshot-*"):
            if path.is_dir() and str(path) not in keep and _generation(path) < current:
                shutil.rmtree(path, ignore_errors=True)

    def close(self) -> None:
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
