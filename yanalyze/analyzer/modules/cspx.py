"""CSP blocks YOLOv5 forks borrow from YOLOv7, YOLOv8 and slim-neck: C2f, GSConv, VoVGSCSP,
SPPCSPC, and C2f_S (C2f with ScConv bottlenecks). Where forks disagree on the channel rule (whether parse_model puts the repeat count
inside the block) or on the body, each published definition is a named variant."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from .. import conventions as C
from .. import primitives as P
from .. import shaping as S
from ..model import Shape
from ..registry import register
from ..symbolic import ACTS, T, shape_error
from .conv import autopad, conv
from .cspx_ops import idle
from .cspx_sources import (C2F_CONV, C2F_CSP, C2F_S_SRC, CSPX_BLOCKS, SLIMNECK, SLIMNECK_MISH, SLIMNECK_PLEB,
                           SPPCSPC_NARROW, SPPCSPC_SRC)
from .pool import kernels


def k3_bottleneck(c: int, shortcut: bool, g: int) -> Callable[[T], T]:
    """YOLOv8's Bottleneck(c, c, shortcut, g, k=((3, 3), (3, 3)), e=1.0): two 3x3 Convs, residual
    when shortcut (channels in = out)."""
    def block(y: T) -> T:
        z = conv(conv(y, c, c, (3, 3), 1), c, c, (3, 3), 1, None, g)
        return P.add(y, z) if shortcut else z
    return block


def c2f_body(x: T, c1: int, c2: int, n: int, e: float, block: Callable[[T], T]) -> T:
    """cv1 to 2c split in two halves, n blocks chained on the last piece, all 2 + n pieces
    concatenated, cv2 (1x1) to c2."""
    c = int(c2 * e)
    y = conv(x, c1, 2 * c, 1, 1)
    parts = S.split(y, [c, c])
    for _ in range(int(n)):
        parts.append(block(parts[-1]))
    return conv(P.concat(parts), (2 + int(n)) * c, c2, 1)


@register("C2f", channels="csp", torch=f"{CSPX_BLOCKS}:C2f", source=C2F_CSP, variant="csp")
def c2f(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = False, g: int = 1, e: float = 0.5) -> T:
    """YOLOv8 C2f, the repeat count inside (parse_model inserts n as args[2])."""
    c = int(c2 * e)
    return c2f_body(x, c1, c2, n, e, k3_bottleneck(c, shortcut, g))


@register("C2f", channels="conv", torch=f"{CSPX_BLOCKS}:C2f", source=C2F_CONV, variant="repeat-outside",
          default=False)
def c2f_outside(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = False, g: int = 1, e: float = 0.5) -> T:
    """The same C2f where parse_model treats it like Conv: the row's number builds that many
    C2f blocks in sequence, and a second written argument lands in n (so [c2, False] means no
    inner bottleneck at all)."""
    c = int(c2 * e)
    return c2f_body(x, c1, c2, n, e, k3_bottleneck(c, shortcut, g))


def mish_conv(x: T, c1: int, c2: int, k=1, s: int = 1, p=None, g: int = 1, act=True) -> T:
    """slimneck.py's own Conv: Conv2d ('same' padding), BatchNorm2d, Mish when act is truthy;
    not YOLOv5's Conv, so fuse() leaves its batch norm."""
    y = P.batchnorm(P.conv2d(x, c1, c2, k, s, autopad(k, p), g))
    return P.activation(y, ACTS["Mish"]) if act else y


def gsconv_body(x: T, c1: int, c2: int, k, s: int, g: int, unit: Callable[..., T], act=True) -> T:
    """Conv to c2 // 2, a 5x5 depth-wise Conv of it, both concatenated, then the channel shuffle
    (even channels, then odd: a view and a second concatenation)."""
    h = c2 // 2
    y = unit(x, c1, h, k, s, None, g, act)
    y = P.concat([y, unit(y, h, h, 5, 1, None, h, act)])
    return P.concat(S.split(y, [h, h]))


def _yolo_conv(x: T, c1: int, c2: int, k=1, s: int = 1, p=None, g: int = 1, act=True) -> T:
    return conv(x, c1, c2, k, s, p, g, 1, act)


@register("GSConv", channels="conv", torch=f"{CSPX_BLOCKS}:GSConv", source=SLIMNECK, variant="silu")
def gsconv(x: T, c1: int, c2: int, k=1, s: int = 1, g: int = 1, act=True) -> T:
    """GSConv on YOLOv5 Convs (the config's activation; act=False: none)."""
    return gsconv_body(x, c1, c2, k, s, g, _yolo_conv, act)


@register("GSConv", channels="conv", torch=f"{CSPX_BLOCKS}:GSConvMish", source=SLIMNECK_MISH, variant="mish",
          default=False)
