"""Measurements on yolo_torch models, used by the tests as oracles.

- layer_table: per-layer params and output shapes (forward on the meta device);
- gflops / layer_gflops: the YOLOv5 model_info GFLOPs figure (ultralytics-thop), total and per layer;
- receptive_field_by_gradient: exact receptive-field extents measured by backpropagation.
"""
from copy import deepcopy

import thop
import torch
import torch.nn as nn

from yolo_torch import Detect, Segment, layer_input

ACTIVATIONS = (nn.SiLU, nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.Hardswish, nn.Hardsigmoid, nn.Sigmoid, nn.Tanh,
               nn.GELU, nn.Mish, nn.ELU, nn.PReLU, nn.Hardtanh, nn.Softplus)


def _hw(imgsz):
    return (imgsz, imgsz) if isinstance(imgsz, (int, float)) else tuple(imgsz)


def _ch(model):
    return model.yaml['ch']


def _run_layers(model, x, upto=None, on_input=None):
    """Forward like BaseModel._forward_once, keeping every output; yields (layer, output)."""
    y = []
    for m in model.model:
        x = layer_input(m, x, y)
        if on_input is not None:
            on_input(m, x)
        x = m(x)
        y.append(x)
        yield m, x
        if upto is not None and m.i == upto:
            return


def _level_shape(t):
    """(na*no, H, W) from a training-layout Detect level output (bs, na, H, W, no)."""
    _, na, h, w, no = t.shape
    return na * no, h, w


def meta_copy(model):
    """deepcopy on the meta device without copying parameter/buffer data."""
    memo = {}
    for t in list(model.parameters()) + list(model.buffers()):
        e = torch.empty_like(t, device='meta')
        memo[id(t)] = nn.Parameter(e, requires_grad=t.requires_grad) if isinstance(t, nn.Parameter) else e
    return deepcopy(model, memo).to(torch.device('meta'))


def layer_table(model, imgsz=(640, 640)):
    """Per layer: i, from, n, type, params, out_shape (C,H,W), plus proto_shape for Segment.

    Detect/Segment out_shape is a list of per-level (na*no, H, W). Runs on a meta-device copy.
    """
    h, w = _hw(imgsz)
    meta = meta_copy(model).eval()
    rows = []
    with torch.no_grad():
        for m in meta.model:
            if isinstance(m, Detect):
                m.train()  # training-layout output, no decode
        x = torch.empty(1, _ch(model), h, w, device='meta')
        for m, out in _run_layers(meta, x):
            orig = model.model[m.i]
            row = dict(i=m.i, f=m.f, n=getattr(m, 'n_', 1), type=m.type,
                       params=sum(p.numel() for p in orig.parameters()))
            if isinstance(m, Segment):
                row['out_shape'] = [_level_shape(t) for t in out[0]]
                row['proto_shape'] = tuple(out[1].shape[1:])
            elif isinstance(m, Detect):
                row['out_shape'] = [_level_shape(t) for t in out]
            else:
                row['out_shape'] = tuple(out.shape[1:])
            rows.append(row)
    return rows


def _probe_size(model):
    return max(int(model.stride.max()), 32) if model.stride is not None else 32


def _scale(ops, imgsz, s):
    h, w = _hw(imgsz)
    return ops / 1e9 * 2 * h / s * w / s  # same operation order as YOLOv5 model_info


def gflops(model, imgsz=640):
    """Current YOLOv5's GFLOPs: ultralytics-thop's count for the image, extrapolated by thop itself
    from one-stride-cell proxies (stride=S, S = max(stride, 32))."""
    h, w = _hw(imgsz)
    im = torch.zeros(1, _ch(model), h, w)
    ops = thop.profile(deepcopy(model), inputs=(im,), verbose=False, stride=_probe_size(model))[0]
    return ops / 1e9 * 2


def gflops_v7(model, imgsz=640):
    """YOLOv5 v7.0 model_info GFLOPs: thop MACs x 2 at a 1 x ch x S x S probe (S = max(stride, 32)), scaled to imgsz."""
    s = _probe_size(model)
    im = torch.zeros(1, _ch(model), s, s)  # official: torch.empty; values do not affect the counts
    ops = thop.profile(deepcopy(model), inputs=(im,), verbose=False)[0]
    return _scale(ops, imgsz, s)


