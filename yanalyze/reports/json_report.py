"""The JSON view: the Analysis as data, dumped with a fixed layout so output is byte-identical."""
from __future__ import annotations

from ..analyzer.model import Analysis
from ..analyzer.serialize import analysis_to_dict, dumps


def render(a: Analysis) -> str:
    """Deterministic JSON text: same input, byte-identical output."""
    return dumps(analysis_to_dict(a))
