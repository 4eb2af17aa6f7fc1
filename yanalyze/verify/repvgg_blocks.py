"""Torch restatements of the re-parameterisable blocks (RepVGG-style) and the PP-LCNet blocks that
YOLOv5 forks publish: YOLOv5-Lite's RepVGGBlock, LC_Block and Dense, YOLOv7's RepConv in its two
published activations. Same submodules, parameter shapes and forward kernels as the forks' classes
(sources in yanalyze/analyzer/modules/repvgg.py and lcnet.py), in the training-time (unfused) form
unless deploy is asked for."""
import torch.nn as nn
import torch.nn.functional as F

from .backbone_blocks import CBH


def _conv_norm(c1, c2, k, s, p, g):
    """A bias-free conv and its batch norm, as one named pair (conv, bn)."""
    pair = nn.Sequential()
    pair.add_module("conv", nn.Conv2d(c1, c2, k, s, p, groups=g, bias=False))
    pair.add_module("bn", nn.BatchNorm2d(c2))
    return pair


class _ThreeBranch(nn.Module):
    """k x k conv+BN plus 1x1 conv+BN plus (same shape only) a BN of the input; or one biased
    k x k conv when deployed."""

    def _branches(self, c1, c2, k, s, p, d, g, deploy):
        if deploy:
            self.rbr_reparam = nn.Conv2d(c1, c2, k, s, p, dilation=d, groups=g, bias=True)
            return
        self.rbr_identity = nn.BatchNorm2d(c1) if c1 == c2 and s == 1 else None
        self.rbr_dense = _conv_norm(c1, c2, k, s, p, g)
        self.rbr_1x1 = _conv_norm(c1, c2, 1, s, p - k // 2, g)

    def _summed(self, x):
        total = self.rbr_dense(x) + self.rbr_1x1(x)
        # the forks add a literal 0 when there is no identity branch: still a kernel
        return total + (0 if self.rbr_identity is None else self.rbr_identity(x))


class SEBlock(nn.Module):
    """Squeeze-excite of RepVGG: functional average pool over a W x W window, biased 1x1 down,
    ReLU, biased 1x1 up, sigmoid, channel gate."""

    def __init__(self, c, hidden):
        super().__init__()
        self.down = nn.Conv2d(c, hidden, 1, 1, bias=True)
        self.up = nn.Conv2d(hidden, c, 1, 1, bias=True)
        self.input_channels = c

    def forward(self, x):
        # stride written out (it defaults to the window): the same kernel, which the tracer needs
        w = F.avg_pool2d(x, kernel_size=x.size(3), stride=x.size(3))
        w = self.up(F.relu(self.down(w))).sigmoid()
        return x * w.view(-1, self.input_channels, 1, 1)


class RepVGGBlock(_ThreeBranch):
    """YOLOv5-Lite's RepVGGBlock: SiLU(SE?(dense + 1x1 + identity))."""

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=1, dilation=1, groups=1,
                 padding_mode="zeros", deploy=False, use_se=False):
        super().__init__()
        self.deploy, self.groups, self.in_channels = deploy, groups, in_channels
        self.nonlinearity = nn.SiLU()
        self.se = SEBlock(out_channels, out_channels // 16) if use_se else nn.Identity()
        self._branches(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, deploy)

    def forward(self, x):
        y = self.rbr_reparam(x) if hasattr(self, "rbr_reparam") else self._summed(x)
        return self.nonlinearity(self.se(y))


class RepConv(_ThreeBranch):
    """YOLOv7's RepConv (k = 3, 'same' padding): act(dense + 1x1 + identity), act SiLU by default."""

    true_act = nn.SiLU

    def __init__(self, c1, c2, k=3, s=1, p=None, g=1, act=True, deploy=False):
        super().__init__()
        pad = k // 2 if p is None else p
        assert k == 3 and pad == 1
        self.deploy, self.groups, self.in_channels, self.out_channels = deploy, g, c1, c2
        if act is True:
            self.act = self.true_act()
        else:
            self.act = act if isinstance(act, nn.Module) else nn.Identity()
        self._branches(c1, c2, k, s, pad, 1, g, deploy)

    def forward(self, x):
        return self.act(self.rbr_reparam(x) if hasattr(self, "rbr_reparam") else self._summed(x))


class RepConv_leaky(RepConv):
    """RepConv whose act=True means LeakyReLU(0.1)."""

    @staticmethod
    def true_act():
        return nn.LeakyReLU(0.1, inplace=True)


class LC_SEModule(nn.Module):
    """PP-LCNet SE as YOLOv5-Lite has it: adaptive pool, biased 1x1 to c/4, ReLU, biased 1x1 back,
    SiLU (not a sigmoid), channel gate."""

    def __init__(self, c, reduction=4):
        super().__init__()
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.conv1 = nn.Conv2d(c, c // reduction, 1, 1, 0)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(c // reduction, c, 1, 1, 0)
        self.SiLU = nn.SiLU()

    def forward(self, x):
        return x * self.SiLU(self.conv2(self.relu(self.conv1(self.avg_pool(x)))))


class LC_Block(nn.Module):
    """Depth-wise CBH (k = dw_size, stride), optional SE, point-wise CBH to num_filters."""

    def __init__(self, num_channels, num_filters, stride, dw_size, use_se=False):
        super().__init__()
        self.use_se = use_se
        self.dw_conv = CBH(num_channels, num_channels, dw_size, stride, num_channels)
        if use_se:
            self.se = LC_SEModule(num_channels)
        self.pw_conv = CBH(num_channels, num_filters, 1, 1)

    def forward(self, x):
        y = self.dw_conv(x)
        return self.pw_conv(self.se(y) if self.use_se else y)


class Dense(nn.Module):
    """Bias-free k x k conv without padding, Hardswish, Dropout (nothing at inference)."""

    def __init__(self, num_channels, num_filters, filter_size, dropout_prob):
        super().__init__()
        self.dense_conv = nn.Conv2d(num_channels, num_filters, filter_size, 1, 0, bias=False)
        self.hardswish = nn.Hardswish()
        self.dropout = nn.Dropout(p=dropout_prob)

    def forward(self, x):
        return self.dropout(self.hardswish(self.dense_conv(x)))


class RepVGGBlockv6(_ThreeBranch):
    """YOLOv6's RepVGG block (k = 3, padding 1): ReLU(dense + 1x1 + identity)."""

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=1, dilation=1, groups=1,
                 padding_mode="zeros", deploy=False, use_se=False):
        super().__init__()
        assert kernel_size == 3 and padding == 1 and not use_se
        self.deploy, self.groups = deploy, groups
        self.in_channels, self.out_channels = in_channels, out_channels
        self.nonlinearity = nn.ReLU()
        self.se = nn.Identity()
        self._branches(in_channels, out_channels, 3, stride, 1, dilation, groups, deploy)

    def forward(self, x):
        y = self.rbr_reparam(x) if hasattr(self, "rbr_reparam") else self._summed(x)
        return self.nonlinearity(self.se(y))


class RepBlock(nn.Module):
    """A first RepVGGBlockv6(in, out), then n - 1 RepVGGBlockv6(out, out) in a Sequential."""

    def __init__(self, in_channels, out_channels, n=1):
        super().__init__()
        self.conv1 = RepVGGBlockv6(in_channels, out_channels)
        self.block = nn.Sequential(*(RepVGGBlockv6(out_channels, out_channels) for _ in range(n - 1))) if n > 1 \
            else None

    def forward(self, x):
        y = self.conv1(x)
        return y if self.block is None else self.block(y)
