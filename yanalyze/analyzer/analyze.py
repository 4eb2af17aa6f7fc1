"""analyze(): config in, one typed Analysis out."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import replace
from typing import Iterator, Mapping, Optional, Sequence, Union

from . import definitions
from . import devices
from . import diagnostics as D
from . import limits
from . import extensions
from . import forkcheck
from . import rewrites as rw
from .diagnostics import CATALOGUE
from .engine import LayerPass, grid_size, level_name, probe_size, rounded_size, run_pass, thop_gflops, to_output
from .cost import Cost
from .errors import ConfigError
from .graph import last_use, unused
from .layers import LayerSpec, v1_layout
from . import unknowns
from .guess import Guess
from .load import ModelOptions, ParsedModel, Source, load_model, parse
from .breakdown import breakdown
from .devices import Device
from .memory import peak_activation
from .model import DTYPE_BYTES, Analysis, Diagnostic, InputSpec, LayerResult, Level, Totals

ImgSz = Union[int, Sequence[int]]
GFLOPS_CURRENT = "current"
GFLOPS_CONVENTIONS = (GFLOPS_CURRENT, "v7.0")


def analyze(source: Union[Source, ParsedModel], imgsz: ImgSz = 640, batch: int = 1, dtype: str = "fp32",
            nc: Optional[int] = None, variant: Optional[str] = None, rewrites: bool = True,
            allow_unknown: bool = False, definitions: Mapping[str, str] = {}, gflops_as: Optional[str] = None,
            device: Union[None, str, "Device"] = None) -> Analysis:
    """Analyse a YOLOv5 model config (path, mapping or parsed model) at an input size, without torch.

    The image size is rounded up to a multiple of the largest stride, as YOLOv5 does, with a
    warning. rewrites: also find the equivalence rewrites (Focus -> Conv, SPP -> SPPF) and
    analyse the rewritten form to report what each changes. allow_unknown: pass modules nobody
    knows through uncounted (marked, and the totals say they are partial) instead of failing.
    definitions: module name -> the named definition to use where a name has several.
    gflops_as: 'current' (what current YOLOv5 prints: thop's count at the image size) or 'v7.0'
    (YOLOv5 v7.0: thop at a stride-sized probe scaled by the pixel ratio); None: as an open fork
    (--repo) prints them, else 'current'. device: a profile (or a datasheet name or profile path)
    on which to estimate each layer's latency and give design advice.
    """
    gflops_as = gflops_as or extensions.CONVENTIONS.get("gflops", GFLOPS_CURRENT)
    if gflops_as not in GFLOPS_CONVENTIONS:
        raise D.USAGE.error(detail=f"gflops_as must be one of {', '.join(GFLOPS_CONVENTIONS)}, got {gflops_as!r}")
    inp = _input(imgsz, batch, dtype)
    profile = devices.load(device) if isinstance(device, str) else device  # a bad profile fails first
    with no_gc():
        model = source if isinstance(source, ParsedModel) else load_model(source, nc, variant, allow_unknown,
                                                                           definitions)
        out = analyze_model(model, inp, rewrites, gflops_as)
        if profile is not None:
            with_latency(out, profile)
        return out


def with_latency(a: Analysis, device: "Device") -> Analysis:
    """Attach the latency estimate on a device and the design advice that rests on it."""
    from .advice import advise
    from .latency import estimate

    a.latency = estimate(a, device)
    a.advice = advise(a, device)
    return a


@contextmanager
def no_gc() -> Iterator[None]:
    """The cycle collector paused while a model is analysed: the analysis makes no reference
    cycles, but it makes hundreds of thousands of objects, and the collector's passes over them
    made a 20,000-row config a third slower and its cost grow faster than its rows."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def analyze_with(source: Union[Source, ParsedModel], imgsz: ImgSz, options: ModelOptions,
                 rewrites: bool = True) -> Analysis:
    """analyze() with the shared command options."""
    return analyze(source, imgsz=imgsz, batch=options.batch, dtype=options.dtype, nc=options.nc,
                   variant=options.variant, rewrites=rewrites, allow_unknown=options.allow_unknown,
                   definitions=dict(options.definitions), gflops_as=options.gflops_as, device=options.device)


