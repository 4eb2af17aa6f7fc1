"""Stand-alone torch reference of YOLOv5 (release v7.0) models, used by the tests as an oracle.

Nothing in this file comes from yanalyze, directly or indirectly: a mistake in yanalyze's own
torch blocks must not be able to confirm itself. Every block below was written for the tests
from the published YOLOv5 v7.0 architecture (models/common.py, models/experimental.py and
models/yolo.py of ultralytics/yolov5). What has to agree with upstream is the *module tree*:
the child names and their order, the torch leaf modules, the parameter shapes and the aten
operations each forward performs. That is what makes parameter counts, output shapes,
ultralytics-thop GFLOPs, the printed layer count (``len(list(model.modules()))``), fusion and
gradient-measured receptive fields equal to the official code; test_reference_selfcheck.py
checks it against published figures.

YAML content is never evaluated as code: module names go through a lookup table and argument
strings through a small arithmetic evaluator.

The measurement helpers (layer_table, gflops, layer_gflops, receptive_field_by_gradient) live
in torch_oracle.py and are re-exported here lazily.
"""
import ast
import math
import re
from copy import deepcopy
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import yaml


# ============================================================================ small helpers
def same_padding(kernel, padding=None, dilation=1):
    """Padding that keeps the spatial size at stride 1, per axis; an explicit `padding` wins.

    With dilation d a kernel of size k spans d*(k-1)+1 pixels, and half of that span (rounded
    down) goes on each side.
    """
    if padding is not None:
        return padding

    def half_span(size):
        return (dilation * (size - 1) + 1) // 2

    if isinstance(kernel, int):
        return half_span(kernel)
    return [half_span(size) for size in kernel]


def _activation(choice, fallback):
    """Activation module for a Conv: True -> the shared default, a module -> itself, else identity."""
    if choice is True:
        return fallback
    return choice if isinstance(choice, nn.Module) else nn.Identity()


def _repeat(count, make):
    """nn.Sequential of `count` freshly made modules."""
    return nn.Sequential(*[make() for _ in range(count)])


def fold_batchnorm(conv, bn):
    """A biased nn.Conv2d that computes bn(conv(x)) with `bn` in inference mode (frozen weights)."""
    merged = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, stride=conv.stride,
                       padding=conv.padding, dilation=conv.dilation, groups=conv.groups, bias=True)
    merged.requires_grad_(False)
    merged = merged.to(device=conv.weight.device, dtype=conv.weight.dtype)
    with torch.no_grad():
        gain = bn.weight / torch.sqrt(bn.running_var + bn.eps)   # per output channel
        merged.weight.copy_(conv.weight * gain.reshape(-1, *[1] * (conv.weight.dim() - 1)))
        offset = bn.bias - bn.running_mean * gain
        if conv.bias is not None:
            offset = offset + conv.bias * gain
        merged.bias.copy_(offset)
    return merged


