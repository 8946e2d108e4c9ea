"""The web application: SPARQL 1.1 Protocol at /sparql, linked data at /id/…, the explorer page at /."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import pyoxigraph as ox
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from confkg.namespaces import PREFIXES
from confkg.serve import negotiation as neg
from confkg.serve.examples import find_queries_dir, load_examples
from confkg.serve.pool import PoolError, WorkerPool, run_oneoff
from confkg.serve.safety import Refusal, analyse, check_outbound
from confkg.serve.snapshot import Snapshots
from confkg.serve.worker import ID, update_main

log = logging.getLogger("confkg.serve")

HERE = Path(__file__).parent
PREFIX_MAP = {p: str(ns) for p, ns in PREFIXES.items()}
EXPOSED_HEADERS = ["X-Confkg-Rows", "X-Confkg-Truncated", "X-Confkg-Max-Rows"]
# Everything the pages load comes from this server; CodeMirror sets element styles from script.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


@dataclass
class ServeConfig:
    """The operator's settings for `confkg serve`."""

    store_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    timeout: float = 5.0
    max_rows: int = 10_000
    allow_update: str | None = None  # the bearer token that authorises updates; None = updates refused
    allow_service: tuple[str, ...] = ()
    workers: int = 2
    refresh: float = 2.0  # seconds between checks of the store for changes
    max_query_bytes: int = 100_000
    max_memory_mb: int | None = 2048  # per worker process
    queries_dir: Path | None = None
    snapshot_dir: Path | None = None


@dataclass
class State:
    config: ServeConfig
    snapshots: Snapshots
    pool: WorkerPool | None = None
    graphs_cache: dict[str, Any] = field(default_factory=dict)


class _TooLarge(Exception):
    pass


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> PlainTextResponse:
    return PlainTextResponse(message.rstrip() + "\n", status_code=status, headers=headers)


class SecurityHeaders:
    """Adds nosniff everywhere and a same-origin-only CSP to HTML pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def wrapped(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                ctype = Headers(raw=headers).get("content-type", "")
                if ctype.startswith("text/html"):
                    headers.append((b"content-security-policy", CSP.encode()))
                    headers.append((b"referrer-policy", b"same-origin"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, wrapped)


# -- templates ---------------------------------------------------------------------


def local_href(iri: str) -> str:
    """The link for an IRI: confkg's own IRIs open on this server, others where they live."""
    if iri.startswith(ID):
        return "/id/" + iri[len(ID) :]
    return iri


def short(iri: str) -> str:
    for prefix, ns in sorted(PREFIX_MAP.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and prefix != "id":
            return f"{prefix}:{iri[len(ns) :]}"
    if iri.startswith(ID):
        return iri[len(ID) :]
    return iri


def make_templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(local_href=local_href, short=short)
    return env


TEMPLATES = make_templates()


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(TEMPLATES.get_template(name).render(**context), status_code=status)


# -- the application ------------------------------------------------------------------


def create_app(config: ServeConfig, snapshots: Snapshots | None = None) -> Starlette:
    """The ASGI app. `snapshots` may be given already taken (the CLI takes the first before listening)."""
    snaps = snapshots or Snapshots(config.store_dir, workdir=config.snapshot_dir)
    state = State(config, snaps)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if snaps.current is None:
            snaps.take()
        settings = {
            "isolate_network": not config.allow_service,
            "max_memory": config.max_memory_mb * 1024 * 1024 if config.max_memory_mb else None,
        }
        pool = WorkerPool(config.workers, settings, config.timeout)
        await pool.start()
        state.pool = pool
        if settings["isolate_network"] and not pool.isolated:
            log.warning(
                "query workers could not be cut off from the network; SERVICE is refused by the query check only"
            )

        def cleanup(_path: Path) -> None:
            state.graphs_cache.clear()
            snaps.remove_unused(pool.snapshots_in_use())

        snaps.on_change.append(cleanup)
        watcher = None
        if config.refresh > 0:
            watcher = asyncio.ensure_future(snaps.watch(config.refresh))
        try:
            yield
        finally:
            if watcher:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
            await pool.close()
            snaps.close()

    app = Starlette(
        routes=[
            Route("/", partial(index, state=state), methods=["GET"]),
            Route("/sparql", partial(sparql, state=state), methods=["GET", "POST"], name="sparql"),
            Route("/id/{path:path}", partial(linked_data, state=state), methods=["GET"]),
            Route("/search", partial(search, state=state), methods=["GET"]),
            Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
        ],
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["Accept", "Content-Type", "Authorization"],
                expose_headers=EXPOSED_HEADERS,
                max_age=3600,
            ),
        ],
        lifespan=lifespan,
    )
    app.state.confkg = state
    return app