def analyze_model(model: ParsedModel, inp: InputSpec, find_rewrites: bool = True,
                  gflops_as: str = "current") -> Analysis:
    """The walk over a parsed model: passes, per-layer results, totals, levels and diagnostics."""
    if any(spec.mdef.origin == "unknown" for spec in model.specs) and not model.settings.guesses:
        model = unknowns.settle(model, lambda g: parse(model.config, model.settings.nc, model.variant, True,
                                                       model.definitions, g), inp.imgsz)
    s, specs = model.settings, model.specs
    diags = [D.NOTICE(keys=keys) for keys in model.config.notices]
    if v1_layout(model.config) and specs[-1].module == "Detect":
        diags.append(D.LAYOUT_V1(specs[-1].index, layers=", ".join(map(str, specs[-1].inputs)),
                                 no=specs[specs[-1].inputs[0]].c2))
    main, hw = _main_pass(model, inp.imgsz, diags)
    inp = replace(inp, ch=s.ch, imgsz=hw)
    counted, probe = _gflops_pass(model, main, hw, gflops_as, diags)
    gflops = [(_gflops(pp.cost.thop, probe, hw), _gflops(pp.cost.thop_fused, probe, hw)) for pp in counted]
    results = [_layer_result(spec, lp, g, inp) for spec, lp, g in zip(specs, main, gflops)]
    for spec, lp in zip(specs, main):
        diags += _module_diagnostics(spec, lp, s.guesses)
    diags += _fork_diagnostics(model)
    levels = _levels(results, s.anchors)
    diags += _graph_diagnostics(specs, levels, hw)
    totals = _totals(results, [pp.cost for pp in counted], probe, specs, inp)
    if totals.partial:
        diags.append(D.PARTIAL(layers=", ".join(str(r.index) for r in results if r.origin == "unknown")))
    found = rw.findings(model, results, lambda m: analyze_model(m, inp, False, gflops_as).layers) \
        if find_rewrites else []
    out = Analysis(name=model.name, path=model.path, input=inp, nc=s.nc, layers=results, totals=totals,
                   levels=levels, diagnostics=diags, rewrites=found, gflops_as=gflops_as, parsed=model)
    out.breakdown = breakdown(out)
    return out


def _gflops_pass(model: ParsedModel, main: list[LayerPass], hw: tuple[int, int], gflops_as: str,
                 diags: list[Diagnostic]) -> tuple[list[LayerPass], Optional[int]]:
    """The pass whose thop count becomes GFLOPs, and its probe size (None: the image size).

    'current': ultralytics-thop's own extrapolation from one-stride-cell proxies, which is
    exact for every count that is polynomial in the image area (linear layers, convolutions,
    attention): the count at the image size. 'v7.0': YOLOv5 v7.0's S x S probe scaled by the
    pixel ratio, which under-counts attention and over-counts size-independent layers.
    """
    if gflops_as == GFLOPS_CURRENT:
        return main, None
    s, specs = model.settings, model.specs
    probe = probe_size(main[-1], specs[-1].mdef.is_head)
    try:
        return run_pass(specs, s, (probe, probe), False, model.path), probe
    except ConfigError as exc:
        diags.append(D.FLOPS_PROBE(exc.layer, size=probe, problem=exc.message))
        return main, None


def _main_pass(model: ParsedModel, asked: tuple[int, int], diags: list[Diagnostic]) -> tuple[list[LayerPass], tuple[int, int]]:
    """The exact pass at the image size YOLOv5 would use. The largest stride is structural (the
    same at any size), so the pass at the asked size tells it: when that size is already a
    multiple, that pass is the one (no separate stride probe); otherwise, or when the asked size
    does not fit the model, the size is found as YOLOv5 does and the pass runs there."""
    s, specs = model.settings, model.specs
    stride = None
    try:
        main = run_pass(specs, s, asked, True, model.path)
        stride = probe_size(main[-1], specs[-1].mdef.is_head)
        if rounded_size(asked, stride) == asked:
            return main, asked
    except ConfigError:
        pass
    hw, diag = fit_size(model, asked, stride)
    diags += diag
    return run_pass(specs, s, hw, True, model.path), hw


def fit_size(model: ParsedModel, hw: tuple[int, int],
             stride: Optional[int] = None) -> tuple[tuple[int, int], list[Diagnostic]]:
    """The image size YOLOv5 would use (rounded up to the largest stride), and a warning if it moved;
    stride: the largest stride when a pass already found it (it is the same at every size)."""
    stride = stride or grid_size(model.specs, model.settings, hw, model.path)
    used = rounded_size(hw, stride)
    if used == hw:
        return hw, []
    return used, [D.IMGSZ_ROUNDED(asked=f"{hw[0]}x{hw[1]}", stride=stride, used=f"{used[0]}x{used[1]}")]


