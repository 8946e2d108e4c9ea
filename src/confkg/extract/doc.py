"""One article prepared for extraction: normalised tokens, kept sentences, mention helpers."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from operator import itemgetter

from confkg.extract.gazetteer import Gazetteer
from confkg.models import Article, Evidence
from confkg.text.normalize import NormText, Token, stems
from confkg.text.phrases import Match, PhraseIndex, token_positions
from confkg.text.sentences import Sentence, split_sentences

# Punctuation, or a line break, between two tokens separates them.
_PUNCT_BREAK = re.compile(r"[،,;؛:.!?؟()\[\]\"“”«»|\n]")

# Little words that never belong to a name or a title's complement.
STOP = frozenset(
    "في من على الى عن مع خلال الذي التي الذين ان إن انه كان كانت قد بعد قبل حول بين عبر لدي منذ حيث ضمن"
    " وفي ومن وعلي والي عند هذا هذه ذلك تلك او أو ثم كما لكن بل ما لا لم لن اليوم امس غدا وقد فقد"
    " وهو وهي هو هي هم الا انها انهم اكد اكدت قال قالت اشار اشارت اوضح اوضحت مشيرا مؤكدا معربا بصفته"
    " يوم يومي".split()
)


@dataclass
class Doc:
    article: Article
    gaz: Gazetteer
    nt: NormText
    sentences: list[Sentence]
    sent_of_token: list[int]  # sentence index per token, -1 outside kept sentences
    sent_tokens: list[tuple[int, int]]  # first and last token index per sentence
    reference_date: date | None = None  # publication date, or the dateline's date
    conferences: list = field(default_factory=list)  # the conferences found so far (extract.conferences)
    _found: dict = field(default_factory=dict)  # phrase index -> its matches here (and by sentence)

    @classmethod
    def build(cls, article: Article, gaz: Gazetteer) -> Doc:
        nt = NormText(article.text)
        sentences = split_sentences(article.text, boilerplate=gaz.boilerplate, line_keys=nt.line_keys())
        sent_of_token = [-1] * len(nt.tokens)
        sent_tokens: list[tuple[int, int]] = []
        # tokens are in order of both start and end: a sentence holds those from the first
        # starting at or after its start to the last ending at or before its end
        starts = list(map(itemgetter(1), nt.tokens))
        ends = list(map(itemgetter(2), nt.tokens))
        for idx, s in enumerate(sentences):
            first, stop = bisect_left(starts, s.start), bisect_right(ends, s.end)
            if stop > first:
                sent_of_token[first:stop] = [idx] * (stop - first)
                sent_tokens.append((first, stop - 1))
            else:
                sent_tokens.append((-1, -1))
        doc = cls(article, gaz, nt, sentences, sent_of_token, sent_tokens)
        doc.reference_date = article.published or _dateline(doc)
        return doc

    @property
    def tokens(self) -> list[Token]:
        return self.nt.tokens

    def kept(self, i: int) -> bool:
        return 0 <= i < len(self.sent_of_token) and self.sent_of_token[i] >= 0

    @cached_property
    def dates(self) -> list:
        """Every date expression of the article (confkg.text.dates.find_dates), found once."""
        from confkg.text.dates import find_dates

        return find_dates(self.nt, self.gaz.calendar)

    def tokens_keyed(self, keys: Iterable[str]) -> list[Token]:
        """The kept tokens, in order, one of whose lookup keys (a reading without proclitics or
        ال, confkg.text.phrases) is among `keys`: a superset of the tokens that are one of these
        words, found without walking every token."""
        positions = token_positions(self.nt)
        sent, tokens = self.sent_of_token, self.nt.tokens
        found = {i for key in keys for i in positions.get(key, ())}
        return [tokens[i] for i in sorted(found) if sent[i] >= 0]

    def find(self, index: PhraseIndex) -> list[Match]:
        """Matches of a phrase index inside kept sentences, not crossing a sentence end (computed once)."""
        cache = self._found
        hit = cache.get(id(index))
        if hit is None:
            sent = self.sent_of_token
            hit = cache[id(index)] = [
                m for m in index.find_all(self.nt) if sent[m.first] >= 0 and sent[m.first] == sent[m.last]
            ]
        return hit

    def found_by_sentence(self, index: PhraseIndex) -> dict[int, list[Match]]:
        """`find`'s matches grouped by their sentence, in order (computed once; read, do not change)."""
        key = ("by_sentence", id(index))
        hit = self._found.get(key)
        if hit is None:
            hit = self._found[key] = {}
            sent = self.sent_of_token
            for m in self.find(index):
                hit.setdefault(sent[m.first], []).append(m)
        return hit

    def starts_by_sentence(self, index: PhraseIndex) -> dict[int, list[int]]:
        """The first tokens of `find`'s matches, grouped by their sentence (computed once)."""
        key = ("starts", id(index))
        hit = self._found.get(key)
        if hit is None:
            hit = self._found[key] = {
                s: [m.first for m in found] for s, found in self.found_by_sentence(index).items()
            }
        return hit

    def gap(self, i: int) -> str:
        """The original text between token i and token i+1."""
        if i + 1 >= len(self.tokens):
            return ""
        return self.article.text[self.tokens[i].end : self.tokens[i + 1].start]

    def breaks_after(self, i: int) -> bool:
        """Whether punctuation separates token i from the next one."""
        return _PUNCT_BREAK.search(self.gap(i)) is not None

    def evidence(self, sent_index: int) -> Evidence:
        s = self.sentences[sent_index]
        return Evidence(s.start, s.end, s.text)

    def surface(self, first: int, last: int) -> str:
        return self.article.text[self.tokens[first].start : self.tokens[last].end]

    def sentence_of(self, tok: int) -> int:
        return self.sent_of_token[tok] if 0 <= tok < len(self.tokens) else -1

    def has_word(self, i: int, words: frozenset[str] | set[str]) -> bool:
        return any(s in words for s in stems(self.tokens[i].norm))

    def trigger_hits(self, name: str) -> list[Match]:
        return self.find(self.gaz.trigger(name))


def _dateline(doc: Doc) -> date | None:
    """The date of a dateline at the top of the article ("الرياض … الموافق 17 أكتوبر 2024 م واس").

    News agencies open with the place and the full date of the day they write; when the
    article comes without a publication date, that date anchors "اليوم", "أمس" and "الجاري".
    """
    limit = 3
    lines = [s for s in doc.sentences if not s.headline][:limit]
    if not lines:
        return None
    end = lines[-1].end
    for d in doc.dates:
        if doc.tokens[d.first].start > end:
            break
        if d.year and d.start_day and d.start_day == d.end_day and d.first < 12 + doc.sent_tokens[0][0] + 40:
            try:
                return date(d.year, *d.start_day)
            except ValueError:
                return None
    return None
