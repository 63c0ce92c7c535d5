"""The sidebar every page draws first: one source of truth in session state, mirrored in the URL.

The state lives in a non-widget session key (`_state`), is copied into each widget's key before
the widget is drawn (widget state does not survive a page switch on its own) and copied back in
the widget's on_change. Every run writes it to `st.query_params`, so the address bar is always a
link that reopens the same view. docs/architecture.md, "State: session state and the URL", says why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

import attention_core as ac

from . import params
from .edits import Edit, active_edits, decode_edits, describe_edit, encode_edits, matrix_shapes, split_edits
from .i18n import LANGUAGE_NAMES, LANGUAGES, format_number, language_from_locale, translate, translate_plural
from .style import draw_shared_css
from .text import md_escape

STATE = "_state"  # the one source of truth: every control's value
NOTICES = "_notices"  # messages (already translated keys + values) waiting to be shown once

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


@dataclass(frozen=True)
class Controls:
    """What a page needs from the shared controls."""

    config: ac.AttentionConfig
    lang: str
    state: dict[str, Any]
    edits: tuple[Edit, ...] = ()  # the hand edits in use (active_edits): empty means the seeded numbers
    phone: bool = False  # a phone's browser (its User-Agent says "Mobi"): figures are laid out for ~360 px

    @property
    def width(self) -> int:
        """About how many pixels wide the main column is: figures size their text to fit it."""
        return PHONE_WIDTH if self.phone else DESKTOP_WIDTH

    def t(self, msg: str, /, **values: Any) -> str:
        """The message `msg` in this page's language."""
        return translate(self.lang, msg, **values)

    def num(self, value: float, decimals: int | None = 4) -> str:
        """A number for prose, with this language's decimal separator (tables keep the point)."""
        return format_number(self.lang, value, decimals)

    def t_n(self, msg: str, n: int, /, **values: Any) -> str:
        """The plural message `msg` (keys `msg.one` / `msg.other`) for the count `n`, in this page's language."""
        return translate_plural(self.lang, msg, n, **values)


def _initial_state() -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    """The state a new session starts from: the URL's values, validated, and what had to be fixed."""
    raw = {k: st.query_params.get(k, "") for k in st.query_params}
    values, fixes = params.parse_config_params(raw)
    view, view_fixes = params.parse_view_params(raw)
    values.update(view)
    fixes += view_fixes
    lang = str(raw.get("lang", "")).strip().lower()
    if lang and lang not in LANGUAGES:
        fixes.append(params.Fix("lang", raw["lang"], "", "unknown"))
        lang = ""
    values["lang"] = lang or language_from_locale(_browser_locale())
    notices = [_fix_notice(f) for f in fixes]
    return values, notices


PHONE_WIDTH = 358  # a 390 px phone less Streamlit's side padding
DESKTOP_WIDTH = 900  # the main column at 1280-1400 px with the sidebar open, or 1024 px without it


def _is_phone() -> bool:
    """Whether the browser is a phone's, from its User-Agent ("Mobi", as MDN recommends).

    The server cannot see the window's width; a phone's browser says it is one on every request.
    """
    try:
        return "Mobi" in str(st.context.headers.get("User-Agent", ""))
    except Exception:  # no browser context (bare mode, some test runners)
        return False


def _browser_locale() -> str | None:
    try:
        return st.context.locale
    except Exception:  # no browser context (bare mode, some test runners)
        return None


def _fix_notice(fix: params.Fix) -> tuple[str, dict[str, Any]]:
    values = {"key": fix.key, "given": md_escape(fix.given), "used": md_escape(fix.used)}
    return f"fix.{fix.problem}", values


