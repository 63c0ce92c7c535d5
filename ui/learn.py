"""The training run behind "Learn the weights": its config from the state, the cache, the progress bar,
and the learned-weights mode in which the other pages show a snapshot's numbers.

The run is cached on its TrainConfig (st.cache_data, bounded), so neither a rerun nor a shared link
trains again. The training runs in a worker thread so the script thread can move a progress bar
without emitting Streamlit elements inside the cached function (a cache hit would replay them).
"""

from __future__ import annotations

import math
import threading
from typing import Any

import plotly.graph_objects as go
import streamlit as st

import attention_core as ac
from attention_core import training as tr

from . import learn_view as lv
from .heatmap import PrebuiltFigure
from .i18n import translate
from .text import md_escape

# About 30 snapshots whatever the number of steps: enough to scrub, a small animation payload.
FRAMES = 30
RUN_CACHE_ENTRIES = 16  # a run is ~0.3 MB pickled at the UI's largest settings
FIGURE_CACHE_ENTRIES = 256  # ~31 steps × a few heads, languages and runs; a figure is ~50 KB
TRAIN_KEYS = ("tr_task", "tr_heads", "tr_dk", "tr_pos", "tr_scaled", "tr_causal", "tr_steps", "tr_lr", "tr_seed")


def snapshot_every(steps: int) -> int:
    """Snapshot spacing giving about FRAMES snapshots."""
    return max(1, math.ceil(steps / FRAMES))


def train_config(state: dict[str, Any], **override: Any) -> ac.TrainConfig:
    """The TrainConfig the state's tr_* values describe (validated by TrainConfig itself)."""
    values = {
        "task": state["tr_task"],
        "n_heads": int(state["tr_heads"]),
        "d_k": int(state["tr_dk"]),
        "positional": state["tr_pos"],
        "scaled": bool(state["tr_scaled"]),
        "causal": bool(state["tr_causal"]),
        "steps": int(state["tr_steps"]),
        "lr": float(state["tr_lr"]),
        "seed": int(state["tr_seed"]),
    }
    values.update(override)
    values["snapshot_every"] = snapshot_every(values["steps"])
    return ac.TrainConfig(**values)


@st.cache_data(max_entries=RUN_CACHE_ENTRIES, show_spinner=False)
def cached_run(cfg: ac.TrainConfig, _progress: Any = None) -> ac.TrainingRun:
    """train(cfg), cached on the config; `_progress` (not hashed) sees each step."""
    return ac.train(cfg, progress=_progress)


def trained(cfg: ac.TrainConfig, lang: str) -> ac.TrainingRun:
    """The run for `cfg`: from the cache at once, or trained with a progress bar."""
    seen = {"step": 0}
    result: dict[str, Any] = {}

    def work() -> None:
        try:
            result["run"] = cached_run(cfg, _progress=lambda step, _steps: seen.__setitem__("step", step))
        except BaseException as err:  # re-raised in the script thread
            result["error"] = err

    worker = threading.Thread(target=work, name="train", daemon=True)
    worker.start()
    worker.join(0.05)  # a cache hit is back by now: no progress bar flashes
    if worker.is_alive():
        bar = st.progress(0.0, text=translate(lang, "learn.training", step=0, steps=cfg.steps))
        while worker.is_alive():
            worker.join(0.1)
            step = seen["step"]
            bar.progress(step / cfg.steps, text=translate(lang, "learn.training", step=step, steps=cfg.steps))
        bar.empty()
    if "error" in result:
        raise result["error"]
    run: ac.TrainingRun = result["run"]
    return run


