"""Per-layer "complete FLOPs" measured by torch, used by the tests as an oracle.

Every layer of a yolo_torch model runs once in evaluation mode (inference, batch 1, no autograd)
under torch.utils.flop_counter.FlopCounterMode, and each aten operation it dispatches is priced
with the README's complete-FLOPs table ("FLOP conventions"), written out again here so that no
yanalyze table is involved. Counts depend on shapes only, so the layers run on a meta-device copy.

- convolution / matrix products: 2 per multiply-accumulate, plus 1 per output element for a
  bias (conv bias, or the added matrix of addmm / baddbmm);
- batch norm (inference): 2 per element (scale and shift);
- activations, per element: ReLU 1, ReLU6 2, LeakyReLU 2, ELU 3, Sigmoid 3, SiLU 4,
  Hardsigmoid 4, Hardswish 5, Tanh 5, Mish 7, GELU 8 (in-place variants alike);
- max pool: kh*kw - 1 comparisons per output element;
- element-wise arithmetic (add, sub, mul, div, pow, ...): 1 per output element;
- softmax: 3 per element; mean / average pool: 1 per input element (adds plus the division);
- copies, views, concatenation, padding, nearest upsample: 0.

nn.MultiheadAttention is counted by the operations it runs: projections (addmm, with bias), the
scaling of q, scores and weighted sum (bmm), softmax, and, as YOLOv5 calls it with
need_weights=True, the average of the attention weights over the heads (mean).

torch's default mapping counts 2 x MACs of convolution, mm, addmm, bmm, baddbmm and attention
kernels and nothing for bias adds; the table above replaces it. Any operation that is neither
priced nor known to be free raises, so nothing is silently counted as 0.

Detect decodes boxes in evaluation mode; its grids depend only on the image size and are cached
by the module, so a warm-up forward builds them before the measured one (as in video inference).
"""
from math import prod

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import FlopCounterMode

from torch_oracle import meta_copy
from yolo_torch import layer_input

aten = torch.ops.aten


def _numel(shape):
    return prod(shape) if shape is not None else 0


def _first(shape):
    """Shape of the first tensor when an op returns several (e.g. values and indices)."""
    if shape and not isinstance(shape[0], int):
        return shape[0]
    return shape


# ---------------------------------------------------------------------------- pricing rules
def per_element(cost, of='out'):
    """Rule charging `cost` per element of the output (or of the first input with of='in')."""
    def rule(*args, out_shape=None, **kwargs):
        shape = args[0] if of == 'in' else _first(out_shape)
        return cost * _numel(shape)
    return rule


def free(*args, out_shape=None, **kwargs):
    return 0


def convolution(x, w, bias, stride, padding, dilation, transposed, *rest, out_shape=None, **kwargs):
    # w is (c_out, c_in/groups, *k) for a convolution and (c_in, c_out/groups, *k) transposed:
    # every output (resp. input) element takes prod(w[1:]) multiply-accumulates.
    positions = _numel(x) if transposed else _numel(out_shape)
    macs = positions * prod(w[1:])
    return 2 * macs + (_numel(out_shape) if bias is not None else 0)


def matmul(a, b, *rest, out_shape=None, **kwargs):
    return 2 * _numel(out_shape) * a[-1]


def matmul_plus(c, a, b, *rest, out_shape=None, **kwargs):
    return matmul(a, b, out_shape=out_shape) + _numel(out_shape)


def max_pool(x, kernel_size, *rest, out_shape=None, **kwargs):
    window = [kernel_size] if isinstance(kernel_size, int) else list(kernel_size)
    if len(window) == 1:
        window = window * 2
    return (prod(window) - 1) * _numel(_first(out_shape))


def batch_norm(x, *rest, out_shape=None, **kwargs):
    """Inference batch norm: one multiply and one add per element (the layers run in eval mode)."""
    return 2 * _numel(x)


ACTIVATION_COST = {
    'relu': 1, 'relu6': 2, 'hardtanh': 2, 'leaky_relu': 2, 'elu': 3, 'sigmoid': 3, 'silu': 4,
    'hardsigmoid': 4, 'hardswish': 5, 'tanh': 5, 'mish': 7, 'gelu': 8,
}
ELEMENTWISE = ('add', 'sub', 'rsub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'neg', 'reciprocal', 'sqrt',
               'rsqrt', 'exp', 'abs', 'clamp', 'clamp_min', 'clamp_max')
