"""The layer graph as Graphviz DOT, and as SVG when the `dot` binary is installed.

Nodes are the YAML layers (index, module, output shape), grouped into backbone and head
clusters, shaded by their share of the model's GFLOPs; edges follow `from`; the tooltip of
a node is its whole table row. Graphviz escapes label and tooltip text in its SVG output.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import graphviz

from ..analyzer.model import Analysis, LayerResult
from . import fmt

_LOW, _HIGH = (255, 255, 255), (230, 120, 40)


def shade(share: float) -> str:
    """White to orange by share of FLOPs (square root so small layers still show)."""
    t = min(max(share, 0.0), 1.0) ** 0.5
    r, g, b = (round(lo + (hi - lo) * t) for lo, hi in zip(_LOW, _HIGH))
    return f"#{r:02x}{g:02x}{b:02x}"


LEGEND_SHARES = (0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0)


@dataclass(frozen=True)
class LegendStop:
    """One labelled share on the shading key; pos is where shade() puts it (0..1, square root)."""

    share: float
    color: str
    pos: float
    label: str


def legend() -> list[LegendStop]:
    """The shading key: shade() is linear in the square root of the share, so a two-colour
    gradient drawn in that space matches the nodes exactly and these ticks sit where it says."""
    return [LegendStop(share=s, color=shade(s), pos=round(s ** 0.5, 4), label=f"{s:.0%}")
            for s in LEGEND_SHARES]


HEAD_PENWIDTH = "1.6"  # head layers (Detect, Segment) get a thicker border; the legend says so
MAX_NAME = 40      # characters of a module name in a node label
MAX_TOOLTIP = 600  # characters of a tooltip (Graphviz refuses strings over 16 KB)


def _dot_text(text: str, limit: int) -> str:
    """Config text for a DOT string: cut to the limit, backslashes kept literal (DOT reads \\N,
    \\G, \\l as escapes)."""
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return text.replace("\\", "\\\\")


def tooltip(r: LayerResult) -> str:
    """The full table row of a layer as hover text (args cut when very long)."""
    outs = "; ".join(f"{fmt.shape(o)} stride {fmt.axes(o.stride, fmt.frac)} RF {fmt.rf_cell(o)}"
                     for o in r.outputs)
    return (f"{r.index} from {fmt.from_(r.src_from)} n={r.n} {_dot_text(r.module, MAX_NAME)} "
            f"{_dot_text(fmt.args(r.args), MAX_TOOLTIP)}\n"
            f"out {outs}\nparams {fmt.count(r.params)}  GFLOPs {fmt.gflops(r.gflops)}  "
            f"mem {fmt.nbytes(r.mem_bytes)}")


def node_id(index: int) -> str:
    return f"L{index}"


MARK_COLORS = {"changed": "#c99a00", "moved": "#a23cb4", "added": "#1e8c3c", "removed": "#c0392b"}


def to_dot(a: Analysis, marks: Optional[dict[int, str]] = None, prefix: str = "") -> graphviz.Digraph:
    """Build the DOT graph from the analysis (nothing is recomputed, only read).

    marks: layer index -> status ("changed", "added", ...) drawn as a thick coloured border.
    prefix: prepended to node ids, so two graphs can share one page.
    """
    marks = marks or {}
    total = a.totals.gflops or 1.0
    g = graphviz.Digraph(name=a.name, graph_attr={"rankdir": "TB", "fontname": "Helvetica",
                                                   "fontsize": "11", "nodesep": "0.3", "ranksep": "0.3"},
                         node_attr={"shape": "box", "style": "rounded,filled", "fontname": "Helvetica",
                                    "fontsize": "10", "penwidth": "0.8"},
                         edge_attr={"arrowsize": "0.6", "penwidth": "0.8", "color": "#555555"})
    g.node(prefix + "input", f"input\n{a.input.ch}x{a.input.imgsz[0]}x{a.input.imgsz[1]}",
           shape="oval", fillcolor="#eef3fb", tooltip="input image", id=prefix + "input")
    for section in ("backbone", "head"):
        with g.subgraph(name=f"cluster_{section}") as sub:
            sub.attr(label=section, style="rounded,dashed", color="#8899aa", fontcolor="#556677")
            for r in a.layers:
                if r.section == section:
                    shapes = "\n".join(fmt.shape(o) for o in r.outputs)
                    style = {"penwidth": HEAD_PENWIDTH} if r.is_head else {}
                    if r.index in marks:
                        style = {"penwidth": "3.5", "color": MARK_COLORS[marks[r.index]],
                                 "class": f"mark-{marks[r.index]}"}
                    sub.node(prefix + node_id(r.index), f"{r.index} {_dot_text(r.module, MAX_NAME)}\n{shapes}",
                             fillcolor=shade(r.gflops / total), tooltip=tooltip(r),
                             id=prefix + node_id(r.index), **style)
    section_of = {r.index: r.section for r in a.layers}
    for r in a.layers:
        for j in _inputs(a, r):
            # edges across sections do not rank the head below the backbone: two columns
            g.edge(prefix + node_id(j), prefix + node_id(r.index),
                   **({"constraint": "false"} if section_of[j] != r.section else {}))
        if not _inputs(a, r):
            g.edge(prefix + "input", prefix + node_id(r.index))
    return g


def _inputs(a: Analysis, r: LayerResult) -> list[int]:
    return sorted(set(r.inputs))


@dataclass(frozen=True)
class GraphSVG:
    """The drawing (None when `dot` is not installed) and the DOT source, always available."""

    svg: Optional[str]
    dot: str
    note: Optional[str]


_PROLOGUE = re.compile(r"\A.*?(?=<svg)", re.S)


def render_svg(a: Analysis, marks: Optional[dict[int, str]] = None, prefix: str = "") -> GraphSVG:
    """Run `dot -Tsvg`; without the binary, return the DOT source and a note instead."""
    g = to_dot(a, marks, prefix)
    try:
        svg = g.pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound:
        return GraphSVG(None, g.source, "Graphviz's `dot` program was not found, so the graph is not "
                        "drawn; install Graphviz (e.g. apt-get install graphviz) or paste the DOT "
                        "source below into any Graphviz viewer.")
    except graphviz.CalledProcessError as exc:
        return GraphSVG(None, g.source, f"Graphviz failed to draw the graph ({exc.returncode}); "
                        "the DOT source is below.")
    return GraphSVG(_PROLOGUE.sub("", svg, count=1), g.source, None)
