"""The latency estimate, device profiles and calibration: the convolutions' time recomputed from
the torch model's own Conv2d modules (tests/yolo_torch.py) with the profile's rates, the
roofline's max rule, the fused total, the profile format, bad profiles, and the fit."""
from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
import torch

import yanalyze
import yolo_torch
from conftest import CONFIGS, EXAMPLES, ROOT
from yanalyze.analyzer import devices, latency
from yanalyze.verify import calibrate

PROFILE = ROOT / "tests" / "devices" / "test-cpu.json"
S = EXAMPLES / "yolov5s.yaml"


@pytest.fixture(scope="module")
def device() -> devices.Device:
    return devices.load(str(PROFILE))


@pytest.fixture(scope="module")
def s640(device):
    return yanalyze.analyze(S, 640, device=device)


def torch_convs(cfg, size: int) -> list[tuple[torch.nn.Conv2d, tuple, tuple]]:
    """Every Conv2d of the torch model with its input and output shapes in one eval forward."""
    m = yolo_torch.build(cfg).eval()
    seen: list = []
    hooks = [c.register_forward_hook(lambda mod, i, o: seen.append((mod, tuple(i[0].shape), tuple(o.shape))))
             for c in m.modules() if isinstance(c, torch.nn.Conv2d)]
    with torch.inference_mode():
        m(torch.zeros(1, 3, size, size))
    for h in hooks:
        h.remove()
    return seen


