"""Custom modules: the published modifications built in, torch layers in YAML, plugins, entry
points, torch-traced module files, and unknown modules never counted as a silent zero."""
from __future__ import annotations

import json
import sys
import textwrap
from copy import deepcopy

import pytest
import thop
import torch
import yaml

import yanalyze
from conftest import CONFIGS, EXAMPLES
from yanalyze.analyzer import extensions
from yanalyze.analyzer.load import load_model
from yanalyze.verify.build import build
from yanalyze.verify.crosscheck import crosscheck

CUSTOM_EXAMPLES = [EXAMPLES / "yolov5s-C3_Faster.yaml", EXAMPLES / "yolov5s-FocalModulation.yaml",
                   EXAMPLES / "yolov5-mobilenetv3-small.yaml", CONFIGS / "zoo-of-torch-layers.yaml"]


def test_yolov5l_with_c3_faster_matches_the_published_figures():
    cfg = yaml.safe_load((CONFIGS / "yolov5l.yaml").read_text())
    for row in cfg["backbone"] + cfg["head"]:
        row[2] = "C3_Faster" if row[2] == "C3" else row[2]
    t = yanalyze.analyze(cfg).totals
    assert (t.params, f"{t.gflops:.1f}") == (31_797_373, "72.0")


@pytest.mark.parametrize("cfg", CUSTOM_EXAMPLES, ids=lambda p: p.stem)
def test_every_block_matches_its_torch_build(cfg):
    """Params by numel, shapes by a meta forward, conv and matmul MACs by an aten-level count."""
    a = yanalyze.analyze(cfg, imgsz=320)
    checks = crosscheck(load_model(cfg), a.input.imgsz)
    assert len(checks) == len(a.layers)
    assert [(c.index, c.differences) for c in checks if not c.passed] == []


@pytest.mark.parametrize("cfg", CUSTOM_EXAMPLES[:3], ids=lambda p: p.stem)
def test_gflops_match_ultralytics_thop_on_the_torch_model(cfg):
    """Current YOLOv5's figure (thop extrapolating from stride-cell proxies) and v7.0's (a 32 x 32
    probe scaled): they differ where layers do not grow with the image (SE's pool and Linear)."""
    model = build(load_model(cfg)).eval()
    s = 32
    current = thop.profile(deepcopy(model), inputs=(torch.zeros(1, 3, 640, 640),), verbose=False, stride=s)[0]
    probe = thop.profile(deepcopy(model), inputs=(torch.zeros(1, 3, s, s),), verbose=False)[0]
    assert yanalyze.analyze(cfg).totals.gflops == pytest.approx(current / 1e9 * 2, rel=1e-12)
    assert yanalyze.analyze(cfg, gflops_as="v7.0").totals.gflops == pytest.approx(probe / 1e9 * 2 * (640 / s) ** 2,
                                                                                  rel=1e-12)
    assert yanalyze.analyze(cfg).totals.params == sum(p.numel() for p in model.parameters())


