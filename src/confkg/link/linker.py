"""The linker: states the Wikidata item of each organisation, place, official and series in the store.

The lexicon decides first (no network); the online path (label search, then a
type check on the candidates' P31) tries what the lexicon does not know. All
links go into one graph, `id:graph/wikidata-links`, replaced as a whole in one
transaction, so a run states exactly what it found and re-running it changes
nothing. Ambiguous candidates are not linked: they are written to
`{store}/wikidata/review.json` for a person to decide (`confkg link --review`).

A build links again only the entities of the articles it wrote (`subjects=`): their
links and review entries are patched in, the rest stay, as long as the earlier links
were made with the same lexicon and threshold (`{store}/wikidata/state.json`).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from rdflib import OWL, RDF, SKOS, XSD, Graph, Literal, URIRef

from confkg import __version__
from confkg.link.lexicon import Lexicon, label_key, load_lexicon
from confkg.link.wikidata import ItemInfo, SearchHit, WikidataClient, WikidataError, WikidataUnreachable
from confkg.namespaces import CK, ID, LINKS_GRAPH, WD, bind_prefixes, sparql_prologue
from confkg.resolve.iris import short_hash
from confkg.store import KGStore

METHOD_LEXICON = "lexicon"
METHOD_SEARCH = "label-search"
METHOD_TYPED = "label-search+type-check"
DEFAULT_MIN_CONFIDENCE = 0.8

LINK_DIR = "wikidata"
REVIEW_FILE = "review.json"
STATE_FILE = "state.json"  # the lexicon and threshold the links graph was made with
# Entities per query when linking some of them again: well under VALUES_ROWS, as MERGE_CHUNK.
LINK_CHUNK = 500
_READ = object()  # link_store's earlier_state: read the state file
CACHE_FILE = "cache.sqlite"

# A ck:Country is also a ck:Place: the more specific class decides.
KIND_BY_CLASS = {
    CK.Organisation: "organisation",
    CK.Country: "country",
    CK.Place: "city",
    CK.Official: "official",
    CK.ConferenceSeries: "series",
}
# Which lexicon entries an entity of each kind may link to. Officials and
# series have none: a person or a series is only ever found online.
LEXICON_TYPE = {"organisation": "organisation", "country": "country", "city": "city"}
# The P31 (instance of) classes that confirm a candidate's type, from the
# classes confirmed in ../shared/spec/wikidata-qids.md only. Subclasses are not
# followed, so an item typed only by a narrower class is not confirmed (see
# docs/linking.md). A ck:Place that is not a ck:Country is a city or a region,
# so it is never linked to a country, nor a ck:Country to a city.
ACCEPTED_CLASSES: dict[str, frozenset[str]] = {
    "official": frozenset({"Q5"}),
    "organisation": frozenset({"Q43229", "Q327333", "Q35535", "Q484652", "Q245065", "Q192350"}),
    "country": frozenset({"Q6256"}),
    "city": frozenset({"Q515"}),
    "series": frozenset({"Q625994", "Q1656682"}),
}

# Label scores of the online path (before the type factor). Exact means equal
# after normalisation (label_key); an item named exactly in both Arabic and
# English is the strongest evidence a search can give.
SCORE_EXACT_TWO_LANGUAGES = Decimal("0.95")
SCORE_EXACT = Decimal("0.90")
SCORE_ALIAS = Decimal("0.85")
SCORE_PARTIAL = Decimal("0.50")
# A candidate without any P31 cannot be type-checked: it keeps a share of its
# label score, below the default threshold.
UNTYPED_FACTOR = Decimal("0.6")
SEARCH_LIMIT = 7
_ARABIC = re.compile("[\u0600-\u06ff]")


@dataclass
class Entity:
    """A store resource the linker looks at: its kind and every label it is known by."""

    iri: URIRef
    kind: str
    labels: dict[str, list[str]] = field(default_factory=dict)  # language -> rdfs:label / skos:prefLabel
    alt_labels: list[str] = field(default_factory=list)

    def keys(self) -> set[str]:
        names = [n for ns in self.labels.values() for n in ns] + self.alt_labels
        return {k for k in (label_key(n) for n in names) if k}

    def display(self) -> str:
        for lang in ("ar", "en"):
            if self.labels.get(lang):
                return self.labels[lang][0]
        names = [n for ns in self.labels.values() for n in ns] + self.alt_labels
        return names[0] if names else str(self.iri)


@dataclass(frozen=True)
class Link:
    subject: URIRef
    qid: str
    confidence: Decimal
    method: str


@dataclass(frozen=True)
class Candidate:
    """A Wikidata item proposed for an entity and not linked."""

    qid: str
    label: str
    description: str = ""
    confidence: Decimal | None = None
    method: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "qid": self.qid,
            "iri": str(WD[self.qid]),
            "label": self.label,
            "description": self.description,
            "confidence": None if self.confidence is None else str(self.confidence),
            "method": self.method,
        }

    @classmethod
    def from_json(cls, d: dict) -> Candidate:
        conf = d.get("confidence")
        return cls(
            qid=str(d["qid"]),
            label=str(d.get("label", "")),
            description=str(d.get("description", "")),
            confidence=None if conf is None else Decimal(str(conf)),
            method=str(d.get("method", "")),
        )


@dataclass(frozen=True)
class ReviewItem:
    """An entity with several plausible items: a person decides, the linker does not."""

    subject: URIRef
    kind: str
    label: str
    reason: str  # ambiguous | lexicon-ambiguous | lexicon-conflict
    candidates: tuple[Candidate, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "subject": str(self.subject),
            "kind": self.kind,
            "label": self.label,
            "reason": self.reason,
            "candidates": [c.to_json() for c in self.candidates],
        }

    @classmethod
    def from_json(cls, d: dict) -> ReviewItem:
        return cls(
            subject=URIRef(str(d["subject"])),
            kind=str(d.get("kind", "")),
            label=str(d.get("label", "")),
            reason=str(d.get("reason", "")),
            candidates=tuple(Candidate.from_json(c) for c in d.get("candidates", [])),
        )


REASONS = {
    "ambiguous": "several Wikidata items fit equally well",
    "lexicon-ambiguous": "several lexicon entries fit equally well",
    "lexicon-conflict": "its labels name different lexicon entries",
}


@dataclass
class LinkSummary:
    """What one run of the linker did."""

    offline: bool
    min_confidence: Decimal
    entities: int = 0
    links: list[Link] = field(default_factory=list)
    review: list[ReviewItem] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    kept: int = 0  # earlier online links kept (offline run, or the request for the entity failed)
    not_found: int = 0
    wrong_type: int = 0
    below_threshold: int = 0
    requests: int = 0
    review_path: Path | None = None
    partial: bool = False  # only some entities were linked again (link_store's `subjects`)

    def by_method(self) -> dict[str, int]:
        return dict(sorted(Counter(link.method for link in self.links).items()))

    def shared_targets(self) -> dict[str, list[URIRef]]:
        """Items linked from more than one entity: owl:sameAs then makes those entities one."""
        by_qid: dict[str, list[URIRef]] = defaultdict(list)
        for link in self.links:
            by_qid[link.qid].append(link.subject)
        return {q: sorted(s) for q, s in sorted(by_qid.items()) if len(s) > 1}

    def describe(self) -> str:
        """One line for a command's report."""
        methods = ", ".join(f"{n} {m}" for m, n in self.by_method().items()) or "none"
        parts = [f"wikidata: {len(self.links)} of {self.entities} entities linked ({methods})"]
        if self.partial:
            parts[0] = (
                f"wikidata: {len(self.links)} of the {self.entities} entities of the articles written "
                f"linked ({methods}); the store's other entities keep their links"
            )
        if self.kept:
            parts.append(f"{self.kept} kept from an earlier online run")
        if self.review:
            parts.append(f"{len(self.review)} to review (confkg link --review)")
        if not self.offline:
            parts.append(
                f"{self.not_found} not found, {self.wrong_type} of the wrong type, "
                f"{self.below_threshold} below {self.min_confidence}"
            )
        if self.errors:
            parts.append(f"{len(self.errors)} error(s)")
        return "; ".join(parts)


