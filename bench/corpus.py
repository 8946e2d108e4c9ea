"""A generator of realistic Arabic conference articles for benchmarks only (never for tests of correctness).

    python bench/corpus.py --count 2000 --seed 7 --out corpus.jsonl     # one JSON object a line
    python bench/corpus.py --count 200 --out corpus/                     # one .txt file per article

Articles are composed from a few dozen sentence templates filled with confkg's
own gazetteers (series, cities and their countries, organisations, titles,
given names) plus invented family names, in the styles of the samples: a
dateline or headline, a byline, the opening or closing of an edition with its
dates written the Maghrebi, Egyptian or Levantine way, officials with their
ranks and posts, participating bodies, topics, recommendations as a numbered
list or a comma list, and a site's boilerplate tail. The same seed gives the
same corpus, byte for byte; article `i` depends only on (seed, i), so any slice
of a large corpus can be made alone.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from pathlib import Path

WEEKDAYS = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]

# Month names by regional style (the calendar gazetteer lists them all; here they are kept apart).
MONTHS = {
    "maghreb-ma": ["يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو", "يوليوز", "غشت", "شتنبر", "أكتوبر", "نونبر", "دجنبر"],
    "maghreb-dz": ["جانفي", "فيفري", "مارس", "أفريل", "ماي", "جوان", "جويلية", "أوت", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"],
    "egypt-gulf": ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"],
    "levant": ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول",
               "تشرين الثاني", "كانون الأول"],
}  # fmt: skip
STYLE_OF_COUNTRY = {
    "morocco": "maghreb-ma", "mauritania": "maghreb-ma", "algeria": "maghreb-dz", "tunisia": "maghreb-dz",
    "libya": "egypt-gulf", "lebanon": "levant", "syria": "levant", "jordan": "levant", "iraq": "levant",
    "palestine": "levant",
}  # fmt: skip

ORD_UNITS_M = [
    "",
    "الأول",
    "الثاني",
    "الثالث",
    "الرابع",
    "الخامس",
    "السادس",
    "السابع",
    "الثامن",
    "التاسع",
    "العاشر",
]
ORD_UNITS_F = ["", "الأولى", "الثانية", "الثالثة", "الرابعة", "الخامسة", "السادسة", "السابعة", "الثامنة", "التاسعة",
               "العاشرة"]  # fmt: skip
TENS_GEN = ["", "", "العشرين", "الثلاثين", "الأربعين", "الخمسين", "الستين", "السبعين", "الثمانين", "التسعين"]
TENS_NOM = ["", "", "العشرون", "الثلاثون", "الأربعون", "الخمسون", "الستون", "السبعون", "الثمانون", "التسعون"]

# Invented family names: nisba forms built from common roots (none need be a real family).
FAMILY_ROOTS = [
    "زهر", "قحط", "شمر", "عتيب", "سبيع", "حرب", "غامد", "مطير", "عنز", "سلم", "كعب", "تميم", "بكر", "هاشم",
    "نجار", "حداد", "خطيب", "صباغ", "عطار", "سقاط", "فاس", "مكن", "رباط", "طنج", "وزان", "دكال", "سوس",
    "ريف", "شاذل", "قاسم", "منصور", "ناصر", "عمر", "عثمان", "حسين", "كرد", "بغداد", "موصل", "حلب", "حمص",
    "نابلس", "خليل", "قدس", "جزائر", "قسنطين", "وهران", "تلمسان", "بسكر", "قيروان", "صفاقس", "سوس", "بنزرت",
]  # fmt: skip
FAMILY_FORMS = ["ال{r}ي", "ال{r}اني", "ال{r}اوي", "بن {r}", "بو{r}", "{r}ي", "أبو {r}"]

SPEECH_VERBS = ["أكد", "أوضح", "أشار", "شدد", "لفت", "نوه"]
PRAISE_TARGETS = [
    "الجهود التي تبذلها الأجهزة الأمنية العربية في مواجهة التحديات المشتركة",
    "حسن الإعداد والتنظيم وكرم الضيافة",
    "مستوى التنسيق القائم بين الأجهزة المعنية في الدول الأعضاء",
    "الدور الذي تضطلع به الأمانة العامة في دعم العمل الأمني العربي المشترك",
]
ACTIONS = [
    "تعزيز تبادل المعلومات والخبرات بين الأجهزة المختصة",
    "تطوير قواعد بيانات مشتركة لرصد التهديدات المستجدة",
    "تنظيم دورات تدريبية متخصصة لفائدة الأطر الأمنية",
    "توحيد المفاهيم القانونية المرتبطة بالجرائم المستحدثة",
    "إحداث نقاط اتصال دائمة بين الأجهزة النظيرة",
    "الاستفادة من التكنولوجيا الحديثة والذكاء الاصطناعي في العمل الميداني",
    "تكثيف حملات التوعية الموجهة إلى الشباب",
    "إعداد دليل استرشادي موحد للتحقيق وجمع الأدلة",
    "دعم برامج بناء القدرات في الدول الأقل إمكانات",
    "تسريع إجراءات التعاون القضائي وتسليم المطلوبين",
]
RECOMMENDATION_OPENERS = ["دعوة", "حث", "تكليف", "الموافقة على", "التأكيد على", "تشجيع"]
RECOMMENDATION_ADDRESSEES = [
    "الدول الأعضاء", "الأجهزة الأمنية العربية", "الأمانة العامة", "الأجهزة المختصة",
    "مراكز التدريب الأمني", "الجهات القضائية",
]  # fmt: skip
CLOSERS = [
    "وسترفع الأمانة العامة التوصيات إلى الدورة المقبلة لمجلس وزراء الداخلية العرب لاعتمادها.",
    "وأعرب المشاركون في ختام الأشغال عن شكرهم للبلد المضيف على حسن الاستقبال والتنظيم.",
    "واختتمت الأشغال بتوزيع شهادات تقديرية على عدد من المشاركين تقديرا لإسهاماتهم.",
    "وتم على هامش الأشغال توقيع مذكرة تفاهم لتعزيز التعاون في مجال التدريب وتبادل الخبرات.",
]
FILLERS = [
    "وتأتي هذه المشاركة في إطار الانفتاح على التجارب الدولية الناجحة وتعزيز الشراكات الأمنية مع الدول الشقيقة والصديقة.",
    "ويشكل هذا الموعد السنوي مناسبة لتقييم ما تحقق من نتائج في مجال التعاون الأمني وتحديد أولويات المرحلة المقبلة.",
    "وعرف اللقاء تقديم عروض حول التجارب الوطنية الناجحة في مجال الوقاية من الجريمة ومكافحتها بمختلف أشكالها.",
    "كما تميزت الجلسات بنقاش مستفيض حول آليات تنفيذ الاستراتيجيات المعتمدة وسبل تجاوز الصعوبات التي تعترضها.",
    "وتوزعت أشغال الدورة على جلسات عامة وورشات متخصصة أطرها خبراء من داخل المنطقة وخارجها.",
    "وأجمع المتدخلون على أن التحديات الأمنية الراهنة تتطلب مقاربة شمولية تجمع بين البعد الوقائي والبعد الزجري.",
    "وتطرق المشاركون إلى التحولات المتسارعة في أنماط الجريمة وما تفرضه من ضرورة تحديث آليات العمل الأمني.",
    "وشهدت الجلسة الافتتاحية عرض شريط وثائقي يبرز أهم المحطات التي عرفها العمل الأمني المشترك خلال السنوات الأخيرة.",
]
TAILS = [
    [
        "اقرأ أيضا",
        "ضبط شبكة إجرامية متخصصة في تزوير الوثائق",
        "حملة أمنية واسعة لمواجهة الجريمة في الأحياء الشعبية",
    ],
    ["أضف تعليقك", "الاسم", "البريد الإلكتروني", "التعليقات المنشورة لا تعبر بالضرورة عن رأي الموقع"],
    ["شارك الخبر", "تم نسخ الرابط"],
    ["مواضيع ذات صلة", "اجتماع تنسيقي لتأمين الموسم الصيفي", "تكريم عناصر الحماية المدنية"],
    [],
]


@dataclass(frozen=True)
class Gazetteers:
    series: list[dict]
    cities: list[dict]
    countries: dict[str, dict]
    organisations: list[dict]
    international: list[dict]
    national_by_country: dict[str, list[dict]]
    honorifics: list[str]
    given: list[str]
    topics: list[str]
    sites: list[str]


@cache
def gazetteers() -> Gazetteers:
    """confkg's packaged gazetteer files, read once."""
    data = resources.files("confkg.data")

    def toml(*parts: str) -> dict:
        node = data
        for p in parts:
            node = node / p
        return tomllib.loads(node.read_text("utf-8"))

    places = toml("gazetteers", "places.toml")
    orgs = toml("gazetteers", "organisations.toml")["organisation"]
    titles = toml("gazetteers", "titles.toml")
    national: dict[str, list[dict]] = {}
    for o in orgs:
        if o.get("kind") == "national" and o.get("country"):
            national.setdefault(o["country"], []).append(o)
    countries = {c["key"]: c for c in places["country"]}
    # cities of countries that have national bodies listed: the region confkg's news covers
    cities = [c for c in places["city"] if c.get("country") in national]
    ranks = [h for h in titles["honorifics"] if h.startswith(("اللواء", "العميد", "العقيد", "الفريق"))]
    civil = ["السيد", "الدكتور", "معالي", "سعادة", "الأستاذ"]
    return Gazetteers(
        series=toml("series.toml")["series"],
        cities=cities,
        countries=countries,
        organisations=orgs,
        international=[o for o in orgs if o.get("kind") in ("international", "regional", "university")],
        national_by_country=national,
        honorifics=ranks + civil,
        given=[g for g in toml("names.toml")["given"] if " " not in g and len(g) > 2],
        topics=[t["ar"] for t in toml("gazetteers", "topics.toml")["topic"]],
        sites=[s for s in toml("gazetteers", "boilerplate.toml")["site_names"] if not s.isascii()],
    )


