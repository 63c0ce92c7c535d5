"""The controls' one source of truth: a session-state dict, bound to widgets and mirrored in the URL.

The state lives in a non-widget session key (`_state`), is copied into each widget's key before
the widget is drawn (widget state does not survive a page switch on its own) and copied back in
the widget's on_change. Every run writes it to `st.query_params`, so the address bar is always a
link that reopens the same view. docs/architecture.md, "State: session state and the URL", says why.
The sidebar that draws the shared widgets is ui/controls.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

import attention_core as ac

from . import params
from .edits import Edit
from .i18n import LANGUAGES, format_number, language_from_locale, translate, translate_plural
from .phone import DESKTOP_WIDTH, PHONE_WIDTH
from .text import md_escape

STATE = "_state"  # the one source of truth: every control's value
NOTICES = "_notices"  # messages (already translated keys + values) waiting to be shown once


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


# --- the session's state, from the URL on its first run ------------------------------------------


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
    notices = [fix_notice(f) for f in fixes]
    return values, notices


def _browser_locale() -> str | None:
    try:
        return st.context.locale
    except Exception:  # no browser context (bare mode, some test runners)
        return None


def fix_notice(fix: params.Fix) -> tuple[str, dict[str, Any]]:
    """The notice (message key, values) saying what a validated value was replaced by."""
    values = {"key": fix.key, "given": md_escape(fix.given), "used": md_escape(fix.used)}
    return f"fix.{fix.problem}", values


def session_state() -> dict[str, Any]:
    """The session's control state, created from the URL on the session's first run."""
    if STATE not in st.session_state:
        values, notices = _initial_state()
        st.session_state[STATE] = values
        st.session_state[NOTICES] = notices
    state: dict[str, Any] = st.session_state[STATE]
    return state


def show_notices(lang: str) -> None:
    """Show, once, the messages waiting since the last run (values fixed, choices refused)."""
    notices: list[tuple[str, dict[str, Any]]] = st.session_state[NOTICES]
    for key, values in notices:
        st.warning(translate(lang, key, **values), icon=":material/warning:")
    notices.clear()


def config_from_state(state: dict[str, Any], lang: str) -> ac.AttentionConfig:
    """The engine config; if the state is somehow invalid, say so and fall back to the defaults."""
    try:
        return ac.AttentionConfig(**{k: state[k] for k in params.CONFIG_KEYS})
    except (ValueError, TypeError) as err:
        st.error(translate(lang, "error.config", message=md_escape(str(err), 200)))
        state.update({k: getattr(params.DEFAULTS, k) for k in params.CONFIG_KEYS})
        return params.DEFAULTS


def reset(state: dict[str, Any]) -> None:
    """Every control back to the notebook's values; the language stays."""
    lang = state["lang"]
    state.clear()
    state.update({k: getattr(params.DEFAULTS, k) for k in params.CONFIG_KEYS})
    state.update({k: default for k, (default, _, _) in params.VIEW_PARAMS.items()})
    state["lang"] = lang


# --- widgets bound to the state --------------------------------------------------------------------


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
            st.session_state[NOTICES].append(fix_notice(fix))
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

    For the page widgets not drawn through `bind`: a hand-made websocket message can send any label.
    """
    if value in options:
        return value
    key, values = Choice(tuple(options), label).refusal(value, fallback)
    st.warning(translate(ctrl.lang, key, **values), icon=":material/warning:")
    return fallback


def bind(key: str, widget: Callable[..., Any], label: str, **kwargs: Any) -> Any:
    """Draw `widget` for the state's `key`: filled from the state, copied back (validated) on change."""
    st.session_state[key] = st.session_state[STATE][key]  # widget state does not survive a page switch
    choice = None
    if "options" in kwargs:  # a choice widget: _sync refuses a value that is none of its options
        choice = Choice(tuple(kwargs["options"]), label, kwargs.get("format_func", str))
    return widget(label, key=key, on_change=_sync, args=(key, choice), **kwargs)


def bind_int(key: str, label: str, help_text: str) -> Any:
    """A number input for the integer field `key`, within its allowed range (params.INT_FIELDS)."""
    lo, hi = params.INT_FIELDS[key]
    return bind(key, st.number_input, label, min_value=lo, max_value=hi, step=1, help=help_text)


# --- the URL ---------------------------------------------------------------------------------------


def url_params(state: dict[str, Any]) -> dict[str, str]:
    """The query parameters that reopen this view: every config key, other keys when not default."""
    out = {k: params.format_param(state[k]) for k in params.CONFIG_KEYS}
    for key, (default, _, _) in params.VIEW_PARAMS.items():
        if key in state and state[key] != default:
            out[key] = params.format_param(state[key])
    out["lang"] = state["lang"]
    return out


def write_state_url(state: dict[str, Any]) -> None:
    """Mirror `state` in the address bar, unless it already says the same."""
    wanted = url_params(state)
    current = {k: st.query_params.get(k) for k in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)


def write_url(ctrl: Controls) -> None:
    """Mirror the state in the address bar now: a fragment rerun (ui/home.py) does not pass through controls()."""
    write_state_url(ctrl.state)


def remember(ctrl: Controls, key: str, value: Any) -> None:
    """Keep a page's own view value (a VIEW_PARAMS key) in the state and the URL."""
    ctrl.state[key] = value
    write_state_url(ctrl.state)


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
    bind(key, st.selectbox, label, options=opts, format_func=format_func, **kwargs)
    value = int(state[key])
    write_state_url(state)
    return value


def view_widget(ctrl: Controls, key: str, widget: Callable[..., Any], label: str, **kwargs: Any) -> Any:
    """A page-level widget (any Streamlit input) whose value is a VIEW_PARAMS key kept in the state and URL."""
    value = bind(key, widget, label, **kwargs)
    write_state_url(ctrl.state)
    return value
