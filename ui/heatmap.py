"""The α heatmap, and the colour scale every chart shares: tokens on the axes, row 0 on top."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from .tables import unique_labels

# Viridis: perceptually uniform and readable with the common colour-vision deficiencies.
SEQUENTIAL = "Viridis"
MASKED_GREY = "#d4d4d4"  # causal-mask cells: neutral grey, outside the Viridis range
CELL_TEXT_MAX = 16  # print each cell's value while the matrix is at most this many rows
HOVER_F32_MAX = 256.0  # below this magnitude a 4-decimal value survives float32 exactly (ulp <= 3e-5)


def hover_data(custom: np.ndarray) -> np.ndarray:
    """Hover-only values (shown with 4 decimals), smaller on the wire for large matrices.

    Above CELL_TEXT_MAX tokens they are rounded to 4 decimals and sent as float32, which halves
    the largest part of the figure (n×n×2 values) and prints the same digits: float32 keeps
    k/10⁴ within 3e-5 for |x| < 256, so "%{customdata:.4f}" rounds back to k/10⁴.
    """
    if custom.shape[0] <= CELL_TEXT_MAX:
        return custom
    finite = custom[np.isfinite(custom)]
    if finite.size and float(np.max(np.abs(finite))) >= HOVER_F32_MAX:
        return custom
    return np.round(custom, 4).astype(np.float32)


def _colour_values(z: np.ndarray) -> np.ndarray:
    """Above CELL_TEXT_MAX (no digits printed in the cells) α travels as float32 rounded to 4 decimals:
    half the bytes, the same colours and the same 4-decimal hover digits (see hover_data)."""
    if z.shape[0] <= CELL_TEXT_MAX:
        return z
    return np.round(z, 4).astype(np.float32)


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
    masked_text: str = "masked",
    masked_hover: str = "%{y} → %{x}: masked (logit −∞)<extra></extra>",
    cell_text: bool = True,
    show_scale: bool = True,
    hover_light: str | None = None,
) -> go.Figure:
    """The α matrix: queries as rows (top to bottom), keys as columns; hover shows score, logit, α.

    Masked cells (logit −∞) are drawn grey and labelled, not as a zero weight. `cell_text=False`
    and `show_scale=False` make a small multiple (one of several heads side by side).
    """
    n = weights.shape[0]
    labels = unique_labels(tokens)  # category axes: a repeated word keeps its own row
    # Above CELL_TEXT_MAX a small multiple may drop score and logit from its hover (`hover_light`, a
    # template naming query, key and α): the n×n×2 hover array is most of a large figure's bytes.
    light = hover_light is not None and n > CELL_TEXT_MAX
    custom = None if light else hover_data(np.stack([scores, logits], axis=-1))  # (n, n, 2)
    masked = np.isneginf(logits)
    any_masked = bool(masked.any())
    text_on = cell_text and n <= CELL_TEXT_MAX
    text: dict[str, object] = {}
    if text_on and any_masked:  # per-cell strings, so no value is printed on a masked cell
        text = {"text": np.where(masked, "", np.char.mod("%.4f", weights)).tolist(), "texttemplate": "%{text}"}
    elif text_on:
        text = {"texttemplate": "%{z:.4f}"}
    if text_on:  # larger digits while the cells are large: legible on a projector
        text["textfont"] = {"size": 16 if n <= 6 else 14 if n <= 10 else 11}
    heat = go.Heatmap(
        z=_colour_values(np.where(masked, np.nan, weights) if any_masked else weights),
        x=labels,
        y=labels,
        customdata=custom,
        zmin=0.0,
        zmax=1.0,  # one fixed 0..1 range: a colour means the same α in every chart, and a flat row looks flat
        colorscale=SEQUENTIAL,
        showscale=show_scale,
        colorbar={"title": {"text": colorbar_title}},
        hovertemplate=hover_light if light else hover,
        hoverongaps=False,
        xgap=1 if n <= 64 else 0,
        ygap=1 if n <= 64 else 0,
        **text,
    )
    ticks = {"type": "category", "tickfont": {"size": 14 if n <= 16 else 10}}
    side = height or min(760, 140 + 44 * n)
    traces = [heat]
    if any_masked:
        traces.append(
            go.Heatmap(
                z=np.where(masked, 1.0, np.nan),
                x=labels,
                y=labels,
                colorscale=[[0.0, MASKED_GREY], [1.0, MASKED_GREY]],
                showscale=False,
                hovertemplate=masked_hover,
                hoverongaps=False,
                text=np.where(masked, masked_text, "").tolist() if text_on else None,
                texttemplate="%{text}" if text_on else None,
                textfont={"color": "#404040"},
                xgap=1 if n <= 64 else 0,
                ygap=1 if n <= 64 else 0,
            )
        )
    # The layout goes to the constructor: Figure.update_layout's relayout machinery cost more than the rest.
    layout = {
        # Title at the very top, the key axis (on top, with its title) below it: no overlap.
        "title": {"text": title, "y": 0.995, "yref": "container", "yanchor": "top"},
        "height": side + 40,
        "margin": {"l": 10, "r": 10, "t": 110, "b": 10},
        "xaxis": {"title": {"text": key_label}, "side": "top", **ticks},
        "yaxis": {"title": {"text": query_label}, "autorange": "reversed", **ticks},
    }
    fig = go.Figure(data=traces, layout=layout)
    return fig
