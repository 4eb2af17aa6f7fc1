"""Measure a torch module by running it once on the meta device and counting every kernel.

Every aten op is priced by yanalyze.analyzer.conventions, the same functions the analytic
cost models call: MACs and complete FLOPs, and the elements each kernel reads (its tensor
inputs, as stored: a broadcast view reads its real elements) and writes (its outputs,
without what only training needs: pool indices, saved batch statistics). Parameters,
buffers and views of them are weights. The ultralytics-thop figure is counted as thop
counts it: per leaf module with a rule, plus matrix products called outside such modules.
Receptive fields are carried through convolutions, pools and upsampling; an op that mixes
positions in a way the tracker does not follow marks its output as global context. Ops
without a rule are named, never silently counted as zero.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from math import prod
from typing import Any, Callable, Optional

import torch
import torch.nn as nn
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

from ..analyzer import conventions as C
from ..analyzer.cost import Cost
from ..analyzer.field import AxisField
from .thop_rules import functional_thop, module_thop

VIEWS = {"view", "_unsafe_view", "reshape", "permute", "split", "split_with_sizes", "slice", "expand", "t",
         "transpose", "unsqueeze", "squeeze", "flatten", "select", "detach", "alias", "unbind", "as_strided",
         "narrow", "chunk", "unflatten", "view_as", "expand_as", "movedim", "_reshape_alias", "lift_fresh"}
FREE = {"empty", "zeros", "ones", "arange", "full", "empty_like", "zeros_like", "ones_like", "scalar_tensor",
        "fill", "new_empty", "new_zeros", "empty_strided", "_local_scalar_dense", "dropout"}
ACTIVATIONS = {"relu": "ReLU", "hardtanh": "ReLU6", "clamp": "ReLU6", "leaky_relu": "LeakyReLU", "elu": "ELU",
               "sigmoid": "Sigmoid", "silu": "SiLU", "hardsigmoid": "Hardsigmoid", "hardswish": "Hardswish",
               "tanh": "Tanh", "mish": "Mish", "gelu": "GELU"}
ELEMENTWISE = {"add", "sub", "mul", "div", "neg", "rsub", "pow", "abs", "exp", "sqrt", "rsqrt", "maximum",
               "minimum", "where", "log", "reciprocal", "masked_fill", "ne", "eq", "gt"}
# data movement: concat, pads, gathers (index), cyclic shifts (roll), unfold (im2col)
COPIES = {"cat", "stack", "constant_pad_nd", "clone", "_to_copy", "contiguous", "upsample_nearest2d", "index",
          "roll", "im2col"}


def distinct(t: torch.Tensor) -> int:
    """Elements a kernel really reads of a tensor: a broadcast (stride 0) axis counts once."""
    return prod(s for s, st in zip(t.shape, t.stride()) if st != 0) if t.dim() else 1


def _n(ts: list) -> int:
    return sum(distinct(t) for t in ts)


def _conv(a: tuple, ins: list, outs: list) -> Cost:
    x, w, b, transposed, y = a[0], a[1], a[2], a[6], outs[0]
    k = prod(w.shape[2:])
    if transposed:
        return C.conv_transposed(distinct(x), y.numel(), w.shape[0], y.shape[1], w.shape[1], k, b is not None)
    return C.conv(distinct(x), y.numel(), w.shape[0], w.shape[1], k, b is not None)


def _matmul(bias: bool) -> Callable[[tuple, list, list], Cost]:
    def price(a: tuple, ins: list, outs: list) -> Cost:
        p, q = (a[1], a[2]) if bias else (a[0], a[1])
        return C.matmul(outs[0].numel(), p.shape[-1], distinct(p), distinct(q), distinct(a[0]) if bias else 0)
    return price


def _avgpool(a: tuple, ins: list, outs: list) -> Cost:
    x, y = a[0], outs[0]
    k = list(a[1]) * (2 // len(a[1]))
    s = list(a[2] or k) * (2 // len(a[2] or k))
    p = list(a[3]) * (2 // len(a[3])) if len(a) > 3 else [0, 0]
    pad = a[5] if len(a) > 5 else True
    adds = prod(x.shape[:-2]) * C.window_sum(x.shape[-2], y.shape[-2], k[0], s[0], p[0], pad) \
        * C.window_sum(x.shape[-1], y.shape[-1], k[1], s[1], p[1], pad)
    return C.avgpool(distinct(x), y.numel(), k[0] * k[1], adds)


def _adaptive(a: tuple, ins: list, outs: list) -> Cost:
    x, y = a[0], outs[0]
    adds = prod(x.shape[:-2]) * C.adaptive_span(x.shape[-2], y.shape[-2]) * C.adaptive_span(x.shape[-1], y.shape[-1])
    return C.adaptive_avgpool(distinct(x), y.numel(), adds)


def _norm(a: tuple, ins: list, outs: list) -> Cost:
    """native_layer_norm(x, shape, w, b) and native_group_norm(x, w, b, n, c, hw, groups)."""
    x = a[0]
    if len(a) > 6:  # group norm
        weight, n, c, groups = a[1], a[3], a[4], a[6]
        return C.normalization(distinct(x), n * groups, c, weight is not None)
    c = prod(a[1])
    return C.normalization(distinct(x), x.numel() // c, c, a[2] is not None)


def _max_reduction(a: tuple, ins: list, outs: list) -> Cost:
    """torch.max over a dim, adaptive max pool: a max over the elements each output covers."""
    x, y = a[0], outs[0]
    return C.maxpool(distinct(x), y.numel(), x.numel() // y.numel())


def _topk(a: tuple, ins: list, outs: list) -> Cost:
    """torch.topk: k maxima of each row, (f - 1) comparisons per selected value (as a max over f
    elements); reads the input, writes the values and the indices."""
    x, values, indices = a[0], outs[0], outs[1]
    dim = a[2] if len(a) > 2 else -1
    return C.maxpool(distinct(x), values.numel(), x.shape[dim]) + C.copy(0, indices.numel())


def _index_put(a: tuple, ins: list, outs: list) -> Cost:
    """target[indices] = values: reads the indices and the values, writes the addressed elements."""
    target, indices, values = a[0], a[1], a[2]
    used = [t for t in indices if t is not None]
    kept = prod(s for d, s in enumerate(target.shape) if d >= len(indices) or indices[d] is None)
    return C.copy(_n(used) + distinct(values), kept * prod(torch.broadcast_shapes(*(t.shape for t in used))))


PRICES: dict[str, Callable[[tuple, list, list], Cost]] = {
    "convolution": _conv, "mm": _matmul(False), "bmm": _matmul(False), "addmm": _matmul(True),
    "baddbmm": _matmul(True),
    "native_batch_norm": lambda a, ins, outs: C.batchnorm(distinct(a[0]), a[0].shape[1]),
    "_native_batch_norm_legit_no_training": lambda a, ins, outs: C.batchnorm(distinct(a[0]), a[0].shape[1]),
    "native_layer_norm": _norm, "native_group_norm": _norm,
    "max_pool2d_with_indices": lambda a, ins, outs: C.maxpool(distinct(a[0]), outs[0].numel(), prod(a[1]) if
                                                              len(a[1]) == 2 else a[1][0] ** 2),
    "max_pool3d_with_indices": lambda a, ins, outs: C.maxpool(distinct(a[0]), outs[0].numel(),
                                                              prod(list(a[1]) * (3 // len(a[1])))),
    "max": _max_reduction, "adaptive_max_pool2d": _max_reduction, "topk": _topk,
    "gather": lambda a, ins, outs: C.copy(distinct(a[0]) + distinct(a[2]), outs[0].numel()),
    "avg_pool2d": _avgpool, "_adaptive_avg_pool2d": _adaptive,
    "mean": lambda a, ins, outs: C.reduction(distinct(a[0]), outs[0].numel()),
    "sum": lambda a, ins, outs: C.reduction(distinct(a[0]), outs[0].numel()),
    "upsample_bilinear2d": lambda a, ins, outs: C.upsample(distinct(a[0]), outs[0].numel(), "bilinear", False),
    "_softmax": lambda a, ins, outs: C.softmax(outs[0].numel()),
    "index_put": _index_put,
}


def price(name: str, args: tuple, ins: list, outs: list) -> Optional[Cost]:
    """The conventions' cost of one aten op (None: no rule)."""
    if name in PRICES:
        return PRICES[name](args, ins, outs)
    if name in ACTIVATIONS:
        return C.activation(ACTIVATIONS[name], outs[0].numel())
    if name in ELEMENTWISE:
        return C.elementwise(outs[0].numel(), _n(ins))
    if name in COPIES:
        return C.copy(_n(ins), outs[0].numel())
    if name == "copy":  # dst.copy_(src): reads src, writes dst
        return C.copy(distinct(ins[1]), ins[0].numel())
    return None


