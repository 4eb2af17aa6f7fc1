"""Sweeps: one config analysed at every combination of depth/width multiples and image sizes.

A neural-architecture search asks for thousands of points, so nothing is done twice: the YAML
is read and its rows planned once (layers.plan_rows); per point the channel rules run through a
memo keyed on exactly what they read (the row, its depth-scaled repeats, the width multiple and
its input channels), and each layer's cost model runs once per distinct (resolved layer, input
tensors) - later points are dictionary look-ups. Every number still comes from the cost models
that analyze() uses; tests/test_sweep.py compares the two point by point.

With a device, each distinct layer's latency is estimated once, when its cost model runs
(latency.kernels_latency, the definition estimate() uses), and a point's latency is the sum over
its layers, as estimate() sums them: the same number analyze(..., device=...) gives.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import TYPE_CHECKING, Callable, Iterable, NamedTuple, Optional, Sequence, Union

from . import diagnostics as D
from .analyze import GFLOPS_CONVENTIONS, GFLOPS_CURRENT
from . import config as config_mod
from .config import Config
from .engine import STRIDE_PROBE, LayerPass, probe_size, rounded_size, run_layer
from .errors import ConfigError
from .field import AxisField
from .graph import last_use
from .layers import LayerSpec, RowPlan, Settings, finish_row, plan_rows, resolve_plans, settings
from .load import ModelOptions, Source
from .memory import peak_activation
from .model import DTYPE_BYTES, Shape
from .symbolic import T, Trace
from . import devices, extensions
from .latency import kernels_latency

if TYPE_CHECKING:
    from .devices import Device

MAX_POINTS = 1_000_000  # one sweep's combinations; a larger search is several sweeps (or --executor dask runs)


@dataclass(frozen=True)
class Point:
    """One analysed combination: the totals `yanalyze CFG` reports for it (and its estimated
    latency with a device), and whether it is on the sweep's Pareto front (see FRONTS)."""

    depth_multiple: float
    width_multiple: float
    imgsz: tuple[int, int]  # as analysed: rounded up to the largest stride, as YOLOv5 does
    params: int
    gflops: float
    gflops_fused: float
    mem_bytes: int
    peak_activation_bytes: int
    pareto: bool = False
    latency_ms: Optional[float] = None  # with a device: the estimate analyze(..., device=...) gives


Combo = tuple[float, float, tuple[int, int]]  # (depth_multiple, width_multiple, asked image size)


def combinations(depths: Sequence[float], widths: Sequence[float], sizes: Sequence[tuple[int, int]]) -> list[Combo]:
    """Every combination once, sorted (depth, width, size), so the output does not depend on the
    order the values were given in; more than MAX_POINTS is refused before any work."""
    ds, ws, ss = sorted(set(depths)), sorted(set(widths)), sorted(set(sizes))
    total = len(ds) * len(ws) * len(ss)
    if total > MAX_POINTS:
        raise D.USAGE.error(detail=f"the sweep has {total:,} points; at most {MAX_POINTS:,} in one run "
                                   "(split it into several sweeps)")
    if not total:
        raise D.USAGE.error(detail="the sweep has no points")
    return [(d, w, s) for d in ds for w in ws for s in ss]


class _Layer(NamedTuple):
    """A layer's memoised outcome: its first output's tensor id, the pass (outputs, cost), the
    elements of all its outputs (for the peak activation) and its latency on the device (0 without)."""

    first: int
    lp: LayerPass
    elems: int
    ms: float = 0.0


