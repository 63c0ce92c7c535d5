"""Learn the weights: train a small attention model on a toy task and watch α go from flat to a pattern."""

import pandas as pd
import streamlit as st

import attention_core as ac
from attention_core import training as tr
from ui import learn_view as lv
from ui.controls import refuse_choice, remember, view_widget
from ui.learn import pair_figures, shown_step, step_figures, train_config, trained
from ui.page import start
from ui.tables import frame, show
from ui.text import md_escape

ctrl, _ = start("learn.title", "learn", compute=False)
t, state, lang = ctrl.t, ctrl.state, ctrl.lang
st.markdown(t("learn.intro"))

# ---------------------------------------------------------------- controls (all in the URL)
with st.container(border=True):
    st.markdown(f"**{t('learn.settings')}**")
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        view_widget(
            ctrl, "tr_task", st.selectbox, t("learn.task"), options=ac.TASKS,
            format_func=lambda k: t(f"task.{k}.name"), help=t("learn.task_help"),
        )  # fmt: skip
        view_widget(ctrl, "tr_pos", st.selectbox, t("controls.positional"), options=("sinusoidal", "none"),
                    format_func=lambda s: t(f"positional.{s}"), help=t("learn.pos_help"))  # fmt: skip
    with c2:
        view_widget(ctrl, "tr_heads", st.number_input, t("controls.n_heads"), min_value=1, max_value=4, step=1,
                    help=t("controls.n_heads_help"))  # fmt: skip
        view_widget(ctrl, "tr_dk", st.number_input, t("controls.d_k"), min_value=1, max_value=32, step=1,
                    help=t("controls.d_k_help"))  # fmt: skip
    with c3:
        view_widget(ctrl, "tr_steps", st.number_input, t("learn.steps"), min_value=10, max_value=1000, step=10,
                    help=t("learn.steps_help"))  # fmt: skip
        view_widget(ctrl, "tr_lr", st.number_input, t("learn.lr"), min_value=0.0001, max_value=0.5, step=0.001,
                    format="%.4f", help=t("learn.lr_help"))  # fmt: skip
    with c4:
        view_widget(ctrl, "tr_seed", st.number_input, t("controls.seed"), min_value=ac.SEED_MIN,
                    max_value=ac.SEED_MAX, step=1, help=t("learn.seed_help"))  # fmt: skip
        view_widget(ctrl, "tr_scaled", st.toggle, t("controls.scaled"), help=t("controls.scaled_help"))
        view_widget(ctrl, "tr_causal", st.toggle, t("controls.causal"), help=t("controls.causal_help"))
    st.markdown(t(f"task.{state['tr_task']}.desc"))

try:
    cfg = train_config(state)
except (ValueError, TypeError) as err:  # the URL parsing keeps values in range; this is a last guard
    st.error(t("error.config", message=md_escape(str(err), 200)))
    st.stop()
run = trained(cfg, lang)
labels = ac.unique_labels(tr.token_labels(run.probe))
n, h = cfg.seq_len, cfg.n_heads

m1, m2, m3 = st.columns(3)
m1.metric(t("learn.eval"), f"{run.eval_accuracy:.1%}", help=t("learn.eval_help"))
m2.metric(t("learn.final_loss"), f"{float(run.losses[-1]):.4f}")
m3.metric(t("learn.chance_metric"), f"{1 / cfg.vocab_size:.0%}")
st.markdown(t("learn.probe", probe=" ".join(labels)))

# ---------------------------------------------------------------- the step and the head
snap_steps = [s.step for s in run.snapshots]
step = shown_step(run, int(state["tr_step"]))


def _set_step() -> None:
    chosen = int(st.session_state["tr_step_slider"])
    state["tr_step"] = -1 if chosen == snap_steps[-1] else chosen


st.session_state["tr_step_slider"] = step
st.select_slider(
    t("learn.step_slider"), options=snap_steps, key="tr_step_slider", on_change=_set_step, help=t("learn.step_help")
)


def _set_head(current: int, h: int) -> None:
    chosen = st.session_state["learn_head"]
    if chosen in range(1, h + 1):
        remember(ctrl, "head", int(chosen))
    else:  # a hand-made websocket message can send any label
        refuse_choice(t("head.pick"), chosen, current, lambda k: t("head.option", head=k))


head = 0
if h > 1:
    current = min(max(int(state.get("head", 1)), 1), h)
    st.session_state["learn_head"] = current
    head = (
        st.selectbox(
            t("head.pick"),
            options=list(range(1, h + 1)),
            key="learn_head",
            format_func=lambda k: t("head.option", head=k),
            on_change=_set_head,
            args=(current, h),
        )
        - 1
    )
remember(ctrl, "tr_step", state["tr_step"])

scores = ac.query_key_scores(run, step)[head]  # (n, n) q·k on the probe
anim_fig, curves_fig, qk_fig = step_figures(cfg, head, step, lang, run, scores)
left, right = st.columns([3, 2])
with left:
    st.plotly_chart(anim_fig, key="learn_anim", config={"displaylogo": False})
    st.caption(t("learn.anim_caption"))
with right:
    st.plotly_chart(curves_fig, key="learn_curves", config={"displaylogo": False})