def ordinal(n: int, *, feminine: bool = False, nominative: bool = False) -> str:
    """An Arabic ordinal in words for 1..99 (السابع والأربعين, الحادية عشرة)."""
    units = ORD_UNITS_F if feminine else ORD_UNITS_M
    if n <= 10:
        return units[n]
    if n < 20:
        first = ("الحادية" if feminine else "الحادي") if n == 11 else units[n - 10]
        return f"{first} {'عشرة' if feminine else 'عشر'}"
    tens = (TENS_NOM if nominative else TENS_GEN)[n // 10]
    if n % 10 == 0:
        return tens
    first = ("الحادية" if feminine else "الحادي") if n % 10 == 1 else units[n % 10]
    return f"{first} و{tens}"


class Writer:
    """Composes article `i` of a corpus; every choice comes from a generator seeded by (seed, i)."""

    def __init__(self, seed: int, index: int) -> None:
        self.rng = random.Random(f"{seed}:{index}")
        self.index = index
        self.gaz = gazetteers()

    def pick(self, items: list):
        return items[self.rng.randrange(len(items))]

    def person(self, country: str | None = None) -> tuple[str, str]:
        """(full name, family name): given names from names.toml, family names invented."""
        family = self.pick(FAMILY_FORMS).format(r=self.pick(FAMILY_ROOTS))
        given = self.pick(self.gaz.given)
        if self.rng.random() < 0.3:
            given = f"{given} بن {self.pick(self.gaz.given)}"
        return f"{given} {family}", family

    def body(self, country: str) -> dict:
        bodies = self.gaz.national_by_country.get(country) or self.gaz.international
        return self.pick(bodies)

    def edition_phrase(self, series: dict, edition: int, *, head_word: str) -> str:
        """How the news names an edition: digits, "الـ47", or an ordinal in words."""
        style = self.rng.random()
        feminine = head_word in ("الدورة", "الجمعية العامة")
        if style < 0.3:
            number = f"الـ{edition}"
        elif style < 0.45:
            number = str(edition)
        else:
            number = ordinal(edition, feminine=feminine, nominative=self.rng.random() < 0.2)
        names = series.get("names") or []
        if names:
            return f"{head_word} {number} ل{self.pick(names)}"
        org = next((o for o in self.gaz.organisations if o["key"] == series.get("organisation")), None)
        org_name = org["ar"] if org else series["ar"]
        if series.get("body"):
            return f"الدورة {number} للجمعية العامة {self._of(org_name)}"
        return f"الدورة {number} {self._of(org_name)}"

    @staticmethod
    def _of(name: str) -> str:
        # the genitive ل fused with the article: مجلس → لمجلس, الإنتربول → للإنتربول
        return f"لل{name[2:]}" if name.startswith("ال") else f"ل{name}"

    def dates(self, start: date, days: int, style: str, *, published: date) -> str:
        months = MONTHS[style]
        end = start + timedelta(days=days - 1)
        m = months[start.month - 1]
        same_month = published.month == start.month and published.year == start.year
        year = "" if same_month and self.rng.random() < 0.5 else f" {start.year}"
        month_tail = " الجاري" if same_month and not year else ""
        choice = self.rng.random()
        if days == 1:
            return f"يوم {WEEKDAYS[start.weekday()]} {start.day:02d} {m}{year or month_tail}"
        if choice < 0.35:
            return f"من {start.day} إلى {end.day} {months[end.month - 1]}{year or month_tail}"
        if choice < 0.65 and days == 2:
            return f"يومي {start.day} و{end.day} {months[end.month - 1]}{year or month_tail}"
        if choice < 0.85:
            return f"خلال الفترة الممتدة من {start.day} حتى {end.day} {months[end.month - 1]}{year or month_tail}"
        return f"على مدى {'يومين' if days == 2 else f'{days} أيام'} ابتداء من {start.day} {m}{year or month_tail}"

    def recommendations(self, topics: list[str]) -> list[str]:
        count = self.rng.randint(3, 7)
        out = []
        for _ in range(count):
            opener = self.pick(RECOMMENDATION_OPENERS)
            addressee = self.pick(RECOMMENDATION_ADDRESSEES)
            action = self.pick(ACTIONS)
            topic = self.pick(topics)
            out.append(
                f"{opener} {addressee} إلى {action} في مجال مكافحة {topic}".replace("مكافحة مكافحة", "مكافحة")
            )
        return out

    def article(self, *, year_from: int = 2015, year_to: int = 2025) -> dict:
        """One article as {"id", "title", "text", "published", "source"}."""
        rng = self.rng
        series = self.pick(self.gaz.series)
        city = self.pick(self.gaz.cities)
        country_key = city["country"]
        country = self.gaz.countries.get(country_key, {"ar": "", "adjectives": []})
        style = STYLE_OF_COUNTRY.get(country_key, "egypt-gulf")
        start = date(rng.randint(year_from, year_to), rng.randint(1, 12), rng.randint(1, 25))
        days = rng.choice([1, 2, 2, 3, 3, 4])
        kind = rng.choice(["opening", "closing", "closing", "announcement"])
        published = start + timedelta(
            days={"opening": 0, "closing": days - 1, "announcement": -rng.randint(3, 20)}[kind]
        )
        edition = rng.randint(1, 95)
        head_word = "المؤتمر" if "مؤتمر" in (series.get("heads") or []) else "الدورة"
        if head_word == "المؤتمر" and not series.get("names"):
            head_word = "الدورة"
        name = self.edition_phrase(series, edition, head_word=head_word)
        when = self.dates(start, days, style, published=published)
        topics = rng.sample(self.gaz.topics, k=rng.randint(2, 5))
        host_body = self.body(country_key)
        guests = rng.sample(self.gaz.international, k=rng.randint(2, 5))
        adjective = (country.get("adjectives") or [""])[0]
        host, host_family = self.person()
        host_rank = self.pick(self.gaz.honorifics)
        host_post = (
            f"المدير العام {self._of(host_body['ar'])}"
            if host_body["ar"].startswith("ال")
            else f"رئيس {host_body['ar']}"
        )

        verb = {"opening": "انطلقت", "closing": "اختتمت", "announcement": "تستعد"}[kind]
        headlines = {
            "opening": [f"انطلاق أشغال {name} ب{city['ar']}", f"{city['ar']} تحتضن {name}"],
            "closing": [
                f"اختتام {name} ب{city['ar']} بتوصيات لتعزيز التعاون الأمني",
                f"{city['ar']}.. اختتام {name}",
            ],
            "announcement": [f"{city['ar']} تستضيف {name}", f"استعدادات لاحتضان {name} في {city['ar']}"],
        }
        paragraphs: list[str] = [self.pick(headlines[kind])]
        if rng.random() < 0.6:
            byline = self.person()[0] if rng.random() < 0.5 else self.pick(self.gaz.sites)
            paragraphs.append(f"كتب {byline}" if " " in byline and rng.random() < 0.5 else byline)
        if kind == "announcement":
            lead = (
                f"{verb} مدينة {city['ar']} لاحتضان أشغال {name}، الذي تنظمه {self.pick(guests)['ar']} "
                f"{when}، بمشاركة وفود تمثل {rng.randint(12, 22)} دولة ومنظمات إقليمية ودولية."
            )
        else:
            lead = (
                f"{verb} {'صباح' if kind == 'opening' else 'مساء'} اليوم {WEEKDAYS[published.weekday()]} بمدينة {city['ar']} "
                f"أشغال {name}، {'المنعقد' if head_word == 'المؤتمر' else 'المنعقدة'} {when}، بمشاركة وفود أمنية رفيعة المستوى تمثل {rng.randint(12, 22)} دولة، "
                f"إلى جانب ممثلين عن {'، و'.join(g['ar'] for g in guests)}."
            )
        paragraphs.append(lead)
        paragraphs.append(
            f"و{'افتتح' if kind != 'closing' else 'ترأس'} أشغال {name.split(' ', 1)[0]} {host_rank} {host}، "
            f"{host_post}، الذي {self.pick(SPEECH_VERBS)} في كلمته أن {self.pick(ACTIONS)} بات ضرورة ملحة "
            f"في ظل تنامي {topics[0]} و{topics[-1]}."
        )
        for _ in range(rng.randint(2, 4)):
            guest = self.pick(guests)
            person, family = self.person()
            post = self.pick(
                ["الأمين العام", "المدير التنفيذي", "رئيس", "المدير الإقليمي", "نائب الأمين العام"]
            )
            rank = self.pick(self.gaz.honorifics)
            paragraphs.append(
                f"من جانبه، أشاد {rank} {person}، {post} {self._of(guest['ar'])}، ب{self.pick(PRAISE_TARGETS)}، "
                f"مؤكدا أن {self.pick(ACTIONS)} يمثل أولوية في المرحلة الراهنة. "
                f"ودعا {family} إلى {self.pick(ACTIONS)}، خاصة في مجال {self.pick(topics)}."
            )
        if adjective and rng.random() < 0.6:
            delegate, _ = self.person()
            paragraphs.append(
                f"وترأس الوفد {adjective} في هذا اللقاء {self.pick(self.gaz.honorifics)} {delegate}، "
                f"ممثلا {self._of(self.body(country_key)['ar'])}، حيث قدم عرضا حول التجربة الوطنية في مجال {self.pick(topics)}."
            )
        paragraphs.append(
            f"وتناولت جلسات {name.split(' ', 1)[0]} مواضيع عدة، من بينها {'، و'.join(topics)}، "
            f"إضافة إلى {self.pick(ACTIONS)}."
        )
        paragraphs.extend(rng.sample(FILLERS, k=rng.randint(2, 5)))
        if rng.random() < 0.6:
            other, _ = self.person()
            paragraphs.append(
                f"وعلى هامش الأشغال، التقى {host_rank} {host} {self.pick(self.gaz.honorifics)} {other}، "
                f"رئيس وفد {self.pick(self.gaz.international)['ar']}، حيث بحث الجانبان سبل تعزيز التنسيق "
                f"في مجال {self.pick(topics)}، و{self.pick(ACTIONS)}."
            )
        if rng.random() < 0.5:
            paragraphs.append(
                f"يذكر أن {name} يعقد بشكل دوري، وقد احتضنت مدينة {self.pick(self.gaz.cities)['ar']} "
                f"الدورة السابقة التي خصصت لموضوع {self.pick(self.gaz.topics)}."
            )
        if kind == "closing":
            recs = self.recommendations(topics)
            if rng.random() < 0.5:
                paragraphs.append("وخلص المؤتمر في ختام أشغاله إلى جملة من التوصيات، أبرزها:")
                paragraphs.extend(f"{n}. {r}." for n, r in enumerate(recs, start=1))
            else:
                paragraphs.append(f"ومن أبرز التوصيات التي خرج بها المؤتمر: {'، و'.join(recs)}.")
            paragraphs.append(self.pick(CLOSERS))
            if rng.random() < 0.4:
                nxt = self.pick(self.gaz.cities)
                paragraphs.append(
                    f"وأعلن في الجلسة الختامية أن مدينة {nxt['ar']} ستحتضن الدورة المقبلة خلال السنة القادمة."
                )
        paragraphs.extend(self.pick(TAILS))
        text = "\n\n".join(paragraphs) if rng.random() < 0.6 else "\n".join(paragraphs)
        aid = f"gen{self.index:07d}"
        return {
            "id": aid,
            "title": paragraphs[0],
            "text": text,
            "published": published.isoformat(),
            "source": self.pick(self.gaz.sites),
        }


def articles(count: int, *, seed: int = 7, start: int = 0) -> Iterator[dict]:
    """Articles start .. start+count-1 of the corpus of this seed."""
    for i in range(start, start + count):
        yield Writer(seed, i).article()


def write(out: Path, count: int, *, seed: int = 7) -> Path:
    """A .jsonl file (when `out` ends in .jsonl) or a folder of .txt files."""
    if out.suffix == ".jsonl":
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as fh:
            for a in articles(count, seed=seed):
                fh.write(json.dumps(a, ensure_ascii=False) + "\n")
    else:
        out.mkdir(parents=True, exist_ok=True)
        for a in articles(count, seed=seed):
            (out / f"{a['id']}.txt").write_text(a["text"] + "\n", "utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="articles to write")
    parser.add_argument("--seed", type=int, default=7, help="the corpus's seed (same seed, same corpus)")
    parser.add_argument("--out", type=Path, required=True, help="a .jsonl file or a folder for .txt files")
    args = parser.parse_args(argv)
    write(args.out, args.count, seed=args.seed)
    print(f"wrote {args.count} articles to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
