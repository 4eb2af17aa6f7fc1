"""Per-block cost models: params, thop MACs, shape, receptive field and stride, arithmetic shown."""
from __future__ import annotations

import pytest

from yanalyze.analyzer.field import AxisField
from yanalyze.analyzer.model import Shape
from yanalyze.analyzer.modules import lookup
from yanalyze.analyzer.symbolic import ACTS, T, Trace


def run(module: str, args: list, chw: tuple[int, int, int]):
    trace = Trace(ACTS["SiLU"], True)
    x = T(Shape(*chw), AxisField.identity(), AxisField.identity(), False, trace)
    y = lookup(module).build(x, *args)
    return y, trace.cost


# (module, args, input CHW) -> (params, thop MACs, output CHW, rf, stride)
CASES = [
    # Conv 3->32 k6 s2 p2 at 64: weights 32*3*36 = 3456 + BN 2*32 = 3520;
    # out 32x32x32 = 32768 elements; MACs 32768*3*36 = 3538944; BN 4*32768 = 131072
    ("Conv", [3, 32, 6, 2, 2], (3, 64, 64), (3520, 3538944 + 131072, (32, 32, 32), 6, 2)),
    # DWConv 64->64 k5 s1: groups 64 -> weights 64*1*25 = 1600 + 128; MACs 64*16*16*25 = 409600 + BN 65536
    ("DWConv", [64, 64, 5, 1], (64, 16, 16), (1728, 409600 + 65536, (64, 16, 16), 5, 1)),
    # Bottleneck 64->64: cv1 1x1 64*32 + 64, cv2 3x3 32*64*9 + 128 = 2048+64+18432+128 = 20672
    # MACs at 8x8: 64*(32*64) + 64*(64*32*9) = 131072 + 1179648, BN 4*64*(32+64) = 24576
    ("Bottleneck", [64, 64], (64, 8, 8), (20672, 131072 + 1179648 + 24576, (64, 8, 8), 3, 1)),
    # SPPF 64->64 k5: cv1 64*32+64 = 2112, cv2 128*64+128 = 8320 -> 10432; pools chain: rf 1+4*3 = 13
    ("SPPF", [64, 64, 5], (64, 8, 8), (10432, 64 * (2048 + 8192) + 4 * 64 * 96, (64, 8, 8), 13, 1)),
    # SPP 64->64 (5,9,13): cv1 2112, cv2 (32*4)*64 + 128 = 8320; widest pool 13
    ("SPP", [64, 64, [5, 9, 13]], (64, 8, 8), (10432, 64 * (2048 + 8192) + 4 * 64 * 96, (64, 8, 8), 13, 1)),
    # Focus 3->32 k3: space-to-depth (2x2 s2) then Conv 12->32 k3: 12*32*9 + 64 = 3520; rf 2 + 2*2 = 6
    ("Focus", [3, 32, 3], (3, 64, 64), (3520, 1024 * 32 * 12 * 9 + 4 * 32768, (32, 32, 32), 6, 2)),
    # GhostConv 16->32: cv1 16*16+32 = 288, cv2 dw 5x5 16*25+32 = 432 -> 720; rf 5
    ("GhostConv", [16, 32], (16, 8, 8), (720, 64 * 16 * 16 + 64 * 16 * 25 + 4 * 64 * 32, (32, 8, 8), 5, 1)),
    # nn.Upsample: stride halves, no params
    ("nn.Upsample", [None, 2, "nearest"], (8, 4, 4), (0, 0, (8, 8, 8), 1, 0.5)),
]


@pytest.mark.parametrize("module, args, chw, expected", CASES, ids=[c[0] for c in CASES])
def test_block_costs(module, args, chw, expected):
    params, thop, out, rf, stride = expected
    y, cost = run(module, args, chw)
    assert cost.params == params
    assert cost.thop == thop
    assert (y.shape.c, y.shape.h, y.shape.w) == out
    assert y.fh.rf == rf and y.fh.rf_max == rf
    assert y.fh.jump == stride


def test_c3_repeat_and_fusion():
    # C3 64->64 n=2: cv1, cv2 (64*32+64 each), cv3 (64*64+128), 2 Bottlenecks(32, 32, e=1):
    # each 32*32+64 + 32*32*9+64 = 10368 -> 2*2112 + 4224 + 2*10368 = 29184
    _, cost = run("C3", [64, 64, 2], (64, 8, 8))
    assert cost.params == 29184
    # fusion replaces each BN (2c) with a conv bias (c): Convs with c2 = 32,32,64,32,32,32,32
    assert cost.params - cost.params_fused == 32 * 6 + 64
    assert cost.thop - cost.thop_fused == 4 * 64 * (32 * 6 + 64)


def test_bottleneck_csp_keeps_its_standalone_bn_when_fused():
    _, cost = run("BottleneckCSP", [64, 64, 1], (64, 8, 8))
    # cv1 2112, cv2 plain 64*32, cv3 plain 32*32, cv4 64*64+128, bn 2*64, Bottleneck(32) 10368
    assert cost.params == 2112 + 2048 + 1024 + 4224 + 128 + 10368
    # fused: only Conv-wrapped BNs fold (cv1 32, cv4 64, bottleneck 32+32)
    assert cost.params - cost.params_fused == 32 + 64 + 64


def test_squeeze_excite_pattern_is_global_and_counts_gating():
    from yanalyze.analyzer import shaping as S
    trace = Trace(ACTS["SiLU"], True)
    x = T(Shape(16, 8, 8), AxisField.identity(), AxisField.identity(), False, trace)
    g = S.adaptive_avgpool(x, 1)          # thop: 1024 adds + 16 divides
    y = S.broadcast(x, g)                 # 1024 products
    assert (g.shape.h, g.shape.w, g.glob, y.glob) == (1, 1, True, True)
    assert (y.shape.c, y.shape.h, y.shape.w) == (16, 8, 8)
    assert trace.cost.thop == 1024 + 16
    assert trace.cost.flops == 1024 + 1024


def test_even_kernel_autopad_follows_yolov5_code():
    # YOLOv5 autopad is k_eff // 2 (not (k-1)//2): k=2 pads 1, so 8 -> (8 + 2 - 2) // 1 + 1 = 9
    y, cost = run("Conv", [8, 8, 2], (8, 8, 8))
    assert (y.shape.h, y.shape.w) == (9, 9)
    # d=2, k=3: k_eff = 5, pad 2 keeps the size; rf = 5
    y, _ = run("Conv", [8, 8, 3, 1, None, 1, 2], (8, 8, 8))
    assert (y.shape.h, y.fh.rf) == (8, 5)
