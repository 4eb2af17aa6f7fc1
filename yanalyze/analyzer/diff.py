"""Architecture diff: two analyses aligned layer by layer, with what changed and by how much.

Rows with the same signatures pair by index. Otherwise a global sequence alignment over
layer signatures (module, role, output stride) pairs them, so an inserted or removed layer
shows as such and the rest still pairs up; a removed and an added layer that one known
rewrite explains (SPP moved and turned into SPPF) pair as "moved". `from` indices are
compared after mapping A's through the alignment, so renumbering alone is not a change.
A pair whose own row is unchanged but whose outputs differ (a wider input, a longer
receptive field upstream) is "affected", not "changed".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from .diff_causes import METRICS, Cause, causes
from .latency import of as latency_of
from .model import Analysis, LayerResult, Level, Rewrite
from .rewrites import EQUIVALENT

if TYPE_CHECKING:
    from .devices import Device

LATENCY = "latency_ms"  # a total and a per-layer metric when both sides carry an estimate on one device
TOTAL_KEYS = ("params", "params_fused", "gflops", "gflops_fused", "macs", "flops", "mem_bytes",
              "mem_bytes_fused", "peak_activation_bytes")


@dataclass(frozen=True)
class LayerDiff:
    """One aligned pair (or an added/removed layer) with its changes and deltas (B - A)."""

    a: Optional[LayerResult]
    b: Optional[LayerResult]
    status: str  # "same", "changed", "moved", "affected", "added", "removed"
    changes: tuple[str, ...] = ()
    explained_by: Optional[str] = None
    ms_a: Optional[float] = None  # with a device: each side's estimated latency (None: no such layer)
    ms_b: Optional[float] = None

    def value(self, side: str, key: str) -> Optional[float]:
        """A side's value of a metric ('latency_ms' from the estimate); None when the side is missing."""
        r = self.a if side == "a" else self.b
        if r is None:
            return None
        if key == LATENCY:
            return self.ms_a if side == "a" else self.ms_b
        return float(getattr(r, key))

    def delta(self, key: str) -> float:
        if key == LATENCY:
            return (self.ms_b or 0.0) - (self.ms_a or 0.0)
        return (getattr(self.b, key) if self.b else 0) - (getattr(self.a, key) if self.a else 0)


@dataclass(frozen=True)
class TotalDiff:
    key: str
    a: float
    b: float

    @property
    def delta(self) -> float:
        return self.b - self.a

    @property
    def pct(self) -> Optional[float]:
        return self.delta / self.a if self.a else None


@dataclass(frozen=True)
class LevelDiff:
    """One output level (by name) in A and in B; None where a side has no such level."""

    name: str
    a: Optional[Level]
    b: Optional[Level]


@dataclass(frozen=True)
class Tradeoff:
    """Two totals that move in opposite directions (fewer GFLOPs, more memory access)."""

    falls: str
    rises: str
    falls_pct: float
    rises_pct: float
    layers: tuple[int, ...]  # B's layers where the first falls and the second rises

    @property
    def text(self) -> str:
        return (f"{LABELS_SHORT[self.falls]} {self.falls_pct:+.1%} but {LABELS_SHORT[self.rises]} "
                f"{self.rises_pct:+.1%}")


LABELS_SHORT = {"gflops": "GFLOPs", "mem_bytes": "memory access", "params": "params",
                "peak_activation_bytes": "peak activations"}


@dataclass
class ArchDiff:
    a: Analysis
    b: Analysis
    method: str  # "by index" or "aligned"
    layers: list[LayerDiff] = field(default_factory=list)
    totals: list[TotalDiff] = field(default_factory=list)
    causes: list[Cause] = field(default_factory=list)
    levels: list[LevelDiff] = field(default_factory=list)
    tradeoffs: list[Tradeoff] = field(default_factory=list)
    device: Optional[dict[str, Any]] = None  # the profile both sides were estimated on (None: no latency)

    @property
    def changed(self) -> list[LayerDiff]:
        return [d for d in self.layers if d.status != "same"]

    @property
    def metrics(self) -> tuple[str, ...]:
        """The per-layer and per-cause metrics: params, GFLOPs, memory, and latency with a device."""
        return METRICS + ((LATENCY,) if self.device is not None else ())


GAP = -0.9


def signature(r: LayerResult) -> tuple:
    """(module, role, output stride); rewrite-equivalent modules share a name."""
    return (EQUIVALENT.get(r.module, r.module), (r.section, r.is_head), r.out.stride)


