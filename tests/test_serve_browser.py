"""The explorer page in a real browser: Debian's chromium, headless, driven by Playwright, against a live confkg serve.

Open /, click an example query, see the results table, click an entity IRI,
see the entity's Arabic label and the sentence behind a fact. Every request
the page makes must stay on the server (no CDN). A screenshot of each step
goes to tests/output/ (git-ignored); docs/img/serve-page.png is a copy of
one, taken on the seed articles, for the README.

Chromium is not downloaded by Playwright here: the test drives /usr/bin/chromium
(Debian's `chromium` package). When it is missing the test fails and says how
to install it; it is not skipped, so CI cannot pass without running it.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_serve import ART_A, SENTENCE_A2, LiveServer, build_store

CHROMIUM = os.environ.get("CONFKG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUTPUT = Path(__file__).resolve().parent / "output"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("serve-browser")
    srv = LiveServer(build_store(root / "store"), "--refresh", "0", log=root / "serve.log")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} not found: the browser test needs Debian's chromium "
            "(apt-get install -y chromium chromium-driver), or CONFKG_CHROMIUM=/path/to/chromium"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield b
        b.close()


def test_explore_query_entity_and_evidence(live: LiveServer, browser) -> None:
    OUTPUT.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(live.base + "/")
    # The editor is CodeMirror with SPARQL highlighting, built from the bundled script.
    page.wait_for_selector(".cm-editor .cm-content")
    assert page.locator(".cm-editor .cm-line").count() > 1

    # One click on an example loads it into the editor and runs it.
    page.click("button.example[data-name='organisations']")
    page.wait_for_selector("table.results-table tbody tr")
    assert "ck:Organisation" in page.locator(".cm-content").inner_text()
    status = page.locator("#status").inner_text()
    assert "row" in status, status
    # Run it again with the Run button, as a user editing the query would.
    page.click("#run")
    expect(page.locator("#status")).to_contain_text("row")
    rows = page.locator("table.results-table tbody tr")
    assert rows.count() >= 2
    headers = page.locator("table.results-table thead th").all_inner_texts()
    assert "?org" in headers and "?name_ar" in headers
    arabic_cell = page.locator("table.results-table td span[lang='ar']").first
    assert arabic_cell.get_attribute("dir") == "rtl"
    page.screenshot(path=str(OUTPUT / "serve-page.png"), full_page=False)

    # The IRIs in the table open the entity pages on this server.
    link = page.locator("table.results-table a.iri", has_text="organisation/interpol")
    assert link.get_attribute("href") == "/id/organisation/interpol"
    link.click()
    page.wait_for_url("**/id/organisation/interpol")
    label = page.locator(".labels span[lang='ar']", has_text="المنظمة الدولية للشرطة الجنائية")
    assert label.count() == 1 and label.get_attribute("dir") == "rtl"
    assert page.locator(".labels span[lang='en']", has_text="INTERPOL").count() == 1
    assert page.locator("a.wikidata-link").get_attribute("href") == "http://www.wikidata.org/entity/Q8475"
    # "Pointing here": the conference has INTERPOL as participant, said in article A by this sentence.
    fact = page.locator(".incoming li.fact", has_text="ck:participant")
    assert fact.count() == 1
    assert ART_A in fact.locator(".source .from").inner_text()
    sentence = fact.locator("blockquote.sentence").first
    assert sentence.inner_text().strip() == SENTENCE_A2
    assert sentence.get_attribute("dir") == "rtl" and sentence.get_attribute("lang") == "ar"
    assert sentence.is_visible()
    page.screenshot(path=str(OUTPUT / "serve-entity.png"), full_page=True)

    # Every request the two pages made went to this server: nothing from a CDN, fonts included.
    foreign = [
        u for u in requests if urllib.parse.urlsplit(u).netloc != urllib.parse.urlsplit(live.base).netloc
    ]
    assert foreign == [], foreign
    assert any(u.endswith(".woff2") for u in requests), "the bundled Arabic font was not used"
    assert errors == [], errors
    context.close()


def test_query_error_and_entity_search(live: LiveServer, browser) -> None:
    page = browser.new_page()
    page.goto(live.base + "/?" + urllib.parse.urlencode({"query": "SELECT ?x WHERE { ?x ?y "}))
    page.wait_for_selector(".cm-editor")
    page.click("#run")
    page.wait_for_selector(".error-box")
    assert "SPARQL syntax error" in page.locator(".error-box").inner_text()
    assert page.locator("#status").inner_text().startswith("Error 400")

    page.fill("header input[name=q]", "طنجة")
    page.press("header input[name=q]", "Enter")
    page.wait_for_url("**/search?q=*")
    page.click("a.iri[href='/id/place/tangier']")
    page.wait_for_url("**/id/place/tangier")
    assert page.locator("h1").inner_text().strip() == "Tangier"
    assert page.locator(".subtitle[lang='ar']").inner_text().strip() == "طنجة"
    page.close()
