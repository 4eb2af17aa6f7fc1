"""The rewrite registry: one entry per equivalence rewrite (Focus -> Conv, SPP -> SPPF,
Conv+BN folding), and what every command does with them: find the rows a rule speaks
about, apply the applicable ones to the config data and to the YAML text, and measure
each rewrite by analysing the rewritten model. A new rule is one new module here.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Optional, Sequence

from ..config import Config
from ..load import ParsedModel, load_model
from ..model import Form, LayerResult, Rewrite
from . import focus, fold, spp
from .base import Plan, RewriteRule

RULES: dict[str, RewriteRule] = {r.kind: r for r in (focus.RULE, spp.RULE, fold.RULE)}
BY_SOURCE: dict[str, RewriteRule] = {src: r for r in RULES.values() for src in r.sources}
EQUIVALENT: dict[str, str] = {src: r.target for src, r in BY_SOURCE.items()}  # modules that rewrite into another

__all__ = ["RULES", "BY_SOURCE", "EQUIVALENT", "Plan", "RewriteRule", "plans", "applicable", "rewritten_data",
           "rewritten_text", "reload", "findings", "check", "flow"]


def plans(model: ParsedModel, only: Optional[str] = None) -> list[Plan]:
    """Every row a layer rule speaks about (equivalent or not), optionally one kind only."""
    out = []
    for row, spec in zip(model.config.rows, model.specs):
        rule = BY_SOURCE.get(spec.module)
        if rule is not None and rule.plan is not None and (only is None or only == rule.kind):
            out.append(rule.plan(row, spec))
    return out


def applicable(ps: Sequence[Plan]) -> list[Plan]:
    return [p for p in ps if p.applicable]


def rewritten_data(cfg: Config, ps: Sequence[Plan]) -> dict:
    """The config mapping with the applicable rows replaced (for analysing the result)."""
    data = {k: (list(v) if isinstance(v, list) else v) for k, v in cfg.data.items()}
    for p in applicable(ps):
        row = cfg.rows[p.layer]
        data[row.key][row.pos] = [row.src_from, row.number, p.module, p.yaml_args]
    return data


def reload(model: ParsedModel, ps: Sequence[Plan]) -> ParsedModel:
    """The parsed model of the config with the applicable rewrites applied."""
    return load_model(rewritten_data(model.config, ps), model.settings.nc, model.variant, model.allow_unknown,
                      model.definitions)


def _form(r: LayerResult) -> Form:
    o = r.out
    return Form(module=r.module, args=r.args, params=r.params, params_fused=r.params_fused, gflops=r.gflops,
                gflops_fused=r.gflops_fused, flops=r.flops, mem_bytes=r.mem_bytes, mem_bytes_fused=r.mem_bytes_fused,
                rf=o.rf, rf_min=o.rf_min, rf_max=o.rf_max, stride=o.stride, kernels=r.kernels)


def findings(model: ParsedModel, results: list[LayerResult],
             relayer: Callable[[ParsedModel], list[LayerResult]]) -> list[Rewrite]:
    """Each layer rule's verdict per layer; applicable ones measured on the rewritten model."""
    ps = plans(model)
    after = relayer(reload(model, ps)) if applicable(ps) else None
    found = []
    for p in ps:
        spec = model.specs[p.layer]
        found.append(Rewrite(
            kind=p.kind, target=p.module, layer=p.layer, line=spec.line, equivalent=p.equivalent,
            exactness=p.exactness, applicable=p.applicable, before=_form(results[p.layer]),
            after=_form(after[p.layer]) if p.applicable and after else None, mapping=p.mapping, reason=p.reason,
            counterexample=p.counterexample, yaml_after=f"{p.module}, {flow(p.yaml_args)}" if p.applicable else None))
    return found


def flow(v: Any) -> str:
    """A value as YAML flow text, as people write YOLOv5 rows: [64, 6, 2, 2]."""
    if isinstance(v, list):
        return "[" + ", ".join(flow(x) for x in v) + "]"
    if v is None:
        return "None"
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, str) and not re.fullmatch(r"[A-Za-z0-9_.*+/() -]+", v):
        return "'" + v.replace("'", "''") + "'"
    return str(v)


def rewritten_text(cfg: Config, ps: Sequence[Plan]) -> str:
    """The file text with only the module name and args of each rewritten row replaced."""
    assert cfg.text is not None
    text = cfg.text
    edits = []
    for p in applicable(ps):
        span = cfg.rows[p.layer].span
        if span is None:
            raise ValueError(f"layer {p.layer}: the row is not written out as its own 4-item sequence (a YAML "
                             "alias or merge); rewrite it by hand")
        if any(re.search(r"(^|[\s\[,{])&[^\s]", text[a:b]) for a, b in (span.module, span.args)):
            raise ValueError(f"layer {p.layer}: the row carries a YAML anchor (&) that other rows may use; "
                             "rewrite it by hand")
        edits += [(span.module, p.module), (span.args, flow(p.yaml_args))]
    spans = sorted(span for span, _ in edits)
    for (_, end), (start, _) in zip(spans, spans[1:]):
        if start < end:
            raise ValueError("two rewritten rows share their text (YAML anchors); rewrite them by hand")
    for (start, end), new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def check(before: Sequence[LayerResult], after: Sequence[LayerResult], found: Sequence[Rewrite]) -> list[str]:
    """What differs between the analyses of a config and of its rewrite, beyond what was promised.

    Every layer must keep its output shapes, strides and receptive fields; rewritten layers
    must have the module and numbers their finding announced, the others their own numbers.
    """
    promised = {r.layer: r.after for r in found if r.applicable}
    problems = []
    if len(before) != len(after):
        return [f"{len(before)} layers became {len(after)}"]
    for b, a in zip(before, after):
        if [(o.shape, o.stride, o.rf, o.rf_min, o.rf_max) for o in b.outputs] != \
                [(o.shape, o.stride, o.rf, o.rf_min, o.rf_max) for o in a.outputs]:
            problems.append(f"layer {b.index}: output shape, stride or receptive field changed")
        want = promised.get(b.index)
        expect = (want.module, want.params, want.gflops) if want else (b.module, b.params, b.gflops)
        if (a.module, a.params, a.gflops) != expect:
            problems.append(f"layer {b.index}: got {a.module} with {a.params} params, expected {expect}")
    return problems
