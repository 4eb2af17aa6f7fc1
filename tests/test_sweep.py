"""`yanalyze sweep`: value parsing, equality with a full analysis of the config with the
multiples written in, the Pareto front, the outputs, the speed, and the Dask executor."""
from __future__ import annotations

import json
import sys
import time

import pytest
import yaml

from conftest import CONFIGS, EXAMPLES
import yanalyze
from yanalyze import analyze
from yanalyze.analyzer import config
from yanalyze.analyzer.load import ModelOptions
from yanalyze.analyzer.sweep import MAX_POINTS, Point, Sweep, Sweeper, combinations, evaluate, pareto
from yanalyze.cli.sweep import sizes, values
from yanalyze.reports.sweep_report import html, point_dict, scatter

S = EXAMPLES / "yolov5s.yaml"
TOTALS = ("params", "gflops", "gflops_fused", "mem_bytes", "peak_activation_bytes")


def totals_of(data: dict, gd: float, gw: float, imgsz: int) -> tuple:
    t = analyze({**data, "depth_multiple": gd, "width_multiple": gw}, imgsz, rewrites=False).totals
    return tuple(getattr(t, k) for k in TOTALS)


def test_a_range_includes_its_stop_without_float_drift():
    got = values("0.01:1.0:0.01", "--depth", 100)
    assert len(got) == 100
    assert got == [float(f"{k / 100:.2f}") for k in range(1, 101)]  # the floats YAML reads from 0.01 ... 1.00
    assert got[6] == 0.07 and got[-1] == 1.0


def test_lists_and_ranges_mix():
    assert values("0.33,0.67,1.0", "--width", 100) == [0.33, 0.67, 1.0]
    assert values("0.25:0.75:0.25, 1.25", "--width", 100) == [0.25, 0.5, 0.75, 1.25]
    assert values("0.1:0.35:0.1", "--width", 100) == [0.1, 0.2, 0.3]  # the stop is included only when reached
    assert sizes("320,640x384,256:320:32") == [(320, 320), (640, 384), (256, 256), (288, 288), (320, 320)]


@pytest.mark.parametrize("flag, text, says", [
    ("--depth", "-0.5", "outside (0, 100]"), ("--depth", "0", "outside"), ("--width", "0.1:1:0", "step"),
    ("--width", "", "expected numbers"), ("--width", "0.5,,1", "expected numbers"), ("--depth", "abc", "not a number"),
    ("--depth", "1:0.5:0.1", "stops before"), ("--depth", "nan", "not a finite"), ("--imgsz", "0", "image side"),
    ("--imgsz", "640x", "image side"), ("--depth", "0.000001:10:0.000001", "at most 1,000,000"),
])
def test_bad_values_fail_in_one_line(run_cli, flag, text, says):
    code, out, err = run_cli("sweep", S, flag, text)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and says in err


def test_too_many_points_are_refused_before_any_work(run_cli):
    code, _, err = run_cli("sweep", S, "--depth", "0.001:1:0.001", "--width", "0.001:1:0.001", "--imgsz", "320,640")
    assert code == 2 and f"2,000,000 points; at most {MAX_POINTS:,}" in err


@pytest.mark.parametrize("path", [S, EXAMPLES / "yolov5s-v5.0.yaml", CONFIGS / "yolov5s6.yaml",
                                  CONFIGS / "yolov5s-seg.yaml", CONFIGS / "yolov5s-transformer.yaml"],
                         ids=lambda p: p.stem)
def test_points_equal_the_config_with_the_multiples_written_in(path):
    data = yaml.safe_load(path.read_text())
    sweeper = Sweeper(config.load(str(path)))
    for gd, gw, size in [(0.01, 0.01, 320), (0.33, 0.5, 640), (0.07, 0.93, 641), (0.5, 0.26, 999),
                         (1.0, 1.0, 256), (1.33, 1.25, 640), (0.62, 0.13, 1280)]:
        p = sweeper.point(gd, gw, (size, size))
        assert tuple(getattr(p, k) for k in TOTALS) == totals_of(data, gd, gw, size), (gd, gw, size)


