"""The JSON view: the Analysis as data, dumped with a fixed layout so output is byte-identical."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ..analyzer.model import Analysis
from ..analyzer.serialize import analysis_to_dict, dumps

if TYPE_CHECKING:
    from ..analyzer.budget import BudgetCheck


def document(a: Analysis, budget: Optional["BudgetCheck"] = None) -> dict:
    """One config's JSON document (also each element of a many-config array); "budgets" only with a
    budget file."""
    data = analysis_to_dict(a)
    if budget is not None:
        from .budget_report import report_json
        data["budgets"] = report_json(budget)
    return data


def render(a: Analysis, budget: Optional["BudgetCheck"] = None) -> str:
    """Deterministic JSON text: same input, byte-identical output."""
    return dumps(document(a, budget))
