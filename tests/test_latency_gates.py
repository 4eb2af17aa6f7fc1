"""Latency in the diff, the CI gate and the sweep, against analyze(..., device=...) computed on its own.

Every estimate here is on the fixed measured profile tests/devices/test-cpu.json (nothing is timed).
"""
from __future__ import annotations

import json

import pytest
import yaml

from conftest import CONFIGS, EXAMPLES, ROOT
from yanalyze import analyze
from yanalyze.analyzer import devices
from yanalyze.analyzer.diff import diff
from yanalyze.analyzer.load import ModelOptions
from yanalyze.analyzer.sweep import run as sweep_run
from yanalyze.reports import diff_report
from yanalyze.reports.diff_html import render as diff_page

DEV = str(ROOT / "tests" / "devices" / "test-cpu.json")
S = str(CONFIGS / "yolov5s.yaml")
M = str(EXAMPLES / "yolov5m.yaml")
FASTER = str(EXAMPLES / "yolov5l-C3_Faster.yaml")
V50 = str(EXAMPLES / "yolov5s-v5.0.yaml")


@pytest.fixture(scope="module")
def device():
    return devices.load(DEV)


# --- diff ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("a_path, b_path, imgsz_b", [(S, M, 640), (S, FASTER, 640), (V50, S, 640), (S, S, 320)])
def test_diff_latency_delta_is_b_minus_a(device, a_path, b_path, imgsz_b):
    a, b = analyze(a_path, device=DEV), analyze(b_path, imgsz=imgsz_b, device=DEV)
    d = diff(a, b, device=device)
    total = next(t for t in d.totals if t.key == "latency_ms")
    assert (total.a, total.b) == (a.latency.total_ms, b.latency.total_ms)
    assert total.delta == b.latency.total_ms - a.latency.total_ms
    assert total.pct == total.delta / a.latency.total_ms
    # each side's layer times are the analyses' own, and they add up to the totals' change
    for ld in d.layers:
        assert ld.ms_a == (a.latency.layers[ld.a.index].ms if ld.a else None)
        assert ld.ms_b == (b.latency.layers[ld.b.index].ms if ld.b else None)
    assert sum(ld.delta("latency_ms") for ld in d.layers) == pytest.approx(total.delta, abs=1e-9)
    # the causes (re-analyses estimated on the device) split the change exactly, as they do GFLOPs
    assert d.causes and all("latency_ms" in c.delta for c in d.causes)
    assert sum(c.delta["latency_ms"] for c in d.causes) == pytest.approx(total.delta, abs=1e-9)


def test_diff_causes_of_settings_are_their_own_reanalyses(device):
    """s -> m: depth first, then width; each step's latency part is a full analysis on the device."""
    a, b = analyze(S, device=DEV), analyze(M, device=DEV)
    d = diff(a, b, device=device)
    data = yaml.safe_load(open(S))
    deeper = analyze({**data, "depth_multiple": 0.67}, device=DEV)
    depth, width = d.causes[0], d.causes[1]
    assert (depth.label, width.label) == ("depth_multiple", "width_multiple")
    assert depth.delta["latency_ms"] == pytest.approx(deeper.latency.total_ms - a.latency.total_ms, abs=1e-9)
    assert width.delta["latency_ms"] == pytest.approx(b.latency.total_ms - deeper.latency.total_ms, abs=1e-9)
    whole = b.latency.total_ms - a.latency.total_ms
    assert depth.share["latency_ms"] == pytest.approx(depth.delta["latency_ms"] / whole, abs=1e-12)


def test_diff_views_show_latency(device):
    a, b = analyze(S, device=DEV), analyze(M, device=DEV)
    d = diff(a, b, device=device)
    data = json.loads(diff_report.to_json(d))
    assert data["schema"] == "yanalyze-diff/1" and data["device"]["name"] == "test-cpu"
    t = data["totals"]["latency_ms"]
    assert (t["a"], t["b"]) == (a.latency.total_ms, b.latency.total_ms)
    assert t["delta"] == b.latency.total_ms - a.latency.total_ms
    first = data["layers"][0]
    assert first["a"]["latency_ms"] == a.latency.layers[0].ms and first["b"]["latency_ms"] == b.latency.layers[0].ms
    assert first["delta"]["latency_ms"] == b.latency.layers[0].ms - a.latency.layers[0].ms
    assert sum(c["delta"]["latency_ms"] for c in data["causes"]) == pytest.approx(t["delta"], abs=1e-9)
    md = diff_report.markdown(d)
    shown = f"{a.latency.total_ms:.2f} ms | {b.latency.total_ms:.2f} ms | +{t['delta']:.2f} ms ({t['delta'] / t['a']:+.1%})"
    assert f"| latency on test-cpu (ms) | {shown} |" in md
    assert "| ms A | ms B | ms change |" in md
    assert f"| {a.latency.layers[0].ms:.3f} | {b.latency.layers[0].ms:.3f} |" in md
    page = diff_page(d)
    assert "latency on test-cpu (ms)" in page and f"{b.latency.total_ms:.2f} ms" in page
    assert '<th data-type="num" scope="col">ms A</th>' in page and 'data-sum="ms"' in page
    assert diff_page(d) == page and diff_report.to_json(d) == diff_report.to_json(diff(a, b, device=device))