def test_depthwise_grouped_dilated_exact():
    a = yanalyze.analyze(CONFIGS / "zoo-of-torch-layers.yaml", imgsz=320)
    grouped = a.layers[1]  # Conv2d(16, 32, 3, 2, padding 2, dilation 2, groups 4, no bias)
    assert grouped.params == 32 * (16 // 4) * 9
    assert grouped.macs == 32 * 80 * 80 * (16 // 4) * 9
    # dilation 2: effective kernel 5, at jump 2 after the stem: rf 3 + (5 - 1) * 2 = 11
    assert (grouped.out.rf[0], grouped.out.stride[0]) == (11, 4)
    dw = a.layers[11]  # depth-wise 3x3 stride 2 with bias
    assert dw.params == 16 * 9 + 16 and dw.flops == 2 * 16 * 40 * 40 * 9 + 16 * 40 * 40


def test_plugin_file(run_cli):
    code, out, err = run_cli(EXAMPLES / "yolov5s-dilated.yaml", "--plugin", EXAMPLES / "plugins/my_blocks.py",
                             "--json")
    assert code == 0, err
    layer = json.loads(out)["layers"][9]
    h = 256  # c2 = 1024 * 0.5 = 512; hidden 256
    assert layer["module"] == "DilatedBottleneck" and layer["origin"] == "plugin:my_blocks.py"
    assert layer["params"] == (512 * h + 2 * h) + (h * h * 9 + 2 * h) + (h * 512 + 2 * 512)
    assert layer["rf"] == [266 + 6 * 32] * 2  # dilated 3x3 = 7x7 window at stride 32


def test_entry_point_registers_modules(tmp_path, monkeypatch):
    pkg = tmp_path / "site"
    (pkg / "acme_blocks").mkdir(parents=True)
    (pkg / "acme_blocks" / "__init__.py").write_text(textwrap.dedent('''
        import yanalyze
        from yanalyze import ops

        @yanalyze.register("AcmeConv", channels="conv")
        def acme(x, c1, c2):
            return ops.conv(x, c1, c2, 3)
    '''))
    dist = pkg / "acme_blocks-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-blocks\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[yanalyze.modules]\nacme = acme_blocks\n")
    monkeypatch.syspath_prepend(str(pkg))
    monkeypatch.setitem(extensions._state, "entry_points", False)
    cfg = {"nc": 1, "anchors": 1, "backbone": [[-1, 1, "AcmeConv", [16]]], "head": []}
    a = yanalyze.analyze(cfg, imgsz=64)
    assert a.layers[0].params == 16 * 3 * 9 + 32


def test_modules_file_is_measured_in_torch(run_cli):
    code, out, err = run_cli(EXAMPLES / "yolov5s-traced.yaml", "--modules", EXAMPLES / "modules/my_modules.py",
                             "--json")
    assert code == 0, err
    assert "importing" in err and "runs its code" in err
    layers = json.loads(out)["layers"]
    rep, eca = layers[1], layers[10]
    assert rep["origin"] == eca["origin"] == "traced:my_modules.py"
    assert rep["params"] == 64 * 32 * 9 + 64 * 32 + 4 * 64 and rep["out_shape"] == [64, 160, 160]
    assert rep["rf"] == [10, 10] and not rep["global_context"]  # 3x3 stride 2 after the 6x6 stem
    # thop's convention on the real module at its real input: conv MACs + 4 per BN element
    sys.path.insert(0, str(EXAMPLES / "modules"))
    try:
        import my_modules
    finally:
        sys.path.pop(0)
    ops = thop.profile(my_modules.RepConvLite(32, 64, 3, 2), inputs=(torch.zeros(1, 32, 320, 320),), verbose=False)[0]
    assert rep["gflops"] == pytest.approx(2 * ops / 1e9, rel=1e-12)
    assert eca["params"] == 3 and eca["out_shape"] == [512, 20, 20] and eca["global_context"]


def test_unknown_module_error_lists_the_three_ways(run_cli):
    code, out, err = run_cli(EXAMPLES / "yolov5s-dilated.yaml")
    assert code == 2 and err.count("\n") == 1
    for way in ("--plugin FILE", "'yanalyze.modules' entry point", "--modules FILE", "--allow-unknown"):
        assert way in err
    assert "did you mean Bottleneck" in err


def test_allow_unknown_is_never_a_silent_zero(run_cli):
    code, out, err = run_cli(EXAMPLES / "yolov5s-dilated.yaml", "--allow-unknown", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["layers"][9]["origin"] == "unknown" and d["layers"][9]["params"] == 0
    assert d["totals"]["partial"] is True
    codes = [x["code"] for x in d["diagnostics"]]
    assert "totals/partial" in codes and "module/unknown" in codes
    code, out, err = run_cli(EXAMPLES / "yolov5s-dilated.yaml", "--allow-unknown", "--width", "120")
    assert "PARTIAL" in out and "DilatedBottleneck ?" in out


def test_modules_without_torch_is_one_line(run_cli, monkeypatch):
    import importlib.util
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a))
    code, out, err = run_cli(EXAMPLES / "yolov5s-traced.yaml", "--modules", EXAMPLES / "modules/my_modules.py")
    assert code == 2 and "pip install -e '.[verify]'" in err and err.count("\n") == 1
