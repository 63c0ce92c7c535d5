"""The encoder page's pieces: one layer's tables per step, the step picker, the diagram beside it.

pages/4_encoder.py lays them out; the numbers come from attention_core (compute_block,
edited_encoder) through ui/compute.py, the diagram's figure from ui/encoder_view.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

import attention_core as ac

from .compute import cached_block, cached_custom_encoder
from .controls import Controls, remember, valid_choice
from .encoder_view import block_diagram, step_in_mode, steps_for
from .tables import frame, show
from .text import stacked

ALPHA_HEADS_SHOWN = 8  # α tables drawn in the attention step; more heads are summarised
SMALL_ATTENTION = 0.05  # below 5 % of ‖X‖ the attention sub-layer's output is explained as "tiny"


@dataclass(frozen=True)
class Layer:
    """What every step draws from: the controls, the layer's trace and the block's extra weights."""

    ctrl: Controls
    enc: ac.EncoderTrace
    block: ac.BlockTrace  # for W_O, W_1, W_2 (seeded, also when X, W_Q, W_K, W_V are hand-edited)
    rows: list[str]

    @property
    def post(self) -> bool:
        return not self.enc.norm_first

    @property
    def dims(self) -> dict[str, int]:
        e = self.enc
        return {"n": e.x.shape[0], "d_model": e.x.shape[1], "d_ff": e.d_ff, "hd": e.attn_concat.shape[1]}


def _shape(*shapes: tuple[int, int]) -> str:
    return " → ".join(f"{a} × {b}" for a, b in shapes)


def _table(layer: Layer, label: str, values: np.ndarray, rows: list[str], cols: str | list[str], key: str) -> None:
    st.markdown(f"**{label}** · {values.shape[0]} × {values.shape[1]}")
    show(frame(values, rows, cols), layer.ctrl.lang, key=key)


def _weights(layer: Layer, label: str, values: np.ndarray, rows: list[str], cols: str | list[str], key: str) -> None:
    """A weight matrix, folded away so that the step's result stays the prominent table."""
    with st.expander(f"{label} · {values.shape[0]} × {values.shape[1]}"):
        show(frame(values, rows, cols), layer.ctrl.lang, key=key, index="dim")


def _layer_norm(layer: Layer, ln: ac.LayerNormTrace | None, key: str, normed: str = "encoder.table.normed") -> None:
    """Mean and variance of each row, then the normalised rows and a check that they are."""
    assert ln is not None, "a mode draws only the layer norms it applies"
    t = layer.ctrl.t
    stats = np.column_stack([ln.mean, ln.var, ln.std])  # (n, 3): one column per statistic
    cols = [t("encoder.col.mean"), t("encoder.col.var"), t("encoder.col.std")]
    _table(layer, t("encoder.table.stats"), stats, layer.rows, cols, f"{key}_stats")
    _table(layer, t(normed), ln.output, layer.rows, "d", f"{key}_out")
    out_mean, var_lo, var_hi = ln.output_check()
    st.caption(
        t(
            "encoder.ln_check",
            mean=f"{out_mean:.1e}",
            var_lo=layer.ctrl.num(var_lo),
            var_hi=layer.ctrl.num(var_hi),
            eps=f"{ln.eps:g}",
        )
    )


def _attention(layer: Layer, key: str) -> None:
    t, e, b = layer.ctrl.t, layer.enc, layer.block
    n_heads = e.attn_weights.shape[0]
    d_v = e.attn_concat.shape[1] // n_heads
    concat_cols = list(ac.concat_labels(n_heads, d_v))
    st.caption(t("encoder.mha.post_same" if layer.post else "encoder.mha.pre_differs"))
    _table(layer, t("encoder.table.concat"), e.attn_concat, layer.rows, concat_cols, f"{key}_concat")
    _weights(layer, t("encoder.table.w_o"), b.w_o, concat_cols, "d", f"{key}_wo")
    _table(layer, t("encoder.table.mha"), e.attn_output, layer.rows, "d", f"{key}_mha")
    with st.expander(t("encoder.table.alpha")):
        for h in range(min(n_heads, ALPHA_HEADS_SHOWN)):
            st.markdown(f"**{t('encoder.table.alpha_head', head=h + 1)}**")
            show(frame(e.attn_weights[h], layer.rows, layer.rows), layer.ctrl.lang, key=f"{key}_alpha{h}")
        if n_heads > ALPHA_HEADS_SHOWN:
            st.caption(t("encoder.table.alpha_more", shown=ALPHA_HEADS_SHOWN, h=n_heads))


