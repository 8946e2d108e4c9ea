"""What a SPARQL request asks for, read before it runs: query form, update, SERVICE, LOAD and FROM.

Oxigraph executes `SERVICE <url>` and `LOAD <url>` by fetching the URL itself and
has no switch to refuse them, so the endpoint has to find them in the text
first. This module does that with a lexer that follows the SPARQL 1.1 grammar's
terminals (IRIs, prefixed names with their escapes, variables, the four string
forms, comments), so that a keyword inside a string, a comment or an IRI is not
mistaken for one and, more importantly, a real keyword cannot be hidden from the
check by text that looks like a string or a comment to a naive scanner.

Whenever the lexer and the engine could disagree, the lexer errs on the side of
seeing *more* code: an unterminated string or an IRI it cannot read is not
swallowed, the text after it is still scanned. The scan also runs a second time
over the text with its `\\u` and `\\U` escapes decoded, and a keyword found by either
pass counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

QUERY_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}
UPDATE_OPERATIONS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS = _PN_CHARS_BASE + "_0-9\u00b7\u0300-\u036f\u203f-\u2040\\-"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"

_TOKEN = re.compile(
    "|".join(
        [
            r"(?P<ws>\s+)",
            r"(?P<comment>\#[^\n\r]*)",
            # IRIREF: no spaces, quotes, braces or angle brackets inside; \u escapes allowed.
            r"(?P<iri><(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)",
            r"(?P<string>"
            r'"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'
            r"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
            r'|"(?:[^"\\\n\r]|\\.)*"'
            r"|'(?:[^'\\\n\r]|\\.)*'"
            r")",
            r"(?P<var>[?$][" + _PN_CHARS + r"]+)",
            # A prefixed name (prefix may be empty, local part may be empty or escaped).
            r"(?P<pname>(?:[" + _PN_CHARS_BASE + r"](?:[" + _PN_CHARS + r".]*[" + _PN_CHARS + r"])?)?"
            r":(?:(?:[" + _PN_CHARS + r":]|" + _PLX + r")(?:(?:[" + _PN_CHARS + r".:]|" + _PLX + r")*"
            r"(?:[" + _PN_CHARS + r":]|" + _PLX + r"))?)?)",
            r"(?P<word>[" + _PN_CHARS_BASE + r"_][" + _PN_CHARS + r"]*)",
            # A backslash outside a string takes the next character with it, so `\#` never
            # starts a comment here (it does not in a prefixed name either).
            r"(?P<escape>\\.)",
            r"(?P<other>.)",
        ]
    ),
    re.DOTALL,
)
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    pos: int


def tokens(text: str) -> Iterator[Token]:
    """The significant tokens of a SPARQL text (whitespace and comments dropped)."""
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        yield Token(kind, m.group(), m.start())


def decode_unicode_escapes(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group()

    return _UNICODE_ESCAPE.sub(one, text)


@dataclass
class Service:
    """One SERVICE clause: the endpoint as written, and its IRI when written as a full <IRI>."""

    written: str
    iri: str | None


@dataclass
class Analysis:
    """What a request's text asks the engine to do."""

    form: str | None = None  # SELECT / CONSTRUCT / DESCRIBE / ASK, or None
    is_update: bool = False
    services: list[Service] = field(default_factory=list)
    loads: list[Service] = field(default_factory=list)
    has_dataset_clause: bool = False  # FROM / FROM NAMED


def analyse(text: str) -> Analysis:
    """Read a query or update: its form, its SERVICE and LOAD targets, whether it has FROM."""
    first = _analyse_once(text)
    decoded = decode_unicode_escapes(text)
    if decoded != text:
        # A second opinion over the decoded text: whatever either pass sees counts.
        second = _analyse_once(decoded)
        first.services += [s for s in second.services if s not in first.services]
        first.loads += [s for s in second.loads if s not in first.loads]
        first.has_dataset_clause = first.has_dataset_clause or second.has_dataset_clause
        first.is_update = first.is_update or second.is_update
    return first


def _analyse_once(text: str) -> Analysis:
    out = Analysis()
    toks = list(tokens(text))
    prologue = True
    for i, tok in enumerate(toks):
        if tok.kind != "word":
            continue
        word = tok.text.upper()
        if prologue and word in ("PREFIX", "BASE", "VERSION"):
            continue
        if prologue:
            prologue = False
            if word in QUERY_FORMS:
                out.form = word
            elif word in UPDATE_OPERATIONS:
                out.is_update = True
        if word == "SERVICE":
            out.services.append(_target(toks, i + 1))
        elif word == "LOAD":
            out.is_update = True
            out.loads.append(_target(toks, i + 1))
        elif word == "FROM":
            out.has_dataset_clause = True
        elif word in ("INSERT", "DELETE") and out.form is None:
            out.is_update = True
    return out


def _target(toks: list[Token], j: int) -> Service:
    """The endpoint after SERVICE / LOAD (skipping SILENT)."""
    if j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "SILENT":
        j += 1
    if j >= len(toks):
        return Service("", None)
    tok = toks[j]
    if tok.kind == "iri":
        return Service(tok.text, decode_unicode_escapes(tok.text[1:-1]))
    return Service(tok.text, None)


def host_of(iri: str) -> tuple[str, str] | None:
    """(scheme, host[:port]) of an http(s) IRI, lower-cased; None for anything else."""
    try:
        parts = urlsplit(iri)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        return None
    return parts.scheme.lower(), host if port is None else f"{host}:{port}"


def allowed(iri: str | None, hosts: Iterable[str]) -> bool:
    """Is an outbound request to `iri` allowed by the operator's host list?

    A list entry `example.org` allows any port on that host; `example.org:8890`
    allows that port only.
    """
    if iri is None:
        return False
    target = host_of(iri)
    if target is None:
        return False
    _, hostport = target
    name = hostport.rsplit(":", 1)[0] if not hostport.endswith("]") else hostport
    for entry in hosts:
        entry = entry.strip().lower()
        if entry and (entry == hostport or entry == name):
            return True
    return False


class Refusal(Exception):
    """A request the endpoint will not run; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def check_outbound(analysis: Analysis, allow_service: Iterable[str]) -> None:
    """Refuse SERVICE and LOAD targets that the operator has not allowed."""
    hosts = [h for h in allow_service if h.strip()]
    for svc in analysis.services:
        if not hosts:
            raise Refusal(
                403,
                "SERVICE (federated query) is disabled on this endpoint: it would make the server "
                "send requests to other hosts. Start confkg serve with --allow-service HOST to allow it.",
            )
        if svc.iri is None:
            raise Refusal(
                403,
                f"SERVICE {svc.written or '(nothing)'}: write the endpoint as a full <http(s)://…> IRI; "
                "variables and prefixed names are not accepted as SERVICE endpoints here.",
            )
        if not allowed(svc.iri, hosts):
            raise Refusal(
                403,
                f"SERVICE <{svc.iri}> is not allowed: this endpoint only federates with "
                f"{', '.join(hosts)} (--allow-service).",
            )
    for load in analysis.loads:
        if load.iri is None or host_of(load.iri) is None:
            raise Refusal(
                403,
                f"LOAD {load.written or '(nothing)'}: only http(s) IRIs of allowed hosts can be loaded; "
                "files of the server are never read.",
            )
        if not allowed(load.iri, hosts):
            raise Refusal(
                403,
                f"LOAD <{load.iri}> is not allowed: the host is not in --allow-service.",
            )
