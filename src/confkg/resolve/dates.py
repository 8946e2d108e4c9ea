"""Turn what articles say about when a conference took place into dates, never guessing a year.

A year comes from the text (a stated year), from the publication date for
relative expressions ("الجاري", "اليوم الخميس"), or from the years an article
mentions around the conference when the weekday it gives agrees. Start and end
complete each other through a stated duration ("لمدة يومين") or weekday
("افتتحت الأربعاء"). The same function serves one article and a merge of
several: clues from sibling articles are simply combined first.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from confkg.models import Conference, DateClues


@dataclass
class When:
    start: date | None = None
    end: date | None = None
    year: int | None = None
    sources: list[str] = field(default_factory=list)


def _make(year: int, md: tuple[int, int] | None) -> date | None:
    if md is None:
        return None
    try:
        return date(year, md[0], md[1])
    except ValueError:
        return None


def _year_candidates(clues: DateClues, stated: int | None, published: date | None) -> list[int]:
    if stated is not None:
        return [stated]
    md = clues.end_day or clues.start_day
    if published is not None and (md or clues.this_month):
        if clues.this_month or md is None:
            return [published.year]
        # the nearest occurrence of that day to the publication date
        options = [y for y in (published.year - 1, published.year, published.year + 1) if _make(y, md)]
        return sorted(options, key=lambda y: abs((_make(y, md) - published).days))[:1]
    return sorted(set(clues.years_in_article))


def resolve(clues: DateClues, *, stated_year: int | None, published: date | None) -> When:
    when = When(year=stated_year)
    candidates = _year_candidates(clues, stated_year, published)
    has_day = clues.start_day or clues.end_day
    if has_day:
        fitting = [y for y in candidates if _weekdays_fit(clues, y)]
        if stated_year is None and len(fitting) == 1:
            when.year = fitting[0]
        elif stated_year is None and published is not None and candidates:
            when.year = candidates[0]
        if when.year is not None:
            when.start = _make(when.year, clues.start_day)
            when.end = _make(when.year, clues.end_day)
    elif stated_year is None and len(candidates) == 1 and not published:
        when.year = candidates[0]

    if when.end and not when.start:
        if clues.duration_days:
            when.start = when.end - timedelta(days=clues.duration_days - 1)
        elif clues.start_weekday is not None:
            back = (when.end.weekday() - clues.start_weekday) % 7
            when.start = when.end - timedelta(days=back)
    if when.start and not when.end and clues.duration_days and clues.start_day != clues.end_day:
        when.end = when.start + timedelta(days=clues.duration_days - 1)
    if when.start and when.end and when.start > when.end:
        when.start = None
    if when.start and clues.start_weekday is not None and when.start.weekday() != clues.start_weekday:
        # the text's weekday and the computed day disagree: do not assert a start
        when.start = None
    if when.year is None and when.end:
        when.year = when.end.year
    return when


def _weekdays_fit(clues: DateClues, year: int) -> bool:
    end = _make(year, clues.end_day)
    start = _make(year, clues.start_day)
    if clues.end_weekday is not None and end is not None and end.weekday() != clues.end_weekday:
        return False
    if clues.start_weekday is not None and start is not None and start.weekday() != clues.start_weekday:
        return False
    return True


def resolve_in_article(conf: Conference, *, published: date | None) -> None:
    """Fill a conference's start, end and year from its own article's clues."""
    when = resolve(conf.clues, stated_year=conf.year, published=published)
    conf.start, conf.end = when.start, when.end
    if conf.year is None:
        conf.year = when.year


def combine(
    clue_sets: list[tuple[DateClues, int | None, date | None]],
) -> tuple[DateClues, int | None, date | None]:
    """Merge the clues several articles give about one conference into one set.

    A stated year wins over inferred ones; a stated day wins over nothing; the
    publication date of an article that says "الجاري" anchors the month.
    """
    merged = DateClues()
    years = [y for _, y, _ in clue_sets if y is not None]
    published = None
    for clues, _, pub in clue_sets:
        for name in ("start_day", "end_day", "start_weekday", "end_weekday", "duration_days"):
            if getattr(merged, name) is None and getattr(clues, name) is not None:
                merged = replace(merged, **{name: getattr(clues, name)})
        if clues.this_month and pub is not None:
            merged = replace(merged, this_month=True)
            published = published or pub
        merged.years_in_article = sorted(set(merged.years_in_article) | set(clues.years_in_article))
    # a day range beats a single day from another article
    for clues, _, _ in clue_sets:
        if clues.start_day and clues.end_day and clues.start_day != clues.end_day:
            merged = replace(merged, start_day=clues.start_day, end_day=clues.end_day)
            break
    stated = max(set(years), key=years.count) if years else None
    return merged, stated, published