def gsconv_mish(x: T, c1: int, c2: int, k=1, s: int = 1, g: int = 1, act=True) -> T:
    """GSConv on slimneck.py's Mish Convs (unfused)."""
    return gsconv_body(x, c1, c2, k, s, g, mish_conv, act)


@register("GSConv", channels="conv", torch=f"{CSPX_BLOCKS}:GSConvDefaultAct", source=SLIMNECK_PLEB,
          variant="default-act", default=False)
def gsconv_default_act(x: T, c1: int, c2: int, k=1, s: int = 1, p=None, g: int = 1, d: int = 1, act=True) -> T:
    """GSConv(c1, c2, k, s, p, g, d, act) whose two Convs always use the default activation (act is
    ignored) and both take the padding p and dilation d."""
    h = c2 // 2
    y = conv(x, c1, h, k, s, p, g, d)
    y = P.concat([y, conv(y, h, h, 5, 1, p, h, d)])
    return P.concat(S.split(y, [h, h]))


def gs_bottleneck(x: T, c1: int, c2: int, unit: Callable[..., T] = _yolo_conv) -> T:
    """slim-neck v1 GSBottleneck(c1, c2): GSConv(c1, c2 // 2, 1) then GSConv(.., c2, 1, no act),
    plus a 3x3 Conv shortcut (no act); a second GSConv pair (3x3) is built but never called."""
    h = c2 // 2
    idle(x, lambda t: gsconv_body(gsconv_body(t, c1, h, 3, 1, 1, unit), h, c2, 3, 1, 1, unit, False))
    y = gsconv_body(gsconv_body(x, c1, h, 1, 1, 1, unit), h, c2, 1, 1, 1, unit, False)
    return P.add(y, unit(x, c1, c2, 3, 1, None, 1, False))


