"""Torch versions of the published YOLOv5 modifications, as their authors wrote them:
FasterNet's C3_Faster, the MobileNetV3 blocks, FocalModulation (for verify and cross-checks)."""
import torch
import torch.nn as nn

from .blocks import C3, Conv


class Partial_conv3(nn.Module):
    """3x3 conv over the first dim // n_div channels; the rest pass untouched."""

    def __init__(self, dim, n_div=4):
        super().__init__()
        self.dim_conv3 = dim // n_div
        self.dim_untouched = dim - self.dim_conv3
        self.partial_conv3 = nn.Conv2d(self.dim_conv3, self.dim_conv3, 3, 1, 1, bias=False)

    def forward(self, x):
        x1, x2 = torch.split(x, [self.dim_conv3, self.dim_untouched], dim=1)
        return torch.cat((self.partial_conv3(x1), x2), 1)


class Faster_Block(nn.Module):
    def __init__(self, inc, dim, n_div=4, mlp_ratio=2):
        super().__init__()
        hidden = int(dim * mlp_ratio)
        self.mlp = nn.Sequential(Conv(dim, hidden, 1), nn.Conv2d(hidden, dim, 1, bias=False))
        self.spatial_mixing = Partial_conv3(dim, n_div)
        self.adjust_channel = Conv(inc, dim, 1) if inc != dim else None

    def forward(self, x):
        if self.adjust_channel is not None:
            x = self.adjust_channel(x)
        return x + self.mlp(self.spatial_mixing(x))


class C3_Faster(C3):
    def __init__(self, c1, c2, n=1, shortcut=False, g=1, e=0.5):
        super().__init__(c1, c2, n, shortcut, g, e)
        c_ = int(c2 * e)
        self.m = nn.Sequential(*(Faster_Block(c_, c_) for _ in range(n)))


class h_sigmoid(nn.Module):
    def __init__(self, inplace=True):
        super().__init__()
        self.relu = nn.ReLU6(inplace=inplace)

    def forward(self, x):
        return self.relu(x + 3) / 6


class h_swish(nn.Module):
    def __init__(self, inplace=True):
        super().__init__()
        self.sigmoid = h_sigmoid(inplace=inplace)

    def forward(self, x):
        return x * self.sigmoid(x)


class SELayer(nn.Module):
    def __init__(self, channel, reduction=4):
        super().__init__()
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Sequential(nn.Linear(channel, channel // reduction), nn.ReLU(inplace=True),
                                nn.Linear(channel // reduction, channel), h_sigmoid())

    def forward(self, x):
        b, c, _, _ = x.size()
        y = self.fc(self.avg_pool(x).view(b, c)).view(b, c, 1, 1)
        return x * y


class conv_bn_hswish(nn.Module):
    def __init__(self, c1, c2, stride):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, 3, stride, 1, bias=False)
        self.bn = nn.BatchNorm2d(c2)
        self.act = h_swish()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class MobileNet_Block(nn.Module):
    def __init__(self, inp, oup, hidden_dim, kernel_size, stride, use_se, use_hs):
        super().__init__()
        self.identity = stride == 1 and inp == oup
        act = lambda: h_swish() if use_hs else nn.ReLU(inplace=True)
        dw = [nn.Conv2d(hidden_dim, hidden_dim, kernel_size, stride, (kernel_size - 1) // 2, groups=hidden_dim,
                        bias=False), nn.BatchNorm2d(hidden_dim)]
        se = [SELayer(hidden_dim)] if use_se else []
        pw = [nn.Conv2d(hidden_dim, oup, 1, 1, 0, bias=False), nn.BatchNorm2d(oup)]
        if inp == hidden_dim:
            self.conv = nn.Sequential(*dw, act(), *se, *pw)
        else:
            self.conv = nn.Sequential(nn.Conv2d(inp, hidden_dim, 1, 1, 0, bias=False), nn.BatchNorm2d(hidden_dim),
                                      act(), *dw, *se, act(), *pw)

    def forward(self, x):
        y = self.conv(x)
        return x + y if self.identity else y


class FocalModulation(nn.Module):
    def __init__(self, dim, focal_window=3, focal_level=2, focal_factor=2, bias=True, proj_drop=0.0,
                 use_postln_in_modulation=False, normalize_modulator=False):
        super().__init__()
        self.focal_level, self.normalize_modulator = focal_level, normalize_modulator
        self.f = nn.Conv2d(dim, 2 * dim + (focal_level + 1), 1, bias=bias)
        self.h = nn.Conv2d(dim, dim, 1, 1, bias=bias)
        self.act = nn.GELU()
        self.proj = nn.Conv2d(dim, dim, 1)
        self.proj_drop = nn.Dropout(proj_drop)
        self.focal_layers = nn.ModuleList(
            nn.Sequential(nn.Conv2d(dim, dim, focal_factor * k + focal_window, 1, groups=dim,
                                    padding=(focal_factor * k + focal_window) // 2, bias=False), nn.GELU())
            for k in range(focal_level))

    def forward(self, x):
        C = x.shape[1]
        q, ctx, gates = torch.split(self.f(x), (C, C, self.focal_level + 1), 1)
        ctx_all = 0.0
        for level in range(self.focal_level):
            ctx = self.focal_layers[level](ctx)
            ctx_all = ctx_all + ctx * gates[:, level:level + 1]
        ctx_global = self.act(ctx.mean(2, keepdim=True).mean(3, keepdim=True))
        ctx_all = ctx_all + ctx_global * gates[:, self.focal_level:]
        if self.normalize_modulator:
            ctx_all = ctx_all / (self.focal_level + 1)
        return self.proj_drop(self.proj(q * self.h(ctx_all)))


CUSTOM = {c.__name__: c for c in (C3_Faster, Faster_Block, h_sigmoid, h_swish, SELayer, conv_bn_hswish,
                                  MobileNet_Block, FocalModulation)}
