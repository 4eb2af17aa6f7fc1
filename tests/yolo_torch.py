"""Torch reference of YOLOv5 (v7.0) models, used by the tests as an oracle.

Written from the spec (/work/shared/spec/yolov5-semantics.md) to mirror the official
module structure exactly (same submodules, parameters and forward ops), so that
parameter counts, shapes and thop FLOPs match the official code. YAML content is
never evaluated as code: module names go through a table and argument strings
through a tiny arithmetic resolver.

Measurement helpers (layer_table, gflops, layer_gflops, receptive_field_by_gradient)
live in torch_oracle.py and are re-exported here lazily.
"""
import ast
import math
import re
from copy import deepcopy
from pathlib import Path

import torch
import torch.nn as nn
import yaml


# The building blocks are yanalyze's torch modules (checked against the published figures in
# test_reference_selfcheck.py); the parser, model and measurements here are independent.
from yanalyze.verify.blocks import (  # noqa: F401  (re-exported for the tests)
    C3, C3SPP, C3TR, MODULES, SPP, SPPF, Bottleneck, BottleneckCSP, C3Ghost, C3x, Classify, Concat,
    Contract, Conv, CrossConv, Detect, DWConv, DWConvTranspose2d, Expand, Focus, GhostBottleneck, GhostConv,
    MixConv2d, Proto, Segment, TransformerBlock, TransformerLayer, _ORIGIN, autopad, fuse_conv_and_bn)


CONV_LIKE = {Conv, GhostConv, Bottleneck, GhostBottleneck, SPP, SPPF, DWConv, MixConv2d, Focus, CrossConv,
             BottleneckCSP, C3, C3TR, C3SPP, C3Ghost, nn.ConvTranspose2d, DWConvTranspose2d, C3x}
CSP_LIKE = {BottleneckCSP, C3, C3TR, C3Ghost, C3x}


def make_divisible(x, divisor):
    """Smallest multiple of divisor that is >= x."""
    return math.ceil(x / divisor) * divisor


def resolve_module(name):
    """Module class for a YAML module name ('C3', 'nn.Upsample', 'torch.nn.Conv2d'); KeyError if unknown."""
    if not isinstance(name, str):
        return name
    if name in MODULES:
        return MODULES[name]
    for prefix in ('nn.', 'torch.nn.'):
        if name.startswith(prefix):
            cls = getattr(nn, name[len(prefix):], None)
            if isinstance(cls, type) and issubclass(cls, nn.Module):
                return cls
    raise KeyError(f'unknown module {name!r}')


class _Unresolved(Exception):
    pass


_BINOPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
           ast.Div: lambda a, b: a / b, ast.FloorDiv: lambda a, b: a // b, ast.Mod: lambda a, b: a % b,
           ast.Pow: lambda a, b: a ** b}


def _value(node, names):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in names:
            return names[node.id]
        raise _Unresolved(node.id)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        return _BINOPS[type(node.op)](_value(node.left, names), _value(node.right, names))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _value(node.operand, names)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, (ast.List, ast.Tuple)):
        vals = [_value(e, names) for e in node.elts]
        return vals if isinstance(node, ast.List) else tuple(vals)
    raise _Unresolved(ast.dump(node))


def resolve_arg(a, nc, anchors):
    """Resolve one YAML arg: symbols nc/anchors/None/True/False, numbers and + - * / // % ** on them.
    Anything else (e.g. 'nearest') stays a string, like the official NameError fallback."""
    if not isinstance(a, str):
        return a
    try:
        return _value(ast.parse(a.strip(), mode='eval').body,
                      {'nc': nc, 'anchors': anchors, 'None': None, 'True': True, 'False': False})
    except (SyntaxError, _Unresolved, TypeError, ZeroDivisionError):
        return a


def parse_activation(s):
    """nn.Module instance for an activation string like 'nn.LeakyReLU(0.1)' or 'nn.SiLU()' (literal args only)."""
    m = re.fullmatch(r'\s*(?:torch\.)?nn\.(\w+)\s*(?:\((.*)\))?\s*', s)
    if not m:
        raise ValueError(f'unsupported activation {s!r}')
    call = ast.parse(f'f({m.group(2) or ""})', mode='eval').body
    args = [ast.literal_eval(a) for a in call.args]
    kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    return resolve_module(f'nn.{m.group(1)}')(*args, **kwargs)


def _type_name(m):
    return f'{_ORIGIN[m]}.{m.__name__}' if m in _ORIGIN else str(m)[8:-2]