def _imgsz(imgsz: ImgSz) -> tuple[int, int]:
    vals = [imgsz] if isinstance(imgsz, int) else list(imgsz)
    if len(vals) == 1:
        vals = vals * 2
    if len(vals) != 2 or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in vals):
        raise D.INPUT_IMGSZ.error(value=repr(imgsz))
    for v in vals:
        limits.check("image side", v, limits.MAX_IMAGE)
    return vals[0], vals[1]


def _input(imgsz: ImgSz, batch: int, dtype: str) -> InputSpec:
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise D.INPUT_BATCH.error(value=repr(batch))
    limits.check("batch", batch, limits.MAX_BATCH)
    if dtype not in DTYPE_BYTES:
        raise D.INPUT_DTYPE.error(choices=", ".join(DTYPE_BYTES), value=repr(dtype))
    return InputSpec(ch=0, imgsz=_imgsz(imgsz), batch=batch, dtype=dtype)  # channels come from the config


def _layer_result(spec: LayerSpec, lp: LayerPass, g: tuple[float, float], inp: InputSpec) -> LayerResult:
    nbytes, cost = DTYPE_BYTES[inp.dtype], lp.cost
    mem = (cost.act * inp.batch + cost.weights) * nbytes
    mem_fused = (cost.act_fused * inp.batch + cost.weights_fused) * nbytes
    return LayerResult(
        index=spec.index, section=spec.section, line=spec.line, src_from=spec.src_from, n=spec.n,
        module=spec.module, args=spec.args, outputs=tuple(to_output(t, inp.imgsz) for t in lp.outs),
        is_head=spec.mdef.is_head, params=cost.params, params_fused=cost.params_fused, macs=cost.macs,
        flops=cost.flops, gflops=float(g[0]), gflops_fused=float(g[1]), mem_bytes=mem,
        mem_bytes_fused=mem_fused, intensity=_intensity(cost.flops, inp.batch, mem), inputs=spec.inputs,
        origin=spec.mdef.origin, definition=spec.mdef.variant, kernels=lp.ops,
        scale=(inp.batch, DTYPE_BYTES[inp.dtype]))


def _intensity(flops: int, batch: int, mem_bytes: int) -> float:
    """Arithmetic intensity: complete FLOPs of the whole batch per byte of memory access."""
    return flops * batch / mem_bytes if mem_bytes else 0.0


def _module_diagnostics(spec: LayerSpec, lp: LayerPass, guesses: Mapping[int, Guess]) -> list[Diagnostic]:
    """What the layer's definition rests on: unknown, measured in torch, a plugin's notes, or a
    named published definition among several."""
    m, kind = spec.mdef, spec.mdef.origin.split(":")[0]
    out = []
    guess = guesses.get(spec.index, Guess())
    if kind == "unknown" and guess.demoted:
        out.append(D.NOT_ANALYSED(spec.index, layer=spec.index, module=spec.module, why=guess.demoted,
                                  assumed=unknowns.describe(guess)))
    elif kind == "unknown":
        out.append(D.MODULE_UNKNOWN(spec.index, layer=spec.index, module=spec.module,
                                    assumed=unknowns.describe(guess)))
    msg = D.MODULE_TRACED if kind in ("traced", "fork") else D.MODULE_PLUGIN
    out += [CATALOGUE.get(getattr(n, "code", ""), msg)(spec.index, layer=spec.index, module=spec.module, note=n)
            for n in dict.fromkeys(lp.notes)]
    if m.variant is not None:
        out.append(D.MODULE_DEFINITION(spec.index, layer=spec.index, module=spec.module, how=spec.chosen,
                                       variant=m.variant, source=definitions.source(m) or m.origin,
                                       choice=definitions.choice_hint(m)))
    return out


def _fork_diagnostics(model: ParsedModel) -> list[Diagnostic]:
    """A config inside a fork that defines a module it uses otherwise than the built-in used."""
    used = {spec.module: spec.mdef.variant for spec in model.specs if spec.mdef.origin == "built-in"}
    root, found = forkcheck.redefined(model.path, used)
    out = []
    for spec in model.specs:
        r = found.get(spec.module)
        if r is None:
            continue
        mine = f"the '{spec.mdef.variant}' definition" if spec.mdef.variant else "YOLOv5's (any release)"
        same = f"it is the built-in '{r.matches[0]}' definition: --define {spec.module}={r.matches[0]}, or " \
            if r.matches else ""
        where = f"{r.where}; its {spec.module} builds on it" if r.part else r.where
        if r.part:
            mine = "YOLOv5's (any release)"
        out.append(D.FORK_REDEFINES(spec.index, layer=spec.index, module=spec.module, what=r.part or spec.module,
                                    where=where,
                                    mine=mine, how=f"{same}--repo {forkcheck.shown(root)} counts the fork's own"))
    return out