@dataclass
class Field:
    """Receptive field of a tensor; flat: its spatial layout was lost (flattened, permuted)."""

    fh: AxisField
    fw: AxisField
    glob: bool
    flat: bool = False


@dataclass
class Measured:
    """What one run counted (nothing is folded: fused equals unfused), and the ops it could not."""

    cost: Cost = field(default_factory=Cost)
    uncounted: set = field(default_factory=set)
    ops: list = field(default_factory=list)  # (op name, Cost) in order, for explaining differences


class Tracer(TorchDispatchMode):
    """Counts every aten op and carries receptive fields through the spatial ones."""

    def __init__(self, weights: set[int], fields: dict[int, Field]):
        super().__init__()
        self.weights, self.fields, self.m = weights, fields, Measured()
        self.keep: list = []  # outputs stay referenced, so their ids stay unique

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        name = func.overloadpacket.__name__.rstrip("_") or func.overloadpacket.__name__
        ins = [t for t in tree_flatten((args, kwargs))[0] if isinstance(t, torch.Tensor)]
        outs = [t for t in tree_flatten(out)[0] if isinstance(t, torch.Tensor)]
        if name in VIEWS:
            if any(id(t) in self.weights for t in ins):
                self.weights.update(id(t) for t in outs)
        elif name not in FREE:
            self._count(name, args, ins, outs)
        self._propagate(name, args, ins, outs)
        self.keep += outs
        return out

    def _count(self, name: str, args: tuple, ins: list, outs: list) -> None:
        c = price(name, args, ins, outs) if outs else None
        if c is None:
            self.m.uncounted.add(name)
            return
        w = _n([t for t in ins if id(t) in self.weights])
        moved = c.act + c.weights
        op_cost = Cost(macs=c.macs, flops=c.flops, act=moved - w, weights=w, act_fused=moved - w, weights_fused=w)
        self.m.ops.append((name, op_cost))
        self.m.cost = self.m.cost + op_cost

    def _propagate(self, name: str, args: tuple, ins: list, outs: list) -> None:
        known = [self.fields[id(t)] for t in ins if id(t) in self.fields]
        if not known or not outs:
            return
        first, x = known[0], ins[0]
        if name == "convolution" and x.dim() == 4:
            w, (sh, sw), (ph, pw), (dh, dw), transposed = args[1], args[3], args[4], args[5], args[6]
            kh, kw = w.shape[2], w.shape[3]
            how = "transposed" if transposed else "window"
            f = Field(getattr(first.fh, how)(kh, sh, ph, dh), getattr(first.fw, how)(kw, sw, pw, dw), first.glob)
        elif name in ("max_pool2d_with_indices", "avg_pool2d"):
            k = list(args[1]) * (2 // len(args[1]))
            s = list(args[2] or k) * (2 // len(args[2] or k))
            p = list(args[3]) * (2 // len(args[3])) if len(args) > 3 else [0, 0]
            f = Field(first.fh.window(k[0], s[0], p[0]), first.fw.window(k[1], s[1], p[1]), first.glob)
        elif name in ("upsample_nearest2d", "upsample_bilinear2d") and x.dim() == 4:
            u = outs[0].shape[-2] // x.shape[-2]
            up = "upsample_linear" if name == "upsample_bilinear2d" else "upsample"
            f = Field(getattr(first.fh, up)(u), getattr(first.fw, up)(u), first.glob)
        elif name in ("slice", "constant_pad_nd") and x.dim() == 4 and not first.flat and _moves(name, args):
            f = _shifted(name, args, first, x)
        else:
            self._join(known, ins, outs)
            return
        for t in outs:
            self.fields[id(t)] = f

    def _join(self, known: list[Field], ins: list, outs: list) -> None:
        """An output on the grid of a tracked 4-D input gets the union of the inputs' windows;
        a non-4-D output carries them as 'flat'; a 4-D output rebuilt from flat data (or on a
        new grid) may depend on any position: global."""
        fh, fw, glob = known[0].fh, known[0].fw, any(k.glob for k in known)
        for k in known[1:]:
            fh, fw = fh.join(k.fh), fw.join(k.fw)
        grids = {tuple(t.shape[-2:]) for t in ins if t.dim() == 4 and id(t) in self.fields
                 and not self.fields[id(t)].flat}
        for t in outs:
            if t.dim() != 4:
                self.fields[id(t)] = Field(fh, fw, glob, flat=True)
            else:
                self.fields[id(t)] = Field(fh, fw, glob or tuple(t.shape[-2:]) not in grids)


def _moves(name: str, args: tuple) -> bool:
    """A crop or stride along rows or columns (Focus's x[..., ::2, ::2]), or a zero pad."""
    return name == "constant_pad_nd" or (len(args) > 1 and args[1] in (2, 3, -1, -2))


def _shifted(name: str, args: tuple, f: Field, x: torch.Tensor) -> Field:
    """Output i of a slice reads input start + i*step; of a pad, input i - before. The textbook
    field counts a step-s slice as an s x s stride-s window, as for space-to-depth."""
    if name == "constant_pad_nd":
        pad = list(args[1]) + [0] * (4 - len(args[1]))
        return Field(f.fh.window(1, 1, pad[2]), f.fw.window(1, 1, pad[0]), f.glob)
    dim = args[1] % 4
    start = args[2] if len(args) > 2 and args[2] is not None else 0
    start = start + x.shape[dim] if start < 0 else start
    step = args[4] if len(args) > 4 else 1
    before = f.fh if dim == 2 else f.fw
    axis = replace(before.window(1, step, -start), rf=before.rf + (step - 1) * before.jump)
    return Field(axis, f.fw, f.glob) if dim == 2 else Field(f.fh, axis, f.glob)


class ThopCounter(TorchFunctionMode):
    """ultralytics-thop's count: leaf modules by their rule, matrix products outside them."""

    def __init__(self, module: nn.Module):
        super().__init__()
        self.ops, self.depth = 0, 0
        self.hooks = []
        for m in module.modules():
            rule = module_thop(m)
            if rule is not None:
                self.hooks.append(m.register_forward_pre_hook(self._enter))
                self.hooks.append(m.register_forward_hook(self._leave(rule)))

    def _enter(self, m: nn.Module, args: Any) -> None:
        self.depth += 1

    def _leave(self, rule: Callable) -> Callable:
        def hook(m: nn.Module, args: Any, y: Any) -> None:
            self.depth -= 1
            self.ops += rule(m, args, y)
        return hook

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        y = func(*args, **kwargs)
        rule = functional_thop(func)
        if rule is not None and not self.depth:
            self.ops += rule(args, kwargs, y)
        return y

    def remove(self) -> None:
        for h in self.hooks:
            h.remove()


def measure_module(module: nn.Module, inputs: list, fields: Optional[list] = None,
                   as_list: bool = False) -> tuple[Measured, Any, list]:
    """Run a module once (inference, no grad) on meta tensors and count it. Returns the
    measurement (params from the module), the output, and [(shape, field)] per output tensor."""
    weight_ids = {id(p) for p in [*module.parameters(), *module.buffers()]}
    field_map = {id(x): f for x, f in zip(inputs, fields or []) if f is not None}
    tracer, thop = Tracer(weight_ids, field_map), ThopCounter(module)
    try:
        with torch.no_grad(), thop, tracer:
            y = module(list(inputs) if as_list else inputs[0])
    finally:
        thop.remove()
    params = sum(p.numel() for p in module.parameters())
    tracer.m.cost = tracer.m.cost + Cost(params=params, params_fused=params, thop=thop.ops, thop_fused=thop.ops)
    outs = [(tuple(t.shape[1:]), field_map.get(id(t))) for t in tree_flatten(y)[0] if isinstance(t, torch.Tensor)]
    return tracer.m, y, outs


def measure(cls: type, args: list, shape: tuple[int, int, int], field_in: Optional[Field]) -> tuple:
    """Build cls(*args) on the meta device, run it on a 1 x C x H x W input, count everything.
    Returns the measurement and [(output shape, receptive field)] per output tensor."""
    with torch.device("meta"):
        module = cls(*args).eval()
    m, _, outs = measure_module(module, [torch.empty(1, *shape, device="meta")], [field_in])
    return m, outs
