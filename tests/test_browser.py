"""The HTML pages as a person uses them, in headless Chromium (Debian's package, via Playwright).

Chromium runs with the flags that keep it off the network. Every page (the yolov5s report, with
and without --device, and the yolov5s -> yolov5m diff) must load with no console errors and no requests beyond the file,
fit a 390 px phone without page-wide horizontal scrolling, and pass axe-core in the light and
the dark scheme; the graph pans, zooms and opens a layer panel without moving the page; the
layer table sorts, filters and sums; print keeps every column. Screenshots go to tmp dirs.
"""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

import yanalyze
from conftest import CONFIGS, EXAMPLES
from yanalyze.analyzer.budget import for_report
from yanalyze.analyzer.load import ModelOptions
from test_html import hostile_config
from yanalyze.reports import diff_html, html
from yanalyze.reports.jinja import environment
from yanalyze.reports.graph_dot import GraphSVG

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
DEVICE = CONFIGS.parent / "devices" / "test-cpu.json"


@pytest.fixture(scope="module")
def small():
    return yanalyze.analyze(CONFIGS / "yolov5s.yaml")


@pytest.fixture(scope="module")
def pages(tmp_path_factory, small):
    """The report and the diff page, written once for the module."""
    d = tmp_path_factory.mktemp("pages")
    (d / "report.html").write_text(html.render(small))
    (d / "diff.html").write_text(diff_html.render(yanalyze.diff(small, yanalyze.analyze(CONFIGS / "yolov5m.yaml"))))
    # the pages the decision views were built for: the v5.0 -> v6 rewrites, C3 -> C3_Faster's
    # trade-off, and the largest official model at 1280 with its budget
    for name, a, b in (("diff-v6", "yolov5s-v5.0.yaml", "yolov5s.yaml"), ("diff-faster", "yolov5l.yaml",
                                                                            "yolov5l-C3_Faster.yaml")):
        (d / f"{name}.html").write_text(diff_html.render(yanalyze.diff(yanalyze.analyze(EXAMPLES / a),
                                                                       yanalyze.analyze(EXAMPLES / b))))
    big = yanalyze.analyze(CONFIGS / "yolov5x6.yaml", imgsz=1280)
    check = for_report(str(EXAMPLES / "budget.yaml"), big, str(CONFIGS / "yolov5x6.yaml"), (1280, 1280),
                       ModelOptions())
    (d / "report-x6.html").write_text(html.render(big, html.Options(budget=check)))
    # with --device: the latency views (where the time goes, advice, the ms and bound columns)
    (d / "report-device.html").write_text(html.render(yanalyze.analyze(CONFIGS / "yolov5s.yaml",
                                                                       device=str(DEVICE))))
    return d


def open_page(browser, path, size=(1280, 900), scheme="light"):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    events = {"console": [], "requests": [], "dialogs": []}
    page.on("console", lambda m: events["console"].append((m.type, m.text)))
    page.on("pageerror", lambda e: events["console"].append(("pageerror", str(e))))
    page.on("request", lambda r: events["requests"].append(r.url))
    page.on("dialog", lambda d: (events["dialogs"].append(d.message), d.dismiss()))
    page.emulate_media(color_scheme=scheme)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, events


def errors(events):
    return [e for e in events["console"] if e[0] in ("error", "pageerror")]


def column_values(page, col):
    return page.eval_on_selector_all(
        "#layer-table tbody tr", f"rows => rows.map(r => r.cells[{col}].getAttribute('data-v'))")


def shown_indices(page):
    return page.eval_on_selector_all("#layer-table tbody tr:not(.filtered-out)",
                                     "rows => rows.map(r => +r.dataset.index).sort((a, b) => a - b)")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", SIZES, ids=str)
@pytest.mark.parametrize("name", ["report", "diff", "diff-v6", "diff-faster", "report-x6", "report-device"])
def test_page_is_clean_fits_and_passes_axe(browser, pages, tmp_path, name, size, scheme):
    path = pages / f"{name}.html"
    width, height = SIZES[size]
    page, events = open_page(browser, path, (width, height), scheme)
    page.screenshot(path=str(tmp_path / f"{name}-{size}-{scheme}.png"), full_page=True)
    assert errors(events) == []
    assert events["requests"] == [path.as_uri()]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()
    page.close()


