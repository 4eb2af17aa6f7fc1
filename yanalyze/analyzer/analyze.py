"""analyze(): config in, one typed Analysis out."""
from __future__ import annotations

import os
from typing import Mapping, Optional, Sequence, Union

from . import config as config_mod
from .engine import level_name, probe_size, run_pass, stride_hint, thop_gflops, to_output
from .errors import ConfigError
from .graph import build_graph, last_use, unused
from .layers import resolve_rows, settings
from .memory import peak_activation
from .model import DTYPE_BYTES, Analysis, Diagnostic, InputSpec, LayerResult, Level, Totals, intensity

ImgSz = Union[int, Sequence[int]]


def _imgsz(imgsz: ImgSz) -> tuple[int, int]:
    vals = [imgsz] if isinstance(imgsz, int) else list(imgsz)
    if len(vals) == 1:
        vals = vals * 2
    if len(vals) != 2 or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in vals):
        raise ConfigError(f"image size must be a positive int or H,W, got {imgsz!r}", code="input/imgsz")
    return vals[0], vals[1]


def analyze(source: Union[str, os.PathLike, Mapping], imgsz: ImgSz = 640, batch: int = 1,
            dtype: str = "fp32", nc: Optional[int] = None, variant: Optional[str] = None) -> Analysis:
    """Analyse a YOLOv5 model config (path or mapping) at an input size, without torch."""
    hw = _imgsz(imgsz)
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise ConfigError(f"batch must be a positive integer, got {batch!r}", code="input/batch")
    if dtype not in DTYPE_BYTES:
        raise ConfigError(f"dtype must be one of {', '.join(DTYPE_BYTES)}, got {dtype!r}", code="input/dtype")
    cfg = config_mod.load(source, variant)
    s = settings(cfg, nc)
    specs = resolve_rows(cfg, s)
    graph = build_graph(specs)
    try:
        main = run_pass(specs, s, hw, True, cfg.path)
    except ConfigError as exc:
        if exc.code == "graph/shape":
            exc.message += stride_hint(cfg, specs, s, hw)
        raise
    diags = [Diagnostic("parse/notice", "info", None, n) for n in cfg.notices]
    probe = probe_size(main, specs)
    try:
        probe_pass = run_pass(specs, s, (probe, probe), False, cfg.path)
    except ConfigError as exc:
        diags.append(Diagnostic("flops/probe", "warning", exc.layer, f"YOLOv5's {probe}x{probe} FLOPs "
                                f"probe fails here ({exc.message}); GFLOPs are counted at the image size"))
        probe_pass, probe = run_pass(specs, s, hw, False, cfg.path), None
    if probe and (hw[0] % probe or hw[1] % probe):
        fixed = [-(-v // probe) * probe for v in hw]
        diags.append(Diagnostic("input/imgsz-stride", "warning", None,
                                f"image size {hw[0]}x{hw[1]} is not a multiple of the max stride {probe}; "
                                f"YOLOv5 would use {fixed[0]}x{fixed[1]} (computed exactly at {hw[0]}x{hw[1]})"))
    nbytes = DTYPE_BYTES[dtype]
    layers = []
    for spec, (outs, cost), (_, pcost) in zip(specs, main, probe_pass):
        g, gf = (thop_gflops(ops, probe, hw) for ops in (pcost.thop, pcost.thop_fused))
        mem = (cost.act * batch + cost.weights) * nbytes
        result = LayerResult(
            spec.index, spec.section, spec.line, spec.src_from, spec.n, spec.module, spec.args,
            tuple(to_output(t, hw) for t in outs), spec.mdef.is_head, cost.params, cost.params_fused,
            cost.macs, cost.flops, float(g), float(gf), mem,
            (cost.act_fused * batch + cost.weights_fused) * nbytes, intensity(cost.flops, batch, mem))
        graph.nodes[spec.index]["result"] = result
        layers.append((result, g, gf))
    results = [r for r, _, _ in layers]
    last = last_use(graph, len(specs))
    out_elems = [sum(o.shape.numel for o in r.outputs) for r in results]
    peak, peak_layer = peak_activation(out_elems, s.ch * hw[0] * hw[1], last)
    for i in unused(graph, len(specs)):
        diags.append(Diagnostic("graph/unused", "warning", i, f"layer {i} ({specs[i].module}) output is never used"))
    levels = _levels(results)
    for lv in levels:
        if lv.output.rf_exceeds_image:
            diags.append(Diagnostic("rf/exceeds-image", "info", lv.layer,
                                    f"{lv.name} receptive field {lv.output.rf_max[0]}x{lv.output.rf_max[1]} px "
                                    f"is larger than the {hw[0]}x{hw[1]} image"))
    flops, mem = sum(r.flops for r in results), sum(r.mem_bytes for r in results)
    totals = Totals(
        sum(r.params for r in results), sum(r.params_fused for r in results),
        float(sum(g for _, g, _ in layers)), float(sum(gf for _, _, gf in layers)),
        sum(r.macs for r in results), flops, mem, sum(r.mem_bytes_fused for r in results),
        peak * batch * nbytes, peak_layer, intensity(flops, batch, mem))
    return Analysis(cfg.name, cfg.path, InputSpec(s.ch, hw, batch, dtype), s.nc, results, totals,
                    levels, diags, graph)


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
