"""The reports' decision views, checked against an independent torch YOLOv5 (tests/yolo_torch.py):
the diff's causes, where the cost goes, receptive field against the anchors, a block's
internals and the roofline."""
from __future__ import annotations

import json

import pytest
import yaml

import yanalyze
import yolo_torch
from conftest import CONFIGS, EXAMPLES
from yanalyze.analyzer.devices import CPU_DEFAULT
from yanalyze.analyzer.diff import diff
from yanalyze.reports import charts, diff_html, diff_report, markdown

S, M = EXAMPLES / "yolov5s.yaml", EXAMPLES / "yolov5m.yaml"


def torch_params(cfg) -> int:
    return sum(p.numel() for p in yolo_torch.build(cfg).parameters())


def cause(d, label):
    return next(c for c in d.causes if c.label == label)


def test_s_to_m_is_depth_then_width_with_torch_counts():
    d = diff(yanalyze.analyze(S), yanalyze.analyze(M))
    assert [(c.kind, c.label, c.a, c.b) for c in d.causes] == [
        ("setting", "depth_multiple", "0.33", "0.67"), ("setting", "width_multiple", "0.5", "0.75")]
    s, deeper = yaml.safe_load(S.read_text()), yaml.safe_load(S.read_text())
    deeper["depth_multiple"] = 0.67
    p_s, p_deeper, p_m = torch_params(s), torch_params(deeper), torch_params(yaml.safe_load(M.read_text()))
    assert (p_s, p_m) == (7_235_389, 21_190_557)
    assert cause(d, "depth_multiple").delta["params"] == p_deeper - p_s
    assert cause(d, "width_multiple").delta["params"] == p_m - p_deeper
    for m in ("params", "gflops", "mem_bytes"):
        assert sum(c.delta[m] for c in d.causes) == pytest.approx(d.b.totals.__dict__[m] - d.a.totals.__dict__[m])
        assert sum(c.share[m] for c in d.causes) == pytest.approx(1.0)
    depth_gflops = yolo_torch.gflops(yolo_torch.build(deeper)) - yolo_torch.gflops(yolo_torch.build(s))
    assert cause(d, "depth_multiple").delta["gflops"] == pytest.approx(depth_gflops, rel=1e-9)


def test_v5_to_v6_names_the_rewrites_and_the_trimmed_c3():
    d = diff(yanalyze.analyze(EXAMPLES / "yolov5s-v5.0.yaml"), yanalyze.analyze(S))
    kinds = [(c.kind, c.label) for c in d.causes]
    assert ("rewrite", "Focus -> Conv") in kinds and ("rewrite", "SPP -> SPPF") in kinds
    assert not [c for c in d.causes if c.kind == "setting"]
    focus, trimmed = cause(d, "Focus -> Conv"), cause(d, "C3")
    assert focus.delta["params"] == focus.delta["gflops"] == 0
    assert focus.delta["mem_bytes"] == -4 * (3 * 640 * 640 + 12 * 320 * 320)  # the space-to-depth copy goes
    assert trimmed.delta["params"] == 7_235_389 - 7_276_605  # the 9 -> 6 repeats of the second C3 (v6)
    assert trimmed.share["params"] == 1.0


def test_c3_faster_trade_is_named():
    d = diff(yanalyze.analyze(EXAMPLES / "yolov5l.yaml"), yanalyze.analyze(EXAMPLES / "yolov5l-C3_Faster.yaml"))
    assert [(c.kind, c.label) for c in d.causes] == [("replaced", "C3 -> C3_Faster (8 layers)")]
    [t] = d.tradeoffs
    assert (t.falls, t.rises) == ("gflops", "mem_bytes") and t.falls_pct < -0.3 and t.rises_pct > 0.1
    assert t.text == f"GFLOPs {t.falls_pct:+.1%} but memory access {t.rises_pct:+.1%}"
    assert t.layers == (2, 4, 6, 13, 17, 20, 23)  # layer 8's C3_Faster reads less than its C3
    page = diff_html.render(d)
    assert "Trade-off:" in page and t.text in page and "⇅" in page


def test_anchors_that_do_not_fit_count_with_the_rows():
    d = diff(yanalyze.analyze(S), yanalyze.analyze(CONFIGS / "yolov5s6.yaml"))
    anchors = cause(d, "anchors")
    assert "does not fit A's rows" in anchors.note and anchors.delta["params"] == 0
    assert anchors.a == "3 levels x 3, largest 373x326" and anchors.b == "4 levels x 3, largest 925x792"
    added = [c for c in d.causes if c.kind == "added"]
    assert sum(len(c.layers) for c in added) == 34 - 25
    assert sum(c.delta["params"] for c in d.causes) == d.b.totals.params - d.a.totals.params


