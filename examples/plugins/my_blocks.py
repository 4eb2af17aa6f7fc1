"""An example plugin: one custom block, costed from yanalyze's primitives.

    yanalyze examples/yolov5s-dilated.yaml --plugin examples/plugins/my_blocks.py
"""
import yanalyze
from yanalyze import ops


@yanalyze.register("DilatedBottleneck", channels="conv")
def dilated_bottleneck(x, c1, c2, d=2):
    """1x1 Conv to c2/2, 3x3 Conv with dilation d (receptive field 2d+1), 1x1 Conv back to c2;
    residual add when the channels match. Params, FLOPs, memory and the receptive field all
    follow from the primitives."""
    h = c2 // 2
    y = ops.conv(x, c1, h, 1)
    y = ops.conv(y, h, h, 3, 1, None, 1, d)
    y = ops.conv(y, h, c2, 1)
    return ops.add(x, y) if c1 == c2 else y