def _relu(layer: Layer, key: str) -> None:
    t, e = layer.ctrl.t, layer.enc
    _table(layer, t("encoder.table.hidden"), e.ffn_hidden, layer.rows, "f", key)
    zeroed = int(np.count_nonzero(e.ffn_pre_relu < 0))
    st.caption(t("encoder.relu_zeroed", k=zeroed, total=e.ffn_pre_relu.size))


def _ffn1(layer: Layer, key: str) -> None:
    t, e, b = layer.ctrl.t, layer.enc, layer.block
    d = layer.dims
    if d["d_ff"] <= d["d_model"]:  # the notebook's d_ff = d_model = 4 widens nothing: say so
        st.info(t("encoder.ffn_not_wider", d_ff=d["d_ff"], d_model=d["d_model"], wide=4 * d["d_model"]))
    d_rows = [f"d{i + 1}" for i in range(b.w_1.shape[0])]
    _weights(layer, t("encoder.table.w_1"), b.w_1, d_rows, "f", f"{key}_w1")
    _table(layer, t("encoder.table.pre_relu"), e.ffn_pre_relu, layer.rows, "f", f"{key}_pre")


def _ffn2(layer: Layer, key: str) -> None:
    t, e, b = layer.ctrl.t, layer.enc, layer.block
    f_rows = [f"f{i + 1}" for i in range(b.w_2.shape[0])]
    _weights(layer, t("encoder.table.w_2"), b.w_2, f_rows, "d", f"{key}_w2")
    _table(layer, t("encoder.table.ffn_out"), e.ffn_output, layer.rows, "d", f"{key}_ffn")


def _sum(values: Callable[[Layer], np.ndarray], label: str, output_in: str = "") -> Callable[[Layer, str], None]:
    """A residual sum's table; labelled as the layer's output in the mode (`output_in`) where it is."""

    def draw(layer: Layer, key: str) -> None:
        is_output = output_in == ("post" if layer.post else "pre")
        _table(layer, layer.ctrl.t("encoder.table.output" if is_output else label), values(layer), layer.rows, "d", key)
        if label == "encoder.table.sum1":
            _attention_size(layer)

    return draw


def _attention_size(layer: Layer) -> None:
    """How much the attention sub-layer adds to X: with weights ×0.1 about 0.1 %, so Y ≈ LN(X)."""
    share = ac.relative_size(layer.enc.attn_output, layer.enc.x)
    ctrl = layer.ctrl
    values = {"pct": ctrl.num(100 * share, 2), "weight_scale": ctrl.num(ctrl.config.weight_scale, None)}
    if share < SMALL_ATTENTION:
        st.info(ctrl.t("encoder.small_attention", **values), icon=":material/help:")
    else:
        st.caption(ctrl.t("encoder.attention_size", **values))


