"""Conferences: mentions (head + edition + series), then what the article says about each.

A mention is a head word (المؤتمر، الدورة، الملتقى، الجمعية العامة …), an
optional edition (digits or ordinal words), and a series: a name from the
series gazetteer ("لقادة الشرطة والأمن العرب"), an organisation that names its
own sessions ("الدورة 93 للإنتربول"), an organ of one ("للجمعية العامة
للمنظمة الدولية للشرطة الجنائية"), or, for a series no list knows, the
ل-phrase that follows the edition. Sentences that mention a conference, or
refer back to it ("هذا المؤتمر", "الاجتماع"), give its place, dates,
organisers, patron, opener, chair, participants and themes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from confkg.extract.doc import STOP, Doc
from confkg.extract.officials import OfficialMention
from confkg.extract.organisations import OrgMention
from confkg.extract.places import PlaceMention
from confkg.models import Conference, DateClues
from confkg.resolve.iris import conference_key, slugify
from confkg.text.dates import DateMention, find_durations, find_years, on_publication
from confkg.text.normalize import name_key, normalize, stems, strip_article
from confkg.text.numbers import read_count, read_ordinal
from confkg.text.phrases import without_proclitics


@dataclass
class ConfMention:
    series_key: str
    series_ar: str
    series_en: str | None
    edition: int | None
    head: str
    first: int
    last: int
    sentence: int
    surface: str


@dataclass
class _Conf:
    series_key: str
    series_ar: str
    series_en: str | None
    edition: int | None
    head: str
    mentions: list[ConfMention] = field(default_factory=list)
    sentences: set[int] = field(default_factory=set)  # explicit mentions
    refs: set[int] = field(default_factory=set)  # anaphoric references
    ref_tokens: list[tuple[int, int]] = field(default_factory=list)  # (sentence, token)
    announced: bool = False


_DEMONSTRATIVES = {"هذا", "هذه", "ذلك", "تلك"}
_LOCATIVE = ("ب", "في", "بمدينه", "مدينه")


def find_mentions(doc: Doc, orgs: list[OrgMention]) -> list[ConfMention]:
    gaz = doc.gaz
    toks = doc.tokens
    org_at = {o.first: o for o in orgs}
    adjectives = {normalize(a) for a in gaz.trigger_words.get("head_adjectives", [])}
    out: list[ConfMention] = []
    consumed: set[int] = set()
    head_at = {h.first: h for h in doc.trigger_hits("heads")}
    for m in doc.trigger_hits("heads"):
        if m.first in consumed:
            continue
        head = m.value
        j = m.last + 1
        adj: list[int] = []
        nationalities: list[int] = []
        while j < len(toks) and len(adj) < 4 and not doc.breaks_after(j - 1):
            if toks[j].norm in adjectives:
                adj.append(j)
            elif toks[j].norm.startswith("ال") and gaz.adjective_index.lookup(toks[j].norm) is not None:
                adj.append(j)  # "الاجتماع الأمني المغربي الإسباني"
                nationalities.append(j)
            else:
                break
            j += 1
        edition = None
        if j < len(toks) and not doc.breaks_after(j - 1):
            hit = read_ordinal(toks, j)
            if hit and 1 <= hit[0] <= 500 and doc.sentence_of(hit[1]) == doc.sentence_of(m.first):
                edition, j = hit[0], hit[1] + 1
        if j < len(toks) and toks[j].norm == "من" and edition is not None:
            j += 1
        inner = head_at.get(j)
        # a listed series first (its name may begin with a head: "للمؤتمر الإقليمي الأفريقي للإنتربول"),
        # then "الدورة الثالثة والعشرون لمؤتمر رؤساء …" (the session of a named conference),
        # then a series no list knows
        found = _series_at(doc, j, head, m.first, org_at, adj, edition, generic=False)
        if found is None and inner is not None and edition is not None:
            found = _series_at(doc, inner.last + 1, inner.value, inner.first, org_at, [], edition, inner=True)
        if found is None and adj:
            named = gaz.series_names.lookup(" ".join(doc.surface(k, k) for k in (m.first, *adj)))
            if named is not None:
                sr = gaz.series[named]
                found = (sr.key, sr.ar, sr.en, j - 1)
        if found is None:
            found = _series_at(doc, j, head, m.first, org_at, adj, edition)
        if found is None and edition is None and nationalities and len(adj) >= 2:
            # a meeting named by what it is, not by a number ("الاجتماع الأمني المغربي الإسباني"),
            # counted only where the sentence says it took place
            s_idx = doc.sentence_of(m.first)
            a, b = doc.sent_tokens[s_idx]
            cues = [x.first for name in ("held", "opening", "closing") for x in doc.trigger_hits(name)]
            if any(a <= x <= b for x in cues) and toks[m.first].norm.startswith(("ال", "وال", "بال", "لل")):
                ar = _clean_surface(doc.surface(m.first, adj[-1]))
                found = ("s-" + slugify(name_key(ar)), ar, None, adj[-1])
        if found is None:
            continue
        key, ar, en, last = found
        surface = _clean_surface(doc.surface(m.first, last))
        out.append(ConfMention(key, ar, en, edition, head, m.first, last, doc.sentence_of(m.first), surface))
        consumed.update(range(m.first, last + 1))
    # a known series named without a head ("الملتقى الأمني الدولي" on its own)
    heads = {h for h in gaz.trigger_words.get("heads", [])}
    for m in doc.find(gaz.series_names):
        if m.first in consumed:
            continue
        if not gaz.series[m.value].standalone and not any(
            strip_article(st) in {strip_article(h.split()[0]) for h in heads}
            for st in stems(doc.tokens[m.first].norm)
        ):
            continue  # "قادة الشرطة والأمن" alone names people, not the conference
        s = gaz.series[m.value]
        out.append(
            ConfMention(
                s.key,
                s.ar,
                s.en,
                None,
                s.heads[0] if s.heads else "",
                m.first,
                m.last,
                doc.sentence_of(m.first),
                _clean_surface(m.surface),
            )
        )
        consumed.update(range(m.first, m.last + 1))
    out.sort(key=lambda c: c.first)
    return out


@lru_cache(maxsize=65536)
def _word_readings(word: str) -> frozenset[str]:
    """A token's word, its readings without proclitics (stems) and their normalised forms."""
    return frozenset({word, *stems(word), *map(normalize, stems(word))})


