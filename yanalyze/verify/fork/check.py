"""`yanalyze verify CFG --crosscheck --repo DIR`: the analysis against the fork's own Model,
built by the fork's own parse_model in its process, layer by layer (params and output shapes).
This checks what yanalyze read from the source (the channel rules) end to end."""
from __future__ import annotations

from ...analyzer import diagnostics as D
from ...analyzer.engine import run_pass
from ...analyzer.load import ParsedModel
from ..crosscheck import LayerCheck, Numbers, numbers


def crosscheck(model: ParsedModel, hw: tuple[int, int]) -> list[LayerCheck]:
    from . import active

    fork = active()
    if fork is None:
        raise D.FORK_MISSING.error(detail="--crosscheck against a fork needs --repo")
    cfg = model.path if model.path and model.variant is None else model.config.data  # as the fork reads it
    reply = fork.session.request({"op": "model", "cfg": cfg, "nc": model.settings.nc,  # type: ignore[attr-defined]
                                  "imgsz": list(hw)}, "building the fork's own Model")
    passes = run_pass(model.specs, model.settings, hw, False, model.path)
    if "error" in reply:
        where = f"{reply['where']}: " if reply.get("where") else ""
        raise D.FORK_MODEL.error(error=f"{where}{reply['error']}").located(model.path)
    theirs = reply["layers"]
    out = []
    for k, (spec, lp) in enumerate(zip(model.specs, passes)):
        ours = numbers(lp.cost, [o.shape.as_list() for o in lp.outs])
        if k >= len(theirs):
            out.append(LayerCheck(spec.index, spec.module, ours, None, "the fork's Model has fewer layers"))
            continue
        t = theirs[k]
        head = spec.mdef.is_head
        mine = sorted(ours.shapes) if head else ours.shapes
        fork_numbers = Numbers(params=t["params"], shapes=sorted(t["shapes"]) if head else t["shapes"],
                               thop=ours.thop, macs=ours.macs, flops=ours.flops, act=ours.act, weights=ours.weights)
        out.append(LayerCheck(spec.index, spec.module, Numbers(ours.params, mine, ours.thop, ours.macs, ours.flops,
                                                               ours.act, ours.weights), fork_numbers))
    return out
