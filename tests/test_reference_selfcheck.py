"""Self-check: the torch reference (yolo_torch / torch_oracle) reproduces published YOLOv5 figures.

These tests validate the oracle itself, not yanalyze.
"""
from functools import lru_cache
from pathlib import Path

import pytest

import yolo_torch as yt

CONFIGS = Path(__file__).parent / 'configs'


@lru_cache(maxsize=None)
def model(name, fused=False):
    m = yt.build(CONFIGS / f'{name}.yaml')
    return m.fuse() if fused else m


def n_params(m):
    return sum(p.numel() for p in m.parameters())


# YOLOv5 v7.0 model summaries: "<n> layers, <params> parameters, ..., <GFLOPs> GFLOPs" at 640
PUBLISHED = [
    ('yolov5n', False, 214, 1_872_157, '4.6'),
    ('yolov5s', False, 214, 7_235_389, '16.6'),
    ('yolov5m', False, 291, 21_190_557, '49.2'),
    ('yolov5l', False, 368, 46_563_709, '109.6'),
    ('yolov5x', False, 445, 86_749_405, '206.3'),
    ('yolov5s', True, 157, 7_225_885, '16.4'),
]


@pytest.mark.parametrize('name,fused,layers,params,gflops', PUBLISHED,
                         ids=[f'{p[0]}{"-fused" if p[1] else ""}' for p in PUBLISHED])
def test_published_params_and_gflops(name, fused, layers, params, gflops):
    m = model(name, fused)
    g = yt.gflops(m, 640)
    print(f'{name}{" fused" if fused else ""}: {len(list(m.modules()))} layers, {n_params(m):,} params, {g:.4f} GFLOPs')
    assert n_params(m) == params
    assert f'{g:.1f}' == gflops
    assert len(list(m.modules())) == layers  # same module tree as the official code


@pytest.mark.parametrize('name,params', [('yolov5s-v5.0', 7_276_605), ('yolov5s-v3.0', 7_468_157)])
def test_old_release_layouts(name, params):
    """Parameter counts printed by the v5.0 and v3.0 releases for yolov5s (activations do not change them)."""
    assert n_params(model(name)) == params


@pytest.mark.parametrize('name,fused', [('yolov5s', False), ('yolov5s', True), ('yolov5s-seg', False),
                                        ('yolov5s-transformer', False), ('yolov5s-v5.0', False)])
def test_layer_gflops_sum_to_total(name, fused):
    m = model(name, fused)
    for imgsz in (640, (320, 512)):
        per_layer = yt.layer_gflops(m, imgsz)
        assert len(per_layer) == len(m.model)
        assert sum(per_layer) == pytest.approx(yt.gflops(m, imgsz), rel=1e-12)


def test_layer_table_yolov5s():
    m = model('yolov5s')
    rows = yt.layer_table(m, (640, 640))
    assert [r['i'] for r in rows] == list(range(25))
    assert sum(r['params'] for r in rows) == n_params(m)
    assert rows[0]['out_shape'] == (32, 320, 320)
    assert rows[9]['out_shape'] == (512, 20, 20)
    assert rows[12]['out_shape'] == (512, 40, 40)
    assert rows[17]['out_shape'] == (128, 80, 80)
    assert rows[24]['out_shape'] == [(255, 80, 80), (255, 40, 40), (255, 20, 20)]
    assert rows[24]['params'] == 229_245
    assert m.stride.tolist() == [8.0, 16.0, 32.0]


def test_layer_table_segment_and_rectangular():
    rows = yt.layer_table(model('yolov5s-seg'), (384, 640))
    assert rows[-1]['out_shape'] == [(351, 48, 80), (351, 24, 40), (351, 12, 20)]
    assert rows[-1]['proto_shape'] == (32, 96, 160)


def test_receptive_field_yolov5n_p3():
    """Exact receptive field at yolov5n's P3 output (layer 17) over one period (4 cells = stride 32 / 8).

    Published: min 682, max 714 (textbook formula: 698). 768 px keeps every field inside the image
    (the oracle raises if a field reaches the border).
    """
    ext = yt.receptive_field_by_gradient(model('yolov5n'), 17, 768, [(47 + k, 47 + k) for k in range(4)])
    print('yolov5n layer 17 receptive field extents:', ext)
    rows, cols = [e[0] for e in ext], [e[1] for e in ext]
    assert rows == cols
    assert min(rows) == 682 and max(rows) == 714