def test_layer_table_sorts_filters_and_sums(browser, pages, small):
    page, events = open_page(browser, pages / "report.html")
    assert page.locator("#layer-table tbody tr").count() == 25
    assert page.locator(".graph svg g.node[id^=L]").count() == 25

    # params is column 3: first click ascending, second descending with the zeros last
    header = page.locator("#layer-table th", has_text="params").first
    header.click()
    asc = [int(v) for v in column_values(page, 3)]
    assert asc == sorted(asc) and header.get_attribute("aria-sort") == "ascending"
    header.press("Enter")  # the header's sort button takes the keyboard too
    desc = [int(v) for v in column_values(page, 3)]
    nonzero = sorted((p for p in desc if p), reverse=True)
    assert header.get_attribute("aria-sort") == "descending"
    assert desc == nonzero + [0] * (len(desc) - len(nonzero)) and 0 < len(nonzero) < len(desc)
    assert desc[0] == max(r.params for r in small.layers)
    page.locator("#layer-table th", has_text="#").first.click()

    tools = page.locator(".table-tools")
    tools.locator("select").select_option(label="module")
    tools.locator("input").fill("c3")
    assert shown_indices(page) == [r.index for r in small.layers if r.module == "C3"]
    assert page.locator(".row-count").inner_text() == "8 of 25 layers"

    tools.locator("select").select_option(label="params")
    tools.locator("input").fill(">1e6")
    big = [r for r in small.layers if r.params > 1e6]
    assert shown_indices(page) == [r.index for r in big] and len(big) == 3
    assert page.locator("#layer-table tfoot tr.total").inner_text().split()[:2] == ["total", "7,235,389"]
    shown = page.locator("#layer-table tfoot tr.shown")
    assert shown.is_visible() and f"{sum(r.params for r in big):,}" in shown.inner_text()
    tools.locator("input").fill("<=0")
    assert shown_indices(page) == [r.index for r in small.layers if r.params == 0]
    tools.locator("select").select_option(label="all columns")
    tools.locator("input").fill("")
    assert len(shown_indices(page)) == 25 and not shown.is_visible()
    assert errors(events) == []
    page.close()


def test_graph_zoom_and_pan(browser, pages):
    page, events = open_page(browser, pages / "report.html")
    viewer = page.locator(".graph-viewer").first
    box, svg = viewer.locator("div.graph"), viewer.locator("div.graph svg")
    natural = page.evaluate("document.querySelector('div.graph svg').viewBox.baseVal.width * 4 / 3")
    viewer.locator("[data-zoom=actual]").click()
    assert svg.bounding_box()["width"] == pytest.approx(natural, abs=1)
    viewer.locator("[data-zoom=in]").click()
    assert svg.bounding_box()["width"] == pytest.approx(natural * 1.25, abs=1)
    assert viewer.locator(".zoom-level").inner_text() == "125%"
    viewer.locator("[data-zoom=all]").click()
    fitted = svg.bounding_box()
    assert fitted["height"] <= box.evaluate("b => b.clientHeight") + 1 and fitted["width"] < natural
    viewer.locator("[data-zoom=width]").click()
    assert svg.bounding_box()["width"] == pytest.approx(box.evaluate("b => b.clientWidth") - 2, abs=2)

    box.scroll_into_view_if_needed()
    y = page.evaluate("scrollY")
    b = box.bounding_box()
    before = svg.bounding_box()["width"]
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + 100)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -300)
    page.keyboard.up("Control")
    page.wait_for_function(f"document.querySelector('div.graph svg').getBoundingClientRect().width > {before + 1}")
    assert page.evaluate("scrollY") == y  # the wheel zoomed the graph, it did not scroll the page

    top = box.evaluate("b => b.scrollTop")
    page.mouse.move(b["x"] + 30, b["y"] + 200)  # drag the graph up: the box scrolls down
    page.mouse.down()
    page.mouse.move(b["x"] + 30, b["y"] + 120, steps=5)
    page.mouse.up()
    assert box.evaluate("b => b.scrollTop") == pytest.approx(top + 80, abs=2)
    assert page.locator(".layer-panel:not([hidden])").count() == 0
    box.focus()
    page.keyboard.press("ArrowDown")
    assert box.evaluate("b => b.scrollTop") == pytest.approx(top + 120, abs=2)
    assert errors(events) == []
    page.close()


