"""Design advice on a device, coded (analyzer.diagnostics, 'advice/...'), each with its estimated
saving in ms on the profile: the rules of ShuffleNetV2 and FasterNet read against the estimate,
memory-bound layers, and the exact rewrites that apply.

Every rule costs the layers' recorded kernels exactly as analyzer.latency does (same classes,
same rates) and compares them with a cheaper form of the same work; none measures anything.
Savings of different rules may overlap (a block's activations count in fragmentation and in
the element-wise share); Conv+BN folding's batch norms count only in fuse-bn.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Optional, Sequence

from . import diagnostics as D
from .devices import Device
from .latency import Timed, context_bytes, conv_shape, kernel_ms, layer_latency, time_kernel, timed
from .model import DTYPE_BYTES, Advice, Analysis

# ShuffleNetV2's Table 1 times 1:1, 1:2, 1:6 and 1:12 in/out widths; 1:1 is fastest, 1:2 the first step off.
CHANNEL_RATIO = 2.0
# Memory and call overhead over half a grouped conv's time: its groups' MAC sets the speed, not its FLOPs.
GROUP_SHARE = 0.5
# Per-call overhead over this share of a block's time: the number of calls, not the work, sets it.
FRAGMENT_SHARE = 0.3
# Fewer calls than this beyond one per conv are not fragmentation (a Conv's BN and activation are two).
FRAGMENT_EXTRA_CALLS = 3
# Element-wise kernels over this share of the time cost far beyond their FLOPs: worth fusing (G4).
ELEMENTWISE_SHARE = 0.15
# A memory-bound layer under this share of the model's time is not worth a line.
MEMORY_SHARE = 0.01
# A layer's saving under this share of the model's time is well inside the estimate's own error.
MIN_SAVING_SHARE = 0.002

ELEMENTWISE = frozenset({"eltwise", "batchnorm", "copy", "upsample", "upsample_bilinear"})  # and every act_*
CONVS = frozenset({"conv2d", "conv_transpose2d"})


@dataclass(frozen=True)
class Context:
    """What every rule reads: the analysis, the device, each layer's costed kernels, and the
    GFLOP/s the model's dense convolutions attain on the device (the yardstick of G2 and FasterNet)."""

    a: Analysis
    device: Device
    batch: int
    elem: int
    total_ms: float
    timed: list[list[Timed]]
    dense_gflops: float

    def time(self, k: Timed, nbytes: float) -> Timed:
        """The same kernel moving other bytes."""
        return timed(self.device, k.what, k.detail, k.cost, k.op_class, k.flops, nbytes,
                     nbytes - k.cost.weights * self.elem)

    def raw(self, k: Timed) -> tuple[float, float]:
        """A kernel's memory and compute terms both in full (a roofline's time keeps only the larger)."""
        _, c, m = kernel_ms(self.device.rate(k.op_class), k.flops, k.nbytes, 0, False,
                            context_bytes(k.op_class, k.nbytes - k.cost.weights * self.elem), self.device.context_gbs)
        return m, c

    def dense_ms(self, flops: float) -> float:
        """The time of these FLOPs at the rate the model's dense convs attain."""
        return flops / (self.dense_gflops * 1e6) if self.dense_gflops else 0.0

    def worth(self, saving: float) -> bool:
        return saving > 0 and saving >= MIN_SAVING_SHARE * self.total_ms


def context(a: Analysis, device: Device) -> Context:
    """Every layer's kernels costed once; the dense convs' attained rate from them."""
    assert a.latency is not None
    batch, elem = a.input.batch, DTYPE_BYTES[a.input.dtype]
    costed = [[time_kernel(device, what, detail, cost, batch, elem) for what, detail, cost in r.kernels]
               for r in a.layers]
    dense = [k for ks in costed for k in ks if k.op_class in ("conv1x1", "conv_kxk")]
    ms = sum(k.ms for k in dense)
    rate = sum(k.cost.flops for k in dense) * batch / (ms * 1e6) if ms else device.rate("conv_kxk").gflops
    return Context(a=a, device=device, batch=batch, elem=elem, total_ms=a.latency.total_ms, timed=costed,
                   dense_gflops=rate or device.peak_gflops)


def _ms(v: float) -> str:
    return f"{v:.2f}" if v < 10 else f"{v:.1f}"


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "0%"


def _details(ks: Sequence[Timed], short: bool = False) -> str:
    """The distinct kernels in order, '64->128 x2, 128->64'."""
    counts: dict[str, int] = {}
    for k in ks:
        text = k.detail.split(" ", 1)[1] if short else k.detail
        counts[text] = counts.get(text, 0) + 1
    return ", ".join(t if n == 1 else f"{t} x{n}" for t, n in counts.items())


def _advice(msg: D.Message, layer: Optional[int], rule: str, saving_ms: float, **fields: object) -> Advice:
    return Advice(code=msg.code, layer=layer, rule=rule, message=msg.template.format(layer=layer, **fields),
                  saving_ms=saving_ms)