def conv_ms(device: devices.Device, conv: torch.nn.Conv2d, i: tuple, o: tuple) -> float:
    """One conv's time from first principles: padded FLOPs at the class's rate, bytes at its
    bandwidth, the fixed overhead per call."""
    g, (kh, kw) = conv.groups, conv.kernel_size
    cin, cout = conv.in_channels // g, conv.out_channels // g
    out_elems, in_elems = math.prod(o), math.prod(i)
    macs = out_elems * cin * kh * kw
    block = device.channel_block
    pad = (-(-cout // block) * block / cout) * ((-(-cin // block) * block / cin) if cin >= block else 1.0)
    klass = "conv_dw" if g > 1 and g == conv.in_channels == conv.out_channels else \
        "conv_group" if g > 1 else "conv1x1" if kh == kw == 1 else "conv_kxk"
    flops = 2 * macs * (1 if klass == "conv_dw" else pad)
    act = (in_elems + out_elems) * 4
    weights = conv.weight.numel() + (conv.bias.numel() if conv.bias is not None else 0)
    rate = device.rate(klass)
    assert rate.gflops and rate.gbs  # the fixture has both terms; the in-network term skips convs
    return rate.overhead_us / 1e3 + flops / (rate.gflops * 1e6) + (act + weights * 4) / (rate.gbs * 1e6)


@pytest.mark.parametrize("cfg,size", [(S, 640), (S, 320), (EXAMPLES / "yolov5n.yaml", 640),
                                      (CONFIGS / "yolov5s-ghost.yaml", 640)])
def test_convolutions_time_equals_torch_modules_at_the_profile_rates(device, cfg, size):
    a = yanalyze.analyze(cfg, size, device=device)
    assert a.latency is not None
    ours = sum(v for lat in a.latency.layers for k, v in lat.by_class.items() if k.startswith("conv"))
    theirs = sum(conv_ms(device, *c) for c in torch_convs(cfg, size))
    assert ours == pytest.approx(theirs, rel=1e-9)


def test_layers_sum_to_the_total_and_each_bound_is_the_largest_term(s640):
    lt = s640.latency
    assert lt.total_ms == pytest.approx(sum(lat.ms for lat in lt.layers), rel=1e-12)
    assert sum(lt.by_bound.values()) == pytest.approx(lt.total_ms, rel=1e-12)
    assert sum(lt.by_class.values()) == pytest.approx(lt.total_ms, rel=1e-12)
    for lat in lt.layers:
        terms = {"overhead": lat.overhead_ms, "compute": lat.compute_ms, "memory": lat.memory_ms}
        assert lat.ms == pytest.approx(sum(terms.values()), rel=1e-12)
        assert lat.bound == max(terms, key=terms.get)
        assert sum(lat.by_class.values()) == pytest.approx(lat.ms, rel=1e-12)
    assert [lat.calls for lat in lt.layers][:2] == [3, 3]  # Conv: conv2d, batch norm, SiLU


def test_detect_decoding_counts_in_eval_mode(s640):
    head = s640.latency.layers[-1].by_class
    # the 1x1 convs, the permute to anchors x cells, the sigmoid, the box arithmetic, the concats
    assert {"conv1x1", "permute", "act_Sigmoid", "eltwise", "copy"} <= set(head)
    assert head["act_Sigmoid"] > 0 and head["permute"] > 0


def test_fused_total_drops_exactly_the_folded_batch_norms(device, s640):
    bn = 0.0
    for r, lat in zip(s640.layers, s640.latency.layers):
        for what, detail, cost in r.kernels:
            if what == "batchnorm" and cost.act_fused == 0:
                nbytes = (cost.act + cost.weights) * 4
                o, c, m = latency.kernel_ms(device.rate("batchnorm"), cost.flops, nbytes, 1, False, cost.act * 4,
                                            device.context_gbs)
                bn += o + c + m
    assert s640.latency.total_ms - s640.latency.total_ms_fused == pytest.approx(bn, rel=1e-9)
    assert bn > 0


def test_roofline_is_the_larger_of_compute_and_memory_per_kernel():
    dev = devices.DATASHEETS["raspberry-pi-4"]
    a = yanalyze.analyze(S, 320, device="raspberry-pi-4")
    expected = 0.0
    for r in a.layers:
        for what, detail, cost in r.kernels:
            _, flops = latency.classify(what, detail, cost.macs, cost.flops, 1)
            expected += max(flops / (dev.peak_gflops * 1e6), (cost.act + cost.weights) * 4 / (dev.bandwidth_gbs * 1e6))
    assert a.latency.total_ms == pytest.approx(expected, rel=1e-9)
    assert a.latency.kind == "roofline" and a.latency.by_bound["overhead"] == 0
    assert "not a measurement" in a.latency.device["source"]


@pytest.mark.parametrize("detail,expected", [
    ("3x3/2 64->128", ("conv_kxk", 1.0)), ("1x1 64->128", ("conv1x1", 1.0)), ("6x6/2 3->32", ("conv_kxk", 1.0)),
    ("1x1 128->18", ("conv1x1", 24 / 18)),
    ("3x3 64->64 dw", ("conv_dw", 1.0)), ("3x3 64->128 g4", ("conv_group", 1.0)),
    ("3x3 24->24 g2", ("conv_group", (16 / 12) ** 2)), ("3x3/2 20->48", ("conv_kxk", 24 / 20)), ("3x3 64->64 d2", ("conv_dilated", 1.0))])
def test_conv_classes_and_channel_padding(detail, expected):
    klass, flops = latency.classify("conv2d", detail, 1000, 2000, 8)
    assert (klass, flops / 2000) == pytest.approx(expected)


def test_json_carries_each_layers_bound_and_the_advice(s640):
    d = s640.to_dict()
    assert d["totals"]["latency_ms"] == s640.latency.total_ms
    assert [x["latency"]["bound"] for x in d["layers"]] == [lat.bound for lat in s640.latency.layers]
    assert {x["latency"]["bound"] for x in d["layers"]} <= {"compute", "memory", "overhead"}
    assert d["device"]["name"] == "test-cpu" and d["latency"]["kind"] == "measured"
    assert [x["code"] for x in d["advice"]] == [x.code for x in s640.advice]
    assert any(x["code"] == "advice/fuse-bn" for x in d["advice"])
    assert "latency" not in yanalyze.analyze(S, 640).to_dict()  # nothing without a device


def test_profile_round_trips_and_bad_profiles_fail_in_one_line(tmp_path, device):
    again = devices.from_dict(json.loads(json.dumps(devices.to_dict(device))))
    assert again == device
    cases = {"schema.json": {"schema": "other"}, "kind.json": {**devices.to_dict(device), "kind": "guess"},
             "neg.json": {**devices.to_dict(device), "peak_gflops": -1},
             "nan.json": {**devices.to_dict(device), "bandwidth_gbs": "fast"},
             "tiny.json": {**devices.to_dict(device), "classes": {"conv_kxk": {"gflops": 1e-300}}},
             "huge.json": {**devices.to_dict(device), "peak_gflops": 1e300},
             "slow.json": {**devices.to_dict(device), "classes": {"conv1x1": {"overhead_us": 1e300}}}}
    for name, data in cases.items():
        (tmp_path / name).write_text(json.dumps(data))
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "deep.json").write_text("[" * 200_000 + "]" * 200_000)
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe\x00garbage")
    (tmp_path / "dir.json").mkdir()
    for name in [*cases, "broken.json", "missing.json", "deep.json", "binary.json", "dir.json"]:
        run = subprocess.run([sys.executable, "-m", "yanalyze", str(S), "--device", str(tmp_path / name)],
                             capture_output=True, text=True)
        assert run.returncode == 2, name
        assert run.stdout == "" and len(run.stderr.strip().splitlines()) == 1, (name, run.stderr)
        assert "device/profile" in run.stderr and "Traceback" not in run.stderr


def test_analysis_with_a_device_never_imports_torch():
    code = ("import sys, yanalyze; a = yanalyze.analyze('examples/yolov5s.yaml', device='tests/devices/test-cpu.json');"
            "assert a.latency.total_ms > 0; print('torch' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert run.stdout.strip() == "False", run.stderr


def test_fit_recovers_known_rates_exactly():
    overhead, gflops, gbs = 4e-6, 150.0, 20.0
    shapes = [(1e6 * k, 3e5 * (7 - k)) for k in range(1, 7)]
    seconds = [f / (gflops * 1e9) + b / (gbs * 1e9) for f, b in shapes]
    coef = calibrate.fit([[f, b] for f, b in shapes], seconds)
    assert 1 / coef[0] / 1e9 == pytest.approx(gflops, rel=1e-9) and 1 / coef[1] / 1e9 == pytest.approx(gbs, rel=1e-9)
    cases = [calibrate.Case("conv1x1", "", f, b, lambda: (lambda: None)) for f, b in shapes]
    fitted = calibrate.rates([(c, t + overhead) for c, t in zip(cases, seconds)], {"conv1x1": overhead})
    r = fitted["conv1x1"]
    assert (r.overhead_us, r.gflops, r.gbs, r.points, r.fit_error) == (pytest.approx(4.0), pytest.approx(150.0),
                                                                      pytest.approx(20.0), 6, 0.0)


def test_fit_keeps_coefficients_non_negative():
    # time falls with bytes here: a free fit would give bandwidth a negative coefficient
    coef = calibrate.fit([[1.0, 1.0], [1.0, 2.0], [1.0, 3.0]], [3.0, 2.0, 1.0])  # free: 4 - bytes
    assert coef[1] == 0 and coef[0] > 0
    # the best fit of a constant in relative error: sum(a/t - 1)/t = 0 -> a = sum(1/t) / sum(1/t^2)
    assert coef[0] == pytest.approx((1 / 3 + 1 / 2 + 1) / (1 / 9 + 1 / 4 + 1))


def test_calibrate_refuses_an_unwritable_output_before_measuring(tmp_path):
    for bad in (tmp_path / "missing" / "p.json", tmp_path):
        run = subprocess.run([sys.executable, "-m", "yanalyze", "calibrate", "-o", str(bad)],
                             capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert run.returncode == 2 and run.stderr.count("\n") == 1, run.stderr
        assert "error[output]" in run.stderr and "calibrate: [" not in run.stderr  # nothing was measured
    assert list(tmp_path.iterdir()) == []


def test_calibrate_writes_a_profile_that_device_reads(tmp_path):
    out = tmp_path / "me.json"
    run = subprocess.run([sys.executable, "-m", "yanalyze", "calibrate", "--quick", "-o", str(out), "--name", "ci"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    steps = [line for line in run.stderr.splitlines() if line.startswith("yanalyze calibrate: [")]
    total = calibrate.plan_length(calibrate.simd_block())
    assert steps[0].startswith(f"yanalyze calibrate: [1/{total}] ") and f"[{total}/{total}]" in steps[-1]
    assert len(steps) <= 27  # a log gets about 25 progress lines, not one per step
    assert run.stderr.splitlines()[-1].startswith(f"yanalyze calibrate: wrote {out}: ci, peak ")
    data = json.loads(out.read_text())
    dev = devices.load(str(out))
    assert dev.name == "ci" and dev.kind == "measured" and dev.channel_block in (4, 8, 16)
    assert data["machine"]["threads"] == torch.get_num_threads()
    assert data["machine"]["torch"] == torch.__version__ and data["machine"]["date"]
    want = {"conv1x1", "conv_kxk", "conv_dw", "conv_group", "conv_dilated", "conv_transpose", "batchnorm",
            "act_SiLU", "act_ReLU", "eltwise", "copy", "permute", "maxpool", "reduce", "upsample", "norm", "softmax",
            "matmul"}
    assert want <= set(dev.classes)
    assert all(r.overhead_us > 0 and (r.gflops > 0 or r.gbs > 0) for r in dev.classes.values())
    networks = [m for m in data["measurements"] if m["class"] == "network"]
    assert len(networks) == len(calibrate.REFERENCES) and all(m["ms"] > 0 for m in networks)
    assert dev.peak_gflops > 1 and dev.bandwidth_gbs > 0.1
    report = subprocess.run([sys.executable, "-m", "yanalyze", str(S), "--device", str(out), "--json", "-", "-q"],
                            capture_output=True, text=True, cwd=ROOT)
    assert report.returncode == 0 and json.loads(report.stdout)["device"]["name"] == "ci"
