"""AppTest tests of "Learn the weights": training, the step in the URL, open in Step by step, bad links.

Trained runs live in st.cache_data for the whole test process, so each configuration trains once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import decode, figures
from streamlit.testing.v1 import AppTest

import attention_core as ac
from ui import learn

ROOT = Path(__file__).resolve().parent.parent
LEARN = "pages/7_learn.py"


def open_learn(**params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(LEARN)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def default_run() -> ac.TrainingRun:
    """The page's default run, computed by the engine directly (an independent path to the numbers)."""
    return ac.train(ac.TrainConfig(snapshot_every=learn.snapshot_every(300)))


@pytest.fixture(scope="module")
def default_page() -> AppTest:
    return open_learn()


def _by_title(at: AppTest, text: str) -> dict[str, Any]:
    for fig in figures(at):
        title = fig.get("layout", {}).get("title", {}).get("text", "")
        if text in title:
            return fig
    raise AssertionError(f"no chart titled {text!r}")


def test_the_page_trains_and_shows_every_part(default_page: AppTest, default_run: ac.TrainingRun) -> None:
    at = default_page
    assert at.title[0].value == "Learn the weights"
    assert len(at.get("plotly_chart")) == 5  # animation, curves, before, after, Q·Kᵀ
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Held-out accuracy"] == f"{default_run.eval_accuracy:.1%}" == "100.0%"
    anim = _by_title(at, "α on the probe")
    heat = anim["data"][0]
    assert (heat["zmin"], heat["zmax"]) == (0.0, 1.0)  # the fixed colour range
    assert len(anim["frames"]) == len(default_run.snapshots) == 31
    np.testing.assert_allclose(decode(anim["frames"][0]["data"][0]["z"]), default_run.snapshots[0].weights[0])
    np.testing.assert_allclose(decode(heat["z"]), default_run.snapshots[-1].weights[0])  # the last step by default
    # The pattern the task needs is outlined: the cell left of the diagonal, in rows 1..7.
    cells = sorted((round(s["y0"] + 0.5), round(s["x0"] + 0.5)) for s in anim["layout"]["shapes"])
    assert cells == [(i, i - 1) for i in range(1, 8)]
    assert any("each position looks at the one before it" in m.value for m in at.markdown)
    assert any("∂" in latex.value or "partial" in latex.value for latex in at.latex)
    labels = {b.label for b in at.button}
    assert {"Open in Step by step", "Train without positions", "Compare scaled and unscaled"} <= labels


def test_moving_the_step_keeps_it_in_the_url_and_updates_the_numbers(default_run: ac.TrainingRun) -> None:
    at = open_learn()
    at.select_slider(key="tr_step_slider").set_value(100).run()
    assert not at.exception
    assert at.query_params["tr_step"] in ("100", ["100"])
    heat = _by_title(at, "α on the probe")["data"][0]
    np.testing.assert_allclose(decode(heat["z"]), default_run.snapshot_at(100).weights[0])
    qk = _by_title(at, "Q·Kᵀ")
    np.testing.assert_allclose(decode(qk["data"][0]["z"]), ac.query_key_scores(default_run, 100)[0], rtol=1e-12)
    curves = _by_title_missing_ok(at)
    markers = [d for d in curves["data"] if d.get("mode") == "markers"]
    assert [decode(m["x"])[0] for m in markers] == [100, 100]
    assert decode(markers[0]["y"])[0] == pytest.approx(default_run.losses[99])


def _by_title_missing_ok(at: AppTest) -> dict[str, Any]:
    """The curves figure (its title lives in the subplot titles)."""
    for fig in figures(at):
        texts = [a.get("text", "") for a in fig.get("layout", {}).get("annotations", [])]
        if "Training accuracy" in texts:
            return fig
    raise AssertionError("no curves figure")


def test_a_shared_link_reopens_the_same_step_and_task() -> None:
    at = open_learn(tr_task="reverse", tr_step="100")
    assert at.select_slider(key="tr_step_slider").value == 100
    anim = _by_title(at, "α on the probe")
    cells = sorted((round(s["y0"] + 0.5), round(s["x0"] + 0.5)) for s in anim["layout"]["shapes"])
    assert cells == [(i, 7 - i) for i in range(8)]  # the anti-diagonal
    run = ac.train(ac.TrainConfig(task="reverse", snapshot_every=10))
    np.testing.assert_allclose(decode(anim["data"][0]["z"]), run.snapshot_at(100).weights[0])