# -- reading the store -----------------------------------------------------------


def read_entities(store: KGStore) -> tuple[list[Entity], list[str]]:
    """The entities to link, with their labels, and a warning for each one whose classes disagree."""
    warnings: list[str] = []
    return list(iter_entities(store, warnings)), warnings


# Each entity's labels by one pattern per label property, not `?s ?p ?label` with ?p listed: that
# reads every triple about ?s, and a country is the subject of thousands (ck:mentionedIn).
# No ORDER BY: Oxigraph sorts IRIs by reading them back from the store, which took 10 of the 12 s
# of listing the 81,000 entities of 20,000 articles; the rows are grouped here instead.
_SUBJECTS_QUERY = """
SELECT ?s WHERE { VALUES ?type { %(types)s } ?s a ?type . FILTER(ISIRI(?s)) }"""

_ENTITY_QUERY = """
SELECT ?s ?type ?p ?label (LANG(?label) AS ?lang) WHERE {
  VALUES ?s { %(subjects)s }
  ?s a ?type .
  FILTER(?type IN (%(types)s))
  OPTIONAL {
    { ?s rdfs:label ?label BIND(rdfs:label AS ?p) }
    UNION { ?s skos:prefLabel ?label BIND(skos:prefLabel AS ?p) }
    UNION { ?s skos:altLabel ?label BIND(skos:altLabel AS ?p) }
    FILTER(ISLITERAL(?label))
  }
}"""


