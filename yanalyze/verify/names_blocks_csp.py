"""Torch references for CTR3, SPPFCSPC, GhostSPPFCSPC, VoVCSP and ParNetAttention, written for
yanalyze from what the published classes compute (a875560134/yoloY and iscyy/yoloair
models/common.py): same submodules, parameter shapes and kernels."""
import torch
import torch.nn as nn

from .blocks import Bottleneck, Conv, GhostConv


class MHSA(nn.Module):
    """Multi-head self-attention over all positions with 1x1 conv projections, no position terms."""

    def __init__(self, c, heads=4):
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value = (nn.Conv2d(c, c, 1) for _ in range(3))
        self.softmax = nn.Softmax(dim=-1)

    def forward(self, x):
        n, c, h, w = x.shape
        split = (n, self.heads, c // self.heads, h * w)
        q, k, v = self.query(x).view(split), self.key(x).view(split), self.value(x).view(split)
        a = self.softmax(torch.matmul(q.permute(0, 1, 3, 2), k))
        return torch.matmul(v, a.permute(0, 1, 3, 2)).view(n, c, h, w)


class BoTBlock(nn.Module):
    """1x1 Conv, MHSA, residual; a Linear that the forward never uses."""

    def __init__(self, c, heads=4):
        super().__init__()
        self.cv1 = Conv(c, c)
        self.cv2 = nn.Sequential(MHSA(c, heads))
        self.fc1 = nn.Linear(c, c)

    def forward(self, x):
        return x + self.cv2(self.cv1(x))


class CTR3(nn.Module):
    """C3 around n BoT blocks."""

    def __init__(self, c1, c2, n=1, e=0.5, e2=1, w=20, h=20):
        super().__init__()
        hid = int(c2 * e)
        self.cv1, self.cv2, self.cv3 = Conv(c1, hid), Conv(c1, hid), Conv(2 * hid, c2)
        self.m = nn.Sequential(*[BoTBlock(hid) for _ in range(n)])

    def forward(self, x):
        return self.cv3(torch.cat([self.m(self.cv1(x)), self.cv2(x)], 1))


class BoT3(CTR3):
    """The same block under yoloair's name."""


class SPPFCSPC(nn.Module):
    """CSP around a Conv stack and three chained stride-1 max-pools."""
    unit: type[nn.Module] = Conv

    def __init__(self, c1, c2, n=1, shortcut=False, g=1, e=0.5, k=5):
        super().__init__()
        h, U = int(2 * c2 * e), self.unit
        self.cv1, self.cv2, self.cv3, self.cv4 = U(c1, h, 1, 1), U(c1, h, 1, 1), U(h, h, 3, 1), U(h, h, 1, 1)
        self.m = nn.MaxPool2d(k, 1, k // 2)
        self.cv5, self.cv6, self.cv7 = U(4 * h, h, 1, 1), U(h, h, 3, 1), U(2 * h, c2, 1, 1)

    def forward(self, x):
        a = self.cv4(self.cv3(self.cv1(x)))
        b = self.m(a)
        c = self.m(b)
        y = self.cv6(self.cv5(torch.cat([a, b, c, self.m(c)], 1)))
        return self.cv7(torch.cat([y, self.cv2(x)], 1))


class SPPFCSPCK3(SPPFCSPC):
    """SPPFCSPC pooling 3x3 by default."""

    def __init__(self, c1, c2, n=1, shortcut=False, g=1, e=0.5, k=3):
        super().__init__(c1, c2, n, shortcut, g, e, k)


class GhostSPPFCSPC(SPPFCSPC):
    """SPPFCSPC built from GhostConvs."""
    unit = GhostConv


class VoVCSP(nn.Module):
    """Second channel half: two chained 3x3 Convs, concatenated, 1x1 Conv."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__()
        self.cv1 = Conv(c1 // 2, c2 // 2, 3)
        self.cv2 = Conv(c2 // 2, c2 // 2, 3)
        self.cv3 = Conv(c2, c2)

    def forward(self, x):
        a = self.cv1(x.chunk(2, dim=1)[1])
        return self.cv3(torch.cat([a, self.cv2(a)], 1))


class ParNetAttention(nn.Module):
    """1x1 conv-BN plus 3x3 conv-BN plus a pooled sigmoid gate times x, then SiLU."""

    def __init__(self, channel=1024, out_channel=1024):
        super().__init__()
        self.sse = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(channel, out_channel, 1), nn.Sigmoid())
        self.conv1x1 = nn.Sequential(nn.Conv2d(channel, out_channel, 1), nn.BatchNorm2d(out_channel))
        self.conv3x3 = nn.Sequential(nn.Conv2d(channel, out_channel, 3, padding=1), nn.BatchNorm2d(out_channel))
        self.silu = nn.SiLU()

    def forward(self, x):
        return self.silu(self.conv1x1(x) + self.conv3x3(x) + self.sse(x) * x)


class ContextBlock(nn.Module):
    """Global-context block: softmax-attention pooling, then a multiplicative (sigmoid) and an
    additive channel transform of the pooled context."""
    act: type[nn.Module] = nn.ReLU

    def __init__(self, c):
        super().__init__()
        p = c // 4
        self.conv_mask = nn.Conv2d(c, 1, 1)
        self.softmax = nn.Softmax(dim=2)

        def transform():
            return nn.Sequential(nn.Conv2d(c, p, 1), nn.LayerNorm([p, 1, 1]), self.act(inplace=True),
                                 nn.Conv2d(p, c, 1))

        self.channel_add_conv, self.channel_mul_conv = transform(), transform()

    def forward(self, x):
        n, c, h, w = x.shape
        weights = self.softmax(self.conv_mask(x).view(n, 1, h * w)).unsqueeze(3)
        context = torch.matmul(x.view(n, c, h * w).unsqueeze(1), weights).view(n, c, 1, 1)
        out = x * torch.sigmoid(self.channel_mul_conv(context))
        return out + self.channel_add_conv(context)


class ContextBlockSiLU(ContextBlock):
    """The same block with SiLU in its transforms."""
    act = nn.SiLU


class C3GC(nn.Module):
    """C3 whose cv2 branch reads a global-context block of the input."""
    gc_block = ContextBlock

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__()
        h = int(c2 * e)
        self.gc = self.gc_block(c1)
        self.cv1, self.cv2, self.cv3 = Conv(c1, h, 1, 1), Conv(c1, h, 1, 1), Conv(2 * h, c2, 1)
        self.m = nn.Sequential(*[Bottleneck(h, h, shortcut, g, e=1.0) for _ in range(n)])

    def forward(self, x):
        return self.cv3(torch.cat([self.m(self.cv1(x)), self.cv2(self.gc(x))], 1))


class C3GCSiLU(C3GC):
    """C3GC with the SiLU context block."""
    gc_block = ContextBlockSiLU


class BasicConv(nn.Module):
    """Bias-free conv, batch norm, optional activation."""

    def __init__(self, c1, c2, k, s=1, p=0, d=1, g=1, act=None):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, p, dilation=d, groups=g, bias=False)
        self.bn = nn.BatchNorm2d(c2, momentum=0.01)
        self.relu = act(inplace=True) if act is not None else None

    def forward(self, x):
        y = self.bn(self.conv(x))
        return y if self.relu is None else self.relu(y)


class BasicRFB(nn.Module):
    """Three dilated branches, a linear 1x1 fusion scaled and added to a 1x1 shortcut, then act."""
    act: type[nn.Module] = nn.ReLU

    def __init__(self, in_planes, out_planes, stride=1, scale=0.1, map_reduce=8, vision=1, groups=1):
        super().__init__()
        self.scale = scale
        i, a, g = in_planes // map_reduce, self.act, groups
        self.branch0 = nn.Sequential(BasicConv(in_planes, i, 1, g=g), BasicConv(i, 2 * i, 3, stride, 1, g=g, act=a),
                                     BasicConv(2 * i, 2 * i, 3, 1, vision + 1, vision + 1, g))
        self.branch1 = nn.Sequential(BasicConv(in_planes, i, 1, g=g), BasicConv(i, 2 * i, 3, stride, 1, g=g, act=a),
                                     BasicConv(2 * i, 2 * i, 3, 1, vision + 2, vision + 2, g))
        mid = (i // 2) * 3
        self.branch2 = nn.Sequential(BasicConv(in_planes, i, 1, g=g), BasicConv(i, mid, 3, 1, 1, g=g, act=a),
                                     BasicConv(mid, 2 * i, 3, stride, 1, g=g, act=a),
                                     BasicConv(2 * i, 2 * i, 3, 1, vision + 4, vision + 4, g))
        self.ConvLinear = BasicConv(6 * i, out_planes, 1)
        self.shortcut = BasicConv(in_planes, out_planes, 1, stride)
        self.relu = a(inplace=False)

    def forward(self, x):
        y = self.ConvLinear(torch.cat([self.branch0(x), self.branch1(x), self.branch2(x)], 1))
        return self.relu(y * self.scale + self.shortcut(x))


class BasicRFBSiLU(BasicRFB):
    """BasicRFB with SiLU and scale 1.0 by default."""
    act = nn.SiLU

    def __init__(self, in_planes, out_planes, stride=1, scale=1.0, map_reduce=8, vision=1, groups=1):
        super().__init__(in_planes, out_planes, stride, scale, map_reduce, vision, groups)


class GSConvns(nn.Module):
    """Conv, 5x5 depth-wise Conv of it, concatenated; 1x1 conv (no bias) and ReLU."""

    def __init__(self, c1, c2, k=1, s=1, g=1, d=1, act=True):
        super().__init__()
        self.build(c1, c2, k, s, None, g, d, True)

    def build(self, c1, c2, k, s, p, g, d, act):
        h = c2 // 2
        self.cv1 = Conv(c1, h, k, s, p, g, d, act)
        self.cv2 = Conv(h, h, 5, 1, p, h, d, act)
        self.shuf = nn.Conv2d(2 * h, c2, 1, 1, 0, bias=False)
        self.act = nn.ReLU()

    def forward(self, x):
        a = self.cv1(x)
        return self.act(self.shuf(torch.cat([a, self.cv2(a)], 1)))


class GSConvnsPadding(GSConvns):
    """GSConvns taking a padding and passing its activation on."""

    def __init__(self, c1, c2, k=1, s=1, p=None, g=1, d=1, act=True):
        nn.Module.__init__(self)
        self.build(c1, c2, k, s, p, g, d, act)


class GSBottleneckNS(nn.Module):
    """Two GSConvns (1x1 to int(c2 * e), then 3x3) plus a linear 1x1 Conv shortcut."""

    def __init__(self, c1, c2, e=0.5):
        super().__init__()
        h = int(c2 * e)
        self.conv_lighting = nn.Sequential(GSConvns(c1, h, 1, 1), GSConvns(h, c2, 3, 1, act=False))
        self.shortcut = Conv(c1, c2, 1, 1, act=False)

    def forward(self, x):
        return self.conv_lighting(x) + self.shortcut(x)


class VoVGSCSPns(nn.Module):
    """cv1 then n GSBottleneckNS beside cv2, concatenated, cv3."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__()
        h = int(c2 * e)
        self.cv1, self.cv2, self.cv3 = Conv(c1, h, 1, 1), Conv(c1, h, 1, 1), Conv(2 * h, c2, 1)
        self.gsb = nn.Sequential(*(GSBottleneckNS(h, h, e=1.0) for _ in range(n)))

    def forward(self, x):
        return self.cv3(torch.cat([self.cv2(x), self.gsb(self.cv1(x))], 1))