def test_diff_without_a_device_is_unchanged():
    d = diff(analyze(S), analyze(M))
    text = diff_report.to_json(d)
    assert "latency" not in text and '"device"' not in text
    assert "| ms A |" not in diff_report.markdown(d) and [t.key for t in d.totals][-1] == "peak_activation_bytes"
    assert all(set(c.delta) == {"params", "gflops", "mem_bytes"} for c in d.causes)


def test_diff_command_with_device(run_cli):
    code, out, err = run_cli("diff", S, M, "--device", DEV, "--json")
    assert code == 0, err
    data = json.loads(out)
    a, b = analyze(S, device=DEV), analyze(M, device=DEV)
    assert data["totals"]["latency_ms"]["delta"] == b.latency.total_ms - a.latency.total_ms
    code, out, err = run_cli("diff", S, M, "--device", DEV, "--width", "200")
    assert code == 0, err
    assert "latency on test-cpu (ms)" in out and "ms A -> B" in out


# --- check --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def estimate_s() -> float:
    return analyze(S, device=DEV).latency.total_ms


def test_check_latency_just_above_passes_just_below_fails(run_cli, estimate_s):
    above, below = f"{estimate_s * 1.001:.6f}", f"{estimate_s * 0.999:.6f}"
    code, out, err = run_cli("check", S, "--max-latency-ms", above, "--device", DEV)
    assert code == 0, err
    assert "latency on test-cpu" in out and f"{estimate_s:.2f} ms" in out and "all 1 limits hold" in out
    code, out, err = run_cli("check", S, "--max-latency-ms", below, "--device", DEV)
    assert code == 1, err
    assert "1 of 1 limits exceeded" in out


def test_check_latency_json_markdown_html(run_cli, estimate_s, tmp_path):
    md, page = tmp_path / "b.md", tmp_path / "b.html"
    code, out, err = run_cli("check", S, "--max-latency-ms", "100ms", "--device", DEV, "--json", "--md", md,
                             "--html", page)
    assert code == 1, err
    row = json.loads(out)["results"][0]
    assert (row["metric"], row["value"], row["limit"], row["ok"]) == ("latency_ms", estimate_s, 100.0, False)
    assert (row["device"], row["unit"], row["headroom"]) == ("test-cpu", "ms", 100.0 - estimate_s)
    assert f"| latency on test-cpu | {estimate_s:.2f} ms | 100.00 ms | -{estimate_s - 100:.2f} ms" in md.read_text()
    assert f"{estimate_s:.2f} ms" in page.read_text() and "latency on test-cpu" in page.read_text()


def test_check_latency_without_a_device_is_refused_in_one_line(run_cli, tmp_path):
    code, out, err = run_cli("check", S, "--max-latency-ms", "100")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "latency limit needs a device" in err
    budget = tmp_path / "budget.yaml"
    budget.write_text(f"limits: {{latency_ms: 100}}\nconfigs: [{S}]\n")
    code, out, err = run_cli("check", "--budget", budget)
    assert code == 2 and err.count("\n") == 1 and "latency limit needs a device" in err


def test_budget_file_device_relative_to_the_file_and_the_command_line_wins(run_cli, estimate_s, tmp_path):
    (tmp_path / "cpu.json").write_text(open(DEV).read())
    budget = tmp_path / "budget.yaml"
    budget.write_text(f"device: cpu.json\nlimits: {{latency_ms: {estimate_s * 1.001:.6f}}}\nconfigs: [{S}]\n")
    code, out, err = run_cli("check", "--budget", budget, "--json")
    assert code == 0, err
    row = json.loads(out)["results"][0]
    assert (row["value"], row["device"]) == (estimate_s, "test-cpu")
    t4 = analyze(S, device="nvidia-t4").latency.total_ms
    code, out, err = run_cli("check", "--budget", budget, "--json", "--device", "nvidia-t4")
    assert code == 0, err
    row = json.loads(out)["results"][0]
    assert (row["value"], row["device"], row["label"]) == (t4, "nvidia-t4", "latency on nvidia-t4 (roofline bound)")


