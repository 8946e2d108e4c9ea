"""A small pool of query worker processes, driven from the server's event loop, each killable at the time limit.

A query that passes the limit cannot be stopped inside Oxigraph, so its worker
is killed and a fresh one started in its place; the other workers go on
answering. Waiting happens on the pipe's file descriptor, so a slow query
never holds up the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
from dataclasses import dataclass, field
from typing import Any

from confkg.serve.worker import worker_main

log = logging.getLogger("confkg.serve")

_SPAWN_TIMEOUT = 60.0


class PoolError(Exception):
    """A job that got no answer; `status` and `message` are what the client is told."""

    status = 503

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Busy(PoolError):
    """Every worker stayed busy for the whole time limit."""


class TimedOut(PoolError):
    """The job ran past the time limit; its worker was killed."""


class Crashed(PoolError):
    """The worker died while running the job (out of memory, most likely)."""


@dataclass(eq=False)
class _Worker:
    process: Any
    conn: Any
    snapshot: str | None = None  # the snapshot it has open
    pending: str | None = None  # the snapshot of the job it is running, which it may be opening
    isolated: bool = False
    jobs: int = field(default=0)


async def _readable(conn: Any, timeout: float) -> bool:
    """Wait until the pipe has data (or was closed), at most `timeout` seconds."""
    if timeout <= 0:
        return conn.poll(0)
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    fd = conn.fileno()

    def wake() -> None:
        if not ready.done():
            ready.set_result(True)

    loop.add_reader(fd, wake)
    try:
        await asyncio.wait_for(ready, timeout)
        return True
    except TimeoutError:
        return False
    finally:
        loop.remove_reader(fd)


class WorkerPool:
    """`size` worker processes; `run(job)` sends a job to an idle one and waits at most `timeout`."""

    def __init__(self, size: int, settings: dict[str, Any], timeout: float) -> None:
        self.size = max(1, size)
        self.settings = settings
        self.timeout = timeout
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._workers: set[_Worker] = set()
        self._tasks: set[asyncio.Task] = set()
        self._closed = False
        self.isolated: bool | None = None

    async def start(self) -> None:
        workers = await asyncio.gather(*(self._spawn() for _ in range(self.size)))
        for w in workers:
            self._idle.put_nowait(w)
        self.isolated = all(w.isolated for w in workers)

    async def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(target=worker_main, args=(child, self.settings), daemon=True)
        await asyncio.to_thread(proc.start)
        # Close our copy of the child's end: when the child dies, reads on ours see EOF.
        child.close()
        worker = _Worker(proc, parent)
        self._workers.add(worker)
        if not await _readable(parent, _SPAWN_TIMEOUT):
            self._kill(worker)
            raise PoolError("a query worker did not start in time")
        try:
            hello = parent.recv()
        except (EOFError, OSError) as exc:
            self._kill(worker)
            raise PoolError(f"a query worker failed to start (exit code {proc.exitcode})") from exc
        worker.isolated = bool(hello.get("isolated"))
        return worker

    def _kill(self, worker: _Worker) -> None:
        self._workers.discard(worker)
        with contextlib.suppress(Exception):
            worker.process.kill()
        with contextlib.suppress(Exception):
            worker.conn.close()
        # Reap it off the event loop so no zombie is left behind.
        self._background(asyncio.to_thread(worker.process.join, 10))

    def _background(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _replace(self, worker: _Worker) -> None:
        self._kill(worker)
        if not self._closed:
            self._background(self._respawn())

    async def _respawn(self) -> None:
        for attempt in range(5):
            if self._closed:
                return
            try:
                worker = await self._spawn()
            except PoolError as exc:
                if self._closed:
                    return
                log.error("%s (attempt %d)", exc, attempt + 1)
                await asyncio.sleep(1 + attempt)
                continue
            if self._closed:
                self._kill(worker)
            else:
                self._idle.put_nowait(worker)
            return

    def snapshots_in_use(self) -> set[str]:
        return {s for w in self._workers for s in (w.snapshot, w.pending) if s}

    async def run(self, job: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
        """Run one job; raises Busy / TimedOut / Crashed when it gets no answer in time."""
        limit = self.timeout if timeout is None else timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        try:
            worker = await asyncio.wait_for(self._idle.get(), limit)
        except TimeoutError:
            raise Busy(
                f"all {self.size} query workers stayed busy for {limit:g} s; try again in a moment"
            ) from None
        worker.pending = job.get("snapshot")
        try:
            worker.conn.send(job)
            done = await _readable(worker.conn, deadline - loop.time())
        except asyncio.CancelledError:
            self._replace(worker)  # the client went away mid-job: free the worker for others
            raise
        except (OSError, EOFError):
            self._replace(worker)
            raise Crashed("the query worker died before it could take the query") from None
        if not done:
            self._replace(worker)
            raise TimedOut(f"the query ran longer than the {limit:g} s time limit and was stopped")
        try:
            reply = await asyncio.to_thread(worker.conn.recv)
        except (EOFError, OSError):
            code = worker.process.exitcode
            self._replace(worker)
            raise Crashed(
                "the query worker died while running the query"
                + (" (it ran out of its memory limit)" if code in (-6, 134, -9) else "")
            ) from None
        worker.snapshot = reply.get("snapshot")
        worker.pending = None
        worker.jobs += 1
        self._idle.put_nowait(worker)
        return reply

    async def close(self) -> None:
        self._closed = True
        pending = list(self._tasks)
        for worker in list(self._workers):
            self._kill(worker)
        for task in pending:
            task.cancel()  # a respawn in progress: its process was just killed above
        await asyncio.gather(*self._tasks, *pending, return_exceptions=True)


async def run_oneoff(target: Any, args: tuple, timeout: float) -> dict[str, Any]:
    """Run `target(conn, *args)` in a fresh process and wait for its one reply; kill it at `timeout`."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=target, args=(child, *args), daemon=True)
    await asyncio.to_thread(proc.start)
    child.close()
    try:
        if not await _readable(parent, timeout):
            raise TimedOut(f"the update ran longer than the {timeout:g} s time limit and was stopped")
        try:
            return await asyncio.to_thread(parent.recv)
        except (EOFError, OSError):
            raise Crashed(f"the update process died (exit code {proc.exitcode})") from None
    finally:
        if proc.is_alive():
            proc.kill()
        await asyncio.to_thread(proc.join, 10)
        parent.close()
