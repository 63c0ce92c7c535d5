"""The "A trained model" page's parts: the model (once per process), cached runs, figures and views.

UI only: every number comes from attention_core.pretrained (run_model, head_patterns, head_step);
this module lays them out as the same tables and heatmaps as the random-weight pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly import colors as plotly_colors

import attention_core as ac

from .controls import Controls, remember, view_selectbox
from .heatmap import SEQUENTIAL, attention_heatmap
from .params import TRAINED_TEXT, TRAINED_TEXT_MAX_CHARS
from .tables import frame, show, unique_labels
from .text import md_escape

APP_MAX_TOKENS = 128  # the page's cap (the model's own is 512): tables and the 72 thumbnails stay light
RANDOM_SEED = 0  # the randomly initialised twin's seed
VIEWS = ("model", "head", "step", "patterns", "random")
CACHE_ENTRIES = 16
THUMB_LEVELS = 240  # model-view thumbnails travel as uint8 α·240: a quarter of float32's bytes
# The white gaps between thumbnails. Not 255: plotly's JSON escapes "/" as \u002f (6 bytes), and
# runs of 0xFF bytes are all "/" in base64; runs of 246 encode as "9vb2", which needs no escaping.
GAP_LEVEL = 246
LINE_BINS = 8  # head view: lines grouped by width, one trace per group
CELL_TEXT_MAX = 10  # α heatmaps print their digits up to this many tokens (they share the width here)


# --- the engine behind the caches ------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def trained_model() -> ac.PretrainedModel:
    """The model, loaded once per process and shared by every session (never mutated)."""
    return ac.load_model()


def random_twin() -> ac.PretrainedModel:
    """The model with randomly initialised layers (seed RANDOM_SEED). Not kept: its ~40 MB of weights
    are drawn again (~0.3 s) only when a new text's random run is not in the cache."""
    return ac.random_model(trained_model(), RANDOM_SEED)


def cached_run(text: str, random: bool = False) -> ac.ModelTrace:
    """run_model on the trained model (or its random twin), at most APP_MAX_TOKENS tokens, cached."""
    return _cached_run(text, random, str(trained_model().path))


def cached_patterns(text: str, random: bool = False) -> ac.HeadPatterns:
    """head_patterns of the cached run, cached."""
    return _cached_patterns(text, random, str(trained_model().path))


# Keyed on the model's folder too, so a process whose model changed (tests, ATTENTION_MODEL_DIR)
# never serves another model's numbers.
@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _cached_run(text: str, random: bool, model_path: str) -> ac.ModelTrace:
    model = random_twin() if random else trained_model()
    return ac.run_model(model, text, max_tokens=APP_MAX_TOKENS)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _cached_patterns(text: str, random: bool, model_path: str) -> ac.HeadPatterns:
    return ac.head_patterns(cached_run(text, random))


# --- state bound to widgets (the same pattern as ui/controls.py) -----------------------------------


def _sync(state: dict[str, Any], key: str) -> None:
    state[key] = st.session_state[f"tm_{key}"]


def bound(ctrl: Controls, key: str, widget: Callable[..., Any], label: str, **kwargs: Any) -> Any:
    """Draw `widget` showing state[key]; a change goes back into the state and the URL."""
    st.session_state[f"tm_{key}"] = ctrl.state[key]
    widget(label, key=f"tm_{key}", on_change=_sync, args=(ctrl.state, key), **kwargs)
    remember(ctrl, key, ctrl.state[key])
    return ctrl.state[key]


def valid_text(ctrl: Controls) -> str:
    """The state's text, or the default with a warning when it is blank (e.g. `?text=%20`)."""
    text = str(ctrl.state.get("text", ""))[:TRAINED_TEXT_MAX_CHARS]
    if not text.strip():
        st.warning(ctrl.t("trained.blank", default=TRAINED_TEXT), icon=":material/warning:")
        text = TRAINED_TEXT
        remember(ctrl, "text", text)
    return text


def valid_view(ctrl: Controls) -> str:
    view = str(ctrl.state.get("view", VIEWS[0]))
    if view not in VIEWS:
        view = VIEWS[0]
        ctrl.state["view"] = view
    return view