@pytest.mark.parametrize("path", [S, CONFIGS / "yolov5s-transformer.yaml"], ids=lambda p: p.stem)
def test_model_options_apply_to_every_point(path):
    data = yaml.safe_load(path.read_text())
    opts = dict(batch=4, dtype="fp16", gflops_as="v7.0", nc=3)
    sweeper = Sweeper(config.load(str(path)), ModelOptions(**opts))
    for gd, gw, size in [(0.33, 0.5, 640), (0.9, 0.3, 417)]:
        p = sweeper.point(gd, gw, (size, size))
        t = analyze({**data, "depth_multiple": gd, "width_multiple": gw}, size, rewrites=False, **opts).totals
        assert tuple(getattr(p, k) for k in TOTALS) == tuple(getattr(t, k) for k in TOTALS)


def test_points_after_many_others_still_equal_a_full_analysis():
    """The memo is shared by every point: late points must not pick up an earlier point's layers."""
    data = yaml.safe_load(S.read_text())
    sweeper = Sweeper(config.load(str(S)))
    combos = combinations([k / 20 for k in range(1, 21)], [k / 20 for k in range(1, 21)], [(640, 640), (320, 320)])
    points = evaluate(sweeper, combos)
    for k in range(0, len(points), 97):
        p = points[k]
        assert tuple(getattr(p, t) for t in TOTALS) == totals_of(data, p.depth_multiple, p.width_multiple,
                                                                  p.imgsz[0]), p


@pytest.mark.parametrize("gd, gw, name", [(0.33, 0.50, "yolov5s"), (0.67, 0.75, "yolov5m"), (1.0, 1.0, "yolov5l"),
                                          (1.33, 1.25, "yolov5x")])
def test_yolov5s_swept_to_the_official_multiples_is_s_m_l_x(gd, gw, name):
    p = Sweeper(config.load(str(S))).point(gd, gw, (640, 640))
    t = analyze(CONFIGS / f"{name}.yaml", 640, rewrites=False).totals
    assert tuple(getattr(p, k) for k in TOTALS) == tuple(getattr(t, k) for k in TOTALS)


def _pt(params: int, gflops: float) -> Point:
    return Point(depth_multiple=1.0, width_multiple=1.0, imgsz=(640, 640), params=params, gflops=gflops,
                 gflops_fused=gflops, mem_bytes=0, peak_activation_bytes=0)


def test_pareto_front_of_a_hand_made_set():
    pts = [_pt(10, 5.0), _pt(8, 6.0), _pt(8, 6.0), _pt(8, 7.0), _pt(12, 4.0), _pt(12, 5.0), _pt(20, 1.0),
           _pt(25, 1.0), _pt(9, 5.0)]
    got = [p.pareto for p in pareto(pts)]
    # (8, 6) twice: tied, both on it; (8, 7) same params, more GFLOPs; (10, 5) beaten by (9, 5);
    # (12, 5) by (12, 4); (25, 1) by (20, 1)
    assert got == [False, True, True, False, True, False, True, False, True]


def test_capacity_front_keeps_the_most_params_for_the_gflops():
    pts = [_pt(10, 5.0), _pt(8, 6.0), _pt(12, 5.0), _pt(12, 5.0), _pt(20, 9.0), _pt(15, 9.0), _pt(3, 1.0)]
    got = [p.pareto for p in pareto(pts, "capacity")]
    # (10, 5) and (8, 6) are beaten by (12, 5), here twice (tied); (15, 9) by (20, 9)
    assert got == [False, False, True, True, True, False, True]