# Per step: formula (Post-LN, Pre-LN), shape in symbols, the shapes in numbers, and what to draw.
FORMULAS: dict[str, tuple[str, str]] = {
    "x": (r"X = E + P \in \mathbb{R}^{n \times d_{model}}",) * 2,
    "ln_in": (
        "",
        r"\mathrm{LN}(X)_t = \frac{x_t - \mu_t}{\sqrt{\sigma_t^2 + \varepsilon}},\quad "
        r"\mu_t = \frac{1}{d_{model}} \sum_k x_{tk},\quad \sigma_t^2 = \frac{1}{d_{model}} \sum_k (x_{tk} - \mu_t)^2",
    ),
    "mha": (
        r"\mathrm{MHA}(X) = \mathrm{Concat}(Z^{(1)}, \dots, Z^{(h)})\, W_O,\quad Z^{(j)} = \alpha^{(j)} V^{(j)}",
        r"\mathrm{MHA}(\mathrm{LN}(X)) = \mathrm{Concat}(Z^{(1)}, \dots, Z^{(h)})\, W_O,\quad"
        r" Z^{(j)} = \alpha^{(j)} V^{(j)}",
    ),
    "add1": (r"X + \mathrm{MHA}(X)", r"H = X + \mathrm{MHA}(\mathrm{LN}(X))"),
    "ln1": (
        r"H = \mathrm{LN}\big(X + \mathrm{MHA}(X)\big),\quad \mathrm{LN}(z)_t = "
        r"\frac{z_t - \mu_t}{\sqrt{\sigma_t^2 + \varepsilon}}",
        r"\mathrm{LN}(H)_t = \frac{h_t - \mu_t}{\sqrt{\sigma_t^2 + \varepsilon}}",
    ),
    "ffn1": (
        r"H W_1 + b_1,\quad W_1 \in \mathbb{R}^{d_{model} \times d_{ff}}",
        r"\mathrm{LN}(H)\, W_1 + b_1,\quad W_1 \in \mathbb{R}^{d_{model} \times d_{ff}}",
    ),
    "relu": (r"\mathrm{ReLU}(u) = \max(0, u)",) * 2,
    "ffn2": (
        r"\mathrm{FFN}(H) = \max(0,\, H W_1 + b_1)\, W_2 + b_2,\quad W_2 \in \mathbb{R}^{d_{ff} \times d_{model}}",
        r"\mathrm{FFN}(\mathrm{LN}(H)) = \max(0,\, \mathrm{LN}(H) W_1 + b_1)\, W_2 + b_2",
    ),
    "add2": (r"H + \mathrm{FFN}(H)", r"Y = H + \mathrm{FFN}(\mathrm{LN}(H))"),
    "ln2": (r"Y = \mathrm{LN}\big(H + \mathrm{FFN}(H)\big)", ""),
}
SYMBOLS = {
    "x": "n × d_model",
    "ln_in": "n × d_model → n × d_model",
    "mha": "n × d_model → n × h·d_v → n × d_model",
    "add1": "n × d_model + n × d_model → n × d_model",
    "ln1": "n × d_model → n × d_model",
    "ffn1": "n × d_model → n × d_ff",
    "relu": "n × d_ff → n × d_ff",
    "ffn2": "n × d_ff → n × d_model",
    "add2": "n × d_model + n × d_model → n × d_model",
    "ln2": "n × d_model → n × d_model",
}


def _numbers(step: str, d: dict[str, int]) -> str:
    n, m, f, hd = d["n"], d["d_model"], d["d_ff"], d["hd"]
    if step == "x":
        return _shape((n, m))
    if step == "mha":
        return _shape((n, m), (n, hd), (n, m))
    if step in ("add1", "add2"):
        return f"{n} × {m} + {n} × {m} → {n} × {m}"
    return {"ffn1": _shape((n, m), (n, f)), "relu": _shape((n, f), (n, f)), "ffn2": _shape((n, f), (n, m))}.get(
        step, _shape((n, m), (n, m))
    )


def _out_shape(step: str, d: dict[str, int]) -> str:
    """The shape of the matrix a step hands on, for the diagram's arrows."""
    return f"{d['n']} × {d['d_ff'] if step in ('ffn1', 'relu') else d['d_model']}"


DRAW: dict[str, Callable[[Layer, str], None]] = {
    "x": lambda layer, key: _table(layer, layer.ctrl.t("encoder.table.x"), layer.enc.x, layer.rows, "d", key),
    "ln_in": lambda layer, key: _layer_norm(layer, layer.enc.norm_in, key),
    "mha": _attention,
    "add1": _sum(lambda layer: layer.enc.sum1, "encoder.table.sum1"),
    "ln1": lambda layer, key: _layer_norm(layer, layer.enc.norm1, key),
    "ffn1": _ffn1,
    "relu": _relu,
    "ffn2": _ffn2,
    "add2": _sum(lambda layer: layer.enc.sum2, "encoder.table.sum2", output_in="pre"),
    "ln2": lambda layer, key: _layer_norm(layer, layer.enc.norm2, key, "encoder.table.output"),
}


def step_title(layer: Layer, step: str) -> str:
    steps = steps_for(layer.enc.norm_first)
    return f"{steps.index(step) + 1}. {layer.ctrl.t(f'encoder.step.{step}.title')}"


def draw_step(layer: Layer, step: str, where: str) -> None:
    """One step: title, shape, one-line explanation, formula and its tables."""
    t, mode = layer.ctrl.t, "post" if layer.post else "pre"
    st.header(step_title(layer, step), anchor=f"{where}-{step}")
    st.markdown(t("encoder.shape", shape=_numbers(step, layer.dims), symbols=SYMBOLS[step]))
    st.markdown(t(f"encoder.step.{step}.{mode}", **layer.dims))
    st.latex(stacked(FORMULAS[step][0 if layer.post else 1]))
    DRAW[step](layer, f"enc_{where}_{step}")


