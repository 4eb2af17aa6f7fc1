"""Receptive field per axis: textbook composition and exact per-position windows."""
from fractions import Fraction

from yanalyze.analyzer.field import AxisField


def test_chain_of_convs_matches_textbook():
    # r = 1 + (3-1)*1 + (3-1)*2 + (5-1)*4 = 1 + 2 + 4 + 16 = 23, jump 2*2*1 = 4
    f = AxisField.identity().window(3, 2, 1).window(3, 2, 1).window(5, 1, 2)
    assert (f.jump, f.rf) == (Fraction(4), Fraction(23))
    assert (f.rf_min, f.rf_max) == (23, 23)


def test_dilation_uses_effective_kernel():
    # k_eff = 2*(3-1)+1 = 5 -> r = 5
    f = AxisField.identity().window(3, 1, 2, 2)
    assert f.rf == 5 and f.rf_max == 5


def test_window_position_includes_padding_offset():
    # conv k3 s2 p1: output 0 reads input -1..1, output 1 reads 1..3
    f = AxisField.identity().window(3, 2, 1)
    assert f.lo == (-1,) and f.hi == (1,) and f.shift == 2


def test_nearest_upsample_makes_field_position_dependent():
    # stride 2 conv k3 then upsample x2 then k3 conv: output i reads upsampled i-1..i+1,
    # i.e. coarse positions (i-1)//2 .. (i+1)//2: two coarse cells when i is even, ... see below
    f = AxisField.identity().window(3, 2, 1).upsample(2).window(3, 1, 1)
    # i = 0: coarse -1..0 -> input [-3, 1] -> 5 px;  i = 1: coarse 0..1 -> input [-1, 3] -> 5 px
    assert f.jump == 1 and f.rf == 3 + 2 * 1
    assert (f.rf_min, f.rf_max) == (5, 5)
    g = AxisField.identity().window(3, 2, 1).upsample(2).window(2, 1, 0)
    # k=2: i even reads coarse i/2 only -> 3 px; i odd reads two coarse cells -> 5 px
    assert (g.rf_min, g.rf_max) == (3, 5) and g.period == 2


def test_join_takes_union_per_position():
    a = AxisField.identity().window(3, 1, 1)           # [i-1, i+1]
    b = AxisField.identity().window(5, 1, 0)           # [i, i+4]
    j = a.join(b)
    assert (j.lo, j.hi) == ((-1,), (4,)) and j.rf_max == 6 and j.rf == 5


def test_textbook_only_mode_skips_windows():
    f = AxisField.identity(exact=False).window(3, 2, 1).upsample(2)
    assert f.lo is None and f.rf == 3 and f.jump == 1
