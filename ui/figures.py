"""Plotly figures built from numpy arrays (sent as typed arrays), tokens on the axes, row 0 on top."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from .tables import unique_labels

# Viridis: perceptually uniform and readable with the common colour-vision deficiencies.
SEQUENTIAL = "Viridis"
CELL_TEXT_MAX = 16  # print each cell's value while the matrix is at most this many rows


def attention_heatmap(
    weights: np.ndarray,
    scores: np.ndarray,
    logits: np.ndarray,
    tokens: Sequence[str],
    *,
    title: str,
    query_label: str,
    key_label: str,
    hover: str,
    colorbar_title: str = "α",
    height: int | None = None,
) -> go.Figure:
    """The α matrix: queries as rows (top to bottom), keys as columns; hover shows score, logit, α."""
    n = weights.shape[0]
    labels = unique_labels(tokens)  # category axes: a repeated word keeps its own row
    custom = np.stack([scores, logits], axis=-1)  # (n, n, 2)
    heat = go.Heatmap(
        z=weights,
        x=labels,
        y=labels,
        customdata=custom,
        zmin=0.0,
        zmax=float(max(np.max(weights), 1e-12)),
        colorscale=SEQUENTIAL,
        colorbar={"title": {"text": colorbar_title}},
        hovertemplate=hover,
        texttemplate="%{z:.4f}" if n <= CELL_TEXT_MAX else None,
        xgap=1 if n <= 64 else 0,
        ygap=1 if n <= 64 else 0,
    )
    ticks = {"type": "category", "tickfont": {"size": 14 if n <= 16 else 10}}
    side = height or min(760, 140 + 44 * n)
    fig = go.Figure(heat)
    fig.update_layout(
        title={"text": title},
        height=side,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        xaxis={"title": {"text": key_label}, "side": "top", **ticks},
        yaxis={"title": {"text": query_label}, "autorange": "reversed", **ticks},
    )
    return fig
