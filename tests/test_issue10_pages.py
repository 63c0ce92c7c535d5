"""Pages against the numbers of issue 10: the weight-scale control, the fixed α colour range,
the entropy ceiling, the √d_k study, the query-aligned view and the students' questions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from test_pages import figures, heatmap_z, open_app

import attention_core as ac

ALPHA_PAGES = ["app.py", "pages/1_matrix.py", "pages/2_multihead.py"]


def alpha_heatmaps(figs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The α heatmaps: heatmaps whose colour bar (or hover) is α, not a signed matrix like P."""
    out = []
    for f in figs:
        first = f["data"][0]
        if first["type"] == "heatmap" and "α" in str(first.get("hovertemplate", "")):
            out.append(f)
    return out


def test_weight_scale_from_the_url_reaches_the_trace() -> None:
    at = open_app(None, weight_scale="0.5")
    expected = ac.compute(ac.AttentionConfig(weight_scale=0.5))
    heat = alpha_heatmaps(figures(at))[0]
    np.testing.assert_allclose(heatmap_z(heat), expected.weights[0], atol=1e-12)
    assert float(np.max(heatmap_z(heat))) == pytest.approx(0.89, abs=0.005)
    assert at.number_input(key="weight_scale").value == 0.5
    assert at.query_params["weight_scale"] == "0.5"


def test_weight_scale_widget_changes_the_trace_and_the_link() -> None:
    at = open_app(None)
    assert at.query_params["weight_scale"] == "0.1"
    at.number_input(key="weight_scale").set_value(0.3).run()
    heat = alpha_heatmaps(figures(at))[0]
    assert float(np.max(heatmap_z(heat))) == pytest.approx(0.52, abs=0.005)
    assert at.query_params["weight_scale"] == "0.3"


@pytest.mark.parametrize(("raw", "used"), [("-1", 0.01), ("abc", 0.1), ("1e9", 5.0), ("nan", 0.1)])
def test_a_bad_weight_scale_in_the_link_is_fixed_with_a_message(raw: str, used: float) -> None:
    at = open_app(None, weight_scale=raw)
    assert at.number_input(key="weight_scale").value == pytest.approx(used)
    assert any("weight_scale" in w.value for w in at.warning)


@pytest.mark.parametrize("page", ALPHA_PAGES)
def test_every_alpha_heatmap_uses_the_fixed_0_to_1_range(page: str) -> None:
    at = open_app(None if page == "app.py" else page, n_heads="2", causal="1", d_model="8")
    heats = alpha_heatmaps(figures(at))
    assert heats
    for fig in heats:
        assert (fig["data"][0]["zmin"], fig["data"][0]["zmax"]) == (0.0, 1.0)