def _graph_diagnostics(specs: Sequence[LayerSpec], levels: list[Level], hw: tuple[int, int]) -> list[Diagnostic]:
    diags = [D.UNUSED(i, layer=i, module=specs[i].module) for i in unused(specs)]
    beyond = [f"{lv.name} {lv.output.rf_max[0]}x{lv.output.rf_max[1]}" for lv in levels
              if lv.output.rf_exceeds_image]
    if beyond:
        diags.append(D.RF_EXCEEDS(levels[0].layer, h=hw[0], w=hw[1], levels=", ".join(beyond)))
    for lv in levels:
        rf, anchor = min(lv.output.rf_max), lv.largest_anchor
        if anchor and rf < anchor:
            diags.append(D.RF_BELOW_ANCHOR(lv.layer, level=lv.name, rf=rf, anchor=f"{anchor:g}"))
    far = [f"{lv.name} {min(lv.output.rf_min)}" for lv in levels
           if min(lv.output.rf_min) >= RF_FAR * max(hw)]
    if far:
        diags.append(D.RF_FAR_BEYOND(levels[0].layer, levels=", ".join(far), side=max(hw), times=RF_FAR))
    return diags


RF_FAR = 4  # a level whose smallest receptive field spans this many image sides: its last stages see padding


def _gflops(thop_count: int, probe: Optional[int], hw: tuple[int, int]) -> float:
    """A layer's GFLOPs: at the image size a plain division (correctly rounded, as the exact
    fraction is), scaled from a probe exactly."""
    return 2 * thop_count / 10**9 if probe is None else float(thop_gflops(thop_count, probe, hw))


def _totals(results: list[LayerResult], counted: list[Cost], probe: Optional[int], specs: Sequence[LayerSpec],
            inp: InputSpec) -> Totals:
    """Sums over layers (GFLOPs summed exactly) and peak activation memory."""
    out_elems = [sum(o.shape.numel for o in r.outputs) for r in results]
    peak, peak_layer = peak_activation(out_elems, inp.ch * inp.imgsz[0] * inp.imgsz[1], last_use(specs))
    flops, mem = sum(r.flops for r in results), sum(r.mem_bytes for r in results)
    return Totals(
        params=sum(r.params for r in results), params_fused=sum(r.params_fused for r in results),
        gflops=float(thop_gflops(sum(c.thop for c in counted), probe, inp.imgsz)),  # exact: the sum, then
        gflops_fused=float(thop_gflops(sum(c.thop_fused for c in counted), probe, inp.imgsz)),  # one rounding
        macs=sum(r.macs for r in results), flops=flops, mem_bytes=mem,
        mem_bytes_fused=sum(r.mem_bytes_fused for r in results),
        peak_activation_bytes=peak * inp.batch * DTYPE_BYTES[inp.dtype], peak_layer=peak_layer,
        intensity=_intensity(flops, inp.batch, mem), partial=any(r.origin == "unknown" for r in results))


def _levels(results: list[LayerResult], anchors: object) -> list[Level]:
    """The detection outputs (or the last layer's output for a headless config), each with the
    anchors the config gives its level (none when `anchors` is a count: autoanchor picks them)."""
    last = results[-1]
    if not last.is_head:
        return [Level(name="out", layer=last.index, output=last.out)]
    levels = []
    for k, out in enumerate(last.outputs):
        proto = last.module == "Segment" and k == len(last.outputs) - 1
        levels.append(Level(name="proto" if proto else level_name(out, k), layer=last.index, output=out,
                            anchors=() if proto else _anchor_pairs(anchors, k)))
    return levels


def _anchor_pairs(anchors: object, k: int) -> tuple[tuple[float, float], ...]:
    if not isinstance(anchors, list) or k >= len(anchors) or not isinstance(anchors[k], list):
        return ()
    row = anchors[k]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in row):
        return ()
    return tuple((float(row[i]), float(row[i + 1])) for i in range(0, len(row) - 1, 2))
