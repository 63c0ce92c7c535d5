"""The α heatmap, and the colour scale every chart shares: tokens on the axes, row 0 on top."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from _plotly_utils.utils import convert_to_base64

from .tables import unique_labels

# Viridis: perceptually uniform and readable with the common colour-vision deficiencies.
SEQUENTIAL = "Viridis"
# The same scale as plotly's validation writes it into a figure: the stops of plotly.py's Viridis (plotly.js's
# own "Viridis" has other stops, so the name alone would shift the colours slightly).
SEQUENTIAL_STOPS = tuple(tuple(stop) for stop in go.Heatmap(colorscale=SEQUENTIAL).colorscale)
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


class PrebuiltFigure(go.Figure):  # type: ignore[misc]  # plotly is untyped
    """A figure given as its finished dict (what `Figure.to_dict()` returns): `to_dict` hands it out as is.

    st.plotly_chart turns a Figure into its dict with `to_dict()` (a deep copy plus array encoding)
    on every rerun, and validates a plain dict by building a Figure from it. A Figure built the usual
    way is validated property by property, and gets a copy of plotly's default template, which
    Streamlit sets to its own ~4 KiB of colour placeholders for every trace type, sent with each
    figure although the frontend themes the chart itself (docs/benchmarks.md, issue 14). This skips
    all of it, for dicts that are valid by construction (tests compare them with plotly's validated
    figure). The dict may be shared by every session: nothing may mutate it (st.plotly_chart only
    serialises it).
    """

    def __init__(self, spec: dict[str, Any]) -> None:  # deliberately not go.Figure.__init__: nothing to validate
        self._spec = spec

    def to_dict(self) -> dict[str, Any]:
        spec: dict[str, Any] = self._spec
        return spec


AXIS_TEXT = "#222222"  # tick labels and axis titles: plotly's default grey was about 3.7:1 on white
DARK_TEXT, LIGHT_TEXT = "#000000", "#ffffff"  # cell values: whichever contrasts more with the cell


def _hex_rgb(colour: str) -> tuple[int, int, int]:
    """'#3b528b' or 'rgb(59, 82, 139)' as three 0-255 integers."""
    if colour.startswith("#"):
        return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
    r, g, b = (int(float(v)) for v in colour[colour.index("(") + 1 : colour.index(")")].split(",")[:3])
    return r, g, b


def _relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG 2.1's relative luminance of sRGB colours, (..., 3) in 0-255 -> (...)."""
    c = rgb / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return np.asarray(lin @ np.array([0.2126, 0.7152, 0.0722]))


def cell_text_colours(z: np.ndarray, colorscale: Sequence[Sequence[object]], zmin: float, zmax: float) -> np.ndarray:
    """Black or white per cell, whichever contrasts more with the cell's colour (at least 4.58:1, WCAG AA).

    plotly's own choice (white on any "dark" cell) put white on Viridis's teal at about 3.8:1. The
    cell's colour is the colour scale interpolated in sRGB, as plotly.js draws it.
    """
    stops = np.array([float(str(p)) for p, _ in colorscale])
    rgb = np.array([_hex_rgb(str(c)) for _, c in colorscale], dtype=np.float64)  # (stops, 3)
    t = np.clip((np.nan_to_num(z, nan=zmin) - zmin) / (zmax - zmin), 0.0, 1.0)
    cells = np.stack([np.interp(t, stops, rgb[:, k]) for k in range(3)], axis=-1)
    lum = _relative_luminance(cells)
    # Contrast with black is (L + 0.05) / 0.05, with white 1.05 / (L + 0.05): black wins above L ≈ 0.179.
    return np.where((lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05), DARK_TEXT, LIGHT_TEXT)


CHAR_WIDTH = 0.62  # a digit's width in plotly's default font, as a fraction of the font size
LABEL_CHARS = 10  # longer tick labels are cut to this many characters ("inteligen…"); hover keeps them whole


def cell_text_plan(
    n: int, width: int, height: int, label_px: float, show_scale: bool, scale: float = 1.0
) -> tuple[int, str] | None:
    """The largest font (and decimals) at which every cell's value fits its cell, or None for no text.

    `width` and `height` are the figure's size in px. Values overlapped (".1984.2030.1929") when
    cells were narrower than their digits; then 2 decimals are tried, then no text at all.
    """
    plot_w = width - label_px - (80 if show_scale else 0) - 30  # y tick labels, colour bar, margins
    plot_h = height - 150  # title, key axis on top, margins
    cell_w, cell_h = plot_w / n, plot_h / n
    # Scaled up (presenter mode), nothing below 16 px: on a projector 2 decimals that can be read beat 4
    # that cannot (the hover and the step's tables keep 4).
    smallest = 16 if scale > 1 else 0
    for decimals in (4, 2):
        chars = decimals + 2  # "0.1984", "0.20"
        for size in (round(base * scale) for base in (16, 14, 12, 11, 10) if round(base * scale) >= smallest):
            if CHAR_WIDTH * size * chars + 6 <= cell_w and size + 4 <= cell_h:
                return size, f".{decimals}f"
    return None