async def _run(state: State, job: dict[str, Any]) -> dict[str, Any]:
    assert state.pool is not None and state.snapshots.current is not None
    job["snapshot"] = str(state.snapshots.current)
    reply = await state.pool.run(job)
    # A worker may just have let go of an older snapshot: delete what nobody reads any more.
    state.snapshots.remove_unused(state.pool.snapshots_in_use())
    return reply


# -- /sparql ---------------------------------------------------------------------------


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(config: ServeConfig) -> PlainTextResponse:
    return _text(
        413,
        f"the query is larger than this endpoint accepts ({config.max_query_bytes:,} bytes)",
    )


async def sparql(request: Request, state: State) -> Response:
    config = state.config
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    if request.method == "GET":
        if "update" in params:
            return _update_refused(config, via_get=True)
        if "query" not in params:
            return await service_description(request, state)
        return await run_sparql_query(request, state, params)

    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    # Form bodies carry other parameters besides the query; leave them room.
    limit = (
        config.max_query_bytes * 3 + 64 * 1024
        if ctype == "application/x-www-form-urlencoded"
        else config.max_query_bytes
    )
    try:
        body = await _read_body(request, limit)
    except _TooLarge:
        return _too_large(config)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return _text(400, "the request body is not UTF-8")
    if ctype == "application/x-www-form-urlencoded":
        try:
            form = parse_qs(text, keep_blank_values=True, strict_parsing=False, errors="strict")
        except (ValueError, UnicodeDecodeError):
            return _text(400, "the form body is not valid application/x-www-form-urlencoded UTF-8")
        for key, values in form.items():
            params.setdefault(key, []).extend(values)
        if "update" in params:
            if "query" in params:
                return _text(400, "send either query= or update=, not both")
            return await run_update(request, state, params["update"], params)
        if "query" not in params:
            return _text(400, "the form has no query= parameter")
        return await run_sparql_query(request, state, params)
    if ctype == "application/sparql-query":
        params["query"] = [text]
        return await run_sparql_query(request, state, params)
    if ctype == "application/sparql-update":
        return await run_update(request, state, [text], params)
    return _text(
        415,
        "POST a query as application/x-www-form-urlencoded (query=…) or application/sparql-query; "
        f"got {ctype or 'no Content-Type'}",
    )


def _update_refused(config: ServeConfig, via_get: bool = False) -> PlainTextResponse:
    if config.allow_update is None:
        return _text(
            403,
            "SPARQL Update is disabled: this endpoint is read-only. "
            "(The operator can start confkg serve with --allow-update TOKEN.)",
        )
    if via_get:
        return _text(405, "SPARQL Update must be sent with POST", headers={"Allow": "POST"})
    return _text(403, "SPARQL Update refused")


def _dataset(params: dict[str, list[str]], analysis_has_from: bool) -> dict[str, Any]:
    """The query's dataset: the protocol's graph parameters, else the query's FROM, else the union."""
    defaults = params.get("default-graph-uri")
    named = params.get("named-graph-uri")
    if defaults is not None or named is not None:
        # The protocol's dataset replaces the query's; what it leaves out is empty.
        return {"default_graphs": defaults or [], "named_graphs": named or []}
    if analysis_has_from:
        return {}
    # The store's own default graph: KGStore keeps it equal to the union of the named graphs.
    return {"store_default_graph": True}