@lru_cache(maxsize=65536)
def _word_reading_keys(word: str) -> frozenset[str]:
    """The word and its readings without the article ال (strip_article)."""
    return frozenset({strip_article(word), *map(strip_article, stems(word))})


def _series_at(
    doc: Doc,
    j: int,
    head: str,
    head_first: int,
    org_at: dict[int, OrgMention],
    adj: list[int],
    edition: int | None,
    *,
    generic: bool = True,
    inner: bool = False,
) -> tuple[str, str, str | None, int] | None:
    gaz = doc.gaz
    toks = doc.tokens
    if j >= len(toks) or doc.sentence_of(j) != doc.sentence_of(head_first):
        return None
    if j > 0 and doc.breaks_after(j - 1) and doc.gap(j - 1).strip() not in ("(",):
        return None
    hit = gaz.series_names.match_at(toks, j)
    if hit is not None:
        s = gaz.series[hit[0]]
        return s.key, s.ar, s.en, hit[1]
    # an organ of an organisation: "للجمعية العامة للمنظمة الدولية للشرطة الجنائية"
    for org_key, bodies in gaz.series_bodies.items():
        for body, skey in bodies:
            words = body.split()
            if j + len(words) < len(toks) and all(
                w in _word_readings(toks[j + k].norm) for k, w in enumerate(words)
            ):
                o = org_at.get(j + len(words))
                if o is not None and o.key == org_key:
                    s = gaz.series[skey]
                    return s.key, s.ar, s.en, o.last
    named_orgs = {x.key for x in org_at.values()}
    for org_key, bodies in gaz.series_bodies.items():
        if org_key not in named_orgs:
            continue
        for body, skey in bodies:
            words = body.split()
            if (
                j + len(words) <= len(toks)
                and all(strip_article(w) in _word_reading_keys(toks[j + k].norm) for k, w in enumerate(words))
                and (j + len(words) not in org_at)
            ):
                # "الدورة الثانية والتسعون للجمعية العامة" in an article about Interpol
                s = gaz.series[skey]
                return s.key, s.ar, s.en, j + len(words) - 1
    o = org_at.get(j)
    if o is not None:
        # the head is the organ ("الجمعية العامة للإنتربول") or the organisation names its sessions
        for body, skey in gaz.series_bodies.get(o.key, []):
            if [strip_article(w) for w in body.split()] == [strip_article(w) for w in head.split()]:
                s = gaz.series[skey]
                return s.key, s.ar, s.en, o.last
        skey = gaz.series_of_org.get(o.key)
        if skey and head in gaz.series[skey].heads and edition is not None:
            s = gaz.series[skey]
            return s.key, s.ar, s.en, o.last
        return None
    if edition is None or not generic:
        return None
    # a series no gazetteer lists: the ل-phrase after the edition
    is_head = any(st in doc.gaz.trigger_words.get("heads", []) for st in stems(toks[j].norm))
    if not (toks[j].norm.startswith("ل") or is_head or inner) or toks[j].norm in STOP:
        return None
    last = j
    k = j + 1
    while k < len(toks) and k - j < 9 and not doc.breaks_after(k - 1):
        w = toks[k].norm
        if w in STOP or k in org_at and k > j + 1 or doc.sentence_of(k) != doc.sentence_of(j):
            break
        # "رؤساء أجهزة المباحث": nouns in a construct chain ending in a definite one
        ahead = [toks[x].norm for x in (k + 1, k + 2) if x < len(toks) and not doc.breaks_after(x - 1)]
        construct = any(a.startswith(("ال", "وال", "لل")) for a in ahead) and w != "و"
        if not (w.startswith(("ال", "وال", "لل", "ل")) or construct):
            break
        last = k
        k += 1
    if any(st in doc.gaz.trigger_words.get("heads", []) for st in stems(toks[j].norm)):
        # "الدورة الأولى للاجتماع الأمني المغربي الإسباني": the inner head names the series
        ar = _clean_surface(doc.surface(j, last))
    else:
        head_word = without_proclitics(doc.surface(head_first, head_first), head.split()[0])
        head_words = [head_word] + [doc.surface(a, a) for a in adj]
        ar = _clean_surface(" ".join([*head_words, doc.surface(j, last)]))
    return "s-" + slugify(name_key(ar)), ar, None, last