def iter_entities(
    store: KGStore, warnings: list[str], *, subjects: Iterable[URIRef] | None = None
) -> Iterator[Entity]:
    """`read_entities` one entity at a time, in IRI order, appending the warnings to `warnings`;
    with `subjects`, only those of them the store still holds.

    The entities' IRIs are listed first, then read LINK_CHUNK at a time, so memory holds the
    IRIs and one chunk's rows, not every label in the store: `confkg link` links every entity,
    and a store of 20,000 articles holds more than 80,000 officials, organisations and places.
    """
    kind_of = {str(c): kind for c, kind in KIND_BY_CLASS.items()}
    types = [f"<{c}>" for c in KIND_BY_CLASS]
    if subjects is None:
        listed = store.select_values(_SUBJECTS_QUERY % {"types": " ".join(types)})
        ordered = sorted({s for (s,) in listed})
    else:
        ordered = sorted({str(s) for s in subjects})
    for start in range(0, len(ordered), LINK_CHUNK):
        chunk = ordered[start : start + LINK_CHUNK]
        query = _ENTITY_QUERY % {"subjects": " ".join(f"<{s}>" for s in chunk), "types": ", ".join(types)}
        rows: dict[str, list[tuple[str | None, ...]]] = defaultdict(list)
        for row in store.select_values(sparql_prologue() + query):
            rows[row[0]].append(row)
        for s in chunk:
            if s in rows:
                yield from _entity(rows[s], kind_of, warnings)


