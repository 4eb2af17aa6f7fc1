"""Torch references for the EfficientNet-Lite stem, MobileNetV3_InvertedResidual and DepthSepConv,
written for yanalyze from what Gumpest/YOLOv5-Multibackbone-Compression's (and a875560134/yoloY's)
classes compute: same submodules, parameter shapes and kernels."""
import torch.nn as nn


class SeBlock(nn.Module):
    """Pooled 1x1-conv squeeze-excite with a Sigmoid gate."""

    def __init__(self, c, reduction=4, act=nn.ReLU):
        super().__init__()
        self.Squeeze = nn.AdaptiveAvgPool2d(1)
        self.Excitation = nn.Sequential(nn.Conv2d(c, c // reduction, 1), act(),
                                        nn.Conv2d(c // reduction, c, 1), nn.Sigmoid())

    def forward(self, x):
        return x * self.Excitation(self.Squeeze(x)).expand_as(x)


class EfficientLiteStem(nn.Module):
    """3x3 stride-2 conv, batch norm, ReLU6."""

    def __init__(self, c1, c2, act="ReLU6"):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, 3, 2, 1, bias=False)
        self.bn = nn.BatchNorm2d(c2)
        self.act = nn.ReLU6(inplace=True)

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class LiteStem(nn.Module):
    """3x3 stride-2 conv from 3 channels, batch norm, ReLU."""

    def __init__(self, c1, c2):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(3, c2, 3, 2, 1, bias=False), nn.BatchNorm2d(c2), nn.ReLU(inplace=True))

    def forward(self, x):
        return self.conv(x)


class LiteMBConvBlock(nn.Module):
    """Depth-wise conv, BN, ReLU, 1x1 conv, BN; residual when shapes allow."""

    def __init__(self, inp, oup, k, s):
        super().__init__()
        self.dw = nn.Sequential(nn.Conv2d(oup, oup, k, s, (k - 1) // 2, groups=oup, bias=False), nn.BatchNorm2d(oup),
                                nn.ReLU(inplace=True))
        self.project = nn.Sequential(nn.Conv2d(oup, oup, 1, bias=False), nn.BatchNorm2d(oup))
        self.residual = s == 1 and inp == oup

    def forward(self, x):
        y = self.project(self.dw(x))
        return y + x if self.residual else y


def conv_bn(c1, c2, k=1, s=1, g=1):
    return [nn.Conv2d(c1, c2, k, s, (k - 1) // 2, groups=g, bias=False), nn.BatchNorm2d(c2)]


class MBConvBlock(nn.Module):
    """EfficientNet-Lite MBConv with ReLU6 and an optional SeBlock; residual when shapes allow."""

    def __init__(self, inp, final_oup, k, s, expand_ratio, drop_connect_rate=None, has_se=False):
        super().__init__()
        hid = inp * expand_ratio
        self.expand = nn.Sequential(*conv_bn(inp, hid), nn.ReLU6(inplace=True)) if expand_ratio != 1 else None
        self.dw = nn.Sequential(*conv_bn(hid, hid, k, s, hid), nn.ReLU6(inplace=True))
        self.se = SeBlock(hid, 4) if has_se else None
        self.project = nn.Sequential(*conv_bn(hid, final_oup))
        self.residual = s == 1 and inp == final_oup

    def forward(self, x):
        y = self.dw(x if self.expand is None else self.expand(x))
        if self.se is not None:
            y = self.se(y)
        y = self.project(y)
        return y + x if self.residual else y


class MobileNetV3IR(nn.Module):
    """MobileNetV3 inverted residual with SeBlock; ReLU (or Hardswish) activations."""
    other: type[nn.Module] = nn.ReLU

    def __init__(self, inp, oup, hidden_dim, kernel_size, stride, use_se, use_hs):
        super().__init__()
        self.identity = stride == 1 and inp == oup

        def act():
            return nn.Hardswish() if use_hs else self.other()

        se = [SeBlock(hidden_dim, 4, self.other)] if use_se else []
        dw = conv_bn(hidden_dim, hidden_dim, kernel_size, stride, hidden_dim)
        if inp == hidden_dim:
            layers = [*dw, act(), *se, *conv_bn(hidden_dim, oup)]
        else:
            layers = [*conv_bn(inp, hidden_dim), act(), *dw, *se, act(), *conv_bn(hidden_dim, oup)]
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        y = self.conv(x)
        return x + y if self.identity else y


class MobileNetV3IRSiLU(MobileNetV3IR):
    """The same block with SiLU in place of ReLU."""
    other = nn.SiLU


class DepthSepConv(nn.Module):
    """Depth-wise conv, BN, Hardswish, optional SeBlock(c, 16), 1x1 conv, BN, Hardswish."""

    def __init__(self, inp, oup, dw_size, stride, use_se=False):
        super().__init__()
        se = [SeBlock(inp, 16)] if use_se else []
        self.dw_sp = nn.Sequential(*conv_bn(inp, inp, dw_size, stride, inp), nn.Hardswish(), *se,
                                   *conv_bn(inp, oup), nn.Hardswish())

    def forward(self, x):
        return self.dw_sp(x)
