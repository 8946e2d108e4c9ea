"""Dates as Arabic news writes them, in every region's month names.

Finds single days ("07 دجنبر 2023"), day ranges ("يومي 4 و5 ديسمبر 2024",
"من 24 حتى 27 نونبر الجاري", "12-14 أيلول"), months with a year ("نونبر 2024"),
weekdays ("اليوم الخميس"), years ("سنة 2025", "2023م") and durations ("لمدة يومين").
Nothing here guesses a year: what the text leaves open stays open, for
`confkg.resolve` to settle from the publication date or sibling articles.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from operator import itemgetter

from confkg.text.normalize import NormText, Token, normalize, stems
from confkg.text.numbers import read_count
from confkg.text.phrases import PhraseIndex

_DAY = re.compile(r"^(?:و|من|في)?(\d{1,2})$")
_YEAR = re.compile(r"^(?:و|ل|ب|عام|سنه)?((?:19|20)\d\d)(?:م)?$")
_YEAR_ENDS = frozenset("0123456789م")  # the last character of every word _YEAR matches
_TWO_DAYS = ("يومين", "يومان")
_RANGE_WORDS = {"و", "حتي", "الي", "الى", "لغايه", "ولغايه", "غايه", "الي غايه"}


@dataclass(frozen=True)
class Calendar:
    months: PhraseIndex[int]
    weekdays: PhraseIndex[int]
    this_month: frozenset[str]
    today: frozenset[str]
    tomorrow: frozenset[str] = frozenset({"غدا"})
    yesterday: frozenset[str] = frozenset({"امس"})
    last_words: frozenset[str] = frozenset({"الماضي", "المنصرم"})
    next_words: frozenset[str] = frozenset({"المقبل", "القادم"})


def calendar_from(data: dict) -> Calendar:
    """A calendar from the parsed `calendar.toml` (month and weekday names of every region)."""
    months: PhraseIndex[int] = PhraseIndex()
    for k, names in data["months"].items():
        for name in names:
            months.add(name, int(k))
    weekdays: PhraseIndex[int] = PhraseIndex()
    for k, names in data["weekdays"].items():
        for name in names:
            weekdays.add(name, int(k))
    rel = data.get("relative", {})
    return Calendar(
        months=months,
        weekdays=weekdays,
        this_month=frozenset(normalize(w) for w in rel.get("this_month", ["الجاري", "الحالي"])),
        today=frozenset(normalize(w) for w in rel.get("today", ["اليوم"])),
        tomorrow=frozenset(normalize(w) for w in rel.get("tomorrow", ["غدا"])),
        yesterday=frozenset(normalize(w) for w in rel.get("yesterday", ["أمس"])),
        last_words=frozenset(
            normalize(w) for w in [*rel.get("last_month", ["الماضي", "المنصرم"]), "الماضيين", "الماضيان"]
        ),
        next_words=frozenset(normalize(w) for w in rel.get("next_month", ["المقبل", "القادم"])),
    )


@dataclass(frozen=True)
class DateMention:
    first: int  # token indexes
    last: int
    start_day: tuple[int, int] | None = None  # (month, day)
    end_day: tuple[int, int] | None = None
    year: int | None = None
    month_only: int | None = None
    weekday: int | None = None
    this_month: bool = False
    today: bool = False
    # a day given relative to the publication date: "today", "tomorrow", "yesterday",
    # "after_tomorrow", or for a bare weekday "last" (الماضي), "next" (المقبل), "plain"
    relative: str | None = None


def _day(tok: Token) -> int | None:
    m = _DAY.match(tok.norm)
    if m and 1 <= int(m.group(1)) <= 31:
        return int(m.group(1))
    return None


def _year(tokens: list[Token], i: int) -> int | None:
    if i < len(tokens):
        m = _YEAR.match(tokens[i].norm)
        if m:
            return int(m.group(1))
    return None


def find_years(text: NormText) -> list[tuple[int, int]]:
    """(year, token index) for every year written in the text (1900-2099)."""
    out = []
    for word, at in text.word_positions().items():  # each distinct word once
        if word[-1] not in _YEAR_ENDS:  # the regex only for words that can be years
            continue
        m = _YEAR.match(word)
        if m:
            out.extend((int(m.group(1)), i) for i in at)
    out.sort(key=itemgetter(1))
    return out


def find_durations(text: NormText) -> list[tuple[int, int]]:
    """(days, token index) for "لمدة يومين", "ثلاثة أيام", "على مدى يومين"."""
    out = []
    toks = text.tokens
    words = text.word_positions()
    at = sorted(
        i for w, where in words.items() if w.endswith(_TWO_DAYS) or w in ("ايام", "يوما") for i in where
    )
    for t in map(toks.__getitem__, at):
        # a reading only drops proclitics, so the word itself ends with يومين / يومان
        if t.norm.endswith(_TWO_DAYS) and any(s in _TWO_DAYS for s in stems(t.norm)):
            out.append((2, t.index))
        elif t.norm in ("ايام", "يوما") and t.index > 0:
            hit = read_count(toks, t.index - 1)
            if hit and 1 <= hit[0] <= 31:
                out.append((hit[0], t.index))
    return out


@lru_cache(maxsize=1)
def default_calendar() -> Calendar:
    res = resources.files("confkg.data.gazetteers").joinpath("calendar.toml")
    return calendar_from(tomllib.loads(res.read_text("utf-8")))


def find_dates(text: NormText, cal: Calendar | None = None) -> list[DateMention]:
    """Every date expression of the text, left to right."""
    cal = cal or default_calendar()
    toks = text.tokens
    out: list[DateMention] = []
    months = {m.first: m for m in cal.months.find_all(text)}
    used: set[int] = set()
    for first, m in months.items():
        month = m.value
        last = m.last
        # "الجاري" right after the month: the month of publication
        this_month = last + 1 < len(toks) and toks[last + 1].norm in cal.this_month
        year = _year(toks, last + 1) or (this_month and _year(toks, last + 2)) or None
        if year:
            last += 1 if _year(toks, last + 1) else 2
        elif this_month:
            last += 1
        d2 = _day(toks[first - 1]) if first >= 1 else None
        if d2 is None:
            out.append(DateMention(first, last, year=year, month_only=month, this_month=this_month))
            continue
        d1 = None
        begin = first - 1
        # a range: "4 و5", "24 حتى 27", "من 12 إلى 14", "12-14"
        j = first - 2
        if j >= 0 and toks[j].norm in _RANGE_WORDS:
            j -= 1
        if j >= 0 and _day(toks[j]) is not None and j not in used:
            d1 = _day(toks[j])
            if d1 is not None and d1 < d2:
                begin = j
            else:
                d1 = None
        used.update(range(begin, last + 1))
        if d1 is not None:
            out.append(DateMention(begin, last, (month, d1), (month, d2), year=year, this_month=this_month))
        else:
            out.append(DateMention(begin, last, (month, d2), (month, d2), year=year, this_month=this_month))
    for w in cal.weekdays.find_all(text):
        first, last = w.first, w.last
        relative = "plain"
        prev = toks[first - 1].norm if first > 0 else ""
        prev2 = toks[first - 2].norm if first > 1 else ""
        nxt = toks[last + 1].norm if last + 1 < len(toks) else ""
        if prev in ("يوم", "يومي") and first > 1:
            prev, prev2 = prev2, toks[first - 3].norm if first > 2 else ""
            first -= 1
        if prev == "غد" and prev2 == "بعد":
            relative, first = "after_tomorrow", first - 2
        elif prev in cal.today:
            relative, first = "today", first - 1
        elif prev in cal.tomorrow or prev == "غد":
            relative, first = "tomorrow", first - 1
        elif prev in cal.yesterday:
            relative, first = "yesterday", first - 1
        elif nxt in cal.last_words:
            relative, last = "last", last + 1
        elif nxt in cal.next_words:
            relative, last = "next", last + 1
        elif not any(st.startswith("ال") for st in stems(toks[w.first].norm)) and prev not in ("يوم", "يومي"):
            continue  # "بأحد فنادق": أحد (one of), not Sunday; a bare weekday is written with ال
        out.append(DateMention(first, last, weekday=w.value, today=relative == "today", relative=relative))
    weekday_tokens = {k for d in out if d.weekday is not None for k in range(d.first, d.last + 1)}
    # the day words (اليوم، أمس، غدا) where they are not part of a weekday's expression
    words = text.word_positions()
    day_word_at = sorted({i for w in cal.today | cal.yesterday | cal.tomorrow for i in words.get(w, ())})
    for i in day_word_at:
        if i in weekday_tokens:
            continue
        norm = toks[i].norm
        for group, relative in (
            (cal.today, "today"),
            (cal.yesterday, "yesterday"),
            (cal.tomorrow, "tomorrow"),
        ):
            if norm in group:
                out.append(DateMention(i, i, relative=relative, today=relative == "today"))
    out = _join_cross_month_ranges(toks, out)
    out.sort(key=lambda d: d.first)
    return out


def _join_cross_month_ranges(toks: list[Token], dates: list[DateMention]) -> list[DateMention]:
    """ "من 28 تشرين الثاني إلى 1 كانون الأول 2023": two single days joined by إلى make a range."""
    days = sorted((d for d in dates if d.start_day and d.start_day == d.end_day), key=lambda d: d.first)
    joined: list[DateMention] = []
    used: set[int] = set()
    for a, b in zip(days, days[1:], strict=False):
        between = [t.norm for t in toks[a.last + 1 : b.first]]
        ordered = a.start_day < b.start_day  # a range over the new year is left as two days
        if a.year is None and between and all(w in _RANGE_WORDS for w in between) and ordered:
            joined.append(
                DateMention(
                    a.first,
                    b.last,
                    a.start_day,
                    b.end_day,
                    year=b.year,
                    this_month=a.this_month or b.this_month,
                )
            )
            used.update((id(a), id(b)))
    return [d for d in dates if id(d) not in used] + joined


def on_publication(d: DateMention, published: date | None) -> date | None:
    """The day a relative expression names, counted from the publication date."""

    if published is None or d.relative is None:
        return None
    offsets = {"today": 0, "tomorrow": 1, "after_tomorrow": 2, "yesterday": -1}
    if d.relative in offsets:
        day = published + timedelta(days=offsets[d.relative])
        # "اليوم الخميس" on a Friday's paper: trust the weekday, the text was written the day before
        if d.weekday is not None and day.weekday() != d.weekday:
            back = (day.weekday() - d.weekday) % 7
            day = day - timedelta(days=back if back <= 1 else 0)
            if day.weekday() != d.weekday:
                return None
        return day
    if d.weekday is None:
        return None
    if d.relative == "next":
        return published + timedelta(days=(d.weekday - published.weekday()) % 7 or 7)
    back = (published.weekday() - d.weekday) % 7
    if d.relative == "last" and back == 0:
        back = 7
    return published - timedelta(days=back)
