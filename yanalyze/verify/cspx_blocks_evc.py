"""CFPNet's EVCBlock as YOLOv5 forks ship it (models/cfp.py of arandinglv/RDD-YOLOv5 and
Tao-GCPD's underwater detector), written for yanalyze from what it computes: same submodules,
parameter shapes and kernels. Quan et al., Centralized Feature Pyramid, IEEE TIP 2023."""
import torch
import torch.nn as nn
import torch.nn.functional as F



class ResBottleneck(nn.Module):
    """1x1 -> 3x3 -> 1x1 (width c // 4, BN eps 1e-6, ReLU) plus a 1x1 conv + BN residual."""

    def __init__(self, c):
        super().__init__()
        q = c // 4
        self.conv1, self.bn1, self.act1 = nn.Conv2d(c, q, 1, bias=False), nn.BatchNorm2d(q, eps=1e-6), nn.ReLU()
        self.conv2, self.bn2, self.act2 = nn.Conv2d(q, q, 3, 1, 1, bias=False), nn.BatchNorm2d(q, eps=1e-6), nn.ReLU()
        self.conv3, self.bn3, self.act3 = nn.Conv2d(q, c, 1, bias=False), nn.BatchNorm2d(c, eps=1e-6), nn.ReLU()
        self.residual_conv, self.residual_bn = nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c, eps=1e-6)

    def forward(self, x):
        y = self.act2(self.bn2(self.conv2(self.act1(self.bn1(self.conv1(x))))))
        y = self.bn3(self.conv3(y))
        y += self.residual_bn(self.residual_conv(x))
        return self.act3(y)


class CodewordEncoding(nn.Module):
    """Soft assignment of every position to 64 learned codewords (scaled squared distances,
    softmax), aggregated residuals per codeword: (B, 64, C)."""

    def __init__(self, c, codes=64):
        super().__init__()
        self.codewords = nn.Parameter(torch.empty(codes, c).uniform_(-1.0, 1.0))
        self.scale = nn.Parameter(torch.empty(codes).uniform_(-1.0, 0.0))

    def forward(self, x):
        b, c = x.shape[:2]
        k = self.codewords.shape[0]
        tokens = x.view(b, c, -1).transpose(1, 2).contiguous()                   # (B, N, C)
        spread = tokens.unsqueeze(2).expand(b, tokens.shape[1], k, c)
        dist = self.scale.view(1, 1, k) * (spread - self.codewords.view(1, 1, k, c)).pow(2).sum(dim=3)
        weights = F.softmax(dist, dim=2).unsqueeze(3)
        return (weights * (spread - self.codewords.view(1, 1, k, c))).sum(1)


class ChannelMean(nn.Module):
    """Mean over dimension 1."""

    def forward(self, x):
        return x.mean(1)


class VisualCenter(nn.Module):
    """Bottleneck, then a codeword encoding turned into a sigmoid gate per channel: x + x * gate."""

    def __init__(self, c):
        super().__init__()
        self.conv_1 = ResBottleneck(c)
        self.LVC = nn.Sequential(nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU(),
                                 CodewordEncoding(c), nn.BatchNorm1d(64), nn.ReLU(), ChannelMean())
        self.fc = nn.Sequential(nn.Linear(c, c), nn.Sigmoid())

    def forward(self, x):
        x = self.conv_1(x)
        gate = self.fc(self.LVC(x)).view(x.shape[0], x.shape[1], 1, 1)
        return F.relu_(x + x * gate)


class ConvBNSiLU(nn.Module):
    """Conv2d (no bias, 'same' padding), BatchNorm2d, SiLU."""

    def __init__(self, c1, c2, k, g=1):
        super().__init__()
        self.conv, self.bn, self.act = nn.Conv2d(c1, c2, k, 1, (k - 1) // 2, groups=g, bias=False), nn.BatchNorm2d(c2), nn.SiLU()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class LightMLP(nn.Module):
    """Two residual units with 1-group GroupNorm and learned layer scales: a depth-wise +
    point-wise conv pair, then a 1x1 MLP (4x, GELU). A Linear(c2, c2) is held but unused."""

    def __init__(self, c1, c2, mlp_ratio=4.0):
        super().__init__()
        self.dw = nn.Sequential(ConvBNSiLU(c1, c1, 1, g=c1), ConvBNSiLU(c1, c2, 1))
        self.linear = nn.Linear(c2, c2)
        self.norm1, self.norm2 = nn.GroupNorm(1, c1), nn.GroupNorm(1, c1)
        hidden = int(c1 * mlp_ratio)
        self.mlp = nn.Sequential(nn.Conv2d(c1, hidden, 1), nn.GELU(), nn.Dropout(0.0), nn.Conv2d(hidden, c1, 1),
                                 nn.Dropout(0.0))
        self.layer_scale_1 = nn.Parameter(1e-5 * torch.ones(c2))
        self.layer_scale_2 = nn.Parameter(1e-5 * torch.ones(c2))

    def forward(self, x):
        x = x + self.layer_scale_1.unsqueeze(-1).unsqueeze(-1) * self.dw(self.norm1(x))
        return x + self.layer_scale_2.unsqueeze(-1).unsqueeze(-1) * self.mlp(self.norm2(x))


class EVCBlock(nn.Module):
    """7x7 stem with BN, ReLU and a 3x3 max-pool; visual center and light MLP side by side,
    concatenated, 1x1 conv with bias."""

    def __init__(self, c1, c2, channel_ratio=4, base_channel=16):
        super().__init__()
        self.conv1, self.bn1, self.act1 = nn.Conv2d(c1, c1, 7, 1, 3, bias=False), nn.BatchNorm2d(c1), nn.ReLU()
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.lvc = VisualCenter(c1)
        self.l_MLP = LightMLP(c1, c2)
        self.cnv1 = nn.Conv2d(2 * c2, c2, 1)

    def forward(self, x):
        x = self.maxpool(self.act1(self.bn1(self.conv1(x))))
        return self.cnv1(torch.cat((self.lvc(x), self.l_MLP(x)), dim=1))
