"""Budgets in HTML and in the report: `check --html`, and `yanalyze CFG --budget FILE` in every view."""
from __future__ import annotations

import json
import re
import shutil

import pytest

import yanalyze
from conftest import CONFIGS, EXAMPLES
from test_html import HOSTILE_NAME

S = str(CONFIGS / "yolov5s.yaml")
M = str(CONFIGS / "yolov5m.yaml")
BUDGET = EXAMPLES / "budget.yaml"
ES = f"{EXAMPLES}/../examples/yolov5s.yaml"  # the budget file's yolov5s.yaml, spelled another way


def rows_of(page: str) -> list[str]:
    """The text of each budget table row, tags dropped."""
    body = re.findall(r'<tr class="(?:pass|fail)".*?</tr>', page, flags=re.DOTALL)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in body]


def test_check_page_lists_every_limit_with_value_limit_margin_and_result(run_cli, tmp_path):
    out = tmp_path / "budget.html"
    code, stdout, err = run_cli("check", "--budget", BUDGET, "--html", out, "--json")
    assert code == 0, err
    results = json.loads(stdout)["results"]
    page = out.read_text()
    rows = rows_of(page)
    assert len(rows) == len(results) == 16
    assert "all 16 limits hold" in page and 'class="budget-verdict ok"' in page
    # yolov5s at 640: 7,235,389 params against 7.5M, 264,611 (+3.5%) to spare
    assert rows[0] == "params pass 7,235,389 max 7,500,000 264,611 +3.5%"
    assert rows[1] == "max layer GFLOPs layer 6, YAML line 18 pass 2.01 max 2.50 0.49 +19.7%"
    assert rows[2] == "GFLOPs pass 16.62 max 17.00 0.38 +2.2%"
    assert rows[4] == "P5 RF, worst position layer 24 pass 842 px min 600 px 242 px +40.3%"
    assert page.count("<table class=\"data-table budget-table\">") == 3  # per config and image size
    assert "yolov5s.yaml</span> at 1280" in page


def test_failing_limit_is_marked_and_exit_code_stays_1(run_cli, tmp_path):
    out = tmp_path / "over.html"
    code, stdout, _ = run_cli("check", S, "--max-gflops", "16.5", "--max-params", "7.5M", "--html", out)
    assert code == 1 and "1 of 2 limits exceeded" in stdout
    page = out.read_text()
    assert "1 of 2 limits exceeded" in page and 'class="budget-verdict no"' in page
    rows = rows_of(page)
    assert rows[0] == "GFLOPs FAIL: over 16.62 max 16.50 -0.12 -0.7%"
    assert rows[1] == "params pass 7,235,389 max 7,500,000 264,611 +3.5%"
    assert len(re.findall(r'<tr class="fail"', page)) == 1
    # the bar: value past the limit mark (16.62 of 16.62 fills the 120 px track, 16.5 at 119.1 px)
    assert '<rect class="fill" x="0" y="3" width="120.0" height="8">' in page
    assert '<rect class="mark" x="119.1"' in page


def test_baseline_value_and_growth_in_every_view(run_cli, tmp_path):
    out, md = tmp_path / "base.html", tmp_path / "base.md"
    code, stdout, _ = run_cli("check", M, "--baseline", S, "--max-increase", "5%", "--html", out, "--md", md,
                              "--json")
    assert code == 1
    by = {r["metric"]: r for r in json.loads(stdout)["results"]}
    p = by["increase.params"]
    assert (p["baseline_value"], p["max_increase"], p["value"]) == (7235389, 0.05, 21190557)
    assert p["growth"] == pytest.approx(21190557 / 7235389 - 1) and p["baseline"] == S
    rows = rows_of(out.read_text())
    assert "params vs baseline +5% FAIL: over 21,190,557 max 7,597,158 -13,593,399 -178.9% 7,235,389 " \
           "+192.9% of +5% allowed" in rows
    assert "| 7,235,389 (+192.9% of +5% allowed) |" in md.read_text()
    junit = tmp_path / "base.xml"
    code, stdout, _ = run_cli("check", M, "--baseline", S, "--max-increase", "5%", "--junit", junit)
    assert "+192.9%" in stdout and "OVER" in stdout
    assert "(7,235,389, growth +192.9% of +5% allowed)" in junit.read_text()


def test_check_html_is_deterministic_and_escapes_paths(run_cli, tmp_path):
    cfg = tmp_path / f"{HOSTILE_NAME}.yaml"
    shutil.copy(S, cfg)
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    for out in (a, b):
        assert run_cli("check", cfg, "--max-gflops", "17", "--html", out)[0] == 0
    assert a.read_bytes() == b.read_bytes()
    page = a.read_text()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;.yaml" in page


