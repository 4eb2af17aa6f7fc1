"""What every view says about the latency estimate and the advice, written once: the total, where
the time goes (by bound and by op class, each beside its share of the FLOPs) and the advice rows.

Everything here reads `Analysis.latency` and `Analysis.advice`; nothing is estimated again.
"""
from __future__ import annotations

from dataclasses import dataclass
from ..analyzer.latency import BOUNDS, flops_by_class, of
from ..analyzer.model import Analysis, Latency
from . import fmt

TIME_HEADER = ("ms", "share of time", "share of FLOPs")
ADVICE_HEADER = ("code", "layer", "rule", "saving ms", "advice")
TOP_ADVICE = 5      # advice lines the terminal shows (largest saving first)
TOP_CLASSES = 5     # op classes the terminal line names


@dataclass(frozen=True)
class TimeShare:
    """One group of the estimate (a bound, an op class): its ms, its share of the whole time and
    its share of the FLOPs, so a reader sees where the two part."""

    key: str
    ms: float
    time: float
    flops: float
    flop_count: int  # the group's FLOPs (complete count, whole batch excluded)


def pct(v: float) -> str:
    return f"{v:.1%}" if v else "0"


def by_bound(a: Analysis) -> list[TimeShare]:
    """The layers grouped by what bounds them (most time first): their ms, share of the time and
    of the FLOPs."""
    lt = a.latency
    assert lt is not None
    flops = {b: 0 for b in BOUNDS}
    for r in a.layers:
        lat = of(lt.layers, r.index)
        if lat is not None:
            flops[lat.bound] += r.flops
    total_flops = sum(flops.values())
    ms = {b: lt.by_bound.get(b, 0.0) for b in BOUNDS}
    shares = [TimeShare(key=b, ms=ms[b], time=ms[b] / lt.total_ms if lt.total_ms else 0.0,
                        flops=flops[b] / total_flops if total_flops else 0.0, flop_count=flops[b]) for b in BOUNDS]
    return sorted(shares, key=lambda s: -s.ms)  # stable: ties keep BOUNDS order


def by_class(a: Analysis) -> list[TimeShare]:
    """Each op class's ms (most first), share of the time and share of the FLOPs."""
    lt = a.latency
    assert lt is not None
    flops = flops_by_class(a.layers)
    total_flops = sum(flops.values())
    return [TimeShare(key=k, ms=v, time=v / lt.total_ms if lt.total_ms else 0.0,
                      flops=flops.get(k, 0) / total_flops if total_flops else 0.0, flop_count=flops.get(k, 0))
            for k, v in lt.by_class.items()]


def share_rows(shares: list[TimeShare]) -> list[list[str]]:
    """[key, ms, share of time, share of FLOPs] per group, as the tables show them."""
    return [[s.key, fmt.ms(s.ms), pct(s.time), pct(s.flops)] for s in shares]


def _shares_line(shares: list[TimeShare], suffix: str = "") -> str:
    """'compute-bound 63.3% of the time (72.4% of the FLOPs), memory-bound 35.6% (27.6%)'."""
    return ", ".join(f"{s.key}{suffix} {pct(s.time)}"
                     + (f" of the time ({pct(s.flops)} of the FLOPs)" if k == 0 else f" ({pct(s.flops)})")
                     for k, s in enumerate(shares))


def where_time_goes(a: Analysis) -> list[str]:
    """Two short lines: the time by bound, then the top op classes, each with its FLOPs share."""
    return [f"where the time goes: {_shares_line([s for s in by_bound(a) if s.ms], '-bound')}",
            f"top op classes: {_shares_line(by_class(a)[:TOP_CLASSES])}"]


def advice_rows(a: Analysis, limit: int = 0) -> list[list[str]]:
    """[code, layer, rule, saving ms, message] per advice, largest saving first (as advise orders
    them); `limit` keeps the first few."""
    shown = a.advice[:limit] if limit else a.advice
    return [[x.code, "-" if x.layer is None else str(x.layer), x.rule, fmt.ms(x.saving_ms), x.message]
            for x in shown]


def source_text(lt: Latency) -> str:
    """Where the profile's numbers come from, and the machine it was measured on."""
    d = lt.device
    machine = ", ".join(f"{k} {d[k]}" for k in ("cpu", "torch", "threads", "date") if k in d)
    return str(d.get("source", "")) + (f"; measured on: {machine}" if machine else "")