def unequal_channels(ctx: Context) -> list[Advice]:
    """G1: 1x1 convs whose widths differ by CHANNEL_RATIO or more; the saving is their time
    less that of the same FLOPs at equal widths sqrt(c1 c2) (same weights, fewer map bytes).
    A head's convs are left out: the task sets their output width."""
    out = []
    for r, ks in zip(ctx.a.layers, ctx.timed):
        convs = [k for k in ks if not r.is_head and _unequal_1x1(k)]
        saving = sum(k.ms - equal_widths(ctx, k).ms for k in convs)
        if convs and ctx.worth(saving):
            out.append(_advice(D.ADVICE_CHANNELS, r.index, "ShuffleNetV2 G1", saving, module=r.module,
                               detail=_details(convs, short=True), ms=_ms(saving)))
    return out


def _unequal_1x1(k: Timed) -> bool:
    shape = conv_shape(k.detail) if k.what == "conv2d" else None
    if shape is None:
        return False
    kh, kw, _, c1, c2, g, d = shape
    return kh == kw == 1 and g == 1 and d == 1 and max(c1, c2) >= CHANNEL_RATIO * min(c1, c2)


def equal_widths(ctx: Context, k: Timed) -> Timed:
    """A 1x1 conv's kernel with both widths sqrt(c1 c2): the same FLOPs and weights, its input
    and output maps (n_in = act - n_out elements, n_out = MACs / c1) at the new width."""
    shape = conv_shape(k.detail)
    assert shape is not None
    c1, c2 = shape[3], shape[4]
    n_out = k.cost.macs / c1
    n_in = k.cost.act - n_out
    act = (n_in / c1 + n_out / c2) * math.sqrt(c1 * c2)
    return ctx.time(k, (act * ctx.batch + k.cost.weights) * ctx.elem)


def group_mac(ctx: Context) -> list[Advice]:
    """G2: grouped (not depth-wise) convs whose memory and call overhead outweigh GROUP_SHARE of
    their time; the saving is their time above the dense convs' rate for the same FLOPs."""
    out = []
    for r, ks in zip(ctx.a.layers, ctx.timed):
        convs = [k for k in ks if k.what == "conv2d" and k.op_class != "conv_dw" and _groups(k) > 1]
        ms = sum(k.ms for k in convs)
        slow = sum(k.overhead + k.memory for k in convs)
        saving = ms - ctx.dense_ms(sum(k.cost.flops for k in convs) * ctx.batch)
        if convs and slow >= GROUP_SHARE * ms and ctx.worth(saving):
            out.append(_advice(D.ADVICE_GROUPS, r.index, "ShuffleNetV2 G2", saving, module=r.module,
                               detail=_details(convs), share=_share(slow, ms), ms=_ms(saving)))
    return out


def _groups(k: Timed) -> int:
    shape = conv_shape(k.detail)
    return shape[5] if shape else 1


def fragmentation(ctx: Context) -> list[Advice]:
    """G3: blocks whose per-call overhead is FRAGMENT_SHARE of their time or more, with at least
    FRAGMENT_EXTRA_CALLS calls beyond one per conv; the saving is those extra calls' overhead
    (a folded batch norm is fuse-bn's, a block without a conv keeps its costliest call)."""
    assert ctx.a.latency is not None
    out = []
    for r, ks, lat in zip(ctx.a.layers, ctx.timed, ctx.a.latency.layers):
        rest = sorted((k for k in ks if k.what not in CONVS and not _folded_bn(k)), key=lambda k: -k.overhead)
        extra = rest if any(k.what in CONVS for k in ks) else rest[1:]
        saving = sum(k.overhead for k in extra)
        if len(extra) >= FRAGMENT_EXTRA_CALLS and lat.overhead_ms >= FRAGMENT_SHARE * lat.ms and ctx.worth(saving):
            out.append(_advice(D.ADVICE_FRAGMENTS, r.index, "ShuffleNetV2 G3", saving, module=r.module,
                               calls=lat.calls, gflops=f"{sum(k.cost.flops for k in ks) * ctx.batch / 1e9:.3g}",
                               share=_share(lat.overhead_ms, lat.ms), extra=len(extra), ms=_ms(saving)))
    return out


def _folded_bn(k: Timed) -> bool:
    return k.what == "batchnorm" and k.cost.act_fused == 0 and k.cost.act > 0


def elementwise(ctx: Context) -> list[Advice]:
    """G4: element-wise kernels' share of the whole model's time, beside their share of its
    FLOPs, when it reaches ELEMENTWISE_SHARE; the saving is what a runtime that runs conv, batch
    norm and activation as one kernel removes beyond model.fuse(): the activations and unfolded
    batch norms that directly follow a conv."""
    ks = [k for layer in ctx.timed for k in layer]
    ew = [k for k in ks if _elementwise(k.op_class)]
    ms, flops = sum(k.ms for k in ew), sum(k.cost.flops for k in ew)
    total_flops = sum(k.cost.flops for k in ks)
    if not ctx.total_ms or ms < ELEMENTWISE_SHARE * ctx.total_ms:
        return []
    saving = sum(k.ms for layer in ctx.timed for k in _after_conv(layer))
    return [_advice(D.ADVICE_ELEMENTWISE, None, "ShuffleNetV2 G4", saving, share=_share(ms, ctx.total_ms),
                    ms=_ms(ms), flops_share=_share(flops, total_flops), saving=_ms(saving))]