def test_on_a_grid_the_min_front_is_the_smallest_model_and_capacity_the_upper_edge(run_cli):
    args = ("sweep", S, "--depth", "0.2:1.0:0.2", "--width", "0.25:1.0:0.25", "--json")
    low = json.loads(run_cli(*args)[1])
    edge = json.loads(run_cli(*args, "--front", "capacity")[1])
    assert [(p["depth_multiple"], p["width_multiple"]) for p in low["points"] if p["pareto"]] == [(0.2, 0.25)]
    on = [p for p in edge["points"] if p["pareto"]]
    assert edge["front"] == "capacity" and len(on) > 5 and on[-1]["params"] == max(p["params"] for p in edge["points"])


def test_library_call_matches_the_command(run_cli):
    s = yanalyze.sweep(S, [0.33, 0.67], [0.5], [320, (640, 480)], front="capacity")
    out = json.loads(run_cli("sweep", S, "--depth", "0.33,0.67", "--width", "0.5", "--imgsz", "320,640x480",
                             "--front", "capacity", "--json")[1])
    assert [point_dict(p) for p in s.points] == out["points"] and len(s.points) == 4


def test_json_has_every_point_with_the_documented_keys_and_is_deterministic(run_cli, tmp_path):
    args = ("sweep", S, "--depth", "0.33,0.67", "--width", "0.25:0.5:0.25", "--imgsz", "320,640")
    code, out, err = run_cli(*args, "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert len(data["points"]) == 8 and data["model"] == "yolov5s" and data["pareto_count"] == 1
    assert data["schema"] == "yanalyze-sweep/1" and data["front"] == "min"
    assert set(data["points"][0]) == {"depth_multiple", "width_multiple", "imgsz", "params", "gflops", "gflops_fused",
                                      "mem_bytes", "peak_activation_bytes", "pareto"}
    order = [(p["depth_multiple"], p["width_multiple"], p["imgsz"]) for p in data["points"]]
    assert order == sorted(order)
    assert run_cli(*args, "--json")[1] == out
    assert run_cli("sweep", S, "--depth", "0.67,0.33", "--width", "0.5,0.25", "--imgsz", "640,320", "--json")[1] == out
    run_cli(*args, "--html", tmp_path / "a.html")
    run_cli(*args, "--html", tmp_path / "b.html")
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


def test_terminal_shows_the_front(run_cli):
    code, out, _ = run_cli("sweep", S, "--depth", "0.33", "--width", "0.001:0.003:0.001,0.5", "--imgsz", "320")
    assert code == 0
    # widths this small give every layer 8 channels: one model three times, tied, all on the front
    assert "Pareto front of params and GFLOPs, 3 of 4 points" in out
    assert all(f"│ 0.00{k} │" in out for k in (1, 2, 3)) and "│   0.5 │" not in out


def test_html_is_self_contained_and_escapes_the_config_name(run_cli, tmp_path):
    cfg = tmp_path / "x<b>y.yaml"
    cfg.write_text(S.read_text())
    page = tmp_path / "sweep.html"
    code, _, _ = run_cli("sweep", cfg, "--depth", "0.33,1", "--width", "0.5,1", "--html", page)
    text = page.read_text()
    assert code == 0 and "<b>" not in text and "x&lt;b&gt;y" in text and "x\\u003cb\\u003ey" in text
    assert "http://" not in text.replace("http://www.w3.org", "") and "https://" not in text
    assert text.count('class="pt front"') == 1 and text.count("<circle") == 4 and 'class="front-line"' in text


def test_scatter_leaves_out_dominated_points_on_a_drawn_pixel():
    pts = pareto([_pt(100, 1.0), _pt(200, 2.0), _pt(200, 2.0), _pt(200, 2.0), _pt(300, 3.0), _pt(90, 4.0)])
    result = Sweep(name="m", path=None, nc=80, batch=1, dtype="fp32", gflops_as="current", points=pts)
    _, dots, shown = scatter(result)
    # (200, 2) three times is drawn once; the front (100, 1) and (90, 4) last, on top
    assert shown == [1, 4, 0, 5] and [d.k for d in dots] == [0, 1, 2, 3]
    assert [d.css for d in dots] == ["pt z0", "pt z0", "pt front", "pt front"]
    assert "4 of 6 points are drawn" in html(result)


def test_defaults_are_the_configs_own_multiples(run_cli):
    code, out, _ = run_cli("sweep", S, "--json")
    p = json.loads(out)["points"]
    assert code == 0 and [(x["depth_multiple"], x["width_multiple"], x["params"]) for x in p] == [(0.33, 0.5, 7235389)]


def test_at_least_1000_points_per_second_in_process():
    sweeper = Sweeper(config.load(str(S)))
    sweeper.point(0.33, 0.5, (640, 640))  # warm-up: the first point builds every layer
    combos = combinations([k / 100 for k in range(1, 21)], [k / 100 for k in range(1, 101)], [(640, 640)])
    start = time.process_time()
    evaluate(sweeper, combos)
    rate = len(combos) / (time.process_time() - start)
    assert len(combos) == 2000 and rate >= 1000, f"{rate:.0f} points/s"


def test_scheduler_needs_the_dask_executor(run_cli):
    code, _, err = run_cli("sweep", S, "--scheduler", "tcp://127.0.0.1:1")
    assert code == 2 and "--scheduler needs --executor dask" in err


def test_dask_refuses_code_that_would_run_on_every_worker(run_cli):
    code, _, err = run_cli("sweep", S, "--executor", "dask", "--plugin", EXAMPLES / "plugins" / "my_blocks.py")
    assert code == 2 and "built-in modules only" in err


def test_dask_missing_is_one_line(run_cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    code, _, err = run_cli("sweep", S, "--executor", "dask")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "pip install 'yanalyze[dask]'" in err


def test_dask_local_cluster_gives_exactly_the_local_points(run_cli):
    args = ("sweep", S, "--depth", "0.1:0.5:0.2", "--width", "0.25,0.5,1.0", "--imgsz", "320,640", "--json")
    code, local, _ = run_cli(*args)
    code_dask, remote, _ = run_cli(*args, "--executor", "dask", "--chunk", "4")
    assert code == code_dask == 0 and json.loads(local)["points"] and remote == local


def test_page_in_a_browser_shows_a_clicked_point_offline(run_cli, tmp_path, browser):
    from axe_playwright_python.sync_playwright import Axe

    page_path = tmp_path / "sweep.html"
    code, _, _ = run_cli("sweep", S, "--depth", "0.33,0.67", "--width", "0.25,0.5", "--imgsz", "320,640",
                         "--front", "capacity", "--html", page_path)
    assert code == 0
    page = browser.new_page(viewport={"width": 390, "height": 844})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: problems.append(r.url) if not r.url.startswith("file:") else None)
    page.goto(page_path.as_uri())
    page.locator("circle.pt:not(.front)").first.click(force=True)
    panel = page.locator("#point-panel").inner_text()
    page.locator("#front-table tr[data-k]").last.click()
    last = page.locator("#point-panel").inner_text()
    wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    page.screenshot(path=str(tmp_path / "sweep.png"))
    violations = [Axe().run(page).violations_count]
    dark = browser.new_page(color_scheme="dark")
    dark.goto(page_path.as_uri())
    violations.append(Axe().run(dark).violations_count)
    page.close()
    dark.close()
    assert problems == [] and not wide and violations == [0, 0]
    # the first dominated dot: the smallest model at 640 (the same params at 320 cost fewer GFLOPs)
    assert "Pareto front\nno" in panel and "depth_multiple: 0.33\nwidth_multiple: 0.25" in panel
    assert "--imgsz 640,640" in panel
    assert "depth_multiple: 0.67\nwidth_multiple: 0.5" in last and "Pareto front\nyes" in last
    assert "--imgsz 320,320" in last