def _entity(
    rows: list[tuple[str | None, ...]], kind_of: dict[str, str], warnings: list[str]
) -> Iterator[Entity]:
    """The Entity of one subject's rows (none, with a warning, when its classes disagree)."""
    s = URIRef(rows[0][0])
    kinds: set[str] = set()
    labels: dict[str, set[str]] = defaultdict(set)
    alts: set[str] = set()
    for _, cls, prop, label, lang in rows:
        kinds.add(kind_of[cls])
        if label is None:
            continue
        text = label.strip()
        if not text:
            continue
        if prop == str(SKOS.altLabel):
            alts.add(text)
        else:
            labels[lang or ("ar" if _ARABIC.search(text) else "en")].add(text)
    if "country" in kinds:
        kinds.discard("city")
    if len(kinds) != 1:
        warnings.append(f"{s}: typed as {' and '.join(sorted(kinds))}; not linked")
        return
    yield Entity(
        iri=s,
        kind=kinds.pop(),
        labels={lang: sorted(v) for lang, v in sorted(labels.items())},
        alt_labels=sorted(alts),
    )


def read_links(store: KGStore) -> dict[URIRef, Link]:
    """The links the links graph holds now, by subject."""
    return _links_in(store.graph(LINKS_GRAPH))


def _nodes_by_subject(g: Graph) -> dict[URIRef, list[URIRef]]:
    """Every ck:Link node of a links graph, by the subject it is about."""
    out: dict[URIRef, list[URIRef]] = defaultdict(list)
    for node, subject in g.subject_objects(CK.linkSubject):
        if isinstance(subject, URIRef) and isinstance(node, URIRef):
            out[subject].append(node)
    return out


def _links_in(g: Graph) -> dict[URIRef, Link]:
    out: dict[URIRef, Link] = {}
    for node in g.subjects(RDF.type, CK.Link):
        subject = g.value(node, CK.linkSubject)
        target = g.value(node, CK.linkTarget)
        conf = g.value(node, CK.linkConfidence)
        method = g.value(node, CK.linkMethod)
        if not isinstance(subject, URIRef) or not isinstance(target, URIRef) or conf is None:
            continue
        qid = str(target).removeprefix(str(WD))
        try:
            confidence = Decimal(str(conf))
        except ArithmeticError:
            continue
        out[subject] = Link(subject, qid, confidence, str(method or ""))
    return out


# -- the review file ---------------------------------------------------------------


def link_dir(location: str | Path) -> Path:
    """The folder for the linker's cache and review file: inside the store's folder, or, for a
    store that is a SPARQL endpoint, in ./confkg-wikidata/ (not a folder named after the URL)."""
    if str(location).startswith(("http://", "https://")):
        return Path("confkg-wikidata")
    return Path(location) / LINK_DIR


def review_file(store: KGStore) -> Path | None:
    return link_dir(store.location) / REVIEW_FILE if store.location else None


def read_review(path: Path | None) -> list[ReviewItem]:
    """The entries of a review file (none when there is no file)."""
    if path is None or not path.exists():
        return []
    data = json.loads(path.read_text("utf-8"))
    return [ReviewItem.from_json(d) for d in data.get("items", [])]


def write_review(path: Path, items: Iterable[ReviewItem]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "about": "Entities confkg link did not link because several Wikidata items fit; "
        "state the right one in the lexicon (wikidata-lexicon.toml) when its QID is confirmed.",
        "items": [i.to_json() for i in sorted(items, key=lambda i: str(i.subject))],
    }
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", "utf-8")
    tmp.replace(path)


# -- the links graph ---------------------------------------------------------------


def link_iri(subject: URIRef, qid: str) -> URIRef:
    """The IRI of a link's ck:Link node: id:link/{subject path}-{qid}, stable across runs."""
    s = str(subject)
    rest = s[len(str(ID)) :] if s.startswith(str(ID)) else ""
    slug = re.sub(r"[^a-z0-9]+", "-", rest.lower()).strip("-") or short_hash(s)
    return ID[f"link/{slug}-{qid.lower()}"]


def links_graph(links: Iterable[Link]) -> Graph:
    """owl:sameAs for each link, and its ck:Link node with confidence and method."""
    g = Graph()
    bind_prefixes(g)
    for link in links:
        target = WD[link.qid]
        node = link_iri(link.subject, link.qid)
        g.add((link.subject, OWL.sameAs, target))
        g.add((node, RDF.type, CK.Link))
        g.add((node, CK.linkSubject, link.subject))
        g.add((node, CK.linkTarget, target))
        g.add((node, CK.linkConfidence, Literal(link.confidence, datatype=XSD.decimal)))
        g.add((node, CK.linkMethod, Literal(link.method)))
    return g