def parse_model(d, ch=3):
    """Build the layer list of a YOLOv5 model dict like the official parse_model.

    Returns (nn.Sequential of layers, sorted save list). Each layer gets i, f, type, np
    (and n_, args for reference). Conv.default_act is set from d['activation'] for the
    build and restored afterwards.
    """
    d = deepcopy(d)
    anchors, nc, gd, gw = d['anchors'], d['nc'], d['depth_multiple'], d['width_multiple']
    act, ch_mul = d.get('activation'), d.get('channel_multiple') or 8
    na = (len(anchors[0]) // 2) if isinstance(anchors, list) else anchors
    no = na * (nc + 5)
    saved_act = Conv.default_act
    if act:
        Conv.default_act = parse_activation(act)
    try:
        layers, save, chs, c2 = [], [], [ch], ch
        for i, (f, n, m, args) in enumerate(d['backbone'] + d['head']):
            m = resolve_module(m)
            args = [resolve_arg(a, nc, anchors) for a in args]
            n = n_ = max(round(n * gd), 1) if n > 1 else n
            if m in CONV_LIKE:
                c1, c2 = chs[f], args[0]
                if c2 != no:
                    c2 = make_divisible(c2 * gw, ch_mul)
                args = [c1, c2, *args[1:]]
                if m in CSP_LIKE:
                    args.insert(2, n)
                    n = 1
            elif m is nn.BatchNorm2d:
                args = [chs[f]]
            elif m is Concat:
                c2 = sum(chs[x] for x in f)
            elif m in (Detect, Segment):
                args.append([chs[x] for x in f])
                if isinstance(args[1], int):
                    args[1] = [list(range(args[1] * 2))] * len(f)
                if m is Segment:
                    args[3] = make_divisible(args[3] * gw, ch_mul)
            elif m is Contract:
                c2 = chs[f] * args[0] ** 2
            elif m is Expand:
                c2 = chs[f] // args[0] ** 2
            else:
                c2 = chs[f]
            m_ = nn.Sequential(*(m(*args) for _ in range(n))) if n > 1 else m(*args)
            m_.i, m_.f, m_.type = i, f, _type_name(m)
            m_.np = sum(x.numel() for x in m_.parameters())
            m_.n_, m_.args = n_, args
            save.extend(x % i for x in ([f] if isinstance(f, int) else f) if x != -1)
            layers.append(m_)
            if i == 0:
                chs = []
            chs.append(c2)
    finally:
        Conv.default_act = saved_act
    return nn.Sequential(*layers), sorted(save)


# ----------------------------------------------------------------------------- model
class Model(nn.Module):
    """YOLOv5 DetectionModel equivalent: .model (layers), .save, .stride (None without a Detect head)."""

    def __init__(self, cfg, ch=None, nc=None):
        super().__init__()
        if isinstance(cfg, dict):
            self.yaml = deepcopy(cfg)
        else:
            self.yaml_file = Path(cfg).name
            with open(cfg, encoding='ascii', errors='ignore') as f:
                self.yaml = yaml.safe_load(f)
        ch = self.yaml['ch'] = self.yaml.get('ch', ch or 3)
        if nc and nc != self.yaml['nc']:
            self.yaml['nc'] = nc
        self.model, self.save = parse_model(self.yaml, ch)
        self.inplace = self.yaml.get('inplace', True)
        self.stride = None
        m = self.model[-1]
        if isinstance(m, Detect):
            s = 256
            m.inplace = self.inplace
            with torch.no_grad():
                out = self.forward(torch.zeros(1, ch, s, s))
            out = out[0] if isinstance(m, Segment) else out
            m.stride = torch.tensor([s / x.shape[-2] for x in out])
            self._check_anchor_order(m)
            m.anchors /= m.stride.view(-1, 1, 1)
            self.stride = m.stride
            self._initialize_biases()
        for mod in self.modules():  # official initialize_weights
            if type(mod) is nn.BatchNorm2d:
                mod.eps, mod.momentum = 1e-3, 0.03
            elif type(mod) in (nn.Hardswish, nn.LeakyReLU, nn.ReLU, nn.ReLU6, nn.SiLU):
                mod.inplace = True

    def forward(self, x):
        y = []
        for m in self.model:
            if m.f != -1:
                x = y[m.f] if isinstance(m.f, int) else [x if j == -1 else y[j] for j in m.f]
            x = m(x)
            y.append(x if m.i in self.save else None)
        return x

    @staticmethod
    def _check_anchor_order(m):
        a = m.anchors.prod(-1).mean(-1).view(-1)
        da, ds = a[-1] - a[0], m.stride[-1] - m.stride[0]
        if da and (da.sign() != ds.sign()):
            m.anchors[:] = m.anchors.flip(0)

    def _initialize_biases(self):
        m = self.model[-1]
        for mi, s in zip(m.m, m.stride):
            b = mi.bias.view(m.na, -1)
            b.data[:, 4] += math.log(8 / (640 / s) ** 2)
            b.data[:, 5:5 + m.nc] += math.log(0.6 / (m.nc - 0.99999))
            mi.bias = nn.Parameter(b.view(-1), requires_grad=True)

    def fuse(self):
        """Fold BN into the conv of every Conv/DWConv (BottleneckCSP.bn and MixConv2d.bn stay)."""
        for m in self.model.modules():
            if isinstance(m, (Conv, DWConv)) and hasattr(m, 'bn'):
                m.conv = fuse_conv_and_bn(m.conv, m.bn)
                delattr(m, 'bn')
                m.forward = m.forward_fuse
        return self

    def _apply(self, fn, *args, **kwargs):
        self = super()._apply(fn, *args, **kwargs)
        m = self.model[-1]
        if isinstance(m, Detect) and m.stride is not None:
            m.stride = fn(m.stride)
            m.grid = list(map(fn, m.grid))
            m.anchor_grid = list(map(fn, m.anchor_grid))
            self.stride = m.stride
        return self


def build(cfg, nc=None):
    """Model from a YAML path or a dict (YAML loaded with yaml.safe_load)."""
    return Model(cfg, nc=nc)


_ORACLE = ('layer_table', 'gflops', 'layer_gflops', 'receptive_field_by_gradient')


def __getattr__(name):  # lazy re-export of the measurement helpers
    if name in _ORACLE:
        import torch_oracle
        return getattr(torch_oracle, name)
    raise AttributeError(name)
