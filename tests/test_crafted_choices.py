"""Choice widgets refuse a label that none of their options has, with a message in words (issue 11).

A hand-made websocket message is simulated as the browser would send it: the widget's state carries a
label (`string_value`, or a segmented control's `string_array_value`) that is not among the options.
AppTest's own `set_value` cannot send one (it looks the value up in the options first).
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers import open_app
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest


def craft(at: AppTest, widget: Any, label: str) -> AppTest:
    """Send `label` as the widget's value, as a hand-made websocket message would, and rerun."""

    def state(self: Any) -> WidgetState:
        ws = WidgetState()
        ws.id = self.id
        if self.type == "button_group":
            ws.string_array_value.data[:] = [label]
        else:
            ws.string_value = label
        return ws

    widget.__class__ = type("Crafted", (type(widget),), {"_widget_state": property(state)})
    return at.run()


def _widget(at: AppTest, kind: str, key: str) -> Any:
    return next(w for w in getattr(at, kind) if w.key == key)


# Selectboxes whose on_change reads the raw value: Streamlit hands a callback the crafted label as it is.
CRAFTED = [
    (None, {}, "positional"),
    (None, {"n_heads": "2"}, "head"),
    (None, {}, "word"),
    ("pages/4_encoder.py", {}, "enc_step"),
    ("pages/7_learn.py", {}, "tr_task"),
    ("pages/7_learn.py", {"tr_heads": "2"}, "learn_head"),
]


@pytest.mark.parametrize(("page", "query", "key"), CRAFTED, ids=[c[2] for c in CRAFTED])
def test_a_crafted_choice_is_refused_in_words(page: str | None, query: dict[str, str], key: str) -> None:
    at = open_app(page, **query)
    before = [h.value for h in at.header]
    craft(at, _widget(at, "selectbox", key), "Klingon")
    assert not at.exception, [e.message for e in at.exception]
    warnings = [w.value for w in at.warning]
    assert any("Klingon" in w and "not one of the options" in w for w in warnings), warnings
    assert [h.value for h in at.header] == before  # the page is drawn as before the message
    assert "Klingon" not in str(dict(at.query_params))


# Streamlit 1.67 itself keeps a segmented control's last value, and resets a selectbox without a
# callback to its default, when the label is none of the options: nothing reaches the app's code.
KEPT = [
    (None, "segmented_control", "lang"),
    ("pages/2_multihead.py", "segmented_control", "mh_design"),
    ("pages/4_encoder.py", "segmented_control", "enc_mode"),
    ("pages/6_export.py", "selectbox", "export_matrix"),
    ("pages/8_trained.py", "segmented_control", "tm_view"),
]


@pytest.mark.parametrize(("page", "kind", "key"), KEPT, ids=[c[2] for c in KEPT])
def test_a_crafted_choice_elsewhere_changes_nothing(page: str | None, kind: str, key: str) -> None:
    at = open_app(page)
    value = _widget(at, kind, key).value
    headers = [h.value for h in at.header]
    craft(at, _widget(at, kind, key), "Klingon")
    assert not at.exception, [e.message for e in at.exception]
    assert _widget(at, kind, key).value == value
    assert [h.value for h in at.header] == headers
