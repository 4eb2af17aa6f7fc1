"""Python API, JSON report and determinism (the torch-free analysis path: test_imports.py)."""
from __future__ import annotations

import json

import pytest

import yanalyze
from conftest import CONFIGS
from yanalyze.reports.json_report import render

LAYER_KEYS = {"index", "from", "n", "module", "args", "out_shape", "stride", "rf", "rf_min", "rf_max",
              "global_context", "params", "macs", "gflops", "flops", "mem_bytes", "mem_bytes_fused"}
TOTAL_KEYS = {"params", "params_fused", "gflops", "gflops_fused", "flops", "mem_bytes",
              "peak_activation_bytes"}


def test_json_schema_and_fields():
    d = yanalyze.analyze(CONFIGS / "yolov5s.yaml", imgsz=(640, 384), batch=2, dtype="fp16").to_dict()
    assert d["schema"] == "yanalyze/1"
    assert d["input"] == {"ch": 3, "imgsz": [640, 384], "batch": 2, "dtype": "fp16"}
    assert all(LAYER_KEYS <= set(layer) for layer in d["layers"])
    assert TOTAL_KEYS <= set(d["totals"])
    first = d["layers"][0]
    assert first["from"] == [-1] and first["args"] == [3, 32, 6, 2, 2]
    assert first["out_shape"] == [32, 320, 192] and first["stride"] == [2, 2]
    up = d["layers"][11]
    assert up["module"] == "nn.Upsample" and up["args"] == [None, 2, "nearest"]
    det = d["layers"][-1]
    assert det["out_shape"] == [[255, 80, 48], [255, 40, 24], [255, 20, 12]]
    assert det["args"][2] == [128, 256, 512] and det["from"] == [17, 20, 23]
    assert [o["name"] for o in d["outputs"]] == ["P3", "P4", "P5"]
    assert d["outputs"][0]["rf"] == [698, 698]
    assert d["outputs"][0]["rf_min"] == [682, 682] and d["outputs"][0]["rf_max"] == [714, 714]


def test_per_layer_values_sum_to_totals():
    a = yanalyze.analyze(CONFIGS / "yolov5m.yaml")
    t = a.totals
    for key in ("params", "params_fused", "macs", "flops", "mem_bytes", "mem_bytes_fused"):
        assert sum(getattr(r, key) for r in a.layers) == getattr(t, key), key
    assert sum(r.gflops for r in a.layers) == pytest.approx(t.gflops, rel=1e-12)
    assert sum(r.gflops_fused for r in a.layers) == pytest.approx(t.gflops_fused, rel=1e-12)


def test_batch_scales_activations_not_weights():
    one = yanalyze.analyze(CONFIGS / "yolov5s.yaml", batch=1)
    four = yanalyze.analyze(CONFIGS / "yolov5s.yaml", batch=4)
    assert four.totals.peak_activation_bytes == 4 * one.totals.peak_activation_bytes
    conv = one.layers[7]  # Conv 256->512 3x3 s2 at 40x40 -> 20x20, fp32
    weights = 256 * 512 * 9 + 4 * 512  # conv weight + BN weight, bias, running mean, var
    acts = 256 * 40 * 40 + 512 * 20 * 20 * (1 + 2 + 2)  # conv in+out, BN in+out, act in+out
    assert conv.mem_bytes == 4 * (weights + acts)
    assert four.layers[7].mem_bytes == 4 * (weights + 4 * acts)
    assert conv.mem_bytes_fused == 4 * (256 * 512 * 9 + 512 + 256 * 40 * 40 + 512 * 20 * 20)


def test_dtype_scales_bytes():
    fp32 = yanalyze.analyze(CONFIGS / "yolov5n.yaml").totals
    int8 = yanalyze.analyze(CONFIGS / "yolov5n.yaml", dtype="int8").totals
    assert fp32.mem_bytes == 4 * int8.mem_bytes
    assert fp32.peak_activation_bytes == 4 * int8.peak_activation_bytes


def test_peak_activation_follows_live_outputs():
    a = yanalyze.analyze(CONFIGS / "yolov5s.yaml")
    # while layer 1 runs: image is released; outputs of 0 (32x320x320) and 1 (64x160x160) live
    assert a.totals.peak_layer == 1
    assert a.totals.peak_activation_bytes == 4 * (32 * 320 * 320 + 64 * 160 * 160)


def test_json_is_deterministic(tmp_path):
    first = render(yanalyze.analyze(CONFIGS / "yolov5s-seg.yaml"))
    second = render(yanalyze.analyze(CONFIGS / "yolov5s-seg.yaml"))
    assert first == second
    json.loads(first)


def test_mapping_input_and_nc_override():
    import yaml
    cfg = yaml.safe_load((CONFIGS / "yolov5s.yaml").read_text())
    a = yanalyze.analyze(cfg, nc=3)
    # Detect convs: (128+256+512) * 3 * (3+5) + 3 * 24 bias
    assert a.layers[-1].params == 896 * 24 + 72
    assert a.nc == 3


def test_anchors_as_int():
    import yaml
    cfg = yaml.safe_load((CONFIGS / "yolov5s.yaml").read_text())
    cfg["anchors"] = 3
    a = yanalyze.analyze(cfg)
    assert a.layers[-1].args[1] == [[0, 1, 2, 3, 4, 5]] * 3
    assert a.totals.params == 7235389


def test_graph_has_one_node_per_layer_with_results():
    a = yanalyze.analyze(CONFIGS / "yolov5s.yaml")
    g = a.graph
    assert sorted(g.nodes) == list(range(25))
    assert set(g.predecessors(12)) == {11, 6}
    assert set(g.predecessors(24)) == {17, 20, 23}
    assert g.nodes[9]["result"].module == "SPPF"


def test_transformer_is_global_context():
    a = yanalyze.analyze(CONFIGS / "yolov5s-transformer.yaml")
    flags = [r.out.global_context for r in a.layers]
    assert flags.index(True) == 8 and all(flags[8:])
    assert not any(flags[:8])