def test_open_in_step_by_step_shows_the_learned_numbers(default_run: ac.TrainingRun) -> None:
    at = open_learn(tr_step="150")
    at.button(key="learn_open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Attention, step by step"
    assert any("learned weights" in i.value and "step 150" in i.value for i in at.info)
    probe = " ".join(str(t) for t in default_run.probe)
    assert at.text_area(key="sentence").value == probe
    assert at.number_input(key="d_model").value == 16
    expected = ac.snapshot_trace(default_run, 150)
    heat = figures(at)[0]["data"][0]
    np.testing.assert_allclose(decode(heat["z"]), expected.weights[0], atol=1e-12)
    # The matrix page follows too, and its check of the matrix form passes on learned numbers.
    at.switch_page("pages/1_matrix.py").run()
    assert not at.exception
    assert any("learned weights" in i.value for i in at.info)
    np.testing.assert_allclose(decode(figures(at)[0]["data"][0]["z"]), expected.weights[0], atol=1e-12)
    # Back to the random weights: the banner goes, the seeded trace of the same config comes back.
    at.button(key="learned_off").click().run()
    assert not any("learned weights" in i.value for i in at.info)
    seeded = ac.compute(ac.AttentionConfig(sentence=probe, d_model=16, d_k=16, d_v=16, positional="sinusoidal",
                                           scaled=True, seed=23))  # fmt: skip
    np.testing.assert_allclose(decode(figures(at)[0]["data"][0]["z"]), seeded.weights[0], atol=1e-12)


def test_changing_a_sidebar_control_leaves_learned_mode() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["learned"] = "true"
    at.run()
    assert any("learned weights" in i.value for i in at.info)
    at.number_input(key="seed").set_value(5).run()
    assert not at.exception
    assert not any("learned weights" in i.value for i in at.info)
    assert "learned" not in at.query_params  # off is the default, so the link no longer carries it


@pytest.mark.parametrize(
    "params",
    [
        {"tr_task": "sorting"},
        {"tr_lr": "nan"},
        {"tr_lr": "1e309"},
        {"tr_steps": "999999"},
        {"tr_heads": "-3"},
        {"tr_step": "abc"},
        {"tr_cmp": "<script>"},
        {"tr_pos": "notebook"},
    ],
)
def test_bad_links_give_a_message_and_a_working_page(params: dict[str, str]) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in {**params, "tr_steps": params.get("tr_steps", "30")}.items():
        at.query_params[key] = value
    at.run()  # the session's first run reads the link and says what it fixed
    key = next(iter(params))
    assert any(f"**{key.replace('_', chr(92) + '_')}**" in w.value or key in w.value for w in at.warning), [
        w.value for w in at.warning
    ]
    at.switch_page(LEARN).run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("plotly_chart")) == 5


def test_experiments(default_run: ac.TrainingRun) -> None:
    at = open_learn()
    at.button(key="exp_none").click().run()
    assert not at.exception
    assert at.query_params["tr_pos"] in ("none", ["none"])
    accuracy = float(next(m.value for m in at.metric if m.label == "Held-out accuracy").rstrip("%")) / 100
    assert accuracy < 0.5  # attention without positions cannot see order
    at.button(key="exp_scaled").click().run()
    assert not at.exception
    table = _summary(at)
    assert len(table) == 2 and list(table.iloc[:, 0]) == ["Scaled by 1/√d_k", "Unscaled"]
    losses = next(d.value for d in at.dataframe if list(d.value.columns) == ["Scaled by 1/√d_k", "Unscaled"])
    unscaled = ac.train(ac.TrainConfig(task="previous_token", positional="none", scaled=False, snapshot_every=10))
    assert losses["Unscaled"].iloc[-1] == pytest.approx(unscaled.losses[-1])  # the chart's numbers, as a table
    assert len(at.get("plotly_chart")) == 5 + 3  # comparison curves and each run's final α
    at.button(key="exp_heads").click().run()
    table = _summary(at)
    assert list(table.iloc[:, 0]) == ["One head", "Two heads"]
    at.button(key="cmp_close").click().run()
    assert len(at.get("plotly_chart")) == 5


def _summary(at: AppTest) -> Any:
    return next(d.value for d in at.dataframe if "Run" in d.value.columns)


def test_before_and_after_numbers_are_in_tables(default_page: AppTest, default_run: ac.TrainingRun) -> None:
    shown = [d.value.to_numpy() for d in default_page.dataframe if d.value.shape == (8, 8)]
    for snap in (default_run.snapshots[0], default_run.snapshots[-1]):
        assert any(np.allclose(table, snap.weights[0], atol=1e-12) for table in shown), snap.step


def test_moving_the_slider_does_not_train_again(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[ac.TrainConfig] = []
    real = ac.train

    def counting(cfg: ac.TrainConfig, progress: Any = None) -> ac.TrainingRun:
        calls.append(cfg)
        return real(cfg, progress)

    monkeypatch.setattr(ac, "train", counting)
    learn.cached_run.clear()
    at = open_learn(tr_seed="11")
    assert len(calls) == 1
    at.select_slider(key="tr_step_slider").set_value(50).run()
    open_learn(tr_seed="11", tr_step="50")  # another session, a shared link
    assert len(calls) == 1


def test_spanish_page() -> None:
    at = open_learn(lang="es")
    assert at.title[0].value == "Aprender los pesos"
    assert any("cada posición mira a la anterior" in m.value for m in at.markdown)
    anim = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert anim["layout"]["updatemenus"][0]["buttons"][0]["label"] == "▶ Reproducir"


def test_pages_that_also_show_random_weights_say_so() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["learned"] = "true"
    at.run()
    assert not any("random weights" in i.value and "recompute" in i.value for i in at.info)  # home: all learned
    at.switch_page("pages/2_multihead.py").run()
    assert not at.exception
    assert any("learned weights" in i.value and "recompute from random weights" in i.value for i in at.info)
