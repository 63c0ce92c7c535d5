"""The home page's seven steps, each a function drawing one part of the notebook's walk-through.

Presenter mode shows them one at a time; the home page shows them all. UI only: every number
comes from the trace (attention_core); this module formats and lays it out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st

import attention_core as ac

from .controls import Controls, view_selectbox
from .heatmap import attention_heatmap
from .tables import array_table, show, unique_labels
from .text import md_escape, stacked

NEURON_COLUMNS = 8  # q⊙k columns shown in the per-word table; wider d_k is summarised in a caption


@dataclass(frozen=True)
class View:
    """What every step draws from: the controls, the trace and the head being shown (0-based)."""

    ctrl: Controls
    trace: ac.AttentionTrace
    head: int

    @property
    def rows(self) -> list[str]:
        return unique_labels(self.trace.tokens)

    @property
    def head_tag(self) -> str:
        return self.ctrl.t("head.tag", head=self.head + 1) if self.trace.n_heads > 1 else ""


def _header(view: View, number: int, key: str, more: str = "") -> None:
    """The step's heading and its explanation; `more` is markdown that follows it in the same element
    (a paragraph of its own: one message fewer per full rerun, drawn the same)."""
    tag = view.head_tag if number >= 3 else ""  # tokens, embeddings and positions are shared by all heads
    st.header(f"{number}. {view.ctrl.t(f'step{number}.title')}{tag}", anchor=f"step-{number}")
    st.markdown(
        view.ctrl.t(
            key + ".explain",
            d_model=view.trace.d_model,
            d_k=view.trace.d_k,
            d_v=view.trace.d_v,
            seed=view.ctrl.config.seed,
            n=view.trace.n_tokens,
            h=view.trace.n_heads,
            weight_scale=view.ctrl.num(view.ctrl.config.weight_scale, None),
        )
        + (f"\n\n{more}" if more else "")
    )


def step_tokens(view: View) -> None:
    tokens = " · ".join(f"**{md_escape(tok, 40)}**" for tok in view.trace.tokens[:64])
    _header(view, 1, "step1", tokens + (" …" if view.trace.n_tokens > 64 else ""))
    st.latex(r"e_t = \mathrm{Embedding}(w_t) \in \mathbb{R}^{d_{model}}")
    show(array_table(view.trace.embeddings, view.rows, "d"), view.ctrl.lang, key="t_embeddings")


def step_positions(view: View) -> None:
    used = view.trace.positional_used
    scheme = view.ctrl.t(f"step2.scheme.{used.scheme}")
    plain = used.reason is None and used.scheme != "sinusoidal"  # nothing drawn between explanation and scheme
    _header(view, 2, "step2", scheme if plain else "")
    if used.reason is not None:
        st.info(
            view.ctrl.t("step2.fallback", d_model=view.trace.d_model, n=view.trace.n_tokens), icon=":material/info:"
        )
    if used.scheme == "sinusoidal":
        st.latex(
            stacked(
                r"p_{t,2k} = \sin\!\left(t / 10000^{2k/d_{model}}\right),\quad"
                r" p_{t,2k+1} = \cos\!\left(t / 10000^{2k/d_{model}}\right)"
            )
        )
    if not plain:
        st.markdown(scheme)
    st.latex(r"x_t = e_t + p_t \qquad X = E + P")
    # Side by side only while both tables fit their half without a horizontal scroll bar.
    # (Not in presenter mode: its larger type needs the whole width.)
    side_by_side = view.trace.d_model <= 5 and not view.ctrl.state.get("present")
    left, right = st.columns(2) if side_by_side else (st.container(), st.container())
    with left:
        st.markdown(f"**P** — {view.ctrl.t('step2.p')}")
        show(array_table(view.trace.positions, view.rows, "d"), view.ctrl.lang, key="t_positions")
    with right:
        st.markdown(f"**X = E + P** — {view.ctrl.t('step2.x')}")
        show(array_table(view.trace.x, view.rows, "d"), view.ctrl.lang, key="t_x")


def three_tables(
    view: View,
    mats: tuple[np.ndarray, np.ndarray, np.ndarray],
    rows: list[str],
    names: tuple[str, str, str],
    prefixes: tuple[str, str, str],
    key: str,
    index: str = "dim",
) -> None:
    # Side by side while narrow; one under another in presenter mode, whose larger type needs the width.
    side_by_side = max(m.shape[1] for m in mats) <= 4 and not view.ctrl.state.get("present")
    cols = st.columns(3) if side_by_side else (st.container(),) * 3
    for col, mat, name, prefix in zip(cols, mats, names, prefixes, strict=True):
        with col:
            st.markdown(f"**{name}** · {mat.shape[0]}×{mat.shape[1]}")
            show(array_table(mat, rows, prefix), view.ctrl.lang, key=f"{key}_{prefix}", index=index)


def step_weights(view: View) -> None:
    _header(view, 3, "step3")
    st.latex(stacked(r"W_Q, W_K \in \mathbb{R}^{d_{model}\times d_k},\quad W_V \in \mathbb{R}^{d_{model}\times d_v}"))
    h = view.head
    rows = [f"d{i + 1}" for i in range(view.trace.d_model)]
    three_tables(
        view,
        (view.trace.w_q[h], view.trace.w_k[h], view.trace.w_v[h]),
        rows,
        ("W_Q", "W_K", "W_V"),
        ("q", "k", "v"),
        "t_w",
    )


def step_qkv(view: View) -> None:
    _header(view, 4, "step4")
    st.latex(QKV_FORMULA)
    h = view.head
    three_tables(
        view,
        (view.trace.q[h], view.trace.k[h], view.trace.v[h]),
        view.rows,
        ("Q", "K", "V"),
        ("q", "k", "v"),
        "t_qkv",
        index="word",  # Q, K and V have a row per word (W_Q, W_K and W_V one per dimension)
    )


# Per token and as matrices, one short line each: narrow enough for a phone.
QKV_FORMULA = (
    r"\begin{gathered}(q_t,\ k_t,\ v_t) = (x_t W_Q,\ x_t W_K,\ x_t W_V) \\"
    r" (Q,\ K,\ V) = (X W_Q,\ X W_K,\ X W_V)\end{gathered}"
)


def alpha_formula(trace: ac.AttentionTrace, matrix: bool = False) -> str:
    """The α formula as configured: scaling, temperature and mask shown only when they apply."""
    if matrix:
        inner = r"Q K^\top"
        if trace.scaled:
            inner = rf"\frac{{{inner}}}{{\sqrt{{d_k}}}}"
        if trace.temperature != 1.0:
            inner = rf"\frac{{1}}{{T}}{inner}"
        mask = r" + M,\quad M_{ts} = -\infty \text{ for } s > t" if trace.causal else ""
        return rf"\alpha = \mathrm{{softmax}}\left({inner}{mask}\right)"
    inner = r"q_t \cdot k_s"
    if trace.scaled:
        inner = rf"\frac{{{inner}}}{{\sqrt{{d_k}}}}"
    if trace.temperature != 1.0:
        inner = rf"\frac{{1}}{{T}}{inner}" if trace.scaled else rf"\frac{{1}}{{T}}\,{inner}"
    mask = r",\quad \ell_{ts} = -\infty \text{ for } s > t" if trace.causal else ""
    return stacked(rf"\alpha_{{ts}} = \mathrm{{softmax}}_s\left(\ell_{{ts}}\right),\quad \ell_{{ts}} = {inner}{mask}")


PRESENTER_SCALE = 1.3  # presenter mode: cell values and axis labels grow with the rest of the type
PRESENTER_HEATMAP_HEIGHT = 400  # px: below the Previous/Next bar, step 5's heatmap fits 1024 × 768


def chart_config(ctrl: Controls) -> dict[str, object]:
    """Plotly's options: no logo; on a phone no mode bar either, which covered the title and axis label."""
    return {"displaylogo": False, "displayModeBar": False} if ctrl.phone else {"displaylogo": False}