# -- linking -----------------------------------------------------------------------


def link_store(
    store: KGStore,
    *,
    client: WikidataClient | None = None,
    lexicon: Lexicon | None = None,
    min_confidence: float | Decimal = DEFAULT_MIN_CONFIDENCE,
    review_path: Path | None = None,
    subjects: Iterable[URIRef] | None = None,
    earlier_state: dict | None | object = _READ,
) -> LinkSummary:
    """Link every entity in the store; `client=None` uses the lexicon only.

    Replaces the links graph in one transaction and rewrites the review file
    (`review_path`, by default `{store}/wikidata/review.json`). Raises
    `WikidataUnreachable` before changing anything when Wikidata cannot be
    reached; a request that fails for one entity skips that entity only (its
    earlier link, if any, is kept) and is listed in `summary.errors`.

    Without a client, links an earlier online run found are kept for entities
    the lexicon does not decide, so `confkg build` (offline) does not undo
    `confkg link`.

    With `subjects`, only those entities are linked again: their links (none for one the store
    no longer holds) and review entries replace theirs, the others stay. That holds only if the
    links were made with this lexicon and threshold; when the state file beside the review file
    does not say so, or there is no readable review file, every entity is linked again
    (`summary.partial` tells which was done). A caller that changed article graphs since it
    dropped the state file (`drop_link_state`) passes what it read before as `earlier_state`.
    """
    threshold = Decimal(str(min_confidence))
    lexicon = lexicon if lexicon is not None else load_lexicon()
    if review_path is None:
        review_path = review_file(store)
    state = _state_for(lexicon, threshold)
    if earlier_state is _READ:
        earlier_state = read_link_state(store)
    try:
        earlier_review = read_review(review_path)
        review_ok = review_path is not None and review_path.exists()
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        # The review file is the linker's own output: a damaged one is rewritten, not fatal.
        earlier_review, review_ok = [], False
    # Some entities only when the links and the review file are what a run with this lexicon and
    # threshold left; else every entity, as if none were given.
    partial = subjects is not None and earlier_state == state and review_ok
    only = sorted(set(subjects)) if partial and subjects is not None else None
    summary = LinkSummary(
        offline=client is None, min_confidence=threshold, review_path=review_path, partial=partial
    )
    warnings: list[str] = []
    links_now = store.graph(LINKS_GRAPH)
    previous = _links_in(links_now)
    previous_review = {i.subject: i for i in earlier_review if i.reason == "ambiguous"}
    requests_before = client.requests_sent if client is not None else 0

    for entity in iter_entities(store, warnings, subjects=only):
        summary.entities += 1
        decided = _link_by_lexicon(entity, lexicon, threshold, summary)
        if decided:
            continue
        earlier = previous.get(entity.iri)
        if earlier is not None and earlier.method == METHOD_LEXICON:
            earlier = None  # the lexicon no longer states it
        if client is None:
            if earlier is not None and earlier.confidence >= threshold:
                summary.links.append(earlier)
                summary.kept += 1
            elif entity.iri in previous_review:
                summary.review.append(previous_review[entity.iri])
            continue
        try:
            _link_online(entity, client, threshold, summary)
        except WikidataUnreachable:
            raise  # the whole run stops before anything is written
        except WikidataError as exc:
            summary.errors.append(f"{entity.iri} ({entity.display()}): {exc}")
            # Unchecked this time: what an earlier run said about it still stands.
            if earlier is not None and earlier.confidence >= threshold:
                summary.links.append(earlier)
                summary.kept += 1
            elif entity.iri in previous_review:
                summary.review.append(previous_review[entity.iri])

    summary.errors[:0] = warnings  # the store's own problems first, as they were found first
    if client is not None:
        summary.requests = client.requests_sent - requests_before
    review = summary.review
    # The state file goes first and comes back last: a run that fails between leaves none, and the
    # next one links every entity.
    drop_link_state(store, review_path)
    if only is None:
        store.replace_graphs({LINKS_GRAPH: links_graph(summary.links)})
    else:
        # out: what the graph says about these entities (their owl:sameAs) and their ck:Link nodes
        by_subject = _nodes_by_subject(links_now)
        nodes = [n for s in only for n in by_subject.get(s, ())]
        store.patch_graph(LINKS_GRAPH, delete_subjects=[*only, *nodes], insert=links_graph(summary.links))
        redone = set(only)
        review = [i for i in earlier_review if i.subject not in redone] + summary.review
    if review_path is not None:
        write_review(review_path, review)
        _write_state(review_path, state)
    return summary


