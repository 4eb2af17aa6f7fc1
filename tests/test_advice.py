"""Design advice on a device: which rule speaks where, and each saving recomputed here from the
layer's recorded kernels with the profile's own rates (tests/devices/advice-cpu.json, measured;
cpu-default, a datasheet roofline). The kernel arithmetic below is written out again on purpose."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import yanalyze
from yanalyze.analyzer import advice as A
from yanalyze.analyzer import devices
from yanalyze.analyzer import diagnostics as D
from yanalyze.analyzer.latency import classify, conv_shape

ROOT = Path(__file__).resolve().parent.parent
PROFILE = devices.load(str(ROOT / "tests" / "devices" / "advice-cpu.json"))
ROOFLINE = devices.load("cpu-default")
SHUFFLENET = ROOT / "tests" / "corpus" / "backbone" / "TP-Thread__yolov5__yolov5s-shufflenetv2.yaml"
MOBILENET = ROOT / "examples" / "yolov5-mobilenetv3-small.yaml"
ZOO = ROOT / "tests" / "configs" / "zoo-of-blocks.yaml"
LSEFAST = ROOT / "tests" / "corpus" / "names_attention" / "wandahangFY__MLCA__shufflenetv2-2head-tiny-lsefast-sppf.yaml"
CBAM = ROOT / "tests" / "corpus" / "routing" / "Liudongyun-max__yolov5-7.0-weed-detect__yolov5_BS_CBAM.yaml"
V50 = ROOT / "examples" / "yolov5s-v5.0.yaml"
MS = 1e6  # GFLOP/s and GB/s are 1e6 FLOPs or bytes per ms


@dataclass
class K:
    """One kernel timed by hand: the three terms of a measured profile, or both roofline terms."""

    what: str
    detail: str
    cost: object
    flops: float  # as costed (padded channels)
    nbytes: float
    overhead: float
    compute: float
    memory: float
    roofline: bool

    @property
    def ms(self) -> float:
        return max(self.compute, self.memory) if self.roofline else self.overhead + self.compute + self.memory


def timed(dev, what, detail, cost, nbytes=None) -> K:
    cls, flops = classify(what, detail, cost.macs, cost.flops, dev.channel_block)
    r = dev.rate(cls)
    nbytes = (cost.act + cost.weights) * 4 if nbytes is None else nbytes  # batch 1, fp32
    # a measured profile adds its in-network term on the activation bytes
    in_network = not (cls.startswith("conv") or cls == "matmul")  # the term skips convs and products
    ctx = (nbytes - cost.weights * 4) / (dev.context_gbs * MS) if dev.measured and dev.context_gbs and in_network \
        else 0.0
    return K(what, detail, cost, flops, nbytes, r.overhead_us / 1e3 if dev.measured else 0.0,
             flops / (r.gflops * MS) if r.gflops else 0.0, (nbytes / (r.gbs * MS) if r.gbs else 0.0) + ctx,
             not dev.measured)


def kernels(a, dev, layer) -> list[K]:
    return [timed(dev, *k) for k in a.layers[layer].kernels]


def by_code(a, code) -> dict:
    return {x.layer: x for x in a.advice if x.code == code}


def dense_gflops(a, dev) -> float:
    """What the model's plain dense convs (groups 1, no dilation) attain: their FLOPs over their time."""
    ks = [k for r in a.layers for k in kernels(a, dev, r.index) if k.what == "conv2d"
          and conv_shape(k.detail)[5] == 1 and conv_shape(k.detail)[6] == 1]
    return sum(k.cost.flops for k in ks) / sum(k.ms for k in ks) / MS


def worth(a, saving) -> bool:
    return saving > 0 and saving >= 0.002 * a.latency.total_ms


@pytest.fixture(scope="module")
def shuffle():
    return {d.name: yanalyze.analyze(SHUFFLENET, device=d) for d in (PROFILE, ROOFLINE)}


def test_the_hand_timing_is_the_estimate(shuffle):
    for dev in (PROFILE, ROOFLINE):
        a = shuffle[dev.name]
        for r, lat in zip(a.layers, a.latency.layers):
            assert sum(k.ms for k in kernels(a, dev, r.index)) == pytest.approx(lat.ms, rel=1e-12)


