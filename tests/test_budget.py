"""The CI budget gate: units, budget files, exit codes, annotations, JUnit, baseline."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

import yanalyze
from conftest import CONFIGS, EXAMPLES
from yanalyze.analyzer import units
from yanalyze.analyzer.errors import ConfigError

S = str(CONFIGS / "yolov5s.yaml")


@pytest.mark.parametrize("fn, text, value", [
    (units.count, "7.5M", 7_500_000), (units.count, "850k", 850_000), (units.count, 7235389, 7235389),
    (units.count, "1.2G", 1_200_000_000), (units.gflops, "16.5", 16.5), (units.gflops, "16.5G", 16.5),
    (units.gflops, "900M", 0.9), (units.gflops, "1.2T", 1200.0), (units.nbytes, "300MB", 300_000_000),
    (units.nbytes, "1.5GB", 1_500_000_000), (units.nbytes, "64MiB", 64 * 2**20), (units.nbytes, "512", 512),
    (units.nbytes, "40 kB", 40_000), (units.percent, "5%", 0.05), (units.percent, "12.5", 0.125),
])
def test_units(fn, text, value):
    assert fn(text) == pytest.approx(value)


@pytest.mark.parametrize("fn, text", [(units.count, "7.5X"), (units.nbytes, "300 parsecs"),
                                      (units.gflops, "lots"), (units.percent, "5MB"), (units.count, True)])
def test_bad_units(fn, text):
    with pytest.raises(ConfigError):
        fn(text)


def test_all_limits_hold_exit_0(run_cli):
    code, out, err = run_cli("check", S, "--max-gflops", "16.7", "--max-params", "7.3M", "--max-mem", "850MB",
                             "--max-peak-act", "20MB", "--min-rf", "P5=800", "--max-layer-gflops", "2.1")
    assert code == 0, err
    assert "all 6 limits hold" in out


def test_exceeded_limit_exit_1_with_headroom(run_cli, tmp_path):
    code, out, err = run_cli("check", S, "--max-gflops", "16.5G", "--min-rf", "P3=700", "--json")
    assert code == 1
    d = json.loads(out)
    assert d["schema"] == "yanalyze-check/1" and d["ok"] is False
    g, rf = d["results"]
    assert (g["metric"], g["value"], g["limit"], g["ok"]) == ("gflops", yanalyze.analyze(S).totals.gflops, 16.5, False)
    assert g["headroom"] == pytest.approx(16.5 - 16.6227968)
    assert (rf["metric"], rf["value"], rf["limit"], rf["ok"]) == ("rf.P3", 682, 700, False)  # worst position


@pytest.mark.parametrize("args, needle", [
    (["--max-gflops", "lots"], "cannot read 'lots'"),
    (["--min-rf", "P5"], "LEVEL=PX"),
    (["--min-rf", "P9=100"], "no output level 'P9'"),
    ([], "no limit for"),
    (["--budget", "missing.yaml"], "cannot read budget file"),
])
def test_bad_input_exit_2(run_cli, args, needle):
    code, out, err = run_cli("check", S, *args)
    assert code == 2 and needle in err and err.count("\n") == 1


@pytest.mark.parametrize("text, needle", [
    ("limits: {gflops: 16.5G, parms: 7M}\n", "limits: unknown limit 'parms'"),
    ("limits: {mem: 3 parsecs}\n", "limits.mem: unknown unit 'parsecs'"),
    ("configs:\n  - imgsz: 640\n", "configs[0] needs a path"),
    ("configs:\n  - path: x.yaml\n    imgsz: [[640, -1]]\n", "configs[0].imgsz"),
    ("limits: [1, 2\n", "malformed YAML in budget file"),
    ("- just a list\n", "a budget file is a mapping"),
    ("baseline: {path: b.yaml, max_increase: {flopz: 5%}}\n", "baseline.max_increase: unknown metric 'flopz'"),
])
def test_malformed_budget_file_is_named_precisely(run_cli, tmp_path, text, needle):
    budget = tmp_path / "budget.yaml"
    budget.write_text(text)
    code, out, err = run_cli("check", S, "--budget", budget, "--max-gflops", "20")
    assert code == 2 and str(budget) in err and needle in err, err


def test_budget_file_with_configs_sizes_and_layer_limits(run_cli):
    code, out, err = run_cli("check", "--budget", EXAMPLES / "budget.yaml", "--json")
    assert code == 0, err
    results = json.loads(out)["results"]
    sizes = sorted({(r["config"].rsplit("/", 1)[1], r["imgsz"][0]) for r in results})
    assert sizes == [("yolov5s-ghost.yaml", 640), ("yolov5s.yaml", 640), ("yolov5s.yaml", 1280)]
    layer = next(r for r in results if r["metric"] == "layer_gflops" and r["imgsz"] == [1280, 1280])
    assert (layer["layer"], layer["line"]) == (6, 18) and layer["limit"] == 8.5  # per-config override


def test_baseline_max_increase(run_cli):
    code, out, _ = run_cli("check", str(CONFIGS / "yolov5m.yaml"), "--baseline", S, "--max-increase", "5%", "--json")
    assert code == 1
    by = {r["metric"]: r for r in json.loads(out)["results"]}
    base = yanalyze.analyze(S).totals
    assert by["increase.params"]["limit"] == pytest.approx(base.params * 1.05)
    assert not by["increase.params"]["ok"]
    code, out, _ = run_cli("check", str(CONFIGS / "yolov5n.yaml"), "--baseline", S, "--max-increase", "5%")
    assert code == 0  # smaller than the baseline


def test_github_annotations_and_step_summary(run_cli, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, err = run_cli("check", S, "--max-layer-gflops", "1.9", "--max-gflops", "16.7")
    assert code == 1
    lines = [line for line in out.splitlines() if line.startswith("::")]
    assert lines == [
        f"::warning file={S},title=yanalyze budget%3A GFLOPs::GFLOPs: 16.62 within budget 16.70 "
        "(less than 5%25 headroom)",
        f"::error file={S},line=18,title=yanalyze budget%3A max layer GFLOPs::max layer GFLOPs at layer 6: "
        "2.01 exceeds the limit 1.90; layers over the limit: 6"]
    text = summary.read_text()
    assert text.startswith("earlier step\n### yanalyze budget: 1 limit(s) exceeded")
    assert "| ❌ |" in text and "| ✅ |" in text


def test_junit_xml_parses_back(run_cli, tmp_path):
    target = tmp_path / "budget.xml"
    code, _, _ = run_cli("check", S, str(CONFIGS / "yolov5n.yaml"), "--max-gflops", "10", "--junit", target)
    assert code == 1
    root = ET.parse(target).getroot()
    assert root.tag == "testsuites" and root.get("tests") == "2" and root.get("failures") == "1"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [f"{S} @640", f"{CONFIGS / 'yolov5n.yaml'} @640"]
    (failed,) = root.iter("failure")
    assert "GFLOPs: 16.62 exceeds the limit 10.00" in failed.get("message")
