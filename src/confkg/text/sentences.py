"""Split an article into sentences with offsets, leaving page furniture out."""

from __future__ import annotations

import re
from typing import NamedTuple

from confkg.text.normalize import normalize, normalized_lines, shorter_than_two

# A sentence ends at . ! ? ؟ followed by space, or at a line break; a full stop
# between digits (2.5) or after a single letter (د. محمد) does not end one. The
# semicolon (؛ ;) separates clauses and list items inside one Arabic sentence.
# The mark is matched first and the look-behinds then include it: the same matches as
# (?<![0-9])(?<!\s\S)[.!?؟](?=\s), without trying two look-behinds at every character.
# Lines are split at line breaks first, so a sentence end inside a line is a mark only: a
# pattern that starts with the marks lets the regex engine skip to them.
_END = re.compile(r"[.!?؟](?<![0-9].)(?<!\s\S.)(?=\s)")
_BULLET = re.compile(r"^\s*(?:[-–•*▪●◦]|\d{1,2}[.)-]|[٠-٩]{1,2}[.)-])\s+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")


class Sentence(NamedTuple):
    """A sentence of an article, with its offsets (a named tuple: made ~40 times an article)."""

    start: int
    end: int
    text: str
    line: int  # index of the line it sits on
    bullet: bool = False  # an item of a bulleted or numbered list
    headline: bool = False


def split_sentences(
    text: str,
    *,
    boilerplate: Boilerplate | None = None,
    headline: bool = True,
    line_keys: list[str] | None = None,
) -> list[Sentence]:
    """Sentences of `text`, with boilerplate lines and repeated lines dropped.

    When `headline` is true, the first non-empty line is marked as the headline
    if it is short (a long first line is already body text). `line_keys`, when the caller
    has them (`NormText.line_keys`), are `normalize` of each line.
    """
    if line_keys is None:
        line_keys = normalized_lines(text)
    out: list[Sentence] = []
    seen_lines: set[str] = set()
    offset = 0
    first_line = True
    in_related = False  # inside a list of other stories, after "أخبار ذات صلة"
    for line_no, (line, key) in enumerate(zip(text.split("\n"), line_keys, strict=True)):
        line_start = offset
        offset += len(line) + 1
        if not key:
            continue
        if boilerplate is not None and boilerplate.is_section_header(key):
            in_related = True
            continue
        if in_related:
            if len(line.strip()) <= _RELATED_MAX:
                continue
            in_related = False
        if key in seen_lines or (boilerplate is not None and boilerplate.is_furniture(key)):
            first_line = False
            continue
        seen_lines.add(key)
        if _TABLE_RULE.match(line):
            continue
        is_headline = headline and first_line and len(line.strip()) <= 160
        first_line = False
        bullet = bool(_BULLET.match(line))
        for s, e in _pieces(line):
            raw = line[s:e]
            stripped = raw.strip(" \t\r|*\u00a0")
            if shorter_than_two(stripped):
                continue
            lead = raw.find(stripped)
            start = line_start + s + lead
            out.append(Sentence(start, start + len(stripped), stripped, line_no, bullet, is_headline))
    return out


def _pieces(line: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(line):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(line):
        spans.append((start, len(line)))
    return spans


_RELATED_MAX = 150  # a headline in a related-stories list is shorter than a paragraph


class Boilerplate:
    """Lines that are page furniture (comment boxes, newsletter forms, site names, related stories)."""

    def __init__(
        self, line_patterns: list[str], site_names: list[str], section_headers: list[str] = ()
    ) -> None:
        patterns = sorted({normalize(p) for p in line_patterns if normalize(p)})
        # one search for any of them (a test per pattern cost more than the rest of the splitting)
        self._pattern = re.compile("|".join(map(re.escape, patterns))) if patterns else None
        self._sites = {normalize(s) for s in site_names if normalize(s)}
        self._headers = {normalize(h) for h in section_headers if normalize(h)}

    def is_section_header(self, norm_line: str) -> bool:
        return norm_line.strip(" -|*:.،") in self._headers

    def is_furniture(self, norm_line: str) -> bool:
        bare = norm_line.strip(" -|*:.،")
        if bare in self._sites:
            return True
        if len(bare) < 80 and self._pattern is not None and self._pattern.search(bare):
            return True
        return bare in ("*", "")
