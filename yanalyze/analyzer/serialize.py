"""The Analysis as plain data (schema yanalyze/1): what JSON, the diff and the CI gate read."""
from __future__ import annotations

import json
import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:  # model.py imports this module; the types are only for the checker
    from .model import Analysis, Breakdown, Form, Group, LayerLatency, LayerResult, Output, Rewrite


def num(v: Any) -> Any:
    """Fractions become ints when whole, floats otherwise; everything else passes through."""
    if type(v) is int:
        return v
    if isinstance(v, Fraction):
        return int(v) if v.denominator == 1 else float(v)
    if isinstance(v, (tuple, list)):
        return [num(x) for x in v]
    return v


def plain(v: Any) -> Any:
    """Args as JSON data: lists recurse; numbers, strings, booleans and None stay; anything else
    (an activation a config built, `nn.LeakyReLU(0.1)`) becomes the text it was written as."""
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return repr(v)  # 'nan', 'inf': JSON has no such numbers
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (set, frozenset)):
        return sorted(repr(x) for x in v)  # in a fixed order, so the same input gives the same bytes
    return repr(v)


def _strict(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _strict(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_strict(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return repr(v)
    return v


def dumps(data: Any, indent: Optional[int] = 2, ensure_ascii: bool = False) -> str:
    """Strict JSON text (RFC 8259): a non-finite number is written as its name in a string, since
    NaN and Infinity are not JSON and break other readers.

    Objects are laid out one key per line; a list of records (layers, outputs, diagnostics) one
    record per line, each record compact: readable, grep-able per layer, and written by the C
    encoder, which a fully indented dump cannot use (it is ten times slower on a big model)."""
    if indent is None:
        return json.dumps(_strict(data), ensure_ascii=ensure_ascii, allow_nan=False) + "\n"
    try:
        return _laid_out(data, 0, " " * indent, ensure_ascii) + "\n"
    except ValueError:  # a NaN or infinity somewhere: spell it out, then lay out again
        return _laid_out(_strict(data), 0, " " * indent, ensure_ascii) + "\n"


_COMPACT = {ascii_only: json.JSONEncoder(ensure_ascii=ascii_only, allow_nan=False, separators=(", ", ": ")).encode
            for ascii_only in (False, True)}  # built once: one per record would cost more than the record


def _laid_out(v: Any, level: int, pad: str, ascii_only: bool) -> str:
    compact = _COMPACT[ascii_only]
    inner, outer = pad * (level + 1), pad * level
    if isinstance(v, dict) and v:
        items = (f"{inner}{compact(str(k))}: {_laid_out(x, level + 1, pad, ascii_only)}" for k, x in v.items())
        return "{\n" + ",\n".join(items) + f"\n{outer}}}"
    if isinstance(v, (list, tuple)) and any(isinstance(x, (dict, list, tuple)) for x in v):
        return "[\n" + ",\n".join(f"{inner}{compact(x)}" for x in v) + f"\n{outer}]"
    return compact(v)


def output_dict(o: Output) -> dict:
    return {"shape": o.shape.as_list(), "stride": num(o.stride), "rf": num(o.rf),
            "rf_min": list(o.rf_min), "rf_max": list(o.rf_max),
            "global_context": o.global_context, "rf_exceeds_image": o.rf_exceeds_image}


def layer_dict(r: LayerResult) -> dict:
    outs = [output_dict(o) for o in r.outputs]

    def per_output(key: str) -> Any:  # one value for single-output layers, a list per level for heads
        return [o[key] for o in outs] if r.is_head else outs[0][key]

    return {
        "index": r.index, "from": list(r.src_from), "n": r.n, "module": r.module, "origin": r.origin,
        "definition": r.definition,
        "args": plain(r.args), "section": r.section, "line": r.line,
        "out_shape": per_output("shape"), "stride": per_output("stride"),
        "rf": per_output("rf"), "rf_min": per_output("rf_min"), "rf_max": per_output("rf_max"),
        "global_context": any(o.global_context for o in r.outputs),
        "rf_exceeds_image": any(o.rf_exceeds_image for o in r.outputs),
        "params": r.params, "params_fused": r.params_fused, "macs": r.macs,
        "gflops": r.gflops, "gflops_fused": r.gflops_fused, "flops": r.flops,
        "mem_bytes": r.mem_bytes, "mem_bytes_fused": r.mem_bytes_fused,
        "intensity": r.intensity,
        "parts": [{"name": p.name, "detail": p.detail, "count": p.count, "params": p.params, "gflops": p.gflops,
                   "flops": p.flops, "mem_bytes": p.mem_bytes} for p in r.parts],
    }


def form_dict(f: Form) -> dict:
    return {"module": f.module, "args": plain(f.args), "params": f.params, "params_fused": f.params_fused,
            "gflops": f.gflops, "gflops_fused": f.gflops_fused, "flops": f.flops,
            "mem_bytes": f.mem_bytes, "mem_bytes_fused": f.mem_bytes_fused, "stride": num(f.stride),
            "rf": num(f.rf), "rf_min": list(f.rf_min), "rf_max": list(f.rf_max)}


def rewrite_dict(r: Rewrite) -> dict:
    return {"kind": r.kind, "target": r.target, "layer": r.layer, "line": r.line, "equivalent": r.equivalent,
            "exactness": r.exactness, "applicable": r.applicable, "yaml_after": r.yaml_after,
            "before": form_dict(r.before), "after": form_dict(r.after) if r.after else None,
            "mapping": r.mapping, "reason": r.reason, "counterexample": r.counterexample}


def group_dict(g: Group) -> dict:
    return {"key": g.key, "layers": list(g.layers), **g.values, "share": dict(g.shares)}


def breakdown_dict(b: Optional[Breakdown]) -> Optional[dict]:
    if b is None:
        return None
    return {"totals": b.totals, "by_module": [group_dict(g) for g in b.by_module],
            "by_section": [group_dict(g) for g in b.by_section], "by_level": [group_dict(g) for g in b.by_level],
            "level_paths": [group_dict(g) for g in b.level_paths],
            "top": {m: [group_dict(g) for g in gs] for m, gs in b.top.items()}}


def latency_dict(lat: LayerLatency) -> dict:
    return {"ms": lat.ms, "bound": lat.bound, "overhead_ms": lat.overhead_ms, "compute_ms": lat.compute_ms,
            "memory_ms": lat.memory_ms, "calls": lat.calls, "ms_fused": lat.ms_fused, "by_class": lat.by_class}


def device_dicts(a: Analysis) -> dict:
    """With --device: the profile used, the whole estimate, and the advice (absent otherwise)."""
    if a.latency is None:
        return {}
    lt = a.latency
    return {"device": lt.device,
            "latency": {"kind": lt.kind, "total_ms": lt.total_ms, "total_ms_fused": lt.total_ms_fused,
                        "by_bound": lt.by_bound, "by_class": lt.by_class, "partial": lt.partial},
            "advice": [{"code": x.code, "layer": x.layer, "rule": x.rule, "message": x.message,
                        "saving_ms": x.saving_ms} for x in a.advice]}


def analysis_to_dict(a: Analysis) -> dict:
    t = a.totals
    layers = [layer_dict(r) for r in a.layers]
    if a.latency is not None:
        for d, lat in zip(layers, a.latency.layers):
            d["latency"] = latency_dict(lat)
    totals = {"params": t.params, "params_fused": t.params_fused, "gflops": t.gflops,
              "gflops_fused": t.gflops_fused, "macs": t.macs, "flops": t.flops,
              "mem_bytes": t.mem_bytes, "mem_bytes_fused": t.mem_bytes_fused,
              "intensity": t.intensity, "peak_activation_bytes": t.peak_activation_bytes,
              "peak_activation_layer": t.peak_layer, "partial": t.partial}
    if a.latency is not None:
        totals["latency_ms"] = a.latency.total_ms
        totals["latency_ms_fused"] = a.latency.total_ms_fused
    return {
        "schema": a.schema,
        "model": {"name": a.name, "path": a.path, "nc": a.nc},
        "input": {"ch": a.input.ch, "imgsz": list(a.input.imgsz), "batch": a.input.batch,
                  "dtype": a.input.dtype},
        "conventions": {"gflops": a.gflops_as},
        "layers": layers,
        "outputs": [{"name": lv.name, "layer": lv.layer, **output_dict(lv.output),
                     "anchors": [list(p) for p in lv.anchors]} for lv in a.levels],
        "totals": totals,
        "breakdown": breakdown_dict(a.breakdown),
        "rewrites": [rewrite_dict(r) for r in a.rewrites],
        "diagnostics": [{"code": d.code, "severity": d.severity, "layer": d.layer, "message": d.message}
                        for d in a.diagnostics],
        **device_dicts(a),
    }