def _clean_surface(text: str) -> str:
    """The mention without a clitic on its first word ("بالمؤتمر" -> "المؤتمر")."""
    return without_proclitics(text).strip(" ،,")


def extract_conferences(
    doc: Doc,
    places: list[PlaceMention],
    orgs: list[OrgMention],
    official_mentions: list[OfficialMention],
) -> tuple[list[Conference], dict[int, str]]:
    """The article's conferences, and which conference each sentence speaks of."""
    gaz = doc.gaz
    mentions = find_mentions(doc, orgs)
    if not mentions:
        return [], {}
    # one meeting written two ways in one article ("الاجتماع الـ41 لوزراء داخلية الخليج" and
    # "الاجتماع الـ41 لأصحاب السمو والمعالي وزراء الداخلية"): a series no list knows joins
    # the other mention of the same head and edition
    for m in mentions:
        if m.series_key.startswith("s-") and m.edition is not None:
            twin = next(
                (x for x in mentions if x is not m and x.edition == m.edition and x.head == m.head
                 and not x.series_key.startswith("s-")),
                None,
            ) or next(
                (x for x in mentions if x is not m and x.edition == m.edition and x.head == m.head), None
            )  # fmt: skip
            if twin is not None:
                m.series_key, m.series_ar, m.series_en = twin.series_key, twin.series_ar, twin.series_en
    confs: dict[tuple[str, int | None], _Conf] = {}
    for m in mentions:
        if m.edition is None:
            same = [c for (s, e), c in confs.items() if s == m.series_key and e is not None]
            later = [x for x in mentions if x.series_key == m.series_key and x.edition is not None]
            editions = {x.edition for x in later}
            if len(editions) == 1:
                ed = editions.pop()
                c = confs.get((m.series_key, ed)) or confs.setdefault(
                    (m.series_key, ed), _Conf(m.series_key, m.series_ar, m.series_en, ed, m.head)
                )
            elif same:
                c = same[-1]
            else:
                c = confs.setdefault(
                    (m.series_key, None), _Conf(m.series_key, m.series_ar, m.series_en, None, m.head)
                )
        else:
            c = confs.setdefault(
                (m.series_key, m.edition), _Conf(m.series_key, m.series_ar, m.series_en, m.edition, m.head)
            )
        c.mentions.append(m)
        c.sentences.add(m.sentence)

    future = doc.trigger_hits("future")
    reported = {m.first for name in ("opening", "closing") for m in doc.trigger_hits(name)}
    for c in confs.values():
        # announced: a future cue next to a mention, and no sentence reporting it opened or closed
        future_near = any(
            doc.sentence_of(f.first) == m.sentence
            and (0 < f.first - m.last <= 6 or 0 < m.first - f.last <= 3)
            for m in c.mentions
            for f in future
        )
        report_near = any(
            doc.sentence_of(r) == m.sentence and -3 <= r - m.first <= 3 for m in c.mentions for r in reported
        )
        c.announced = future_near and not report_near

    _assign_references(doc, confs, mentions)
    doc.conferences = list(confs.values())
    ordered = sorted(confs.values(), key=lambda c: min(m.first for m in c.mentions))
    main = next((c for c in ordered if not c.announced), ordered[0])

    dates = doc.dates
    years = find_years(doc.nt)
    durations = find_durations(doc.nt)
    out: list[Conference] = []
    sentence_conf: dict[int, str] = {}
    for c in ordered:
        conf_sents = c.sentences | c.refs
        if c is main:
            conf_sents |= _event_sentences(doc, dates, confs)
        clues, year = _date_clues(doc, c, conf_sents, dates, years, durations)
        dateline = _dateline_place(doc, places) if c is main and not c.announced else None
        place = _place(doc, c, places, orgs, dateline=dateline)
        key = conference_key(c.series_key, edition=c.edition, year=year, article_id=doc.article.id)
        conf = Conference(
            key=key,
            series_key=c.series_key,
            series_ar=c.series_ar,
            series_en=c.series_en,
            name_ar=c.mentions[0].surface,
            edition=c.edition,
            place_key=place,
            year=year,
            clues=clues,
            announced=c.announced,
        )
        conf.evidence = [doc.evidence(s) for s in sorted(c.sentences | c.refs)]
        _roles(doc, conf, c, conf_sents, orgs, official_mentions, places, mentions)
        series = gaz.series.get(c.series_key)
        if (
            series
            and series.organiser
            and series.organiser in gaz.orgs
            and series.organiser not in conf.organisers
        ):
            conf.organisers.append(series.organiser)
        out.append(conf)
        for s in sorted(c.sentences | c.refs):
            sentence_conf.setdefault(s, key)
    return out, sentence_conf