def _layer_ops(model, size):
    """thop's count of each layer with the inputs it gets for a 1 x ch x H x W image."""
    net = deepcopy(model).eval()
    inputs = {}
    record = lambda m, x: inputs.__setitem__(m.i, list(x) if isinstance(x, list) else x)
    with torch.no_grad():
        for _ in _run_layers(net, torch.zeros(1, _ch(model), *size), on_input=record):
            pass
    out = []
    for m in net.model:
        x = inputs[m.i]
        out.append(thop.profile(deepcopy(m), inputs=(list(x) if isinstance(x, list) else x,), verbose=False)[0])
    return out


def layer_gflops(model, imgsz=640):
    """Per-layer GFLOPs in the gflops() convention: thop's count of each layer at the image size."""
    return [ops / 1e9 * 2 for ops in _layer_ops(model, _hw(imgsz))]


def layer_gflops_v7(model, imgsz=640):
    """Per-layer GFLOPs in the gflops_v7() convention (thop on each layer with its probe-size input)."""
    s = _probe_size(model)
    return [_scale(ops, imgsz, s) for ops in _layer_ops(model, (s, s))]


_LAYER_ATTRS = ('i', 'f', 'type', 'np', 'n_', 'args')


def _replace(parent, name, child, new):
    for a in _LAYER_ATTRS:  # keep the layer bookkeeping when a top-level layer is swapped
        if hasattr(child, a):
            setattr(new, a, getattr(child, a))
    setattr(parent, name, new)


def _oracle_copy(model):
    """float64 eval copy for dependency tracing.

    Every weight is made positive (|w| normalized to sum 1 per output unit, which keeps values O(1) so
    that attention softmax does not saturate), biases are zeroed, BN is identity in eval mode,
    activations are removed and max-pools become avg-pools with the same window (count_include_pad).
    """
    m = deepcopy(model).double().eval()
    with torch.no_grad():
        for p in m.parameters():
            if p.dim() >= 2:
                a = p.abs() + 1e-3
                p.copy_(a / a.flatten(1).sum(1).view(-1, *[1] * (p.dim() - 1)))
            else:
                p.zero_()
        for mod in m.modules():
            if isinstance(mod, nn.modules.batchnorm._BatchNorm):
                mod.weight.fill_(1.0)
                mod.running_mean.zero_()
                mod.running_var.fill_(1.0)
    for mod in list(m.modules()):
        for name, child in list(mod.named_children()):
            if isinstance(child, ACTIVATIONS):
                _replace(mod, name, child, nn.Identity())
            elif isinstance(child, nn.MaxPool2d):
                _replace(mod, name, child, nn.AvgPool2d(child.kernel_size, child.stride, child.padding,
                                                        ceil_mode=child.ceil_mode, count_include_pad=True))
            elif isinstance(child, nn.AdaptiveMaxPool2d):
                _replace(mod, name, child, nn.AdaptiveAvgPool2d(child.output_size))
    for mod in m.model:
        if isinstance(mod, Detect):
            mod.train()  # raw per-level outputs
    return m


def _extent(mask):
    idx = mask.nonzero().flatten()
    return int(idx.max() - idx.min() + 1), int(idx.min()), int(idx.max())


def receptive_field_by_gradient(model, layer_index, imgsz, positions, level=0, check_border=True):
    """Exact receptive-field extents (rows, cols) of output pixels of layer `layer_index`.

    positions: list of (row, col) in that layer's output grid (for Detect/Segment: of level `level`).
    Returns a list of (row_extent, col_extent). With check_border, raises ValueError if a field reaches
    the input border (imgsz too small to measure it, or a global operation such as attention).
    """
    h, w = _hw(imgsz)
    m = _oracle_copy(model)
    x = torch.ones(1, _ch(model), h, w, dtype=torch.float64, requires_grad=True)
    *_, (layer, out) = _run_layers(m, x, upto=layer_index)
    if isinstance(layer, Detect):
        out = out[0] if isinstance(layer, Segment) else out
        out = out[level].permute(0, 1, 4, 2, 3).flatten(1, 2)  # (1, na*no, H, W)
    result = []
    for r, c in positions:
        (g,) = torch.autograd.grad(out[0, :, r, c].sum(), x, retain_graph=True)
        g = g[0].abs().sum(0)
        (er, r0, r1), (ec, c0, c1) = _extent(g.sum(1) > 0), _extent(g.sum(0) > 0)
        if check_border and (r0 == 0 or c0 == 0 or r1 == h - 1 or c1 == w - 1):
            raise ValueError(f'receptive field of {(r, c)} reaches the input border; use a larger imgsz')
        result.append((er, ec))
    return result
