"""Complete FLOPs per layer against torch's FlopCounterMode (tests/flop_oracle.py).

The oracle runs every layer of the independent torch build (tests/yolo_torch.py) in evaluation
mode and prices each aten operation it dispatches with the README's complete-FLOPs table; the
default FlopCounterMode count (2 x MACs of convolutions and matrix products) checks yanalyze's
MACs. Sizes are small to keep the file fast; the rectangular one has a different number of
cells per axis (all configs' strides divide both sides).
"""
from __future__ import annotations

import pytest

import flop_oracle
import yanalyze
import yolo_torch as yt
from conftest import CONFIGS

# every config the reference parser builds (zoo-of-torch-layers uses modules YOLOv5 does not have)
ALL = sorted(p.stem for p in CONFIGS.glob("*.yaml") if p.stem != "zoo-of-torch-layers")
SIZES = [(256, 256), (256, 384)]


@pytest.fixture(scope="module", params=ALL)
def built(request):
    """(config path, torch model): built once per config for both tests."""
    cfg = CONFIGS / f"{request.param}.yaml"
    return cfg, yt.build(cfg)


def differences(layers, ours, measured):
    """(index, module, yanalyze, oracle) of every layer where the two disagree."""
    assert len(ours) == len(measured)
    return [(r.index, r.module, a, b) for r, a, b in zip(layers, ours, measured) if a != b]


@pytest.mark.parametrize("imgsz", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_complete_flops_match_flop_counter(built, imgsz):
    cfg, model = built
    layers = yanalyze.analyze(cfg, imgsz=imgsz).layers
    measured = flop_oracle.layer_flops(model, imgsz)
    assert differences(layers, [r.flops for r in layers], measured) == []


@pytest.mark.parametrize("imgsz", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_flop_counter_default_is_twice_macs(built, imgsz):
    cfg, model = built
    layers = yanalyze.analyze(cfg, imgsz=imgsz).layers
    measured = flop_oracle.layer_default_flops(model, imgsz)
    assert differences(layers, [2 * r.macs for r in layers], measured) == []


def test_oracle_hand_counts():
    """The oracle itself, on layers counted by hand at 256 x 256 (yolov5s: P5 is 8 x 8)."""
    def conv_bn_silu(c1, c2, k, pixels):  # Conv: 2 x MACs, BN 2 and SiLU 4 per output element
        return 2 * c1 * c2 * k * k * pixels + (2 + 4) * c2 * pixels

    s = flop_oracle.layer_flops(yt.build(CONFIGS / "yolov5s.yaml"), 256)
    assert s[0] == conv_bn_silu(3, 32, 6, 128 * 128)
    # SPPF: cv1, three 5x5 max-pools (24 comparisons per output), cv2 on the concat
    assert s[9] == conv_bn_silu(512, 256, 1, 64) + 3 * 24 * 256 * 64 + conv_bn_silu(1024, 512, 1, 64)
    # Detect: biased 1x1 convs to 3 x 85, sigmoid of every output, 12 per anchor cell for xy/wh
    cells = 32 * 32 + 16 * 16 + 8 * 8
    convs = 2 * 255 * (128 * 32 * 32 + 256 * 16 * 16 + 512 * 8 * 8) + 255 * cells
    assert s[24] == convs + 3 * 255 * cells + 12 * 3 * cells

    # C3TR(512, 512) at 8 x 8: L = 64 tokens of E = 256, 4 heads, one layer
    t = flop_oracle.layer_flops(yt.build(CONFIGS / "yolov5s-transformer.yaml"), 256)
    L, E, H = 64, 256, 4
    c3 = 2 * conv_bn_silu(512, 256, 1, L) + conv_bn_silu(512, 512, 1, L)
    position = 2 * L * E * E + L * E + L * E            # Linear with bias, added to the tokens
    projections = 3 * 2 * L * E * E                       # q, k, v (no bias)
    attention = (4 * (2 * L * E * E + L * E)              # in and out projections with bias
                 + L * E                                  # q scaling
                 + 2 * 2 * L * L * E                      # scores and weighted sum
                 + 3 * H * L * L                          # softmax
                 + H * L * L)                             # mean of the weights over the heads
    mlp = 2 * 2 * L * E * E + 2 * L * E                   # fc1, fc2; residual adds after attention and MLP
    assert t[8] == c3 + position + projections + attention + mlp