@register("VoVGSCSP", channels="csp", torch=f"{CSPX_BLOCKS}:VoVGSCSP", source=SLIMNECK, variant="v1")
def vovgscsp(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """cv1 to h = int(c2 * e), n GSBottleneck(h, h) on it, concatenated with cv1's output, cv2."""
    h = int(c2 * e)
    y = conv(x, c1, h, 1, 1)
    z = y
    for _ in range(n):
        z = gs_bottleneck(z, h, h)
    return conv(P.concat([z, y]), 2 * h, c2, 1)


@register("VoVGSCSP", channels="csp", torch=f"{CSPX_BLOCKS}:VoVGSCSPSingle", source=SLIMNECK_MISH,
          variant="single-mish", default=False)
def vovgscsp_single(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """slimneck.py's VoVGSCSP (Mish Convs): cv1 then ONE GSBottleneck (n is ignored), beside cv2;
    concat(cv2, bottleneck), cv3; a 3x3 'res' Conv is built and unused."""
    h = int(c2 * e)
    idle(x, lambda t: mish_conv(replace(t, shape=Shape(h, t.shape.h, t.shape.w)), h, h, 3, 1, None, 1, False))
    x1 = gs_bottleneck(mish_conv(x, c1, h, 1, 1), h, h, mish_conv)
    return mish_conv(P.concat([mish_conv(x, c1, h, 1, 1), x1]), 2 * h, c2, 1)


def gs_bottleneck_e(x: T, c1: int, c2: int, e: float = 0.5) -> T:
    """GSBottleneck(c1, c2, e): GSConv(c1, int(c2*e), 1) then GSConv(.., c2, 3, 'no act' ignored),
    plus a 1x1 Conv shortcut without activation."""
    h = int(c2 * e)
    y = gsconv_default_act(gsconv_default_act(x, c1, h, 1, 1), h, c2, 3, 1)
    return P.add(y, conv(x, c1, c2, 1, 1, act=False))


@register("VoVGSCSP", channels="csp", torch=f"{CSPX_BLOCKS}:VoVGSCSPE", source=SLIMNECK_PLEB, variant="cv3",
          default=False)
def vovgscsp_cv3(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """VoVGSCSP with cv1 -> n GSBottleneck(h, h, e=1.0) beside cv2, concat(cv2, bottlenecks), cv3;
    a 3x3 'res' Conv is built and unused."""
    h = int(c2 * e)
    idle(x, lambda t: conv(replace(t, shape=Shape(h, t.shape.h, t.shape.w)), h, h, 3, 1, act=False))
    z = conv(x, c1, h, 1, 1)
    for _ in range(n):
        z = gs_bottleneck_e(z, h, h, 1.0)
    return conv(P.concat([conv(x, c1, h, 1, 1), z]), 2 * h, c2, 1)


def sppcspc_body(x: T, c1: int, c2: int, h: int, k) -> T:
    """YOLOv7 SPPCSPC with hidden width h: cv1, 3x3 cv3, cv4, stride-1 max-pools of each k on it,
    concat, cv5 (from 4h: three pools), 3x3 cv6; beside it cv2 on the input; concat, cv7."""
    ks = kernels(k, listed=True)
    if len(ks) != 3:
        raise shape_error(f"SPPCSPC's cv5 takes 4 x {h} channels: it needs 3 pool kernels, got {ks}")
    y = conv(conv(conv(x, c1, h, 1, 1), h, h, 3, 1), h, h, 1, 1)
    y = P.concat([y, *(P.maxpool(y, kk, 1, kk // 2) for kk in ks)])
    y = conv(conv(y, 4 * h, h, 1, 1), h, h, 3, 1)
    return conv(P.concat([y, conv(x, c1, h, 1, 1)]), 2 * h, c2, 1, 1)


@register("SPPCSPC", channels="csp", torch=f"{CSPX_BLOCKS}:SPPCSPC", source=SPPCSPC_SRC, variant="csp")
def sppcspc(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = False, g: int = 1, e: float = 0.5,
            k=(5, 9, 13)) -> T:
    """YOLOv7 SPPCSPC, hidden int(2 * c2 * e); n is taken inside and unused."""
    return sppcspc_body(x, c1, c2, int(2 * c2 * e), k)


@register("SPPCSPC", channels="conv", torch=f"{CSPX_BLOCKS}:SPPCSPC_narrow", source=SPPCSPC_NARROW,
          variant="narrow", default=False)
def sppcspc_narrow(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = False, g: int = 1, e: float = 0.5,
                   k=(5, 9, 13)) -> T:
    """SPPCSPC with hidden int(c2 * e), built like a Conv (the row's number repeats the block)."""
    return sppcspc_body(x, c1, c2, int(c2 * e), k)


def sru(x: T, c: int, groups: int = 16) -> T:
    """ScConv's spatial reconstruction unit: GroupNorm(16, c); the gate weights gamma / sum(gamma)
    (Python's sum over the parameter: one add per element); sigmoid(norm * w); two
    torch.where gates at 0.5 splitting x into informative and redundant parts, cross-added
    by halves and concatenated."""
    if c % groups:
        raise shape_error(f"ScConv's GroupNorm({groups}) needs channels divisible by {groups}, got {c}")
    n, rec = x.numel, x.trace.record
    y = P.group_norm(x, groups)
    rec(C.op(flops=1, act=1, weights=1))                    # 0 + gamma[0]
    for _ in range(c - 1):
        rec(C.op(flops=1, act=2, weights=1))                # + gamma[i]
    rec(C.op(flops=c, act=c + 1, weights=c))                # gamma / sum
    y = P.activation(S.broadcast(y, replace(y, shape=Shape(c, 1, 1))), ACTS["Sigmoid"])
    for _ in range(2):
        rec(C.elementwise(n, n))                            # > threshold
        rec(C.elementwise(n, 3 * n))                        # torch.where
    for _ in range(2):
        rec(C.elementwise(n, 2 * n))                        # gate * x
    halves = [replace(y, shape=Shape(c // 2, y.shape.h, y.shape.w))] * 2
    return P.concat([P.add(*halves), P.add(*halves)])


def cru(x: T, c: int, alpha: float = 0.5, squeeze: int = 2, group_size: int = 2, k: int = 3) -> T:
    """ScConv's channel reconstruction unit: split, squeeze both parts (1x1), the upper through a
    grouped k x k conv with bias plus a 1x1 conv, the lower through a 1x1 conv concatenated with
    itself; both concatenated, weighted by a channel softmax of their global average (F.softmax),
    halves added."""
    up = int(alpha * c)
    low = c - up
    a, b = S.split(x, [up, low])
    a, b = P.conv2d(a, up, up // squeeze, 1), P.conv2d(b, low, low // squeeze, 1)
    y1 = P.add(P.conv2d(a, up // squeeze, c, k, 1, k // 2, group_size, bias=True), P.conv2d(a, up // squeeze, c, 1))
    y2 = P.concat([P.conv2d(b, low // squeeze, c - low // squeeze, 1), b])
    out = P.concat([y1, y2])
    w = S.adaptive_avgpool(out, 1)
    x.trace.record(C.softmax(w.numel))
    out = S.broadcast(out, w)
    return P.add(*S.split(out, [c, c]))


@register("C2f_S", channels="conv", torch=f"{CSPX_BLOCKS}:C2f_S", source=C2F_S_SRC)
def c2f_s(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = False, g: int = 1, e: float = 0.5) -> T:
    """C2f whose bottlenecks are a 3x3 Conv then ScConv (SRU, CRU), residual when shortcut; built
    like a Conv by its fork's parse_model (the row's number repeats the block)."""
    c = int(c2 * e)

    def block(y: T) -> T:
        z = cru(sru(conv(y, c, c, 3, 1), c), c)
        return P.add(y, z) if shortcut else z
    return c2f_body(x, c1, c2, n, e, block)
