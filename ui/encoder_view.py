"""The encoder page's building blocks: its steps in each mode and the block diagram (pure plotly, no Streamlit).

The diagram is plotly shapes and annotations only (no Streamlit), read top to bottom like the page:
one box per step, the two residual paths on the right, every arrow labelled with its shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import plotly.graph_objects as go

# The steps of one layer, in order; each is a box in the diagram and a section on the page.
POST_LN_STEPS = ("x", "mha", "add1", "ln1", "ffn1", "relu", "ffn2", "add2", "ln2")
PRE_LN_STEPS = ("x", "ln_in", "mha", "add1", "ln1", "ffn1", "relu", "ffn2", "add2")
WIDE = ("ffn1", "relu")  # the steps whose output is d_ff wide: their arrows are emphasised
# A step picked in one mode that the other lacks: the nearest step the other mode has.
NEAREST = {"ln_in": "x", "ln2": "add2"}

# Okabe-Ito hues, lightened for the boxes: distinguishable with the common colour-vision
# deficiencies. The current step does not rely on hue: it is dark with white bold text and a ▶.
FILL = {
    "io": "#e8e8e8",
    "attn": "#cfe8f7",  # sky blue
    "norm": "#f8f2b8",  # yellow
    "ffn": "#c4eadc",  # bluish green
    "add": "#ffffff",
}
EDGE = "#555555"
CURRENT_FILL = "#1f2f5c"  # a dark Viridis blue, as the theme's primary colour
CURRENT_EDGE = "#000000"
KIND = {
    "x": "io",
    "ln_in": "norm",
    "mha": "attn",
    "add1": "add",
    "ln1": "norm",
    "ffn1": "ffn",
    "relu": "ffn",
    "ffn2": "ffn",
    "add2": "add",
    "ln2": "norm",
    "out": "io",
}

X_MID = 4.6  # the main path
X_RES = 8.9  # the residual paths
BOX_W = 5.8
FRAME_PAD = 0.25  # the FFN frame around its boxes
BOX_H = 0.56
ROW = 1.0  # vertical distance between nodes
ROW_PX = 62  # …in pixels
ADD_PX = 15  # radius of a ⊕ node in pixels (pixel-sized, so it stays round at any width)
ADD_R = ADD_PX / ROW_PX  # …in y units


def steps_for(norm_first: bool) -> tuple[str, ...]:
    """The step ids of one layer, in order."""
    return PRE_LN_STEPS if norm_first else POST_LN_STEPS


def step_in_mode(step: str | None, norm_first: bool) -> str:
    """`step` if this mode has it, else its nearest equivalent; the first step when unknown."""
    steps = steps_for(norm_first)
    if step in steps:
        return step
    near = NEAREST.get(step or "")
    return near if near in steps else steps[0]


def residual_paths(norm_first: bool) -> tuple[tuple[str, str, str], ...]:
    """(node above the branch point, node below it, the add node it joins) for each residual."""
    if norm_first:
        return (("x", "ln_in", "add1"), ("add1", "ln1", "add2"))
    return (("x", "mha", "add1"), ("ln1", "ffn1", "add2"))


@dataclass(frozen=True)
class _Node:
    id: str
    y: float

    @property
    def half(self) -> float:
        return ADD_R if KIND[self.id] == "add" else BOX_H / 2

    @property
    def top(self) -> float:
        return self.y + self.half

    @property
    def bottom(self) -> float:
        return self.y - self.half


def block_diagram(
    norm_first: bool,
    current: str,
    labels: Mapping[str, str],
    shapes: Mapping[str, str],
    *,
    ffn_label: str,
    residual_label: str,
) -> go.Figure:
    """The encoder layer as boxes and arrows, top to bottom, with `current` highlighted.

    `labels` maps every node id (the steps plus "out") to its text; `shapes[id]` is the shape of
    the matrix leaving that node, written beside the arrow below it.
    """
    ids: Sequence[str] = (*steps_for(norm_first), "out")
    nodes = {nid: _Node(nid, -i * ROW) for i, nid in enumerate(ids)}
    fig = go.Figure()
    annotations: list[dict[str, object]] = []

    # The FFN group: a dashed frame around W1, ReLU, W2 with its name on the left.
    top, bottom = nodes["ffn1"].top + 0.08, nodes["ffn2"].bottom - 0.08
    fig.add_shape(
        type="rect",
        x0=X_MID - BOX_W / 2 - FRAME_PAD,
        x1=X_MID + BOX_W / 2 + FRAME_PAD,
        y0=bottom,
        y1=top,
        line={"color": "#009E73", "width": 1.5, "dash": "dash"},
        fillcolor="rgba(0,0,0,0)",
        layer="below",
    )
    annotations.append(
        {
            "x": X_MID - BOX_W / 2 - FRAME_PAD,
            "xshift": -26,  # left of the ▶ that marks the current step
            "y": (top + bottom) / 2,
            "text": ffn_label,
            "textangle": -90,
            "showarrow": False,
            "font": {"size": 13, "color": "#00684c"},
        }
    )

    # Arrows along the main path, each labelled with the shape it carries.
    for a, b in pairwise(ids):
        na, nb = nodes[a], nodes[b]
        annotations.append(_arrow(X_MID, na.bottom, X_MID, nb.top))
        annotations.append(
            {
                "x": X_MID - 0.15,
                "y": (na.bottom + nb.top) / 2,
                "text": f"<b>{shapes[a]}</b>" if a in WIDE else shapes[a],
                "xanchor": "right",
                "showarrow": False,
                "font": {"size": 13, "color": "#00684c"} if a in WIDE else {"size": 12, "color": "#333333"},
            }
        )

    # Residual paths: branch off between two nodes, run down the right, join at an add node.
    for above, below, add in residual_paths(norm_first):
        y_branch = (nodes[above].bottom + nodes[below].top) / 2
        y_add = nodes[add].y
        fig.add_shape(
            type="path",
            path=f"M {X_MID},{y_branch} L {X_RES},{y_branch} L {X_RES},{y_add}",
            line={"color": "#0072B2", "width": 2.5},
        )
        fig.add_shape(
            type="circle",
            xsizemode="pixel",
            ysizemode="pixel",
            xanchor=X_MID,
            yanchor=y_branch,
            x0=-5,
            x1=5,
            y0=-5,
            y1=5,
            fillcolor="#0072B2",
            line={"color": "#0072B2"},
        )
        annotations.append(_arrow(X_RES, y_add, X_MID, y_add, color="#0072B2", standoff=ADD_PX + 3))
        annotations.append(
            {
                "x": X_RES,
                "xshift": 10,
                "y": (y_branch + y_add) / 2,
                "text": residual_label,
                "textangle": 90,
                "showarrow": False,
                "font": {"size": 12, "color": "#0072B2"},
            }
        )

    # The boxes (and ⊕ circles), drawn last so they sit above the lines.
    for nid in ids:
        node = nodes[nid]
        here = nid == current
        fill = CURRENT_FILL if here else FILL[KIND[nid]]
        line = {"color": CURRENT_EDGE if here else EDGE, "width": 3 if here else 1.2}
        text_colour = "#ffffff" if here else "#111111"
        if KIND[nid] == "add":
            r = ADD_PX + (2 if here else 0)
            fig.add_shape(
                type="circle",
                xsizemode="pixel",
                ysizemode="pixel",
                xanchor=X_MID,
                yanchor=node.y,
                x0=-r,
                x1=r,
                y0=-r,
                y1=r,
                fillcolor=fill,
                line=line,
            )
            annotations.append(_text(X_MID, node.y, "+", text_colour, 18, bold=True))
            # Above the residual arrow that comes in from the right.
            annotations.append(
                _text(X_MID, node.y, labels[nid], "#111111", 12, anchor="left", shift=r + 4, yshift=13, bold=here)
            )
            marker_x, marker_shift = X_MID, -(r + 4)
        else:
            fig.add_shape(
                type="rect",
                x0=X_MID - BOX_W / 2,
                x1=X_MID + BOX_W / 2,
                y0=node.bottom,
                y1=node.top,
                fillcolor=fill,
                line=line,
            )
            annotations.append(_text(X_MID, node.y, labels[nid], text_colour, 14, bold=here))
            marker_x, marker_shift = X_MID - BOX_W / 2 - FRAME_PAD, -2
        if here:
            annotations.append(_text(marker_x, node.y, "▶", CURRENT_FILL, 20, anchor="right", shift=marker_shift))

    n = len(ids)
    fig.update_layout(
        annotations=annotations,
        height=int(n * ROW_PX + 30),
        margin={"l": 0, "r": 0, "t": 10, "b": 10},
        xaxis={"range": [0, 10], "visible": False, "fixedrange": True},
        yaxis={"range": [-(n - 1) * ROW - 0.45, 0.45], "visible": False, "fixedrange": True},
        plot_bgcolor="rgba(0,0,0,0)",
        paper_bgcolor="rgba(0,0,0,0)",
        showlegend=False,
    )
    return fig


def _arrow(x0: float, y0: float, x1: float, y1: float, color: str = EDGE, standoff: float = 0) -> dict[str, object]:
    """An arrow from (x0, y0) to (x1, y1), in data coordinates, stopping `standoff` pixels short."""
    return {
        "x": x1,
        "y": y1,
        "ax": x0,
        "ay": y0,
        "xref": "x",
        "yref": "y",
        "axref": "x",
        "ayref": "y",
        "text": "",
        "showarrow": True,
        "arrowhead": 2,
        "arrowsize": 1.2,
        "arrowwidth": 2,
        "arrowcolor": color,
        "standoff": standoff,
    }


def _text(
    x: float,
    y: float,
    text: str,
    colour: str,
    size: int,
    *,
    anchor: str = "center",
    shift: float = 0,
    yshift: float = 0,
    bold: bool = False,
) -> dict[str, object]:
    return {
        "x": x,
        "y": y,
        "xshift": shift,
        "yshift": yshift,
        "text": f"<b>{text}</b>" if bold else text,
        "xanchor": anchor,
        "showarrow": False,
        "font": {"size": size, "color": colour},
    }
