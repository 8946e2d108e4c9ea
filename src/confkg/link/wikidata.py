"""A small, polite client for Wikidata's public API: label search and entity types, cached on disk."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlencode

import httpx

from confkg.link.lexicon import QID_RE

DEFAULT_API = "https://www.wikidata.org/w/api.php"
# Wikimedia's User-Agent policy asks for a name, a version and a way to reach
# the operator; requests without one may be blocked.
USER_AGENT = "confkg/0.1 (https://github.com/confkg/confkg; confkg@example.org)"
CACHE_TTL = 30 * 24 * 3600.0
# wbgetentities takes at most 50 ids per request.
_IDS_PER_REQUEST = 50


class WikidataError(Exception):
    """One request failed (an HTTP error, an API error): the entity it was for is skipped."""


class WikidataBadResponse(WikidataError):
    """Wikidata answered with something that is not the API's JSON; the message names the URL."""


class WikidataUnreachable(WikidataError):
    """Wikidata cannot be used at all (network down, timeouts, server errors, refusals): the run stops."""

    def __init__(self, api_url: str, reason: str) -> None:
        self.api_url = api_url
        self.reason = reason
        super().__init__(
            f"cannot reach Wikidata at {api_url}: {reason}; run with --offline to use the lexicon only"
        )


@dataclass(frozen=True)
class SearchHit:
    """One result of wbsearchentities."""

    qid: str
    label: str
    description: str
    match_type: str  # "label", "alias", "entityId" …
    match_language: str
    match_text: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemInfo:
    """What wbgetentities says about one item: its labels and its P31 (instance of) classes."""

    qid: str
    labels: Mapping[str, str] = field(default_factory=dict)
    instance_of: frozenset[str] = frozenset()


class _Cache:
    """Parsed API answers in a small SQLite file, keyed by the request's URL."""

    def __init__(self, path: Path | None, ttl: float) -> None:
        self.ttl = ttl
        self.db: sqlite3.Connection | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(path))
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS response (url TEXT PRIMARY KEY, fetched REAL, body TEXT)"
            )
            self.db.commit()

    def get(self, url: str) -> object | None:
        if self.db is None:
            return None
        row = self.db.execute("SELECT fetched, body FROM response WHERE url = ?", (url,)).fetchone()
        if row is None or time.time() - row[0] > self.ttl:
            return None
        return json.loads(row[1])

    def put(self, url: str, data: object) -> None:
        if self.db is None:
            return
        self.db.execute(
            "INSERT OR REPLACE INTO response (url, fetched, body) VALUES (?, ?, ?)",
            (url, time.time(), json.dumps(data, ensure_ascii=False)),
        )
        self.db.commit()

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