def test_image_size_alone(run_cli, tmp_path):
    out = tmp_path / "d.json"
    code, _, err = run_cli("diff", S, S, "--imgsz-b", "1280", "--json", out)
    assert code == 0, err
    data = json.loads(out.read_text())
    assert data["schema"] == "yanalyze-diff/1"
    [c] = data["causes"]
    assert (c["label"], c["a"], c["b"], c["delta"]["params"]) == ("image size", "640", "1280", 0)
    model = yolo_torch.build(S)
    assert c["delta"]["gflops"] == pytest.approx(yolo_torch.gflops(model, 1280) - yolo_torch.gflops(model, 640))
    assert data["input"] == {"imgsz": [640, 640], "a": {"imgsz": [640, 640]}, "b": {"imgsz": [1280, 1280]}}
    assert [lv["a"]["shape"] for lv in data["levels"]] == [[255, 80, 80], [255, 40, 40], [255, 20, 20]]
    assert [lv["b"]["shape"] for lv in data["levels"]] == [[255, 160, 160], [255, 80, 80], [255, 40, 40]]


def test_diff_views_lead_with_causes():
    d = diff(yanalyze.analyze(S), yanalyze.analyze(M))
    md = diff_report.markdown(d)
    assert md.index("**Why B differs**") < md.index("| params |") < md.index("| output |")
    assert "| setting | `width_multiple` | `0.5` | `0.75` | +11,686,624 (84%) |" in md
    assert "| 2 | 2 | changed | C3 |" in md and "| 18,816 | 65,280 |" in md  # A's and B's params
    data = diff_report.to_dict(d)
    assert data["layers"][2]["a"]["params"] == 18_816 and data["layers"][2]["b"]["params"] == 65_280
    page = diff_html.render(d)
    assert page.index('id="why"') < page.index('id="totals"') < page.index('id="graphs"') < page.index('id="layers"')
    assert 'class="data-table' in page and page.count("<th data-type=") == 14
    foot = diff_html.footer(d)
    assert foot[5:8] == [("7,235,389", "count"), ("21,190,557", "count"), ("+13,955,168", "")]


def test_breakdown_partitions_sum_to_totals_and_match_torch():
    a = yanalyze.analyze(S)
    b = a.breakdown
    for groups in (b.by_module, b.by_section, b.by_level):
        assert sum(g.values["params"] for g in groups) == a.totals.params
        assert sum(g.values["gflops"] for g in groups) == pytest.approx(a.totals.gflops)
        assert sum(g.values["mem_bytes"] for g in groups) == a.totals.mem_bytes
        assert sum(g.shares["activation_bytes"] for g in groups) == pytest.approx(1.0)
    model = yolo_torch.build(S)
    count = lambda layers: sum(p.numel() for i in layers for p in model.model[i].parameters())
    sections = {g.key: g for g in b.by_section}
    assert sections["backbone"].layers == tuple(range(10))
    assert sections["backbone"].values["params"] == count(range(10))
    assert sections["head"].values["params"] == count([24]) == 229_245
    levels = {g.key: g.layers for g in b.by_level}
    assert levels == {"P3+P4+P5": (*range(18), 24), "P4+P5": (18, 19, 20), "P5": (21, 22, 23)}
    per_layer = yolo_torch.layer_gflops(model)
    best = max(range(len(per_layer)), key=per_layer.__getitem__)
    assert b.top["gflops"][0].key == f"{best} C3" == "6 C3"
    assert b.top["gflops"][0].values["gflops"] == pytest.approx(per_layer[best])
    data = a.to_dict()["breakdown"]
    assert [g["key"] for g in data["by_section"]] == ["backbone", "neck", "head"]
    assert data["by_section"][0]["share"]["params"] == pytest.approx(count(range(10)) / 7_235_389)


