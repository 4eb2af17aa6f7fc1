"""The `check --html` page in headless Chromium (offline flags as in test_browser.py): no console
errors, no requests beyond the file, no page-wide horizontal overflow on a desktop or a phone,
and no axe-core accessibility violations. Screenshots are saved in the test's tmp dir."""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import CONFIGS, EXAMPLES
from test_browser import errors, open_page

VIEWPORTS = [(1280, 900), (390, 844)]


@pytest.fixture(scope="module")
def check_page(tmp_path_factory):
    """The budget file's configs plus yolov5m against yolov5s: passes, failures and baseline growth."""
    from yanalyze.cli import main

    path = tmp_path_factory.mktemp("budget") / "budget.html"
    code = main(["check", "--budget", str(EXAMPLES / "budget.yaml"), str(CONFIGS / "yolov5m.yaml"),
                 "--baseline", str(EXAMPLES / "yolov5s.yaml"), "--max-increase", "5%", "--html", str(path)])
    assert code == 1
    return path


@pytest.mark.parametrize("width, height", VIEWPORTS, ids=lambda v: str(v))
def test_check_page_in_chromium(browser, check_page, tmp_path, width, height):
    page, events = open_page(browser, check_page, (width, height))
    page.screenshot(path=str(tmp_path / f"budget-{width}.png"), full_page=True)

    assert errors(events) == []
    assert events["requests"] == [check_page.as_uri()]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.locator(".budget-verdict").inner_text() == "✗ 6 of 31 limits exceeded"
    assert page.locator("table.budget-table").count() == 4
    assert page.locator("tr.fail").count() == 6
    # pass/fail is said in words, not colour alone, and the verdict is visible without scrolling sideways
    first_fail = page.locator("tr.fail td:nth-child(2)").first
    assert first_fail.inner_text() == "FAIL: over" and first_fail.is_visible()
    box = first_fail.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()
    page.close()