def score(x: tuple, y: tuple) -> float:
    """2 for the module, 1 each for role and stride, centred so unrelated layers prefer gaps;
    identical arguments break ties between layers of the same signature."""
    return 2 * (x[0] == y[0]) + (x[1] == y[1]) + (x[2] == y[2]) - 2 + 0.5 * (x[0] == y[0] and x[3] == y[3])


def align(a: list[LayerResult], b: list[LayerResult]) -> tuple[list[tuple[Optional[int], Optional[int]]], str]:
    """Pairs of indices (None for an added or removed layer): by index when the rows have the
    same signatures, else a global alignment over the signatures. Identical leading and trailing
    rows pair up first; only the changed middle is aligned, in linear memory (Hirschberg), so two
    3000-row configs that differ in one module cost little more than reading them."""
    if [signature(r) for r in a] == [signature(r) for r in b]:
        return [(i, i) for i in range(len(a))], "by index"
    sa, sb = [(*signature(r), repr(r.args)) for r in a], [(*signature(r), repr(r.args)) for r in b]
    n, m = len(sa), len(sb)
    head = 0
    while head < min(n, m) and sa[head] == sb[head]:
        head += 1
    tail = 0
    while tail < min(n, m) - head and sa[n - 1 - tail] == sb[m - 1 - tail]:
        tail += 1
    middle = _hirschberg(sa[head:n - tail], sb[head:m - tail], head, head)
    pairs = [(i, i) for i in range(head)] + middle + [(n - tail + k, m - tail + k) for k in range(tail)]
    return pairs, "aligned"


SMALL = 4096  # cells below which a block is aligned with the full table (and its traceback)

Pair = tuple[Optional[int], Optional[int]]


def _scores(sa: list[tuple], sb: list[tuple]) -> list[float]:
    """The best score of aligning all of sa with each prefix of sb, keeping one row of the table."""
    prev = [j * GAP for j in range(len(sb) + 1)]
    for i, x in enumerate(sa, 1):
        cur = [i * GAP]
        for j, y in enumerate(sb, 1):
            cur.append(max(prev[j - 1] + score(x, y), prev[j] + GAP, cur[j - 1] + GAP))
        prev = cur
    return prev


def _hirschberg(sa: list[tuple], sb: list[tuple], off_a: int, off_b: int) -> list[Pair]:
    """Needleman-Wunsch's optimal alignment in linear memory: split A in half, find where B splits
    from the forward and backward score rows, and align the two halves on their own."""
    if not sa or not sb:
        return [(off_a + i, None) for i in range(len(sa))] + [(None, off_b + j) for j in range(len(sb))]
    if len(sa) * len(sb) <= SMALL or len(sa) == 1:
        return _table(sa, sb, off_a, off_b)
    mid = len(sa) // 2
    left, right = _scores(sa[:mid], sb), _scores(sa[mid:][::-1], sb[::-1])
    cut = max(range(len(sb) + 1), key=lambda j: (left[j] + right[len(sb) - j], -j))
    return (_hirschberg(sa[:mid], sb[:cut], off_a, off_b)
            + _hirschberg(sa[mid:], sb[cut:], off_a + mid, off_b + cut))


def _table(sa: list[tuple], sb: list[tuple], off_a: int, off_b: int) -> list[Pair]:
    """The full Needleman-Wunsch table and its traceback, for a small block."""
    n, m = len(sa), len(sb)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):  # by addition, as the traceback checks it (3 * GAP != 2 * GAP + GAP)
        best[i][0] = best[i - 1][0] + GAP
    for j in range(1, m + 1):
        best[0][j] = best[0][j - 1] + GAP
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            best[i][j] = max(best[i - 1][j - 1] + score(sa[i - 1], sb[j - 1]),
                             best[i - 1][j] + GAP, best[i][j - 1] + GAP)
    pairs: list[Pair] = []
    i, j = n, m
    while i or j:
        if i and j and best[i][j] == best[i - 1][j - 1] + score(sa[i - 1], sb[j - 1]):
            i, j = i - 1, j - 1
            pairs.append((off_a + i, off_b + j))
        elif i and best[i][j] == best[i - 1][j] + GAP:
            i -= 1
            pairs.append((off_a + i, None))
        else:
            j -= 1
            pairs.append((None, off_b + j))
    return pairs[::-1]


