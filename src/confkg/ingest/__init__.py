"""Ingest: turn files and folders (.txt, .jsonl, .html) into `Article` objects.

Bad input never stops a build: each unreadable file or line becomes an
`IngestError` naming it and the problem, and the caller carries on.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from pathlib import Path

from confkg.models import Article

SUFFIXES = (".txt", ".jsonl", ".html", ".htm")
MAX_BYTES = 5 * 1024 * 1024  # a news article is a few KiB; 5 MiB is not an article
MAX_LINE_BYTES = 2 * 1024 * 1024
_ARABIC = re.compile(r"[\u0621-\u064a]")
_HEADLINE_MAX = 160
_ID_OK = re.compile(r"[^A-Za-z0-9_.-]+")
ARTICLE_ID = re.compile(r"[A-Za-z0-9_.-]+")  # what an article id is made of (other characters become -)


@dataclass(frozen=True)
class IngestError:
    """A file (or one line of it) that could not be read as an article."""

    source: str
    problem: str

    def __str__(self) -> str:
        return f"{self.source}: {self.problem}"


def iter_articles(paths: Iterable[str | Path]) -> Iterator[Article | IngestError]:
    """Articles from files and folders, in a stable order, with an error for each bad one."""
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            yield IngestError(str(path), "no such file or folder")
        elif path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            for f in files:
                yield from read_file(f)
        else:
            yield from read_file(path)


def read_file(path: Path) -> Iterator[Article | IngestError]:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from _read_jsonl(path)
        return
    raw = _read_bytes(path)
    if isinstance(raw, IngestError):
        yield raw
        return
    if suffix in (".html", ".htm"):
        yield _read_html(path, raw)
    else:
        text = _decode(path, raw)
        if isinstance(text, IngestError):
            yield text
            return
        yield _article(id=path.stem, text=text, source=str(path), title=None, url=None, published=None)


def _read_bytes(path: Path) -> bytes | IngestError:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return IngestError(str(path), f"too large for an article ({size / 1048576:.1f} MiB > 5 MiB)")
        return path.read_bytes()
    except OSError as exc:
        return IngestError(str(path), f"cannot be read ({exc.strerror or exc})")


def _decode(source: str | Path, raw: bytes) -> str | IngestError:
    if not raw.strip():
        return IngestError(str(source), "empty file")
    if b"\x00" in raw[:8192]:
        return IngestError(str(source), "binary file, not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return IngestError(
            str(source),
            f"not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); convert it with iconv -t UTF-8",
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _article(
    *,
    id: str,
    text: str,
    source: str,
    title: str | None,
    url: str | None,
    published: date | None,
) -> Article | IngestError:
    if not text.strip():
        return IngestError(source, "empty article (no text)")
    if next(islice(_ARABIC.finditer(text), 19, None), None) is None:  # fewer than 20 Arabic letters
        return IngestError(source, "no Arabic text: confkg reads Arabic news articles")
    if title is None:
        title = headline_of(text)
    return Article(
        id=_ID_OK.sub("-", id).strip("-") or content_id(text),
        text=text,
        title=title,
        source=source,
        url=url,
        published=published,
    )


def headline_of(text: str) -> str | None:
    """The first line when it is short enough to be a headline; a long one is body text."""
    for line in text.split("\n"):
        line = line.strip()
        if line:
            return line if len(line) <= _HEADLINE_MAX else None
    return None


def content_id(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def parse_date(value: object) -> date | None:
    """An ISO date or date-time (as JSON Lines and HTML metadata give them), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    v = value.strip()
    try:
        return date.fromisoformat(v[:10])
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(v.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _read_jsonl(path: Path) -> Iterator[Article | IngestError]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield IngestError(str(path), f"cannot be read ({exc.strerror or exc})")
        return
    with handle:
        any_line = False
        for n, raw in enumerate(handle, start=1):
            where = f"{path}:{n}"
            if not raw.strip():
                continue
            any_line = True
            if len(raw) > MAX_LINE_BYTES:
                yield IngestError(where, "line too large for an article (> 2 MiB)")
                continue
            text = _decode(where, raw)
            if isinstance(text, IngestError):
                yield text
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                yield IngestError(where, f"invalid JSON ({exc.msg} at column {exc.colno})")
                continue
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                yield IngestError(where, 'each line must be a JSON object with a "text" string')
                continue
            body = obj["text"].replace("\r\n", "\n")
            title = obj.get("title") if isinstance(obj.get("title"), str) else None
            if title and not body.lstrip().startswith(title.strip()):
                body = f"{title.strip()}\n{body}"
            raw_id = obj.get("id")
            yield _article(
                id=str(raw_id) if raw_id not in (None, "") else content_id(body),
                text=body,
                source=where,
                title=title.strip() if title else None,
                url=obj.get("url") if isinstance(obj.get("url"), str) else None,
                published=parse_date(obj.get("published")),
            )
        if not any_line:
            yield IngestError(str(path), "empty file")


def _read_html(path: Path, raw: bytes) -> Article | IngestError:
    import trafilatura

    if not raw.strip():
        return IngestError(str(path), "empty file")
    try:
        doc = trafilatura.bare_extraction(
            raw, with_metadata=True, include_comments=False, include_tables=True
        )
    except Exception as exc:  # trafilatura raises many kinds on broken markup
        return IngestError(str(path), f"HTML could not be parsed ({exc})")
    if doc is None:
        return IngestError(str(path), "no article text found in the HTML page")
    meta = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    body = (meta.get("text") or "").strip()
    title = (meta.get("title") or "").strip() or None
    if not body:
        return IngestError(str(path), "no article text found in the HTML page")
    text = f"{title}\n{body}" if title else body
    return _article(
        id=path.stem,
        text=text,
        source=str(path),
        title=title,
        url=meta.get("url") or None,
        published=parse_date(meta.get("date")),
    )