class Sweeper:
    """One parsed config, evaluated at any multiples and image size by memoised walks."""

    def __init__(self, cfg: Config, options: ModelOptions = ModelOptions(), device: Optional["Device"] = None) -> None:
        """device: the profile to estimate latency on (default: options.device, loaded)."""
        if options.allow_unknown:
            raise D.USAGE.error(detail="sweep analyses known modules only (no --allow-unknown)")
        extensions.prepare(cfg)
        self.cfg, self.options, self.where = cfg, options, cfg.path
        self.gflops_as = options.gflops_as or extensions.CONVENTIONS.get("gflops", GFLOPS_CURRENT)
        if options.dtype not in DTYPE_BYTES or options.batch < 1:
            raise D.USAGE.error(detail=f"batch must be >= 1 and dtype one of {', '.join(DTYPE_BYTES)}")
        if self.gflops_as not in GFLOPS_CONVENTIONS:
            raise D.USAGE.error(detail=f"gflops_as must be one of {', '.join(GFLOPS_CONVENTIONS)}")
        self.base = settings(cfg, options.nc, dict(options.definitions))
        self.plans = plan_rows(cfg, self.base, False)
        self._wide = [p.legacy or any(callable(m.channels) for m in p.cands) for p in self.plans]
        self._rf_blind = all(m.origin == "built-in" for p in self.plans for m in p.cands)
        self._rows: dict[tuple, LayerSpec] = {}
        self._specs: dict[tuple, LayerSpec] = {}
        self._layers: dict[tuple, _Layer] = {}
        self._ids: dict[tuple, int] = {}
        self._tensors: list[T] = []
        self._images: dict[tuple[int, int], int] = {}
        self.device = device if device is not None else devices.load(options.device) if options.device else None

    def point(self, gd: float, gw: float, imgsz: tuple[int, int]) -> Point:
        """The totals of the config with depth_multiple gd and width_multiple gw written in."""
        s = replace(self.base, gd=gd, gw=gw)
        specs = resolve_plans(self.plans, s, self.where, False, self._finish)
        hw = rounded_size(imgsz, self._grid(specs, imgsz))
        main = self._walk(specs, hw)
        thop, thop_fused, scale = self._counted(specs, main, hw)
        o, nbytes = self.options, DTYPE_BYTES[self.options.dtype]
        params = act = weights = 0
        for layer in main:
            c = layer.lp.cost
            params += c.params
            act += c.act
            weights += c.weights
        peak, _ = peak_activation([layer.elems for layer in main], s.ch * hw[0] * hw[1], last_use(specs))
        return Point(depth_multiple=gd, width_multiple=gw, imgsz=hw, params=params,
                     gflops=float(Fraction(2 * thop, 10**9) * scale),
                     gflops_fused=float(Fraction(2 * thop_fused, 10**9) * scale),
                     mem_bytes=(act * o.batch + weights) * nbytes, peak_activation_bytes=peak * o.batch * nbytes,
                     latency_ms=sum(layer.ms for layer in main) if self.device is not None else None)

    def _counted(self, specs: list[LayerSpec], main: list[_Layer], hw: tuple[int, int]) -> tuple[int, int, Fraction]:
        """thop counts summed over the layers of the pass GFLOPs come from, and its scale (as
        analyze._gflops_pass: the image size itself, or v7.0's stride-sized probe)."""
        counted, scale = main, Fraction(1)
        if self.gflops_as != GFLOPS_CURRENT:
            probe = probe_size(main[-1].lp, specs[-1].mdef.is_head)
            try:
                counted, scale = self._walk(specs, (probe, probe)), Fraction(hw[0] * hw[1], probe * probe)
            except ConfigError:
                pass
        return sum(x.lp.cost.thop for x in counted), sum(x.lp.cost.thop_fused for x in counted), scale

    def _grid(self, specs: list[LayerSpec], hw: tuple[int, int]) -> int:
        """engine.grid_size on the memoised walk: the largest stride found at 256 x 256."""
        for size in ((STRIDE_PROBE, STRIDE_PROBE), hw):
            try:
                return probe_size(self._walk(specs, size)[-1].lp, specs[-1].mdef.is_head)
            except ConfigError:
                continue
        return 32

    def _finish(self, p: RowPlan, s: Settings, n: int, ch: list[int], seen: Sequence[int]) -> LayerSpec:
        """finish_row, memoised on what the row's channel rule reads: built-in rules read the
        repeats, width multiple and input channels; a callable rule (a plugin's, a fork's) or
        v1.0's Detect may read anything, so for them the key holds every multiple and channel."""
        i = p.row.index
        if self._wide[i]:
            key: tuple = (i, n, s.gw, s.gd, tuple(seen))  # a copy: the list grows as rows resolve
        else:
            key = (i, n, s.gw, *((ch[j] for j in p.inputs) if p.inputs else (ch[-1],)))
        spec = self._rows.get(key)
        if spec is None:
            spec = finish_row(p, s, n, ch, seen, self.where, False)
            same = (i, id(spec.mdef), spec.n, spec.repeats, spec.c2, spec.inputs, spec.src_from, _frozen(spec.args))
            spec = self._rows[key] = self._specs.setdefault(same, spec)  # equal specs: one id for the walk's memo
        return spec

    def _walk(self, specs: Sequence[LayerSpec], hw: tuple[int, int]) -> list[_Layer]:
        """run_pass (without exact receptive fields) with each layer looked up by (spec, inputs)."""
        image = self._images.get(hw)
        if image is None:
            field = AxisField.identity(False)
            image = self._images[hw] = self._intern(T(Shape(self.base.ch, *hw), field, field, False, Trace()))
        done: list[_Layer] = []
        firsts: list[int] = []
        memo = self._layers
        for spec in specs:
            ins = tuple([firsts[j] for j in spec.inputs]) if spec.inputs else (image,)
            layer = memo.get((id(spec), ins))
            if layer is None:
                layer = memo[(id(spec), ins)] = self._run(spec, ins)
            done.append(layer)
            firsts.append(layer.first)
        return done

    def _run(self, spec: LayerSpec, ins: tuple[int, ...]) -> _Layer:
        trace = Trace(self.base.act, False)
        lp = run_layer(spec, [replace(self._tensors[i], trace=trace) for i in ins], trace, self.where)
        slim = LayerPass(outs=lp.outs, cost=lp.cost, notes=[])
        ms = 0.0 if self.device is None else kernels_latency(
            spec.index, lp.ops, self.device, self.options.batch, DTYPE_BYTES[self.options.dtype]).ms
        return _Layer(first=self._intern(lp.outs[0]), lp=slim, elems=sum(t.shape.numel for t in lp.outs), ms=ms)

    def _intern(self, t: T) -> int:
        """A small id per distinct tensor, so keys hash fast. Built-in cost models read shapes and
        strides, never the receptive field (which grows with every repeat upstream): for them the
        id leaves it out, and layers after a deeper block are still found in the memo."""
        key = (t.shape, t.fh.jump, t.fw.jump, t.glob) if self._rf_blind else (t.shape, t.fh, t.fw, t.glob)
        got = self._ids.get(key)
        if got is None:
            got = self._ids[key] = len(self._tensors)
            self._tensors.append(t)
        return got