def _move_enc_step(offset: int, steps: tuple[str, ...]) -> None:
    current = st.session_state.get("enc_step", steps[0])
    i = steps.index(current) if current in steps else 0
    st.session_state["enc_step"] = steps[min(max(i + offset, 0), len(steps) - 1)]


def _set_mode(state: dict[str, Any]) -> None:
    chosen = st.session_state.get("enc_mode")
    if chosen is not None:  # a segmented control can be cleared: keep the mode
        state["norm_first"] = chosen == "pre"


def mode_switch(ctrl: Controls) -> None:
    """Post-LN / Pre-LN in the page, the same state (and URL parameter) as the sidebar toggle."""
    st.session_state["enc_mode"] = "pre" if ctrl.state["norm_first"] else "post"
    st.segmented_control(
        ctrl.t("encoder.mode.label"),
        options=["post", "pre"],
        format_func=lambda m: ctrl.t(f"encoder.mode.{m}"),
        key="enc_mode",
        on_change=_set_mode,
        args=(ctrl.state,),
    )


def picker(layer: Layer) -> str:
    """The step shown beside the diagram: Previous, a select box, Next."""
    t, steps = layer.ctrl.t, steps_for(layer.enc.norm_first)
    # The widget's own value when it has one, else the link's (`enc_step`), so a link opens at its step.
    wanted = st.session_state.get("enc_step") or layer.ctrl.state.get("enc_step")
    if wanted and wanted not in steps_for(True) + steps_for(False):  # a hand-made websocket message
        valid_choice(layer.ctrl, t("encoder.pick"), wanted, steps, steps[0])  # the message; step_in_mode picks
    st.session_state["enc_step"] = step_in_mode(wanted, layer.enc.norm_first)
    i = steps.index(st.session_state["enc_step"])
    prev_col, pick_col, next_col = st.columns([2, 5, 2], vertical_alignment="bottom")
    with prev_col:
        st.button(
            t("encoder.prev"),
            key="enc_prev",
            on_click=_move_enc_step,
            args=(-1, steps),
            disabled=i == 0,
            width="stretch",
        )
    with pick_col:
        step = st.selectbox(
            t("encoder.pick"), options=list(steps), format_func=lambda s: step_title(layer, s), key="enc_step"
        )
    with next_col:
        st.button(
            t("encoder.next"),
            key="enc_next",
            on_click=_move_enc_step,
            args=(1, steps),
            disabled=i == len(steps) - 1,
            width="stretch",
            type="primary",
        )
    remember(layer.ctrl, "enc_step", "" if step == steps[0] else str(step))
    return str(step)


def diagram(layer: Layer, current: str) -> None:
    t, norm_first, d = layer.ctrl.t, layer.enc.norm_first, layer.dims
    steps = steps_for(norm_first)
    labels = {s: t(f"encoder.node.{s}") for s in (*steps, "out")}
    fig = block_diagram(
        norm_first,
        current,
        labels,
        {s: _out_shape(s, d) for s in steps},
        ffn_label=t("encoder.node.ffn"),
        residual_label=t("encoder.node.residual"),
    )
    st.plotly_chart(fig, key="enc_diagram", config={"staticPlot": True})
    st.caption(
        t(
            "encoder.diagram_caption",
            mode=t("encoder.mode.pre_short" if norm_first else "encoder.mode.post_short"),
            flow=" → ".join(labels[s] for s in (*steps, "out")),
            step=step_title(layer, current),
            d_model=d["d_model"],
            d_ff=d["d_ff"],
        )
    )


def encoder_trace(ctrl: Controls, norm_first: bool) -> tuple[ac.BlockTrace, ac.EncoderTrace]:
    """The seeded block, and its layer recomputed on the hand edits when they are in use."""
    block = cached_block(ctrl.config, norm_first)
    edits = ctrl.edits
    return block, (cached_custom_encoder(ctrl.config, edits, norm_first) if edits else block.encoder)


def present_step(layer: Layer, step: str) -> None:
    """Presenter mode: the diagram and one step, nothing else."""
    left, right = st.columns([5, 9], gap="medium")
    with right:
        draw_step(layer, step, "focus")
    with left:
        diagram(layer, step)
