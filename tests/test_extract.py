"""The extractor as an analyst relies on it: what it finds, where it found it, and that it never crashes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from conftest import SEEDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confkg.cli import main
from confkg.evaluate import evaluate
from confkg.extract import extract
from confkg.models import Article

ROOT = Path(__file__).resolve().parents[1]
UNSEEN = ROOT / "tests" / "data" / "unseen"


def _article(text: str, *, published: date | None = None, id: str = "t") -> Article:
    return Article(id=id, text=text, title=None, source="test", published=published)


def test_overall_f1_on_the_samples_is_at_least_0_9():
    ev = evaluate(ROOT / "seeds" / "gold", [ROOT / "seeds" / "articles"])
    assert ev.articles == 5
    assert ev.overall.f1 >= 0.9, ev.table()


def test_rules_generalise_to_articles_written_in_four_regional_styles():
    ev = evaluate(UNSEEN / "gold", [UNSEEN / "articles.jsonl"])
    assert ev.articles == 10
    assert ev.overall.f1 >= 0.85, ev.table()
    assert ev.kinds["conference"].f1 >= 0.9, ev.table()
    assert ev.kinds["edition"].precision == 1.0, ev.table()


def test_rules_generalise_to_a_second_set_in_eight_more_styles():
    heldout = ROOT / "tests" / "data" / "heldout"
    ev = evaluate(heldout / "gold", [heldout / "articles.jsonl"])
    assert ev.articles == 8
    assert ev.overall.f1 >= 0.8, ev.table()


def test_evaluate_prints_the_table(runner):
    result = runner.invoke(main, ["evaluate", str(ROOT / "seeds" / "gold"), str(ROOT / "seeds" / "articles")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].split() == ["kind", "P", "R", "F1", "TP", "FP", "FN"]
    assert "overall" in result.output and "recommendation" in result.output


def test_a_recommendation_carries_the_sentence_it_came_from():
    text = (ROOT / "seeds" / "articles" / "002_f50b1f537d9797d9.txt").read_text("utf-8")
    facts = extract(_article(text))
    rec = next(r for r in facts.recommendations if "تعزيز برامج التدريب الأمني" in r.text)
    assert rec.evidence is not None
    assert text[rec.evidence.start : rec.evidence.end] == rec.evidence.text
    assert "تضمنت هذه التوصيات" in rec.evidence.text


def test_an_officials_position_carries_the_sentence_it_came_from():
    text = (ROOT / "seeds" / "articles" / "001_68def380e0635f55.txt").read_text("utf-8")
    facts = extract(_article(text))
    koman = next(o for o in facts.officials if "كومان" in o.name_ar)
    pos = koman.positions[0]
    assert pos.title_ar == "الأمين العام لمجلس وزراء الداخلية العرب"
    assert pos.organisation_key == "caim"
    assert pos.evidence is not None and "محمد بن علي كومان" in pos.evidence.text
    assert text[pos.evidence.start : pos.evidence.end] == pos.evidence.text


def test_interpol_spellings_are_one_organisation():
    text = (
        "شارك وفد في الدورة 93 للجمعية العامة للمنظمة الدولية للشرطة الجنائية (الإنتربول) بمراكش، "
        "وأشاد الانتربول بالتنظيم، كما قدم الأنتربول ومنظمة انتربول عرضا.\n"
    )
    facts = extract(_article(text))
    keys = [o.key for o in facts.organisations]
    assert keys.count("interpol") == 1
    assert {"الإنتربول", "الانتربول", "الأنتربول"} <= set(
        facts.organisations[keys.index("interpol")].written
    ) | {
        facts.organisations[keys.index("interpol")].name_ar,
        "الإنتربول",
    }


def test_a_later_short_mention_is_the_same_official():
    text = (
        "أكد الأمين العام لمجلس وزراء الداخلية العرب، محمد بن علي كومان، أهمية التعاون.\n"
        "وأشاد كومان بالتنظيم، كما عرض بن علي كومان توصيات المؤتمر.\n"
    )
    facts = extract(_article(text))
    assert len(facts.officials) == 1
    assert {"كومان", "بن علي كومان"} <= set(facts.officials[0].aliases)


def test_two_people_sharing_a_family_name_stay_two():
    text = (
        "افتتح اللواء طارق فؤاد الشريف، مساعد وزير الداخلية، أعمال المؤتمر الـ37 لرؤساء أجهزة مكافحة المخدرات.\n"
        "وقال العميد نبيل الشريف، مدير إدارة المخدرات الليبية، إن التعاون ضروري.\n"
    )
    facts = extract(_article(text))
    names = sorted(o.name_ar for o in facts.officials)
    assert names == ["طارق فؤاد الشريف", "نبيل الشريف"]


def test_a_levantine_article_with_eastern_digits_gives_the_session_and_its_days():
    text = (
        "عمّان - بترا\n"
        "تنطلق في العاصمة الأردنية عمّان يوم ١٢ تشرين الأول ٢٠٢٤ أعمال الدورة الحادية والأربعين "
        "لمجلس وزراء الداخلية العرب وتستمر حتى ١٣ تشرين الأول.\n"
    )
    facts = extract(_article(text))
    conf = facts.conferences[0]
    assert (conf.series_key, conf.edition, conf.place_key) == ("caim-session", 41, "amman")
    assert conf.start == date(2024, 10, 12)


def test_relative_days_are_resolved_from_the_publication_date_only():
    text = (
        "القاهرة\n"
        "انطلقت اليوم الثلاثاء أعمال المؤتمر العربي السابع والثلاثين لرؤساء أجهزة مكافحة المخدرات "
        "على أن تختتم غدا الأربعاء.\n"
    )
    with_date = extract(_article(text, published=date(2023, 10, 17))).conferences[0]
    assert (with_date.start, with_date.end) == (date(2023, 10, 17), date(2023, 10, 18))
    without = extract(_article(text)).conferences[0]
    assert (without.start, without.end, without.year) == (None, None, None)


def test_an_announced_session_is_a_conference_marked_as_announced():
    text = (
        "أعلنت الأمانة العامة أن المغرب سيستضيف الدورة 93 للجمعية العامة للإنتربول "
        "المقرر انعقادها بمراكش سنة 2025.\n"
    )
    conf = extract(_article(text)).conferences[0]
    assert (conf.series_key, conf.edition, conf.place_key, conf.year, conf.announced) == (
        "interpol-general-assembly",
        93,
        "marrakesh",
        2025,
        True,
    )


def test_an_officials_own_call_is_not_a_recommendation_of_the_conference():
    text = (
        "اختتم المؤتمر الثامن والأربعون لقادة الشرطة والأمن العرب أعماله في تونس.\n"
        "وأكد عبد اللطيف حموشي، المدير العام للأمن الوطني، على ضرورة تشكيل جبهة أمنية مشتركة.\n"
        "وأوصى المشاركون بتكثيف الحملات التوعوية وتعزيز التعاون بين الدول الأعضاء.\n"
    )
    recs = [r.text for r in extract(_article(text)).recommendations]
    assert recs == ["بتكثيف الحملات التوعوية", "تعزيز التعاون بين الدول الأعضاء"]


def test_boilerplate_yields_nothing():
    text = (
        "أخبارنا المغربية\n\nشارك بتعليقك\n\nاشتراك في القائمة البريدية\n"
        "إشترك بالقائمة البريدية لكواليس اليوم لتتوصل بكل الجديد عبر البريد الإلكتروني\n"
        "تعليقات الزوار ( 0 )\n"
    )
    facts = extract(_article(text))
    assert not (facts.conferences or facts.officials or facts.organisations or facts.recommendations)


arabic = st.text(alphabet=st.characters(min_codepoint=0x0600, max_codepoint=0x06FF), max_size=400)
anything = st.text(max_size=400)
fragments = st.sampled_from(
    ["المؤتمر", "الدورة", "الـ", "47", "٤٢", "السابع والأربعين", "لقادة الشرطة والأمن العرب", "بمراكش",
     "يومي 4 و5 ديسمبر", "من 24 حتى 27 نونبر الجاري", "السيد", "عبد", "بن", "، ", "\n", "- ", "أوصى المؤتمر ب",
     "الإنتربول", "وزير الداخلية", "اليوم الخميس", "(", ")", "2025", "  "]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(arabic, anything, st.lists(fragments, max_size=60).map("".join)))
def test_no_text_crashes_the_extractor(text):
    facts = extract(_article(text))
    for ev in (e for c in facts.conferences for e in c.evidence):
        assert 0 <= ev.start <= ev.end <= len(text)


def test_a_very_long_line_and_an_empty_article_do_not_crash():
    line = ("المؤتمر السابع والأربعون لقادة الشرطة والأمن العرب بطنجة، " * 3000).strip()
    assert extract(_article(line)).conferences
    assert extract(_article("")).conferences == []


def test_a_dateline_gives_the_venue_when_the_report_names_none():
    text = "المنامة - بنا\nانطلقت صباح اليوم أعمال الاجتماع الـ41 لوزراء الداخلية بدول مجلس التعاون لدول الخليج العربية.\n"
    conf = extract(_article(text, published=date(2024, 11, 13))).conferences[0]
    assert (conf.series_key, conf.edition, conf.place_key, conf.start) == (
        "gcc-interior-ministers-meeting",
        41,
        "manama",
        date(2024, 11, 13),
    )


def test_a_series_no_gazetteer_lists_is_still_a_conference_with_its_edition():
    text = (
        "بغداد/ واع\nاختتمت في بغداد أعمال المؤتمر العربي الحادي والعشرين لرؤساء أجهزة المباحث "
        "والأدلة الجنائية الذي نظمته الأمانة العامة لمجلس وزراء الداخلية العرب.\n"
    )
    conf = extract(_article(text)).conferences[0]
    assert conf.edition == 21 and conf.place_key == "baghdad"
    assert conf.series_ar == "المؤتمر العربي لرؤساء أجهزة المباحث والأدلة الجنائية"
    assert "caim-secretariat" in conf.organisers


def test_the_session_of_a_named_conference_belongs_to_that_series():
    text = (
        "نواكشوط\nتحتضن العاصمة الموريتانية نواكشوط من 10 إلى 12 مارس 2025 الدورة الثالثة والعشرين "
        "لمؤتمر رؤساء أجهزة الجوازات والهجرة والجنسية العرب.\n"
    )
    conf = extract(_article(text)).conferences[0]
    assert (conf.series_key, conf.edition, conf.place_key) == ("arab-migration-officials", 23, "nouakchott")
    assert (conf.start, conf.end) == (date(2025, 3, 10), date(2025, 3, 12))


def test_tokens_keyed_are_the_kept_tokens_whose_readings_give_the_key_in_order():
    from confkg.extract import load_gazetteer
    from confkg.extract.doc import Doc

    text = "أكد الحموشي أن التعاون مهم.\n\nوقال وللحموشي كلمة، ثم عاد حموشي إلى الرباط."
    doc = Doc.build(Article(id="t", text=text), load_gazetteer())
    found = doc.tokens_keyed({"حموشي"})
    assert [text[t.start : t.end] for t in found] == ["الحموشي", "وللحموشي", "حموشي"]
    assert [t.index for t in found] == sorted(t.index for t in found)
    assert doc.tokens_keyed({"غائب"}) == []


def test_matches_grouped_by_sentence_are_the_matches_each_sentence_holds():
    """Doc.found_by_sentence / starts_by_sentence: each sentence's matches, in order, none lost."""
    from confkg.extract import load_gazetteer
    from confkg.extract.doc import Doc
    from confkg.ingest import iter_articles

    gaz = load_gazetteer()
    for article in iter_articles([SEEDS]):
        doc = Doc.build(article, gaz)
        for index in (gaz.topic_index, gaz.org_index, gaz.trigger("participation")):
            found = doc.find(index)
            grouped = doc.found_by_sentence(index)
            for s, (a, b) in enumerate(doc.sent_tokens):
                inside = [m for m in found if a <= m.first <= b] if a >= 0 else []
                assert grouped.get(s, []) == inside
                assert doc.starts_by_sentence(index).get(s, []) == [m.first for m in inside]
            assert sum(map(len, grouped.values())) == len(found)