def test_unequal_channels_on_the_measured_profile(shuffle):
    a = shuffle["advice-cpu"]
    g1 = by_code(a, "advice/unequal-channels")
    assert sorted(g1) == [1, 10, 14]
    # layer 14 (C3 at 80x80): cv1 and cv2 map 128 -> 32; at equal widths sqrt(128 x 32) = 64 the maps
    # hold (64 + 64) x 6400 elements instead of (128 + 32) x 6400; conv1x1 moves 4.556 GB/s here
    assert g1[14].saving_ms == pytest.approx(2 * (128 + 32 - 2 * 64) * 6400 * 4 / (4.556 * MS), rel=1e-12)
    assert g1[14].message == ("layer 14 (C3): 1x1 conv(s) 128->32 x2 have unequal input and output widths; equal "
                              "widths do the same FLOPs with less memory access, 0.36 ms less (ShuffleNetV2 G1)")
    assert g1[14].rule == "ShuffleNetV2 G1"
    # every layer, recomputed: the bytes a 1x1 conv with a width ratio of 2 or more moves above equal widths
    want = {}
    for r in a.layers:
        saving = 0.0
        for k in kernels(a, PROFILE, r.index):
            shape = conv_shape(k.detail) if k.what == "conv2d" else None
            if shape and shape[:2] == (1, 1) and shape[5] == 1 and max(shape[3:5]) >= 2 * min(shape[3:5]):
                c1, c2 = shape[3], shape[4]
                hw_out = k.cost.macs / (c1 * c2)
                hw_in = (k.cost.act - hw_out * c2) / c1
                eq = timed(PROFILE, k.what, k.detail, k.cost,
                           ((hw_in + hw_out) * math.sqrt(c1 * c2) + k.cost.weights) * 4)
                saving += k.ms - eq.ms
        if not r.is_head and worth(a, saving):
            want[r.index] = saving
    assert want.keys() == g1.keys()
    assert all(g1[i].saving_ms == pytest.approx(s, rel=1e-12) for i, s in want.items())
    # Detect's 1x1 convs (64 -> 18) are as unequal, but the task sets their width
    assert any(conv_shape(d)[3] >= 2 * conv_shape(d)[4] for w, d, _ in a.layers[21].kernels if w == "conv2d")


def test_unequal_channels_silent_on_a_roofline_where_1x1_convs_are_compute_bound(shuffle):
    a = shuffle["cpu-default"]
    assert not by_code(a, "advice/unequal-channels")
    k = kernels(a, ROOFLINE, 14)[0]
    assert k.detail == "1x1 128->32" and k.compute > k.memory


def test_depthwise_memory_bound_fasternet():
    for dev, layers in ((PROFILE, [1, 2, 3, 4]), (ROOFLINE, [1, 2, 3])):
        a = yanalyze.analyze(MOBILENET, device=dev)
        dw = by_code(a, "advice/depthwise-memory-bound")
        assert sorted(dw) == layers
        dense = dense_gflops(a, dev)
        want = {}
        for r in a.layers:
            ks = [k for k in kernels(a, dev, r.index) if k.detail.endswith(" dw")]
            flops = sum(k.cost.flops for k in ks)
            saving = sum(k.ms for k in ks) - flops / (dense * MS)
            if ks and sum(k.memory for k in ks) > sum(k.compute for k in ks) and worth(a, saving):
                want[r.index] = (saving, flops / sum(k.ms for k in ks) / MS)
        assert want.keys() == dw.keys()
        for i, (saving, rate) in want.items():
            assert dw[i].saving_ms == pytest.approx(saving, rel=1e-12)
            assert f"at {rate:.3g} GFLOP/s, {rate / dense:.0%} of the {dense:.3g} GFLOP/s" in dw[i].message
            assert dw[i].rule == "FasterNet"
            assert i not in by_code(a, "advice/memory-bound")  # the specific rule explains the layer
    # on the roofline a depth-wise conv moves bytes at the 20 GB/s DRAM speed: 3x3/2 72->72, 160x160 -> 80x80
    a = yanalyze.analyze(MOBILENET, device=ROOFLINE)
    (k,) = [k for k in kernels(a, ROOFLINE, 2) if k.detail.endswith(" dw")]
    assert k.detail == "3x3/2 72->72 dw" and k.nbytes == (72 * 160 * 160 + 72 * 80 * 80 + 72 * 9) * 4
    assert k.ms == k.nbytes / (20 * MS)


def test_group_mac():
    for path, dev, layer, detail in ((ZOO, PROFILE, 4, "3x3/2 32->64 g32"), (ZOO, ROOFLINE, 4, "3x3/2 32->64 g32"),
                                     (LSEFAST, PROFILE, 11, "1x1 512->512 g64")):
        a = yanalyze.analyze(path, device=dev)
        g2 = by_code(a, "advice/group-mac")
        dense = dense_gflops(a, dev)
        want = {}
        for r in a.layers:
            ks = [k for k in kernels(a, dev, r.index) if k.what == "conv2d" and conv_shape(k.detail)[5] > 1
                  and not k.detail.endswith(" dw")]
            ms = sum(k.ms for k in ks)
            saving = ms - sum(k.cost.flops for k in ks) / (dense * MS)
            slow = sum(k.overhead + (k.memory if k.memory > k.compute or not k.roofline else 0) for k in ks)
            if ks and slow >= 0.5 * ms and worth(a, saving):
                want[r.index] = saving
        assert layer in want and want.keys() == g2.keys()
        assert all(g2[i].saving_ms == pytest.approx(s, rel=1e-12) for i, s in want.items())
        assert f"grouped conv(s) {detail} spend" in g2[layer].message and g2[layer].rule == "ShuffleNetV2 G2"
        assert layer not in by_code(a, "advice/memory-bound")


