"""confkg serve: a read-only SPARQL 1.1 endpoint over the store, linked data for confkg's IRIs, and an explorer page.

`serve(ServeConfig(store_dir=...))` runs it with uvicorn; `create_app` gives the
ASGI app alone. See docs/serve.md for the safety defaults and the design.
"""

from __future__ import annotations

import logging

from confkg.serve.app import ServeConfig, create_app
from confkg.serve.snapshot import SnapshotError, Snapshots

__all__ = ["ServeConfig", "SnapshotError", "create_app", "serve"]


def serve(config: ServeConfig) -> None:
    """Copy the store, start the query workers and answer HTTP until interrupted."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    snapshots = Snapshots(config.store_dir, workdir=config.snapshot_dir)
    try:
        # The first copy is taken before listening, so a missing or unreadable
        # store is reported at once instead of on the first request.
        snapshots.take()
        app = create_app(config, snapshots)
        uvicorn.run(
            app,
            host=config.host,
            port=config.port,
            http="h11",
            # A GET query travels in the request line; let it be as long as a POSTed one.
            h11_max_incomplete_event_size=config.max_query_bytes * 3 + 16 * 1024,
            log_level="info",
            timeout_graceful_shutdown=5,
        )
    finally:
        snapshots.close()
