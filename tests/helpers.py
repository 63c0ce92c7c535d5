"""Helpers shared by the AppTest page tests: open the app as a link would, read plotly's arrays.

A plain module (like notebook_values.py) rather than conftest.py, so that tests import it by name.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")  # absolute: AppTest resolves relative paths against its caller, not the cwd
TIMEOUT = 90  # seconds per run: generous for a loaded 2-core CI machine


def open_app(
    page: str | None = None, *, session: Mapping[str, Any] | None = None, check: bool = True, **query: str
) -> AppTest:
    """A fresh session opened from a link carrying `query`, on `page` ("pages/1_matrix.py"), after its first run.

    The page is opened directly, as a deep link does. `session` pre-sets session-state keys (a lazy
    tab, say); `check` asserts that the run raised nothing.
    """
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    for key, value in (session or {}).items():
        at.session_state[key] = value
    if page is not None:
        at.switch_page(page)
    at.run()
    if check:
        assert not at.exception, [e.message for e in at.exception]
    return at


def decode(value: Any) -> np.ndarray:
    """A plotly array as numpy: a typed array {"dtype", "bdata", "shape"} or a plain (nested) list."""
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        return flat.reshape([int(s) for s in str(shape).split(",")]) if shape else flat
    return np.asarray(value)


def figures(at: AppTest) -> list[dict[str, Any]]:
    """Every plotly figure on the page, as the JSON sent to the browser."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