def test_fragmentation_on_the_measured_profile_only():
    a = yanalyze.analyze(CBAM, device=PROFILE)
    g3 = by_code(a, "advice/fragmentation")
    assert sorted(g3) == [10] and a.layers[10].module == "CBAM"
    ks = kernels(a, PROFILE, 10)
    lat = a.latency.layers[10]
    assert lat.calls == len(ks) == 15 and lat.overhead_ms >= 0.3 * lat.ms
    extra = [k for k in ks if k.what != "conv2d" and not _folded(k)]
    assert len(extra) == 12
    assert g3[10].saving_ms == pytest.approx(sum(k.overhead for k in extra), rel=1e-12)
    assert "15 kernel calls" in g3[10].message and "the 12 calls beyond one per conv" in g3[10].message
    # a roofline has no per-call overhead, so nothing is fragmented there
    assert not by_code(yanalyze.analyze(CBAM, device=ROOFLINE), "advice/fragmentation")


def _elementwise(k: K, dev) -> bool:
    cls, _ = classify(k.what, k.detail, k.cost.macs, k.cost.flops, dev.channel_block)
    return cls.startswith("act_") or cls in ("eltwise", "batchnorm", "copy", "upsample", "upsample_bilinear")


def test_elementwise_share(shuffle):
    for name, dev in (("advice-cpu", PROFILE), ("cpu-default", ROOFLINE)):
        a = shuffle[name]
        ks = [k for r in a.layers for k in kernels(a, dev, r.index)]
        share = sum(k.ms for k in ks if _elementwise(k, dev)) / a.latency.total_ms
        flops = sum(k.cost.flops for k in ks if _elementwise(k, dev)) / sum(k.cost.flops for k in ks)
        g4 = by_code(a, "advice/elementwise")
        if name == "advice-cpu":
            assert share < 0.15 and not g4
            continue
        assert share >= 0.15 and list(g4) == [None]
        # what a conv absorbs: an activation or unfolded batch norm whose nearest kernel before it
        # (a batch norm skipped) is a conv
        absorbed = 0.0
        for r in a.layers:
            rk = kernels(a, dev, r.index)
            absorbed += sum(k.ms for i, k in enumerate(rk) if k.what in ("activation", "batchnorm")
                            and not _folded(k) and _follows_conv(rk, i))
        assert g4[None].saving_ms == pytest.approx(absorbed, rel=1e-12)
        assert g4[None].message.startswith(f"element-wise kernels (activations, adds, batch norms, copies, "
                                           f"upsampling) take {share:.0%} of the time")
        assert f"for {flops:.0%} of the FLOPs" in g4[None].message


def _follows_conv(ks: list[K], i: int) -> bool:
    j = i - 1
    while j >= 0 and ks[j].what == "batchnorm":
        j -= 1
    return j >= 0 and ks[j].what == "conv2d"


def _folded(k: K) -> bool:
    return k.what == "batchnorm" and k.cost.act_fused == 0 and k.cost.act > 0


def test_memory_bound(shuffle):
    for name, dev in (("advice-cpu", PROFILE), ("cpu-default", ROOFLINE)):
        a = shuffle[name]
        mb = by_code(a, "advice/memory-bound")
        explained = set(by_code(a, "advice/depthwise-memory-bound")) | set(by_code(a, "advice/group-mac"))
        want = {}
        for r, lat in zip(a.layers, a.latency.layers):
            # kernel by kernel, the bytes' time above the arithmetic's, both terms in full
            saving = sum(max(0.0, k.memory - k.compute) for k in kernels(a, dev, r.index))
            if lat.bound == "memory" and lat.ms >= 0.01 * a.latency.total_ms and r.index not in explained \
                    and worth(a, saving):
                want[r.index] = saving
        assert want and want.keys() == mb.keys()
        assert all(mb[i].saving_ms == pytest.approx(s, rel=1e-12) for i, s in want.items())
        assert all(x.rule == "roofline" for x in mb.values())
    # the stem (CBRM: 3x3/2 conv, BN, ReLU, 3x3/2 max-pool) on the roofline is all memory
    a = shuffle["cpu-default"]
    assert by_code(a, "advice/memory-bound")[0].message.startswith("layer 0 (CBRM): memory-bound, 100% of its 2.29 ms")


