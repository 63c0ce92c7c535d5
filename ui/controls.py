"""The sidebar every page draws first: the language, the page links, presenter mode, the config widgets.

Every value lives in the state of ui/state.py (session state mirrored in the URL); this module draws
the shared widgets bound to it and returns the validated config. Pages import the state's helpers
from here too (Controls, view_selectbox, remember, ...), so a page needs one import.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

import attention_core as ac

from . import params
from .edits import Edit, active_edits, decode_edits, describe_edit, encode_edits, matrix_shapes, split_edits
from .i18n import LANGUAGE_NAMES, LANGUAGES, translate
from .phone import is_phone
from .state import (
    STATE,
    Controls,
    bind,
    bind_int,
    config_from_state,
    refuse_choice,
    remember,
    reset,
    session_state,
    show_notices,
    url_params,
    valid_choice,
    view_selectbox,
    view_widget,
    write_state_url,
    write_url,
)
from .style import draw_shared_css
from .text import md_escape

__all__ = [
    "PAGES",
    "PRESENTABLE",
    "ROOT",
    "STATE",
    "Controls",
    "controls",
    "refuse_choice",
    "remember",
    "session_state",
    "url_params",
    "valid_choice",
    "view_selectbox",
    "view_widget",
    "write_url",
]

ROOT = Path(__file__).resolve().parent.parent
PAGES: tuple[tuple[str, str, str], ...] = (
    ("app.py", "nav.home", ":material/format_list_numbered:"),
    ("pages/1_matrix.py", "nav.matrix", ":material/grid_on:"),
    ("pages/2_multihead.py", "nav.multihead", ":material/view_column:"),
    ("pages/3_vectors.py", "nav.vectors", ":material/scatter_plot:"),
    ("pages/4_encoder.py", "nav.encoder", ":material/account_tree:"),
    ("pages/5_edit.py", "nav.edit", ":material/edit:"),
    ("pages/6_export.py", "nav.export", ":material/download:"),
    ("pages/7_learn.py", "nav.learn", ":material/school:"),
    ("pages/8_trained.py", "nav.trained", ":material/psychology:"),
    ("pages/9_glossary.py", "nav.glossary", ":material/menu_book:"),
)
PRESENTABLE = ("home", "multihead", "encoder", "trained")  # pages with a presenter mode


def controls(page: str = "home", extra: Sequence[str] = (), *, config_widgets: bool = True) -> Controls:
    """Draw the shared sidebar and return the validated config. Every page calls this first.

    `extra` names page-specific sidebar controls ("d_ff", "norm_first"). In presenter mode the
    sidebar keeps only the language, the pages and the switch back. `config_widgets=False` leaves
    the random-weight controls out of the sidebar (the trained-model page has its own).
    """
    state = session_state()
    if state["present"] and page not in PRESENTABLE:
        st.switch_page("app.py")  # the other pages have no presenter mode: go to the home page's
    if state.get("lang") not in LANGUAGES:  # never expected (see ui/state.py's _sync); still, always keep a language
        state["lang"] = LANGUAGES[0]
    lang = state["lang"]  # the widgets' callbacks have run: the state is this run's before anything is drawn

    def t(msg: str, /, **values: Any) -> str:
        return translate(lang, msg, **values)

    # Decided before the sidebar is drawn, so that each note goes straight where it belongs: a
    # placeholder filled afterwards (st.empty) cost a message on every full rerun, drawn or not.
    # The messages these draw go to the main area, above the page: the same place as before.
    show_notices(lang)
    config = config_from_state(state, lang)
    edits = active_edits(state)  # the one decision every reader (notice, trace, exports) shares
    if edits:
        edits = _drop_edits_outside(state, config, lang, edits)
    widgets = config_widgets and not state["present"]
    positional_note = None
    if widgets:
        used = ac.positional_encodings(config.positional, len(config.tokens), config.d_model)[1]
        if used.scheme != config.positional:  # the picker kept showing "Notebook" while sinusoidal was used
            positional_note = t("controls.positional_used", scheme=t(f"positional.{used.scheme}"))
    with st.sidebar:
        draw_shared_css()  # constant CSS (keyboard focus, the collapsed sidebar, table toolbars): ui/style.py
        _language_picker(state)
        _page_links(t, url_params(state))
        bind("present", st.toggle, t("controls.present"), help=t("controls.present_help"))
        if edits and config_widgets:
            st.info(t("controls.custom_on"), icon=":material/edit:")
        if widgets:
            st.divider()
            _config_widgets(state, t, extra, positional_note)
    write_state_url(state)
    return Controls(config=config, lang=lang, state=state, edits=edits, phone=is_phone())


def _drop_edits_outside(
    state: dict[str, Any], config: ac.AttentionConfig, lang: str, edits: tuple[Edit, ...]
) -> tuple[Edit, ...]:
    """Edits naming a cell outside this configuration's matrices (a link's e.0.99.99=5, a sentence made
    shorter) would be counted and change nothing: drop them from the state and say which."""
    inside, outside = split_edits(matrix_shapes(config), edits)
    if outside:
        cells = ", ".join(describe_edit(e) for e in outside[:10]) + (" …" if len(outside) > 10 else "")
        st.warning(translate(lang, "edit.outside", cells=md_escape(cells, 300)), icon=":material/warning:")
        kept = {(m, h, r, c): v for m, h, r, c, v in decode_edits(str(state.get("edits", "")))}
        state["edits"] = encode_edits({k: v for k, v in kept.items() if (*k, v) not in outside})
    return inside


def _page_links(t: Callable[..., str], links: dict[str, str]) -> None:
    """st.page_link for every page that exists, with real titles and the current state in the link."""
    for path, label_key, icon in PAGES:
        if (ROOT / path).exists():
            try:
                st.page_link(path, label=t(label_key), icon=icon, query_params=links)
            except StreamlitPageNotFoundError:  # a page run as the entry script (AppTest.from_file)
                return


def _config_widgets(
    state: dict[str, Any], t: Callable[..., str], extra: Sequence[str], positional_note: str | None = None
) -> None:
    """Draw the configuration widgets; `positional_note` goes below the positional-encoding picker."""
    st.header(t("controls.title"))
    # A text area, not a one-line input: a sentence of a dozen words is readable whole, and the character
    # counter has room of its own (ui/style.py). Enter starts a new line there, so the label says how to
    # apply; params.parse_sentence turns the line breaks into spaces.
    bind(
        "sentence",
        st.text_area,
        t("controls.sentence"),
        max_chars=ac.MAX_SENTENCE_CHARS,
        help=t("controls.sentence_help", max_tokens=ac.MAX_TOKENS),
    )
    # One row of columns per pair, so the Tab order follows reading order (d_model, seed, d_k, d_v,
    # heads, temperature); two tall columns made it run down the left one, then jump back up.
    c1, c2 = st.columns(2)
    with c1:
        bind_int("d_model", t("controls.d_model"), t("controls.d_model_help"))
    with c2:
        bind_int("seed", t("controls.seed"), t("controls.seed_help"))
    c1, c2 = st.columns(2)
    with c1:
        bind_int("d_k", t("controls.d_k"), t("controls.d_k_help"))
    with c2:
        bind_int("d_v", t("controls.d_v"), t("controls.d_v_help"))
    c1, c2 = st.columns(2)
    with c1:
        bind_int("n_heads", t("controls.n_heads"), t("controls.n_heads_help"))
    with c2:
        bind(
            "temperature",
            st.number_input,
            t("controls.temperature"),
            min_value=params.TEMPERATURE_MIN,
            max_value=params.TEMPERATURE_MAX,
            step=0.1,
            format="%.2f",
            help=t("controls.temperature_help"),
        )
    bind(
        "weight_scale",
        st.number_input,
        t("controls.weight_scale"),
        min_value=params.WEIGHT_SCALE_MIN,
        max_value=params.WEIGHT_SCALE_MAX,
        step=0.1,
        format="%.2f",
        help=t("controls.weight_scale_help"),
    )
    bind(
        "positional",
        st.selectbox,
        t("controls.positional"),
        options=ac.POSITIONAL_SCHEMES,
        format_func=lambda s: t(f"positional.{s}"),
        help=t("controls.positional_help"),
    )
    if positional_note is not None:  # which scheme is really used, when the one picked cannot be
        st.caption(positional_note)
    bind("scaled", st.toggle, t("controls.scaled"), help=t("controls.scaled_help"))
    bind("causal", st.toggle, t("controls.causal"), help=t("controls.causal_help"))
    if "d_ff" in extra:
        bind_int("d_ff", t("controls.d_ff"), t("controls.d_ff_help"))
    if "norm_first" in extra:
        bind("norm_first", st.toggle, t("controls.norm_first"), help=t("controls.norm_first_help"))
    if st.button(t("controls.reset"), help=t("controls.reset_help"), width="stretch"):
        reset(state)
        st.rerun()


# On a phone the open sidebar lies over the page (about 300 of 390 px), and Streamlit leaves it open
# after a widget change or a page link (only its own page menu, which the app hides, closes it), so the
# result was redrawn out of sight. There is no API to close it from Python (initial_sidebar_state is
# ignored once the user has opened the sidebar), so: after a tap or key in the sidebar (or in a list it
# opened), once the address has changed (every change of a control rewrites the link; a page link
# changes the page) and no script run is going on, if the sidebar covers the page rather than sitting
# beside it, press its own collapse button. The address, not only the run-state attribute, because a fast
# rerun can start and end within one render. Installed once per tab; constant, no user text.
# The script is a file of its own, ui/collapse_sidebar.js, read once here: a constant, no user text in it.
_COLLAPSE_SCRIPT = (Path(__file__).resolve().parent / "collapse_sidebar.js").read_text(encoding="utf-8")
_LANG_SCRIPTS = {
    code: f'<script>document.documentElement.lang = "{code}";\n{_COLLAPSE_SCRIPT}</script>' for code in LANGUAGES
}


def _language_picker(state: dict[str, Any]) -> None:
    bind(
        "lang",
        st.segmented_control,
        "Language · Idioma",
        options=LANGUAGES,
        format_func=lambda c: LANGUAGE_NAMES[c],
        label_visibility="collapsed",
    )
    # Screen readers pick their voice from <html lang>, which Streamlit leaves at "en". This is the one
    # script the app runs: a constant per language (no user text; the code comes from LANGUAGES); it
    # sets that attribute and, once per tab, closes a phone's sidebar after a change (_COLLAPSE_SCRIPT).
    # A new language means a new body, so Streamlit runs it again.
    st.html(_LANG_SCRIPTS[state["lang"]], unsafe_allow_javascript=True, width="content")
