"""ui.heatmap writes plotly's figure dict itself (no validation, no template): plotly's own validation of
that dict must accept every property and give back the same figure, template aside."""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

import attention_core as ac
from ui.heatmap import attention_heatmap


def _canonical(fig: dict[str, Any]) -> Any:
    return json.loads(pio.to_json(fig, validate=False))


def _figure(config: ac.AttentionConfig, **kwargs: Any) -> dict[str, Any]:
    trace = ac.compute(config)
    fig = attention_heatmap(
        trace.weights[0],
        trace.scores[0],
        trace.logits[0],
        trace.tokens,
        title="α",
        query_label="queries",
        key_label="keys",
        hover="%{y} → %{x}: α %{z:.4f}, score %{customdata[0]:.4f}<extra></extra>",
        **kwargs,
    )
    spec: dict[str, Any] = fig.to_dict()
    return spec


SENTENCE_20 = " ".join(f"w{i}" for i in range(20))


@pytest.mark.parametrize(
    ("config", "kwargs"),
    [
        (ac.AttentionConfig(), {}),  # the notebook's 5 words: values printed in the cells
        (ac.AttentionConfig(causal=True), {}),  # masked cells: a second, grey trace and per-cell text
        (ac.AttentionConfig(sentence=SENTENCE_20), {}),  # float32 values, no cell text
        (ac.AttentionConfig(sentence=SENTENCE_20, causal=True), {"hover_light": "%{y} → %{x}<extra></extra>"}),
        (ac.AttentionConfig(), {"width": 358, "cell_text": False, "show_scale": False}),  # a phone's small multiple
    ],
    ids=["default", "causal", "20-words", "20-words-causal-light", "phone-small"],
)
def test_the_prebuilt_dict_is_what_plotly_validates(config: ac.AttentionConfig, kwargs: dict[str, Any]) -> None:
    spec = _figure(config, **kwargs)
    assert "template" not in spec["layout"]  # Streamlit's frontend themes the chart itself
    validated = go.Figure(spec).to_dict()  # raises on any property plotly does not know or accept
    validated["layout"].pop("template", None)
    assert _canonical(validated) == _canonical(spec)


def test_the_prebuilt_dict_keeps_the_values() -> None:
    """The α values and their row order survive the hand-written encoding (row 0, the first query, on top)."""
    trace = ac.compute(ac.AttentionConfig())
    spec = _canonical(_figure(ac.AttentionConfig()))
    heat = spec["data"][0]
    z = np.frombuffer(base64.b64decode(heat["z"]["bdata"]), dtype=heat["z"]["dtype"]).reshape(5, 5)
    np.testing.assert_array_equal(z, trace.weights[0])
    assert spec["layout"]["yaxis"]["autorange"] == "reversed"
    assert heat["y"] == list(trace.tokens)