# ============================================================================ models/common.py
class Conv(nn.Module):
    """YOLOv5's basic unit: bias-free Conv2d -> BatchNorm2d -> activation.

    Positional arguments as in the YAML: input/output channels, kernel, stride, padding (None:
    same), groups, dilation and the activation choice. With act=True every Conv uses the
    single class-wide ``default_act`` instance (upstream does the same, so ``modules()`` lists
    it once); parse_model swaps it for the config's ``activation``.
    """
    default_act = nn.SiLU()

    def __init__(self, ch_in, ch_out, kernel=1, stride=1, padding=None, groups=1, dilation=1, act=True):
        super().__init__()
        self.conv = nn.Conv2d(ch_in, ch_out, kernel_size=kernel, stride=stride, dilation=dilation,
                              padding=same_padding(kernel, padding, dilation), groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(ch_out)
        self.act = _activation(act, self.default_act)

    @property
    def fused(self):
        return 'bn' not in self._modules

    def fuse_bn(self):
        """Fold the batch norm into the convolution (model.fuse()); a no-op when already fused."""
        if not self.fused:
            self.conv = fold_batchnorm(self.conv, self.bn)
            del self.bn

    def forward(self, x):
        y = self.conv(x)
        if not self.fused:
            y = self.bn(y)
        return self.act(y)


class DWConv(Conv):
    """Conv grouped by gcd(ch_in, ch_out), depth-wise when the two are equal (YAML args: channels,
    kernel, stride, dilation, act)."""

    def __init__(self, ch_in, ch_out, kernel=1, stride=1, dilation=1, act=True):
        shared = math.gcd(ch_in, ch_out)
        super().__init__(ch_in, ch_out, kernel, stride, groups=shared, dilation=dilation, act=act)


class DWConvTranspose2d(nn.ConvTranspose2d):
    """nn.ConvTranspose2d grouped by gcd(ch_in, ch_out); YAML args: channels, kernel, stride,
    padding and output padding."""

    def __init__(self, ch_in, ch_out, kernel=1, stride=1, pad=0, pad_out=0):
        super().__init__(ch_in, ch_out, kernel_size=kernel, stride=stride, padding=pad,
                         output_padding=pad_out, groups=math.gcd(ch_in, ch_out))


class TransformerLayer(nn.Module):
    """One LayerNorm-free transformer layer on (tokens, batch, c) input.

    Bias-free q/k/v projections feed an nn.MultiheadAttention (called with its defaults, so it
    also returns the head-averaged weights); then a bias-free fc1 -> fc2 pair. Both stages are
    residual.
    """

    def __init__(self, width, heads):
        super().__init__()
        for name in ('q', 'k', 'v'):
            setattr(self, name, nn.Linear(width, width, bias=False))
        self.ma = nn.MultiheadAttention(embed_dim=width, num_heads=heads)
        for name in ('fc1', 'fc2'):
            setattr(self, name, nn.Linear(width, width, bias=False))

    def forward(self, x):
        queries, keys, values = (proj(x) for proj in (self.q, self.k, self.v))
        attended, _ = self.ma(queries, keys, values)
        x = attended + x
        return self.fc2(self.fc1(x)) + x


class TransformerBlock(nn.Module):
    """Attention over all H*W positions: optional 1x1 Conv (when the widths differ), learned linear
    position embedding added to the tokens, then `layers` TransformerLayers; back to (b, c, H, W)."""

    def __init__(self, ch_in, ch_out, heads, layers):
        super().__init__()
        self.conv = None if ch_in == ch_out else Conv(ch_in, ch_out)
        self.linear = nn.Linear(ch_out, ch_out)
        self.tr = _repeat(layers, lambda: TransformerLayer(ch_out, heads))
        self.c2 = ch_out

    def forward(self, x):
        if self.conv is not None:
            x = self.conv(x)
        batch, _, rows, cols = x.shape
        tokens = x.flatten(2).permute(2, 0, 1)          # (rows*cols, batch, c2)
        tokens = self.tr(tokens + self.linear(tokens))
        return tokens.permute(1, 2, 0).reshape(batch, self.c2, rows, cols)


class _Residual(nn.Module):
    """Base of two-Conv blocks: y = cv2(cv1(x)), plus x when `self.add`."""

    def forward(self, x):
        y = self.cv2(self.cv1(x))
        if self.add:
            return x + y
        return y


class Bottleneck(_Residual):
    """1x1 Conv to int(ch_out*expansion) channels, then a grouped 3x3 Conv to ch_out; residual
    when `shortcut` and the widths agree."""

    def __init__(self, ch_in, ch_out, shortcut=True, groups=1, expansion=0.5):
        super().__init__()
        mid = int(ch_out * expansion)
        self.cv1 = Conv(ch_in, mid, 1, 1)
        self.cv2 = Conv(mid, ch_out, 3, 1, groups=groups)
        self.add = bool(shortcut) and ch_in == ch_out


class CrossConv(_Residual):
    """A 1 x kernel Conv striding along the width, then a kernel x 1 grouped Conv striding along the
    height; residual when `shortcut` and the widths agree."""

    def __init__(self, ch_in, ch_out, kernel=3, stride=1, groups=1, expansion=1.0, shortcut=False):
        super().__init__()
        mid = int(ch_out * expansion)
        self.cv1 = Conv(ch_in, mid, (1, kernel), (1, stride))
        self.cv2 = Conv(mid, ch_out, (kernel, 1), (stride, 1), groups=groups)
        self.add = bool(shortcut) and ch_in == ch_out


class BottleneckCSP(nn.Module):
    """Cross-stage-partial bottleneck (the v4/v5.0 backbone block).

    Branch A: Conv cv1 -> n Bottlenecks -> plain 1x1 Conv2d cv3. Branch B: plain 1x1 Conv2d cv2
    on the input. The concatenation goes through its own BatchNorm2d and SiLU, then Conv cv4.
    """

    def __init__(self, ch_in, ch_out, repeats=1, shortcut=True, groups=1, expansion=0.5):
        super().__init__()
        mid = int(ch_out * expansion)
        self.cv1 = Conv(ch_in, mid, 1, 1)
        self.cv2 = nn.Conv2d(ch_in, mid, 1, 1, bias=False)
        self.cv3 = nn.Conv2d(mid, mid, 1, 1, bias=False)
        self.cv4 = Conv(2 * mid, ch_out, 1, 1)
        self.bn = nn.BatchNorm2d(2 * mid)
        self.act = nn.SiLU()
        self.m = _repeat(repeats, lambda: Bottleneck(mid, mid, shortcut, groups, expansion=1.0))

    def forward(self, x):
        branch_a = self.cv3(self.m(self.cv1(x)))
        branch_b = self.cv2(x)
        joined = torch.cat((branch_a, branch_b), 1)
        return self.cv4(self.act(self.bn(joined)))


class C3(nn.Module):
    """CSP block with three Convs: cv3(cat(m(cv1(x)), cv2(x))), hidden width int(ch_out*expansion).

    Subclasses only change the inner part ``m`` by overriding ``inner``.
    """

    def __init__(self, ch_in, ch_out, repeats=1, shortcut=True, groups=1, expansion=0.5, **inner_options):
        super().__init__()
        mid = int(ch_out * expansion)
        self.cv1 = Conv(ch_in, mid, 1, 1)
        self.cv2 = Conv(ch_in, mid, 1, 1)
        self.cv3 = Conv(2 * mid, ch_out, 1)
        self.m = self.inner(mid, repeats, shortcut, groups, **inner_options)

    def inner(self, c, n, shortcut, g):
        return _repeat(n, lambda: Bottleneck(c, c, shortcut, g, expansion=1.0))

    def forward(self, x):
        processed = self.m(self.cv1(x))
        return self.cv3(torch.cat((processed, self.cv2(x)), 1))


class C3x(C3):
    """C3 with n CrossConv(c, c, 3, 1, g, 1.0, shortcut) inside."""

    def inner(self, c, n, shortcut, g):
        return _repeat(n, lambda: CrossConv(c, c, 3, 1, g, 1.0, shortcut))


class C3TR(C3):
    """C3 with one TransformerBlock(c, c, 4 heads, n layers) inside."""

    def inner(self, c, n, shortcut, g):
        return TransformerBlock(c, c, 4, n)


class C3SPP(C3):
    """C3 with an SPP of the given pool sizes inside; the pool sizes come third, before the repeats."""

    def __init__(self, ch_in, ch_out, kernels=(5, 9, 13), repeats=1, shortcut=True, groups=1, expansion=0.5):
        super().__init__(ch_in, ch_out, repeats, shortcut, groups, expansion, kernels=kernels)

    def inner(self, c, n, shortcut, g, kernels=(5, 9, 13)):
        return SPP(c, c, kernels)


class C3Ghost(C3):
    """C3 with n GhostBottleneck(c, c) inside."""

    def inner(self, c, n, shortcut, g):
        return _repeat(n, lambda: GhostBottleneck(c, c))


def _same_size_max_pool(k):
    return nn.MaxPool2d(kernel_size=k, stride=1, padding=k // 2)


class SPP(nn.Module):
    """Spatial pyramid pooling: Conv to half the input width, max-pools of every size in `kernels`
    applied side by side (stride 1, same size), concatenated with their input, Conv to ch_out."""

    def __init__(self, ch_in, ch_out, kernels=(5, 9, 13)):
        super().__init__()
        mid = ch_in // 2
        self.cv1 = Conv(ch_in, mid, 1, 1)
        self.cv2 = Conv(mid * (1 + len(kernels)), ch_out, 1, 1)
        self.m = nn.ModuleList(_same_size_max_pool(size) for size in kernels)

    def forward(self, x):
        base = self.cv1(x)
        pyramid = [base] + [pool(base) for pool in self.m]
        return self.cv2(torch.cat(pyramid, 1))


class SPPF(nn.Module):
    """Fast SPP: one stride-1 max-pool applied three times in a chain; the Conv'd input and the
    three pooled maps are concatenated, then a 1x1 Conv to ch_out."""

    def __init__(self, ch_in, ch_out, kernel=5):
        super().__init__()
        mid = ch_in // 2
        self.cv1 = Conv(ch_in, mid, 1, 1)
        self.cv2 = Conv(4 * mid, ch_out, 1, 1)
        self.m = _same_size_max_pool(kernel)

    def forward(self, x):
        maps = [self.cv1(x)]
        for _ in range(3):
            maps.append(self.m(maps[-1]))
        return self.cv2(torch.cat(maps, 1))


# pixel phases (row offset, column offset) in the order Focus stacks them on channels
_FOCUS_PHASES = ((0, 0), (1, 0), (0, 1), (1, 1))


class Focus(nn.Module):
    """Space-to-depth by 2 (four pixel phases stacked on channels), then a Conv whose arguments
    follow the input width: output width, kernel, stride, padding, groups, act."""

    def __init__(self, ch_in, ch_out, kernel=1, stride=1, padding=None, groups=1, act=True):
        super().__init__()
        self.conv = Conv(4 * ch_in, ch_out, kernel, stride, padding, groups, act=act)

    def forward(self, x):
        phases = [x[..., r::2, c::2] for r, c in _FOCUS_PHASES]
        return self.conv(torch.cat(phases, 1))


class GhostConv(nn.Module):
    """Ghost convolution: a Conv makes half of the output, a cheap 5x5 depth-wise Conv derives the
    other half from it."""

    def __init__(self, ch_in, ch_out, kernel=1, stride=1, groups=1, act=True):
        super().__init__()
        half = ch_out // 2
        self.cv1 = Conv(ch_in, half, kernel, stride, None, groups, act=act)
        self.cv2 = Conv(half, half, 5, 1, None, half, act=act)

    def forward(self, x):
        primary = self.cv1(x)
        return torch.cat((primary, self.cv2(primary)), 1)


class GhostBottleneck(nn.Module):
    """GhostConv to half the output [-> stride-2 DWConv] -> GhostConv without activation, plus a
    shortcut: the input itself at stride 1, DWConv -> 1x1 Conv (no activations) at stride 2."""

    def __init__(self, ch_in, ch_out, kernel=3, stride=1):
        super().__init__()
        half = ch_out // 2
        downsample = stride == 2
        middle = DWConv(half, half, kernel, stride, act=False) if downsample else nn.Identity()
        self.conv = nn.Sequential(GhostConv(ch_in, half, 1, 1), middle, GhostConv(half, ch_out, 1, 1, act=False))
        self.shortcut = nn.Identity()
        if downsample:
            self.shortcut = nn.Sequential(DWConv(ch_in, ch_in, kernel, stride, act=False),
                                          Conv(ch_in, ch_out, 1, 1, act=False))

    def forward(self, x):
        return self.conv(x) + self.shortcut(x)


class _PixelShuffle(nn.Module):
    """Rearranges gain x gain pixel blocks between space and channels (no parameters).

    The tensor is viewed with the block axes split out (`_split`), permuted (`order`), made
    contiguous and viewed with the new (channels, height, width) (`_merged`).
    """
    order = ()

    def __init__(self, gain=2):
        super().__init__()
        self.gain = gain

    def forward(self, fmap):
        n, *chw = fmap.shape
        shuffled = fmap.view(n, *self._split(*chw)).permute(0, *self.order).contiguous()
        return shuffled.view(n, *self._merged(*chw))


class Contract(_PixelShuffle):
    """Space-to-depth: (c, h, w) -> (c*gain^2, h/gain, w/gain); new channel = (row phase, column
    phase, old channel)."""
    order = (3, 5, 1, 2, 4)

    def _split(self, c, h, w):
        g = self.gain
        return c, h // g, g, w // g, g

    def _merged(self, c, h, w):
        g = self.gain
        return c * g * g, h // g, w // g


class Expand(_PixelShuffle):
    """Depth-to-space, the inverse of Contract: (c, h, w) -> (c/gain^2, h*gain, w*gain)."""
    order = (3, 4, 1, 5, 2)

    def _split(self, c, h, w):
        g = self.gain
        return g, g, c // (g * g), h, w

    def _merged(self, c, h, w):
        g = self.gain
        return c // (g * g), h * g, w * g


class Concat(nn.Module):
    """Joins the input list of tensors along one axis (channels by default)."""

    def __init__(self, axis=1):
        super().__init__()
        self.d = axis

    def forward(self, tensors):
        return torch.cat(tensors, dim=self.d)


class Proto(nn.Module):
    """Mask prototypes of Segment: 3x3 Conv, nearest x2 upsampling, 3x3 Conv, then a 1x1 Conv to
    the number of masks. YAML/constructor args: input channels, prototype width, masks."""

    def __init__(self, ch_in, width=256, masks=32):
        super().__init__()
        self.cv1 = Conv(ch_in, width, 3)
        self.upsample = nn.Upsample(scale_factor=2, mode='nearest')
        self.cv2 = Conv(width, width, 3)
        self.cv3 = Conv(width, masks)

    def forward(self, x):
        y = self.upsample(self.cv1(x))
        return self.cv3(self.cv2(y))


class Classify(nn.Module):
    """Classification head: Conv to 1280 channels (EfficientNet-B0's width), global average pool,
    dropout with p=0, Linear to the class count."""

    def __init__(self, ch_in, classes, kernel=1, stride=1, padding=None, groups=1):
        super().__init__()
        width = 1280
        self.conv = Conv(ch_in, width, kernel, stride, same_padding(kernel, padding), groups)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.drop = nn.Dropout(p=0.0, inplace=True)
        self.linear = nn.Linear(width, classes)

    def forward(self, x):
        joined = torch.cat(x, 1) if isinstance(x, list) else x
        pooled = self.pool(self.conv(joined)).flatten(1)
        return self.linear(self.drop(pooled))


# ============================================================================ models/experimental.py
def _mixconv_split(total, kernels, equal_ch):
    """Output channels per kernel size of MixConv2d.

    equal_ch: `total` spread as evenly as upstream's float32 linspace/floor does it. Otherwise
    the channels are chosen so that every kernel group has the same number of weights.
    """
    n = len(kernels)
    if equal_ch:
        group_of = torch.linspace(0, n - 1e-6, total).floor().long()
        return torch.bincount(group_of, minlength=n).tolist()
    # unknowns x_0..x_{n-1}: sum x = total and x_j*k_j^2 == x_{j+1}*k_{j+1}^2
    system = np.zeros((n + 1, n))
    system[0, :] = 1
    for j in range(n - 1):
        system[j + 1, j] = kernels[j] ** 2
        system[j + 1, j + 1] = -kernels[j + 1] ** 2
    target = np.zeros(n + 1)
    target[0] = total
    solution = np.linalg.lstsq(system, target, rcond=None)[0]
    return [int(v) for v in solution.round()]


class MixConv2d(nn.Module):
    """Mixed depth-wise convolution: one bias-free Conv2d per kernel size (grouped by the gcd of
    the input width and its share of the output), outputs concatenated, then BatchNorm2d and SiLU."""

    def __init__(self, ch_in, ch_out, kernels=(1, 3), stride=1, equal_ch=True):
        super().__init__()
        shares = _mixconv_split(ch_out, kernels, equal_ch)
        self.m = nn.ModuleList(
            nn.Conv2d(ch_in, share, size, stride, size // 2, groups=math.gcd(ch_in, share), bias=False)
            for size, share in zip(kernels, shares))
        self.bn = nn.BatchNorm2d(ch_out)
        self.act = nn.SiLU()

    def forward(self, x):
        parts = [conv(x) for conv in self.m]
        return self.act(self.bn(torch.cat(parts, 1)))


# ============================================================================ models/yolo.py
class Detect(nn.Module):
    """Detection head: per level a biased 1x1 Conv2d to na*no channels (no = nc + 5 [+ nm]).

    Training mode returns the per-level maps reshaped to (b, na, H, W, no). Evaluation mode also
    decodes them: sigmoid, xy = (2*s + grid) * stride, wh = (2*s)^2 * anchor size, and returns
    (all boxes (b, N, no), per-level maps). `stride` is set by Model.
    """
    export = False    # True: return only the concatenated boxes
    dynamic = False   # True: rebuild the grids on every call
    stride = None     # per level, set by Model

    def __init__(self, nc=80, anchors=(), ch=(), inplace=True, *, nm=0):
        super().__init__()
        levels = len(anchors)
        self.nc, self.nl, self.na = nc, levels, len(anchors[0]) // 2
        self.no = nc + 5 + nm
        self.grid = [torch.empty(0) for _ in range(levels)]         # built lazily per input size
        self.anchor_grid = [torch.empty(0) for _ in range(levels)]
        self.register_buffer('anchors', torch.as_tensor(anchors, dtype=torch.float32).reshape(levels, -1, 2))
        self.m = nn.ModuleList(nn.Conv2d(c, self.na * self.no, 1) for c in ch)
        self.inplace = inplace

    def _grids(self, level, nx, ny):
        """Cell offsets (x - 0.5, y - 0.5) and anchor sizes in pixels, both (1, na, ny, nx, 2)."""
        ref = self.anchors[level]
        shape = (1, self.na, ny, nx, 2)
        rows = torch.arange(ny, device=ref.device, dtype=ref.dtype)
        cols = torch.arange(nx, device=ref.device, dtype=ref.dtype)
        row_idx, col_idx = torch.meshgrid(rows, cols, indexing='ij')
        offsets = torch.stack((col_idx, row_idx), 2).expand(shape) - 0.5
        sizes = (ref * self.stride[level]).view(1, self.na, 1, 1, 2).expand(shape)
        return offsets, sizes

    def _decode(self, level, p):
        """Boxes in pixels (xy, wh) followed by the sigmoid of the remaining channels."""
        xy, wh, rest = p.sigmoid().split((2, 2, self.no - 4), 4)
        xy = (xy * 2 + self.grid[level]) * self.stride[level]
        wh = (wh * 2) ** 2 * self.anchor_grid[level]
        return torch.cat((xy, wh, rest), 4)

    def forward(self, x):
        boxes = []
        for level, conv in enumerate(self.m):
            p = conv(x[level])
            b, _, ny, nx = p.shape
            p = p.view(b, self.na, self.no, ny, nx).permute(0, 1, 3, 4, 2).contiguous()
            x[level] = p
            if self.training:
                continue
            if self.dynamic or self.grid[level].shape[2:4] != p.shape[2:4]:
                self.grid[level], self.anchor_grid[level] = self._grids(level, nx, ny)
            boxes.append(self._decode(level, p).view(b, self.na * ny * nx, self.no))
        if self.training:
            return x
        if self.export:
            return (torch.cat(boxes, 1),)
        return torch.cat(boxes, 1), x


class Segment(Detect):
    """Detect with nm mask coefficients per anchor (left raw by the decode) plus Proto(ch[0], npr, nm)."""

    def __init__(self, nc=80, anchors=(), masks=32, protos=256, ch=(), inplace=True):
        super().__init__(nc, anchors, ch, inplace, nm=masks)
        self.nm, self.npr = masks, protos
        self.proto = Proto(ch[0], protos, masks)

    def _decode(self, level, p):
        xy, wh, conf, coeffs = p.split((2, 2, self.nc + 1, self.nm), 4)
        xy = (xy.sigmoid() * 2 + self.grid[level]) * self.stride[level]
        wh = (wh.sigmoid() * 2) ** 2 * self.anchor_grid[level]
        return torch.cat((xy, wh, conf.sigmoid(), coeffs), 4)

    def forward(self, x):
        masks = self.proto(x[0])
        out = super().forward(x)
        if self.training:
            return out, masks
        if self.export:
            return out[0], masks
        return out[0], masks, out[1]


# ============================================================================ names used in YAML
_BY_FILE = {
    'models.common': [Bottleneck, BottleneckCSP, C3, C3Ghost, C3SPP, C3TR, C3x, Classify, Concat, Contract,
                      Conv, CrossConv, DWConv, DWConvTranspose2d, Expand, Focus, GhostBottleneck, GhostConv,
                      Proto, SPP, SPPF, TransformerBlock, TransformerLayer],
    'models.experimental': [MixConv2d],
    'models.yolo': [Detect, Segment],
}
MODULES = {cls.__name__: cls for classes in _BY_FILE.values() for cls in classes}
_QUALNAME = {cls: f'{origin}.{cls.__name__}' for origin, classes in _BY_FILE.items() for cls in classes}

# modules whose first argument is an output width (scaled by width_multiple) after the input width
CONV_LIKE = {Bottleneck, BottleneckCSP, C3, C3Ghost, C3SPP, C3TR, C3x, Conv, CrossConv, DWConv, DWConvTranspose2d,
             Focus, GhostBottleneck, GhostConv, MixConv2d, SPP, SPPF, nn.ConvTranspose2d}
# ... of which these take the repeat count as their third argument
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
    return _QUALNAME.get(m) or str(m)[8:-2]


# ============================================================================ parse_model / Model
def _layer_args(m, args, f, n, chs, settings):
    """(args, n, c2) of one row after the channel rules of the official parse_model (c2 None: unchanged)."""
    nc_out, gw, ch_mul = settings
    if m in CONV_LIKE:
        c1, c2 = chs[f], args[0]
        if c2 != nc_out:
            c2 = make_divisible(c2 * gw, ch_mul)
        args = [c1, c2, *args[1:]]
        if m in CSP_LIKE:
            args.insert(2, n)
            n = 1
        return args, n, c2
    if m is nn.BatchNorm2d:
        return [chs[f]], n, chs[f]
    if m is Concat:
        return args, n, sum(chs[x] for x in f)
    if m in (Detect, Segment):
        per_anchor_count = args[1]
        if isinstance(per_anchor_count, int):  # N anchors per level: placeholder sizes 0..2N-1
            args[1] = [list(range(2 * per_anchor_count)) for _ in f]
        if m is Segment:
            args[3] = make_divisible(args[3] * gw, ch_mul)
        return [*args, [chs[j] for j in f]], n, None  # the head's own width is never read
    if m is Contract:
        return args, n, chs[f] * args[0] ** 2
    if m is Expand:
        return args, n, chs[f] // args[0] ** 2
    return args, n, chs[f]


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
    settings = (na * (nc + 5), gw, ch_mul)
    saved_act = Conv.default_act
    if act:
        Conv.default_act = parse_activation(act)
    try:
        layers, save, chs, c2 = [], set(), [ch], ch
        for i, (f, n, m, args) in enumerate(d['backbone'] + d['head']):
            m = resolve_module(m)
            args = [resolve_arg(a, nc, anchors) for a in args]
            n = n_ = max(round(n * gd), 1) if n > 1 else n
            args, n, width = _layer_args(m, args, f, n, chs, settings)
            c2 = c2 if width is None else width
            layer = m(*args) if n == 1 else nn.Sequential(*[m(*args) for _ in range(n)])
            layer.i, layer.f, layer.type, layer.n_, layer.args = i, f, _type_name(m), n_, args
            layer.np = sum(p.numel() for p in layer.parameters())
            sources = [f] if isinstance(f, int) else list(f)
            save.update(j % i for j in sources if j != -1)  # outputs read later than the next layer
            layers.append(layer)
            chs = [c2] if i == 0 else chs + [c2]
    finally:
        Conv.default_act = saved_act
    return nn.Sequential(*layers), sorted(save)


def layer_input(layer, previous, outputs):
    """What a layer reads: the previous output (f == -1), an earlier output, or a list of them."""
    if layer.f == -1:
        return previous
    if isinstance(layer.f, int):
        return outputs[layer.f]
    return [previous if j == -1 else outputs[j] for j in layer.f]


class Model(nn.Module):
    """YOLOv5 DetectionModel equivalent: .model (layers), .save, .stride (None without a Detect head)."""

    def __init__(self, cfg, ch=None, nc=None):
        super().__init__()
        if not isinstance(cfg, dict):
            self.yaml_file = Path(cfg).name
            cfg = yaml.safe_load(Path(cfg).read_text(encoding='ascii', errors='ignore'))
        self.yaml = deepcopy(cfg)
        ch = self.yaml['ch'] = self.yaml.get('ch', ch or 3)
        if nc and nc != self.yaml['nc']:
            self.yaml['nc'] = nc
        self.model, self.save = parse_model(self.yaml, ch)
        self.inplace = self.yaml.get('inplace', True)
        self.stride = None
        head = self.model[-1]
        if isinstance(head, Detect):
            self._build_strides(head, ch)
        self._initialize_weights()

    def _build_strides(self, head, ch, s=256):
        """Strides from a training-mode forward at s x s, anchors to grid units, prior biases."""
        head.inplace = self.inplace
        with torch.no_grad():
            out = self.forward(torch.zeros(1, ch, s, s))
        levels = out[0] if isinstance(head, Segment) else out
        head.stride = torch.tensor([s / t.shape[-2] for t in levels])
        self._check_anchor_order(head)
        head.anchors /= head.stride.view(-1, 1, 1)
        self.stride = head.stride
        self._initialize_biases()

    def _initialize_weights(self):
        """Official initialize_weights: BN eps/momentum, in-place activations."""
        for mod in self.modules():
            if type(mod) is nn.BatchNorm2d:
                mod.eps, mod.momentum = 1e-3, 0.03
            elif type(mod) in (nn.Hardswish, nn.LeakyReLU, nn.ReLU, nn.ReLU6, nn.SiLU):
                mod.inplace = True

    def forward(self, x):
        kept = []
        for layer in self.model:
            x = layer(layer_input(layer, x, kept))
            kept.append(x if layer.i in self.save else None)
        return x

    @staticmethod
    def _check_anchor_order(m):
        a = m.anchors.prod(-1).mean(-1).view(-1)
        da, ds = a[-1] - a[0], m.stride[-1] - m.stride[0]
        if da and (da.sign() != ds.sign()):
            m.anchors[:] = m.anchors.flip(0)

    def _initialize_biases(self):
        """Prior biases of the head: objectness for ~8 objects per 640 image, class probability ~0.6/nc."""
        head = self.model[-1]
        class_prior = math.log(0.6 / (head.nc - 0.99999))
        for conv, stride in zip(head.m, head.stride):
            cells = (640 / stride) ** 2
            per_anchor = conv.bias.detach().clone().view(head.na, -1)
            per_anchor[:, 4] += math.log(8 / cells)
            per_anchor[:, 5:5 + head.nc] += class_prior
            conv.bias = nn.Parameter(per_anchor.view(-1), requires_grad=True)

    def fuse(self):
        """Fold BN into the conv of every Conv/DWConv (BottleneckCSP.bn and MixConv2d.bn stay)."""
        for m in list(self.model.modules()):
            if isinstance(m, Conv):
                m.fuse_bn()
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


_ORACLE = ('layer_table', 'gflops', 'layer_gflops', 'gflops_v7', 'layer_gflops_v7', 'receptive_field_by_gradient')


def __getattr__(name):  # lazy re-export of the measurement helpers
    if name in _ORACLE:
        import torch_oracle
        return getattr(torch_oracle, name)
    raise AttributeError(name)
