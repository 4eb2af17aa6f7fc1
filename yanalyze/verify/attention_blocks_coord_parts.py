"""Torch restatements of zhang-dut/yolov5-parts' CoordAttention and wandahangFY/MLCA's CA, for verify
and the cross-checks."""
from .attention_blocks_coord import CA, CAHardswish


class CoordAttention(CA):
    """Coordinate attention whose gates have the input's own channel count (zhang-dut/yolov5-parts)."""

    def __init__(self, inp, reduction=32):
        super().__init__(inp, inp, reduction)


class CAHardswishR16(CAHardswish):
    """Bias-free, nn.Hardswish coordinate attention reducing by 16 by default (wandahangFY/MLCA)."""

    def __init__(self, inp, oup, reduction=16):
        super().__init__(inp, oup, reduction)
