"""Content negotiation: which result or RDF format a client's Accept header asks for."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    """One output format: the short name the query worker knows, and the media type to answer with."""

    name: str
    media_type: str

    @property
    def content_type(self) -> str:
        # Every format here is UTF-8 text; say so, so browsers and curl do not guess.
        return f"{self.media_type}; charset=utf-8"


# Server preference order comes first when the client has no preference (q ties).
RESULT_FORMATS: list[tuple[str, Format]] = [
    ("application/sparql-results+json", Format("json", "application/sparql-results+json")),
    ("application/sparql-results+xml", Format("xml", "application/sparql-results+xml")),
    ("text/csv", Format("csv", "text/csv")),
    ("text/tab-separated-values", Format("tsv", "text/tab-separated-values")),
    ("application/json", Format("json", "application/sparql-results+json")),
    ("application/xml", Format("xml", "application/sparql-results+xml")),
    ("text/xml", Format("xml", "application/sparql-results+xml")),
]
GRAPH_FORMATS: list[tuple[str, Format]] = [
    ("text/turtle", Format("turtle", "text/turtle")),
    ("application/n-triples", Format("ntriples", "application/n-triples")),
    ("application/ld+json", Format("jsonld", "application/ld+json")),
    ("application/trig", Format("trig", "application/trig")),
    ("application/rdf+xml", Format("rdfxml", "application/rdf+xml")),
    ("application/n-quads", Format("nquads", "application/n-quads")),
    ("application/x-turtle", Format("turtle", "text/turtle")),
    ("application/turtle", Format("turtle", "text/turtle")),
    ("text/plain", Format("ntriples", "application/n-triples")),
    ("application/json", Format("jsonld", "application/ld+json")),
]
HTML = Format("html", "text/html")


def parse_accept(header: str | None) -> list[tuple[str, float, int]]:
    """(media range, q, position) for each entry of an Accept header; `*/*` when there is none."""
    if not header or not header.strip():
        return [("*/*", 1.0, 0)]
    out = []
    for pos, part in enumerate(header.split(",")):
        bits = [b.strip() for b in part.split(";")]
        media = bits[0].lower()
        if not media:
            continue
        if "/" not in media:
            media = "*/*" if media == "*" else media
        q = 1.0
        for param in bits[1:]:
            if param.lower().startswith("q="):
                try:
                    q = max(0.0, min(1.0, float(param[2:])))
                except ValueError:
                    q = 0.0
        out.append((media, q, pos))
    return out


def _quality(media_type: str, accept: list[tuple[str, float, int]]) -> tuple[float, int, int]:
    """q of the most specific range that matches, its specificity, and its position."""
    typ, _, sub = media_type.partition("/")
    best: tuple[float, int, int] | None = None
    for rng, q, pos in accept:
        rtyp, _, rsub = rng.partition("/")
        if rng == media_type:
            spec = 2
        elif rsub == "*" and rtyp == typ:
            spec = 1
        elif rng == "*/*":
            spec = 0
        else:
            continue
        if best is None or spec > best[1]:
            best = (q, spec, pos)
    return best if best is not None else (0.0, -1, 1 << 30)


def choose(accept_header: str | None, offers: list[tuple[str, Format]]) -> Format | None:
    """The offered format the client prefers, or None when it accepts none of them (406)."""
    accept = parse_accept(accept_header)
    best: tuple[float, int, int, int] | None = None
    chosen: Format | None = None
    for order, (media, fmt) in enumerate(offers):
        q, spec, pos = _quality(media, accept)
        if q <= 0:
            continue
        # Highest q wins; then an explicitly named type over a wildcard; then the
        # client's own order; then ours.
        key = (q, spec, -pos, -order)
        if best is None or key > best:
            best, chosen = key, fmt
    return chosen


def prefers_html(accept_header: str | None) -> bool:
    """True when a client (a browser) names text/html and ranks it at least as high as anything else."""
    accept = parse_accept(accept_header)
    html_q = max((q for rng, q, _ in accept if rng in ("text/html", "application/xhtml+xml")), default=0.0)
    if html_q <= 0:
        return False
    others = [q for rng, q, _ in accept if rng not in ("text/html", "application/xhtml+xml", "*/*")]
    return html_q >= max(others, default=0.0)


def media_types(offers: list[tuple[str, Format]]) -> list[str]:
    return list(dict.fromkeys(media for media, _ in offers))