@st.cache_resource(max_entries=FIGURE_CACHE_ENTRIES, show_spinner=False)
def _base_specs(
    cfg: ac.TrainConfig, head: int, lang: str, _run: ac.TrainingRun
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The animation, curves and Q·Kᵀ figures at the last step, as validated dicts, built once per run,
    head and language and shared by every session (never mutate them)."""

    def t(msg: str, /, **values: Any) -> str:
        return translate(lang, msg, **values)

    last = _run.snapshots[-1].step
    labels = ac.unique_labels(tr.token_labels(_run.probe))
    scores = ac.query_key_scores(_run, last)[head]
    return (
        lv.alpha_animation(_run, head, last, t).to_dict(),
        lv.curves(_run, last, t).to_dict(),
        lv.scores_figure(scores, labels, t, t("learn.qk_chart", step=last)).to_dict(),
    )


def step_figures(
    cfg: ac.TrainConfig, head: int, step: int, lang: str, run: ac.TrainingRun, scores: Any
) -> tuple[go.Figure, go.Figure, go.Figure]:
    """The animation, the curves and Q·Kᵀ (`scores`) at `step`: the run's figures with a few values
    replaced, so a slider move builds no plotly object (that was most of its cost)."""
    anim, curves, qk = _base_specs(cfg, head, lang, _run=run)
    return (
        PrebuiltFigure(lv.animation_at(anim, run, head, step)),
        PrebuiltFigure(lv.curves_at(curves, run, step, translate(lang, "learn.marker", step=step))),
        PrebuiltFigure(lv.scores_at(qk, scores, translate(lang, "learn.qk_chart", step=step))),
    )


@st.cache_resource(max_entries=FIGURE_CACHE_ENTRIES, show_spinner=False)
def pair_figures(cfg: ac.TrainConfig, head: int, lang: str, _run: ac.TrainingRun) -> tuple[go.Figure, go.Figure]:
    """α at step 0 and at the last step for one head of the run of `cfg`, built once and shared (never
    mutate them). Two figures, so that on a phone the page's columns stack them one above the other."""

    def t(msg: str, /, **values: Any) -> str:
        return translate(lang, msg, **values)

    last = _run.snapshots[-1].step
    return PrebuiltFigure(lv.alpha_at(_run, head, 0, t).to_dict()), PrebuiltFigure(
        lv.alpha_at(_run, head, last, t).to_dict()
    )


def shown_step(run: ac.TrainingRun, wanted: int) -> int:
    """The snapshot step to show for the state's tr_step (-1 or past the end: the last)."""
    steps = [s.step for s in run.snapshots]
    if wanted < 0 or wanted >= steps[-1]:
        return steps[-1]
    return min(steps, key=lambda s: (abs(s - wanted), s))


def learned_config(run_cfg: ac.TrainConfig, seed: int, d_ff: int) -> dict[str, Any]:
    """The sidebar's config values that describe a trained model's trace (the probe as the sentence)."""
    return {
        "sentence": " ".join(tr.token_labels(tr.probe_tokens(run_cfg))),
        "d_model": run_cfg.d_model,
        "d_k": run_cfg.d_k,
        "d_v": run_cfg.d_v,
        "n_heads": run_cfg.n_heads,
        "positional": run_cfg.positional,
        "scaled": run_cfg.scaled,
        "causal": run_cfg.causal,
        "temperature": 1.0,
        "seed": seed,
        "d_ff": d_ff,
    }


def sync_learned(state: dict[str, Any]) -> ac.TrainConfig | None:
    """In learned mode, set the config controls to the trained model's and return its TrainConfig.

    Called before the sidebar is drawn, so the sidebar shows the numbers the pages use. Changing
    any of those controls leaves learned mode (ui.state._sync).
    """
    if not state.get("learned"):
        return None
    try:
        cfg = train_config(state)
    except (ValueError, TypeError):
        state["learned"] = False
        return None
    state.update(learned_config(cfg, int(state["seed"]), int(state["d_ff"])))
    return cfg


# Pages whose other parts recompute from the config's seeded weights (variants, the encoder block, the
# editors), so only part of what they show is learned: the note says so.
PARTLY_LEARNED = ("multihead", "encoder", "edit")


def learned_trace(cfg: ac.TrainConfig, state: dict[str, Any], lang: str, page: str = "home") -> ac.AttentionTrace:
    """The probe's trace under the weights of the state's training step, with a note saying so."""
    run = trained(cfg, lang)
    step = shown_step(run, int(state["tr_step"]))
    task = translate(lang, f"task.{cfg.task}.name")
    text = translate(lang, "learn.banner", step=step, task=md_escape(task))
    if page in PARTLY_LEARNED:
        text += " " + translate(lang, "learn.banner_partial")
    st.info(text, icon=":material/school:")
    if st.button(translate(lang, "learn.banner_off"), key="learned_off"):
        state["learned"] = False
        st.rerun()
    return ac.snapshot_trace(run, step)
