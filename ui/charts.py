"""Every plotly chart besides the α heatmap (ui/heatmap.py): lines, bars, scatter views. Colour-blind-safe."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from attention_core.explain import top_keys

from .heatmap import SEQUENTIAL
from .tables import unique_labels

# Okabe–Ito: distinguishable with every common colour-vision deficiency; dashes add a second cue.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


def _layout(title: str, x_title: str, y_title: str, height: int = 360) -> dict[str, object]:
    """A chart's layout, passed to go.Figure: its update_layout machinery costs more than building the traces."""
    return {
        "title": {"text": title},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        "xaxis": {"title": {"text": x_title}},
        "yaxis": {"title": {"text": y_title}},
        "legend": {"orientation": "h", "y": -0.2},
    }


def lines(
    x: Sequence[object] | np.ndarray,
    series: Sequence[tuple[str, np.ndarray]],
    *,
    title: str,
    x_title: str,
    y_title: str,
    log_x: bool = False,
    log_y: bool = False,
    category_x: bool = False,
) -> go.Figure:
    """Several named series over the same x, each with its own colour and dash."""
    traces = [
        go.Scatter(
            x=x,
            y=y,
            name=name,
            mode="lines+markers",
            line={"color": OKABE_ITO[i % len(OKABE_ITO)], "dash": DASHES[i % len(DASHES)], "width": 3},
            hovertemplate=f"{name}<br>%{{x}}: %{{y:.4f}}<extra></extra>",
        )
        for i, (name, y) in enumerate(series)
    ]
    layout = _layout(title, x_title, y_title)
    xaxis: dict[str, object] = {"title": {"text": x_title}}
    if log_x:  # ticks at the data's own x values, not plotly's minor 2…9 labels
        xaxis.update(type="log", tickmode="array", tickvals=list(np.asarray(x)), ticktext=[str(v) for v in x])
    if category_x:
        xaxis["type"] = "category"
    layout["xaxis"] = xaxis
    if log_y:
        layout["yaxis"] = {"title": {"text": y_title}, "type": "log"}
    return go.Figure(data=traces, layout=layout)


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
    layout = _layout(title, x_title, y_title, height)
    layout["xaxis"] = {"title": {"text": x_title}, "type": "category"}
    layout["yaxis"] = {"title": {"text": y_title}, "type": "category", "autorange": "reversed"}
    heat = go.Heatmap(
        z=values,
        x=list(cols),
        y=unique_labels(rows),
        colorscale="RdBu_r" if diverging else SEQUENTIAL,  # red positive, blue negative
        zmid=0.0 if diverging else None,
        zmin=-bound if diverging else None,
        zmax=bound if diverging else None,
        hovertemplate="%{y}, %{x}: %{z:.4f}<extra></extra>",
    )
    return go.Figure(data=[heat], layout=layout)


def vector_space(
    q: np.ndarray,
    k: np.ndarray,
    tokens: Sequence[str],
    picked: int,
    weights_row: np.ndarray,
    *,
    title: str,
    query_name: str,
    key_name: str,
    axis_titles: Sequence[str],
    arrows: bool,
    top: int = 12,
) -> go.Figure:
    """Queries and keys as points (and arrows from the origin) in 2-D or 3-D.

    The picked query is enlarged and joined to its `top` keys by lines whose width grows with α.
    """
    dims = q.shape[1]
    labels = unique_labels(tokens)
    three = dims == 3
    scatter = go.Scatter3d if three else go.Scatter
    fig = go.Figure()

    def coords(points: np.ndarray) -> dict[str, np.ndarray]:
        names = ("x", "y", "z")[:dims]
        return {name: points[:, i] for i, name in enumerate(names)}

    def segments(starts: np.ndarray, ends: np.ndarray) -> dict[str, np.ndarray]:
        # Each segment as start, end, gap (NaN), so one trace draws them all.
        m = len(starts)
        pts = np.full((3 * m, dims), np.nan)
        pts[0::3], pts[1::3] = starts, ends
        return coords(pts)

    if arrows:
        origin = np.zeros_like(q)
        for points, colour in ((q, OKABE_ITO[0]), (k, OKABE_ITO[1])):
            fig.add_trace(
                scatter(
                    **segments(origin, points),
                    mode="lines",
                    line={"color": colour, "width": 2},
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
    order = top_keys(weights_row, top)
    w_max = float(weights_row.max()) or 1.0
    for j in order:
        seg = segments(q[picked : picked + 1], k[j : j + 1])
        width = 1 + 9 * float(weights_row[j]) / w_max
        fig.add_trace(
            scatter(
                **seg,
                mode="lines",
                line={"color": OKABE_ITO[5], "width": width, "dash": "dot"},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    marker_size = 5 if three else 10
    fig.add_trace(
        scatter(
            **coords(q),
            mode="markers+text",
            text=labels,
            name=query_name,
            marker={"color": OKABE_ITO[0], "size": marker_size, "symbol": "circle"},
            hovertemplate=f"{query_name} %{{text}}<extra></extra>",
            textposition="top center",
        )
    )
    fig.add_trace(
        scatter(
            **coords(k),
            mode="markers+text",
            text=labels,
            name=key_name,
            marker={"color": OKABE_ITO[1], "size": marker_size, "symbol": "diamond"},
            hovertemplate=f"{key_name} %{{text}}<extra></extra>",
            textposition="bottom center",
        )
    )
    fig.add_trace(
        scatter(
            **coords(q[picked : picked + 1]),
            mode="markers",
            name=f"{query_name} {labels[picked]}",
            marker={"color": OKABE_ITO[5], "size": marker_size * 2.2, "symbol": "circle-open" if three else "star"},
            hoverinfo="skip",
        )
    )
    fig.update_layout(
        title={"text": title}, height=620, margin={"l": 0, "r": 0, "t": 50, "b": 0}, legend={"orientation": "h"}
    )
    if three:  # equal aspect: one unit is as long on every axis, so angles are not stretched
        fig.update_layout(
            scene={
                "xaxis_title": axis_titles[0],
                "yaxis_title": axis_titles[1],
                "zaxis_title": axis_titles[2],
                "aspectmode": "data",
            }
        )
    else:
        fig.update_layout(
            xaxis={"title": {"text": axis_titles[0]}, "zeroline": True},
            yaxis={"title": {"text": axis_titles[1]}, "zeroline": True, "scaleanchor": "x"},
        )
    return fig


def bars(
    x: Sequence[str], series: Sequence[tuple[str, np.ndarray]], *, title: str, x_title: str, y_title: str
) -> go.Figure:
    """Grouped bars, one colour per series."""
    labels = unique_labels(x)
    traces = [
        go.Bar(
            x=labels,
            y=y,
            name=name,
            marker_color=OKABE_ITO[i % len(OKABE_ITO)],
            hovertemplate=f"{name}<br>%{{x}}: %{{y:.4f}}<extra></extra>",
        )
        for i, (name, y) in enumerate(series)
    ]
    layout = _layout(title, x_title, y_title)
    layout["xaxis"] = {"title": {"text": x_title}, "type": "category"}
    return go.Figure(data=traces, layout=layout)