def _mention_tokens(mentions: list[ConfMention]) -> set[int]:
    return {i for m in mentions for i in range(m.first, m.last + 1)}


def _assign_references(doc: Doc, confs: dict, mentions: list[ConfMention]) -> None:
    """Sentences that refer back to a conference without naming it ("هذا المؤتمر", "الاجتماع")."""
    taken = _mention_tokens(mentions)
    by_first = {m.first: m for m in mentions}
    conf_of_mention = {id(m): c for c in confs.values() for m in c.mentions}
    recent: list[_Conf] = []
    anaphors = {m.first: m for m in doc.trigger_hits("anaphors")}
    for i in sorted(by_first.keys() | anaphors.keys()):  # the only tokens this looks at
        t = doc.tokens[i]
        if t.index in by_first:
            recent.append(conf_of_mention[id(by_first[t.index])])
            continue
        a = anaphors.get(t.index)
        if a is None or t.index in taken:
            continue
        prev = doc.tokens[t.index - 1].norm if t.index else ""
        definite = any(s.startswith("ال") for s in stems(t.norm)) or prev in _DEMONSTRATIVES
        if not definite:
            continue
        target = next((c for c in reversed(recent) if c.head == a.value), None)
        if target is None:
            reported = [c for c in reversed(recent) if not c.announced] or recent
            target = reported[0] if reported else None
        if target is None:
            target = next(iter(sorted(confs.values(), key=lambda c: min(m.first for m in c.mentions))))
        s = doc.sentence_of(t.index)
        if s >= 0:
            target.ref_tokens.append((s, t.index))
            if s not in target.sentences:
                target.refs.add(s)


