"""Old and hand-written formats: YOLOv5 v1.0's layout analysed as v1.0 built it, and activations
written as constructor calls in a row's args, read through a whitelist (never eval)."""
from __future__ import annotations

from pathlib import Path

import pytest

import yanalyze
from yanalyze.analyzer.load import load_model
from yanalyze.verify.crosscheck import crosscheck

V1 = Path(__file__).parent / "corpus" / "official" / "ultralytics__yolov5__v1.0-yolov5s.yaml"


def test_v1_layout_is_analysed_as_v1_built_it():
    a = yanalyze.analyze(V1)
    assert a.totals.params == 7_468_157  # v1.0's own "Model Summary: 191 layers, 7.46816e+06 parameters"
    detect = a.layers[-1]
    assert detect.inputs == (26, 22, 18) and detect.params == 0
    assert [lv.name for lv in a.levels] == ["P5", "P4", "P3"]
    layout = [d for d in a.diagnostics if d.code == "parse/layout"]
    assert len(layout) == 1 and "reads layers 26, 22, 18 (those with 255 channels)" in layout[0].message
    assert {r.definition for r in a.layers if r.module in ("nn.Conv2d", "Detect", "BottleneckCSP")} == {"yolov5-v1.0"}
    # every layer against its torch block, v1.0's Detect decode and LeakyReLU CSP included
    checks = crosscheck(load_model(V1), (256, 256))
    assert [(c.index, c.differences) for c in checks if not c.passed] == []


CTOR = {"nc": 1, "anchors": 1, "head": [],
        "backbone": [[-1, 1, "Conv", [16, 3, 2, None, 1, "nn.LeakyReLU(0.1)"]],
                     [-1, 1, "Conv", [16, 3, 1, None, 1, "nn.ReLU(inplace=True)"]],
                     [-1, 1, "Conv", [16, 3, 1, None, 1, "torch.nn.SiLU()"]]]}


def test_activation_constructors_in_args():
    """YOLOv5 v6.x's Conv(c1, c2, k, s, p, g, act) with the activation built in the YAML."""
    a = yanalyze.analyze(CTOR, imgsz=64)
    assert [repr(r.args[-1]) for r in a.layers] == ["nn.LeakyReLU(0.1)", "nn.ReLU(inplace=True)", "torch.nn.SiLU()"]
    assert a.to_dict()["layers"][0]["args"] == [3, 16, 3, 2, None, 1, "nn.LeakyReLU(0.1)"]
    n = 16 * 32 * 32  # per activation: LeakyReLU 2, ReLU 1, SiLU 4 FLOPs per element
    convs = [2 * 3 * 16 * 9 * 32 * 32, 2 * 16 * 16 * 9 * 32 * 32, 2 * 16 * 16 * 9 * 32 * 32]
    assert [r.flops for r in a.layers] == [c + 2 * n + k * n for c, k in zip(convs, (2, 1, 4))]
    assert all(c.passed for c in crosscheck(load_model(CTOR), (64, 64)))


@pytest.mark.parametrize("arg", ["nn.LeakyReLU(x)", "nn.Conv2d(3, 3, 3)", "os.system('ls')", "nn.ReLU(inplace=f())"])
def test_other_calls_are_still_code(arg):
    cfg = {**CTOR, "backbone": [[-1, 1, "Conv", [16, 3, 2, None, 1, arg]]]}
    with pytest.raises(yanalyze.ConfigError, match="looks like code"):
        yanalyze.analyze(cfg, imgsz=64)
