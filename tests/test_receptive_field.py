"""Exact receptive fields against a numerical oracle: input gradients of one output pixel.

The oracle (tests/torch_oracle.py) builds the torch model, makes it linear with positive
weights and average pools in place of max pools, and measures which input rows and columns
reach one output pixel. Positions are interior, so padding never clips the window, as in
yanalyze's unbounded-input definition.
"""
from __future__ import annotations

import pytest
import yaml

import torch_oracle as oracle
import yolo_torch as yt
from conftest import CONFIGS
from yanalyze.analyzer import engine
from yanalyze.analyzer.load import load_model


def symbolic_outputs(cfg, hw):
    m = load_model(cfg)
    return [(lp.outs, lp.cost, lp.notes) for lp in engine.run_pass(m.specs, m.settings, hw, True, None)]


def small(name: str) -> dict:
    """The config at yolov5n scale (depth 0.33, width 0.25): same field, cheap to run in torch."""
    d = yaml.safe_load((CONFIGS / f"{name}.yaml").read_text())
    d.update(depth_multiple=0.33, width_multiple=0.25)
    return d


CASES = [
    # (config, layer, detect level, imgsz): one period of positions around the centre is measured
    ("yolov5n", 17, 0, 1024),        # P3 after two nearest upsamples: 682 / 714
    ("yolov5n", 13, 0, 1024),        # P4 path after one upsample
    ("yolov5n", 24, 1, 1024),        # Detect level P4
    ("yolov5n", 9, 0, 1024),         # SPPF: chained pools
    ("yolov5s-v5.0", 8, 0, 1024),    # SPP(5, 9, 13) after a Focus stem
    ("yolov5s-ghost", 6, 0, 768),    # GhostConv / GhostBottleneck depth-wise 5x5
    ("yolov5-p2", 21, 0, 1536),      # P2 after three upsamples: period 8
    ("zoo-of-blocks", 16, 0, 1280),  # MixConv2d, Contract/Expand, ZeroPad2d + MaxPool2d(2, 1), ...
]


@pytest.mark.parametrize("name, layer, level, imgsz", CASES, ids=[f"{c[0]}-L{c[1]}" for c in CASES])
def test_exact_field_matches_gradient_oracle(name, layer, level, imgsz):
    cfg = small(name) if name == "yolov5-p2" else CONFIGS / f"{name}.yaml"
    t = symbolic_outputs(cfg, (imgsz, imgsz))[layer][0][level]
    centre = t.shape.h // 2
    positions = range(centre - t.fh.period // 2, centre + (t.fh.period + 1) // 2 + 1)
    model = yt.build(cfg)
    measured = oracle.receptive_field_by_gradient(model, layer, imgsz, [(p, p) for p in positions],
                                                  level=level)
    ours = [(t.fh.extent(p), t.fw.extent(p)) for p in positions]
    assert ours == measured
    # one full period is covered, so the reported extremes are the measured ones
    assert (t.fh.rf_min, t.fh.rf_max) == (min(m[0] for m in measured), max(m[0] for m in measured))


def test_yolov5s_p3_published_figures():
    t = symbolic_outputs(CONFIGS / "yolov5s.yaml", (640, 640))[17][0][0]
    assert (t.fh.rf, t.fh.rf_min, t.fh.rf_max) == (698, 682, 714)
    assert t.fh.period == 4


def test_field_does_not_depend_on_image_size():
    a = symbolic_outputs(CONFIGS / "yolov5s.yaml", (640, 640))[17][0][0]
    b = symbolic_outputs(CONFIGS / "yolov5s.yaml", (320, 1280))[17][0][0]
    assert (a.fh.lo, a.fh.hi) == (b.fh.lo, b.fh.hi) == (b.fw.lo, b.fw.hi)


def test_transformer_marks_global_context():
    model = yt.build(CONFIGS / "yolov5s-transformer.yaml")
    # attention at P5 mixes every position: the field spans the whole (small) input
    (extent,) = oracle.receptive_field_by_gradient(model, 8, 256, [(4, 4)], check_border=False)
    assert extent == (256, 256)
    t = symbolic_outputs(CONFIGS / "yolov5s-transformer.yaml", (256, 256))[8][0][0]
    assert t.glob and not symbolic_outputs(CONFIGS / "yolov5s-transformer.yaml", (256, 256))[7][0][0].glob