def _event_sentences(doc: Doc, dates: list[DateMention], confs: dict) -> set[int]:
    """Sentences with a date and an event word but no conference: they speak of the main one."""
    held = (
        {m.first for m in doc.trigger_hits("held")}
        | {m.first for m in doc.trigger_hits("closing")}
        | {m.first for m in doc.trigger_hits("opening")}
    )
    claimed = set().union(*(c.sentences | c.refs for c in confs.values()))
    out: set[int] = set()
    for d in dates:
        s = doc.sentence_of(d.first)
        if s < 0 or s in claimed:
            continue
        a, b = doc.sent_tokens[s]
        if any(a <= h <= b for h in held):
            out.add(s)
    return out


def _cue_in(doc: Doc, name: str, s: int) -> list[int]:
    """Where the trigger words `name` start in sentence s, in order (do not change the list)."""
    return doc.starts_by_sentence(doc.gaz.trigger(name)).get(s, [])


def _date_clues(
    doc: Doc,
    c: _Conf,
    sents: set[int],
    dates: list[DateMention],
    years: list[tuple[int, int]],
    durations: list[tuple[int, int]],
) -> tuple[DateClues, int | None]:
    """What the article says about when conference c took place, and the year it states for it.

    A year counts as stated when it is part of a date ("4 و5 ديسمبر 2024") or follows a
    mention of the conference closely ("المقرر انعقادها بمراكش سنة 2025"); other years
    in sentences about it ("توصيات … خلال عام 2023") are only candidates.
    """
    clues = DateClues()
    published = doc.reference_date
    stated: list[int] = []
    plain_days: list[tuple[int, int]] = []
    weak: list[int] = []
    for d in dates:
        s = doc.sentence_of(d.first)
        if s not in sents or _other_conference_closer(doc, c, d.first):
            continue
        closing = bool(_cue_in(doc, "closing", s))
        opening = bool(_cue_in(doc, "opening", s))
        until = d.first > 0 and doc.tokens[d.first - 1].norm in ("حتي", "الي", "لغايه")
        concrete = on_publication(d, published)
        if d.relative is not None and d.weekday is None and not (closing or opening or until):
            continue  # a bare "اليوم" is about the day only where the sentence opens or closes something
        if concrete is not None:
            day = (concrete.month, concrete.day)
            stated.append(concrete.year)
        else:
            day = d.start_day
        if d.start_day and d.end_day and d.start_day != d.end_day:
            clues.start_day, clues.end_day = d.start_day, d.end_day
        elif day:
            if until or (closing and not opening):
                clues.end_day = day
            elif opening and not closing:
                clues.start_day = day
            elif d.relative is None and clues.start_day is None and clues.end_day is None:
                clues.start_day = clues.end_day = day
            elif d.relative is not None:
                plain_days.append(day)
        if d.weekday is not None and concrete is None and (d.today or _weekday_definite(doc, d.first)):
            if until or (closing and not opening):
                clues.end_weekday = d.weekday
            elif opening:
                clues.start_weekday = d.weekday
        if d.this_month:
            clues.this_month = True
        if d.year:
            stated.append(d.year)
    if plain_days and clues.start_day is None and clues.end_day is None:
        # "يومي الأربعاء والخميس الماضيين": the days it ran, first to last
        clues.start_day, clues.end_day = min(plain_days), max(plain_days)
    for y, i in years:
        s = doc.sentence_of(i)
        if s < 0 or s not in sents or _other_conference_closer(doc, c, i):
            continue
        near = any(m.sentence == s and 0 < i - m.last <= 8 for m in c.mentions)
        marked = i > 0 and doc.tokens[i - 1].norm in ("سنه", "عام", "لسنه", "لعام", "في", "خلال")
        if near and marked and y not in stated:
            stated.append(y)
        else:
            weak.append(y)
    for days, i in durations:
        if doc.sentence_of(i) in sents and not _other_conference_closer(doc, c, i):
            clues.duration_days = days
    clues.years_in_article = sorted(set(weak) | set(stated))
    year = stated[0] if len(set(stated)) == 1 else None
    if year is None and not stated and not clues.start_day and not clues.end_day and len(set(weak)) == 1:
        year = weak[0]  # the only year said around the conference ("طوال العام 2023")
    return clues, year


def _weekday_definite(doc: Doc, i: int) -> bool:
    """ "الأربعاء", "يوم الخميس": a weekday, not the word أحد ("one of")."""
    w = doc.tokens[i].norm
    prev = doc.tokens[i - 1].norm if i else ""
    return any(s.startswith("ال") for s in stems(w)) or prev in ("يوم", "اليوم")


