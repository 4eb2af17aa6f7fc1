"""The HTML report as a person uses it, in headless Chromium (Debian's package, via Playwright).

Chromium runs with the flags that keep it off the network; the page must load with no
console errors and no requests beyond the file itself, sort on a header click, filter by
module, and show one graph node per layer. A screenshot is saved in the test's tmp dir.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

import yanalyze
from conftest import CONFIGS
from test_html import hostile_config
from yanalyze.reports import html

CHROMIUM = "/usr/bin/chromium"
OFFLINE = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-default-apps", "--disable-extensions"]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=OFFLINE)
        yield b
        b.close()


def open_report(browser, path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    events = {"console": [], "requests": [], "dialogs": []}
    page.on("console", lambda m: events["console"].append((m.type, m.text)))
    page.on("pageerror", lambda e: events["console"].append(("pageerror", str(e))))
    page.on("request", lambda r: events["requests"].append(r.url))
    page.on("dialog", lambda d: (events["dialogs"].append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, events


def column_values(page, col):
    return page.eval_on_selector_all(
        "#layer-table tbody tr", f"rows => rows.map(r => r.cells[{col}].getAttribute('data-v'))")


def test_report_in_chromium(browser, tmp_path):
    a = yanalyze.analyze(CONFIGS / "yolov5s.yaml")
    path = tmp_path / "yolov5s.html"
    path.write_text(html.render(a))
    page, events = open_report(browser, path)
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)

    assert [e for e in events["console"] if e[0] in ("error", "pageerror")] == []
    assert events["requests"] == [path.as_uri()]
    assert page.locator("#layer-table tbody tr").count() == 25
    assert page.locator(".graph svg g.node[id^=L]").count() == 25

    # params is column 3: first click ascending, second descending
    header = page.locator("#layer-table th", has_text="params").first
    header.click()
    asc = [int(v) for v in column_values(page, 3)]
    assert asc == sorted(asc) and header.get_attribute("aria-sort") == "ascending"
    header.click()
    desc = [int(v) for v in column_values(page, 3)]
    assert desc == sorted(desc, reverse=True) and desc[0] == max(r.params for r in a.layers)

    page.fill("#module-filter", "c3")
    visible = page.locator("#layer-table tbody tr:not([hidden])")
    assert visible.count() == sum(r.module == "C3" for r in a.layers) == 8
    assert page.locator("#row-count").inner_text() == "8 of 25 layers"
    page.fill("#module-filter", "")
    assert page.locator("#layer-table tbody tr:not([hidden])").count() == 25

    page.locator(".graph g.node#L9").click()
    assert page.locator("#row-L9").get_attribute("class") == "selected"
    page.screenshot(path=str(tmp_path / "report-after.png"), full_page=False)
    page.close()


def test_hostile_report_runs_no_injected_code(browser, tmp_path):
    path = tmp_path / "hostile.html"
    path.write_text(html.render(yanalyze.analyze(hostile_config(tmp_path), allow_unknown=True)))
    page, events = open_report(browser, path)
    page.hover("#layer-table tbody tr:last-child td:nth-child(6)")
    assert events["dialogs"] == []
    assert page.locator("script").count() == 1
    assert page.locator("[onerror], [onmouseover]").count() == 0
    assert [e for e in events["console"] if e[0] in ("error", "pageerror")] == []
    page.close()
