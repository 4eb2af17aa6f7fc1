"""What each elementary operation costs, in every convention yanalyze reports. Defined once.

The analytic cost models (analyzer.primitives) and the torch tracer (verify.trace) both
call these functions, so a layer counts the same whichever way it was measured:

- thop: what ultralytics-thop 2.2 counts, the number YOLOv5 doubles into its GFLOPs. thop
  counts leaf modules (and bare matrix products outside them), so ops that a block runs
  functionally (torch.cat, x + y, x.mean()) are 0 here whatever they compute.
- macs: true multiply-accumulates of convolutions, linear layers and matrix products.
- flops: the complete count, every multiply, add, compare and transcendental (ACT_FLOPS).
- act, weights: elements read plus elements written by the one kernel that runs the op:
  its tensor inputs and its outputs; parameters and buffers are `weights`. Views move
  nothing; copies (concat, pad, upsampling, space-to-depth, .contiguous()) read and write;
  what only training needs (pool indices, saved batch statistics) is not written.

Conv+BN folding (model.fuse()) is the one transformation with its own columns: a folded
batch norm leaves a bias of one element per channel in the conv and no kernel of its own,
and the activation after it runs inside the conv's kernel.
"""
from __future__ import annotations

from .cost import Cost

# complete FLOPs per element of each activation, as torch computes it
ACT_FLOPS = {
    "Identity": 0, "ReLU": 1, "ReLU6": 2, "LeakyReLU": 2, "ELU": 3, "Sigmoid": 3, "SiLU": 4,
    "Hardsigmoid": 4, "Hardswish": 5, "Tanh": 5, "Mish": 7, "GELU": 8,
}
# ultralytics-thop's per-output cost of nn.Upsample by mode
UPSAMPLE_THOP = {"nearest": 0, "bilinear": 11}
# complete FLOPs per output of bilinear interpolation: 4 weighted taps (4 mul, 3 add)
BILINEAR_FLOPS = 7
SOFTMAX_FLOPS = 3  # exp, sum and divide per element
# complete FLOPs of a layer or group norm at inference, per element: the mean (1 add), the
# variance (subtract, square, add: 3), the normalization (subtract the mean, multiply by
# 1/std: 2) and, when affine, the scale and shift (2); per normalized row: the two divisions
# by the row length, the epsilon add and the reciprocal square root (4)
NORM_FLOPS, NORM_AFFINE_FLOPS, NORM_ROW_FLOPS = 6, 2, 4


def op(params: int = 0, thop: int = 0, macs: int = 0, flops: int = 0, act: int = 0, weights: int = 0) -> Cost:
    """An operation that Conv+BN folding leaves as it is (fused columns equal the unfused)."""
    return Cost(params, params, thop, thop, macs, flops, act, weights, act, weights)


def conv(n_in: int, n_out: int, c_out: int, c_in_per_group: int, kernel: int, bias: bool) -> Cost:
    """Convolution: out x c_in/g x kh*kw MACs (thop: the same, bias not counted); complete
    FLOPs 2 per MAC plus one add per output for a bias; reads input and weights, writes output."""
    macs = n_out * c_in_per_group * kernel
    params = c_out * c_in_per_group * kernel + (c_out if bias else 0)
    return op(params, macs, macs, 2 * macs + (n_out if bias else 0), n_in + n_out, params)


def conv_transposed(n_in: int, n_out: int, c_in: int, c_out: int, c_out_per_group: int, kernel: int,
                    bias: bool) -> Cost:
    """Transposed convolution: every input element scatters c_out/g x kh*kw products."""
    macs = n_in * c_out_per_group * kernel
    params = c_in * c_out_per_group * kernel + (c_out if bias else 0)
    return op(params, macs, macs, 2 * macs + (n_out if bias else 0), n_in + n_out, params)


def linear(n_in: int, n_out: int, in_features: int, out_features: int, bias: bool) -> Cost:
    """nn.Linear (or F.linear): in_features MACs per output element (thop counts both forms)."""
    macs = in_features * n_out
    params = in_features * out_features + (out_features if bias else 0)
    return op(params, macs, macs, 2 * macs + (n_out if bias else 0), n_in + n_out, params)


def matmul(n_out: int, inner: int, n_a: int, n_b: int, bias_elems: int = 0, thop: bool = True) -> Cost:
    """A (batched) matrix product of activations; thop counts it unless a module rule covers it
    (nn.MultiheadAttention counts its own)."""
    macs = n_out * inner
    return op(thop=macs if thop else 0, macs=macs, flops=2 * macs + (n_out if bias_elems else 0),
              act=n_a + n_b + bias_elems + n_out)


def batchnorm(n: int, c: int, folded: bool = False) -> Cost:
    """BatchNorm2d at inference: scale and shift, 2 FLOPs per element; thop counts 4 (affine).
    Reads input and 4 vectors (weight, bias, mean, var), writes output.

    folded: Conv+BN fusion removes it, leaving one bias per channel in the conv.
    """
    if folded:
        return Cost(params=2 * c, params_fused=c, thop=4 * n, flops=2 * n, act=2 * n, weights=4 * c,
                    weights_fused=c)
    return op(params=2 * c, thop=4 * n, flops=2 * n, act=2 * n, weights=4 * c)


