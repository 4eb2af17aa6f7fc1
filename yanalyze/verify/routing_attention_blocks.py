"""Torch references of BiFormer's bi-level routing attention as YOLOv5 forks define it (sources
in analyzer/modules/routing_attention.py). The tracer prices its top-k and gather (verify.trace)."""
import torch
import torch.nn as nn
import torch.nn.functional as F





def _regroup(x, pattern_sizes, order, final):
    """What einops' rearrange runs: a reshape into the named axes, a permute, a reshape."""
    return x.reshape(pattern_sizes).permute(order).reshape(final)


class _Router(nn.Module):
    """Region-to-region affinity of the pooled queries and keys; the top-k regions and their softmax weights."""

    def __init__(self, qk_dim, topk, scale, param_routing, diff_routing):
        super().__init__()
        self.topk, self.scale, self.diff_routing = topk, scale, diff_routing
        self.emb = nn.Linear(qk_dim, qk_dim) if param_routing else nn.Identity()
        self.routing_act = nn.Softmax(dim=-1)

    def forward(self, q, k):
        if not self.diff_routing:
            q, k = q.detach(), k.detach()
        qe, ke = self.emb(q), self.emb(k)
        logits = (qe * self.scale) @ ke.transpose(-2, -1)
        best, idx = torch.topk(logits, k=self.topk, dim=-1)
        return self.routing_act(best), idx


class _Gather(nn.Module):
    """Picks, for every query region, the keys and values of its routed regions."""

    def __init__(self, mode):
        super().__init__()
        self.mode = mode

    def forward(self, idx, weight, kv):
        n, p2, w2, ckv = kv.shape
        k = idx.shape[-1]
        picked = torch.gather(kv.view(n, 1, p2, w2, ckv).expand(-1, p2, -1, -1, -1), 2,
                              idx.view(n, p2, k, 1, 1).expand(-1, -1, -1, w2, ckv))
        if self.mode == "soft":
            picked = weight.view(n, p2, k, 1, 1) * picked
        elif self.mode == "hard":
            raise NotImplementedError("hard differentiable routing")
        return picked


class _QKV(nn.Module):
    """One Linear giving queries and the stacked keys and values."""

    def __init__(self, dim, qk_dim):
        super().__init__()
        self.dim, self.qk_dim = dim, qk_dim
        self.qkv = nn.Linear(dim, 2 * qk_dim + dim)

    def forward(self, x):
        return self.qkv(x).split([self.qk_dim, self.qk_dim + self.dim], dim=-1)