def _sync(key: str, choice: Choice | None = None) -> None:
    """on_change: copy a widget's value into the state.

    `choice` is a choice widget's options: the browser offers only those, but a hand-made websocket
    message can send any label, which Streamlit passes on as a plain string. Such a value is refused
    with a message, and the state keeps its value.
    """
    state: dict[str, Any] = st.session_state[STATE]
    if choice is not None and st.session_state[key] not in choice.options:
        if key == "lang" and st.session_state[key] is None:
            return  # a click on the selected language clears a segmented control: keep that language
        st.session_state[NOTICES].append(choice.refusal(st.session_state[key], state.get(key)))
        return
    if key in params.CONFIG_KEYS:
        state["learned"] = False  # the trained weights fit only the trained model's config
    if key == "sentence":
        value, fix = params.parse_sentence(str(st.session_state[key]))
        if fix is not None:
            if fix.problem == "empty":  # keep the last valid sentence rather than the default, and say so
                fix = params.Fix(fix.key, fix.given, state[key], fix.problem)
            st.session_state[NOTICES].append(_fix_notice(fix))
            if fix.problem == "empty":
                return
        state[key] = value
        state["word"] = 1
        return
    state[key] = st.session_state[key]


@dataclass(frozen=True)
class Choice:
    """A choice widget's options, label and option names, for refusing a value that is none of them."""

    options: tuple[Any, ...]
    label: str
    format_func: Callable[[Any], str] = str

    def refusal(self, given: Any, kept: Any) -> tuple[str, dict[str, Any]]:
        """The notice for `given`, which is not an option: `kept` stays in use."""
        try:
            used = self.format_func(kept) if kept in self.options else str(kept)
        except Exception:  # a format_func that only knows the options
            used = str(kept)
        return "fix.choice", {"key": md_escape(self.label), "given": md_escape(str(given)), "used": md_escape(used)}


def refuse_choice(label: str, given: Any, kept: Any, format_func: Callable[[Any], str] = str) -> None:
    """In an on_change callback: say, on the run that follows, that `given` is none of the options."""
    st.session_state[NOTICES].append(Choice((kept,), label, format_func).refusal(given, kept))


def valid_choice(ctrl: Controls, label: str, value: Any, options: Sequence[Any], fallback: Any) -> Any:
    """A choice widget's returned value, or `fallback` with a message when it is not one of `options`.

    For the page widgets not drawn through `_draw`: a hand-made websocket message can send any label.
    """
    if value in options:
        return value
    key, values = Choice(tuple(options), label).refusal(value, fallback)
    st.warning(translate(ctrl.lang, key, **values), icon=":material/warning:")
    return fallback


def _widget_value(key: str) -> None:
    """Put the state's value into the widget's key before the widget is drawn."""
    st.session_state[key] = st.session_state[STATE][key]


def session_state() -> dict[str, Any]:
    """The session's control state, created from the URL on the session's first run."""
    if STATE not in st.session_state:
        values, notices = _initial_state()
        st.session_state[STATE] = values
        st.session_state[NOTICES] = notices
    state: dict[str, Any] = st.session_state[STATE]
    return state


