"""Recommendations: what a conference or its participants collectively recommend, call for or approve.

A cue (أوصى، دعا، طالب، حث، وافق على، أكد على ضرورة، توصيات …) counts only when
its subject is collective (المؤتمر، المشاركون، الدورة …): the nearest actor
before the cue in its sentence decides, so "وأكد الحموشي على ضرورة …" (one
official) is not a recommendation. What follows the cue is split into items at
commas and at "و" before a verbal noun (بتكثيف … وتعزيز …). A bulleted list
after a sentence about the conference is a list of its recommendations.
"""

from __future__ import annotations

import re

from confkg.extract.doc import Doc
from confkg.extract.officials import OfficialMention
from confkg.extract.organisations import OrgMention
from confkg.extract.places import PlaceMention
from confkg.models import Conference, Recommendation
from confkg.text.normalize import normalize, stems

# "و" before a verbal noun starts a new item ("بتكثيف … وتعزيز …"), unless the noun carries
# a pronoun that points back into the same item ("تنصيب المكاتب وتزويدها بالإمكانات")
_SPLIT = re.compile(r"\s*[،,؛;]\s*(?:و(?=\S))?|\s+و(?=(?:ال)?ت[^\s]{3,}(?<!ها)(?<!هم)\s|إ[^\s]{3,}(?<!ها)\s)")
_BULLET = re.compile(r"^\s*(?:[-–•*▪●◦]|\d{1,2}[.)-]|[٠-٩]{1,2}[.)-])\s*")
_MIN_ITEM = 3  # words
# cues that name the outcome rather than state it: their items follow a listing word
_NOUN_CUES = frozenset(
    normalize(w) for w in "توصيات التوصيات توصية القرارات قرارات المقررات مخرجات المخرجات".split()
)


def extract_recommendations(
    doc: Doc,
    conferences: list[Conference],
    sentence_conf: dict[int, str],
    orgs: list[OrgMention],
    places: list[PlaceMention],
    officials: list[OfficialMention],
) -> list[Recommendation]:
    if not conferences:
        return []
    gaz = doc.gaz
    main = next((c.key for c in conferences if not c.announced), conferences[0].key)
    collective = doc.find(gaz.trigger("collective"))
    recs: list[Recommendation] = []
    seen: set[str] = set()

    def emit(text: str, conf_key: str, sent: int, start_tok: int) -> None:
        text = text.strip(' .،,:;؛-–"“”')
        if len(text.split()) < _MIN_ITEM:
            return
        key = normalize(text)
        if key in seen:
            return
        seen.add(key)
        b = doc.sent_tokens[sent][1]
        addressed = _addressees(doc, start_tok, b, orgs, places)
        topics = [m.value for m in doc.found_by_sentence(gaz.topic_index).get(sent, ()) if m.value]
        recs.append(
            Recommendation(
                text=text,
                conference_key=conf_key,
                addressed_to=addressed,
                topics=list(dict.fromkeys(topics)),
                evidence=doc.evidence(sent),
            )
        )

    cues = doc.trigger_hits("recommend")
    list_cues = {m.first for m in doc.trigger_hits("recommendation_list")}
    agenda_cues = doc.trigger_hits("agenda")
    for cue in cues:
        s = doc.sentence_of(cue.first)
        if s < 0:
            continue
        a, b = doc.sent_tokens[s]
        is_noun = cue.value in _NOUN_CUES
        if is_noun:
            # "تضمنت التوصيات …": the items follow a listing verb, not the noun itself
            after = [i for i in list_cues if a <= i <= b and abs(i - cue.first) <= 4]
            if not after:
                continue
            start = max(after[0], cue.last) + 1
        else:
            if not _collective_subject(doc, cue.first, a, collective, officials):
                continue
            start = cue.last + 1
            # "صادق المجلس … على جملة من القرارات، أبرزها …": the items follow the listing word
            listing = [i for i in list_cues if cue.last < i <= b and i - cue.last <= 14]
            if listing:
                start = listing[0] + 1
            # "أوصى المشاركون بـ…": the subject after the verb is not part of the item
            subject = next((m for m in collective if 0 < m.first - cue.last <= 2), None)
            if subject is not None and not _keeps_cue(cue.value):
                start = subject.last + 1
        if start > b:
            continue
        conf_key = sentence_conf.get(s, main)
        body = doc.article.text[doc.tokens[start].start : doc.sentences[s].end]
        prefix = doc.article.text[doc.tokens[cue.first].start : doc.tokens[start].start]
        items = _items(body)
        for n, item in enumerate(items):
            text = (prefix + item) if (n == 0 and not is_noun and _keeps_cue(cue.value)) else item
            emit(text, conf_key, s, start)

    # bulleted lists after a sentence about a conference
    for idx, sent in enumerate(doc.sentences):
        if not sent.bullet:
            continue
        prev = idx - 1
        while prev >= 0 and doc.sentences[prev].bullet:
            prev -= 1
        if prev < 0:
            continue
        a, b = doc.sent_tokens[prev]
        outcome = any(a <= m.first <= b for m in cues) or _stresses_necessity(doc, a, b)
        agenda = any(a <= m.first <= b for m in agenda_cues)
        if not (prev in sentence_conf or outcome) or (agenda and not outcome):
            continue  # an agenda or a programme, not what the conference concluded
        text = _BULLET.sub("", sent.text)
        start_tok = doc.sent_tokens[idx][0]
        emit(text, sentence_conf.get(prev, main), idx, start_tok)
    return recs