class BiLevelRoutingAttention(nn.Module):
    """BiFormer's channels-last bi-level routing attention (oYoYo-jio/IRSTD-yolov5, Liudongyun-max/yolov5-7.0-weed-detect)."""

    def __init__(self, dim, n_win=7, num_heads=8, qk_dim=None, qk_scale=None, kv_per_win=4, kv_downsample_ratio=4,
                 kv_downsample_kernel=None, kv_downsample_mode="identity", topk=4, param_attention="qkvo",
                 param_routing=False, diff_routing=False, soft_routing=False, side_dwconv=3, auto_pad=True):
        super().__init__()
        self.dim, self.n_win, self.num_heads = dim, n_win, num_heads
        self.qk_dim = qk_dim or dim
        assert self.qk_dim % num_heads == 0 and dim % num_heads == 0
        self.scale = qk_scale or self.qk_dim ** -0.5
        if side_dwconv > 0:
            self.lepe = nn.Conv2d(dim, dim, side_dwconv, 1, side_dwconv // 2, groups=dim)
        else:
            self.lepe = torch.zeros_like
        assert not (param_routing and not diff_routing)
        self.router = _Router(self.qk_dim, topk, self.scale, param_routing, diff_routing)
        self.kv_gather = _Gather("soft" if soft_routing else "hard" if diff_routing else "none")
        if param_attention not in ("qkvo", "qkv"):
            raise ValueError(param_attention)
        self.qkv = _QKV(dim, self.qk_dim)
        self.wo = nn.Linear(dim, dim) if param_attention == "qkvo" else nn.Identity()
        if kv_downsample_mode != "identity":
            raise NotImplementedError("only kv_downsample_mode='identity' is mirrored here")
        self.kv_down = nn.Identity()
        self.attn_act = nn.Softmax(dim=-1)
        self.auto_pad = auto_pad

    def forward(self, x):
        nw, m, qk, c = self.n_win, self.num_heads, self.qk_dim, self.dim
        x = x.permute(0, 2, 3, 1)
        n, h_in, w_in, _ = x.shape
        if self.auto_pad:
            pr, pb = (nw - w_in % nw) % nw, (nw - h_in % nw) % nw
            x = F.pad(x, (0, 0, 0, pr, 0, pb))
        hp, wp = x.shape[1], x.shape[2]
        h, w = hp // nw, wp // nw
        x = _regroup(x, (n, nw, h, nw, w, c), (0, 1, 3, 2, 4, 5), (n, nw * nw, h, w, c))
        q, kv = self.qkv(x)
        q_pix = _regroup(q, (n, nw * nw, h, w, qk), (0, 1, 2, 3, 4), (n, nw * nw, h * w, qk))
        ckv = kv.shape[-1]
        kv_pix = self.kv_down(_regroup(kv, (n, nw * nw, h, w, ckv), (0, 1, 4, 2, 3), (n * nw * nw, ckv, h, w)))
        kv_pix = _regroup(kv_pix, (n, nw, nw, ckv, h, w), (0, 1, 2, 4, 5, 3), (n, nw * nw, h * w, ckv))
        q_win, k_win = q.mean([2, 3]), kv[..., 0:qk].mean([2, 3])
        v_map = _regroup(kv[..., qk:], (n, nw, nw, h, w, c), (0, 5, 1, 3, 2, 4), (n, c, nw * h, nw * w))
        lepe = self.lepe(v_map.contiguous())
        lepe = lepe.permute(0, 2, 3, 1)
        weight, idx = self.router(q_win, k_win)
        picked = self.kv_gather(idx, weight, kv_pix)
        k_sel, v_sel = picked.split([qk, c], dim=-1)
        k_top = idx.shape[-1]
        w2 = h * w
        k_sel = _regroup(k_sel, (n, nw * nw, k_top, w2, m, qk // m), (0, 1, 4, 5, 2, 3),
                         (n * nw * nw, m, qk // m, k_top * w2))
        v_sel = _regroup(v_sel, (n, nw * nw, k_top, w2, m, c // m), (0, 1, 4, 2, 3, 5),
                         (n * nw * nw, m, k_top * w2, c // m))
        q_pix = _regroup(q_pix, (n, nw * nw, w2, m, qk // m), (0, 1, 3, 2, 4), (n * nw * nw, m, w2, qk // m))
        att = self.attn_act((q_pix * self.scale) @ k_sel)
        out = att @ v_sel
        out = _regroup(out, (n, nw, nw, m, h, w, c // m), (0, 1, 4, 2, 5, 3, 6), (n, nw * h, nw * w, c))
        out = self.wo(out + lepe)
        if self.auto_pad and (hp > h_in or wp > w_in):
            out = out[:, :h_in, :w_in, :].contiguous()
        return out.permute(0, 3, 1, 2)


def _to_regions(x, rh, rw, heads):
    """(B, C, H, W) -> (B, heads, regions, rh*rw, C // heads)."""
    b, c, hh, ww = x.shape
    x = x.view(b, heads, c // heads, hh // rh, rh, ww // rw, rw)
    return torch.einsum("bmdhpwq->bmhwpqd", x).flatten(2, 3).flatten(-3, -2)


def _from_regions(x, gh, gw, rh, rw):
    """(B, heads, regions, rh*rw, d) -> (B, heads*d, gh*rh, gw*rw)."""
    b, heads, _, _, d = x.shape
    x = x.view(b, heads, gh, gw, rh, rw, d)
    return torch.einsum("bmhwpqd->bmdhpwq", x).reshape(b, heads * d, gh * rh, gw * rw)


def _routed_attention(q, k, v, scale, graph, rh, rw):
    """Token attention of each query region to the keys and values of its routed regions;
    maps padded up to region multiples first, the output cropped back."""
    hq, wq = q.shape[2], q.shape[3]
    pb, pr = (rh - hq % rh) % rh, (rw - wq % rw) % rw
    if pb or pr:
        q = F.pad(q, (0, pr, 0, pb))
    hk, wk = k.shape[2], k.shape[3]
    kb, kr = (rh - hk % rh) % rh, (rw - wk % rw) % rw
    if kb or kr:
        k, v = F.pad(k, (0, kr, 0, kb)), F.pad(v, (0, kr, 0, kb))
    heads = graph.shape[1]
    gh, gw = q.shape[2] // rh, q.shape[3] // rw
    q, k, v = (_to_regions(t, rh, rw, heads) for t in (q, k, v))
    b, _, regions, size, d = k.shape
    nq, top = q.shape[2], graph.shape[-1]
    index = graph.view(b, heads, nq, top, 1, 1).expand(-1, -1, -1, -1, size, d)
    kg = torch.gather(k.view(b, heads, 1, regions, size, d).expand(-1, -1, nq, -1, -1, -1), 3, index)
    vg = torch.gather(v.view(b, heads, 1, regions, size, d).expand(-1, -1, nq, -1, -1, -1), 3, index)
    att = torch.softmax((q * scale) @ kg.flatten(-3, -2).transpose(-1, -2), dim=-1)
    out = _from_regions(att @ vg.flatten(-3, -2), gh, gw, rh, rw)
    if pb or pr:
        out = out[:, :, :hq, :wq]
    return out


class BiLevelRoutingAttentionNCHW(nn.Module):
    """BiFormer's channels-first bi-level routing attention, 1x1 convs for qkv and output (hduwujing/YOLOv5s_final)."""

    def __init__(self, dim, num_heads=8, n_win=7, qk_scale=None, topk=4, side_dwconv=3, auto_pad=False,
                 attn_backend="torch"):
        super().__init__()
        assert dim % num_heads == 0 and attn_backend == "torch"
        self.dim, self.num_heads, self.n_win, self.topk = dim, num_heads, n_win, topk
        self.scale = qk_scale or dim ** -0.5
        if side_dwconv > 0:
            self.lepe = nn.Conv2d(dim, dim, side_dwconv, 1, side_dwconv // 2, groups=dim)
        else:
            self.lepe = torch.zeros_like
        self.qkv_linear = nn.Conv2d(dim, 3 * dim, 1)
        self.output_linear = nn.Conv2d(dim, dim, 1)

    def forward(self, x):
        hh, ww = x.shape[2], x.shape[3]
        rh, rw = hh // self.n_win, ww // self.n_win
        qkv = self.qkv_linear.forward(x)  # called directly, as the fork does: no module hooks fire
        q, k, v = qkv.chunk(3, dim=1)
        q_r = F.avg_pool2d(q.detach(), kernel_size=(rh, rw), ceil_mode=True, count_include_pad=False)
        k_r = F.avg_pool2d(k.detach(), kernel_size=(rh, rw), ceil_mode=True, count_include_pad=False)
        affinity = q_r.permute(0, 2, 3, 1).flatten(1, 2) @ k_r.flatten(2, 3)
        _, idx = torch.topk(affinity, k=self.topk, dim=-1)
        graph = idx.unsqueeze_(1).expand(-1, self.num_heads, -1, -1)
        out = _routed_attention(q, k, v, self.scale, graph, rh, rw)
        return self.output_linear(out + self.lepe(v))