def _state_file(review_path: Path) -> Path:
    return review_path.with_name(STATE_FILE)


def _state_for(lexicon: Lexicon, threshold: Decimal) -> dict[str, str]:
    return {"confkg": __version__, "lexicon": lexicon.fingerprint(), "min_confidence": str(threshold)}


def read_link_state(store: KGStore, review_path: Path | None = None) -> dict | None:
    """What the state file says the store's links were made with: None when there is none (or it
    cannot be read), and then the next run links every entity."""
    path = review_path if review_path is not None else review_file(store)
    if path is None:
        return None
    try:
        return json.loads(_state_file(path).read_text("utf-8"))
    except (OSError, ValueError):
        return None


def drop_link_state(store: KGStore, review_path: Path | None = None) -> None:
    """Remove the state file: until a run writes it again, the links are not known to be current.
    `confkg build` and `confkg remove` call this before they change any article graph."""
    path = review_path if review_path is not None else review_file(store)
    if path is not None:
        _state_file(path).unlink(missing_ok=True)


def restore_link_state(store: KGStore, state: dict | None) -> None:
    """Put back a state read before a change that, in the end, changed no article graph."""
    path = review_file(store)
    if path is not None and state is not None:
        _write_state(path, state)


def _write_state(review_path: Path, state: dict[str, str]) -> None:
    path = _state_file(review_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(state) + "\n", "utf-8")
    tmp.replace(path)


def link_offline(
    store: KGStore,
    *,
    min_confidence: float | Decimal = DEFAULT_MIN_CONFIDENCE,
    subjects: Iterable[URIRef] | None = None,
    earlier_state: dict | None | object = _READ,
) -> LinkSummary:
    """Link with the packaged lexicon only, no network: what `confkg build` runs after storing,
    for the entities of the articles it wrote (`subjects`, `earlier_state`; see `link_store`)."""
    return link_store(
        store, client=None, min_confidence=min_confidence, subjects=subjects, earlier_state=earlier_state
    )


def remove_links(store: KGStore, *, review_path: Path | None = None) -> int:
    """Drop the links graph, the review file and the state file; returns how many owl:sameAs links
    there were."""
    count = len(read_links(store))
    path = review_path if review_path is not None else review_file(store)
    drop_link_state(store, path)
    store.remove_graphs([LINKS_GRAPH])
    if path is not None:
        path.unlink(missing_ok=True)
    return count


