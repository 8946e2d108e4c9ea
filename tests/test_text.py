"""Arabic-aware matching: normalisation, clitics, ordinals."""

import random

import pytest

from confkg.text import normalize as norm_module
from confkg.text.normalize import NormText, fold, name_key, normalize, stems
from confkg.text.numbers import read_ordinal
from confkg.text.phrases import PhraseIndex


def test_alef_hamza_ta_marbuta_and_diacritics_fold_for_matching():
    assert normalize("الإنتربول") == normalize("الانتربول") == normalize("الأنتربول")
    assert normalize("الدورةُ") == normalize("الدوره")
    assert normalize("مستوىً") == normalize("مستوي")
    assert normalize("الـ47") == "ال47"


def test_eastern_arabic_digits_read_as_digits():
    assert normalize("الدورة ٤٢") == "الدوره 42"


def test_offsets_of_normalised_tokens_point_into_the_original_text():
    text = "افتُتِحت الدورةُ ٩٣ بمراكش"
    nt = NormText(text)
    assert [text[t.start : t.end] for t in nt.tokens] == ["افتُتِحت", "الدورةُ", "٩٣", "بمراكش"]


def test_folding_character_by_character_is_what_the_translation_table_gives():
    """`fold` replaces the characters a text holds one after the other; the table is the reference."""
    table = norm_module._TABLE
    every = "".join(chr(k) for k in table)
    rng = random.Random(5)
    pool = every + "الإنتربول مؤتمر شؤون مسئول الدورةُ ٤٢ Interpol ـ\u200f\n"
    # short texts take one search for the characters they hold, long ones a pass per character
    lengths = [rng.choice([1, 5, 20, 100, 127, 128, 129, 200, 400]) for _ in range(400)]
    texts = [every, every[::-1], "", "plain ascii", *("".join(rng.choices(pool, k=k)) for k in lengths)]
    keeping_lines = {**table, ord("\n"): "\n"}
    for text in texts:
        assert fold(text) == text.translate(table)
        assert fold(text, keep_lines=True) == text.translate(keeping_lines)


def test_line_keys_and_short_pieces_are_what_normalize_gives_line_by_line():
    """The sentence splitter takes each line's `normalize` from the article's folded text, and
    skips a piece shorter than two normalised characters without normalising it."""
    from confkg.text.normalize import normalized_lines, shorter_than_two

    rng = random.Random(8)
    # Greek final sigma lower-cases by context; İ lower-cases to two characters (general path)
    pool = "اأإآة ىیئؤـًٌٍَُِّْ\u0670\n\t\u00a0\u2028 ΣσİI۱٢abcXYZ.،,-" + "".join(map(chr, range(0x610, 0x620)))
    texts = [
        "",
        "\n",
        "ΑΣ\nΒ",
        "İ",
        "ً ـ",
        "سطر\n\nسطر ثان  ",
        *("".join(rng.choices(pool, k=rng.randint(0, 60))) for _ in range(3000)),
    ]
    for text in texts:
        expected = [normalize(line) for line in text.split("\n")]
        assert NormText(text).line_keys() == expected, text
        assert normalized_lines(text) == expected, text
        for piece in [text, *text.split()]:
            assert shorter_than_two(piece) == (len(normalize(piece)) < 2), piece


def test_tokens_end_after_the_marks_that_follow_them_whatever_the_text_drops():
    """Token offsets against a per-character reference, on texts with every kind of dropped mark."""
    rng = random.Random(9)
    marks = ["\u064b", "\u064e", "\u0651", "\u0640", "\u200f", "\u00ad", " ", "\n", "،"]
    words = "افتتحت الدورة ٩٣ بمراكش لمجلس وزراء الداخلية العرب Interpol".split()
    for n in range(300):
        text = " ".join(rng.choices(words, k=12))
        # none dropped, a few, many: each way of mapping offsets back
        share = (0.0, 0.02, 0.25)[n % 3]
        text = "".join(c + (rng.choice(marks) if rng.random() < share else "") for c in text)
        nt = NormText(text)
        # reference: every original character kept or not, one at a time
        kept = [i for i, c in enumerate(text) if norm_module.fold_char(c)]
        assert len(kept) == len(nt.norm)
        spans = []
        for m in norm_module.WORD_RE.finditer(nt.norm):
            start = kept[m.start()]
            end = kept[m.end() - 1] + 1
            while end < len(text) and not norm_module.fold_char(text[end]) and not text[end].isspace():
                end += 1
            spans.append((m.group(), start, end))
        assert [(t.norm, t.start, t.end) for t in nt.tokens] == spans
        assert [t.index for t in nt.tokens] == list(range(len(spans)))


