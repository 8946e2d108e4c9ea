"""Score the extractor against annotated articles: precision, recall and F1 per kind of fact.

Matching is lenient where a person would be (a name with or without ال, a
spelling variant, a recommendation span inside a longer extracted text) and
strict where a user would be (a wrong edition or a wrong year is wrong). The
annotation format is that of `seeds/gold/*.json`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from confkg.extract import extract, load_gazetteer
from confkg.extract.gazetteer import Gazetteer
from confkg.ingest import IngestError, iter_articles
from confkg.models import ArticleFacts
from confkg.text.normalize import name_key, normalize, stems, strip_article

KINDS = (
    "conference",
    "edition",
    "city",
    "dates",
    "organiser",
    "official",
    "position",
    "organisation",
    "recommendation",
)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    kinds: dict[str, Score] = field(default_factory=lambda: {k: Score() for k in KINDS})
    articles: int = 0
    missing: list[str] = field(default_factory=list)  # gold files with no article

    @property
    def overall(self) -> Score:
        total = Score()
        for s in self.kinds.values():
            total.add(s)
        return total

    def table(self) -> str:
        lines = [f"{'kind':<16}{'P':>7}{'R':>7}{'F1':>7}{'TP':>6}{'FP':>6}{'FN':>6}"]
        for k in KINDS:
            s = self.kinds[k]
            lines.append(f"{k:<16}{s.precision:>7.2f}{s.recall:>7.2f}{s.f1:>7.2f}{s.tp:>6}{s.fp:>6}{s.fn:>6}")
        o = self.overall
        lines.append(
            f"{'overall':<16}{o.precision:>7.2f}{o.recall:>7.2f}{o.f1:>7.2f}{o.tp:>6}{o.fp:>6}{o.fn:>6}"
        )
        return "\n".join(lines) + f"\n({self.articles} articles)\n"


def _norm_name(text: str | None) -> str:
    return name_key(text or "")


def same_name(a: str | None, b: str | None) -> bool:
    """Two spellings of one name: equal keys, or one the tail of the other (كومان ~ بن علي كومان)."""
    ka, kb = _norm_name(a).split(), _norm_name(b).split()
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    short, long_ = sorted((ka, kb), key=len)
    return len(short) >= 2 and long_[-len(short) :] == short


def contains(a: str | None, b: str | None) -> bool:
    """One text inside the other, after normalisation (a span inside a longer extraction)."""
    na, nb = normalize(a or ""), normalize(b or "")
    na, nb = _strip_al(na), _strip_al(nb)
    return bool(na and nb) and (na in nb or nb in na)


_EN_STOP = {"of", "the", "and", "for", "on", "in", "a", "an", "session", "conference", "meeting"}


def _words_overlap(a: str | None, b: str | None) -> bool:
    """Two English names of one series: most of their content words shared."""
    wa = {w for w in (a or "").lower().replace("-", " ").split() if w not in _EN_STOP}
    wb = {w for w in (b or "").lower().replace("-", " ").split() if w not in _EN_STOP}
    if not wa or not wb:
        return False
    return len(wa & wb) / len(wa | wb) >= 0.6


def _tokens_within(a: str | None, b: str | None) -> bool:
    """Every word of `a` is in `b` (Arabic, after normalisation, with or without its clitics)."""
    ta = [set(stems(w)) | {strip_article(x) for x in stems(w)} for w in normalize(a or "").split()]
    tb = set().union(
        *(
            [set(stems(w)) | {strip_article(x) for x in stems(w)} for w in normalize(b or "").split()]
            or [set()]
        )
    )
    return bool(ta) and all(forms & tb for forms in ta)


def _strip_al(text: str) -> str:
    return " ".join(w[2:] if w.startswith("ال") and len(w) > 3 else w for w in text.split())


def _match(
    gold: list, pred: list, same: Callable[[object, object], bool]
) -> tuple[Score, list[tuple[object, object]]]:
    """Greedy one-to-one matching: each gold item pairs with at most one prediction."""
    used: set[int] = set()
    pairs = []
    score = Score()
    for g in gold:
        hit = next((i for i, p in enumerate(pred) if i not in used and same(g, p)), None)
        if hit is None:
            score.fn += 1
        else:
            used.add(hit)
            score.tp += 1
            pairs.append((g, pred[hit]))
    score.fp = len(pred) - len(used)
    return score, pairs


def _en(gaz: Gazetteer, key: str) -> str:
    if key in gaz.orgs and gaz.orgs[key].en:
        return gaz.orgs[key].en
    if key in gaz.places:
        return gaz.places[key].en
    return key


def _same_org(gaz: Gazetteer, facts: ArticleFacts) -> Callable[[object, object], bool]:
    names = {o.key: o for o in facts.organisations}

    def same(gold_en: object, key: object) -> bool:
        g = str(gold_en).lower()
        if _en(gaz, str(key)).lower() == g:
            return True
        org = names.get(str(key))
        return bool(org and org.name_en and org.name_en.lower() == g)

    return same


def score_article(facts: ArticleFacts, gold: dict, gaz: Gazetteer) -> dict[str, Score]:
    out = {k: Score() for k in KINDS}
    confs = facts.conferences

    def same_conf(g: object, c: object) -> bool:
        series_ok = (
            _words_overlap(c.series_en, g.get("series_en"))
            or _tokens_within(c.series_ar, g.get("name_ar"))
            or _tokens_within(g.get("name_ar"), c.name_ar)
        )
        return series_ok and g.get("edition") == c.edition

    score, pairs = _match(gold.get("conferences", []), confs, same_conf)
    out["conference"] = score
    for g, c in pairs:
        for kind, gv, pv in (
            ("edition", g.get("edition"), c.edition),
            ("city", g.get("city_en"), _en(gaz, c.place_key) if c.place_key else None),
            ("dates", g.get("start"), c.start.isoformat() if c.start else None),
            ("dates", g.get("end"), c.end.isoformat() if c.end else None),
            ("dates", g.get("year"), c.year),
        ):
            s = out[kind]
            if gv is not None and pv is not None:
                if gv == pv:
                    s.tp += 1
                else:
                    s.fp += 1
                    s.fn += 1
            elif gv is not None:
                s.fn += 1
            elif pv is not None:
                s.fp += 1
        org_score, _ = _match(g.get("organisers_en", []), c.organisers, _same_org(gaz, facts))
        out["organiser"].add(org_score)
    unmatched = [c for c in confs if all(c is not p for _, p in pairs)]
    for c in unmatched:
        out["edition"].fp += c.edition is not None
        out["organiser"].fp += len(c.organisers)

    officials = facts.officials

    def same_official(g: object, o: object) -> bool:
        return same_name(g.get("name_ar"), o.name_ar) or any(
            same_name(g.get("name_ar"), a) for a in o.aliases
        )

    score, pairs = _match(gold.get("officials", []), officials, same_official)
    out["official"] = score
    for g, o in pairs:
        role = g.get("role_ar")
        titles = [p.title_ar for p in o.positions]
        if role and any(contains(role, t) for t in titles):
            out["position"].tp += 1
            out["position"].fp += len(titles) - 1
        else:
            out["position"].fn += bool(role)
            out["position"].fp += len(titles)

    def same_org(g: object, o: object) -> bool:
        if g.get("name_en") and o.name_en and g["name_en"].lower() == o.name_en.lower():
            return True
        return contains(g.get("name_ar"), o.name_ar) or any(contains(g.get("name_ar"), w) for w in o.written)

    out["organisation"], _ = _match(gold.get("organisations", []), facts.organisations, same_org)

    def same_rec(g: object, r: object) -> bool:
        return contains(g.get("text_ar"), r.text)

    out["recommendation"], _ = _match(gold.get("recommendations", []), facts.recommendations, same_rec)
    return out


def evaluate(
    gold_dir: str | Path, articles: Iterable[str | Path], *, gazetteer: Gazetteer | None = None
) -> Evaluation:
    """Extract every article under `articles` and score it against `gold_dir/{id}.json`."""
    gaz = gazetteer or load_gazetteer()
    golds = {}
    for path in sorted(Path(gold_dir).glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        if isinstance(data, dict) and "id" in data and "conferences" in data:
            golds[data["id"]] = data
    ev = Evaluation()
    seen = set()
    for art in iter_articles(articles):
        if isinstance(art, IngestError) or art.id not in golds:
            continue
        seen.add(art.id)
        ev.articles += 1
        for kind, s in score_article(extract(art, gazetteer=gaz), golds[art.id], gaz).items():
            ev.kinds[kind].add(s)
    ev.missing = sorted(set(golds) - seen)
    return ev