@pytest.mark.parametrize("victim", ["budget", "config"])
def test_check_html_refuses_to_overwrite_an_input(run_cli, tmp_path, victim):
    budget, cfg = tmp_path / "budget.yaml", tmp_path / "yolov5s.yaml"
    shutil.copy(S, cfg)
    budget.write_text("limits: {gflops: 17}\nconfigs: [yolov5s.yaml]\n")
    before = {p: p.read_bytes() for p in (budget, cfg)}
    md = tmp_path / "out.md"
    code, _, err = run_cli("check", "--budget", budget, "--md", md,
                             "--html", budget if victim == "budget" else cfg)
    assert code == 2 and "would overwrite the input" in err
    assert {p: p.read_bytes() for p in (budget, cfg)} == before and not md.exists()


def test_check_html_writes_nothing_on_bad_input(run_cli, tmp_path):
    out = tmp_path / "bad.html"
    code, _, err = run_cli("check", tmp_path / "missing.yaml", "--max-gflops", "17", "--html", out)
    assert code == 2 and "missing.yaml" in err and not out.exists()


def test_report_with_budget_in_every_view_exit_0_when_over(run_cli, tmp_path):
    html, md, js = tmp_path / "m.html", tmp_path / "m.md", tmp_path / "m.json"
    code, out, err = run_cli(M, "--budget", BUDGET, "--html", html, "--md", md, "--json", js, "--width", "120")
    assert code == 0, err  # the report is not the gate
    assert "Budget" in out and "2 of 3 limits exceeded" in out
    assert out.index("peak activations") < out.index("2 of 3 limits exceeded") < out.index("nn.Upsample")
    assert re.search(r"params\s+21,190,557\s+7,500,000\s+-13,690,557 \(-182\.5%\)\s+OVER", out)
    page = html.read_text()
    assert '<a href="#budgets">Budgets (2 of 3 limits exceeded)</a>' in page and '<section id="budgets"' in page
    assert rows_of(page)[0] == "params FAIL: over 21,190,557 max 7,500,000 -13,690,557 -182.5%"
    text = md.read_text()
    assert "**Budgets**" in text and "2 limit(s) exceeded" in text and "| ❌ |" in text
    data = json.loads(js.read_text())["budgets"]
    assert data["file"] == str(BUDGET) and data["ok"] is False
    assert [(r["metric"], r["ok"]) for r in data["results"]] == [("params", False), ("layer_gflops", False),
                                                                 ("rf.P5", True)]  # the file's defaults
    code, check_out, _ = run_cli("check", M, "--budget", BUDGET, "--json")
    assert code == 1 and json.loads(check_out)["results"][-3:] == data["results"]  # the same rows as check


@pytest.mark.parametrize("cfg, imgsz, limits", [
    (ES, "640", {"params": 7.5e6, "layer_gflops": 2.5, "gflops": 17, "peak_act": 25e6, "rf.P5": 600}),
    (ES, "1280", {"params": 7.5e6, "layer_gflops": 8.5, "gflops": 67, "peak_act": 100e6, "rf.P5": 600}),
    (ES, "960", {"params": 7.5e6, "layer_gflops": 2.5, "rf.P5": 600}),  # not listed at 960: the defaults
    (str(EXAMPLES / "yolov5s-ghost.yaml"), "640",
     {"params": 7.5e6, "layer_gflops": 2.5, "gflops": 9.5, "rf.P5": 600, "increase.gflops": 16.6227968,
      "increase.params": 7235389}),
])
def test_report_picks_the_entry_for_its_config_and_size(run_cli, cfg, imgsz, limits):
    code, out, _ = run_cli(cfg, "--imgsz", imgsz, "--budget", BUDGET, "--json")
    assert code == 0
    got = {r["metric"]: r["limit"] for r in json.loads(out)["budgets"]["results"]}
    assert got == pytest.approx(limits)


def test_report_without_budget_has_no_budget_section(run_cli, tmp_path):
    html, md = tmp_path / "s.html", tmp_path / "s.md"
    code, out, _ = run_cli(S, "--html", html, "--md", md)
    assert code == 0 and "Budget" not in out
    assert 'id="budgets"' not in html.read_text() and "#budgets" not in html.read_text()
    assert "Budget" not in md.read_text()
    assert "budgets" not in json.loads(run_cli(S, "--json")[1])
    assert "budgets" not in yanalyze.analyze(S).to_dict()


def test_report_html_refuses_to_overwrite_the_budget_file(run_cli, tmp_path):
    budget = tmp_path / "budget.yaml"
    budget.write_text("limits: {gflops: 17}\n")
    before = budget.read_bytes()
    code, _, err = run_cli(S, "--budget", budget, "--html", budget)
    assert code == 2 and "would overwrite the input" in err and budget.read_bytes() == before


def test_report_with_budget_no_limit_applies(run_cli, tmp_path):
    budget = tmp_path / "budget.yaml"
    budget.write_text(f"configs:\n  - path: {CONFIGS / 'yolov5n.yaml'}\n    limits: {{gflops: 5}}\n")
    code, out, _ = run_cli(S, "--budget", budget, "--json")
    assert code == 0 and json.loads(out)["budgets"] == {"file": str(budget), "ok": True, "results": []}
