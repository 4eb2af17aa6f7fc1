"""Torch references of the other published C3TR definitions: yoloY's pre-norm layer
(a875560134/yoloY) and TPH-YOLOv5's layer (Gumpest/YOLOv5-Multibackbone-Compression)."""
import torch.nn as nn

from .blocks import C3
from .transformer_blocks import TransformerBlock


class NormedLayer(nn.Module):
    """Pre-norm attention and a pre-norm two-Linear MLP (width c * widen, ReLU when widened)."""

    def __init__(self, c, num_heads, widen=1, mlp_act=None):
        super().__init__()
        self.norm_a, self.norm_m = nn.LayerNorm(c), nn.LayerNorm(c)
        self.q, self.k, self.v = (nn.Linear(c, c, bias=False) for _ in range(3))
        self.ma = nn.MultiheadAttention(embed_dim=c, num_heads=num_heads)
        self.fc1, self.fc2 = nn.Linear(c, widen * c, bias=False), nn.Linear(widen * c, c, bias=False)
        self.mlp_act = mlp_act if mlp_act is not None else nn.Identity()
        self.drop = nn.Dropout(0.1)

    def forward(self, x):
        n = self.norm_a(x)
        x = self.ma(self.q(n), self.k(n), self.v(n))[0] + x
        return self.mlp(x)

    def mlp(self, x):
        raise NotImplementedError


class LayerNormLayer(NormedLayer):
    """yoloY: the second residual adds the normalised tokens."""

    def mlp(self, x):
        z = self.norm_m(x)
        return self.fc2(self.fc1(z)) + z


class TphLayer(NormedLayer):
    """TPH-YOLOv5: fc2(drop(ReLU(fc1(LN x)))), dropped again, plus x."""

    def __init__(self, c, num_heads):
        super().__init__(c, num_heads, widen=4, mlp_act=nn.ReLU(inplace=True))

    def mlp(self, x):
        return self.drop(self.fc2(self.drop(self.mlp_act(self.fc1(self.norm_m(x)))))) + x


def _transformer(c, n, layer):
    t = TransformerBlock(c, c, 4, n)
    t.tr = nn.Sequential(*(layer(c, 4) for _ in range(n)))
    return t


class C3TRLayerNorm(C3):
    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__(c1, c2, n, shortcut, g, e)
        self.m = _transformer(int(c2 * e), n, LayerNormLayer)


class C3TRTph(C3):
    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__(c1, c2, n, shortcut, g, e)
        self.m = _transformer(int(c2 * e), n, TphLayer)
