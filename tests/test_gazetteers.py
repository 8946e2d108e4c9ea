"""The gazetteer data files: well-formed, consistent with each other, and broad.

Every file of docs/gazetteers.md must exist in src/confkg/data/gazetteers/; a
missing one fails (it does not skip), so a half-written data set never passes.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from confkg.text.normalize import NormText, normalize, strip_article
from confkg.text.phrases import PhraseIndex
from confkg.text.sentences import Boilerplate

ROOT = Path(__file__).resolve().parents[1]
GAZ = ROOT / "src/confkg/data/gazetteers"
SEEDS = ROOT / "seeds/articles"

EXPECTED = [
    "places.toml",
    "organisations.toml",
    "titles.toml",
    "topics.toml",
    "calendar.toml",
    "boilerplate.toml",
]
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
QID_RE = re.compile(r"\bQ\d+\b")
ORG_KINDS = {"international", "regional", "national", "ministry", "university", "other"}


def load(name: str) -> dict:
    path = GAZ / name
    if not path.exists():
        pytest.fail(f"gazetteer {path.relative_to(ROOT)} is missing (see docs/gazetteers.md)")
    return tomllib.loads(path.read_text("utf-8"))


def all_gazetteer_files() -> list[str]:
    return sorted({p.name for p in GAZ.glob("*.toml")} | set(EXPECTED))


def folded(name: str) -> str:
    """The form the matcher compares: folded letters, a leading ال optional on the first word."""
    words = normalize(name).split()
    return " ".join([strip_article(words[0]), *words[1:]]) if words else ""


def matched_form(name: str) -> str:
    """The loosest form the matcher compares: ال optional on every word."""
    return " ".join(strip_article(w) for w in normalize(name).split())


def duplicates(names: list[str]) -> list[str]:
    counts = Counter(folded(n) for n in names)
    return sorted(n for n, c in counts.items() if c > 1)


def assert_keys(keys: list[str], what: str) -> None:
    bad = [k for k in keys if not KEY_RE.match(k)]
    assert not bad, f"{what} keys must be lowercase ASCII [a-z0-9-]: {bad}"
    dup = sorted(k for k, c in Counter(keys).items() if c > 1)
    assert not dup, f"{what} keys must be unique: {dup}"


# ---------------------------------------------------------------------------
# every file
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", all_gazetteer_files())
def test_every_gazetteer_file_exists_and_parses_with_tomllib(name):
    data = load(name)
    assert data, f"{name} is empty"


@pytest.mark.parametrize("name", all_gazetteer_files())
def test_no_gazetteer_holds_wikidata_ids(name):
    path = GAZ / name
    if not path.exists():
        pytest.fail(f"gazetteer {path.relative_to(ROOT)} is missing (see docs/gazetteers.md)")
    hits = QID_RE.findall(path.read_text("utf-8"))
    assert not hits, f"{name} holds Wikidata ids {hits}: they belong in wikidata-lexicon.toml"


# ---------------------------------------------------------------------------
# places.toml
# ---------------------------------------------------------------------------


def test_place_keys_are_unique_lowercase_ascii_across_countries_and_cities():
    places = load("places.toml")
    keys = [c["key"] for c in places.get("country", [])] + [c["key"] for c in places.get("city", [])]
    assert places.get("country"), "places.toml lists no country"
    assert_keys(keys, "place")


def test_every_place_has_an_english_and_an_arabic_name():
    places = load("places.toml")
    for entry in places.get("country", []) + places.get("city", []):
        assert entry.get("en") and entry.get("ar"), f"place {entry.get('key')} lacks en or ar"


def test_every_city_belongs_to_a_listed_country():
    places = load("places.toml")
    countries = {c["key"] for c in places.get("country", [])}
    orphans = [c["key"] for c in places.get("city", []) if c.get("country") not in countries]
    assert not orphans, f"cities whose country is not a country key: {orphans}"


def test_a_country_has_at_most_one_capital():
    places = load("places.toml")
    capitals = Counter(c.get("country") for c in places.get("city", []) if c.get("capital"))
    several = sorted(k for k, n in capitals.items() if n > 1)
    assert not several, f"countries with more than one capital: {several}"


# ---------------------------------------------------------------------------
# organisations.toml
# ---------------------------------------------------------------------------


def test_organisation_keys_are_unique_lowercase_ascii():
    orgs = load("organisations.toml")
    keys = [o["key"] for o in orgs.get("organisation", [])] + [n["key"] for n in orgs.get("national", [])]
    assert orgs.get("organisation"), "organisations.toml lists no organisation"
    assert_keys(keys, "organisation")


def test_organisation_countries_are_country_keys_of_places():
    orgs = load("organisations.toml")
    countries = {c["key"] for c in load("places.toml").get("country", [])}
    bad = [
        (o["key"], o["country"])
        for o in orgs.get("organisation", [])
        if o.get("country") and o["country"] not in countries
    ]
    assert not bad, f"organisations whose country is not a country of places.toml: {bad}"


def test_organisation_kinds_are_the_documented_ones():
    orgs = load("organisations.toml")
    bad = [
        (o["key"], o.get("kind"))
        for o in orgs.get("organisation", [])
        if o.get("kind", "other") not in ORG_KINDS
    ]
    assert not bad, f"organisation kinds outside {sorted(ORG_KINDS)}: {bad}"


def test_the_words_that_find_unlisted_bodies_are_data_single_words_without_folded_duplicates():
    unlisted = load("organisations.toml").get("unlisted", {})
    for field in ("heads", "bare_adjectives", "adjectives", "not_complements", "named_after"):
        words = unlisted.get(field, [])
        assert words, f"organisations.toml [unlisted] {field} is missing or empty"
        assert all(len(normalize(w).split()) == 1 for w in words), f"[unlisted] {field}: one word each"
        dup = sorted(w for w, c in Counter(normalize(w) for w in words).items() if c > 1)
        assert not dup, f"[unlisted] {field} lists these twice (folded): {dup}"


def test_a_head_word_added_to_the_data_finds_bodies_it_heads(tmp_path):
    import shutil

    from confkg.extract import extract, load_gazetteer
    from confkg.models import Article

    text = "وشارك في الاجتماع ممثلون عن شعبة الاستعلامات العامة وعن الهيئة الوطنية لمكافحة الفساد في تونس."
    article = Article(id="t", text=text)

    def bodies(folder: Path | None) -> set[str]:
        gaz = load_gazetteer(str(folder) if folder else None)
        return {o.name_ar for o in extract(article, gazetteer=gaz).organisations}

    assert bodies(None) == {"الهيئة الوطنية لمكافحة الفساد"}
    shutil.copytree(GAZ, tmp_path / "gazetteers", ignore=shutil.ignore_patterns("__pycache__"))
    orgs = tmp_path / "gazetteers" / "organisations.toml"
    text_of = orgs.read_text("utf-8")
    orgs.write_text(text_of.replace("heads = [\n", 'heads = [\n  "شعبة",\n', 1), "utf-8")
    assert bodies(tmp_path / "gazetteers") == {"الهيئة الوطنية لمكافحة الفساد", "شعبة الاستعلامات العامة"}
    # a word list written as one string is refused, naming the file and the list
    orgs.write_text(text_of.replace("named_after = [\n", 'named_after = "جامعة"\nx = [\n', 1), "utf-8")
    with pytest.raises(ValueError, match=r"organisations.toml \[unlisted\] named_after"):
        load_gazetteer.__wrapped__(str(tmp_path / "gazetteers"))


@pytest.mark.parametrize(
    ("file", "field", "value"),
    [("places.toml", "key", "abu dhabi"), ("organisations.toml", "key", "Interpol"),
     ("topics.toml", "key", "cyber%crime"), ("places.toml", "key", "tangier-"),
     ("organisations.toml", "key", "a--b"), ("places.toml", "country", "m%zz"),
     ("organisations.toml", "country", "Morocco")],
)  # fmt: skip
def test_a_key_that_cannot_be_part_of_an_iri_is_refused_naming_the_file(tmp_path, file, field, value):
    """Keys, and the fields that name one (a city's or a body's country), become IRIs, and the
    build's loader does not check the IRIs again (it reads the graphs leniently): a custom
    gazetteer folder with such a value is refused when it is loaded."""
    import re
    import shutil

    from confkg.extract.gazetteer import GazetteerError, load_gazetteer

    folder = tmp_path / "gazetteers"
    shutil.copytree(GAZ, folder, ignore=shutil.ignore_patterns("__pycache__"))
    path = folder / file
    text = path.read_text("utf-8")
    first = re.search(rf'^{field} = "([^"]+)"', text, flags=re.MULTILINE)
    path.write_text(text.replace(first.group(0), f'{field} = "{value}"', 1), "utf-8")
    with pytest.raises(GazetteerError, match=rf"{re.escape(file)}: {field} '{re.escape(value)}'"):
        load_gazetteer.__wrapped__(str(folder))
    assert load_gazetteer.__wrapped__(str(GAZ)).places  # the package's own keys all pass


# ---------------------------------------------------------------------------
# titles.toml
# ---------------------------------------------------------------------------


def test_honorifics_include_the_civil_and_the_police_forms():
    honorifics = {normalize(h) for h in load("titles.toml")["honorifics"]}
    for word in ("السيد", "اللواء", "الدكتور", "معالي", "العميد"):
        assert normalize(word) in honorifics, f"honorifics lack {word}"


def test_position_heads_include_the_usual_title_heads():
    index: PhraseIndex[str] = PhraseIndex()
    for head in load("titles.toml")["position_heads"]:
        index.add(head, head)
    # written as news writes them, with clitics and without the article
    for title in ("المدير العام", "مدير عام", "الأمين العام", "رئيس", "وزير", "ووزير", "للمدير", "قائد"):
        assert title in index, f"position heads do not match {title}"


@pytest.mark.parametrize("field", ["honorifics", "position_heads", "collective_heads"])
def test_title_lists_hold_no_folded_duplicates(field):
    names = load("titles.toml").get(field, [])
    assert names, f"titles.toml has no {field}"
    assert not duplicates(names), f"{field} lists the same title twice: {duplicates(names)}"


# ---------------------------------------------------------------------------
# topics.toml
# ---------------------------------------------------------------------------


def test_topics_are_many_and_well_formed():
    topics = load("topics.toml")["topic"]
    assert len(topics) >= 25
    assert_keys([t["key"] for t in topics], "topic")
    for t in topics:
        assert t.get("en") and t.get("ar") and t.get("keywords"), f"topic {t['key']} lacks en, ar or keywords"


def test_a_topic_keyword_marks_one_topic_only():
    owner: dict[str, str] = {}
    clashes = []
    for t in load("topics.toml")["topic"]:
        for kw in [t["ar"], *t["keywords"]]:
            f = matched_form(kw)
            if f in owner:
                clashes.append((kw, owner[f], t["key"]))
            owner[f] = t["key"]
    assert not clashes, f"keywords listed twice (keyword, first topic, second topic): {clashes}"


def _topic_index() -> PhraseIndex[str]:
    index: PhraseIndex[str] = PhraseIndex()
    for t in load("topics.toml")["topic"]:
        for kw in [t["ar"], *t["keywords"]]:
            index.add(kw, t["key"])
    return index


def test_topics_of_a_seed_article_are_found():
    text = (SEEDS / "001_68def380e0635f55.txt").read_text("utf-8")
    found = {m.value for m in _topic_index().find_all(NormText(text))}
    for key in ("terrorism", "cybercrime", "organised-crime", "drugs", "transnational-crime"):
        assert key in found, f"topic {key} not found in the seed article"


@pytest.mark.parametrize(
    "sentence, key",
    [
        ("ناقش المؤتمر سبل مكافحة تمويل الإرهاب", "terrorist-financing"),
        ("الحد من الهجرة غير النظامية نحو أوروبا", "migrant-smuggling"),
        ("تعزيز الأمن السيبراني للمؤسسات", "cybersecurity"),
        ("وتطرق الاجتماع إلى غسل الأموال", "money-laundering"),
        ("التصدي لمراكز الاحتيال", "financial-fraud"),
        ("توسيع دور الشرطيات في الميدان", "women-in-policing"),
        ("تجربة قطر في تأمين بطولة كأس العالم", "major-events-security"),
        ("حماية الحقوق والحريات الفردية", "human-rights"),
        ("الاتجار في الأشخاص", "human-trafficking"),
        ("تهريب الآثار والممتلكات الثقافية", "cultural-property"),
    ],
)
def test_a_theme_phrase_marks_its_topic(sentence, key):
    found = [m.value for m in _topic_index().find_all(NormText(sentence))]
    assert key in found, f"{sentence!r} gave {found}, not {key}"


def test_organised_and_transnational_crime_are_both_marked_in_one_phrase():
    found = [m.value for m in _topic_index().find_all(NormText("الجريمة المنظمة العابرة للحدود"))]
    assert found == ["organised-crime", "transnational-crime"]


# ---------------------------------------------------------------------------
# calendar.toml
# ---------------------------------------------------------------------------


def _months() -> PhraseIndex[int]:
    index: PhraseIndex[int] = PhraseIndex()
    for k, names in load("calendar.toml")["months"].items():
        for name in names:
            index.add(name, int(k))
    return index


def test_calendar_has_twelve_months_and_seven_weekdays_from_monday():
    cal = load("calendar.toml")
    assert sorted(cal["months"], key=int) == [str(i) for i in range(1, 13)]
    assert sorted(cal["weekdays"], key=int) == [str(i) for i in range(7)]
    assert normalize("الاثنين") in {normalize(n) for n in cal["weekdays"]["0"]}
    assert normalize("الأحد") in {normalize(n) for n in cal["weekdays"]["6"]}


@pytest.mark.parametrize("name", ["ديسمبر", "دجنبر", "كانون الأول", "دجمبر"])
def test_calendar_maps_every_regional_december_to_12(name):
    assert _months().lookup(name) == 12


@pytest.mark.parametrize("name", ["يوليو", "يوليوز", "تموز", "جويلية"])
def test_calendar_maps_every_regional_july_to_7(name):
    assert _months().lookup(name) == 7


@pytest.mark.parametrize(
    "name, month",
    [
        ("جانفي", 1),
        ("كانون الثاني", 1),
        ("شباط", 2),
        ("فيفري", 2),
        ("آذار", 3),
        ("إبريل", 4),
        ("أفريل", 4),
        ("نيسان", 4),
        ("ماي", 5),
        ("أيار", 5),
        ("جوان", 6),
        ("يونيه", 6),
        ("حزيران", 6),
        ("غشت", 8),
        ("أوت", 8),
        ("آب", 8),
        ("شتنبر", 9),
        ("أيلول", 9),
        ("تشرين الأول", 10),
        ("نونبر", 11),
        ("تشرين الثاني", 11),
        ("وديسمبر", 12),
        ("لنونبر", 11),  # with a proclitic
    ],
)
def test_calendar_reads_month_names_of_every_region(name, month):
    assert _months().lookup(name) == month


def test_a_month_name_belongs_to_one_month_only():
    names = [n for ns in load("calendar.toml")["months"].values() for n in ns]
    assert not duplicates(names), f"month names listed twice: {duplicates(names)}"


def test_relative_words_cover_this_month_last_month_and_today():
    rel = {k: {normalize(w) for w in v} for k, v in load("calendar.toml")["relative"].items()}
    assert normalize("الجاري") in rel["this_month"]
    assert normalize("الماضي") in rel["last_month"] and normalize("المنصرم") in rel["last_month"]
    assert normalize("اليوم") in rel["today"]
    assert normalize("أمس") in rel["yesterday"]
    assert not rel["this_month"] & rel["last_month"]


# ---------------------------------------------------------------------------
# boilerplate.toml
# ---------------------------------------------------------------------------


def _boilerplate() -> Boilerplate:
    bp = load("boilerplate.toml")
    return Boilerplate(bp["line_patterns"], bp["site_names"])


def test_site_names_include_the_moroccan_bylines():
    sites = {normalize(s) for s in load("boilerplate.toml")["site_names"]}
    for name in ("أخبارنا المغربية", "هسبريس", "كواليس اليوم", "اليوم السابع", "واس"):
        assert normalize(name) in sites, f"site names lack {name}"


@pytest.mark.parametrize("field", ["line_patterns", "site_names"])
def test_boilerplate_lists_hold_no_folded_duplicates(field):
    names = load("boilerplate.toml")[field]
    assert not duplicates(names), f"{field} lists the same entry twice: {duplicates(names)}"


@pytest.mark.parametrize(
    "line",
    [
        "تعليقات الزوار ( 0 )",
        "شارك بتعليقك",
        "شاهد أيضا",
        "اشتراك في القائمة البريدية",
        "إشترك بالقائمة البريدية لكواليس اليوم لتتوصل بكل الجديد عبر البريد الإلكتروني",
        "هل ترغب بالتعليق على الموضوع؟",
        "  • التعليقات المنشورة لا تعبر بالضرورة عن رأي الموقع",
        "  • من شروط النشر: عدم الإساءة للكاتب أو للأشخاص أو للمقدسات",
        "أخبارنا المغربية",
        "إقرأ أيضاً:",
        "جميع الحقوق محفوظة © 2024",
        "تابعونا على فيسبوك",
    ],
)
def test_page_furniture_lines_are_recognised(line):
    assert _boilerplate().is_furniture(normalize(line))


@pytest.mark.parametrize(
    "line",
    [
        "زيادة ملحوظة في الجرائم الإلكترونية",
        "شارك الخبراء في أشغال المؤتمر",
        "الجهة الرئيسية المنظمة للملتقى",
        "- تعزيز حماية الأنظمة الرقمية ضد الهجمات السيبرانية المستجدة.",
        "تحذير من تحميل التطبيقات المشبوهة",
        "اعتماد نظام تسجيل الدخول والخروج على الحدود",
        "المخدرات الأكثر تداولا بين الشباب",
        "الجريمة الإلكترونية",
        "شكر وتقدير",
    ],
)
def test_short_news_lines_are_not_furniture(line):
    assert not _boilerplate().is_furniture(normalize(line))


def test_seed_articles_lose_only_their_furniture():
    bp = _boilerplate()
    dropped = []
    for path in sorted(SEEDS.glob("*.txt")):
        for line in path.read_text("utf-8").splitlines():
            key = normalize(line)
            if key.strip(" -|*:.،") and bp.is_furniture(key):
                dropped.append(line.strip())
    assert all(len(line) < 120 for line in dropped), dropped
    # every dropped line is one of the known tails or bylines, never article text
    known = ("تعليق", "شارك", "شاهد", "القائمة البريدية", "أخبارنا المغربية", "شروط النشر")
    assert all(any(k in line for k in known) for line in dropped), dropped
    assert len(dropped) >= 9