def _link_by_lexicon(entity: Entity, lexicon: Lexicon, threshold: Decimal, summary: LinkSummary) -> bool:
    """Link or report the entity from the lexicon; False when the lexicon knows nothing of it."""
    lexicon_type = LEXICON_TYPE.get(entity.kind)
    if lexicon_type is None:
        return False
    match = lexicon.match(lexicon_type=lexicon_type, keys=entity.keys())
    if match is None:
        return False
    if match.entry is not None:
        # The lexicon only holds confirmed QIDs, matched by name and class.
        confidence = Decimal("1.0")
        if confidence >= threshold:
            summary.links.append(Link(entity.iri, match.entry.qid, confidence, METHOD_LEXICON))
        else:
            summary.below_threshold += 1
        return True
    summary.review.append(
        ReviewItem(
            subject=entity.iri,
            kind=entity.kind,
            label=entity.display(),
            reason=match.reason,
            candidates=tuple(
                Candidate(e.qid, f"{e.en} / {e.ar}", e.type, None, METHOD_LEXICON) for e in match.conflicting
            ),
        )
    )
    return True


@dataclass
class _Scored:
    qid: str
    label: str
    description: str
    confidence: Decimal
    method: str


def _link_online(entity: Entity, client: WikidataClient, threshold: Decimal, summary: LinkSummary) -> None:
    """Search the entity's labels, type-check the candidates, and link, report or drop."""
    queries: list[tuple[str, str]] = []
    for lang in ("ar", "en"):
        for text in entity.labels.get(lang, [])[:2]:
            if (text, lang) not in queries:
                queries.append((text, lang))
    if not queries:
        summary.not_found += 1
        return
    hits: dict[str, list[SearchHit]] = defaultdict(list)
    for text, lang in queries:
        for hit in client.search(text, language=lang, limit=SEARCH_LIMIT):
            hits[hit.qid].append(hit)
    if not hits:
        summary.not_found += 1
        return
    items = client.get_items(hits, languages=("ar", "en"))
    accepted = ACCEPTED_CLASSES[entity.kind]
    keys = entity.keys()
    scored: list[_Scored] = []
    wrong_type = False
    for asked, found in hits.items():
        info = items.get(asked)
        if info is None:
            continue
        score = _label_score(keys, info, found)
        if not info.instance_of:
            confidence, method = (score * UNTYPED_FACTOR).quantize(Decimal("0.01")), METHOD_SEARCH
        elif info.instance_of & accepted:
            confidence, method = score, METHOD_TYPED
        else:
            wrong_type = True
            continue
        label = info.labels.get("ar") or info.labels.get("en") or found[0].label
        scored.append(_Scored(info.qid, label, found[0].description, confidence, method))
    if not scored:
        if wrong_type:
            summary.wrong_type += 1
        else:
            summary.not_found += 1
        return
    # One candidate per item (a redirect and its target are one item).
    best: dict[str, _Scored] = {}
    for s in scored:
        if s.qid not in best or s.confidence > best[s.qid].confidence:
            best[s.qid] = s
    ranked = sorted(best.values(), key=lambda s: (-s.confidence, int(s.qid[1:])))
    top = ranked[0]
    tied = [s for s in ranked if s.confidence == top.confidence]
    if top.confidence < threshold:
        summary.below_threshold += 1
    elif len(tied) > 1:
        summary.review.append(
            ReviewItem(
                subject=entity.iri,
                kind=entity.kind,
                label=entity.display(),
                reason="ambiguous",
                candidates=tuple(
                    Candidate(s.qid, s.label, s.description, s.confidence, s.method) for s in tied
                ),
            )
        )
    else:
        summary.links.append(Link(entity.iri, top.qid, top.confidence, top.method))


def _label_score(keys: set[str], info: ItemInfo, hits: list[SearchHit]) -> Decimal:
    """How well the item's names match the entity's: exact in two languages, one, an alias, or partly."""
    exact_languages = {lang for lang, label in info.labels.items() if label_key(label) in keys}
    for h in hits:
        if h.match_type == "label" and label_key(h.match_text) in keys:
            exact_languages.add(h.match_language)
    if len(exact_languages) >= 2:
        return SCORE_EXACT_TWO_LANGUAGES
    if exact_languages:
        return SCORE_EXACT
    if any(h.match_type == "alias" and label_key(h.match_text) in keys for h in hits):
        return SCORE_ALIAS
    return SCORE_PARTIAL