def _outs(r: LayerResult) -> str:
    return " ".join(f"{o.shape.c}x{o.shape.h}x{o.shape.w}" for o in r.outputs)


def _explain(ra: LayerResult, rb: LayerResult, rewrites_a: dict[int, Rewrite],
             rewrites_b: dict[int, Rewrite]) -> Optional[str]:
    """A known equivalence rewrite turns A's row into B's (or B's into A's)."""
    fa, fb = rewrites_a.get(ra.index), rewrites_b.get(rb.index)
    if fa and fa.after and (fa.after.module, fa.after.args) == (rb.module, rb.args):
        return f"{ra.module} -> {rb.module}: equivalent rewrite ({fa.exactness})"
    if fb and fb.after and (fb.after.module, fb.after.args) == (ra.module, ra.args):
        return f"{ra.module} -> {rb.module}: reverse of an equivalent rewrite ({fb.exactness})"
    return None


def compare(ra: LayerResult, rb: LayerResult, to_b: dict[int, Optional[int]], a_layers: list,
            b_layers: list) -> list[str]:
    """What differs between two aligned layers, in words: the row, then its outputs."""
    changes = definition_changes(ra, rb, to_b, a_layers, b_layers)
    if _outs(ra) != _outs(rb):
        changes.append(f"out {_outs(ra)} -> {_outs(rb)}")
    if [o.stride for o in ra.outputs] != [o.stride for o in rb.outputs]:
        changes.append("stride " + " ".join(str(o.stride[0]) for o in ra.outputs) + " -> "
                       + " ".join(str(o.stride[0]) for o in rb.outputs))
    if [(o.rf_min, o.rf_max) for o in ra.outputs] != [(o.rf_min, o.rf_max) for o in rb.outputs]:
        changes.append("RF " + " ".join(f"{o.rf_min[0]}-{o.rf_max[0]}" for o in ra.outputs) + " -> "
                       + " ".join(f"{o.rf_min[0]}-{o.rf_max[0]}" for o in rb.outputs))
    return changes


def _names(idx, layers) -> str:
    return ", ".join(f"{i} {layers[i].module}" for i in idx) or "the image"


def definition_changes(ra: LayerResult, rb: LayerResult, to_b: dict[int, Optional[int]],
                       a_layers: list, b_layers: list) -> list[str]:
    """Differences in the row itself: module, arguments, repeats, inputs."""
    out = []
    if ra.module != rb.module:
        out.append(f"module {ra.module} -> {rb.module}")
    if ra.args != rb.args:
        out.append(f"args {ra.args} -> {rb.args}")
    if ra.n != rb.n:
        out.append(f"n {ra.n} -> {rb.n}")
    if [to_b.get(j) for j in ra.inputs] != list(rb.inputs):
        out.append(f"from {list(ra.src_from)} -> {list(rb.src_from)} (reads "
                   f"{_names(ra.inputs, a_layers)} -> {_names(rb.inputs, b_layers)})")
    return out


def _moved(pairs: list, a: Analysis, b: Analysis, rw_a: dict, rw_b: dict) -> list:
    """Pair a removed and an added layer of the same signature, or that a known rewrite explains
    (SPP before the last C3 in v5.0, SPPF after it in v6): the layer moved."""
    removed = [i for i, j in pairs if j is None]
    added = [j for i, j in pairs if i is None]
    for i in removed:
        for j in added:
            if signature(a.layers[i]) == signature(b.layers[j]) or _explain(a.layers[i], b.layers[j], rw_a, rw_b):
                pairs = [p for p in pairs if p not in ((i, None), (None, j))] + [(i, j)]
                added.remove(j)
                break
    return sorted(pairs, key=lambda p: (p[1] if p[1] is not None else p[0] - 0.5, p[0] is not None))


def _crossing(pairs: list) -> set[tuple[int, int]]:
    """The pairs that cross another one (a layer that changed place relative to its neighbours):
    with the pairs in B's order, (i, j) crosses when an earlier pair has a larger A index or a
    later one a smaller; a running maximum and minimum find them in one pass each way."""
    both = sorted((j, i) for i, j in pairs if i is not None and j is not None)
    out: set[tuple[int, int]] = set()
    most = -1
    for j, i in both:
        if most > i:
            out.add((i, j))
        most = max(most, i)
    least = None
    for j, i in reversed(both):
        if least is not None and least < i:
            out.add((i, j))
        least = i if least is None else min(least, i)
    return out


