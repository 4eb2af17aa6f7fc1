"""The building blocks for custom cost models (plugins): primitives and YOLOv5 blocks.

A cost model receives a symbolic tensor `x` (shape, receptive field, cost trace) and the
module's resolved constructor arguments, and returns the output tensor built from these:

    @yanalyze.register("MyBlock", channels="conv")
    def my_block(x, c1, c2, k=3):
        return ops.add(x, ops.conv(ops.conv(x, c1, c2 // 2, 1), c2 // 2, c2, k))
"""
from .analyzer.modules.conv import autopad, conv, dwconv, focus, ghost_conv  # noqa: F401
from .analyzer.modules.csp import bottleneck, c3, c3_body, ghost_bottleneck, repeat  # noqa: F401
from .analyzer.modules.mobilenet import h_sigmoid, h_swish, se_layer  # noqa: F401
from .analyzer.modules.pool import spp, sppf  # noqa: F401
from .analyzer.modules.transformer import multihead_attention, transformer_block  # noqa: F401
from .analyzer.primitives import (  # noqa: F401
    ACTS, IDENTITY, T, activation, add, batchnorm, concat, conv2d, conv_bn_act, maxpool, pad, shape_error,
    space_to_depth, upsample)
from .analyzer.shaping import (  # noqa: F401
    adaptive_avgpool, avgpool, broadcast, contiguous, conv_transpose2d, linear, mean, scalar_op, split,
    upsample_bilinear)