def _spans(c: _Conf, s: int) -> list[tuple[int, int]]:
    """Where conference c is named or referred to in sentence s."""
    return [(m.first, m.last) for m in c.mentions if m.sentence == s] + [
        (t, t) for (ss, t) in c.ref_tokens if ss == s
    ]


def _other_conference_closer(doc: Doc, c: _Conf, i: int) -> bool:
    """Whether, in token i's sentence, another conference is named or referred to nearer to token i."""
    s = doc.sentence_of(i)
    others = [o for o in doc.conferences if o is not c]
    theirs = [sp for o in others for sp in _spans(o, s)]
    if not theirs:
        return False
    mine = _spans(c, s)
    if not mine:
        return True
    return min(_distance(sp, i) for sp in theirs) < min(_distance(sp, i) for sp in mine)


def _distance(span: tuple[int, int], i: int) -> int:
    # a fact usually follows the conference it is about: weigh "before" as farther
    first, last = span
    if i > last:
        return i - last
    if i >= first:
        return 0
    return (first - i) * 3


def _place(
    doc: Doc, c: _Conf, places: list[PlaceMention], orgs: list[OrgMention], *, dateline: str | None = None
) -> str | None:
    gaz = doc.gaz
    # places inside an organisation's name are not venues ("مكتب الأنتربول بالرباط"), but a
    # seat written at its end is ("… لمجلس وزراء الداخلية العرب في تونس")
    seats = {p.first for p in places if _locative(doc, p)}
    inside_org = {i for o in orgs for i in range(o.first, o.last + 1)} - {
        o.last for o in orgs if o.last > o.first and o.last in seats
    }
    candidates: list[tuple[int, str]] = []
    for m in c.mentions:
        if doc.sentences[m.sentence].headline and any(
            not doc.sentences[x.sentence].headline for x in c.mentions
        ):
            continue  # headlines are telegraphic ("… وأبوظبي تحتضن الدورة القادمة"): the body decides
        best = None
        for p in places:
            if p.sentence != m.sentence or p.via_adjective or p.as_region or p.first in inside_org:
                continue
            if _other_conference_closer(doc, c, p.first):
                continue
            if p.first < m.first and m.first - p.last > 4:
                continue  # a venue follows the event or stands right before it ("بطنجة أعمال المؤتمر")
            d = _distance((m.first, m.last), p.first) if not (m.first <= p.first <= m.last) else 100
            if not _locative(doc, p):
                d += 1000  # "بمشاركة … الأردن" lists a participant; "في تونس"، "بمراكش" give the venue
            if best is None or d < best[0]:
                best = (d, _as_venue(doc, p))
        if best:
            candidates.append(best)

    def pick(found: list[tuple[int, str]]) -> str | None:
        if not found:
            return None
        cities = [k for _, k in sorted(found) if not gaz.places[k].is_country]
        return cities[0] if cities else sorted(found)[0][1]

    # where the venue is written as one ("في تونس"، "بمراكش"): body first, then the
    # sentences that refer back to the conference, then the headline ("… بمسقط")
    venue = pick([x for x in candidates if x[0] < 1000])
    if venue is None:
        refs = [p for p in places if p.sentence in c.refs and not p.via_adjective and not p.as_region]
        venue = pick(
            [(50, _as_venue(doc, p)) for p in refs if p.first not in inside_org and _locative(doc, p)]
        )
    if venue is None:
        heads = [p for m in c.mentions if doc.sentences[m.sentence].headline for p in places
                 if p.sentence == m.sentence and p.first > m.last and not p.via_adjective and not p.as_region]  # fmt: skip
        venue = pick([(60, _as_venue(doc, p)) for p in heads])
    return venue or dateline or pick(candidates)


_LOCATIVE_WORDS = frozenset({"في", "فى", "بمدينه", "مدينه", "بالعاصمه", "العاصمه", "بمقر", "داخل", "بمنطقه"})


def _locative(doc: Doc, p: PlaceMention) -> bool:
    """Whether a place is written as where something happens: "في تونس", "بمراكش", "بالعاصمة الرباط"."""
    raw = doc.tokens[p.first].norm
    if raw[:1] == "ب" and doc.gaz.place_index.lookup(raw[1:]) is not None:
        return True
    if raw.startswith("وب") and doc.gaz.place_index.lookup(raw[2:]) is not None:
        return True
    prev = doc.tokens[p.first - 1].norm if p.first > 0 else ""
    prev2 = doc.tokens[p.first - 2].norm if p.first > 1 else ""
    return prev in _LOCATIVE_WORDS or (prev in ("مدينه", "العاصمه") and prev2 in ("في", "فى"))