def heatmap(
    view: View,
    key: str,
    height: int | None = None,
    title: str | None = None,
    table: bool = False,
    small: bool = False,
    light: bool = False,
    columns: float = 1,
) -> None:
    """The α heatmap for the view's head, with its hover, a caption, and optionally its numbers in a table."""
    t, h = view.ctrl.t, view.head
    full_title = title or t("heatmap.title") + view.head_tag
    if view.ctrl.state.get("present") and height is None:
        height = PRESENTER_HEATMAP_HEIGHT
    if view.ctrl.phone:  # plotly cannot wrap a title: on a phone it ran off the screen, so it goes above the chart
        st.markdown(f"**{full_title}**")
    fig = attention_heatmap(
        view.trace.weights[h],
        view.trace.scores[h],
        view.trace.logits[h],
        view.trace.tokens,
        title="" if view.ctrl.phone else full_title,
        query_label=t("heatmap.queries"),
        key_label=t("heatmap.keys"),
        hover=t("heatmap.hover"),
        height=height,
        masked_text=t("heatmap.masked"),
        masked_hover=t("heatmap.masked_hover"),
        cell_text=not small,
        show_scale=not small,
        hover_light=t("heatmap.hover_light") if light else None,
        # Side-by-side columns share the width; on a phone Streamlit stacks them, each full width.
        width=view.ctrl.width if view.ctrl.phone else int(view.ctrl.width / columns),
        scale=PRESENTER_SCALE if view.ctrl.state.get("present") else 1.0,
    )
    st.plotly_chart(fig, key=key, config=chart_config(view.ctrl))
    st.caption(t("heatmap.caption", n=view.trace.n_tokens) + (" " + t("heatmap.caption_table") if table else ""))
    # A toggle, not an expander: a closed expander's table would still be built and sent every rerun.
    if table and st.toggle(t("heatmap.as_table"), key=f"{key}_show_table"):
        show(array_table(view.trace.weights[h], view.rows, view.rows), view.ctrl.lang, key=f"{key}_table")


