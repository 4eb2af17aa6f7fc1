"""Torch references of yoloY's SE and CA definitions (a875560134/yoloY), written from what the
fork's modules compute."""
import torch.nn as nn

from .attention_blocks import SqueezeExcite
from .attention_blocks_coord import CA


class SESiLU(SqueezeExcite):
    """Squeeze-excite with SiLU between the two bias-free Linear layers, reduction 8."""

    def __init__(self, c1, c2, ratio=8):
        super().__init__(c1, c1 // ratio)
        self.act = nn.SiLU(inplace=True)


class CAInlineR8(CA):
    """Coordinate attention with its strip pools made in forward, reduction 8."""

    def __init__(self, inp, oup, reduction=8):
        super().__init__(inp, oup, reduction, inline_pools=True)