def level_pairs(a: Analysis, b: Analysis) -> list[LevelDiff]:
    """Output levels by name: B's order, then levels only A has."""
    la, lb = {lv.name: lv for lv in a.levels}, {lv.name: lv for lv in b.levels}
    names = [*lb, *(n for n in la if n not in lb)]
    return [LevelDiff(name=n, a=la.get(n), b=lb.get(n)) for n in names]


def tradeoffs(d: ArchDiff) -> list[Tradeoff]:
    """GFLOPs and memory access moving apart: a FLOP saving that costs bandwidth (C3_Faster), or
    the reverse."""
    t = {x.key: x for x in d.totals}
    out = []
    for falls, rises in (("gflops", "mem_bytes"), ("mem_bytes", "gflops")):
        f, r = t[falls], t[rises]
        if f.delta < 0 < r.delta and f.pct is not None and r.pct is not None:
            layers = tuple(ld.b.index for ld in d.layers if ld.b and ld.delta(falls) < 0 < ld.delta(rises))
            out.append(Tradeoff(falls=falls, rises=rises, falls_pct=f.pct, rises_pct=r.pct, layers=layers))
    return out


def same_device(a: Analysis, b: Analysis) -> Optional[dict[str, Any]]:
    """The device both sides were estimated on; None unless both carry an estimate on the same one."""
    if a.latency is None or b.latency is None or a.latency.device != b.latency.device:
        return None
    return a.latency.device


def _ms(an: Analysis, r: Optional[LayerResult]) -> Optional[float]:
    lat = latency_of(an.latency.layers, r.index) if r is not None and an.latency is not None else None
    return None if lat is None else lat.ms


def diff(a: Analysis, b: Analysis, explain: bool = True, device: Optional["Device"] = None) -> ArchDiff:
    """Align B against A and describe every pair; explain: also find the causes (the settings that
    differ and the row changes, each with its part of the change). When both sides carry a latency
    estimate on one device, the totals and layers get it; device (that profile) also gives each
    cause its part of the latency change, since causes are re-analyses."""
    rw_a = {r.layer: r for r in a.rewrites if r.applicable}
    rw_b = {r.layer: r for r in b.rewrites if r.applicable}
    pairs, method = align(a.layers, b.layers)
    pairs = _moved(pairs, a, b, rw_a, rw_b)
    to_b = {i: j for i, j in pairs if i is not None}
    crossing = _crossing(pairs)
    out = ArchDiff(a=a, b=b, method=method, device=same_device(a, b))
    timed = out.device is not None
    for i, j in pairs:
        ra, rb = (a.layers[i] if i is not None else None), (b.layers[j] if j is not None else None)
        ms_a, ms_b = (_ms(a, ra), _ms(b, rb)) if timed else (None, None)
        if ra is None:
            assert rb is not None
            out.layers.append(LayerDiff(a=None, b=rb, status="added", ms_a=ms_a, ms_b=ms_b))
        elif rb is None:
            out.layers.append(LayerDiff(a=ra, b=None, status="removed", ms_a=ms_a, ms_b=ms_b))
        else:
            own = definition_changes(ra, rb, to_b, a.layers, b.layers)
            derived = [c for c in compare(ra, rb, to_b, a.layers, b.layers) if c not in own]
            moved = (i, j) in crossing
            status = "moved" if moved else "changed" if own else "affected" if derived else "same"
            out.layers.append(LayerDiff(a=ra, b=rb, status=status, changes=tuple(own + derived),
                                        explained_by=_explain(ra, rb, rw_a, rw_b) if own else None,
                                        ms_a=ms_a, ms_b=ms_b))
    out.totals = [TotalDiff(key=k, a=getattr(a.totals, k), b=getattr(b.totals, k)) for k in TOTAL_KEYS]
    if timed:
        assert a.latency is not None and b.latency is not None
        out.totals.append(TotalDiff(key=LATENCY, a=a.latency.total_ms, b=b.latency.total_ms))
    out.levels = level_pairs(a, b)
    out.tradeoffs = tradeoffs(out)
    if explain:  # the rows' part: A with B's settings against B (A itself when no setting differs)
        on = device if timed and device is not None and device.summary() == out.device else None
        out.causes = causes(a, b, lambda x, y: out if x is a and y is b else diff(x, y, explain=False), on)
    return out