def test_proclitics_are_stripped_in_every_combination():
    assert "انتربول" in stems(normalize("وللإنتربول"))
    assert "مراكش" in stems(normalize("بمراكش"))
    assert "امن" in stems(normalize("والأمن"))
    assert "طنجه" in stems(normalize("لطنجة"))


def test_a_gazetteer_name_matches_with_clitics_and_spelling_variants():
    index: PhraseIndex[str] = PhraseIndex()
    index.add("المنظمة الدولية للشرطة الجنائية", "interpol")
    index.add("الإنتربول", "interpol")
    text = NormText("بالتعاون مع المنظمة الدولية للشرطة الجنائية وللانتربول")
    assert [m.value for m in index.find_all(text)] == ["interpol", "interpol"]


def test_the_longest_name_wins():
    index: PhraseIndex[str] = PhraseIndex()
    index.add("الجامعة العربية", "arab-league")
    index.add("الجامعة العربية للعلوم الأمنية", "nauss")
    matches = index.find_all(NormText("ورئيس الجامعة العربية للعلوم الأمنية"))
    assert [m.value for m in matches] == ["nauss"]


def test_a_later_word_of_a_name_may_carry_wa_li_or_the_article():
    index: PhraseIndex[str] = PhraseIndex()
    index.add("مجلس وزراء الداخلية العرب", "aimc")
    index.add("مكتب مكافحة المخدرات والجريمة", "unodc")
    text = NormText("أمام مجلس الوزراء الداخلية العرب، ومكتب لمكافحة مخدرات والجريمة")
    matches = index.find_all(text)
    assert [(m.value, m.surface) for m in matches] == [
        ("aimc", "مجلس الوزراء الداخلية العرب"),
        ("unodc", "مكتب لمكافحة مخدرات والجريمة"),
    ]
    # a name cut short by the end of the text does not match
    assert index.find_all(NormText("اجتماع مجلس وزراء الداخلية")) == []


def test_a_name_given_twice_keeps_its_first_value_and_a_shorter_name_still_matches_alone():
    index: PhraseIndex[str] = PhraseIndex()
    index.add("الأمانة العامة", "first")
    index.add("امانة عامة", "second")  # the same name without ال: one entry, the first value
    index.add("الأمانة العامة لمجلس وزراء الداخلية العرب", "aimc-secretariat")
    text = NormText("أكدت الأمانة العامة أن الأمانة العامة لمجلس وزراء الداخلية العرب")
    assert [(m.value, m.first, m.last) for m in index.find_all(text)] == [
        ("first", 1, 2),
        ("aimc-secretariat", 4, 9),
    ]


def _ordinal(text: str) -> int | None:
    nt = NormText(text)
    hit = read_ordinal(nt.tokens, 0)
    return hit[0] if hit else None


def test_ordinal_words_in_every_case_and_gender_give_the_edition():
    assert _ordinal("السابع والأربعين") == 47
    assert _ordinal("الثامن والأربعون") == 48
    assert _ordinal("الحادية والأربعون") == 41
    assert _ordinal("الخامسة والثلاثين") == 35
    assert _ordinal("الأولى") == 1
    assert _ordinal("الحادي عشر") == 11
    assert _ordinal("الـ47") == 47
    assert _ordinal("93") == 93


def test_a_family_name_with_or_without_the_article_is_one_person():
    assert name_key("عبد اللطيف حموشي") == name_key("عبد اللطيف الحموشي")
    assert name_key("عبد اللطيف حموشي") == name_key("عبداللطيف حموشي")
    assert name_key("محمد الدخيسي") != name_key("محمد حموشي")


def test_tokens_of_a_text_whose_lower_case_is_longer_map_back_through_the_general_path():
    """ "İ" lower-cases to two characters, so offsets map back one by one (orig_start/orig_end)."""
    text = "وصل وفد İstanbul إلى الدورةِ ٩٣ ـ Interpol"
    nt = NormText(text)
    dropped = 2  # the kasra and the tatweel
    assert len(nt.norm) == len(text) - dropped + 1
    expected = [
        (m.group(), nt.orig_start(m.start()), nt.orig_end(m.end()), n)
        for n, m in enumerate(norm_module.WORD_RE.finditer(nt.norm))
    ]
    assert [tuple(t) for t in nt.tokens] == expected
    assert [text[t.start : t.end] for t in nt.tokens][-3:] == ["الدورةِ", "٩٣", "Interpol"]


