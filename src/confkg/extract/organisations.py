"""Organisations: gazetteer names and abbreviations, national bodies, and unlisted ones by their head word."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from confkg.extract.doc import STOP, Doc
from confkg.extract.gazetteer import UnlistedBodies
from confkg.extract.places import PlaceMention, home_country
from confkg.resolve.iris import slugify
from confkg.text.normalize import name_key, normalize, stems, strip_article
from confkg.text.phrases import without_proclitics


@dataclass
class OrgMention:
    key: str
    first: int
    last: int
    sentence: int
    surface: str
    name_ar: str
    name_en: str | None
    country: str | None = None


def find_organisations(doc: Doc, places: list[PlaceMention]) -> list[OrgMention]:
    gaz = doc.gaz
    out: list[OrgMention] = []
    covered: set[int] = set()
    place_at = {p.first: p for p in places}
    article_countries = Counter(
        (gaz.places[p.key].key if gaz.places[p.key].is_country else gaz.places[p.key].country) for p in places
    )

    # national bodies first: "وزارة الداخلية الفرنسية" must not become a bare ministry
    home = home_country(doc, places)
    for m in doc.find(gaz.national_index):
        country, last = _country_after(doc, m.last, place_at)
        if country is None:
            # "بالتعاون مع وزارة الداخلية" in an Egyptian paper: the state the article is about
            country = home
        covered.update(range(m.first, last + 1))
        if country is not None:
            out.append(_national(doc, m.value, country, m.first, last))

    for m in doc.find(gaz.org_index):
        if m.first in covered or m.last in covered:
            continue
        key = _choose(doc, m.value, article_countries)
        entry = gaz.orgs[key]
        out.append(
            OrgMention(
                key, m.first, m.last, doc.sentence_of(m.first), m.surface, entry.ar, entry.en, entry.country
            )
        )
        covered.update(range(m.first, m.last + 1))

    last_seen: dict[str, int] = {}
    for o in out:
        last_seen[o.key] = max(last_seen.get(o.key, -1), o.first)
    for m in doc.find(gaz.context_index):
        if m.first in covered or m.last in covered:
            continue
        # the body it belongs to: among those the article names, the one named nearest to it
        options = [(key, req) for key, req in m.value if req in last_seen and key in gaz.orgs]
        if not options:
            continue
        key, _ = min(options, key=lambda o: min(abs(x.first - m.first) for x in out if x.key == o[1]))
        entry = gaz.orgs[key]
        out.append(
            OrgMention(
                key, m.first, m.last, doc.sentence_of(m.first), m.surface, entry.ar, entry.en, entry.country
            )
        )
        covered.update(range(m.first, m.last + 1))

    # the tokens to look at: those a word's key (the word without ال) points to, not every token
    for t in doc.tokens_keyed(gaz.abbreviation_keys):
        if t.index in covered:
            continue
        key = gaz.abbreviations.get(t.norm.lower())
        if key:
            entry = gaz.orgs[key]
            out.append(
                OrgMention(
                    key,
                    t.index,
                    t.index,
                    doc.sentence_of(t.index),
                    doc.surface(t.index, t.index),
                    entry.ar,
                    entry.en,
                    entry.country,
                )
            )
            covered.add(t.index)

    # bodies no entry lists, by the form of their name (organisations.toml [unlisted])
    heads = gaz.unlisted.heads
    for t in doc.tokens_keyed(gaz.unlisted.head_keys):
        if t.index in covered or heads.isdisjoint(stems(t.norm)):
            continue
        if _is_adjective(doc, t.index):
            continue
        last = _complement_end(doc, t.index, covered, place_at)
        if last is None:
            continue
        surface = without_proclitics(doc.surface(t.index, last))
        if normalize(surface) == normalize(doc.surface(t.index, last)) and t.norm[:1] in "وبلفك":
            # "بوزارة …": a one-letter proclitic before an indefinite head
            for st in stems(t.norm)[1:]:
                if st in heads:
                    surface = without_proclitics(doc.surface(t.index, last), st)
                    break
        name = surface
        out.append(
            OrgMention(
                slugify(name_key(name)) or "org",
                t.index,
                last,
                doc.sentence_of(t.index),
                surface,
                name,
                None,
            )
        )
        covered.update(range(t.index, last + 1))

    out.sort(key=lambda o: o.first)
    return out


def _choose(doc: Doc, keys: tuple[str, ...], votes: Counter) -> str:
    """One organisation for a name two states share (المديرية العامة للأمن الوطني)."""
    if len(keys) == 1:
        return keys[0]
    return max(keys, key=lambda k: (votes.get(doc.gaz.orgs[k].country, 0), -keys.index(k)))


def _country_after(doc: Doc, last: int, place_at: dict[int, PlaceMention]) -> tuple[str | None, int]:
    """The state a national body belongs to: "الفرنسية", "بالمغرب", "في تونس", "المصرية"."""
    nxt = last + 1
    if nxt >= len(doc.tokens) or doc.breaks_after(last):
        return None, last
    p = place_at.get(nxt)
    if p is None and doc.tokens[nxt].norm in ("في", "ب") and nxt + 1 < len(doc.tokens):
        p = place_at.get(nxt + 1)
    if p is None:
        return None, last
    entry = doc.gaz.places[p.key]
    country = entry.key if entry.is_country else entry.country
    return country, p.last


def _national(doc: Doc, template_key: str, country: str, first: int, last: int) -> OrgMention:
    gaz = doc.gaz
    t = gaz.nationals[template_key]
    c = gaz.places[country]
    return OrgMention(
        f"{template_key}-{country}",
        first,
        last,
        doc.sentence_of(first),
        doc.surface(first, last),
        f"{t.ar} ({c.ar})",
        t.en.format(country=c.en),
        country,
    )


def national_from_title(doc: Doc, template_key: str, country: str, title: str) -> OrgMention:
    """The national body a title names ("وزير الداخلية التونسي"): no span of its own."""
    m = _national(doc, template_key, country, 0, 0)
    m.first = m.last = m.sentence = -1
    m.surface = m.name_ar
    return m


def _is_adjective(doc: Doc, i: int) -> bool:
    """ "الجريمة المنظمة": a head word right after a definite noun is its adjective, not a body."""
    if i == 0 or doc.breaks_after(i - 1):
        return False
    here = doc.tokens[i].norm
    prev = doc.tokens[i - 1].norm
    return here.startswith("ال") and prev.startswith(("ال", "وال", "بال", "لل")) and prev not in STOP


def _complement_end(doc: Doc, head: int, covered: set[int], place_at: dict) -> int | None:
    """The last token of "HEAD + complements", or None when the head stands alone.

    Arabic names of bodies are a head and its complements: after an indefinite head a
    construct ("إدارة الكوارث"، "جامعة نايف")، after a definite head adjectives
    ("الهيئة الوطنية") and ل/ب phrases ("لمكافحة الفساد"). A definite word that does not
    look like an adjective starts a new phrase ("الجمعية العامة | الدول الأعضاء").
    """
    toks = doc.tokens
    words = doc.gaz.unlisted
    head_definite = any(f.startswith("ال") for f in stems(toks[head].norm)[:3])
    named_after = any(strip_article(f) in words.named_after for f in stems(toks[head].norm))
    last = head
    i = head + 1
    n_complements = 0
    in_phrase = False  # inside a ل/ب phrase, any definite word may follow
    while i < len(toks) and i - head <= 7:
        if doc.breaks_after(i - 1) or not doc.kept(i) or doc.sentence_of(i) != doc.sentence_of(head):
            break
        w = toks[i].norm
        if w in STOP or i in covered or w in words.not_complements:
            break
        p = place_at.get(i)
        if p is not None and not p.via_adjective and w[:1] in "بف":
            break  # "المديرية بالرباط": where it is, not what it is called
        first = i == head + 1
        given = w in doc.gaz.given_names
        if given and not (first and named_after and not head_definite):
            break
        prep = w.startswith(("لل", "بال")) or (
            w[:1] in "لب"
            and i + 1 < len(toks)
            and toks[i + 1].norm.startswith("ال")
            and not doc.breaks_after(i)
        )
        if w.startswith("و"):
            if not (w.startswith(("وال", "ولل")) and (in_phrase or _adjective_like(w[1:], words))):
                break
        elif prep:
            in_phrase = True
        elif w.startswith("ال"):
            if not (in_phrase or _adjective_like(w, words) or (first and not head_definite)):
                break
        elif not (first and not head_definite and (given or p is not None)):
            break  # an indefinite word continues only a construct with a name ("جامعة نايف"، "مكتب بيروت")
        last = i
        if w not in words.bare_adjectives:
            n_complements += 1
        i += 1
    if n_complements == 0:
        return None
    return last


def _adjective_like(w: str, words: UnlistedBodies) -> bool:
    """A definite word that can be an adjective: a nisba (الوطنية، الأمني) or a known one."""
    return w in words.bare_adjectives or w.endswith(("ي", "يه", "يين", "يون")) or w in words.adjectives