def test_node_opens_layer_panel_without_scrolling(browser, pages, small, tmp_path):
    page, events = open_page(browser, pages / "report.html")
    page.locator(".graph-viewer [data-zoom=all]").click()
    page.locator("div.graph").scroll_into_view_if_needed()
    y = page.evaluate("scrollY")
    page.locator(".graph g.node#L9").click()
    panel = page.locator(".layer-panel")
    assert panel.is_visible() and page.evaluate("scrollY") == y
    page.screenshot(path=str(tmp_path / "panel.png"))
    text = panel.inner_text()
    assert "Layer 9 SPPF" in text and f"{small.layers[9].params:,}" in text and "[512, 512, 5]" in text
    assert page.locator("#row-L9").get_attribute("class") == "selected"
    assert page.evaluate("document.activeElement.className") == "close"
    for scheme in ("light", "dark"):  # the open panel and the selected row pass too
        page.emulate_media(color_scheme=scheme)
        result = Axe().run(page)
        assert result.violations_count == 0, result.generate_report()
    page.keyboard.press("Escape")
    assert not panel.is_visible() and page.evaluate("document.activeElement.id") == "L9"

    page.locator(".graph g.node#L4").focus()
    page.keyboard.press("Enter")
    assert panel.is_visible() and "Layer 4 C3" in panel.inner_text()
    panel.locator("button.find-row").click()
    row = page.locator("#row-L4")
    assert row.get_attribute("class") == "selected" and row.is_visible()
    assert page.evaluate("scrollY") != y  # found on request only
    panel.locator("button.close").click()
    assert not panel.is_visible()

    # the row's index button shows the layer in the graph box, which scrolls; the page does not
    page.locator(".graph-viewer [data-zoom=width]").click()
    button = page.locator("#row-L23 button.cell-link")
    button.focus()
    y = page.evaluate("scrollY")
    page.keyboard.press("Enter")
    assert page.evaluate("scrollY") == y and panel.is_visible()
    node, box = page.locator("#L23").bounding_box(), page.locator("div.graph").bounding_box()
    assert box["y"] <= node["y"] + node["height"] / 2 <= box["y"] + box["height"]
    assert errors(events) == []
    page.close()


def test_panel_lists_block_internals(browser, tmp_path, small):
    path = tmp_path / "parts.html"
    path.write_text(html.render(small))
    page, events = open_page(browser, path)
    page.locator(".graph g.node#L2").click()
    rows = page.locator(".layer-panel table.parts tbody tr")
    assert rows.count() == len(small.layers[2].parts) == 7  # cv1, bottleneck (cv1, cv2, add), cv2, concat, cv3
    assert rows.nth(0).locator("td").all_inner_texts() == ["Conv", "1x1 64->32 +BN +SiLU", "", "2,112", "0.111",
                                                          "22.9 MB"]
    page.locator(".graph g.node#L9").click()
    assert page.locator(".layer-panel table.parts tbody tr").nth(1).locator("td").all_inner_texts()[:3] == [
        "MaxPool", "5x5", "x3"]
    assert errors(events) == []
    page.close()


