"""Edition numbers as news writes them: digits (47, الـ47, ٤٧) and ordinal words.

The ordinal table is composed from `data/numbers.toml`: units in masculine and
feminine, with and without ال, joined with "و" to the tens in their -ون and -ين
forms (السابع والأربعين، الحادية والأربعون، الثامن والأربعون).
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources

from confkg.text.normalize import Token, normalize, stems

_DIGITS = re.compile(r"^(?:ال)?(\d{1,4})$")


@lru_cache(maxsize=1)
def _data() -> dict:
    return tomllib.loads(resources.files("confkg.data").joinpath("numbers.toml").read_text("utf-8"))


def _variants(word: str) -> set[str]:
    w = normalize(word)
    forms = {w}
    if w.startswith("ال"):
        forms.add(w[2:])
    for f in list(forms):
        if f.endswith("ون"):
            forms.add(f[:-2] + "ين")
            forms.add(f[:-2] + "ان")
    return forms


@lru_cache(maxsize=1)
def ordinal_table() -> dict[tuple[str, ...], int]:
    """Normalised word sequences of ordinals 1..199 to their values."""
    data = _data()
    table: dict[tuple[str, ...], int] = {}
    units = {int(k): v for k, v in data["ordinal_units"].items()}
    teens = {int(k): v for k, v in data["ordinal_teens"].items()}
    tens = {int(k): v for k, v in data["tens"].items()}
    hundreds = {int(k): v for k, v in data["hundreds"].items()}

    def add(words: tuple[str, ...], value: int) -> None:
        table.setdefault(words, value)

    unit_forms = {n: set().union(*(_variants(w) for w in ws)) for n, ws in units.items()}
    ten_forms = {n: set().union(*(_variants(w) for w in ws)) for n, ws in tens.items()}
    for n, forms in unit_forms.items():
        for f in forms:
            add((f,), n)
    for n, ws in teens.items():
        for w in ws:
            parts = normalize(w).split()
            for first in _variants(parts[0]):
                add((first, *parts[1:]), n)
    for t, tforms in ten_forms.items():
        for tf in tforms:
            add((tf,), t)
            for u, uforms in unit_forms.items():
                if u == 10:
                    continue
                for uf in uforms:
                    add((uf, "و" + tf), t + u)
                    if not tf.startswith("ال"):
                        add((uf, "وال" + tf), t + u)
    for h, ws in hundreds.items():
        for w in ws:
            for hf in _variants(w):
                add((hf,), h)
    return table


@lru_cache(maxsize=1)
def cardinal_table() -> dict[str, int]:
    out: dict[str, int] = {}
    for k, ws in _data()["cardinals"].items():
        for w in ws:
            out[normalize(w)] = int(k)
    return out


def read_ordinal(tokens: list[Token], i: int) -> tuple[int, int] | None:
    """An edition number starting at token i: (value, index of its last token)."""
    tok = tokens[i].norm
    m = _DIGITS.match(tok)
    if m:
        return int(m.group(1)), i
    if tok == "ال" and i + 1 < len(tokens):
        m = _DIGITS.match(tokens[i + 1].norm)
        if m:
            return int(m.group(1)), i + 1
    table = ordinal_table()
    best: tuple[int, int] | None = None
    for length in (3, 2, 1):
        if i + length > len(tokens):
            continue
        words = tuple(t.norm for t in tokens[i : i + length])
        # the first word may carry a preposition: "للدورة" never, but "بالدورة السابعة" may
        for first in (words[0], *stems(words[0])[1:]):
            value = table.get((first, *words[1:]))
            if value is not None:
                best = (value, i + length - 1)
                break
        if best:
            break
    return best


def read_count(tokens: list[Token], i: int) -> tuple[int, int] | None:
    """A cardinal count at token i (digits or a number word): (value, last index)."""
    tok = tokens[i].norm
    if tok.isdigit():
        return int(tok), i
    value = cardinal_table().get(tok)
    if value is None:
        for s in stems(tok)[1:]:
            value = cardinal_table().get(s)
            if value is not None:
                break
    if value is None:
        return None
    return value, i