def test_rewrites_cost_the_rewritten_form():
    """The saving is the layer's time less that of the rewritten config's own layer (analysed here
    from the edited config, not from the finding)."""
    data = yaml.safe_load(V50.read_text())
    assert data["backbone"][0][2] == "Focus" and data["backbone"][8][2] == "SPP"
    data["backbone"][0] = [-1, 1, "Conv", [64, 6, 2, 2]]
    data["backbone"][8] = [-1, 1, "SPPF", [1024, 5]]
    for dev, layers in ((PROFILE, [0, 8]), (ROOFLINE, [0, 8])):
        a = yanalyze.analyze(V50, device=dev)
        b = yanalyze.analyze(data, device=dev)
        rw = by_code(a, "advice/rewrite")
        assert sorted(rw) == layers
        for i in (0, 8):
            saving = a.latency.layers[i].ms - b.latency.layers[i].ms
            assert (i in rw) == (saving > 0)
            if i in rw:
                assert rw[i].saving_ms == pytest.approx(saving, rel=1e-12) and rw[i].rule == "rewrite"
    # Focus -> 6x6 Conv on the measured profile: the stem's 3 input channels run unpadded, and the
    # conv saves Focus's space-to-depth copy and its 12-channel input
    a = yanalyze.analyze(V50, device=PROFILE)
    b = yanalyze.analyze(data, device=PROFILE)
    assert b.latency.layers[0].ms < a.latency.layers[0].ms
    spp = a.latency.layers[8].ms - b.latency.layers[8].ms  # the edited config's own SPPF layer
    assert spp > 10  # three pools of 5 in a row instead of 5, 9 and 13 side by side
    assert by_code(a, "advice/rewrite")[8].message == f"layer 8: SPP -> SPPF is exact and saves {spp:.1f} ms on this device"


def test_fuse_bn_counts_the_folded_batch_norms(shuffle):
    a = shuffle["advice-cpu"]
    (fuse,) = by_code(a, "advice/fuse-bn").values()
    folded = [k for r in a.layers for k in kernels(a, PROFILE, r.index) if _folded(k)]
    assert len(folded) == 24 and fuse.saving_ms == pytest.approx(sum(k.ms for k in folded), rel=1e-12)
    assert fuse.saving_ms == pytest.approx(a.latency.total_ms - a.latency.total_ms_fused, rel=1e-12)


def test_sorted_by_saving_and_in_json(shuffle):
    for a in shuffle.values():
        savings = [x.saving_ms for x in a.advice]
        assert savings == sorted(savings, reverse=True) and all(s > 0 for s in savings)
        d = json.loads(json.dumps(a.to_dict()))
        assert d["advice"] == [{"code": x.code, "layer": x.layer, "rule": x.rule, "message": x.message,
                                "saving_ms": x.saving_ms} for x in a.advice]
    a = shuffle["advice-cpu"]
    assert [(x.code, x.layer) for x in a.advice[:4]] == [("advice/memory-bound", 14), ("advice/memory-bound", 0),
                                                        ("advice/memory-bound", 10), ("advice/memory-bound", 17)]


def test_deterministic_and_absent_without_a_device():
    one = json.dumps(yanalyze.analyze(ZOO, device=PROFILE).to_dict(), sort_keys=True)
    two = json.dumps(yanalyze.analyze(ZOO, device=PROFILE).to_dict(), sort_keys=True)
    assert one == two
    plain = yanalyze.analyze(ZOO)
    assert plain.advice == [] and "advice" not in plain.to_dict()


def test_every_code_is_catalogued():
    a = yanalyze.analyze(ZOO, device=ROOFLINE)
    b = yanalyze.analyze(ZOO, device=PROFILE)
    codes = {x.code for x in a.advice + b.advice}
    assert codes == {"advice/unequal-channels", "advice/group-mac", "advice/elementwise",
                     "advice/depthwise-memory-bound", "advice/memory-bound", "advice/rewrite", "advice/fuse-bn"}
    assert all(c in D.CATALOGUE for c in codes)
    assert A.CHANNEL_RATIO == 2 and A.ELEMENTWISE_SHARE == 0.15 and A.MEMORY_SHARE == 0.01


def test_batch_and_dtype_scale_the_bytes():
    # batch 2 in fp16: each image's maps at 2 bytes an element, the weights once
    a = yanalyze.analyze(SHUFFLENET, device=PROFILE, batch=2, dtype="fp16")
    g1 = by_code(a, "advice/unequal-channels")
    assert g1[14].saving_ms == pytest.approx(2 * (128 + 32 - 2 * 64) * 6400 * 2 * 2 / (4.556 * MS), rel=1e-12)
