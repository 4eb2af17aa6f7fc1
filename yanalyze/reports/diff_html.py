"""The side-by-side HTML page of an architecture diff (same templates and styles as the report)."""
from __future__ import annotations

from markupsafe import Markup

from ..analyzer.diff import ArchDiff
from .diff_report import LABELS, delta_text, index, layer_delta, module, show_total, what
from .graph_dot import MARK_COLORS, render_svg
from .html import _env


def marks(d: ArchDiff) -> tuple[dict[int, str], dict[int, str]]:
    """Statuses to draw on A's graph (removed, changed, moved) and on B's (added, changed, moved)."""
    on_a = {ld.a.index: ld.status for ld in d.layers if ld.a and ld.status in ("removed", "changed", "moved")}
    on_b = {ld.b.index: ld.status for ld in d.layers if ld.b and ld.status in ("added", "changed", "moved")}
    return on_a, on_b


def render(d: ArchDiff) -> str:
    from .. import __version__

    on_a, on_b = marks(d)
    graphs = []
    for side, analysis, m in (("A", d.a, on_a), ("B", d.b, on_b)):
        g = render_svg(analysis, m, prefix=side)
        graphs.append({"side": side, "name": analysis.path or analysis.name, "svg": Markup(g.svg) if g.svg else None,
                       "dot": g.dot, "note": g.note})
    rows = [{"status": ld.status, "a": index(ld)[0], "b": index(ld)[1], "module": module(ld), "what": what(ld),
             "params": layer_delta(ld, "params"), "gflops": layer_delta(ld, "gflops"),
             "mem": layer_delta(ld, "mem_bytes")} for ld in d.layers]
    counts = {s: sum(ld.status == s for ld in d.layers) for s in ("changed", "moved", "added", "removed", "affected", "same")}
    return _env().get_template("diff.html.j2").render(
        version=__version__, a=d.a.path or d.a.name, b=d.b.path or d.b.name, method=d.method,
        input=f"{d.a.input.ch}x{d.a.input.imgsz[0]}x{d.a.input.imgsz[1]}", counts=counts,
        totals=[(LABELS[t.key], show_total(t.key, t.a), show_total(t.key, t.b), delta_text(t)) for t in d.totals],
        graphs=graphs, rows=rows, colors=MARK_COLORS)