def test_a_sentence_ends_at_a_stop_before_a_space_but_not_after_a_digit_or_an_initial():
    from confkg.text.sentences import split_sentences

    text = "افتتح د. محمد الدورة 2.5 في الرباط. وقال إن البند 3. نافذ! هل نجحت؟ نعم.\nسطر ثان"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "افتتح د. محمد الدورة 2.5 في الرباط.",
        "وقال إن البند 3. نافذ!",
        "هل نجحت؟",
        "نعم.",
        "سطر ثان",
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert [s.line for s in sentences] == [0, 0, 0, 0, 1]


def test_word_positions_and_lookup_keys_point_at_every_token_and_stay_apart():
    """Each word's tokens, and each lookup key's: a key several words read as (الأمن، وأمن، أمن)
    gets its own list, and the words' lists are left as they were."""
    from confkg.text.phrases import first_keys, token_positions

    nt = NormText("الأمن وأمن أمن الأمن مؤتمر أمن")
    words = nt.word_positions()
    assert words == {"الامن": [0, 3], "وامن": [1], "امن": [2, 5], "مءتمر": [4]}
    keys = token_positions(nt)
    for key, at in keys.items():  # in no particular order
        assert set(at) == {t.index for t in nt.tokens if key in first_keys(t.norm)}
    assert sorted(keys["امن"]) == [0, 1, 2, 3, 5]
    assert nt.word_positions() == {"الامن": [0, 3], "وامن": [1], "امن": [2, 5], "مءتمر": [4]}


def test_indexes_in_a_group_find_what_they_find_alone():
    """A group looks for its members' first words together; each member's matches are its own."""
    from confkg.text.phrases import PhraseGroup

    def indexes() -> list[PhraseIndex]:
        places, bodies, words = PhraseIndex(), PhraseIndex(), PhraseIndex()
        places.add("الرباط", "rabat")
        places.add("مدينة الرباط", "rabat-city")
        bodies.add("مجلس وزراء الداخلية العرب", "aimc")
        bodies.add("مجلس الأمن", "unsc")
        words.add("مجلس", "council")
        words.add("الأمن", "security")
        return [places, bodies, words]

    alone, grouped = indexes(), indexes()
    group = PhraseGroup(grouped)
    texts = [
        "انعقد مجلس وزراء الداخلية العرب بمدينة الرباط وناقش مجلس الأمن والأمن",
        "وللمجلس دور، والرباط مدينة",
        "",
    ]
    for text in texts:
        nt = NormText(text)
        assert [ix.find_all(nt) for ix in grouped] == [ix.find_all(NormText(text)) for ix in alone]
    assert [m.value for m in grouped[2].find_all(NormText(texts[0]))] == [
        "council",
        "council",
        "security",
        "security",
    ]
    # a name added after grouping is found by the group too, in a text searched before
    seen = NormText(texts[0])
    grouped[0].find_all(seen)
    for ix in (alone[0], grouped[0]):
        ix.add("الداخلية", "interior")
    assert grouped[0].find_all(seen) == alone[0].find_all(NormText(texts[0]))
    nt = NormText(texts[0])
    assert grouped[0].find_all(nt) == alone[0].find_all(NormText(texts[0]))
    assert "interior" in [m.value for m in grouped[0].find_all(nt)]
    with pytest.raises(ValueError):
        PhraseGroup([grouped[1]])
    assert group.starts(nt) is group.starts(nt)  # once per text


def test_the_gazetteer_indexes_find_in_their_group_what_they_find_alone():
    import copy
    from pathlib import Path

    from confkg.extract import load_gazetteer

    gaz = load_gazetteer()
    assert gaz.phrases is not None
    members = gaz.phrase_indexes()
    assert len(members) > 20 and all(ix._group is gaz.phrases for ix in members)
    seeds = sorted((Path(__file__).parent.parent / "seeds" / "articles").glob("*.txt"))
    assert seeds
    for path in seeds:
        text = path.read_text("utf-8")
        nt = NormText(text)
        for ix in members:
            detached = copy.copy(ix)
            detached._group = None
            assert ix.find_all(nt) == detached.find_all(NormText(text))