@dataclass(frozen=True)
class Focus:
    """What the views show: the trace, and the layer, head and token picked (0-based)."""

    ctrl: Controls
    model: ac.PretrainedModel
    trace: ac.ModelTrace
    text: str
    layer: int
    head: int
    word: int

    @property
    def labels(self) -> list[str]:
        return unique_labels(self.trace.tokens)

    @property
    def where(self) -> str:
        return self.ctrl.t("trained.where", layer=self.layer + 1, head=self.head + 1)


def pick_layer_head(ctrl: Controls, model: ac.PretrainedModel) -> tuple[int, int]:
    left, right = st.columns(2)
    with left:
        layer = view_selectbox(ctrl, "layer", ctrl.t("trained.layer"), range(1, model.n_layers + 1), format_func=str)
    with right:
        head = view_selectbox(ctrl, "thead", ctrl.t("trained.head"), range(1, model.n_heads + 1), format_func=str)
    return layer - 1, head - 1


def pick_word(f: Focus) -> int:
    labels = f.labels
    word = view_selectbox(
        f.ctrl,
        "tword",
        f.ctrl.t("trained.word"),
        range(1, f.trace.n_tokens + 1),
        format_func=lambda i: f"{i}. {labels[i - 1]}",
    )
    return word - 1


# --- figures ----------------------------------------------------------------------------------------