async def run_sparql_query(request: Request, state: State, params: dict[str, list[str]]) -> Response:
    config = state.config
    queries = params.get("query") or []
    if len(queries) != 1:
        return _text(400, "give exactly one query= parameter")
    query = queries[0]
    if len(query.encode("utf-8")) > config.max_query_bytes:
        return _too_large(config)
    for key in ("default-graph-uri", "named-graph-uri"):
        for iri in params.get(key, []):
            try:
                ox.NamedNode(iri)
            except ValueError:
                return _text(400, f"{key}: not an absolute IRI: {iri}")
    analysis = analyse(query)
    if analysis.is_update and analysis.form is None:
        if config.allow_update is None:
            return _update_refused(config)
        return _text(400, "this is a SPARQL Update: POST it as update= or application/sparql-update")
    try:
        check_outbound(analysis, config.allow_service)
    except Refusal as exc:
        return _text(exc.status, exc.message)

    accept = request.headers.get("accept")
    if request.method == "GET" and neg.prefers_html(accept):
        # A browser following a query link: open it in the explorer instead of downloading results.
        return RedirectResponse("/?" + urlencode({"query": query}), status_code=303)
    result_fmt = neg.choose(accept, neg.RESULT_FORMATS)
    graph_fmt = neg.choose(accept, neg.GRAPH_FORMATS)
    if analysis.form in ("SELECT", "ASK") and result_fmt is None:
        return _not_acceptable(analysis.form, neg.RESULT_FORMATS)
    if analysis.form in ("CONSTRUCT", "DESCRIBE") and graph_fmt is None:
        return _not_acceptable(analysis.form, neg.GRAPH_FORMATS)

    job = {
        "op": "query",
        "query": query,
        "result_format": result_fmt.name if result_fmt else None,
        "graph_format": graph_fmt.name if graph_fmt else None,
        "max_rows": config.max_rows,
        "prefixes": PREFIX_MAP,
        **_dataset(params, analysis.has_dataset_clause),
    }
    try:
        reply = await _run(state, job)
    except PoolError as exc:
        return _text(exc.status, exc.message)
    if not reply["ok"]:
        status = reply["status"]
        prefix = "SPARQL syntax error: " if status == 400 else ""
        if status == 406:
            offers = neg.RESULT_FORMATS if reply.get("form") != "CONSTRUCT" else neg.GRAPH_FORMATS
            return _text(
                406, f"{reply['message']}; this endpoint offers {', '.join(neg.media_types(offers))}"
            )
        return _text(status, prefix + reply["message"])
    fmt = result_fmt if reply["form"] in ("SELECT", "ASK") else graph_fmt
    assert fmt is not None
    headers = {"X-Confkg-Rows": str(reply.get("rows", 0)), "X-Confkg-Max-Rows": str(config.max_rows)}
    if reply.get("truncated"):
        headers["X-Confkg-Truncated"] = "true"
    return Response(reply["body"], media_type=fmt.content_type, headers=headers)


def _not_acceptable(form: str, offers: list[tuple[str, neg.Format]]) -> PlainTextResponse:
    return _text(
        406,
        f"none of the formats in your Accept header can hold a {form} answer; "
        f"this endpoint offers {', '.join(neg.media_types(offers))}",
    )


async def run_update(
    request: Request, state: State, updates: list[str], params: dict[str, list[str]]
) -> Response:
    config = state.config
    if config.allow_update is None:
        return _update_refused(config)
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), config.allow_update.encode()
    ):
        return _text(
            401,
            "SPARQL Update needs the operator's token: send Authorization: Bearer TOKEN",
            headers={"WWW-Authenticate": 'Bearer realm="confkg"'},
        )
    if len(updates) != 1:
        return _text(400, "give exactly one update= parameter")
    if "using-graph-uri" in params or "using-named-graph-uri" in params:
        return _text(
            400, "using-graph-uri and using-named-graph-uri are not supported; write USING in the update"
        )
    update = updates[0]
    if len(update.encode("utf-8")) > config.max_query_bytes:
        return _too_large(config)
    analysis = analyse(update)
    try:
        check_outbound(analysis, config.allow_service)
    except Refusal as exc:
        return _text(exc.status, exc.message)
    try:
        reply = await run_oneoff(
            update_main, (str(state.snapshots.store_dir), update, not config.allow_service), config.timeout
        )
    except PoolError as exc:
        return _text(exc.status, exc.message)
    if not reply["ok"]:
        prefix = "SPARQL syntax error: " if reply["status"] == 400 else ""
        headers = {"Retry-After": "5"} if reply["status"] == 503 else None
        return _text(reply["status"], prefix + reply["message"], headers=headers)
    # Read-your-writes: the next query sees the update.
    await state.snapshots.refresh()
    return Response(status_code=204)


