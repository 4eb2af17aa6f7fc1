"""Torch restatements of wandahangFY/MLCA's MobileNetV3 stem and inverted residual (nn.Hardswish
and nn.Hardsigmoid kernels), for verify and the cross-checks."""
import torch.nn as nn

from .attention_blocks_coord_parts import CAHardswishR16


class ConvBNHswish(nn.Module):
    """3x3 conv without bias, batch norm, nn.Hardswish (wandahangFY/MLCA)."""

    def __init__(self, c1, c2, stride):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, 3, stride, 1, bias=False)
        self.bn = nn.BatchNorm2d(c2)
        self.act = nn.Hardswish()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class SqueezeHardsigmoid(nn.Module):
    """Global pool, two biased Linear layers (ReLU, nn.Hardsigmoid), channel gate."""

    def __init__(self, c, r=4):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Sequential(nn.Linear(c, c // r), nn.ReLU(), nn.Linear(c // r, c), nn.Hardsigmoid())

    def forward(self, x):
        n, c = x.shape[:2]
        gate = self.fc(self.pool(x).view(n, c))
        return x * gate.view(n, c, 1, 1)


class MblNetV3_Blk(nn.Module):
    """MobileNetV3 inverted residual with nn.Hardswish / ReLU and the Hardsigmoid SE (wandahangFY/MLCA)."""

    @staticmethod
    def attention(c):
        return SqueezeHardsigmoid(c)

    def __init__(self, inp, oup, hidden_dim, kernel_size, stride, use_se, use_hs):
        super().__init__()
        self.residual = stride == 1 and inp == oup
        act = nn.Hardswish if use_hs else nn.ReLU
        se = [self.attention(hidden_dim)] if use_se else []
        depthwise = [nn.Conv2d(hidden_dim, hidden_dim, kernel_size, stride, (kernel_size - 1) // 2,
                               groups=hidden_dim, bias=False), nn.BatchNorm2d(hidden_dim)]
        project = [nn.Conv2d(hidden_dim, oup, 1, bias=False), nn.BatchNorm2d(oup)]
        if inp == hidden_dim:
            body = [*depthwise, act(), *se, *project]
        else:
            expand = [nn.Conv2d(inp, hidden_dim, 1, bias=False), nn.BatchNorm2d(hidden_dim), act()]
            body = [*expand, *depthwise, *se, act(), *project]
        self.body = nn.Sequential(*body)

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


class MblNetV3_BlkCA(MblNetV3_Blk):
    """The same inverted residual with CA(c, c, 16) in place of the SE (wandahangFY/MLCA)."""

    @staticmethod
    def attention(c):
        return CAHardswishR16(c, c, 16)
