"""Officials: people named with a role, in every shape the news uses.

"NAME، ROLE"، "ROLE، NAME"، "ROLE NAME", with or without an honorific (السيد،
اللواء، معالي …) before the name. A role is a title head (المدير العام، وزير،
رئيس …) and its complements up to the name or the next comma. Later short
mentions of the same person ("الحموشي", "بن علي كومان") are aliases.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from confkg.extract.doc import STOP, Doc
from confkg.extract.organisations import OrgMention, national_from_title
from confkg.extract.places import PlaceMention, home_country
from confkg.models import Evidence, Official, Position
from confkg.text.normalize import name_key, normalize, stems, strip_article
from confkg.text.phrases import first_readings


@dataclass
class Span:
    first: int
    last: int


@dataclass
class OfficialMention:
    key: str
    first: int
    last: int
    sentence: int


@dataclass
class _Found:
    key: str
    name: str
    positions: list[Position] = field(default_factory=list)
    affiliations: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    country: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    extra_orgs: list[OrgMention] = field(default_factory=list)


_MAX_NAME = 10
_MAX_TITLE = 14


def _is_given(doc: Doc, i: int) -> bool:
    w = doc.tokens[i].norm
    if w in ("علي", "وعلي") and doc.surface(i, i).endswith("ى"):
        # "على" (on) folds to the name "علي" for matching; written with ى it is the preposition
        return False
    if w in doc.gaz.given_names:
        return True
    if w[:1] == "و" and w[1:] in doc.gaz.given_names and i > 0 and not doc.breaks_after(i - 1):
        return True  # "… ومحمد بن علي كومان": a name after "و"
    if w == "عبد" and i + 1 < len(doc.tokens):
        return True
    return w.startswith("عبد") and len(w) > 4


def find_officials(
    doc: Doc, places: list[PlaceMention], orgs: list[OrgMention]
) -> tuple[list[Official], list[OfficialMention], list[OrgMention]]:
    """Officials of the article, every mention of each, and national bodies their titles name."""
    gaz = doc.gaz
    toks = doc.tokens
    honorific_end = {m.last: m for m in doc.find(gaz.honorifics)}
    honorific_tokens = {i for m in honorific_end.values() for i in range(m.first, m.last + 1)}
    head_at = {m.first: m for m in doc.find(gaz.position_heads)}
    place_at = {p.first: p for p in places}
    org_tokens = {i: o for o in orgs for i in range(o.first, o.last + 1)}

    org_end = {o.first: o.last for o in orgs if o.first >= 0}
    titles = [
        t for t in (_title(doc, m.first, m.last, honorific_tokens, org_end) for m in head_at.values()) if t
    ]
    titles = _drop_nested(titles)
    title_tokens = {i for t in titles for i in range(t.first, t.last + 1)}

    names: list[tuple[Span, bool]] = []  # (span, introduced by an honorific)
    sent_of = doc.sent_of_token
    given = gaz.given_names
    # the tokens _is_given can say yes to, by their words: most words are none of these
    starts = sorted(
        i
        for w, at in doc.nt.word_positions().items()
        if w in given or w[:1] == "و" or w.startswith("عبد")
        for i in at
    )
    after = 0  # a name ends before the next one starts
    for i in starts:
        if i < after or sent_of[i] < 0 or i in title_tokens or i in honorific_tokens:
            continue
        if _is_given(doc, i):
            span = _name(doc, i, head_at, honorific_tokens, org_tokens)
            if span:
                names.append((span, (i - 1) in honorific_end))
                after = span.last + 1

    found: dict[str, _Found] = {}
    mentions: list[OfficialMention] = []
    used_titles: set[int] = set()
    extra_orgs: list[OrgMention] = []
    for span, by_honorific in names:
        title = _adjacent_title(doc, span, titles, used_titles, honorific_tokens)
        surface = doc.surface(span.first, span.last)
        if toks[span.first].norm[:1] == "و" and toks[span.first].norm not in gaz.given_names:
            surface = surface[1:]  # the conjunction is not part of the name
        key = name_key(surface)
        single = span.last == span.first
        if title is None and (single or not by_honorific) and key not in found:
            continue
        sent = doc.sentence_of(span.first)
        f = found.get(key) or _merge_short(found, key)
        if f is None:
            f = found[key] = _Found(key, surface)
        elif surface != f.name and surface not in f.aliases:
            if len(surface.split()) > len(f.name.split()):
                f.aliases.append(f.name)
                f.name = surface
            else:
                f.aliases.append(surface)
        ev = doc.evidence(sent)
        if ev not in f.evidence:
            f.evidence.append(ev)
        mentions.append(OfficialMention(f.key, span.first, span.last, sent))
        if title is not None:
            used_titles.add(title.first)
            pos, orgs_in_title, national = _position(doc, title, orgs, place_at)
            if national is not None:
                extra_orgs.append(national)
            if all(normalize(p.title_ar) != normalize(pos.title_ar) for p in f.positions):
                pos.evidence = ev
                f.positions.append(pos)
            for o in orgs_in_title:
                if o not in f.affiliations:
                    f.affiliations.append(o)
            if f.country is None and pos.organisation_key:
                f.country = _org_country(doc, pos.organisation_key, orgs, extra_orgs)

    _short_mentions(doc, found, mentions)
    # the identity is the fullest form written, whichever form came first
    final = {f.key: name_key(f.name) for f in found.values()}
    for f in found.values():
        f.key = final[f.key]
    for m in mentions:
        m.key = final.get(m.key, m.key)
    officials = [
        Official(
            key=f.key,
            name_ar=f.name,
            aliases=f.aliases,
            positions=f.positions,
            affiliations=f.affiliations,
            country_key=f.country,
            evidence=f.evidence,
        )
        for f in found.values()
    ]
    mentions.sort(key=lambda m: m.first)
    return officials, mentions, extra_orgs


def _merge_short(found: dict[str, _Found], key: str) -> _Found | None:
    """A shorter or longer form of a name already found in the article.

    "بن علي كومان" ~ "محمد بن علي كومان" (the tail of it); "طارق الشريف" ~ "طارق فؤاد
    الشريف" (same first and family name, the middle left out). Two people who share
    only a family name ("نبيل الشريف", "طارق الشريف") stay apart.
    """
    parts = key.split()
    for f in found.values():
        fparts = f.key.split()
        if len(parts) < 2 or len(fparts) < 2:
            continue
        short, long_ = sorted((parts, fparts), key=len)
        if long_[-len(short) :] == short:
            return f
        if short[0] == long_[0] and short[-1] == long_[-1] and _subsequence(short, long_):
            return f
    return None


def _subsequence(short: list[str], long_: list[str]) -> bool:
    it = iter(long_)
    return all(any(w == x for x in it) for w in short)


def _name(doc: Doc, i: int, head_at: dict, honorific_tokens: set[int], org_tokens: dict) -> Span | None:
    """A personal name from token i: given names and particles, then one family name.

    "محمد بن علي كومان", "عبد اللطيف حموشي", "سيف بن زايد آل نهيان", "أحمد ناصر الرئيسي":
    the name runs through given names (عبد + next counts as one), a particle (بن، آل،
    أبو، ولد) takes the word after it, and the first other word is the family name,
    which ends the name. It never crosses punctuation, a title, an organisation or a verb.
    """
    toks = doc.tokens
    gaz = doc.gaz
    last = i
    j = i
    after_particle = False
    while j < len(toks) and j - i < _MAX_NAME and doc.kept(j):
        w = toks[j].norm
        if j > i:
            if doc.breaks_after(j - 1) or j in head_at or j in honorific_tokens or j in org_tokens:
                break
            if (w in STOP or any(s in STOP for s in stems(w)[:1])) and not after_particle:
                break
            if (
                w.startswith(("و", "لل", "بال", "وال"))
                and w not in gaz.given_names
                and w not in gaz.particles
                and not after_particle
            ):
                break
            if doc.has_word(j, _verbs(doc)):
                break
        elif w in STOP:
            return None
        last = j
        if w in gaz.particles:
            after_particle = True
        elif w in ("عبد", "ابو") and j + 1 < len(toks):
            after_particle = True  # عبد + next word is one given name
        elif after_particle or j == i or w in gaz.given_names or w in gaz.compound_tails:
            after_particle = False
        elif _more_name_follows(doc, j, head_at, honorific_tokens, org_tokens):
            after_particle = False  # "محمد الأمين ولد …", "عبد الستار جبار الربيعي": not the end yet
        else:
            break  # a family name ends the name
        j += 1
    # a name does not end on a particle ("محمد بن")
    while last > i and toks[last].norm in gaz.particles:
        last -= 1
    return Span(i, last)


def _more_name_follows(doc: Doc, j: int, head_at: dict, honorific_tokens: set[int], org_tokens: dict) -> bool:
    """Whether the name goes on after token j, which would otherwise be the family name.

    It does before a particle ("محمد الأمين ولد أحمد سالم"), and an indefinite father's
    name goes on to a definite family name ("عبد الستار جبار الربيعي"), as does a
    family name in two parts ("عبدالعزيز فيصل السالم الصباح").
    """
    k = j + 1
    if (
        k >= len(doc.tokens)
        or doc.breaks_after(j)
        or k in head_at
        or k in honorific_tokens
        or k in org_tokens
    ):
        return False
    nxt = doc.tokens[k].norm
    if nxt in STOP or doc.has_word(k, _verbs(doc)):
        return False
    if nxt in doc.gaz.particles - {"ال"}:
        return True
    here_definite = doc.tokens[j].norm.startswith("ال")
    if (
        nxt.startswith("ال")
        and not nxt.startswith(("الي", "الى"))
        and not doc.tokens[j].norm.startswith("ال")
    ):
        return True
    if here_definite and nxt.startswith("ال") and j > 0 and not doc.tokens[j - 1].norm.startswith("ال"):
        # two definite words in a row: a two-part family name ("السالم الصباح"), unless the
        # second is a nationality ("الرئيسي الإماراتي")
        return doc.gaz.adjective_index.lookup(nxt) is None
    return False


def _verbs(doc: Doc) -> frozenset[str]:
    return doc.gaz.event_verbs


def _title(
    doc: Doc, first: int, head_last: int, honorific_tokens: set[int], org_end: dict[int, int]
) -> Span | None:
    """The extent of a position title that starts with a head word at `first`.

    A title runs through its complements; an organisation named inside it is taken whole,
    even when its name holds a person's ("رئيس جامعة نايف العربية للعلوم الأمنية").
    A two-word head stands alone ("الأمين العام، محمد بن علي كومان").
    """
    toks = doc.tokens
    last = head_last
    j = head_last + 1
    complements = 1 if head_last > first else 0
    while j < len(toks) and j - first < _MAX_TITLE and doc.kept(j):
        if doc.breaks_after(j - 1) or j in honorific_tokens:
            break
        if j in org_end and doc.sentence_of(org_end[j]) == doc.sentence_of(j):
            last = org_end[j]
            complements += 1
            j = last + 1
            continue
        if _is_given(doc, j):
            break
        w = toks[j].norm
        if w in STOP:
            break
        forms = stems(w)
        definite = any(f.startswith("ال") for f in forms) or w.startswith(("لل", "بال", "وال", "ولل"))
        construct = not definite and _construct_head(doc, j)
        another_head = w.startswith("و") and any(f in _heads(doc) for f in forms)
        if definite or construct or another_head:
            if doc.has_word(j, _verbs(doc)) and not definite:
                break
            last = j
            complements += 1
            j += 1
            continue
        break
    if complements == 0:
        return None
    return Span(first, last)


def _construct_head(doc: Doc, j: int) -> bool:
    """An indefinite noun that opens a construct chain ending in a definite one ("لمجلس وزراء الداخلية")."""
    toks = doc.tokens
    for k in (j + 1, j + 2):
        if k >= len(toks) or doc.breaks_after(k - 1) or toks[k].norm in STOP:
            return False
        if any(f.startswith("ال") for f in stems(toks[k].norm)):
            return True
    return False


def _heads(doc: Doc) -> frozenset[str]:
    return doc.gaz.position_head_words


def _drop_nested(titles: list[Span]) -> list[Span]:
    titles.sort(key=lambda t: (t.first, -(t.last - t.first)))
    out: list[Span] = []
    for t in titles:
        if out and t.first <= out[-1].last:
            continue
        out.append(t)
    return out


def _adjacent_title(
    doc: Doc, name: Span, titles: list[Span], used: set[int], honorific_tokens: set[int]
) -> Span | None:
    before = after = None
    for t in titles:
        if t.first in used:
            continue
        if t.last < name.first and doc.sentence_of(t.last) == doc.sentence_of(name.first):
            between = range(t.last + 1, name.first)
            if all(k in honorific_tokens for k in between) and _light_gap(doc, t.last):
                before = t
        if t.first > name.last and doc.sentence_of(t.first) == doc.sentence_of(name.last):
            if t.first == name.last + 1 and _light_gap(doc, name.last):
                after = t
    return before or after


def _light_gap(doc: Doc, i: int) -> bool:
    gap = doc.gap(i).strip()
    return gap in ("", "،", ",")


def _position(
    doc: Doc, title: Span, orgs: list[OrgMention], place_at: dict[int, PlaceMention]
) -> tuple[Position, list[str], OrgMention | None]:
    gaz = doc.gaz
    text = doc.surface(title.first, title.last)
    inside = [o for o in orgs if o.first >= title.first and o.last <= title.last]
    org_keys = [o.key for o in inside]
    national = None
    head = gaz.head_titles.match_at(doc.tokens, title.first)
    org_key: str | None = None
    if head is not None:
        keys, head_last = head
        nationals = [k for k in keys if k.startswith("national:")]
        listed = [k for k in keys if not k.startswith("national:")]
        if nationals:
            country = _country_in(doc, head_last + 1, title.last, place_at) or home_country(
                doc, list(place_at.values())
            )
            if country:
                national = national_from_title(doc, nationals[0].split(":", 1)[1], country, text)
                org_key = national.key
        if org_key is None and listed:
            org_key = _pick_listed(doc, listed, orgs, place_at)
    if org_key is None and org_keys:
        org_key = org_keys[0]
    if org_key and org_key not in org_keys:
        org_keys.insert(0, org_key)
    return Position(title_ar=text, organisation_key=org_key), org_keys, national


def _country_in(doc: Doc, first: int, last: int, place_at: dict[int, PlaceMention]) -> str | None:
    for k in range(first, last + 1):
        p = place_at.get(k)
        if p is not None:
            e = doc.gaz.places[p.key]
            return e.key if e.is_country else e.country
    return None


def _pick_listed(doc: Doc, keys: list[str], orgs: list[OrgMention], place_at: dict) -> str:
    if len(keys) == 1:
        return keys[0]
    mentioned = {o.key for o in orgs}
    for k in keys:
        if k in mentioned:
            return k
    countries = [doc.gaz.places[p.key] for p in place_at.values()]
    votes = {}
    for e in countries:
        c = e.key if e.is_country else e.country
        votes[c] = votes.get(c, 0) + 1
    return max(keys, key=lambda k: votes.get(doc.gaz.orgs[k].country, 0))


def _org_country(doc: Doc, key: str, orgs: list[OrgMention], extra: list[OrgMention]) -> str | None:
    entry = doc.gaz.orgs.get(key)
    if entry is not None:
        return entry.country
    for o in (*orgs, *extra):
        if o.key == key:
            return o.country
    return None


def _short_mentions(doc: Doc, found: dict[str, _Found], mentions: list[OfficialMention]) -> None:
    """Family-name-only mentions ("الحموشي", "كومان") of a person named in full earlier."""
    by_family: dict[str, list[_Found]] = {}
    for f in found.values():
        parts = f.key.split()
        if len(parts) >= 2:
            by_family.setdefault(parts[-1], []).append(f)
    taken = {k for m in mentions for k in range(m.first, m.last + 1)}
    # the tail of a long name ("بن علي كومان" for "محمد بن علي كومان")
    tails: list[tuple[list[str], _Found]] = []
    for f in found.values():
        words = f.name.split()
        for n in range(len(words) - 1, 1, -1):
            tails.append((words[-n:], f))
    tails.sort(key=lambda t: -len(t[0]))
    tail_first = {strip_article(normalize(w[0])) for w, _ in tails}
    # the tokens to look at: those a word's key (the word without ال) points to, not every token
    for t in doc.tokens_keyed(tail_first):
        if t.index in taken or strip_article(t.norm) not in tail_first:
            continue
        for words, f in tails:
            last = t.index + len(words) - 1
            if last >= len(doc.tokens) or any(k in taken for k in range(t.index, last + 1)):
                continue
            surface = doc.surface(t.index, last)
            if name_key(surface) == name_key(" ".join(words)) and doc.sentence_of(last) == doc.sentence_of(
                t.index
            ):
                if surface != f.name and surface not in f.aliases:
                    f.aliases.append(surface)
                sent = doc.sentence_of(t.index)
                mentions.append(OfficialMention(f.key, t.index, last, sent))
                taken.update(range(t.index, last + 1))
                ev = doc.evidence(sent)
                if ev not in f.evidence:
                    f.evidence.append(ev)
                break
    for t in doc.tokens_keyed(by_family):
        if t.index in taken:
            continue
        for family, s in first_readings(t.norm):  # each reading without ال, and its first stem
            people = by_family.get(family)
            if people and len(people) == 1 and len(family) >= 3:
                f = people[0]
                surface = doc.surface(t.index, t.index)
                # keep the clitic off the alias: "وأكد الحموشي" -> الحموشي, "لكومان" -> كومان
                alias = surface[len(surface) - len(s) :] if len(s) <= len(surface) else surface
                if alias != f.name and alias not in f.aliases:
                    f.aliases.append(alias)
                sent = doc.sentence_of(t.index)
                mentions.append(OfficialMention(f.key, t.index, t.index, sent))
                ev = doc.evidence(sent)
                if ev not in f.evidence:
                    f.evidence.append(ev)
                break