def _frozen(v: object) -> object:
    """Resolved args as a hashable key (lists become tuples, tagged so [1] and (1,) differ)."""
    if isinstance(v, (list, tuple)):
        return (type(v).__name__, *map(_frozen, v))
    if isinstance(v, dict):
        return ("dict", *sorted((repr(k), _frozen(x)) for k, x in v.items()))
    return (type(v).__name__, v)


def evaluate(sweeper: Sweeper, combos: Iterable[Combo], done: Optional[Callable[[int], None]] = None,
             every: int = 250) -> list[Point]:
    """The points of the combinations in order; done(k) is told every `every` points."""
    out: list[Point] = []
    for d, w, size in combos:
        try:
            out.append(sweeper.point(d, w, size))
        except ConfigError as exc:
            exc.message = f"at depth_multiple {d:g}, width_multiple {w:g}, imgsz {size[0]}x{size[1]}: {exc.message}"
            raise
        if done is not None and len(out) % every == 0:
            done(len(out))
    return out


FRONTS = {"min": "both minimised: no other point has as few params and as few GFLOPs, one fewer",
          "capacity": "the most params for the GFLOPs: no other point has as many params for as few GFLOPs, "
                      "one of them strictly",
          "latency": "the most params for the time: no other point has as many params at as low an estimated "
                     "latency, one of them strictly (needs --device)"}
