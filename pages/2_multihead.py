"""Multi-head & masks: one α per head, concat and W_O, scaled against unscaled, why √d_k, the causal
mask, shuffled words, hand-designed heads, temperature. In presenter mode, one section at a time."""

import numpy as np
import streamlit as st

import attention_core as ac
from ui.charts import lines
from ui.compute import (
    cached_designed,
    cached_entropy_table,
    cached_order_check,
    cached_scaling_study,
    cached_variant,
    temperature_sweep,
)
from ui.page import start
from ui.present import present_sections
from ui.steps import View, concat_wo_output, heatmap, pick_head, pick_word
from ui.tables import frame, show
from ui.text import md_escape

TEMPERATURES = (0.25, 0.5, 1.0, 2.0, 4.0)
D_KS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
STUDY_SEEDS = 20
STUDY_MAX_TOKENS = 32  # the √d_k study is about d_k: beyond 32 tokens it only costs time
SHUFFLES = "mh_shuffles"  # this session's count of "Shuffle" clicks (session state, per user)

ctrl, trace = start("multihead.title", "multihead")


def heads() -> None:
    """1. One α heatmap per head, side by side."""
    assert trace is not None
    st.header(t("multihead.heads"))
    st.markdown(ctrl.t_n("multihead.heads_explain", trace.n_heads, d_k=trace.d_k))
    if trace.n_heads == 1:
        st.info(t("multihead.one_head"), icon=":material/info:")
    per_row = min(trace.n_heads, 4 if trace.n_tokens <= 8 else 2)
    cols = st.columns(per_row)
    side = 260 + 30 * min(trace.n_tokens, 16) if trace.n_heads > 1 else None
    for hh in range(trace.n_heads):
        with cols[hh % per_row]:
            title = t("head.option", head=hh + 1) if trace.n_heads > 1 else None
            heatmap(
                View(ctrl, trace, hh),
                key=f"mh_heat_{hh}",
                height=side,
                title=title,
                table=True,
                small=per_row > 2,
                light=True,
                columns=per_row,
            )


def concat() -> None:
    """2. Concatenation and W_O."""
    assert trace is not None
    st.header(t("multihead.concat"))
    if trace.w_o is None:
        st.markdown(t("multihead.no_wo"))
        st.latex(r"Z = \alpha V")
        st.info(t("names.scores_warning"), icon=":material/priority_high:")
        show(frame(trace.output, rows, "z"), lang, key="mh_out1")
        return
    st.latex(r"\mathrm{MultiHead}(X) = \mathrm{Concat}(Z^{(1)},\dots,Z^{(h)})\,W_O")
    concat_wo_output(ctrl, trace, rows, "mh")


def scaling() -> None:
    """3. Scaled against unscaled, with each row's entropy and its ceiling."""
    assert trace is not None
    st.header(t("multihead.scaling"))
    st.markdown(t("multihead.scaling_explain", d_k=trace.d_k))
    plain = cached_variant(cfg, edits, scaled=False)
    scaled = cached_variant(cfg, edits, scaled=True)
    left, right = st.columns(2)
    with left:
        heatmap(
            View(ctrl, plain, head), key="mh_plain", title=t("multihead.unscaled"), table=True, light=True, columns=2
        )
    with right:
        heatmap(
            View(ctrl, scaled, head), key="mh_scaled", title=t("multihead.scaled"), table=True, light=True, columns=2
        )
    st.markdown(t("multihead.entropy_explain"))
    show(
        frame(
            cached_entropy_table(cfg, edits, head),
            rows,
            [t("multihead.h_plain"), t("multihead.h_scaled"), t("multihead.h_uniform")],
        ),
        lang,
        key="mh_entropy",
    )


def dk_story() -> None:
    """4. Why divide by √d_k: the paper's argument, measured with standardised q and k."""
    assert trace is not None
    st.header(t("multihead.dk"))
    st.markdown(t("multihead.dk_explain"))
    n = min(trace.n_tokens, STUDY_MAX_TOKENS)
    d_ks = tuple(d for d in D_KS if d <= ac.D_HEAD_MAX)
    study = cached_scaling_study(n, d_ks, STUDY_SEEDS)
    st.markdown(t("multihead.dk_setting", n=n, seeds=STUDY_SEEDS, weight_scale=ctrl.num(cfg.weight_scale, None)))
    x = np.array(d_ks)
    fig = lines(
        x,
        [
            (t("multihead.unscaled"), study.entropy_unscaled),
            (t("multihead.scaled"), study.entropy_scaled),
            (t("multihead.ln_n"), study.entropy_ceiling),
        ],
        title=t("multihead.curve_title", n=n, seeds=STUDY_SEEDS),
        x_title="d_k",
        y_title=t("multihead.curve_y"),
        log_x=True,
    )
    st.plotly_chart(fig, key="mh_curve", config={"displaylogo": False})
    st.caption(t("multihead.curve_caption"))
    fig = lines(
        x,
        [
            (t("multihead.std_unscaled"), study.std_unscaled),
            (t("multihead.std_scaled"), study.std_scaled),
            (t("multihead.std_sqrt"), study.std_theory),
        ],
        title=t("multihead.std_title"),
        x_title="d_k",
        y_title=t("multihead.std_y"),
        log_x=True,
        log_y=True,
    )
    st.plotly_chart(fig, key="mh_std", config={"displaylogo": False})
    st.caption(t("multihead.std_caption"))
    show(
        frame(
            np.column_stack([study.entropy_unscaled, study.entropy_scaled, study.std_unscaled, study.std_scaled]),
            [str(d) for d in d_ks],
            [t("multihead.h_plain"), t("multihead.h_scaled"), t("multihead.std_unscaled"), t("multihead.std_scaled")],
        ),
        lang,
        key="mh_curve_table",
        index="d_k",
    )