with st.expander(t("learn.table_alpha", step=step)):
    show(frame(run.snapshot_at(step).weights[head], labels, labels), lang, key="learn_alpha_table")
with st.expander(t("learn.table_curves")):
    st.dataframe(lv.curves_table(run, t), key="learn_curves_table")

# ---------------------------------------------------------------- before and after
st.header(t("learn.before_after"))
st.markdown(t("learn.pattern", pattern=t(f"task.{cfg.task}.pattern")))
before_fig, after_fig = pair_figures(cfg, head, lang, _run=run)
b1, b2 = st.columns(2)
b1.plotly_chart(before_fig, key="learn_before", config={"displaylogo": False})
b2.plotly_chart(after_fig, key="learn_after", config={"displaylogo": False})
needed = ac.mean_needed_alpha(run.snapshots[-1].weights[head : head + 1], cfg.task)
before = ac.mean_needed_alpha(run.snapshots[0].weights[head : head + 1], cfg.task)
st.markdown(t("learn.pattern_numbers", before=f"{before:.2f}", after=f"{needed:.2f}", uniform=f"{1 / n:.2f}"))
with st.expander(t("learn.table_before_after")):
    for snap in (run.snapshots[0], run.snapshots[-1]):
        st.markdown(f"**{t('learn.at_step', step=snap.step)}**")
        show(frame(snap.weights[head], labels, labels), lang, key=f"learn_ba_table_{snap.step}")

# ---------------------------------------------------------------- what W_Q and W_K learned
st.header(t("learn.qk_title"))
st.markdown(t("learn.qk_explain"))
st.plotly_chart(qk_fig, key="learn_qk", config={"displaylogo": False})
with st.expander(t("learn.table_qk", step=step)):
    show(frame(scores, labels, labels), lang, key="learn_qk_table")

# ---------------------------------------------------------------- open in Step by step
st.header(t("learn.open_title"))
st.markdown(t("learn.open_explain", step=step))
if st.button(t("learn.open"), type="primary", icon=":material/arrow_forward:", key="learn_open"):
    state["learned"] = True
    st.switch_page("app.py")

# ---------------------------------------------------------------- the gradient through the softmax
st.header(t("learn.grad_title"))
st.latex(r"\frac{\partial \alpha_j}{\partial \ell_k} = \alpha_j\,(\delta_{jk} - \alpha_k)")
st.markdown(t("learn.grad_explain"))

# ---------------------------------------------------------------- one-click experiments
st.header(t("learn.exp_title"))
e1, e2, e3 = st.columns(3)


def _experiment(values: dict[str, object]) -> None:
    state.update(values)
    state["tr_step"] = -1


with e1:
    st.markdown(t("learn.exp_none"))
    st.button(
        t("learn.exp_none_button"), key="exp_none", width="stretch",
        on_click=_experiment, args=({"tr_task": "previous_token", "tr_pos": "none", "tr_cmp": ""},),
    )  # fmt: skip
with e2:
    st.markdown(t("learn.exp_scaled"))
    st.button(t("learn.exp_scaled_button"), key="exp_scaled", width="stretch", on_click=_experiment,
              args=({"tr_cmp": "scaled"},))  # fmt: skip
with e3:
    st.markdown(t("learn.exp_heads"))
    st.button(t("learn.exp_heads_button"), key="exp_heads", width="stretch", on_click=_experiment,
              args=({"tr_cmp": "heads"},))  # fmt: skip

if state["tr_cmp"]:
    pairs: list[tuple[str, dict[str, object]]]
    if state["tr_cmp"] == "scaled":
        pairs = [(t("learn.run_scaled"), {"scaled": True}), (t("learn.run_unscaled"), {"scaled": False})]
    else:
        pairs = [(t("learn.run_one_head"), {"n_heads": 1}), (t("learn.run_two_heads"), {"n_heads": 2})]
    runs = [(name, trained(train_config(state, **override), lang)) for name, override in pairs]
    st.markdown(t(f"learn.cmp_{state['tr_cmp']}"))
    st.plotly_chart(lv.comparison_curves(runs, t), key="learn_cmp_curves", config={"displaylogo": False})
    st.dataframe(pd.DataFrame([lv.summary_row(name, r, t) for name, r in runs]), hide_index=True, key="learn_cmp")
    cols = st.columns(len(runs))
    finals = []
    for k, (col, (name, r)) in enumerate(zip(cols, runs, strict=True)):
        with col:
            best = lv.best_head(r)
            title = t("learn.cmp_head", run=name, head=best + 1, step=r.snapshots[-1].step)
            finals.append((title, r.snapshots[-1].weights[best]))
            st.plotly_chart(lv.alpha_at(r, best, r.config.steps, t, title=title), key=f"learn_cmp_final_{k}",
                            config={"displaylogo": False})  # fmt: skip
    with st.expander(t("learn.table_cmp")):
        st.dataframe(lv.comparison_table(runs, t), key="learn_cmp_curves_table")
        for k, (title, weights) in enumerate(finals):
            st.markdown(f"**{md_escape(title, 200)}**")
            show(frame(weights, labels, labels), lang, key=f"learn_cmp_alpha_{k}")
    st.button(t("learn.cmp_close"), key="cmp_close", on_click=_experiment, args=({"tr_cmp": ""},))