# operations that only move, copy, view or allocate data
FREE = ('view', '_unsafe_view', 'reshape', 'permute', 'transpose', 't', 'expand', 'squeeze', 'unsqueeze',
        'flatten', 'slice', 'select', 'split', 'split_with_sizes', 'chunk', 'unbind', 'alias', 'detach',
        'as_strided', 'clone', 'copy_', '_to_copy', 'contiguous', 'cat', 'stack', 'constant_pad_nd',
        'upsample_nearest1d', 'upsample_nearest2d', 'upsample_nearest3d', 'empty', 'empty_like',
        'empty_strided', 'zeros', 'zeros_like', 'ones', 'fill_', 'zero_', 'arange', 'lift_fresh', 'dropout')


def _packets(name):
    """aten overload packets for a name and its in-place variant, when they exist."""
    return [getattr(aten, n) for n in (name, name + '_') if hasattr(aten, n)]


def _mapping():
    rules = {}
    for name in ('convolution', '_convolution', 'convolution_overrideable'):  # same leading arguments
        rules.update(dict.fromkeys(_packets(name), convolution))
    rules.update({aten.mm: matmul, aten.bmm: matmul, aten.addmm: matmul_plus, aten.baddbmm: matmul_plus})
    for name in ('native_batch_norm', '_native_batch_norm_legit_no_training'):
        rules.update(dict.fromkeys(_packets(name), batch_norm))
    for name, cost in ACTIVATION_COST.items():
        rules.update(dict.fromkeys(_packets(name), per_element(cost)))
    for name in ELEMENTWISE:
        rules.update(dict.fromkeys(_packets(name), per_element(1)))
    for name in ('_softmax', 'softmax'):
        rules.update(dict.fromkeys(_packets(name), per_element(3)))
    for name in ('mean', '_adaptive_avg_pool2d'):
        rules.update(dict.fromkeys(_packets(name), per_element(1, of='in')))
    for name in ('max_pool2d', 'max_pool2d_with_indices'):
        rules.update(dict.fromkeys(_packets(name), max_pool))
    for name in FREE:
        rules.update(dict.fromkeys(_packets(name), free))
    # FlopCounterMode looks operations up by overload (aten.upsample_nearest2d.vec) before it
    # counts them by packet (aten.upsample_nearest2d); an overload it does not find is replaced by
    # its Python decomposition when it has one (nearest upsample would become index arithmetic).
    # Listing every overload too makes each priced operation count as itself.
    for packet, rule in list(rules.items()):
        rules.update(dict.fromkeys((getattr(packet, o) for o in packet.overloads()), rule))
    return rules


COMPLETE = _mapping()


_BATCH_NORMS = {aten.native_batch_norm.default, aten._native_batch_norm_legit_no_training.default}


class _Executor(TorchDispatchMode):
    """Entered before (below) the counter, so it executes each operation the counter has priced.

    With `known`, fails on any operation whose cost the table does not state. Inference batch
    norm is answered with an empty tensor of the input's shape: its meta-device kernel is a slow
    Python decomposition, and the count needs only the shape.
    """

    def __init__(self, known=None):
        super().__init__()
        self.known = known

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if self.known is not None and func not in self.known:
            raise NotImplementedError(f'flop_oracle: no complete-FLOPs rule for {func}')
        if func in _BATCH_NORMS and args[0].is_meta:
            x = args[0]
            return torch.empty_like(x), x.new_empty(0), x.new_empty(0)
        return func(*args, **(kwargs or {}))


# ---------------------------------------------------------------------------- measurement
def _hw(imgsz):
    return (imgsz, imgsz) if isinstance(imgsz, int) else tuple(imgsz)


def _per_layer(model, imgsz, mapping):
    """Counts of every layer of `model` (yolo_torch.Model) for one image, in evaluation mode.

    The counts depend on shapes only, so the layers run on a meta-device copy (no arithmetic).
    One counter runs over the whole forward; a layer's count is the growth of its total.
    """
    h, w = _hw(imgsz)
    net = meta_copy(model).eval()
    x = torch.empty(1, model.yaml['ch'], h, w, device='meta')
    counts, outputs = [], []
    with torch.no_grad(), _Executor(COMPLETE if mapping is COMPLETE else None):
        net(x)  # warm-up: Detect builds and caches its grids for this size
        with FlopCounterMode(display=False, custom_mapping=mapping) as counter:
            for layer in net.model:
                before = counter.get_total_flops()
                x = layer(layer_input(layer, x, outputs))
                counts.append(counter.get_total_flops() - before)
                outputs.append(x)
    return counts


def layer_flops(model, imgsz):
    """Complete FLOPs of every layer (README table) at image size `imgsz` (int or (h, w))."""
    return _per_layer(model, imgsz, COMPLETE)


def layer_default_flops(model, imgsz):
    """FlopCounterMode's own default count per layer: 2 x MACs of convolutions and matrix products."""
    return _per_layer(model, imgsz, None)