def causal() -> None:
    """5. The causal mask, and how a padding mask differs."""
    assert trace is not None
    st.header(t("multihead.causal"))
    st.markdown(t("multihead.causal_explain"))
    masked = trace if trace.causal else cached_variant(cfg, edits, causal=True)
    heatmap(View(ctrl, masked, head), key="mh_causal", table=True, light=True)
    st.markdown(f"**{t('multihead.logits')}**")
    show(frame(masked.logits[head], rows, rows), lang, key="mh_logits")
    st.info(t("multihead.padding"), icon=":material/info:")


def _shuffle() -> None:
    st.session_state[SHUFFLES] = st.session_state.get(SHUFFLES, 0) + 1


def order() -> None:
    """6. Shuffle the words: without positions or mask, the output rows just move with their words."""
    assert trace is not None
    st.header(t("multihead.order"))
    st.markdown(t("multihead.order_explain"))
    st.button(t("multihead.shuffle"), help=t("multihead.shuffle_help"), on_click=_shuffle, key="mh_shuffle")
    positions = trace.positional_used.scheme != "none"
    check = cached_order_check(cfg, edits, st.session_state.get(SHUFFLES, 0), positions)
    bare, shuffled = check.bare, check.shuffled
    st.markdown(t("multihead.order_used", words=" · ".join(md_escape(w, 40) for w in shuffled.tokens[:64])))
    left, right = st.columns(2) if bare.output.shape[1] <= 5 else (st.container(), st.container())
    with left:
        st.markdown(f"**{t('multihead.order_before')}**")
        show(frame(bare.output, rows, "z" if bare.w_o is None else "d"), lang, key="mh_order_before")
    with right:
        st.markdown(f"**{t('multihead.order_after')}**")
        show(
            frame(shuffled.output, View(ctrl, shuffled, 0).rows, "z" if bare.w_o is None else "d"),
            lang,
            key="mh_order_after",
        )
    checks = [(t("multihead.order_none"), check.gap_bare), (t("multihead.order_causal"), check.gap_causal)]
    if check.gap_positions is not None:
        scheme = t(f"positional.{trace.positional_used.scheme}")
        checks.append((t("multihead.order_positions", scheme=scheme), check.gap_positions))
    gaps = np.array([[gap] for _, gap in checks])
    show(frame(gaps, [name for name, _ in checks], [t("multihead.order_check")]), lang, key="mh_order_gap", index="row")
    st.caption(t("multihead.order_gap_caption"))


def designed() -> None:
    """7. Hand-designed heads, one click each."""
    assert trace is not None
    st.header(t("multihead.designed"))
    st.markdown(t("multihead.designed_explain"))
    if st.session_state.get("mh_design") not in ac.DESIGNS:  # a segmented control can be cleared
        st.session_state["mh_design"] = ac.DESIGNS[0]
    design = st.segmented_control(
        t("multihead.designed"),
        options=list(ac.DESIGNS),
        format_func=lambda d: t(f"multihead.design.{d}"),
        key="mh_design",
        label_visibility="collapsed",
    )
    design = design if design in ac.DESIGNS else ac.DESIGNS[0]
    st.markdown(t(f"multihead.design.{design}_explain"))
    made = cached_designed(cfg, design)
    name = t(f"multihead.design.{design}")
    heatmap(View(ctrl, made, 0), key="mh_designed", title=t("multihead.design.title", design=name), table=True)


def temperature() -> None:
    """8. Temperature."""
    assert trace is not None
    st.header(t("multihead.temperature"))
    st.markdown(t("multihead.temperature_explain"))
    word = pick_word(ctrl, rows)
    temps = tuple(sorted(set(TEMPERATURES) | {float(trace.temperature)}))
    sweep = temperature_sweep(trace, word, temps, head)
    names = [f"T = {tt:g}" for tt in temps]
    fig = lines(
        rows,
        list(zip(names, sweep, strict=True)),
        title=t("multihead.temperature_title", token=rows[word]),
        x_title=t("heatmap.keys"),
        y_title="α",
        category_x=True,
    )
    st.plotly_chart(fig, key="mh_temp", config={"displaylogo": False})
    st.caption(t("multihead.temperature_caption"))
    show(frame(sweep, names, rows), lang, key="mh_temp_table", index="temperature")


SECTIONS = (heads, concat, scaling, dk_story, causal, order, designed, temperature)

if trace is not None:
    t, lang, cfg = ctrl.t, ctrl.lang, ctrl.config
    edits = ctrl.edits
    rows = View(ctrl, trace, 0).rows
    if ctrl.state["present"]:
        head = 0 if trace.n_heads == 1 else min(max(int(ctrl.state.get("head", 1)), 1), trace.n_heads) - 1
        present_sections(ctrl, SECTIONS)
    else:
        st.markdown(t("multihead.intro"))
        head = pick_head(ctrl, trace)
        for section in SECTIONS:
            section()
