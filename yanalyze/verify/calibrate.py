"""`yanalyze calibrate`: measure this machine's op classes with torch and fit the rates a
measured device profile holds.

Each case runs one kernel as a YOLOv5 forward pass would (an nn.Module call, batch 1, fp32,
eval, inference_mode, torch's default threads) and keeps the median of repeated runs. Per op
class, a non-negative fit of time = calls x overhead + FLOPs / throughput + bytes / bandwidth
minimises the relative error over the class's cases; the FLOPs and bytes are counted exactly as
the analysis counts them (analyzer.latency.classify, analyzer.conventions), so the fit and the
estimate speak of the same quantities.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import datetime
import itertools
import os
import platform
import statistics
import time
from dataclasses import dataclass, replace
from typing import Callable, Iterator, Mapping, Optional, Sequence

import torch
import torch.nn as nn

from ..analyzer import conventions as C
from ..analyzer.devices import MEASURED, Device, OpRate
from ..analyzer.latency import classify, context_bytes
from ..analyzer.primitives import conv_detail
from ..analyzer.load import ParsedModel

ELEM = 4  # fp32 bytes


@dataclass(frozen=True)
class Case:
    """One timed kernel: its op class, a readable shape, the counts it is fitted on, and a builder
    that returns the call to time (built lazily, so the list costs nothing to make)."""

    op_class: str
    label: str
    flops: float  # as the estimate counts them (a conv's padded to the SIMD block)
    nbytes: float
    make: Callable[[], Callable[[], object]]
    work: float = 0.0  # the arithmetic done (2 x MACs), for the peak rate


def _module(m: nn.Module, *shape: int) -> Callable[[], Callable[[], object]]:
    def make() -> Callable[[], object]:
        mod, x = m.eval(), torch.randn(*shape)
        return lambda: mod(x)
    return make


def _conv_case(c1: int, c2: int, k: int, s: int, hw: int, g: int = 1, d: int = 1, block: int = 8) -> Case:
    conv = nn.Conv2d(c1, c2, k, s, d * (k // 2) if k % 2 else (k - s) // 2, groups=g, dilation=d, bias=False)
    span = d * (k - 1) + 1
    pad = int(conv.padding[0])
    ho = (hw + 2 * pad - span) // s + 1
    cost = C.conv(c1 * hw * hw, c2 * ho * ho, c2, c1 // g, k * k, False)
    detail = conv_detail(c1, c2, (k, k), (s, s), g, (d, d))  # as the analysis records a conv
    op_class, flops = classify("conv2d", detail, cost.macs, cost.flops, block)
    return Case(op_class, f"{detail} at {hw}x{hw}", flops, (cost.act + cost.weights) * ELEM,
                _module(conv, 1, c1, hw, hw), work=2 * cost.macs)


def _elementwise(op_class: str, label: str, m: nn.Module, c: int, hw: int, flops: float, elements: int) -> Case:
    return Case(op_class, f"{label} {c}x{hw}x{hw}", flops, elements * ELEM, _module(m, 1, c, hw, hw))


class _Binary(nn.Module):
    def __init__(self, fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]):
        super().__init__()
        self.fn = fn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fn(x, x)


class _Cat(nn.Module):
    """A concat of two different maps, as in a network (one map twice would read it from cache)."""

    def __init__(self) -> None:
        super().__init__()
        self.other: torch.Tensor | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.other is None or self.other.shape != x.shape:
            self.other = torch.randn_like(x)
        return torch.cat((x, self.other), 1)


class _Permute(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.permute(0, 2, 3, 1).contiguous()


def _matmul_case(tokens: int, c1: int, c2: int) -> Case:
    cost = C.matmul(tokens * c2, c1, tokens * c1, 0) + C.op(weights=c1 * c2 + c2)
    op_class, flops = classify("linear", "", cost.macs, cost.flops, 8)

    def make() -> Callable[[], object]:
        lin, x = nn.Linear(c1, c2).eval(), torch.randn(1, tokens, c1)
        return lambda: lin(x)
    return Case(op_class, f"linear {tokens}x{c1} -> {c2}", flops, (cost.act + cost.weights) * ELEM, make,
                work=2 * cost.macs)


def _attention_case(tokens: int, dim: int) -> Case:
    cost = C.matmul(tokens * tokens, dim, tokens * dim, tokens * dim)

    def make() -> Callable[[], object]:
        q, k = torch.randn(1, tokens, dim), torch.randn(1, dim, tokens)
        return lambda: torch.bmm(q, k)
    return Case("matmul", f"bmm {tokens}x{dim} @ {dim}x{tokens}", 2 * cost.macs, cost.act * ELEM, make)


ACTIVATIONS = ("SiLU", "Sigmoid", "ReLU", "LeakyReLU", "Hardswish", "Hardsigmoid", "GELU", "Mish", "Tanh",
               "ReLU6", "ELU")


def cases(block: int = 8) -> list[Case]:
    """Shapes spanning what detection models run: early wide maps with few channels to late
    small maps with many, strided and not, and the element-wise traffic between them."""
    out: list[Case] = []
    for c1, c2, hw in [(16, 16, 160), (32, 32, 160), (64, 32, 160), (32, 64, 160), (64, 64, 160), (16, 8, 320),
                       (32, 64, 80), (64, 64, 80), (128, 64, 80), (64, 128, 80), (256, 64, 80), (128, 255, 80),
                       (128, 128, 40), (256, 128, 40), (128, 256, 40), (256, 256, 40), (512, 128, 40),
                       (256, 256, 20), (512, 256, 20), (256, 512, 20), (512, 512, 20), (1024, 512, 20),
                       (512, 1024, 10), (1024, 1024, 10), (960, 160, 10), (96, 576, 20)]:
        out.append(_conv_case(c1, c2, 1, 1, hw, block=block))
    for c1, c2, k, s, hw in [(3, 32, 6, 2, 640), (3, 16, 3, 2, 640), (12, 32, 3, 1, 320), (16, 32, 3, 2, 320),
                             (32, 64, 3, 2, 320), (16, 16, 3, 1, 160), (32, 32, 3, 1, 160), (64, 128, 3, 2, 160),
                             (64, 64, 3, 1, 80), (128, 128, 3, 2, 80), (128, 256, 3, 2, 80), (128, 128, 3, 1, 40),
                             (256, 256, 3, 2, 40), (256, 512, 3, 2, 40), (256, 256, 3, 1, 20),
                             (512, 512, 3, 1, 20), (512, 1024, 3, 2, 20), (512, 512, 3, 1, 10), (64, 64, 5, 1, 40),
                             (32, 32, 7, 1, 80)]:
        out.append(_conv_case(c1, c2, k, s, hw, block=block))
    for c, k, s, hw in [(16, 3, 1, 160), (32, 3, 2, 160), (64, 3, 1, 80), (128, 3, 2, 80), (128, 5, 1, 40),
                        (256, 3, 1, 40), (512, 3, 1, 20), (576, 5, 2, 20), (960, 5, 1, 10), (64, 7, 1, 80)]:
        out.append(_conv_case(c, c, k, s, hw, g=c, block=block))
    for c1, c2, g, hw in [(64, 64, 2, 80), (128, 128, 4, 40), (256, 256, 8, 20), (128, 256, 32, 40),
                          (64, 128, 16, 80), (512, 512, 32, 20)]:
        out.append(_conv_case(c1, c2, 3, 1, hw, g=g, block=block))
    for c, d, hw in [(64, 2, 80), (128, 3, 40), (256, 2, 20), (256, 5, 40)]:
        out.append(_conv_case(c, c, 3, 1, hw, d=d, block=block))
    for c1, c2, hw in [(64, 64, 80), (128, 64, 40), (256, 128, 20), (32, 32, 160)]:
        conv = nn.ConvTranspose2d(c1, c2, 2, 2, bias=True)
        cost = C.conv_transposed(c1 * hw * hw, c2 * 4 * hw * hw, c1, c2, c2, 4, True)
        out.append(Case("conv_transpose", f"transposed 2x2/2 {c1}->{c2} at {hw}x{hw}", 2 * cost.macs,
                        (cost.act + cost.weights) * ELEM, _module(conv, 1, c1, hw, hw)))
    maps = [(32, 320), (64, 160), (128, 80), (256, 40), (512, 20), (1024, 10), (16, 640)]
    for c, hw in maps:
        n = c * hw * hw
        bn = C.batchnorm(n, c)
        out.append(_elementwise("batchnorm", "BatchNorm2d", nn.BatchNorm2d(c), c, hw, bn.flops,
                                bn.act + bn.weights))
    for name, (c, hw) in itertools.product(ACTIVATIONS, maps[:5]):
        n = c * hw * hw
        out.append(_elementwise(f"act_{name}", name, getattr(nn, name)(), c, hw, C.ACT_FLOPS[name] * n, 2 * n))
    for c, hw in maps:
        n = c * hw * hw
        out.append(_elementwise("eltwise", "add", _Binary(torch.add), c, hw, n, 3 * n))
        out.append(_elementwise("eltwise", "mul", _Binary(torch.mul), c, hw, n, 3 * n))
        out.append(_elementwise("copy", "cat of two", _Cat(), c, hw, 0, 4 * n))
        out.append(_elementwise("permute", "permute + contiguous", _Permute(), c, hw, 0, 2 * n))
    for c, hw in maps[:6]:
        n = c * hw * hw
        out.append(_elementwise("upsample", "nearest x2", nn.Upsample(scale_factor=2), c, hw, 0, 5 * n))
        out.append(_elementwise("maxpool", "max-pool 5x5/1", nn.MaxPool2d(5, 1, 2), c, hw, 24 * n, 2 * n))
        out.append(_elementwise("reduce", "global average pool", nn.AdaptiveAvgPool2d(1), c, hw, n, n + c))
    for c, hw in maps[1:5]:
        n = c * hw * hw
        out.append(_elementwise("maxpool", "max-pool 9x9/1", nn.MaxPool2d(9, 1, 4), c, hw, 80 * n, 2 * n))
        out.append(_elementwise("maxpool", "max-pool 3x3/2", nn.MaxPool2d(3, 2, 1), c, hw, 8 * n // 4, n + n // 4))
        out.append(_elementwise("upsample_bilinear", "bilinear x2", nn.Upsample(scale_factor=2, mode="bilinear"),
                                c, hw, C.BILINEAR_FLOPS * 4 * n, 5 * n))
    for tokens, c in [(400, 256), (1600, 128), (6400, 64), (100, 512)]:
        n = tokens * c
        norm = C.normalization(n, tokens, c)

        def make_ln(tokens: int = tokens, c: int = c) -> Callable[[], object]:
            ln, x = nn.LayerNorm(c).eval(), torch.randn(1, tokens, c)
            return lambda: ln(x)
        out.append(Case("norm", f"LayerNorm {tokens}x{c}", norm.flops, (norm.act + norm.weights) * ELEM, make_ln))
        sm = C.softmax(n)

        def make_sm(tokens: int = tokens, c: int = c) -> Callable[[], object]:
            x = torch.randn(1, tokens, c)
            return lambda: torch.softmax(x, -1)
        out.append(Case("softmax", f"softmax {tokens}x{c}", sm.flops, sm.act * ELEM, make_sm))
    for tokens, c1, c2 in [(400, 256, 256), (400, 512, 512), (1600, 128, 128), (1600, 128, 512),
                           (6400, 64, 64), (100, 1024, 1024), (400, 256, 768)]:
        out.append(_matmul_case(tokens, c1, c2))
    for tokens, dim in [(400, 64), (1600, 32), (400, 256)]:
        out.append(_attention_case(tokens, dim))
    return out


def median_seconds(fn: Callable[[], object], budget: float = 0.06, least: int = 5, most: int = 200) -> float:
    """Median wall time of fn() after two warm-up calls, over at least `least` runs and about
    `budget` seconds."""
    fn()
    fn()
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < most and (len(times) < least or time.perf_counter() - start < budget):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bandwidth_gbs() -> float:
    """Sustained copy bandwidth: a 64 MiB tensor copied into another, bytes read plus written."""
    src, dst = torch.randn(16 * 1024 * 1024), torch.empty(16 * 1024 * 1024)
    seconds = median_seconds(lambda: dst.copy_(src), budget=0.5)
    return 2 * src.numel() * ELEM / seconds / 1e9


def _solve(rows: Sequence[Sequence[float]], rhs: Sequence[float]) -> list[float]:
    """Least squares in float64 (LAPACK's SVD-based solver, which copes with a rank-deficient subset)."""
    a = torch.tensor(rows, dtype=torch.float64)
    b = torch.tensor(rhs, dtype=torch.float64).unsqueeze(1)
    return torch.linalg.lstsq(a, b, driver="gelsd").solution.squeeze(1).tolist()


def fit(features: Sequence[Sequence[float]], seconds: Sequence[float]) -> list[float]:
    """Non-negative coefficients minimising the summed squared relative error: every subset of the
    terms is solved and the best one whose coefficients are all >= 0 kept (exact for 3 terms)."""
    p = len(features[0])
    scaled = [[x / t for x in row] for row, t in zip(features, seconds)]  # relative error: divide by t
    ones = [1.0] * len(seconds)
    best: tuple[float, list[float]] = (float("inf"), [0.0] * p)
    for k in range(1, p + 1):
        for subset in itertools.combinations(range(p), k):
            coef = _solve([[row[i] for i in subset] for row in scaled], ones)
            if min(coef) < 0:
                continue
            full = [0.0] * p
            for i, c in zip(subset, coef):
                full[i] = c
            err = sum((sum(f * c for f, c in zip(row, full)) - 1) ** 2 for row in scaled)
            if err < best[0]:
                best = (err, full)
    return best[1]


def tiny_cases(block: int = 8) -> list[Case]:
    """One near-empty call per class (8 channels at 4x4): its time is the class's fixed overhead
    per call (dispatch, allocation, threading), measured rather than fitted."""
    out = [_conv_case(8, 8, 1, 1, 4, block=block), _conv_case(8, 8, 3, 1, 4, block=block),
           _conv_case(8, 8, 3, 1, 4, g=8, block=block), _conv_case(8, 16, 3, 1, 4, g=2, block=block),
           _conv_case(8, 8, 3, 1, 8, d=2, block=block)]
    conv = nn.ConvTranspose2d(8, 8, 2, 2, bias=True)
    out.append(Case("conv_transpose", "transposed 2x2/2 8->8 at 4x4", 0, 0, _module(conv, 1, 8, 4, 4)))
    small: list[tuple[str, nn.Module]] = [("batchnorm", nn.BatchNorm2d(8)), ("eltwise", _Binary(torch.add)),
                                          ("copy", _Cat()), ("permute", _Permute()),
                                          ("upsample", nn.Upsample(scale_factor=2)),
                                          ("upsample_bilinear", nn.Upsample(scale_factor=2, mode="bilinear")),
                                          ("maxpool", nn.MaxPool2d(5, 1, 2)), ("reduce", nn.AdaptiveAvgPool2d(1))]
    small += [(f"act_{name}", getattr(nn, name)()) for name in ACTIVATIONS]
    out += [Case(op_class, f"{op_class} 8x4x4", 0, 0, _module(m, 1, 8, 4, 4)) for op_class, m in small]

    def make_ln() -> Callable[[], object]:
        ln, x = nn.LayerNorm(8).eval(), torch.randn(1, 16, 8)
        return lambda: ln(x)

    def make_sm() -> Callable[[], object]:
        x = torch.randn(1, 16, 8)
        return lambda: torch.softmax(x, -1)
    out += [Case("norm", "LayerNorm 16x8", 0, 0, make_ln), Case("softmax", "softmax 16x8", 0, 0, make_sm),
            _matmul_case(16, 8, 8)]
    return out


def rates(measured: Sequence[tuple[Case, float]], overheads: Mapping[str, float]) -> dict[str, OpRate]:
    """Per class: the measured overhead (us per call), and throughput (GFLOP/s) and bandwidth
    (GB/s) fitted to what the class's cases take beyond it."""
    out: dict[str, OpRate] = {}
    for op_class in sorted({c.op_class for c, _ in measured}):
        rows = [(c, t) for c, t in measured if c.op_class == op_class]
        base = overheads.get(op_class, 0.0)
        with_flops = any(c.flops for c, _ in rows)
        feats = [[c.flops, c.nbytes] if with_flops else [c.nbytes] for c, _ in rows]
        work = [max(t - base, 0.1 * t) for _, t in rows]  # what the call does beyond its fixed cost
        coef = fit(feats, work)
        b, m = coef if with_flops else (0.0, coef[0])
        predicted = [base + sum(f * k for f, k in zip(row, coef)) for row in feats]
        errors = sorted(abs(p / t - 1) for p, (_, t) in zip(predicted, rows))
        out[op_class] = OpRate(overhead_us=round(base * 1e6, 3), gflops=round(1 / b / 1e9, 3) if b else 0.0,
                               gbs=round(1 / m / 1e9, 3) if m else 0.0, points=len(rows),
                               fit_error=round(statistics.median(errors), 4))
    return out


def _reference(widths: Sequence[int], depth: int, ghost: bool) -> dict:
    """A small detection network of our own (not any published config): a strided stem, four
    stages of CSP blocks, a pooling pyramid, a two-step top-down neck and a three-level head
    at 20 classes; `ghost` swaps the stage convs for ghost convs (cheap depth-wise halves)."""
    c1, c2, c3, c4 = widths
    down = "GhostConv" if ghost else "Conv"
    block = "C3Ghost" if ghost else "C3"
    backbone = [[-1, 1, "Conv", [c1, 3, 2, 1]], [-1, 1, down, [c1 * 2, 3, 2]], [-1, depth, block, [c1 * 2]],
                [-1, 1, down, [c2, 3, 2]], [-1, depth, block, [c2]], [-1, 1, down, [c3, 3, 2]],
                [-1, depth, block, [c3]], [-1, 1, down, [c4, 3, 2]], [-1, depth, block, [c4]],
                [-1, 1, "SPPF", [c4, 5]]]
    head = [[-1, 1, "Conv", [c3, 1, 1]], [-1, 1, "nn.Upsample", [None, 2, "nearest"]], [[-1, 6], 1, "Concat", [1]],
            [-1, depth, block, [c3, False]], [-1, 1, "Conv", [c2, 1, 1]], [-1, 1, "nn.Upsample", [None, 2, "nearest"]],
            [[-1, 4], 1, "Concat", [1]], [-1, depth, block, [c2, False]], [-1, 1, down, [c2, 3, 2]],
            [[-1, 14], 1, "Concat", [1]], [-1, depth, block, [c3, False]],
            [[17, 20, 10], 1, "Detect", ["nc", "anchors"]]]
    return {"nc": 20, "depth_multiple": 1.0, "width_multiple": 1.0,
            "anchors": [[12, 14, 20, 30, 40, 26], [36, 70, 70, 52, 66, 130], [130, 100, 180, 220, 400, 330]],
            "backbone": backbone, "head": head}


# widths in multiples of 16, as designed networks have them (an odd width runs padded, which the
# conv fit already charges; the in-network term must not absorb it a second time)
REFERENCES = ((("narrow", (16, 64, 128, 256), 1, False), 320), (("narrow", (16, 64, 128, 256), 1, False), 640),
              (("wide", (32, 128, 256, 512), 2, False), 416), (("ghost", (32, 96, 192, 384), 1, True), 512))


def reference_runs() -> list[tuple[str, Callable[[], object]]]:
    """The reference networks as steps: one that builds, analyses and runs them all once (the
    process then allocates as a process that has run a few models does), then one timing each
    whole, as bench/latency.py times a model (median of 10 runs)."""
    from ..analyzer.analyze import analyze
    from ..analyzer.load import load_model
    from .timing import measure

    built: list[tuple[object, object, int]] = []

    def warm() -> None:
        for spec, size in REFERENCES:
            model = load_model(_reference(spec[1], spec[2], spec[3]))
            measure(model, (size, size), runs=1, warmup=1, layers=False)
            built.append((model, analyze(model, size, rewrites=False), size))

    def step(k: int) -> Callable[[], tuple[object, float]]:
        def run() -> tuple[object, float]:
            model, a, size = built[k]
            assert isinstance(model, ParsedModel)
            return a, measure(model, (size, size), runs=10, layers=False).total_ms
        return run
    return [("whole networks: building the references", warm)] + \
        [(f"whole network: reference '{spec[0]}' at {size}", step(k)) for k, (spec, size) in enumerate(REFERENCES)]


def steady_allocator() -> bool:
    """Keep freed memory in the C heap (glibc), so a timed kernel pays no page faults for its
    output: the kernels' own rates are fitted clean and the whole-network traffic is measured
    apart (the reference runs, before this is switched on)."""
    name = ctypes.util.find_library("c")
    if not name or platform.system() != "Linux":
        return False
    try:
        libc = ctypes.CDLL(name)
        m_trim_threshold, m_mmap_threshold = -1, -3
        return bool(libc.mallopt(m_mmap_threshold, 32 * 1024 * 1024)) and \
            bool(libc.mallopt(m_trim_threshold, 2 ** 31 - 1))
    except (OSError, AttributeError):
        return False


def context_gbs(device: Device, references: Sequence[tuple[object, float]]) -> float:
    """Bytes per second of the in-network term: what whole networks take beyond the sum of their
    kernels' clean estimates, per activation byte of the kernels it applies to (latency.context_bytes) (a least-squares fit in relative error; 0 when
    the networks run no slower than their kernels)."""
    from ..analyzer.latency import estimate
    from ..analyzer.model import Analysis

    num = den = 0.0
    for a, measured_ms in references:
        assert isinstance(a, Analysis)
        clean = estimate(a, device).total_ms
        act_bytes = sum(context_bytes(classify(what, detail, c.macs, c.flops, device.channel_block)[0], c.act * ELEM)
                        for r in a.layers for what, detail, c in r.kernels)
        x, y = act_bytes / measured_ms, (measured_ms - clean) / measured_ms
        num += x * y
        den += x * x
    if num <= 0 or den <= 0:
        return 0.0
    per_byte_ms = num / den
    return round(1 / per_byte_ms / 1e6, 3)


def machine() -> dict[str, object]:
    """What the profile was measured on."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": model, "logical_cpus": os.cpu_count() or 0, "platform": platform.platform(),
            "python": platform.python_version(), "torch": torch.__version__, "threads": torch.get_num_threads(),
            "simd": torch.backends.cpu.get_cpu_capability(),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def simd_block() -> int:
    """fp32 lanes of the widest vector unit torch uses: a conv's channels pad to this."""
    cap = torch.backends.cpu.get_cpu_capability().upper()
    return 16 if "512" in cap else 8 if "AVX" in cap else 4


def _timer(case: Case, budget: float) -> Callable[[], float]:
    return lambda: median_seconds(case.make(), budget)


PASSES = 2  # every kernel and network is timed twice, far apart, and the two figures averaged


def interleaved(todo: Sequence[Case]) -> list[int]:
    """Case indices taking one of each class in turn, so that a slow spell of a shared machine
    falls on a few cases of many classes rather than on one class whole."""
    by_class: dict[str, list[int]] = {}
    for k, case in enumerate(todo):
        by_class.setdefault(case.op_class, []).append(k)
    queues = list(by_class.values())
    return [q[depth] for depth in range(max(map(len, queues))) for q in queues if depth < len(q)]


def plan_length(block: int) -> int:
    """How many steps calibrate() runs (for a progress bar)."""
    return 1 + PASSES * len(REFERENCES) + 1 + PASSES * (len(tiny_cases(block)) + len(cases(block)))


def calibrate(name: Optional[str], run: Callable[[Sequence[tuple[str, Callable[[], object]]]], Iterator[object]],
              budget: float = 0.06) -> tuple[Device, list[dict]]:
    """Time every case (through `run`, which shows progress), fit the classes, measure bandwidth.
    Returns the profile and the raw measurements it keeps.

    Order: the reference networks (PASSES rounds) under torch's default allocation, the copy
    bandwidth, then the steady allocator and the kernel cases, interleaved across classes, in
    PASSES rounds."""
    block = simd_block()
    todo = tiny_cases(block) + cases(block)
    n_tiny = len(tiny_cases(block))
    refs = reference_runs()
    labelled: list[tuple[str, Callable[[], object]]] = [refs[0]] + refs[1:] * PASSES
    n_ref = len(labelled)
    labelled.append(("memory bandwidth: 64 MiB copy", bandwidth_gbs))
    order = interleaved(todo) * PASSES
    for k in order:
        labelled.append((f"{todo[k].op_class}: {todo[k].label}", _timer(todo[k], budget)))
    results: list = []
    steady = False
    with torch.inference_mode():
        for k, value in enumerate(run(labelled)):
            results.append(value)
            if k == n_ref:  # the whole networks ran as torch allocates by default; the kernels run clean
                steady = steady_allocator()
    runs: list[list[float]] = [[] for _ in todo]
    for k, t in zip(order, results[n_ref + 1:]):
        runs[k].append(t)
    seconds = [statistics.fmean(r) for r in runs]
    per_ref: list[list[tuple[object, float]]] = [[] for _ in REFERENCES]
    for j, value in enumerate(results[1:n_ref]):
        per_ref[j % len(REFERENCES)].append(value)
    references = [(got[0][0], statistics.fmean(ms for _, ms in got)) for got in per_ref]
    bw = results[n_ref]
    overheads = {c.op_class: t for c, t in zip(todo[:n_tiny], seconds[:n_tiny])}
    measured = list(zip(todo[n_tiny:], seconds[n_tiny:]))
    fitted = rates(measured, overheads)
    peak = max(c.work / t for c, t in measured) / 1e9
    info = {**machine(), "allocator": "steady (glibc mallopt) for the kernels" if steady else "default"}
    name = name or short_name(str(info["cpu"]))
    device = Device(name=name, peak_gflops=round(peak, 2), bandwidth_gbs=round(bw, 2), kind=MEASURED,
                    source=f"measured with torch {info['torch']} on {info['cpu']}, {info['threads']} threads, "
                           f"{info['date']}", classes=fitted, channel_block=block, meta=info)
    device = replace(device, context_gbs=context_gbs(device, references))
    rows = [{"class": c.op_class, "case": c.label, "flops": c.flops, "bytes": c.nbytes,
             "ms": round(t * 1e3, 5), "runs_ms": [round(x * 1e3, 5) for x in r]}
            for c, t, r in zip(todo, seconds, runs)]
    rows += [{"class": "network", "case": label, "ms": round(ms, 3)}
             for (label, _), (_, ms) in zip(refs[1:], references)]
    return device, rows


def short_name(cpu: str) -> str:
    """A profile's default name: the host's CPU model, shortened."""
    return "-".join(cpu.lower().replace("(r)", "").replace("(tm)", "").split())[:60] or "this-machine"
