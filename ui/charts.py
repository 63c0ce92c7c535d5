"""Small plotly charts besides the α heatmap: line charts, bars, scatter views. Colour-blind-safe."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from .figures import SEQUENTIAL
from .tables import unique_labels

# Okabe–Ito: distinguishable with every common colour-vision deficiency; dashes add a second cue.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str, height: int = 360) -> go.Figure:
    fig.update_layout(
        title={"text": title},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        xaxis={"title": {"text": x_title}},
        yaxis={"title": {"text": y_title}},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def lines(
    x: Sequence[object] | np.ndarray,
    series: Sequence[tuple[str, np.ndarray]],
    *,
    title: str,
    x_title: str,
    y_title: str,
    log_x: bool = False,
    category_x: bool = False,
) -> go.Figure:
    """Several named series over the same x, each with its own colour and dash."""
    fig = go.Figure()
    for i, (name, y) in enumerate(series):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                name=name,
                mode="lines+markers",
                line={"color": OKABE_ITO[i % len(OKABE_ITO)], "dash": DASHES[i % len(DASHES)], "width": 3},
                hovertemplate=f"{name}<br>%{{x}}: %{{y:.4f}}<extra></extra>",
            )
        )
    _layout(fig, title, x_title, y_title)
    if log_x:
        fig.update_xaxes(type="log")
    if category_x:
        fig.update_xaxes(type="category")
    return fig


def matrix_heatmap(
    values: np.ndarray,
    rows: Sequence[str],
    cols: Sequence[str],
    *,
    title: str,
    x_title: str,
    y_title: str,
    diverging: bool = True,
    height: int = 420,
) -> go.Figure:
    """Any matrix as a heatmap (row 0 on top); a diverging scale centred on 0 for signed values."""
    bound = float(np.max(np.abs(values))) or 1.0
    fig = go.Figure(
        go.Heatmap(
            z=values,
            x=list(cols),
            y=unique_labels(rows),
            colorscale="RdBu" if diverging else SEQUENTIAL,
            zmid=0.0 if diverging else None,
            zmin=-bound if diverging else None,
            zmax=bound if diverging else None,
            hovertemplate="%{y}, %{x}: %{z:.4f}<extra></extra>",
        )
    )
    _layout(fig, title, x_title, y_title, height)
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    return fig