class WikidataClient:
    """wbsearchentities and wbgetentities over httpx, with a cache, rate limiting and retries.

    `min_interval` is the least time between two requests to the server (cache
    hits do not count). Timeouts, connection errors and 5xx answers are retried
    with exponential back-off (`backoff`, then twice that, …) up to
    `max_attempts`; a 429 (or an API `maxlag` error) waits what Retry-After
    says, up to `max_retry_after` seconds. When every attempt fails the client
    raises `WikidataUnreachable`. `sleep` and `clock` are injectable so tests
    run without waiting.
    """

    def __init__(
        self,
        *,
        api_url: str = DEFAULT_API,
        cache_path: str | Path | None = None,
        cache_ttl: float = CACHE_TTL,
        min_interval: float = 0.1,
        timeout: float = 10.0,
        max_attempts: int = 4,
        backoff: float = 0.5,
        max_retry_after: float = 120.0,
        user_agent: str = USER_AGENT,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.api_url = api_url
        self.min_interval = max(0.0, min_interval)
        self.timeout = timeout
        self.max_attempts = max(1, max_attempts)
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self._sleep = sleep if sleep is not None else time.sleep
        self._clock = clock
        self._last_request: float | None = None
        self._cache = _Cache(Path(cache_path) if cache_path is not None else None, cache_ttl)
        self._http = httpx.Client(
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            timeout=timeout,
            follow_redirects=True,
            transport=transport,
        )
        self.requests_sent = 0

    def close(self) -> None:
        self._http.close()
        self._cache.close()

    def __enter__(self) -> WikidataClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the two API calls ----------------------------------------------------

    def search(self, text: str, *, language: str, limit: int = 7) -> list[SearchHit]:
        """Items whose label or alias in `language` matches `text` (wbsearchentities)."""
        params = {
            "action": "wbsearchentities",
            "search": text,
            "language": language,
            "uselang": language,
            "type": "item",
            "limit": str(limit),
            "format": "json",
        }
        data, url = self._get(params)
        results = data.get("search") if isinstance(data, dict) else None
        if not isinstance(results, list):
            raise WikidataBadResponse(f"unexpected answer from {url}: no 'search' list")
        hits = []
        for r in results:
            if not isinstance(r, dict) or not QID_RE.fullmatch(str(r.get("id", ""))):
                continue
            match = r.get("match") if isinstance(r.get("match"), dict) else {}
            aliases = r.get("aliases") if isinstance(r.get("aliases"), list) else []
            hits.append(
                SearchHit(
                    qid=r["id"],
                    label=str(r.get("label", "")),
                    description=str(r.get("description", "")),
                    match_type=str(match.get("type", "")),
                    match_language=str(match.get("language", "")),
                    match_text=str(match.get("text", "")),
                    aliases=tuple(str(a) for a in aliases),
                )
            )
        return hits

    def get_items(
        self, qids: Iterable[str], *, languages: Iterable[str] = ("ar", "en")
    ) -> dict[str, ItemInfo]:
        """Labels and P31 classes of items (wbgetentities), keyed by the ids asked for.

        A redirected id maps to its target's information (the target's id is in
        `ItemInfo.qid`); a missing id is left out.
        """
        wanted = sorted({q for q in qids if QID_RE.fullmatch(q)}, key=lambda q: int(q[1:]))
        out: dict[str, ItemInfo] = {}
        for start in range(0, len(wanted), _IDS_PER_REQUEST):
            chunk = wanted[start : start + _IDS_PER_REQUEST]
            params = {
                "action": "wbgetentities",
                "ids": "|".join(chunk),
                "props": "claims|labels",
                "languages": "|".join(languages),
                "format": "json",
            }
            data, url = self._get(params)
            entities = data.get("entities") if isinstance(data, dict) else None
            if not isinstance(entities, dict):
                raise WikidataBadResponse(f"unexpected answer from {url}: no 'entities' object")
            for key, ent in entities.items():
                if not isinstance(ent, dict) or "missing" in ent:
                    continue
                info = _item_info(ent, key)
                if info is None:
                    continue
                # A redirected id comes back as its target, with {"redirects": {"from", "to"}}.
                moved = ent.get("redirects")
                asked = moved.get("from") if isinstance(moved, dict) else None
                out[asked if asked in chunk else key if key in chunk else info.qid] = info
        return out

    # -- transport --------------------------------------------------------------

    def _get(self, params: Mapping[str, str]) -> tuple[object, str]:
        """The parsed JSON of one GET, from the cache or the server, and its URL (for messages)."""
        query = urlencode(sorted(params.items()))
        url = f"{self.api_url}?{query}"
        cached = self._cache.get(url)
        if cached is not None:
            return cached, url
        # Bots are asked to back off when replication lags; the API then
        # answers with a maxlag error and Retry-After, handled like a 429.
        sent = {**params, "maxlag": "5"}
        reason = "no attempt made"
        for attempt in range(1, self.max_attempts + 1):
            self._wait_turn()
            try:
                resp = self._http.get(self.api_url, params=sent)
            except httpx.TimeoutException:
                reason = (
                    f"no answer within {self.timeout:g} s ({attempt} attempt{'s' if attempt > 1 else ''})"
                )
                self._pause(self._backoff(attempt), attempt)
                continue
            except httpx.TransportError as exc:
                reason = _one_line(exc) or type(exc).__name__
                self._pause(self._backoff(attempt), attempt)
                continue
            if resp.status_code == 429:
                wait = self._retry_after(resp, attempt)
                reason = f"HTTP 429 Too Many Requests ({attempt} attempt{'s' if attempt > 1 else ''})"
                self._pause(wait, attempt)
                continue
            if resp.status_code >= 500:
                reason = f"HTTP {resp.status_code} ({attempt} attempt{'s' if attempt > 1 else ''})"
                self._pause(self._retry_after(resp, attempt), attempt)
                continue
            if resp.status_code in (401, 403):
                # Refused for every request alike (a blocked User-Agent or address): stop the run.
                raise WikidataUnreachable(
                    self.api_url, f"HTTP {resp.status_code} {resp.reason_phrase}".strip()
                )
            if resp.status_code >= 400:
                raise WikidataError(f"HTTP {resp.status_code} from {url}")
            try:
                data = resp.json()
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise WikidataBadResponse(f"malformed JSON from {url}: {_one_line(exc)}") from exc
            if isinstance(data, dict) and isinstance(data.get("error"), dict):
                code = str(data["error"].get("code", ""))
                if code == "maxlag":
                    reason = f"the API asks to wait (maxlag, {attempt} attempt{'s' if attempt > 1 else ''})"
                    self._pause(self._retry_after(resp, attempt), attempt)
                    continue
                info = _one_line(str(data["error"].get("info", "")))
                raise WikidataError(f"API error '{code}' from {url}: {info}")
            self._cache.put(url, data)
            return data, url
        raise WikidataUnreachable(self.api_url, reason)

    def _wait_turn(self) -> None:
        if self._last_request is not None:
            wait = self._last_request + self.min_interval - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last_request = self._clock()
        self.requests_sent += 1

    def _backoff(self, attempt: int) -> float:
        return self.backoff * (2 ** (attempt - 1))

    def _pause(self, seconds: float, attempt: int) -> None:
        # No pause after the last attempt: the caller gives up at once.
        if attempt < self.max_attempts and seconds > 0:
            self._sleep(seconds)

    def _retry_after(self, resp: httpx.Response, attempt: int) -> float:
        """Seconds the server asks us to wait (Retry-After: seconds or an HTTP date), else back-off."""
        header = resp.headers.get("Retry-After")
        if header is None:
            return self._backoff(attempt)
        header = header.strip()
        try:
            wait = float(header)
        except ValueError:
            try:
                wait = parsedate_to_datetime(header).timestamp() - time.time()
            except (TypeError, ValueError):
                return self._backoff(attempt)
        wait = max(0.0, wait)
        if wait > self.max_retry_after:
            raise WikidataUnreachable(
                self.api_url,
                f"the server asks to retry after {wait:.0f} s (more than {self.max_retry_after:g} s)",
            )
        return wait


def _item_info(ent: Mapping[str, object], key: str) -> ItemInfo | None:
    qid = str(ent.get("id", key))
    if not QID_RE.fullmatch(qid):
        return None
    labels: dict[str, str] = {}
    raw_labels = ent.get("labels")
    if isinstance(raw_labels, dict):
        for lang, lab in raw_labels.items():
            if isinstance(lab, dict) and isinstance(lab.get("value"), str):
                labels[lang] = lab["value"]
    classes = set()
    claims = ent.get("claims")
    statements = claims.get("P31", []) if isinstance(claims, dict) else []
    for st in statements if isinstance(statements, list) else []:
        if not isinstance(st, dict) or st.get("rank") == "deprecated":
            continue
        snak = st.get("mainsnak")
        value = snak.get("datavalue", {}).get("value") if isinstance(snak, dict) else None
        if isinstance(value, dict) and QID_RE.fullmatch(str(value.get("id", ""))):
            classes.add(value["id"])
    return ItemInfo(qid=qid, labels=labels, instance_of=frozenset(classes))


def _one_line(exc: object) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""