def _elementwise(op_class: str) -> bool:
    return op_class in ELEMENTWISE or op_class.startswith("act_")


def _after_conv(ks: Sequence[Timed]) -> list[Timed]:
    """The activations and unfolded batch norms a conv could absorb: conv [BN] [act] in order."""
    out, prev = [], ""
    for k in ks:
        if k.what == "batchnorm" and prev == "conv2d":
            if not _folded_bn(k):
                out.append(k)
            prev = "conv2d"  # conv+BN is still a conv for the activation after it
            continue
        if k.what == "activation" and prev == "conv2d":
            out.append(k)
        prev = k.what
    return out


def depthwise(ctx: Context) -> list[Advice]:
    """FasterNet: a layer's depth-wise convs whose memory time exceeds their compute time; the
    saving is their time above the dense convs' rate for the same FLOPs."""
    out = []
    for r, ks in zip(ctx.a.layers, ctx.timed):
        convs = [k for k in ks if k.op_class == "conv_dw"]
        ms, flops = sum(k.ms for k in convs), sum(k.cost.flops for k in convs) * ctx.batch
        saving = ms - ctx.dense_ms(flops)
        if convs and sum(k.memory for k in convs) > sum(k.compute for k in convs) and ctx.worth(saving):
            rate = flops / (ms * 1e6)
            out.append(_advice(D.ADVICE_DEPTHWISE, r.index, "FasterNet", saving, module=r.module,
                               detail=_details(convs), rate=f"{rate:.3g}", dense=f"{ctx.dense_gflops:.3g}",
                               pct=_share(rate, ctx.dense_gflops), ms=_ms(saving)))
    return out


def memory_bound(ctx: Context, explained: set[int]) -> list[Advice]:
    """Memory-bound layers (MEMORY_SHARE of the time or more) no conv-specific rule explained;
    the saving is, kernel by kernel, the time moving bytes takes above the arithmetic's (both
    terms in full, also where a roofline keeps only the larger)."""
    assert ctx.a.latency is not None
    out = []
    for r, ks, lat in zip(ctx.a.layers, ctx.timed, ctx.a.latency.layers):
        saving = sum(max(0.0, m - c) for m, c in (ctx.raw(k) for k in ks))
        if lat.bound == "memory" and r.index not in explained and lat.ms >= MEMORY_SHARE * ctx.total_ms \
                and ctx.worth(saving):
            out.append(_advice(D.ADVICE_MEMORY_BOUND, r.index, "roofline", saving, module=r.module,
                               share=_share(lat.memory_ms, lat.ms), total=_ms(lat.ms), mb=f"{r.mem_bytes / 1e6:.3g}",
                               ms=_ms(saving)))
    return out


def rewrites(ctx: Context) -> list[Advice]:
    """Each applicable exact rewrite: the layer's estimate less that of the rewritten form's own
    kernels (as the rewritten model's analysis recorded them), on the same device."""
    assert ctx.a.latency is not None
    out = []
    for rw in ctx.a.rewrites:
        if not (rw.applicable and rw.equivalent and rw.after is not None and rw.after.kernels):
            continue  # a form without recorded kernels (built by hand) cannot be costed
        layer = ctx.a.layers[rw.layer]
        after = layer_latency(replace(layer, kernels=rw.after.kernels), ctx.device, ctx.batch, ctx.elem)
        saving = ctx.a.latency.layers[rw.layer].ms - after.ms
        if saving > 0:
            out.append(_advice(D.ADVICE_REWRITE, rw.layer, "rewrite", saving,
                               title=f"{rw.before.module} -> {rw.after.module}", ms=_ms(saving)))
    return out


def fuse_bn(ctx: Context) -> list[Advice]:
    """Conv+BN folding: the batch norms' own kernels disappear."""
    lt = ctx.a.latency
    assert lt is not None
    saving = lt.total_ms - lt.total_ms_fused
    count = sum(1 for ks in ctx.timed for k in ks if _folded_bn(k))
    if saving <= 0 or not count:
        return []
    return [_advice(D.ADVICE_FUSE, None, "rewrite", saving, count=count, ms=_ms(saving),
                    share=_share(saving, lt.total_ms))]


def advise(a: Analysis, device: Device) -> list[Advice]:
    """Every rule's advice, largest saving first (ties: whole model, then layer order, then code),
    so views can show the top few."""
    ctx = context(a, device)
    specific = group_mac(ctx) + depthwise(ctx)
    explained = {x.layer for x in specific if x.layer is not None}
    found = (unequal_channels(ctx) + specific + fragmentation(ctx) + elementwise(ctx)
             + memory_bound(ctx, explained) + rewrites(ctx) + fuse_bn(ctx))
    return sorted(found, key=lambda x: (-x.saving_ms, -1 if x.layer is None else x.layer, x.code))
