"""YAML arg strings resolve as data: allowed symbols and arithmetic, code rejected."""
import pytest

from yanalyze.analyzer.errors import ConfigError
from yanalyze.analyzer.symbols import resolve

NAMES = {"nc": 80, "anchors": [[10, 13, 16, 30, 33, 23]], "na": 3}


@pytest.mark.parametrize("text, value", [
    ("nc", 80), ("anchors", [[10, 13, 16, 30, 33, 23]]), ("None", None), ("True", True),
    ("nearest", "nearest"), ("nearest-exact", "nearest-exact"), ("nc*2+1", 161), ("na*(nc+5)", 255),
    ("-3", -3), ("2**3", 8), ("7//2", 3), ("[nc, 3]", [80, 3]), ("bilinear mode", "bilinear mode"),
    (5, 5), ([1, "nc"], [1, 80]),
])
def test_resolves(text, value):
    assert resolve(text, NAMES) == value


@pytest.mark.parametrize("text", ["__import__('os')", "nc.real", "anchors[0]", "print(1)",
                                  "(lambda: 1)()", "{1: 2}", "f'{nc}'"])
def test_code_rejected(text):
    with pytest.raises(ConfigError, match="looks like code"):
        resolve(text, NAMES)


@pytest.mark.parametrize("text", ["nc/0", "2**1000", "anchors*2"])
def test_bad_arithmetic_rejected(text):
    with pytest.raises(ConfigError, match="not simple arithmetic"):
        resolve(text, NAMES)