def test_block_internals_match_the_torch_submodules():
    a = yanalyze.analyze(S)
    c3, sppf = a.layers[2], a.layers[9]
    m = yolo_torch.build(S).model[2]
    count = lambda mod: sum(p.numel() for p in mod.parameters())
    assert [(p.name, p.detail, p.params) for p in c3.parts] == [
        ("Conv", "1x1 64->32 +BN +SiLU", count(m.cv1)), ("Conv", "1x1 32->32 +BN +SiLU", count(m.m[0].cv1)),
        ("Conv", "3x3 32->32 +BN +SiLU", count(m.m[0].cv2)), ("Add", "", 0),
        ("Conv", "1x1 64->32 +BN +SiLU", count(m.cv2)), ("Concat", "", 0),
        ("Conv", "1x1 64->64 +BN +SiLU", count(m.cv3))]
    assert [(p.name, p.detail, p.count) for p in sppf.parts][1] == ("MaxPool", "5x5", 3)
    for r in a.layers:
        assert sum(p.params for p in r.parts) == r.params and sum(p.mem_bytes for p in r.parts) == r.mem_bytes
        assert sum(p.gflops for p in r.parts) == pytest.approx(r.gflops)
    assert a.to_dict()["layers"][9]["parts"][1] == {"name": "MaxPool", "detail": "5x5", "count": 3, "params": 0,
                                                     "gflops": 0.0, "flops": sppf.parts[1].flops,
                                                     "mem_bytes": sppf.parts[1].mem_bytes}


def test_receptive_field_against_anchors():
    tiny = yanalyze.analyze(CONFIGS / "yolov3-tiny.yaml")
    p5 = tiny.levels[-1]
    assert (p5.name, p5.largest_anchor, min(p5.output.rf_max)) == ("P5", 344.0, 318)
    [warn] = [d for d in tiny.diagnostics if d.code == "rf/below-anchor"]
    assert warn.message == ("P5: receptive field 318 px is smaller than its largest anchor (344 px): an object "
                            "that size is never seen whole at this level")
    s = yanalyze.analyze(S)
    assert [lv.anchors[-1] for lv in s.levels] == [(33.0, 23.0), (59.0, 119.0), (373.0, 326.0)]
    assert not [d for d in s.diagnostics if d.code in ("rf/below-anchor", "rf/far-beyond-image")]
    small = yanalyze.analyze(S, imgsz=160)
    assert [d.code for d in small.diagnostics if d.code == "rf/far-beyond-image"] == ["rf/far-beyond-image"]
    assert "| P5 | 255x20x20 | 32 | 842 | 842 | 1.3x | 373x326 | larger than the image |" in markdown.render(s)
    auto = yanalyze.analyze(CONFIGS / "yolov5-p2.yaml")  # anchors: 3 (autoanchor) gives no sizes
    assert all(lv.anchors == () for lv in auto.levels)


def test_roofline_places_each_layer_by_its_bound():
    a = yanalyze.analyze(S)
    c = charts.roofline_chart(a)
    memory = [m for m in c.marks if "memory" in m.css]
    expected = [r for r in a.layers if r.flops and r.mem_bytes and r.intensity < CPU_DEFAULT.ridge]
    assert len(memory) == len(expected) and len(c.marks) == sum(1 for r in a.layers if r.flops and r.mem_bytes)
    assert c.caption.startswith(f"{len(expected)} of {len(c.marks)} layers are memory-bound")
    assert CPU_DEFAULT.bound_ms(192e9, 1) == pytest.approx(1000) and CPU_DEFAULT.bound_ms(1, 20e9) == pytest.approx(1000)
    assert CPU_DEFAULT.ridge == pytest.approx(9.6)
    rf = charts.rf_chart(a)
    assert [t.label for t in rf.y_ticks][:4] == ["1", "2", "5", "10"]
    assert [lbl.text for lbl in rf.labels if "anchor" in lbl.text] == ["P3 anchor 33", "P4 anchor 119", "P5 anchor 373"]


@pytest.mark.parametrize("width", [80, 100])
def test_level_table_drops_columns_instead_of_cutting_them(width):
    import io

    from rich.console import Console

    from yanalyze.reports import terminal

    buf = io.StringIO()
    terminal.render(yanalyze.analyze(CONFIGS / "yolov3-tiny.yaml"), Console(file=buf, width=width, color_system=None))
    lines = buf.getvalue().splitlines()
    start = next(k for k, line in enumerate(lines) if line.lstrip().startswith("output "))
    end = next(k for k in range(start, len(lines)) if not lines[k].strip())
    levels = "\n".join(lines[start:end])
    assert max(len(line.rstrip()) for line in levels.splitlines()) <= width
    assert " output " in levels and "255x20x20" in levels and " 318 " in levels and "344x319" in levels
    assert "RF textbook" not in levels and "smaller than its" in levels  # the note wraps, whole
