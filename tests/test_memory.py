"""Memory access worked out by hand: elements read plus elements written by every kernel the
block runs at inference (README, "Memory access"), then bytes at a dtype and batch."""
from __future__ import annotations

import pytest

import yanalyze
from yanalyze.analyzer.field import AxisField
from yanalyze.analyzer.model import Shape
from yanalyze.analyzer.modules import lookup
from yanalyze.analyzer.symbolic import ACTS, T, Trace


def elements(module: str, args: list, shapes: list) -> tuple[int, int, int, int]:
    trace = Trace(ACTS["SiLU"], False)
    xs = [T(Shape(*s), AxisField.identity(False), AxisField.identity(False), False, trace) for s in shapes]
    mdef = lookup(module)
    mdef.build(xs, *args) if mdef.multi_input else mdef.build(xs[0], *args)
    c = trace.cost
    return c.act, c.weights, c.act_fused, c.weights_fused


# (module, args, inputs) -> (activation elements, weight elements, fused activations, fused weights)
TABLE = [
    # Conv 8->16 3x3 s2 on 8x16x16: out 16x8x8 = 1024
    # conv reads 2048 + writes 1024; BN reads/writes 1024 + w,b,mean,var 4x16; SiLU reads/writes 1024
    # fused: one kernel reads 2048, writes 1024, weights 16*8*9 + a bias of 16
    ("Conv", [8, 16, 3, 2], [(8, 16, 16)], (3072 + 2048 + 2048, 16 * 8 * 9 + 64, 3072, 16 * 8 * 9 + 16)),
    # SPPF 16->32 k5 on 16x8x8: h = 8, maps of 8x64 = 512
    # cv1: 1024 + 512, BN 1024, SiLU 1024; three pools 3 x (512 + 512); concat 4 x 512 + 2048;
    # cv2: 2048 + 2048, BN 4096, SiLU 4096; weights 8*16 + 4*8 and 32*32 + 4*32
    ("SPPF", [16, 32, 5], [(16, 8, 8)],
     (3584 + 3072 + 4096 + 12288, 160 + 1152, 1536 + 3072 + 4096 + 4096, 136 + 1056)),
    # Concat of 8x4x4 and 16x4x4: reads 128 + 256, writes 384
    ("Concat", [1], [(8, 4, 4), (16, 4, 4)], (768, 0, 768, 0)),
    # nearest upsample x2 of 8x4x4: reads 128, writes 512
    ("nn.Upsample", [None, 2, "nearest"], [(8, 4, 4)], (640, 0, 640, 0)),
    # Bottleneck 16->16 on 16x8x8 (h = 8): cv1 1024 + 512, BN 1024, SiLU 1024; cv2 512 + 1024,
    # BN 2048, SiLU 2048; residual add reads 2 x 1024, writes 1024
    ("Bottleneck", [16, 16], [(16, 8, 8)],
     (3584 + 5632 + 3072, 8 * 16 + 32 + 16 * 8 * 9 + 64, 1536 + 1536 + 3072, 8 * 16 + 8 + 16 * 8 * 9 + 16)),
    # Focus 3->8 k1 on 3x8x8: space-to-depth reads 192, writes 192; Conv 12->8 on 12x4x4: 192 + 128,
    # BN 256, SiLU 256
    ("Focus", [3, 8, 1], [(3, 8, 8)], (384 + 320 + 256 + 256, 8 * 12 + 32, 384 + 320, 8 * 12 + 8)),
    # h_swish on 8x4x4 (n = 128): x + 3, ReLU6, / 6 each 2n; x * gate reads 2n, writes n
    ("h_swish", [], [(8, 4, 4)], (3 * 256 + 384, 0, 3 * 256 + 384, 0)),
    # SELayer(16) on 16x4x4 (n = 256): pool reads 256 writes 16; Linear 16->4 reads 16 writes 4
    # (weights 64 + 4); ReLU 8; Linear 4->16 reads 4 writes 16 (weights 64 + 16); h_sigmoid 3 x 32;
    # the product reads 256 + 16, writes 256
    ("SELayer", [16, 4], [(16, 4, 4)], (272 + 20 + 8 + 20 + 96 + 528, 68 + 80, 272 + 20 + 8 + 20 + 96 + 528, 148)),
    # Detect(nc=3, one level of 3 anchors) on 8x4x4: no = 8, out 24x4x4 = 384, 48 anchor cells, 96 xy
    # conv 128 + 384 (weights 24*8 + 24); permute copy 768; sigmoid 768; xy*2 192; + grid 96 + 96 + 96;
    # * stride 96 + 1 + 96; wh*2 192; **2 192; * anchors 96 + 6 + 96; cat 768; cat of the levels 768
    ("Detect", [3, [[10, 13, 16, 30, 33, 23]], [8]], [(8, 4, 4)],
     (512 + 768 + 768 + 192 + 288 + 193 + 192 + 192 + 198 + 768 + 768, 216,
      512 + 768 + 768 + 192 + 288 + 193 + 192 + 192 + 198 + 768 + 768, 216)),
]


@pytest.mark.parametrize("module, args, shapes, expected", TABLE, ids=[t[0] for t in TABLE])
def test_hand_computed_memory_access(module, args, shapes, expected):
    assert elements(module, args, shapes) == expected


def test_bytes_scale_with_dtype_and_batch_weights_once():
    """A layer's bytes: (activations x batch + weights) x element size."""
    cfg = {"nc": 1, "anchors": 1, "backbone": [[-1, 1, "Conv", [16, 3, 2]]], "head": []}
    act, w, act_f, w_f = elements("Conv", [3, 16, 3, 2], [(3, 64, 64)])
    for batch, dtype, size in ((1, "fp32", 4), (4, "fp16", 2), (2, "int8", 1)):
        r = yanalyze.analyze(cfg, imgsz=64, batch=batch, dtype=dtype).layers[0]
        assert (r.mem_bytes, r.mem_bytes_fused) == ((act * batch + w) * size, (act_f * batch + w_f) * size)
