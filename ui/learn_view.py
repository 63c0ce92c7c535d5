"""Figures and tables of the "Learn the weights" page: α as it trains, the curves, Q·Kᵀ, comparisons.

UI only: every number comes from a TrainingRun (attention_core.training). α heatmaps use the fixed
colour range 0..1, so a colour always means the same weight and the flat step-0 rows look flat.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

import attention_core as ac
from attention_core import training as tr

from .heatmap import SEQUENTIAL

Translate = Callable[..., str]
OUTLINE = "#ff2d55"  # the needed cells: a red-pink that stands out on every Viridis colour
DIVERGING = "PuOr"  # Q·Kᵀ: purple (negative) to orange (positive), colour-blind safe
CURVE_COLOURS = ("#0072b2", "#d55e00")  # Okabe-Ito blue and vermillion


def needed_cells(task: str, n: int) -> list[tuple[int, int]]:
    """(query, key) of every cell the task needs, for the outline."""
    keys = ac.needed_keys(task, n)
    return [(i, int(j)) for i, j in enumerate(keys) if j >= 0]


def _outline_shapes(cells: Sequence[tuple[int, int]], xref: str = "x", yref: str = "y") -> list[dict[str, Any]]:
    return [
        {
            "type": "rect",
            "xref": xref,
            "yref": yref,
            "x0": j - 0.5,
            "x1": j + 0.5,
            "y0": i - 0.5,
            "y1": i + 0.5,
            "line": {"color": OUTLINE, "width": 3},
            "fillcolor": "rgba(0,0,0,0)",
        }
        for i, j in cells
    ]


def _heat(z: np.ndarray, labels: list[str], t: Translate, *, showscale: bool = True) -> go.Heatmap:
    n = z.shape[0]
    return go.Heatmap(
        z=z,
        x=labels,
        y=labels,
        zmin=0.0,
        zmax=1.0,
        colorscale=SEQUENTIAL,
        showscale=showscale,
        colorbar={"title": {"text": "α"}},
        texttemplate="%{z:.2f}",
        textfont={"size": 14 if n <= 8 else 11},  # legible on a projector, still fits a phone's cells
        hovertemplate=t("learn.hover_alpha"),
        xgap=1,
        ygap=1,
    )


def _axes(t: Translate, n: int) -> dict[str, Any]:
    ticks = {"type": "category", "tickfont": {"size": 16 if n <= 10 else 12}}
    return {
        "xaxis": {"title": {"text": t("heatmap.keys")}, "side": "top", **ticks},
        "yaxis": {"title": {"text": t("heatmap.queries")}, "autorange": "reversed", **ticks},
    }


def alpha_animation(run: ac.TrainingRun, head: int, step: int, t: Translate) -> go.Figure:
    """α of one head on the probe, with a frame per snapshot, a play button and its own step slider."""
    labels = ac.unique_labels(tr.token_labels(run.probe))
    n = len(labels)
    snaps = run.snapshots
    start = next(s for s in snaps if s.step == step)
    frames = [go.Frame(data=[go.Heatmap(z=s.weights[head])], name=str(s.step)) for s in snaps]
    anim = {"frame": {"duration": 250, "redraw": True}, "transition": {"duration": 0}, "mode": "immediate"}
    layout: dict[str, Any] = {
        "title": {"text": t("learn.anim_title", head=head + 1), "y": 0.995, "yref": "container", "yanchor": "top"},
        "height": 620,
        "margin": {"l": 10, "r": 10, "t": 110, "b": 10},
        "shapes": _outline_shapes(needed_cells(run.config.task, n)),
        "updatemenus": [
            {
                "type": "buttons",
                "direction": "left",
                "x": 0.0,
                "y": -0.03,
                "xanchor": "left",
                "yanchor": "top",
                "pad": {"t": 95, "r": 10},
                "showactive": False,
                "font": {"size": 15},
                "buttons": [
                    {"label": t("learn.play"), "method": "animate", "args": [None, {**anim, "fromcurrent": True}]},
                    {"label": t("learn.pause"), "method": "animate", "args": [[None], {**anim, "mode": "immediate"}]},
                ],
            }
        ],
        "sliders": [
            {
                "active": snaps.index(start),
                "x": 0.0,
                "len": 1.0,
                "y": -0.03,
                "yanchor": "top",
                "pad": {"t": 10},
                "currentvalue": {"prefix": t("learn.step_prefix"), "font": {"size": 15}},
                "steps": [{"label": str(s.step), "method": "animate", "args": [[str(s.step)], anim]} for s in snaps],
            }
        ],
        **_axes(t, n),
    }
    layout["height"] = 780
    layout["margin"]["b"] = 170  # room for the frame slider, then the Play and Pause buttons below it
    return go.Figure(data=[_heat(start.weights[head], labels, t)], frames=frames, layout=layout)


def alpha_at(run: ac.TrainingRun, head: int, step: int, t: Translate, *, title: str | None = None) -> go.Figure:
    """α of one head on the probe at one step, the cells the task needs outlined (before or after)."""
    labels = ac.unique_labels(tr.token_labels(run.probe))
    n = len(labels)
    snap = run.snapshot_at(step)
    layout: dict[str, Any] = {
        "title": {
            "text": title or t("learn.at_step", step=snap.step),
            "y": 0.995,
            "yref": "container",
            "yanchor": "top",
        },
        "height": 520,
        "margin": {"l": 10, "r": 10, "t": 110, "b": 10},
        "shapes": _outline_shapes(needed_cells(run.config.task, n)),
        **_axes(t, n),
    }
    return go.Figure(data=[_heat(snap.weights[head], labels, t)], layout=layout)


def curves(run: ac.TrainingRun, step: int, t: Translate) -> go.Figure:
    """Training loss and accuracy against the step, with a marker at the step shown."""
    steps = np.arange(1, run.config.steps + 1)
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.12, subplot_titles=(t("learn.loss"), t("learn.accuracy"))
    )
    fig.add_trace(
        go.Scatter(
            x=steps, y=run.losses, mode="lines", line={"color": CURVE_COLOURS[0], "width": 3}, name=t("learn.loss")
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=steps,
            y=run.accuracies,
            mode="lines",
            line={"color": CURVE_COLOURS[1], "width": 3},
            name=t("learn.accuracy"),
        ),
        row=2,
        col=1,
    )
    chance = 1.0 / run.config.vocab_size
    fig.add_hline(y=chance, line={"dash": "dot", "color": "#555555"}, row=2, col=1)
    fig.add_annotation(
        x=steps[-1], y=chance, text=t("learn.chance"), showarrow=False, xanchor="right", yanchor="bottom", row=2, col=1
    )
    if step >= 1:
        i = step - 1
        for row, values in ((1, run.losses), (2, run.accuracies)):
            fig.add_trace(
                go.Scatter(
                    x=[step],
                    y=[values[i]],
                    mode="markers",
                    marker={"size": 14, "color": "#000000", "symbol": "diamond"},
                    name=t("learn.marker", step=step),
                    showlegend=False,
                ),
                row=row,
                col=1,
            )
    fig.add_vline(x=max(step, 1), line={"dash": "dash", "color": "#000000", "width": 2})
    fig.update_yaxes(rangemode="tozero", row=1, col=1)
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=2, col=1)
    fig.update_xaxes(title_text=t("learn.step_axis"), row=2, col=1)
    fig.update_layout(height=620, margin={"l": 10, "r": 10, "t": 60, "b": 10}, showlegend=False, font={"size": 15})
    fig.update_annotations(font={"size": 16})
    return fig


def scores_figure(scores: np.ndarray, labels: list[str], t: Translate, title: str) -> go.Figure:
    """Q·Kᵀ of one head on the probe: a diverging scale centred on 0."""
    n = scores.shape[0]
    bound = float(max(np.max(np.abs(scores)), 1e-12))
    heat = go.Heatmap(
        z=scores,
        x=labels,
        y=labels,
        zmin=-bound,
        zmax=bound,
        zmid=0.0,
        colorscale=DIVERGING,
        colorbar={"title": {"text": "q·k"}},
        texttemplate="%{z:.1f}",
        textfont={"size": 15 if n <= 8 else 11},
        hovertemplate=t("learn.hover_score"),
        xgap=1,
        ygap=1,
    )
    layout = {
        "title": {"text": title, "y": 0.995, "yref": "container", "yanchor": "top"},
        "height": 560,
        "margin": {"l": 10, "r": 10, "t": 110, "b": 10},
        **_axes(t, n),
    }
    return go.Figure(data=[heat], layout=layout)


def comparison_curves(runs: Sequence[tuple[str, ac.TrainingRun]], t: Translate) -> go.Figure:
    """Training loss of two runs on one chart, so the speed of learning compares at a glance."""
    fig = go.Figure()
    dashes = ("solid", "dash")
    for k, (name, run) in enumerate(runs):
        fig.add_trace(
            go.Scatter(
                x=np.arange(1, run.config.steps + 1),
                y=run.losses,
                mode="lines",
                name=name,
                line={"color": CURVE_COLOURS[k % 2], "width": 3, "dash": dashes[k % 2]},
            )
        )
    fig.update_layout(
        height=380,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        xaxis={"title": {"text": t("learn.step_axis")}},
        yaxis={"title": {"text": t("learn.loss")}, "rangemode": "tozero"},
        legend={"orientation": "h", "y": 1.12},
        font={"size": 15},
    )
    return fig


def curves_table(run: ac.TrainingRun, t: Translate) -> pd.DataFrame:
    """Loss and accuracy at every snapshot step (the curves' numbers)."""
    steps = [s.step for s in run.snapshots if s.step >= 1]
    return pd.DataFrame(
        {
            t("learn.loss"): [float(run.losses[s - 1]) for s in steps],
            t("learn.accuracy"): [float(run.accuracies[s - 1]) for s in steps],
        },
        index=pd.Index(steps, name=t("learn.step_axis")),
    )


def comparison_table(runs: Sequence[tuple[str, ac.TrainingRun]], t: Translate) -> pd.DataFrame:
    """The comparison chart's numbers: each run's training loss at its snapshot steps."""
    first = runs[0][1]
    steps = [s.step for s in first.snapshots if s.step >= 1]
    return pd.DataFrame(
        {name: [float(r.losses[s - 1]) for s in steps] for name, r in runs},
        index=pd.Index(steps, name=t("learn.step_axis")),
    )


def best_head(run: ac.TrainingRun) -> int:
    """The head whose final α puts the most weight on the keys the task needs (0-based)."""
    final = run.snapshots[-1].weights
    return max(range(final.shape[0]), key=lambda k: ac.mean_needed_alpha(final[k : k + 1], run.config.task))


def summary_row(name: str, run: ac.TrainingRun, t: Translate) -> dict[str, Any]:
    """One line of the comparison table: held-out accuracy, final loss, α on the needed key."""
    reached = np.flatnonzero(run.accuracies >= 0.95)
    return {
        t("learn.col_run"): name,
        t("learn.col_eval"): f"{run.eval_accuracy:.1%}",
        t("learn.col_loss"): f"{float(run.losses[-1]):.4f}",
        t("learn.col_needed"): f"{ac.mean_needed_alpha(run.snapshots[-1].weights, run.config.task):.2f}",
        t("learn.col_reached"): str(int(reached[0]) + 1) if reached.size else "—",
    }


# ---------------------------------------------------------------- the same figures at another step
# A slider move changes only a few values of the figures above. These take a figure's dict (built and
# validated once, at the last step) and return a new dict for `step`, sharing every unchanged part:
# no plotly object is built per step. The shared parts must never be mutated.


def animation_at(spec: dict[str, Any], run: ac.TrainingRun, head: int, step: int) -> dict[str, Any]:
    """`alpha_animation`'s dict showing `step` first (the frames are the same for every step)."""
    steps = [s.step for s in run.snapshots]
    i = steps.index(step)
    data = [{**spec["data"][0], "z": run.snapshots[i].weights[head].tolist()}]
    sliders = [{**spec["layout"]["sliders"][0], "active": i}]
    return {**spec, "data": data, "layout": {**spec["layout"], "sliders": sliders}}


def curves_at(spec: dict[str, Any], run: ac.TrainingRun, step: int, marker_name: str) -> dict[str, Any]:
    """`curves`' dict with its marker (two points and the dashed line) at `step`."""
    lines, markers = spec["data"][:2], spec["data"][2:]
    if step >= 1 and markers:
        values = (run.losses[step - 1], run.accuracies[step - 1])
        markers = [
            {**m, "x": [step], "y": [float(v)], "name": marker_name} for m, v in zip(markers, values, strict=True)
        ]
    else:
        markers = []
    shapes = [
        {**shape, "x0": max(step, 1), "x1": max(step, 1)} if shape.get("line", {}).get("dash") == "dash" else shape
        for shape in spec["layout"]["shapes"]
    ]
    return {**spec, "data": [*lines, *markers], "layout": {**spec["layout"], "shapes": shapes}}


def scores_at(spec: dict[str, Any], scores: np.ndarray, title: str) -> dict[str, Any]:
    """`scores_figure`'s dict for other scores and title."""
    bound = float(max(np.max(np.abs(scores)), 1e-12))
    data = [{**spec["data"][0], "z": scores.tolist(), "zmin": -bound, "zmax": bound}]
    layout = {**spec["layout"], "title": {**spec["layout"]["title"], "text": title}}
    return {**spec, "data": data, "layout": layout}
