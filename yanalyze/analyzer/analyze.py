"""analyze(): config in, one typed Analysis out."""
from __future__ import annotations

import os
from dataclasses import replace
from fractions import Fraction
from typing import Mapping, Optional, Sequence, Union

import networkx as nx

from . import config as config_mod
from .config import Config
from .engine import Pass, level_name, probe_size, rounded_size, run_pass, stride_hint, thop_gflops, to_output
from .errors import ConfigError
from .graph import build_graph, last_use, unused
from .layers import LayerSpec, Settings, resolve_rows, settings
from .memory import peak_activation
from . import rewrites as rw
from .model import DTYPE_BYTES, Cost, Form, Rewrite, Analysis, Diagnostic, InputSpec, LayerResult, Level, Totals, intensity

ImgSz = Union[int, Sequence[int]]


def _imgsz(imgsz: ImgSz) -> tuple[int, int]:
    vals = [imgsz] if isinstance(imgsz, int) else list(imgsz)
    if len(vals) == 1:
        vals = vals * 2
    if len(vals) != 2 or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in vals):
        raise ConfigError(f"image size must be a positive int or H,W, got {imgsz!r}", code="input/imgsz")
    return vals[0], vals[1]


def analyze(source: Union[str, os.PathLike, Mapping], imgsz: ImgSz = 640, batch: int = 1,
            dtype: str = "fp32", nc: Optional[int] = None, variant: Optional[str] = None,
            rewrites: bool = True, allow_unknown: bool = False) -> Analysis:
    """Analyse a YOLOv5 model config (path or mapping) at an input size, without torch.

    rewrites: also find the equivalence rewrites (Focus -> Conv, SPP -> SPPF) and analyse
    the rewritten form to report what each changes. allow_unknown: pass modules nobody
    knows through uncounted (marked, and the totals say they are partial) instead of failing.
    """
    inp = _input(imgsz, batch, dtype)
    cfg = config_mod.load(source, variant)
    s = settings(cfg, nc)
    inp = replace(inp, ch=s.ch)
    specs = resolve_rows(cfg, s, allow_unknown)
    graph = build_graph(specs)
    main, probe_pass, probe, diags = _passes(cfg, specs, s, inp.imgsz)
    diags = [Diagnostic("parse/notice", "info", None, n) for n in cfg.notices] + diags
    results, gflops = [], []
    for spec, (outs, cost, notes), (_, pcost, _) in zip(specs, main, probe_pass):
        g = [thop_gflops(ops, probe, inp.imgsz) for ops in (pcost.thop, pcost.thop_fused)]
        diags += [Diagnostic("module/" + spec.mdef.origin.split(":")[0], "warning", spec.index,
                             f"layer {spec.index} ({spec.module}): {note}") for note in dict.fromkeys(notes)]
        result = _layer_result(spec, outs, cost, g, inp)
        graph.nodes[spec.index]["result"] = result
        results.append(result)
        gflops.append(g)
    levels = _levels(results)
    diags += _graph_diagnostics(graph, specs, levels, inp.imgsz)
    totals = _totals(results, gflops, graph, inp)
    found = _rewrites(cfg, specs, results, inp, s.nc, allow_unknown) if rewrites else []
    if totals.partial:
        diags.append(Diagnostic("totals/partial", "warning", None, "totals are partial: unknown layers "
                                f"{', '.join(str(r.index) for r in results if r.origin == 'unknown')} count nothing"))
    return Analysis(cfg.name, cfg.path, inp, s.nc, results, totals, levels, diags, graph, found)


def _form(r: LayerResult) -> Form:
    o = r.out
    return Form(r.module, r.args, r.params, r.params_fused, r.gflops, r.gflops_fused, r.flops,
                r.mem_bytes, r.mem_bytes_fused, o.rf, o.rf_min, o.rf_max, o.stride)


def _rewrites(cfg: Config, specs: list[LayerSpec], results: list[LayerResult], inp: InputSpec,
              nc: Optional[int], allow_unknown: bool) -> list[Rewrite]:
    """Each rule's verdict per layer; applicable ones measured on the rewritten config."""
    ps = rw.plans(cfg, specs)
    if not ps:
        return []
    after = None
    if rw.applicable(ps):
        after = analyze(rw.rewritten_data(cfg, ps), imgsz=inp.imgsz, batch=inp.batch, dtype=inp.dtype,
                        nc=nc, rewrites=False, allow_unknown=allow_unknown).layers
    found = []
    for p in ps:
        ok = p.equivalent and p.yaml_args is not None
        found.append(Rewrite(
            p.kind, p.layer, specs[p.layer].line, p.equivalent, p.exactness, ok, _form(results[p.layer]),
            _form(after[p.layer]) if ok and after else None, p.mapping, p.reason, p.counterexample,
            f"{p.module}, {rw.flow(p.yaml_args)}" if ok else None))
    return found