def controls(page: str = "home", extra: Sequence[str] = (), *, config_widgets: bool = True) -> Controls:
    """Draw the shared sidebar and return the validated config. Every page calls this first.

    `extra` names page-specific sidebar controls ("d_ff", "norm_first"). In presenter mode the
    sidebar keeps only the language, the pages and the switch back. `config_widgets=False` leaves
    the random-weight controls out of the sidebar (the trained-model page has its own).
    """
    state = session_state()
    if state["present"] and page not in PRESENTABLE:
        st.switch_page("app.py")  # the other pages have no presenter mode: go to the home page's
    if state.get("lang") not in LANGUAGES:  # never expected (see _sync); still, always keep a language
        state["lang"] = LANGUAGES[0]
    lang = state["lang"]  # the widgets' callbacks have run: the state is this run's before anything is drawn

    def t(msg: str, /, **values: Any) -> str:
        return translate(lang, msg, **values)

    # Decided before the sidebar is drawn, so that each note goes straight where it belongs: a
    # placeholder filled afterwards (st.empty) cost a message on every full rerun, drawn or not.
    # The messages these draw go to the main area, above the page: the same place as before.
    _show_notices(lang)
    config = _config_from_state(state, lang)
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
        _draw("present", st.toggle, t("controls.present"), help=t("controls.present_help"))
        if edits and config_widgets:
            st.info(t("controls.custom_on"), icon=":material/edit:")
        if widgets:
            st.divider()
            _config_widgets(state, t, extra, positional_note)
    _write_url(state)
    return Controls(config=config, lang=lang, state=state, edits=edits, phone=_is_phone())


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
    _draw(
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
        _draw_int("d_model", t("controls.d_model"), t("controls.d_model_help"))
    with c2:
        _draw_int("seed", t("controls.seed"), t("controls.seed_help"))
    c1, c2 = st.columns(2)
    with c1:
        _draw_int("d_k", t("controls.d_k"), t("controls.d_k_help"))
    with c2:
        _draw_int("d_v", t("controls.d_v"), t("controls.d_v_help"))
    c1, c2 = st.columns(2)
    with c1:
        _draw_int("n_heads", t("controls.n_heads"), t("controls.n_heads_help"))
    with c2:
        _draw(
            "temperature",
            st.number_input,
            t("controls.temperature"),
            min_value=params.TEMPERATURE_MIN,
            max_value=params.TEMPERATURE_MAX,
            step=0.1,
            format="%.2f",
            help=t("controls.temperature_help"),
        )
    _draw(
        "weight_scale",
        st.number_input,
        t("controls.weight_scale"),
        min_value=params.WEIGHT_SCALE_MIN,
        max_value=params.WEIGHT_SCALE_MAX,
        step=0.1,
        format="%.2f",
        help=t("controls.weight_scale_help"),
    )
    _draw(
        "positional",
        st.selectbox,
        t("controls.positional"),
        options=ac.POSITIONAL_SCHEMES,
        format_func=lambda s: t(f"positional.{s}"),
        help=t("controls.positional_help"),
    )
    if positional_note is not None:  # which scheme is really used, when the one picked cannot be
        st.caption(positional_note)
    _draw("scaled", st.toggle, t("controls.scaled"), help=t("controls.scaled_help"))
    _draw("causal", st.toggle, t("controls.causal"), help=t("controls.causal_help"))
    if "d_ff" in extra:
        _draw_int("d_ff", t("controls.d_ff"), t("controls.d_ff_help"))
    if "norm_first" in extra:
        _draw("norm_first", st.toggle, t("controls.norm_first"), help=t("controls.norm_first_help"))
    if st.button(t("controls.reset"), help=t("controls.reset_help"), width="stretch"):
        _reset(state)
        st.rerun()


def _draw(key: str, widget: Callable[..., Any], label: str, **kwargs: Any) -> Any:
    _widget_value(key)
    choice = None
    if "options" in kwargs:  # a choice widget: _sync refuses a value that is none of its options
        choice = Choice(tuple(kwargs["options"]), label, kwargs.get("format_func", str))
    return widget(label, key=key, on_change=_sync, args=(key, choice), **kwargs)


def _draw_int(key: str, label: str, help_text: str) -> Any:
    lo, hi = params.INT_FIELDS[key]
    return _draw(key, st.number_input, label, min_value=lo, max_value=hi, step=1, help=help_text)


# On a phone the open sidebar lies over the page (about 300 of 390 px), and Streamlit leaves it open
# after a widget change or a page link (only its own page menu, which the app hides, closes it), so the
# result was redrawn out of sight. There is no API to close it from Python (initial_sidebar_state is
# ignored once the user has opened the sidebar), so: after a tap or key in the sidebar (or in a list it
# opened), once the address has changed (every change of a control rewrites the link; a page link
# changes the page) and no script run is going on, if the sidebar covers the page rather than sitting
# beside it, press its own collapse button. The address, not only the run-state attribute, because a fast
# rerun can start and end within one render. Installed once per tab; constant, no user text.
_COLLAPSE_SCRIPT = """
(() => {
  if (window.__collapseSidebarAfterChange) return;
  window.__collapseSidebarAfterChange = true;
  const SIDEBAR = '[data-testid="stSidebar"]';
  let before = null, until = 0, timer = null;
  const collapse = () => {
    const sidebar = document.querySelector(SIDEBAR);
    const main = document.querySelector('[data-testid="stMain"]');
    if (!sidebar || !main || sidebar.getAttribute("data-collapsed") === "true") return;
    if (main.getBoundingClientRect().left >= sidebar.offsetWidth / 2) return;  // beside the page: it hides nothing
    const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (button) button.click();
  };
  const check = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (before === null || Date.now() > until) {
      clearInterval(timer);
      timer = null;
      before = null;
    } else if (location.href !== before && app && app.getAttribute("data-test-script-state") === "notRunning") {
      before = null;
      collapse();
    }
  };
  const arm = (e) => {
    if (!(e.target.closest && e.target.closest(SIDEBAR + ', [data-baseweb="popover"]'))) {
      before = null;
      return;
    }
    before = location.href;
    until = Date.now() + 15000;
    if (timer === null) timer = setInterval(check, 150);
  };
  document.addEventListener("pointerdown", arm, true);
  document.addEventListener("keydown", arm, true);
})();
"""
_LANG_SCRIPTS = {
    code: f'<script>document.documentElement.lang = "{code}";{_COLLAPSE_SCRIPT}</script>' for code in LANGUAGES
}


def _language_picker(state: dict[str, Any]) -> None:
    _draw(
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


def _reset(state: dict[str, Any]) -> None:
    lang = state["lang"]
    state.clear()
    state.update({k: getattr(params.DEFAULTS, k) for k in params.CONFIG_KEYS})
    state.update({k: default for k, (default, _, _) in params.VIEW_PARAMS.items()})
    state["lang"] = lang


def _show_notices(lang: str) -> None:
    notices: list[tuple[str, dict[str, Any]]] = st.session_state[NOTICES]
    for key, values in notices:
        st.warning(translate(lang, key, **values), icon=":material/warning:")
    notices.clear()


def _config_from_state(state: dict[str, Any], lang: str) -> ac.AttentionConfig:
    """The engine config; if the state is somehow invalid, say so and fall back to the defaults."""
    try:
        return ac.AttentionConfig(**{k: state[k] for k in params.CONFIG_KEYS})
    except (ValueError, TypeError) as err:
        st.error(translate(lang, "error.config", message=md_escape(str(err), 200)))
        state.update({k: getattr(params.DEFAULTS, k) for k in params.CONFIG_KEYS})
        return params.DEFAULTS


def url_params(state: dict[str, Any]) -> dict[str, str]:
    """The query parameters that reopen this view: every config key, other keys when not default."""
    out = {k: params.format_param(state[k]) for k in params.CONFIG_KEYS}
    for key, (default, _, _) in params.VIEW_PARAMS.items():
        if key in state and state[key] != default:
            out[key] = params.format_param(state[key])
    out["lang"] = state["lang"]
    return out


def _write_url(state: dict[str, Any]) -> None:
    wanted = url_params(state)
    current = {k: st.query_params.get(k) for k in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)


def write_url(ctrl: Controls) -> None:
    """Mirror the state in the address bar now: a fragment rerun (ui/home.py) does not pass through controls()."""
    _write_url(ctrl.state)


def remember(ctrl: Controls, key: str, value: Any) -> None:
    """Keep a page's own view value (a VIEW_PARAMS key) in the state and the URL."""
    ctrl.state[key] = value
    _write_url(ctrl.state)


def view_selectbox(
    ctrl: Controls, key: str, label: str, options: Sequence[int], format_func: Callable[[int], str], **kwargs: Any
) -> int:
    """A page-level picker (head, word, dims…) kept in the state and the URL; returns the choice.

    A value that is not among the options (a word index past a shorter sentence) becomes the
    nearest option.
    """
    state, opts = ctrl.state, list(options)
    current = int(state.get(key, opts[0]))
    if current not in opts:
        state[key] = min(opts, key=lambda o: abs(o - current))
    _draw(key, st.selectbox, label, options=opts, format_func=format_func, **kwargs)
    value = int(state[key])
    _write_url(state)
    return value


def view_widget(ctrl: Controls, key: str, widget: Callable[..., Any], label: str, **kwargs: Any) -> Any:
    """A page-level widget (any Streamlit input) whose value is a VIEW_PARAMS key kept in the state and URL."""
    value = _draw(key, widget, label, **kwargs)
    _write_url(ctrl.state)
    return value