_STRESS = frozenset(normalize(w) for w in "شدد شددت أكد أكدت ركز ركزت".split())


def _stresses_necessity(doc: Doc, a: int, b: int) -> bool:
    """ "وشددت الدورة على ضرورة …": what the meeting concluded, written with a subject in between."""
    toks = doc.tokens
    for i in range(a, b + 1):
        if toks[i].norm in ("ضروره", "اهميه") and any(
            any(st in _STRESS for st in stems(toks[k].norm)) for k in range(max(a, i - 4), i)
        ):
            return True
    return False


def _keeps_cue(cue: str) -> bool:
    """Calls keep their verb ("دعاها إلى الاهتمام …"); "أوصى المشاركون بـ…" keeps only the item."""
    return not cue.startswith(("اوص", "توص"))


_COMMENT = re.compile(
    r"^(?:و?هو|و?هي|مما|الأمر الذي|حيث|وذلك|بما|ولا سيما|لا سيما)\s|\s[،,]?\s*(?:وهو|وهي|مما|الأمر الذي|حيث|وذلك|ولا سيما|لا سيما)\s"
)


def _items(body: str) -> list[str]:
    """The items of a recommendation: at commas and semicolons, and at "و" before a verbal noun.

    A comment clause ("وهو مجال …"، "ولا سيما …") ends its item; "كما" ends the list.
    """
    body = re.sub(r"[،,]?\s*(?:فضلا|فضلاً) عن\s", "، ", body)
    body = re.sub(r"[،,]?\s*إلى جانب\s", "، ", body)
    items: list[str] = []
    for part in _SPLIT.split(body):
        part = (part or "").strip()
        if not part:
            continue
        if part.startswith("كما "):
            break
        part = _COMMENT.split(part)[0].strip()
        if part:
            items.append(part)
    return items


def _collective_subject(
    doc: Doc, cue: int, sent_start: int, collective, officials: list[OfficialMention]
) -> bool:
    """Whether the nearest actor before the cue (in its sentence) is the conference, not one person."""
    nearest_collective = max((m.last for m in collective if sent_start <= m.last < cue), default=-1)
    nearest_person = max((o.last for o in officials if sent_start <= o.last < cue), default=-1)
    # the subject can also follow the verb: "أوصى المؤتمر", "دعا المشاركون"
    after_collective = any(0 < m.first - cue <= 2 for m in collective)
    after_person = any(0 < o.first - cue <= 2 for o in officials)
    if after_collective:
        return True
    if after_person:
        return False
    if nearest_collective < 0 and nearest_person < 0:
        # no subject in the sentence: a verb continuing the previous sentence's subject
        s = doc.sentence_of(cue)
        if s > 0:
            pa, pb = doc.sent_tokens[s - 1]
            pc = max((m.last for m in collective if pa <= m.last <= pb), default=-1)
            pp = max((o.last for o in officials if pa <= o.last <= pb), default=-1)
            return pc > pp
        return False
    return nearest_collective > nearest_person


def _addressees(
    doc: Doc, start: int, end: int, orgs: list[OrgMention], places: list[PlaceMention]
) -> list[str]:
    """Who is asked to act: an organisation or state named between the cue and "إلى"."""
    toks = doc.tokens
    to = next(
        (
            i
            for i in range(start, min(end, start + 12) + 1)
            if any(s in ("الي", "الى") for s in stems(toks[i].norm)) or toks[i].norm == "الي"
        ),
        None,
    )
    if to is None:
        return []
    out = [o.key for o in orgs if start <= o.first < to]
    out += [p.key for p in places if start <= p.first < to and doc.gaz.places[p.key].is_country]
    return list(dict.fromkeys(out))