def model_view_figure(trace: ac.ModelTrace, layer: int, head: int, title: str) -> go.Figure:
    """Every layer × head as a small α thumbnail (BertViz's model view), the picked one framed.

    One heatmap of tiles, not 72 subplots: a single trace builds and draws much faster. α travels
    as uint8 (α·THUMB_LEVELS, rounded; the gaps between tiles are GAP_LEVEL, drawn white): 72 thumbnails
    at 64 tokens weigh ~0.4 MB instead of 1.6 MB as float32. The colour range is fixed (0..1).
    """
    n_layers, n_heads, n = trace.n_layers, trace.n_heads, trace.n_tokens
    gap = max(1, n // 8)
    step = n + gap
    tiles = np.full((n_layers * step - gap, n_heads * step - gap), GAP_LEVEL, dtype=np.uint8)
    levels = np.rint(trace.attentions * THUMB_LEVELS).astype(np.uint8)  # (L, h, n, n)
    for i in range(n_layers):
        for j in range(n_heads):
            tiles[i * step : i * step + n, j * step : j * step + n] = levels[i, j]
    viridis = plotly_colors.sequential.Viridis
    top = THUMB_LEVELS / GAP_LEVEL
    scale = [[k / (len(viridis) - 1) * top, c] for k, c in enumerate(viridis)] + [
        [(top + 1) / 2, "#ffffff"],
        [1.0, "#ffffff"],
    ]
    centres = [k * step + (n - 1) / 2 for k in range(max(n_layers, n_heads))]
    fig = go.Figure(
        go.Heatmap(z=tiles, zmin=0, zmax=GAP_LEVEL, colorscale=scale, showscale=False, hoverinfo="skip"),
        layout={
            "title": {"text": title},
            "height": 110 + int(880 * tiles.shape[0] / tiles.shape[1]),  # square tiles at ~900 px wide
            "margin": {"l": 10, "r": 10, "t": 90, "b": 10},
            "xaxis": {
                "side": "top",
                "tickvals": centres[:n_heads],
                "ticktext": [f"H{j + 1}" for j in range(n_heads)],
                "showgrid": False,
                "zeroline": False,
                "constrain": "domain",
            },
            "yaxis": {
                "autorange": "reversed",
                "tickvals": centres[:n_layers],
                "ticktext": [f"L{i + 1}" for i in range(n_layers)],
                "showgrid": False,
                "zeroline": False,
                "scaleanchor": "x",
                "constrain": "domain",
            },
            "plot_bgcolor": "white",
            "shapes": [
                {
                    "type": "rect",
                    "x0": head * step - 0.5 - gap / 2,
                    "x1": head * step + n - 0.5 + gap / 2,
                    "y0": layer * step - 0.5 - gap / 2,
                    "y1": layer * step + n - 0.5 + gap / 2,
                    "line": {"color": "#d55e00", "width": 3},
                }
            ],
        },
    )
    return fig


def head_lines_figure(
    weights: np.ndarray, labels: list[str], selected: int | None, title: str, hover: str
) -> go.Figure:
    """BertViz's head view: tokens on the left attend to tokens on the right, line width = α.

    The lines of the selected token are drawn strong, the others faint; lines are grouped into
    LINE_BINS widths so the figure has a handful of traces, not n² of them.
    """
    n = weights.shape[0]
    y = np.arange(n)
    traces: list[go.Scatter] = []
    edges = np.linspace(0.0, 1.0, LINE_BINS + 1)
    for strong in (False, True):
        rows = np.arange(n) if selected is None else (np.array([selected]) if strong else np.delete(y, selected))
        if strong and selected is None:
            continue
        for b in range(LINE_BINS):
            lo, hi = edges[b], edges[b + 1]
            sub = weights[rows]
            mask = (sub >= max(lo, 0.01)) & ((sub < hi) if b < LINE_BINS - 1 else (sub <= hi))
            src, dst = np.nonzero(mask)
            if src.size == 0:
                continue
            xs = np.tile(np.array([0.0, 1.0, np.nan]), src.size)
            ys = np.column_stack([rows[src], dst, np.full(src.size, np.nan)]).ravel()
            width = 1.0 + 9.0 * (lo + hi) / 2
            traces.append(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    line={"width": width, "color": "#3b528b" if strong else "#5ec962"},
                    opacity=0.9 if strong else (0.25 if selected is not None else 0.6),
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
    for x, anchor in ((0.0, "left"), (1.0, "right")):
        traces.append(
            go.Scatter(
                x=np.full(n, x),
                y=y,
                mode="markers+text",
                text=labels,
                textposition=f"middle {anchor}",
                marker={"size": 6, "color": "#404040"},
                textfont={"size": 14},
                customdata=np.arange(1, n + 1),
                hovertemplate=hover,
                showlegend=False,
            )
        )
    layout = {
        "title": {"text": title},
        "height": 120 + 26 * n,
        "margin": {"l": 10, "r": 10, "t": 60, "b": 10},
        "xaxis": {"visible": False, "range": [-0.9, 1.9], "fixedrange": True},
        "yaxis": {"visible": False, "autorange": "reversed", "fixedrange": True},
        "plot_bgcolor": "white",
    }
    return go.Figure(data=traces, layout=layout)


def alpha_heatmap(f: Focus, trace: ac.ModelTrace, keep: np.ndarray, title: str, key: str) -> None:
    """One head's α (rows `keep` and columns `keep`) with a fixed 0..1 colour range."""
    t = f.ctrl.t
    lt = trace.layers[f.layer]
    sub = np.ix_(keep, keep)
    scores = lt.scores[f.head][sub]
    fig = attention_heatmap(
        lt.weights[f.head][sub],
        scores,
        scores * lt.scale,
        [trace.tokens[i] for i in keep],
        title=title,
        query_label=t("heatmap.queries"),
        key_label=t("heatmap.keys"),
        hover=t("heatmap.hover"),
        cell_text=len(keep) <= CELL_TEXT_MAX,  # digits only while the cells are wide enough to hold them
    )
    st.plotly_chart(fig, key=key, config={"displaylogo": False})


# --- the views --------------------------------------------------------------------------------------


def show_tokens(f: Focus) -> None:
    t, trace = f.ctrl.t, f.trace
    st.markdown(f.ctrl.t_n("trained.tokens", trace.n_tokens))
    st.markdown(" · ".join(f"**{md_escape(tok, 30)}**" for tok in trace.tokens))
    if trace.truncated:
        st.warning(t("trained.truncated", n=trace.n_tokens_full, cap=trace.n_tokens), icon=":material/content_cut:")
    if any(tok.startswith("##") for tok in trace.tokens):
        st.caption(t("trained.subwords"))


def view_model(f: Focus) -> None:
    t = f.ctrl.t
    st.markdown(t("trained.model.explain", layers=f.model.n_layers, heads=f.model.n_heads))
    fig = model_view_figure(f.trace, f.layer, f.head, title=t("trained.model.title") + f.where)
    st.plotly_chart(fig, key="tm_model_view", config={"displaylogo": False})
    st.caption(t("trained.model.caption", n=f.trace.n_tokens))
    if st.button(t("trained.model.open"), key="tm_open_head", icon=":material/open_in_full:"):
        remember(f.ctrl, "view", "head")
        st.rerun()


def view_head(f: Focus) -> None:
    t, trace, state = f.ctrl.t, f.trace, f.ctrl.state
    st.markdown(t("trained.head.explain"))
    hide = bool(
        bound(f.ctrl, "no_special", st.toggle, t("trained.head.hide_special"), help=t("trained.head.hide_help"))
    )
    keep = np.flatnonzero(~trace.special) if hide and not trace.special.all() else np.arange(trace.n_tokens)
    if hide:
        st.info(t("trained.head.hidden_note"), icon=":material/visibility_off:")
    labels = unique_labels([trace.tokens[i] for i in keep])
    word = int(state["tword"]) - 1
    selected = int(np.searchsorted(keep, word)) if word in keep else None
    lt = trace.layers[f.layer]
    weights = lt.weights[f.head][np.ix_(keep, keep)]
    left, right = st.columns([3, 2])
    with left:
        alpha_heatmap(f, trace, keep, t("trained.head.heat_title") + f.where, "tm_head_heat")
    with right:
        fig = head_lines_figure(weights, labels, selected, t("trained.head.lines_title"), t("trained.head.lines_hover"))
        st.plotly_chart(fig, key="tm_head_lines", config={"displaylogo": False})
        st.caption(t("trained.head.lines_caption"))
    st.caption(t("heatmap.caption", n=len(keep)))
    if st.toggle(t("heatmap.as_table"), key="tm_head_table"):
        show(frame(weights, labels, labels), f.ctrl.lang, key="tm_head_alpha")


def view_step(f: Focus) -> None:
    t, trace, lang = f.ctrl.t, f.trace, f.ctrl.lang
    lt = trace.layers[f.layer]
    h, rows = f.head, f.labels
    d_head = trace.d_head
    st.markdown(t("trained.step.explain", d_model=f.model.d_model, d_head=d_head) + f.where)

    st.header(t("trained.step.x", layer=f.layer + 1))
    st.markdown(t("trained.step.x_explain"))
    show(frame(lt.x, rows, "d"), lang, key="tm_x")

    st.header(t("trained.step.w"))
    st.latex(r"W_Q, W_K, W_V \in \mathbb{R}^{" + f"{f.model.d_model}" + r"\times " + f"{d_head}" + "}")
    weights = f.model.layers[f.layer].head_weights(h, f.model.n_heads)
    biases = f.model.layers[f.layer].head_biases(h, f.model.n_heads)
    dims = [f"d{i + 1}" for i in range(f.model.d_model)]
    for name, w, prefix in zip(("W_Q", "W_K", "W_V"), weights, ("q", "k", "v"), strict=True):
        st.markdown(f"**{name}** · {w.shape[0]}×{w.shape[1]}")
        show(frame(w, dims, prefix), lang, key=f"tm_w_{prefix}")
    st.markdown(f"**b_Q, b_K, b_V** · 3×{d_head}")
    show(frame(np.vstack(biases), ["b_Q", "b_K", "b_V"], "j"), lang, key="tm_biases")
    st.caption(t("trained.step.bias"))

    st.header(t("trained.step.qkv"))
    st.latex(r"Q = X W_Q + b_Q,\quad K = X W_K + b_K,\quad V = X W_V + b_V")
    for name, m, prefix in (("Q", lt.q[h], "q"), ("K", lt.k[h], "k"), ("V", lt.v[h], "v")):
        st.markdown(f"**{name}** · {m.shape[0]}×{m.shape[1]}")
        show(frame(m, rows, prefix), lang, key=f"tm_{prefix}")

    st.header(t("trained.step.alpha"))
    st.latex(r"\alpha_{ij} = \mathrm{softmax}_j\!\left(\frac{q_i \cdot k_j}{\sqrt{" + str(d_head) + r"}}\right)")
    st.markdown(f"**{t('table.scores')}**")
    show(frame(lt.scores[h], rows, rows), lang, key="tm_scores")
    st.markdown(f"**{t('trained.step.logits', d_head=d_head)}**")
    show(frame(lt.scores[h] * lt.scale, rows, rows), lang, key="tm_logits")
    alpha_heatmap(f, trace, np.arange(trace.n_tokens), t("trained.head.heat_title") + f.where, "tm_step_heat")

    st.header(t("trained.step.word"))
    i = pick_word(f)
    step = ac.head_step(trace, f.layer, h, i)
    st.latex(rf"z_{{{i + 1}}} = \sum_j \alpha_{{{i + 1}j}}\, v_j")
    cols = [t("step6.dot"), t("step6.logit"), "α"] + [f"α·v{j + 1}" for j in range(d_head)]
    body = np.column_stack([step.dots, step.logits, step.weights, step.terms])  # (n, 3 + d_head)
    show(frame(body, rows, cols), lang, key="tm_word")
    st.markdown(f"**{t('step6.sum')}**")
    total = np.concatenate([[float(np.sum(step.weights))], step.output])[None, :]
    show(frame(total, [f"Σ · {rows[i]}"], ["Σ α", *[f"z{j + 1}" for j in range(d_head)]]), lang, key="tm_word_sum")
    top = np.argsort(-step.weights, kind="stable")[:3]
    st.markdown(
        t(
            "trained.step.summary",
            token=md_escape(trace.tokens[i], 30),
            top=", ".join(f"{md_escape(rows[j], 30)} ({step.weights[j]:.4f})" for j in top),
        )
    )


def view_patterns(f: Focus) -> None:
    t, lang = f.ctrl.t, f.ctrl.lang
    st.markdown(t("trained.patterns.explain"))
    pats = cached_patterns(f.text)
    names = [t(f"trained.pattern.{p}") for p in ac.PATTERNS]
    best, which = pats.best()
    tabs = st.tabs(names)
    for tab, pattern in zip(tabs, ac.PATTERNS, strict=True):
        with tab:
            st.markdown(t(f"trained.pattern.{pattern}.explain"))
            ranked = pats.ranked(pattern, top=8)
            labels = [t("trained.where_short", layer=layer + 1, head=head + 1) for layer, head, _ in ranked]
            scores = np.array([[s] for _, _, s in ranked])
            show(frame(scores, labels, [t("trained.patterns.score")]), lang, key=f"tm_rank_{pattern}")
    st.markdown(f"**{t('trained.patterns.best')}**")
    heads = [f"H{j + 1}" for j in range(f.trace.n_heads)]
    layers = [f"L{i + 1}" for i in range(f.trace.n_layers)]
    text = [[names[int(which[i, j])] for j in range(which.shape[1])] for i in range(which.shape[0])]
    fig = go.Figure(
        go.Heatmap(
            z=best,
            x=heads,
            y=layers,
            text=text,
            texttemplate="%{text}",
            textfont={"size": 10},
            zmin=0.0,
            zmax=1.0,
            colorscale=SEQUENTIAL,
            hovertemplate=t("trained.patterns.hover"),
            xgap=1,
            ygap=1,
        ),
        layout={
            "height": 120 + 48 * f.trace.n_layers,
            "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
            "yaxis": {"autorange": "reversed", "type": "category"},
            "xaxis": {"type": "category", "side": "top"},
        },
    )
    st.plotly_chart(fig, key="tm_patterns_map", config={"displaylogo": False})
    st.caption(t("trained.patterns.caption"))


def view_random(f: Focus) -> None:
    t = f.ctrl.t
    st.markdown(t("trained.random.explain", seed=RANDOM_SEED, std=f.model.initializer_range))
    rand = cached_run(f.text, random=True)
    keep = np.arange(f.trace.n_tokens)
    left, right = st.columns(2)
    with left:
        alpha_heatmap(f, f.trace, keep, t("trained.random.trained") + f.where, "tm_trained_heat")
    with right:
        alpha_heatmap(f, rand, keep, t("trained.random.random") + f.where, "tm_random_heat")
    broad_trained = cached_patterns(f.text).of("broad")
    broad_random = cached_patterns(f.text, random=True).of("broad")
    table = np.array(
        [[broad_trained[f.layer, f.head], broad_random[f.layer, f.head]], [broad_trained.mean(), broad_random.mean()]]
    )
    show(
        frame(
            table,
            [f.where.strip(" ·"), t("trained.random.all_heads")],
            [t("trained.random.trained"), t("trained.random.random")],
        ),
        f.ctrl.lang,
        key="tm_random_broad",
    )
    st.caption(t("trained.random.caption"))


VIEW_FUNCTIONS: dict[str, Callable[[Focus], None]] = {
    "model": view_model,
    "head": view_head,
    "step": view_step,
    "patterns": view_patterns,
    "random": view_random,
}