async def _graphs(state: State) -> dict[str, Any] | None:
    key = str(state.snapshots.current)
    if key not in state.graphs_cache:
        try:
            reply = await _run(state, {"op": "graphs"})
        except PoolError:
            return None
        if not reply["ok"]:
            return None
        state.graphs_cache.clear()
        state.graphs_cache[key] = reply["graphs"]
    return state.graphs_cache[key]


SD_FORMATS = [
    ("text/turtle", neg.Format("turtle", "text/turtle")),
    ("application/n-triples", neg.Format("ntriples", "application/n-triples")),
    ("application/ld+json", neg.Format("jsonld", "application/ld+json")),
    ("application/rdf+xml", neg.Format("rdfxml", "application/rdf+xml")),
]
W3_FORMATS = [
    "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
    "Turtle", "N-Triples", "JSON-LD", "TriG", "RDF_XML", "N-Quads",
]  # fmt: skip


async def service_description(request: Request, state: State) -> Response:
    """SPARQL 1.1 Service Description of this endpoint and its dataset."""
    accept = request.headers.get("accept")
    if neg.prefers_html(accept):
        return RedirectResponse("/", status_code=303)
    fmt = neg.choose(accept, SD_FORMATS)
    if fmt is None:
        return _not_acceptable("service description", SD_FORMATS)
    config = state.config
    endpoint = str(request.url_for("sparql"))
    languages = ["sd:SPARQL11Query"] + (["sd:SPARQL11Update"] if config.allow_update else [])
    features = ["sd:UnionDefaultGraph"] + (["sd:BasicFederatedQuery"] if config.allow_service else [])
    lines = [
        "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .",
        "@prefix void: <http://rdfs.org/ns/void#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "",
        f"<{endpoint}> a sd:Service ;",
        f"  sd:endpoint <{endpoint}> ;",
        f"  dcterms:title {json.dumps('confkg: security-cooperation conferences in Arabic news')} ;",
        "  dcterms:description "
        + json.dumps(
            f"Read-only SPARQL 1.1 endpoint. Each query may run {config.timeout:g} s and return "
            f"{config.max_rows} rows. The default graph is the union of the named graphs."
        )
        + " ;",
        f"  sd:supportedLanguage {', '.join(languages)} ;",
        f"  sd:feature {', '.join(features)} ;",
        "  sd:resultFormat " + ", ".join(f"<http://www.w3.org/ns/formats/{f}>" for f in W3_FORMATS) + " ;",
    ]
    graphs = await _graphs(state)
    if graphs is not None:
        lines.append("  sd:defaultDataset [ a sd:Dataset ;")
        lines.append(f"    sd:defaultGraph [ a sd:Graph ; void:triples {graphs['default']} ]")
        for name, n in graphs["named"]:
            lines.append(
                f"    ; sd:namedGraph [ a sd:NamedGraph ; sd:name <{name}> ; sd:graph [ a sd:Graph ; void:triples {n} ] ]"
            )
        lines.append("  ] .")
    else:
        lines[-1] = lines[-1].rstrip(" ;") + " ."
    turtle = "\n".join(lines) + "\n"
    if fmt.name == "turtle":
        body = turtle.encode("utf-8")
    else:
        triples = ox.parse(turtle, ox.RdfFormat.TURTLE)
        body = ox.serialize(
            triples,
            format={
                "ntriples": ox.RdfFormat.N_TRIPLES,
                "jsonld": ox.RdfFormat.JSON_LD,
                "rdfxml": ox.RdfFormat.RDF_XML,
            }[fmt.name],
        )
    return Response(body, media_type=fmt.content_type)


# -- linked data and pages -----------------------------------------------------------


FORMAT_PARAM = {
    "html": "text/html",
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "ntriples": "application/n-triples",
    "trig": "application/trig",
    "nquads": "application/n-quads",
    "rdfxml": "application/rdf+xml",
}


def _raw_id_path(request: Request) -> str:
    # The raw path keeps percent-escapes exactly as they are in the IRI.
    raw = request.scope.get("raw_path") or request.url.path.encode()
    return raw.decode("latin-1")[len("/id/") :].split("?", 1)[0]