def _input(imgsz: ImgSz, batch: int, dtype: str) -> InputSpec:
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise ConfigError(f"batch must be a positive integer, got {batch!r}", code="input/batch")
    if dtype not in DTYPE_BYTES:
        raise ConfigError(f"dtype must be one of {', '.join(DTYPE_BYTES)}, got {dtype!r}", code="input/dtype")
    return InputSpec(0, _imgsz(imgsz), batch, dtype)  # channels come from the config


def _passes(cfg: Config, specs: list[LayerSpec], s: Settings,
            hw: tuple[int, int]) -> tuple[Pass, Pass, Optional[int], list[Diagnostic]]:
    """The main pass at the image size and YOLOv5's S x S FLOPs probe pass."""
    try:
        main = run_pass(specs, s, hw, True, cfg.path)
    except ConfigError as exc:
        if exc.code == "graph/shape":
            exc.message += stride_hint(cfg, specs, s, hw)
        raise
    diags = []
    probe: Optional[int] = probe_size(main, specs)
    try:
        probe_pass = run_pass(specs, s, (probe, probe), False, cfg.path)  # type: ignore[arg-type]
    except ConfigError as exc:
        diags.append(Diagnostic("flops/probe", "warning", exc.layer, f"YOLOv5's {probe}x{probe} FLOPs "
                                f"probe fails here ({exc.message}); GFLOPs are counted at the image size"))
        probe_pass, probe = run_pass(specs, s, hw, False, cfg.path), None
    if probe and rounded_size(hw, probe) != hw:
        fixed = rounded_size(hw, probe)
        diags.append(Diagnostic("input/imgsz-stride", "warning", None,
                                f"image size {hw[0]}x{hw[1]} is not a multiple of the max stride {probe}; "
                                f"YOLOv5 would use {fixed[0]}x{fixed[1]} (computed exactly at {hw[0]}x{hw[1]})"))
    return main, probe_pass, probe, diags


def _layer_result(spec: LayerSpec, outs: list, cost: Cost, g: list[Fraction], inp: InputSpec) -> LayerResult:
    nbytes = DTYPE_BYTES[inp.dtype]
    mem = (cost.act * inp.batch + cost.weights) * nbytes
    mem_fused = (cost.act_fused * inp.batch + cost.weights_fused) * nbytes
    return LayerResult(
        spec.index, spec.section, spec.line, spec.src_from, spec.n, spec.module, spec.args,
        tuple(to_output(t, inp.imgsz) for t in outs), spec.mdef.is_head, cost.params,
        cost.params_fused, cost.macs, cost.flops, float(g[0]), float(g[1]), mem, mem_fused,
        intensity(cost.flops, inp.batch, mem), spec.inputs, spec.mdef.origin)


def _graph_diagnostics(graph: nx.DiGraph, specs: list[LayerSpec], levels: list[Level], hw: tuple[int, int]) -> list[Diagnostic]:
    diags = [Diagnostic("graph/unused", "warning", i, f"layer {i} ({specs[i].module}) output is never used")
             for i in unused(graph, len(specs))]
    beyond = [f"{lv.name} {lv.output.rf_max[0]}x{lv.output.rf_max[1]}" for lv in levels
              if lv.output.rf_exceeds_image]
    if beyond:
        diags.append(Diagnostic("rf/exceeds-image", "info", levels[0].layer,
                                f"receptive field larger than the {hw[0]}x{hw[1]} image at "
                                f"{', '.join(beyond)} px (part of every window is zero padding)"))
    return diags


def _totals(results: list[LayerResult], gflops: list[list[Fraction]], graph: nx.DiGraph, inp: InputSpec) -> Totals:
    """Sums over layers (GFLOPs summed exactly) and peak activation memory."""
    out_elems = [sum(o.shape.numel for o in r.outputs) for r in results]
    peak, peak_layer = peak_activation(out_elems, inp.ch * inp.imgsz[0] * inp.imgsz[1],
                                       last_use(graph, len(results)))
    flops, mem = sum(r.flops for r in results), sum(r.mem_bytes for r in results)
    return Totals(
        sum(r.params for r in results), sum(r.params_fused for r in results),
        float(sum(g[0] for g in gflops)), float(sum(g[1] for g in gflops)),
        sum(r.macs for r in results), flops, mem, sum(r.mem_bytes_fused for r in results),
        peak * inp.batch * DTYPE_BYTES[inp.dtype], peak_layer, intensity(flops, inp.batch, mem),
        any(r.origin == "unknown" for r in results))


def _levels(results: list[LayerResult]) -> list[Level]:
    """The detection outputs (or the last layer's output for a headless config)."""
    last = results[-1]
    if not last.is_head:
        return [Level("out", last.index, last.out)]
    levels = []
    for k, out in enumerate(last.outputs):
        proto = last.module == "Segment" and k == len(last.outputs) - 1
        levels.append(Level("proto" if proto else level_name(out, k), last.index, out))
    return levels