def test_report_with_a_budget_file_device_estimates_for_the_limit_only(run_cli, estimate_s, tmp_path):
    budget = tmp_path / "budget.yaml"
    budget.write_text(f"device: {DEV}\nlimits: {{latency_ms: 100}}\n")
    code, out, err = run_cli(S, "--budget", budget, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["budgets"]["results"][0]["value"] == estimate_s and data["budgets"]["ok"] is False
    assert "latency" not in data and "latency_ms" not in data["totals"]  # the report itself has no --device


def test_latency_increase_over_a_baseline(run_cli, estimate_s, tmp_path):
    from yanalyze.analyzer import budget as B

    n = str(EXAMPLES / "yolov5n.yaml")
    base = analyze(n, device=DEV).latency.total_ms
    t = B.Target(path=S, imgsz=(640, 640), limits=B.Limits(),
                 baseline=B.Baseline(path=n, max_increase={"latency_ms": 0.05}), options=ModelOptions(device=DEV))
    [o] = B.evaluate(t)
    assert (o.metric, o.value, o.baseline_value, o.limit) == ("increase.latency_ms", estimate_s, base, base * 1.05)
    assert o.ok is False and estimate_s > base * 1.05
    budget = tmp_path / "budget.yaml"
    budget.write_text(f"device: {DEV}\nconfigs: [{S}]\nbaseline: {{path: {n}, max_increase: {{latency_ms: 5%}}}}\n")
    code, out, err = run_cli("check", "--budget", budget, "--json")
    assert code == 1, err
    [row] = json.loads(out)["results"]
    assert (row["metric"], row["value"], row["baseline_value"]) == ("increase.latency_ms", estimate_s, base)


# --- sweep --------------------------------------------------------------------------------------

def test_sweep_point_latency_equals_analyze_at_that_size():
    opts = ModelOptions(device=DEV, batch=2, dtype="fp16")
    s = sweep_run(str(EXAMPLES / "yolov5s.yaml"), [0.33, 0.67], [0.25, 0.5], [320, (640, 384)], opts)
    data = yaml.safe_load(open(EXAMPLES / "yolov5s.yaml"))
    assert s.device["name"] == "test-cpu" and len(s.points) == 8
    for p in s.points:
        a = analyze({**data, "depth_multiple": p.depth_multiple, "width_multiple": p.width_multiple},
                    imgsz=p.imgsz, device=DEV, batch=2, dtype="fp16")
        assert p.latency_ms == a.latency.total_ms


def test_latency_front_is_the_most_params_for_the_latency():
    s = sweep_run(str(EXAMPLES / "yolov5s.yaml"), [0.33, 0.67, 1.0], [0.25, 0.5, 0.75], [320, 640],
                  ModelOptions(device=DEV), front="latency")
    pts = s.points

    def dominated(p) -> bool:  # another point with as many params at as low a latency, one strictly
        return any(q.params >= p.params and q.latency_ms <= p.latency_ms
                   and (q.params > p.params or q.latency_ms < p.latency_ms) for q in pts)
    assert [p.pareto for p in pts] == [not dominated(p) for p in pts]
    assert 1 < sum(p.pareto for p in pts) < len(pts)


def test_sweep_command_json_and_html_with_device(run_cli, tmp_path):
    page = tmp_path / "s.html"
    code, out, err = run_cli("sweep", EXAMPLES / "yolov5s.yaml", "--depth", "0.33,0.67", "--width", "0.5",
                             "--device", DEV, "--front", "latency", "--json", "--html", page)
    assert code == 0, err
    data = json.loads(out)
    assert data["front"] == "latency" and data["device"]["name"] == "test-cpu"
    assert [p["latency_ms"] for p in data["points"]] == [analyze(S, device=DEV).latency.total_ms,
                                                         analyze({**yaml.safe_load(open(S)), "depth_multiple": 0.67},
                                                                 device=DEV).latency.total_ms]
    text = page.read_text()
    assert "latency, ms against params" in text and "latency in ms on test-cpu (measured profile)" in text


def test_sweep_without_device_has_no_latency_and_the_latency_front_needs_one(run_cli):
    code, out, err = run_cli("sweep", EXAMPLES / "yolov5s.yaml", "--json")
    assert code == 0, err
    assert "latency" not in out and '"device"' not in out
    code, out, err = run_cli("sweep", EXAMPLES / "yolov5s.yaml", "--front", "latency")
    assert code == 2 and err.count("\n") == 1 and "needs a device" in err