def short_label(label: str) -> str:
    """A tick label cut to LABEL_CHARS characters."""
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


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
    width: int = 900,
    scale: float = 1.0,
) -> go.Figure:
    """The α matrix: queries as rows (top to bottom), keys as columns; hover shows score, logit, α.

    Masked cells (logit −∞) are drawn grey and labelled, not as a zero weight. `cell_text=False`
    and `show_scale=False` make a small multiple (one of several heads side by side). `width` is
    about how many px the figure gets (ui.controls.Controls.width, divided among side-by-side
    charts): cell values are printed only at a size where they fit their cells, every token keeps
    its tick label (cut short, and turned upright on the key axis, when space is tight). An empty
    `title` leaves the figure without one (a phone's page prints it above the chart, where it wraps).
    """
    n = weights.shape[0]
    labels = unique_labels(tokens)  # category axes: a repeated word keeps its own row
    # Above CELL_TEXT_MAX a small multiple may drop score and logit from its hover (`hover_light`, a
    # template naming query, key and α): the n×n×2 hover array is most of a large figure's bytes.
    light = hover_light is not None and n > CELL_TEXT_MAX
    custom = None if light else hover_data(np.stack([scores, logits], axis=-1))  # (n, n, 2)
    masked = np.isneginf(logits)
    any_masked = bool(masked.any())
    side = height or min(760, 140 + 44 * n)
    phone = width < 500
    ticktext = [short_label(s) for s in labels] if phone or n > 16 else labels
    tick_size = round((14 if n <= 8 else max(7, min(12, int((side - 150) / n) - 2))) * scale)
    label_px = CHAR_WIDTH * tick_size * max(len(s) for s in ticktext) + 12
    plan = cell_text_plan(n, width, side, label_px, show_scale, scale) if cell_text and n <= CELL_TEXT_MAX else None
    text_on = plan is not None
    masked_label = masked_text
    if plan is not None:  # the word only where it fits its cell ("enmascarada" is long); else the logit, −∞
        cell_w = (width - label_px - (80 if show_scale else 0) - 30) / n
        if CHAR_WIDTH * plan[0] * len(masked_text) + 6 > cell_w:
            masked_label = "−∞"
    heat: dict[str, object] = {
        "type": "heatmap",
        "z": _colour_values(np.where(masked, np.nan, weights) if any_masked else weights),
        "x": labels,
        "y": labels,
        "zmin": 0.0,
        "zmax": 1.0,  # one fixed 0..1 range: a colour means the same α in every chart, and a flat row looks flat
        "colorscale": SEQUENTIAL_STOPS,
        "showscale": show_scale,
        "colorbar": {
            "title": {"text": colorbar_title, "font": {"color": AXIS_TEXT, "size": round(14 * scale)}},
            "tickfont": {"color": AXIS_TEXT, "size": round(12 * scale)},
        },
        "hovertemplate": hover_light if light else hover,
        "hoverongaps": False,
        "xgap": 1 if n <= 64 else 0,
        "ygap": 1 if n <= 64 else 0,
    }
    if custom is not None:
        heat["customdata"] = custom
    # Every token labelled (plotly skipped every other one from 12 words on), upright on the key
    # axis when the labels would not fit side by side.
    ticks: dict[str, object] = {"type": "category", "tickmode": "array", "tickvals": labels, "ticktext": ticktext}
    ticks["tickfont"] = {"size": tick_size, "color": AXIS_TEXT}
    upright = (width - label_px - 110) / n < CHAR_WIDTH * tick_size * max(len(s) for s in ticktext) + 4
    traces = [heat]
    if any_masked:
        grey: dict[str, object] = {
            "type": "heatmap",
            "z": np.where(masked, 1.0, np.nan),
            "x": labels,
            "y": labels,
            "colorscale": [[0.0, MASKED_GREY], [1.0, MASKED_GREY]],
            "showscale": False,
            "hovertemplate": masked_hover,
            "hoverongaps": False,
            "textfont": {"color": "#404040", **({"size": plan[0]} if plan is not None else {})},
            "xgap": 1 if n <= 64 else 0,
            "ygap": 1 if n <= 64 else 0,
        }
        if text_on:
            grey["text"] = np.where(masked, masked_label, "").tolist()
            grey["texttemplate"] = "%{text}"
        traces.append(grey)
    if plan is not None:
        # The values as a text layer of their own: a heatmap's text has one colour for the whole trace,
        # and no single colour is readable on every Viridis cell. No value on a masked cell.
        size, fmt = plan
        colours = cell_text_colours(weights, SEQUENTIAL_STOPS, 0.0, 1.0)
        rows, cols = np.nonzero(~masked)
        traces.append(
            {
                "type": "scatter",
                "x": [labels[j] for j in cols],
                "y": [labels[i] for i in rows],
                "text": np.char.mod(f"%{fmt}", weights[rows, cols]).tolist(),
                "mode": "text",
                "textfont": {"size": size, "color": colours[rows, cols].tolist()},
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
    top_extra = int(label_px if upright else 0)  # room for upright key labels
    # The figure is plotly's own dict, built here and handed out as is (PrebuiltFigure): no template, no validation.
    layout = {
        # Title at the very top, the key axis (on top, with its title) below it: no overlap.
        "title": {
            "text": title,
            "y": 0.995,
            "yref": "container",
            "yanchor": "top",
            "font": {"size": 15 if phone else 17, "color": AXIS_TEXT},  # scaled, it ran past a projector column
        },
        "height": side + 40 + top_extra,
        "margin": {"l": 10, "r": 10, "t": (110 if title else 80) + top_extra, "b": 10},
        "xaxis": {
            "title": {"text": key_label, "font": {"color": AXIS_TEXT, "size": round(14 * scale)}},
            "side": "top",
            "tickangle": -90 if upright else 0,
            **ticks,
        },
        "yaxis": {
            "title": {"text": query_label, "font": {"color": AXIS_TEXT, "size": round(14 * scale)}},
            "autorange": "reversed",
            **ticks,
        },
    }
    spec = {"data": traces, "layout": layout}
    convert_to_base64(spec)  # numpy arrays as plotly.js typed arrays, as Figure.to_dict() sends them
    return PrebuiltFigure(spec)