def test_print_keeps_every_column(browser, pages, tmp_path):
    page, events = open_page(browser, pages / "report.html")
    page.emulate_media(media="print")
    boxes = page.eval_on_selector_all("#layer-table thead th",
                                      "ths => ths.map(th => [th.getBoundingClientRect().width, th.getBoundingClientRect().height])")
    assert len(boxes) == 15 and all(w > 0 and h > 0 for w, h in boxes)
    for hidden in ("nav", ".graph-tools", ".table-tools"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.locator("#layers .table-wrap").evaluate("e => getComputedStyle(e).overflow") == "visible"
    svg, box = page.locator("div.graph svg").bounding_box(), page.locator("div.graph").bounding_box()
    assert svg["width"] == pytest.approx(box["width"], abs=2)
    page.pdf(path=str(tmp_path / "report.pdf"))
    page.close()


def test_diff_page_has_two_independent_viewers(browser, pages, tmp_path):
    page, events = open_page(browser, pages / "diff.html")
    viewers = page.locator(".graph-viewer")
    assert viewers.count() == 2
    widths = [viewers.nth(i).locator("svg").bounding_box()["width"] for i in range(2)]
    viewers.nth(0).locator("[data-zoom=in]").click()
    assert viewers.nth(0).locator("svg").bounding_box()["width"] == pytest.approx(widths[0] * 1.25, abs=1)
    assert viewers.nth(1).locator("svg").bounding_box()["width"] == pytest.approx(widths[1], abs=0.5)
    assert page.locator(".graph-key .swatch.mark").count() == 8  # four marks under each graph
    page.locator("#BL0").click()
    assert "Layer 0 Conv" in page.locator(".layer-panel h2").inner_text()
    assert "[3, 48, 6, 2, 2]" in page.locator(".layer-panel").inner_text()
    page.close()
    page, events = open_page(browser, pages / "diff.html", SIZES["phone"])
    a, b = (page.locator(".side").nth(i).bounding_box() for i in range(2))
    assert b["y"] >= a["y"] + a["height"]  # stacked on a narrow screen
    page.close()


def test_big_model_fit_width_keeps_labels_readable(browser, tmp_path):
    path = tmp_path / "x6.html"
    path.write_text(html.render(yanalyze.analyze(CONFIGS / "yolov5x6.yaml", imgsz=1280)))
    page, events = open_page(browser, path)
    page.locator(".graph-viewer [data-zoom=width]").click()
    page.locator("div.graph").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "x6.png"))
    label = page.locator("#L20 text").first.bounding_box()
    assert label["height"] >= 9
    assert errors(events) == []
    page.close()


def test_hostile_report_runs_no_injected_code(browser, tmp_path):
    path = tmp_path / "hostile.html"
    path.write_text(html.render(yanalyze.analyze(hostile_config(tmp_path), allow_unknown=True)))
    page, events = open_page(browser, path)
    page.hover("#layer-table tbody tr:last-child td:nth-child(6)")
    page.locator(".graph g.node#L0").click()
    assert "<script>alert(1)</script>" in page.locator(".layer-panel h2").inner_text()
    assert "</td><b onmouseover=alert(2)>" in page.locator(".layer-panel").inner_text()
    assert events["dialogs"] == []
    assert page.locator("script").count() == 2
    assert page.locator("script[type='application/json']").count() == 1
    assert page.locator("[onerror], [onmouseover]").count() == 0
    assert errors(events) == []
    page.close()


def test_report_without_graphviz_still_opens_layer_panel(browser, tmp_path, small):
    path = tmp_path / "nodot.html"
    path.write_text(html.render(small, html.Options(graph=GraphSVG(None, "digraph {}", "no dot here"))))
    page, events = open_page(browser, path)
    assert page.locator(".graph-viewer").count() == 0
    page.locator("#row-L6 button.cell-link").click()
    assert "Layer 6 C3" in page.locator(".layer-panel h2").inner_text()
    assert page.locator("#row-L6").get_attribute("class") == "selected"
    assert errors(events) == []
    page.close()