def normalization(n: int, rows: int, c: int, affine: bool = True) -> Cost:
    """nn.LayerNorm / nn.GroupNorm: statistics computed on the input over `rows` rows (there
    are no running ones, so fuse() cannot fold it). thop counts 2 per element, doubled when
    affine (its count_normalization); the affine weight and bias hold one element per channel
    (c). Reads the input and weights, writes the output (the saved mean and 1/std are what
    only training needs)."""
    weights = 2 * c if affine else 0
    per_element = NORM_FLOPS + (NORM_AFFINE_FLOPS if affine else 0)
    return op(params=weights, thop=(4 if affine else 2) * n, flops=per_element * n + NORM_ROW_FLOPS * rows,
              act=2 * n, weights=weights)


def activation(name: str, n: int, folded: bool = False) -> Cost:
    """An element-wise activation: thop counts none; ACT_FLOPS per element; folded into the
    previous kernel after Conv+BN fusion."""
    return Cost(flops=ACT_FLOPS[name] * n, act=2 * n, act_fused=0 if folded else 2 * n)


def elementwise(n_out: int, n_read: int, flops_per_element: int = 1) -> Cost:
    """Arithmetic per output element (add, mul, sub, div, pow, with broadcasting or a scalar):
    thop counts none; reads every tensor operand, writes the output."""
    return op(flops=flops_per_element * n_out, act=n_read + n_out)


def bias_add(n: int, c: int) -> Cost:
    """A bias added by a kernel of its own (F.linear on a non-contiguous input runs the product
    and the bias add separately)."""
    return op(params=c, flops=n, act=2 * n, weights=c)


def copy(n_read: int, n_out: int) -> Cost:
    """Data movement without arithmetic: concat, pad, nearest upsampling, space-to-depth,
    a .contiguous() after a permute."""
    return op(act=n_read + n_out)


def maxpool(n_in: int, n_out: int, kernel: int) -> Cost:
    """Max pool: k*k-1 comparisons per output; thop counts 0."""
    return op(flops=(kernel - 1) * n_out, act=n_in + n_out)


def avgpool(n_in: int, n_out: int, kernel: int, thop_adds: int) -> Cost:
    """Average pool: thop counts one add per input in each window plus one divide per output
    (thop_adds: the summed window sizes); complete FLOPs k*k per output."""
    return op(thop=thop_adds + n_out, flops=kernel * n_out, act=n_in + n_out)


def adaptive_avgpool(n_in: int, n_out: int, thop_adds: int) -> Cost:
    """Adaptive average pool (global pooling at output 1x1): thop's window sum plus a divide
    per output; complete FLOPs one per input element."""
    return op(thop=thop_adds + n_out, flops=n_in, act=n_in + n_out)


def reduction(n_in: int, n_out: int) -> Cost:
    """A mean or sum over some axes as a tensor method (thop sees no module): one FLOP per input."""
    return op(flops=n_in, act=n_in + n_out)


def upsample(n_in: int, n_out: int, mode: str, module: bool = True) -> Cost:
    """nn.Upsample / F.interpolate: nearest copies; bilinear blends 4 taps (thop: 11 per output
    for the module, nothing for the functional form)."""
    thop = UPSAMPLE_THOP[mode] * n_out if module else 0
    flops = BILINEAR_FLOPS * n_out if mode == "bilinear" else 0
    return op(thop=thop, flops=flops, act=n_in + n_out)


def softmax(n: int, thop: int = 0) -> Cost:
    """Softmax: exp, sum and divide per element; thop's own rule (rows x (3f - 1)) only where a
    module counts it."""
    return op(thop=thop, flops=SOFTMAX_FLOPS * n, act=2 * n)


def mha_thop(tokens: int, embed: int, heads: int, keys: int = 0, kdim: int = 0, vdim: int = 0) -> int:
    """ultralytics-thop's nn.MultiheadAttention rule (batch 1): q/k/v/out projections, the two
    attention products and the softmax, rows x (3S - 1), for L queries and S keys."""
    keys, kdim, vdim = keys or tokens, kdim or embed, vdim or embed
    projections = embed * (2 * tokens * embed + keys * (kdim + vdim))
    return projections + 2 * tokens * keys * embed + heads * tokens * (3 * keys - 1)


def softmax_thop(rows: int, features: int) -> int:
    """ultralytics-thop's nn.Softmax rule: exp, sum and divide over each row, 3f - 1."""
    return rows * (3 * features - 1)


def window_sum(size: int, out: int, k: int, s: int, p: int, include_pad: bool) -> int:
    """Summed window lengths of an average pool along one axis (thop's count_avgpool)."""
    lower, upper = (-p, size + p) if include_pad else (0, size)
    return sum(max(min(i * s - p + k, upper) - max(i * s - p, lower), 0) for i in range(out))


def adaptive_span(size: int, out: int) -> int:
    """Summed window lengths of an adaptive pool along one axis (windows [j*i//o, ceil((j+1)*i/o)))."""
    return out if size == out else sum(-(-(j + 1) * size // out) - j * size // out for j in range(out))