def step_alpha(view: View) -> None:
    if view.ctrl.state.get("present") and not view.ctrl.phone:
        # On a projector (1024 × 768) the text above pushed the heatmap below the fold: side by side.
        text_col, chart_col = st.columns([2, 3])
        with text_col:
            _header(view, 5, "step5")
            st.latex(alpha_formula(view.trace))
            alpha_callout(view)
        with chart_col:
            heatmap(view, key="heatmap", columns=5 / 3)  # the chart's column is 3/5 of the width
    else:
        _header(view, 5, "step5")
        st.latex(alpha_formula(view.trace))
        heatmap(view, key="heatmap")
        alpha_callout(view)
    if st.toggle(view.ctrl.t("step5.tables"), key="step5_tables"):  # built only when asked for
        h = view.head
        st.markdown(f"**{view.ctrl.t('table.scores')}**")
        show(array_table(view.trace.scores[h], view.rows, view.rows), view.ctrl.lang, key="t_scores")
        st.markdown(f"**{view.ctrl.t('table.alpha')}**")
        show(array_table(view.trace.weights[h], view.rows, view.rows), view.ctrl.lang, key="t_alpha")


def alpha_callout(view: View) -> None:
    """Why the α of a row are so alike (or not): the logits' range decides the largest ratio α_max / α_min."""
    lo, hi, ratio = ac.alpha_spread(view.trace, view.head)
    n, num = view.trace.n_tokens, view.ctrl.num
    values = {"lo": num(lo), "hi": num(hi), "ratio": num(ratio, 2), "uniform": num(1 / n, 2)}
    if ratio < 2:
        st.info(view.ctrl.t("step5.flat", **values), icon=":material/help:")
    elif ratio < 1e4:
        st.caption(view.ctrl.t("step5.spread", **values))


