"""One article prepared for extraction: normalised tokens, kept sentences, mention helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from confkg.extract.gazetteer import Gazetteer
from confkg.models import Article, Evidence
from confkg.text.normalize import NormText, Token, stems
from confkg.text.phrases import Match, PhraseIndex
from confkg.text.sentences import Sentence, split_sentences

_PUNCT_BREAK = re.compile(r"[،,;؛:.!?؟()\[\]\"“”«»|]")

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

    @classmethod
    def build(cls, article: Article, gaz: Gazetteer) -> Doc:
        nt = NormText(article.text)
        sentences = split_sentences(article.text, boilerplate=gaz.boilerplate)
        sent_of_token = [-1] * len(nt.tokens)
        sent_tokens: list[tuple[int, int]] = []
        si = 0
        for idx, s in enumerate(sentences):
            first = last = -1
            while si < len(nt.tokens) and nt.tokens[si].start < s.start:
                si += 1
            j = si
            while j < len(nt.tokens) and nt.tokens[j].end <= s.end:
                sent_of_token[j] = idx
                if first < 0:
                    first = j
                last = j
                j += 1
            sent_tokens.append((first, last))
        return cls(article, gaz, nt, sentences, sent_of_token, sent_tokens)

    @property
    def tokens(self) -> list[Token]:
        return self.nt.tokens

    def kept(self, i: int) -> bool:
        return 0 <= i < len(self.tokens) and self.sent_of_token[i] >= 0

    def find(self, index: PhraseIndex) -> list[Match]:
        """Matches of a phrase index inside kept sentences, not crossing a sentence end."""
        return [
            m
            for m in index.find_all(self.nt)
            if self.kept(m.first) and self.sent_of_token[m.first] == self.sent_of_token[m.last]
        ]

    def gap(self, i: int) -> str:
        """The original text between token i and token i+1."""
        if i + 1 >= len(self.tokens):
            return ""
        return self.article.text[self.tokens[i].end : self.tokens[i + 1].start]

    def breaks_after(self, i: int) -> bool:
        """Whether punctuation separates token i from the next one."""
        return bool(_PUNCT_BREAK.search(self.gap(i))) or "\n" in self.gap(i)

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
