"""What the store owes after its article graphs change: the merged graph and the Wikidata links.

`confkg build` and `confkg remove` change article graphs, then redo the merged graph and the
links for the entities those graphs are about. The links state file (confkg.link) says the
links are current; it is dropped before the first change and written again once the links are
done, so a command that stops between leaves none. The next command then merges and links every
entity: the articles a stopped build wrote are unchanged for the next build, which would
otherwise never merge or link them.

A store in a folder also gets a marker of its own, `{store}/upkeep-pending.json`, written before
the first change and removed once the merged graph and the links are done. The links state alone
is not enough: `confkg link` run after a stopped build writes a fresh one, and the merged graph
of the stopped build's articles would then never be made.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rdflib import URIRef

from confkg.store import KGStore

PENDING_FILE = "upkeep-pending.json"


def pending_file(store: KGStore) -> Path | None:
    """The marker of a change under way, for a store in a folder (None for other stores)."""
    location = store.location
    if not location or str(location).lower().startswith(("http://", "https://")):
        return None
    return Path(location) / PENDING_FILE


@dataclass
class Change:
    """A change to the store's article graphs under way (see `begin`)."""

    link_state: dict | None  # what the links state file said before the change
    # an earlier command stopped (its marker is there, or the links state is missing on a store
    # that keeps one, or the store predates both): merge and link every entity, not only those touched
    stale: bool


def begin(store: KGStore) -> Change:
    """Call before the first article graph is written or removed."""
    from confkg.link import drop_link_state, read_link_state, review_file

    link_state = read_link_state(store)
    marker = pending_file(store)
    stopped = marker is not None and marker.exists()
    # even on a store left without articles: the merged graph may still speak of a stopped
    # command's entities, and merging every entity (those it speaks of too) withdraws that
    stale = stopped or (link_state is None and review_file(store) is not None)
    if marker is not None and not stopped:
        _write_marker(marker)
    drop_link_state(store)
    return Change(link_state, stale)


def _write_marker(path: Path) -> None:
    tmp = path.with_name(path.name + ".part")
    started = datetime.now(UTC).isoformat(timespec="seconds")
    tmp.write_text(json.dumps({"started": started, "pid": os.getpid()}) + "\n", "utf-8")
    tmp.replace(path)


def _clear_marker(store: KGStore) -> None:
    marker = pending_file(store)
    if marker is not None:
        marker.unlink(missing_ok=True)


def finish(
    store: KGStore,
    change: Change,
    *,
    touched: Iterable[URIRef] | None,
    relink: Iterable[URIRef] | None,
    changed: bool,
):
    """Redo the merged graph for the entities `touched` and the offline links for those to `relink`
    (None: every entity; every entity too after a stopped command); `changed` False: no article
    graph changed, the links state is put back as it was. Returns the merge's summary and the
    links' (None when nothing was linked)."""
    from confkg.link import link_offline, restore_link_state
    from confkg.resolve.merge import update_merged

    merged = update_merged(store, subjects=None if change.stale else touched)
    if not (changed or change.stale):
        restore_link_state(store, change.link_state)
        _clear_marker(store)
        return merged, None
    # the packaged lexicon only, no network; the entities of what changed only, or every entity
    # when the links are not known to be current (the state read before is ignored then)
    earlier = None if change.stale else change.link_state
    links = link_offline(store, subjects=relink, earlier_state=earlier)
    _clear_marker(store)
    return merged, links
