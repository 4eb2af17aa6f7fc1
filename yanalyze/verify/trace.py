"""Measure a user's torch module on the meta device (for `--modules FILE`).

The module is built with the row's resolved arguments and run once on a meta tensor under
a dispatch mode that sees every aten op: parameters by numel, output shapes, the thop-style
count (conv and matmul multiply-accumulates, 4 per batch-norm element, 11 per bilinear
output, average pools as thop counts them), complete FLOPs with the core's conventions for
element-wise ops, memory access per op (views are free), and the receptive field carried
through convolutions, pools and upsampling. An op that mixes positions in a way the tracker
does not follow marks the output as global context; ops it cannot count are named.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from math import prod
from typing import Optional

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

from ..analyzer.field import AxisField
from ..analyzer.model import Cost

aten = torch.ops.aten
VIEWS = {aten.view, aten._unsafe_view, aten.reshape, aten.permute, aten.split, aten.split_with_sizes, aten.slice,
         aten.expand, aten.t, aten.transpose, aten.unsqueeze, aten.squeeze, aten.flatten, aten.select, aten.detach,
         aten.alias, aten.unbind, aten.as_strided, aten.narrow, aten.chunk, aten.empty_like, aten.clone}
ELEMENTWISE = {aten.add: 1, aten.sub: 1, aten.mul: 1, aten.div: 1, aten.neg: 1, aten.rsub: 1, aten.relu: 1,
               aten.clamp: 2, aten.hardtanh: 2, aten.leaky_relu: 2, aten.sigmoid: 3, aten.elu: 3, aten.silu: 4,
               aten.hardsigmoid: 4, aten.hardswish: 5, aten.tanh: 5, aten.mish: 7, aten.gelu: 8, aten.exp: 1,
               aten.sqrt: 1, aten.rsqrt: 1, aten.pow: 1, aten.abs: 1, aten.maximum: 1, aten.minimum: 1,
               aten.where: 1, aten.fill: 0, aten.zeros_like: 0, aten.ones_like: 0, aten.copy_: 0, aten.cat: 0,
               aten.stack: 0, aten.constant_pad_nd: 0, aten.contiguous: 0, aten._to_copy: 0}


@dataclass
class Field:
    """Receptive field of a tensor; flat: its spatial layout was lost (flattened, permuted)."""

    fh: AxisField
    fw: AxisField
    glob: bool
    flat: bool = False


@dataclass
class Measured:
    """What one run of a traced module counted (nothing is folded: fused equals unfused)."""

    cost: Cost = field(default_factory=Cost)
    uncounted: set = field(default_factory=set)

    def add(self, thop: int = 0, macs: int = 0, flops: int = 0, act: int = 0, weights: int = 0) -> None:
        self.cost = self.cost + Cost(thop=thop, thop_fused=thop, macs=macs, flops=flops, act=act,
                                     weights=weights, act_fused=act, weights_fused=weights)


class Tracer(TorchDispatchMode):
    """Counts every aten op and carries receptive fields through the spatial ones."""

    def __init__(self, weights: set[int], fields: dict[int, Field]):
        super().__init__()
        self.weights, self.fields, self.m = weights, fields, Measured()
        self.keep: list = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        packet = func.overloadpacket
        ins = [t for t in tree_flatten((args, kwargs))[0] if isinstance(t, torch.Tensor)]
        outs = [t for t in tree_flatten(out)[0] if isinstance(t, torch.Tensor)]
        if packet not in VIEWS:
            w = sum(t.numel() for t in ins if id(t) in self.weights)
            self.m.add(weights=w, act=sum(t.numel() for t in ins) - w + sum(t.numel() for t in outs))
        self._count(packet, args, ins, outs)
        self._propagate(packet, args, ins, outs)
        self.keep += outs
        return out

    def _count(self, packet, args, ins, outs) -> None:
        n_out = sum(t.numel() for t in outs)
        if packet is aten.convolution:
            x, w = args[0], args[1]
            transposed = args[6]
            macs = (x.numel() * w.shape[1] * prod(w.shape[2:])) if transposed else n_out * prod(w.shape[1:])
            self.m.add(thop=macs, macs=macs, flops=2 * macs + (n_out if args[2] is not None else 0))
        elif packet in (aten.mm, aten.addmm, aten.bmm, aten.baddbmm, aten.matmul):
            a = args[1] if packet in (aten.addmm, aten.baddbmm) else args[0]
            macs = n_out * a.shape[-1]
            self.m.add(thop=macs, macs=macs, flops=2 * macs + (n_out if packet in (aten.addmm, aten.baddbmm) else 0))
        elif packet in (aten.native_batch_norm, aten._native_batch_norm_legit,
                        aten._native_batch_norm_legit_no_training):
            self.m.add(thop=(4 if args[1] is not None else 2) * args[0].numel(), flops=2 * args[0].numel())
        elif packet in (aten.max_pool2d_with_indices, aten.max_pool2d):
            self.m.add(flops=(prod(args[1]) - 1) * outs[0].numel())
        elif packet in (aten.avg_pool2d, aten._adaptive_avg_pool2d, aten.mean, aten.sum, aten.amax):
            pooled = packet in (aten.avg_pool2d, aten._adaptive_avg_pool2d)
            self.m.add(flops=ins[0].numel(), thop=ins[0].numel() + n_out if pooled else 0)
        elif packet in (aten.upsample_bilinear2d,):
            self.m.add(thop=11 * n_out, flops=7 * n_out)
        elif packet in (aten._softmax, aten.softmax):
            self.m.add(flops=3 * n_out)
        elif packet in ELEMENTWISE:
            self.m.add(flops=ELEMENTWISE[packet] * n_out)
        elif packet not in VIEWS and packet not in (aten.upsample_nearest2d, aten.empty, aten.zeros, aten.ones):
            self.m.uncounted.add(str(packet))

    def _propagate(self, packet, args, ins, outs) -> None:
        known = [self.fields[id(t)] for t in ins if id(t) in self.fields]
        if not known or not outs:
            return
        first = known[0]
        x = ins[0]
        if packet is aten.convolution and len(x.shape) == 4:
            w, (sh, sw), (ph, pw), (dh, dw), transposed = args[1], args[3], args[4], args[5], args[6]
            kh, kw = w.shape[2], w.shape[3]
            if transposed:
                f = Field(first.fh.transposed(kh, sh, ph, dh), first.fw.transposed(kw, sw, pw, dw), first.glob)
            else:
                f = Field(first.fh.window(kh, sh, ph, dh), first.fw.window(kw, sw, pw, dw), first.glob)
        elif packet in (aten.max_pool2d_with_indices, aten.max_pool2d, aten.avg_pool2d):
            k = list(args[1]) * (2 if len(args[1]) == 1 else 1)
            s = list(args[2] or k) * (2 if len(args[2] or k) == 1 else 1)
            p = list(args[3]) * (2 if len(args[3]) == 1 else 1) if len(args) > 3 else [0, 0]
            f = Field(first.fh.window(k[0], s[0], p[0]), first.fw.window(k[1], s[1], p[1]), first.glob)
        elif packet in (aten.upsample_nearest2d, aten.upsample_bilinear2d) and len(x.shape) == 4:
            u = outs[0].shape[-2] // x.shape[-2]
            up = "upsample_linear" if packet is aten.upsample_bilinear2d else "upsample"
            f = Field(getattr(first.fh, up)(u), getattr(first.fw, up)(u), first.glob)
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


def measure(cls: type, args: list, shape: tuple[int, int, int], field_in: Optional[Field]) -> tuple:
    """Build cls(*args) on the meta device, run it on a 1 x C x H x W input, count everything."""
    with torch.device("meta"):
        module = cls(*args).eval()
    tensors = {id(p): p for p in [*module.parameters(), *module.buffers()]}
    x = torch.empty(1, *shape, device="meta")
    fields = {id(x): field_in} if field_in else {}
    tracer = Tracer(set(tensors), fields)
    with torch.no_grad(), tracer:
        y = module(x)
    params = sum(p.numel() for p in module.parameters())
    tracer.m.cost = replace(tracer.m.cost, params=params, params_fused=params)
    outs = [t for t in tree_flatten(y)[0] if isinstance(t, torch.Tensor)]
    return tracer.m, [(tuple(t.shape[1:]), fields.get(id(t))) for t in outs]