@st.fragment  # picking another word reruns this step alone (ui/home.py)
def step_word(view: View) -> None:
    _header(view, 6, "step6")
    t, trace = view.ctrl.t, view.trace
    rows = view.rows
    i = pick_word(view.ctrl, rows)
    ex = ac.explain_token(trace, i, view.head)
    st.latex(
        rf"q_{{{i + 1}}} \cdot k_s = \sum_k q_{{{i + 1},k}}\, k_{{s,k}},\qquad"
        rf" z_{{{i + 1}}} = \sum_s \alpha_{{{i + 1}s}}\, v_s"
    )
    st.markdown(t("step6.neuron", token=md_escape(trace.tokens[i], 40)))
    d_k_shown = min(trace.d_k, NEURON_COLUMNS)
    cols = [f"q{k + 1}·k{k + 1}" for k in range(d_k_shown)]
    cols += [t("step6.dot"), t("step6.logit"), "α"] + [f"α·v{j + 1}" for j in range(trace.d_v)]
    body = np.column_stack([ex.products[:, :d_k_shown], ex.dots, ex.logits, ex.weights, ex.terms])
    show(array_table(body, rows, cols), view.ctrl.lang, key="t_word")
    if trace.d_k > d_k_shown:
        st.caption(t("step6.neuron_more", shown=d_k_shown, d_k=trace.d_k))
    st.markdown(f"**{t('step6.sum')}**")
    total = np.concatenate([[ex.weight_sum], ex.output])[None, :]  # (1, 1 + d_v)
    show(
        array_table(total, [f"Σ · {rows[i]}"], ["Σ α", *[f"z{j + 1}" for j in range(trace.d_v)]]),
        view.ctrl.lang,
        key="t_word_sum",
    )
    fmt = " ".join(f"{x:.4f}" for x in ex.weights[:16]) + (" …" if trace.n_tokens > 16 else "")
    out = " ".join(f"{x:.4f}" for x in ex.output[:16]) + (" …" if trace.d_v > 16 else "")
    st.markdown(t("step6.summary", token=md_escape(trace.tokens[i], 40), alphas=fmt, output=out))


def step_output(view: View) -> None:
    _header(view, 7, "step7")
    trace, t = view.trace, view.ctrl.t
    st.info(t("names.scores_warning"), icon=":material/priority_high:")
    if trace.w_o is None:
        st.latex(r"Z = \alpha V \in \mathbb{R}^{n \times d_v}")
        show(array_table(trace.output, view.rows, "z"), view.ctrl.lang, key="t_output")
        return
    st.latex(r"\mathrm{MultiHead}(X) = \mathrm{Concat}(Z^{(1)},\dots,Z^{(h)})\, W_O")
    st.markdown(f"**{t('step7.head_out')}**" + view.head_tag)
    show(array_table(trace.head_outputs[view.head], view.rows, "z"), view.ctrl.lang, key="t_head_out")
    concat_wo_output(view.ctrl, trace, view.rows, "t")


def concat_wo_output(ctrl: Controls, trace: ac.AttentionTrace, rows: list[str], key: str) -> None:
    """The end of multi-head attention as three tables: the heads side by side, W_O, the output.

    The home page's last step and the multi-head page both draw it; `key` prefixes the tables' keys.
    """
    assert trace.w_o is not None, "only with several heads"
    t = ctrl.t
    st.markdown(f"**{t('step7.concat')}** · {trace.n_tokens}×{trace.n_heads * trace.d_v}")
    concat_cols = ac.concat_labels(trace.n_heads, trace.d_v)
    show(array_table(trace.concat, rows, concat_cols), ctrl.lang, key=f"{key}_concat")
    st.markdown(f"**W_O** · {trace.w_o.shape[0]}×{trace.w_o.shape[1]}")
    show(array_table(trace.w_o, concat_cols, "d"), ctrl.lang, key=f"{key}_wo", index="dim")
    st.markdown(f"**{t('step7.final')}** · {trace.n_tokens}×{trace.d_model}")
    show(array_table(trace.output, rows, "d"), ctrl.lang, key=f"{key}_output")


STEPS: tuple[Callable[[View], None], ...] = (
    step_tokens,
    step_positions,
    step_weights,
    step_qkv,
    step_alpha,
    step_word,
    step_output,
)


def pick_word(ctrl: Controls, rows: list[str], label_key: str = "step6.pick") -> int:
    """The word selector ("1. me", "2. gusta"…), shared by every page and kept in the link; returns the 0-based word."""
    word = view_selectbox(
        ctrl, "word", ctrl.t(label_key), range(1, len(rows) + 1), format_func=lambda i: f"{i}. {rows[i - 1]}"
    )
    return int(word) - 1


def pick_head(ctrl: Controls, trace: ac.AttentionTrace) -> int:
    """The head selector (only with several heads); returns the 0-based head."""
    if trace.n_heads == 1:
        return 0
    head = view_selectbox(
        ctrl,
        "head",
        ctrl.t("head.pick"),
        range(1, trace.n_heads + 1),
        format_func=lambda i: ctrl.t("head.option", head=i),
    )
    return head - 1
