"""Design advice on a device, coded (analyzer.diagnostics, 'advice/...'), each with its estimated
saving in ms on the profile: the rules of ShuffleNetV2 and FasterNet read against the estimate,
memory-bound layers, and the exact rewrites that apply.

Every rule reads the one Latency estimate; none measures anything of its own.
"""
from __future__ import annotations

from . import diagnostics as D
from .devices import Device
from .model import Advice, Analysis


def _ms(v: float) -> str:
    return f"{v:.2f}" if v < 10 else f"{v:.1f}"


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "0%"


def fuse_bn(a: Analysis) -> list[Advice]:
    """Conv+BN folding: the batch norms' own kernels disappear."""
    lt = a.latency
    assert lt is not None
    saving = lt.total_ms - lt.total_ms_fused
    count = sum(1 for r in a.layers for what, _, c in r.kernels
                if what == "batchnorm" and c.act_fused == 0 and c.act > 0)
    if saving <= 0 or not count:
        return []
    return [Advice(code=D.ADVICE_FUSE.code, layer=None, rule="rewrite",
                   message=D.ADVICE_FUSE(count=count, ms=_ms(saving), share=_share(saving, lt.total_ms)).message,
                   saving_ms=saving)]


def rewrites(a: Analysis, device: Device) -> list[Advice]:
    """Each applicable exact rewrite: the estimated time of its two forms' kernels differs by the
    roofline/fit terms of what it removes (the memory of Focus's space-to-depth copy, SPP's pools)."""
    from .latency import kernel_ms

    out = []
    for rw in a.rewrites:
        if not (rw.applicable and rw.equivalent and rw.after is not None):
            continue
        before = _form_ms(rw.before.flops, rw.before.mem_bytes, device, kernel_ms)
        after = _form_ms(rw.after.flops, rw.after.mem_bytes, device, kernel_ms)
        saving = before - after
        if saving <= 0:
            continue
        out.append(Advice(code=D.ADVICE_REWRITE.code, layer=rw.layer, rule="rewrite",
                          message=D.ADVICE_REWRITE(layer=rw.layer, title=f"{rw.before.module} -> {rw.after.module}",
                                                   ms=_ms(saving)).message, saving_ms=saving))
    return out


def _form_ms(flops: int, nbytes: int, device: Device, kernel_ms) -> float:
    return sum(kernel_ms(device.rate("conv_kxk"), flops, nbytes, 1, not device.measured))


def advise(a: Analysis, device: Device) -> list[Advice]:
    """Every rule's advice, largest saving first (ties in layer order), so views can show the top few."""
    found = fuse_bn(a) + rewrites(a, device)
    return sorted(found, key=lambda x: (-x.saving_ms, -1 if x.layer is None else x.layer, x.code))