def test_any_data_table_sorts_with_zeros_and_blanks_last(browser, tmp_path):
    """An untyped table (as the diff and budget pages have): deltas read as numbers, "=" and ""
    count as empty; descending puts zeros and empty cells last, ascending only the empty ones."""
    cells = [("a", "+1,200 (+5%)"), ("b", "0"), ("c", "-9.83 MB (-12%)"), ("d", "="), ("e", ""), ("f", "3 k")]
    rows = "".join(f"<tr><td>{n}</td><td>{v}</td></tr>" for n, v in cells)
    script = environment().get_template("report.js").render()
    path = tmp_path / "table.html"
    path.write_text(f'<!doctype html><html lang="en"><title>t</title><table class="data-table"><thead><tr><th>name</th>'
                    f"<th>delta</th></tr></thead><tbody>{rows}</tbody></table><script>{script}</script></html>")
    page, events = open_page(browser, path)
    header = page.locator("th", has_text="delta")
    names = lambda: page.eval_on_selector_all("tbody tr", "rows => rows.map(r => r.cells[0].textContent).join('')")
    header.click()
    assert names() == "cbafde" and header.get_attribute("aria-sort") == "ascending"
    header.click()
    assert names() == "facbde"
    page.locator(".table-tools select").select_option(label="delta")
    page.locator(".table-tools input").fill("<0")
    assert page.locator("tbody tr:not(.filtered-out)").all_inner_texts() == ["c\t-9.83 MB (-12%)"]
    assert page.locator(".row-count").inner_text() == "1 of 6 rows"
    assert errors(events) == []
    page.close()


def test_diff_page_leads_with_causes_and_its_table_sorts_and_filters(browser, pages):
    page, events = open_page(browser, pages / "diff-faster.html")
    headings = page.eval_on_selector_all("main h2", "hs => hs.map(h => h.textContent)")
    assert headings[:2] == ["Why B differs", "Totals and outputs"]
    assert "GFLOPs -34.3% but memory access +14.8%" in page.locator(".tradeoff").inner_text()
    assert page.locator("#cause-table tbody tr").count() == 1
    rows = page.locator("#diff-table tbody tr")
    assert sum(rows.nth(k).is_visible() for k in range(rows.count())) == 8  # only the changed layers
    page.check("#show-all")
    assert sum(rows.nth(k).is_visible() for k in range(rows.count())) == 25
    header = page.locator("#diff-table thead th", has_text="params change")
    header.click()
    header.click()
    assert header.get_attribute("aria-sort") == "descending"
    col = page.eval_on_selector_all("#diff-table thead th", "hs => hs.map(h => h.textContent.trim())").index(
        "params change")
    keys = page.eval_on_selector_all("#diff-table tbody tr", f"rs => rs.map(r => r.cells[{col}].dataset.v)")
    values = [float(k) for k in keys]
    nonzero = [v for v in values if v]
    assert nonzero == sorted(nonzero, reverse=True) and values[len(nonzero):] == [0.0] * (25 - len(nonzero))
    assert errors(events) == []
    page.close()


def test_latency_column_sorts_filters_and_sums_in_ms(browser, pages):
    """With --device: the ms column sorts by the estimate, and the shown rows' sum is in ms as
    the model's total is (filtered here to the memory-bound layers by the bound column)."""
    a = yanalyze.analyze(CONFIGS / "yolov5s.yaml", device=str(DEVICE))
    page, events = open_page(browser, pages / "report-device.html")
    heads = page.eval_on_selector_all("#layer-table thead th", "hs => hs.map(h => h.textContent.trim())")
    col = heads.index("ms")
    assert heads[col + 1] == "bound"
    page.locator("#layer-table thead th").nth(col).click()  # (has_text="ms" would match "params")
    shown = [float(v) for v in column_values(page, col)]
    assert shown == sorted(t.ms for t in a.latency.layers)
    tools = page.locator(".table-tools")
    tools.locator("select").select_option(label="bound")
    tools.locator("input").fill("memory")
    memory = [t for t in a.latency.layers if t.bound == "memory"]
    assert shown_indices(page) == [t.layer for t in memory] and 3 <= len(memory) < len(a.layers)
    total = sum(t.ms for t in memory)
    cells = page.locator("#layer-table tfoot tr.shown td")
    assert float(cells.nth(col).inner_text()) == pytest.approx(total, abs=0.05)  # 41.9 ms: one decimal
    assert page.locator("#layer-table tfoot tr.total td").nth(col).inner_text() == f"{round(a.latency.total_ms)}"
    assert errors(events) == []
    page.close()