async def linked_data(request: Request, state: State) -> Response:
    path = _raw_id_path(request)
    iri = ID + path
    try:
        ox.NamedNode(iri)
    except ValueError:
        return _text(404, f"/id/{path} is not an IRI confkg mints")
    accept = request.headers.get("accept")
    vary = {"Vary": "Accept"}
    override = request.query_params.get("format")
    if override:
        # Links on the page cannot set Accept; ?format= stands in for it.
        if override not in FORMAT_PARAM:
            return _text(400, f"format: one of {', '.join(FORMAT_PARAM)}")
        accept = FORMAT_PARAM[override]
    wants_html = neg.prefers_html(accept) or not accept or accept.strip() in ("*/*", "*")
    if not wants_html:
        fmt = neg.choose(accept, neg.GRAPH_FORMATS)
        if fmt is None:
            return _not_acceptable("resource", neg.GRAPH_FORMATS + [("text/html", neg.HTML)])
        try:
            reply = await _run(
                state, {"op": "describe", "iri": iri, "format": fmt.name, "prefixes": PREFIX_MAP}
            )
        except PoolError as exc:
            return _text(exc.status, exc.message)
        if not reply["ok"]:
            return _text(reply["status"], reply["message"], headers=vary)
        return Response(reply["body"], media_type=fmt.content_type, headers=vary)
    try:
        reply = await _run(state, {"op": "entity", "iri": iri})
    except PoolError as exc:
        return render("error.html", exc.status, title="Busy", message=exc.message)
    if not reply["ok"]:
        return render("error.html", reply["status"], title="Error", message=reply["message"])
    entity = reply["entity"]
    if not entity["exists"]:
        return render(
            "error.html", 404, title="Not found", message=f"Nothing is known about <{iri}> in this store."
        )
    response = render("entity.html", e=entity, title=_title(entity), view=EntityHelpers(entity))
    response.headers["Vary"] = "Accept"
    return response


def _title(entity: dict[str, Any]) -> str:
    names = entity["names"].get(entity["iri"], {})
    return names.get("en") or names.get("ar") or names.get("") or short(entity["iri"])


class EntityHelpers:
    """Small display helpers for the entity template."""

    def __init__(self, entity: dict[str, Any]) -> None:
        self.entity = entity

    def names(self, iri: str) -> dict[str, str]:
        return self.entity["names"].get(iri, {})

    def wikidata(self) -> list[str]:
        return [s for s in self.entity["same_as"] if "wikidata.org/" in s]

    def query_link(self) -> str:
        q = f"SELECT ?graph ?p ?o WHERE {{\n  GRAPH ?graph {{ <{self.entity['iri']}> ?p ?o }}\n}}\nORDER BY ?graph ?p"
        return "/?" + urlencode({"query": q})


async def search(request: Request, state: State) -> Response:
    text = request.query_params.get("q", "").strip()
    hits: list[dict[str, Any]] = []
    message = None
    if text:
        try:
            reply = await _run(state, {"op": "search", "text": text[:200], "limit": 200})
            if reply["ok"]:
                hits = reply["hits"]
            else:
                message = reply["message"]
        except PoolError as exc:
            message = exc.message
    return render(
        "search.html", title=f"Search: {text}" if text else "Search", q=text, hits=hits, message=message
    )


async def index(request: Request, state: State) -> Response:
    folder = find_queries_dir(state.config.queries_dir)
    examples = load_examples(folder)
    initial = request.query_params.get("query") or (
        examples[0].text if examples else "SELECT * WHERE { ?s ?p ?o } LIMIT 10"
    )
    payload = json.dumps(
        {
            "examples": [{"name": e.name, "title": e.title, "text": e.text} for e in examples],
            "idBase": ID,
            "prefixes": PREFIX_MAP,
            "timeout": state.config.timeout,
            "maxRows": state.config.max_rows,
        },
        ensure_ascii=False,
    ).replace("</", "<\\/")  # the JSON sits in a <script> data block
    return render(
        "index.html",
        title="Explore",
        examples=examples,
        initial=initial,
        payload=payload,
        config=state.config,
        quads=state.snapshots.quads,
        # The folder's name only: the server's own paths are nobody's business.
        queries_from=f"{folder.name}/" if folder else "built-in examples",
        endpoint_href="/sparql",
    )
