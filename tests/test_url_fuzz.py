"""Any link opens a working page: random values for every URL parameter, on every page, never raise.

Bad input must give a message in words and a working page, never a traceback; this throws text,
numbers, huge values, markup and control characters at the controls' URL parsing, through the
real pages under AppTest.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from ui.params import CONFIG_KEYS, VIEW_PARAMS

ROOT = Path(__file__).resolve().parent.parent
PAGES = (
    None,
    "pages/1_matrix.py",
    "pages/2_multihead.py",
    "pages/3_vectors.py",
    "pages/4_encoder.py",
    "pages/5_edit.py",
    "pages/6_export.py",
    "pages/7_learn.py",
    "pages/8_trained.py",
)
KEYS = (*CONFIG_KEYS, *VIEW_PARAMS, "lang")

values = st.one_of(
    st.text(max_size=30),
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", " ", "true", "0", "-1", "1e309", "nan", "<script>alert(1)</script>", "**x**", "é" * 3]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(KEYS), values, max_size=6), st.sampled_from(PAGES))
def test_any_link_opens_a_working_page(params: dict[str, str], page: str | None) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page is not None:
        at.switch_page(page)
        at.run()
        assert not at.exception, (page, [e.value for e in at.exception])
    assert at.title or at.header, "the page drew nothing"  # presenter mode has no title


sentences = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.sampled_from(["the", "gato", "😀", "👨‍👩‍👧", ",", "日本語", "\u200d", "\x00", "é", "\n", "\r\n"]),
        max_size=400,
    ).map(" ".join),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sentences)
def test_any_typed_sentence_gives_a_working_page(sentence: str) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.text_area(key="sentence").set_value(sentence).run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("plotly_chart")) == 1  # the α heatmap is still there
    assert at.query_params["sentence"].strip()  # never an empty sentence in the link
    assert len(at.query_params["sentence"].splitlines()) == 1  # one line, whatever line breaks were typed