COST = {"min": "gflops", "capacity": "gflops", "latency": "latency_ms"}  # the front's cost axis


def pareto(points: Sequence[Point], front: str = "min") -> list[Point]:
    """The points with `pareto` set. 'min': the front of (params, GFLOPs) both minimised, as the
    issue asks; on a grid of multiples it is the smallest model, since both grow with each
    multiple. 'capacity': params maximised, GFLOPs minimised - the upper edge of the scatter, where
    depth and width trade. 'latency': params maximised, estimated latency minimised - the same edge
    in time on the device, where a layer's FLOPs and its time part. Points tied on both are all on a front."""
    sign = -1 if front in ("capacity", "latency") else 1
    key = COST[front]
    cost = [getattr(p, key) for p in points]
    if any(c is None for c in cost):
        raise D.USAGE.error(detail="the latency front needs a device (--device PROFILE.json|NAME)")
    order = sorted(range(len(points)), key=lambda k: (sign * points[k].params, cost[k]))
    on: set[int] = set()
    best = float("inf")  # least cost among the points better in params
    k = 0
    while k < len(order):
        group = [order[k]]
        while k + len(group) < len(order) and points[order[k + len(group)]].params == points[order[k]].params:
            group.append(order[k + len(group)])
        least = cost[group[0]]
        if least < best:
            on.update(j for j in group if cost[j] == least)
        best = min(best, least)
        k += len(group)
    return [replace(p, pareto=k in on) for k, p in enumerate(points)]


@dataclass(frozen=True)
class Sweep:
    """A finished sweep: what was analysed, how, and every point (sorted, the front marked)."""

    name: str
    path: Optional[str]
    nc: Optional[int]
    batch: int
    dtype: str
    gflops_as: str
    points: list[Point]
    front_kind: str = "min"  # which Pareto front `pareto` marks (see FRONTS)
    device: Optional[dict] = None  # the profile's summary when each point has its latency

    @property
    def front(self) -> list[Point]:
        """The Pareto front by params (then GFLOPs), as a table or a line shows it."""
        return sorted((p for p in self.points if p.pareto), key=lambda p: (p.params, p.gflops))


def finished(sweeper: Sweeper, points: list[Point], front: str = "min") -> Sweep:
    """The sweep result of points evaluated (anywhere) for this sweeper's config and options."""
    if front not in FRONTS:
        raise D.USAGE.error(detail=f"front must be one of {', '.join(FRONTS)}, got {front!r}")
    o = sweeper.options
    return Sweep(name=sweeper.cfg.name, path=sweeper.cfg.path, nc=sweeper.base.nc, batch=o.batch, dtype=o.dtype,
                 gflops_as=sweeper.gflops_as, points=pareto(points, front), front_kind=front,
                 device=sweeper.device.summary() if sweeper.device is not None else None)


def run(source: Source, depths: Sequence[float], widths: Sequence[float],
        sizes: Sequence[Union[int, tuple[int, int]]] = (640,), options: ModelOptions = ModelOptions(),
        front: str = "min") -> Sweep:
    """A sweep in this process: the config (path or mapping) at every combination."""
    sweeper = Sweeper(config_mod.load(source, options.variant), options)
    hw = [(s, s) if isinstance(s, int) else (s[0], s[1]) for s in sizes]
    return finished(sweeper, evaluate(sweeper, combinations(depths, widths, hw)), front)