def _as_venue(doc: Doc, p: PlaceMention) -> str:
    """A conference is held in a city: "في تونس" / "في الكويت" is the capital, not the state."""
    entry = doc.gaz.places[p.key]
    if entry.is_country:
        for alt in p.alternatives:
            alt_entry = doc.gaz.places[alt]
            if not alt_entry.is_country and alt_entry.country == entry.key and alt_entry.capital:
                return alt
    return p.key


def _dateline_place(doc: Doc, places: list[PlaceMention]) -> str | None:
    """The city of a dateline ("المنامة - بنا", "بغداد/ واع", "الرباط:"): where the report was filed."""
    for idx in range(min(2, len(doc.sentences))):
        a, b = doc.sent_tokens[idx]
        for p in places:
            if a <= p.first <= a + 1 and not p.via_adjective and not doc.gaz.places[p.key].is_country:
                gap = doc.gap(p.last)
                short_line = b - a <= 4  # a line of its own: "المنامة - بنا"
                if short_line or any(ch in gap for ch in "-–—/:("):
                    return p.key
    return None


def _roles(
    doc: Doc,
    conf: Conference,
    c: _Conf,
    sents: set[int],
    orgs: list[OrgMention],
    officials: list[OfficialMention],
    places: list[PlaceMention],
    mentions: list[ConfMention],
) -> None:
    gaz = doc.gaz
    toks = doc.tokens
    mention_tokens = _mention_tokens(mentions)

    def add(lst: list[str], key: str) -> None:
        if key not in lst:
            lst.append(key)

    for s in sorted(sents):
        a, b = doc.sent_tokens[s]
        if a < 0:
            continue
        in_sent_orgs = [
            o for o in orgs if a <= o.first <= b and not _other_conference_closer(doc, c, o.first)
        ]
        in_sent_officials = [o for o in officials if a <= o.first <= b]
        for cue in _cue_in(doc, "organiser", s):
            nxt = [o for o in in_sent_orgs if 0 < o.first - cue <= 6]
            if nxt:
                add(conf.organisers, nxt[0].key)
        for cue in _cue_in(doc, "patron", s):
            nxt = [o for o in in_sent_officials if 0 < o.first - cue <= 12]
            if nxt:
                add(conf.patrons, nxt[0].key)
        for cue in _cue_in(doc, "opened", s):
            near = sorted(in_sent_officials, key=lambda o: abs(o.first - cue))
            if near and not c.announced:
                add(conf.opened_by, near[0].key)
        for cue in _cue_in(doc, "chaired", s):
            if any(toks[k].norm in ("وفد", "الوفد", "وفدا") for k in range(max(a, cue - 6), cue)):
                continue
            before = [o for o in in_sent_officials if o.first < cue]
            after = [o for o in in_sent_officials if 0 < o.first - cue <= 8]
            pick = before[-1] if before else (after[0] if after else None)
            if pick and not c.announced:
                add(conf.chaired_by, pick.key)
        if not c.announced:
            for o in in_sent_officials:
                add(conf.attendees, o.key)
        if _cue_in(doc, "participation", s):
            organisers = set(conf.organisers)
            for o in in_sent_orgs:
                if o.first in mention_tokens or o.key in organisers:
                    continue
                add(conf.participant_orgs, o.key)
            for p in places:
                if not (a <= p.first <= b) or p.as_region:
                    continue
                e = gaz.places[p.key]
                if e.is_country:
                    add(conf.participant_countries, e.key)
            for i in range(a, b):
                hit = read_count(toks, i) if toks[i].norm[:1].isdigit() else None
                if (
                    hit
                    and i + 1 <= b
                    and any(
                        st in gaz.trigger_words.get("participants_count", [])
                        for st in stems(toks[i + 1].norm)
                    )
                ):
                    conf.participants_count = hit[0]
        for m in doc.found_by_sentence(gaz.topic_index).get(s, ()):
            if m.value not in conf.topics:
                conf.topics.append(m.value)
