"""The text catalogues (ui/locales/) and the rule that every string the user reads comes from them."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import attention_core as ac
from attention_core.export.notebook_text import MESSAGES as NOTEBOOK
from ui.i18n import CATALOGUES, LANGUAGES, language_from_locale, placeholders, translate, translate_plural
from ui.locales import en, es

ROOT = Path(__file__).resolve().parent.parent
EN, ES = en.MESSAGES, es.MESSAGES

# Files whose st.* calls draw the pages' text.
UI_FILES = sorted(
    {ROOT / "app.py", ROOT / "ui" / "steps.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")}
)
# Streamlit calls whose first argument is text shown as is.
TEXT_CALLS = {
    "markdown",
    "subheader",
    "header",
    "title",
    "caption",
    "warning",
    "info",
    "error",
    "success",
    "write",
    "text",
    "toast",
}


# --- the catalogues ---------------------------------------------------------------------------


# Two catalogues with the same rules: the app's (ui/locales) and the exported notebook's words.
PAIRS = {"ui": (EN, ES), "notebook": (NOTEBOOK["en"], NOTEBOOK["es"])}


@pytest.mark.parametrize("which", sorted(PAIRS))
def test_both_catalogues_have_the_same_keys(which: str) -> None:
    english, spanish = PAIRS[which]
    assert set(english) - set(spanish) == set(), "missing in Spanish"
    assert set(spanish) - set(english) == set(), "missing in English"


@pytest.mark.parametrize(
    ("which", "key"), [(w, k) for w, (english, _) in sorted(PAIRS.items()) for k in sorted(english)]
)
def test_same_placeholders_in_both_languages(which: str, key: str) -> None:
    english, spanish = PAIRS[which]
    assert placeholders(spanish.get(key, "")) == placeholders(english[key])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_notebook_speaks_every_language_the_app_offers(lang: str) -> None:
    """The export page passes the app's language to the notebook: each one needs its words there."""
    assert set(NOTEBOOK) == set(LANGUAGES)
    assert [k for k, v in NOTEBOOK[lang].items() if not v.strip()] == []
    assert NOTEBOOK[lang]["title"] in ac.notebook_json(ac.AttentionConfig(), lang=lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_empty_messages(lang: str) -> None:
    assert [k for k, v in CATALOGUES[lang].items() if not isinstance(v, str) or not v.strip()] == []


def _plotly_template(template: str) -> bool:
    """Plotly's hover templates (%{x}, %{customdata[0]:.4f}) are passed to plotly as they are."""
    return "%{" in template


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_template_is_well_formed(lang: str) -> None:
    for key, template in CATALOGUES[lang].items():
        if _plotly_template(template):
            assert translate(lang, key) == template  # never formatted
            continue
        names = placeholders(template)  # raises on an unbalanced brace
        template.format(**dict.fromkeys(names, "x"))  # raises on a positional or malformed field
        assert key.strip() == key and key


def test_spanish_differs_from_english_where_it_is_prose() -> None:
    assert ES["home.title"] == "Atención, paso a paso"
    assert EN["home.title"] == "Attention, step by step"
    # identical entries are allowed (notation like d_model), but most entries must be translated
    same = [k for k in EN if EN[k] == ES[k]]
    assert len(same) < len(EN) / 4, same


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("es-ES", "es"),
        ("es", "es"),
        ("es_MX", "es"),
        ("ES-419", "es"),
        ("en-US", "en"),
        ("en", "en"),
        (None, "en"),
        ("", "en"),
        ("fr", "en"),
        ("fr-FR", "en"),
        ("e", "en"),
        ("<script>", "en"),
    ],
)
def test_language_from_locale(locale: str | None, expected: str) -> None:
    assert language_from_locale(locale) == expected


# --- translate ----------------------------------------------------------------------------------


def test_translate_fills_placeholders_and_picks_the_language() -> None:
    assert translate("en", "head.option", head=2) == "Head 2"
    assert translate("es", "home.title") == "Atención, paso a paso"
    assert translate("xx", "home.title") == "Attention, step by step"  # unknown language: English


def test_translate_falls_back_to_english_for_a_missing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(CATALOGUES, "es", {k: v for k, v in ES.items() if k != "home.intro"})
    assert translate("es", "home.intro") == EN["home.intro"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translate_fills_every_message(lang: str) -> None:
    """Including placeholders named like translate()'s own parameters: every fix.* message uses {key}."""
    for key, template in CATALOGUES[lang].items():
        if _plotly_template(template):
            continue
        values = {name: f"<{name}>" for name in placeholders(template)}
        text = translate(lang, key, **values)
        assert all(v in text for v in values.values()), key
    assert "key" in placeholders(CATALOGUES[lang]["fix.malformed"])


# --- plurals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_plural_message_has_both_forms_with_the_same_placeholders(lang: str) -> None:
    cat = CATALOGUES[lang]
    stems = {k.removesuffix(".other") for k in cat if k.endswith(".other")}  # ("encoder.tab.one" is no plural)
    assert stems, "no plural messages"
    for stem in stems:
        assert f"{stem}.one" in cat and f"{stem}.other" in cat, stem
        assert placeholders(cat[f"{stem}.one"]) == placeholders(cat[f"{stem}.other"]), stem


def test_plural_forms_say_one_and_many() -> None:
    assert translate_plural("en", "multihead.heads_explain", 1, d_k=3).startswith("1 head,")
    assert translate_plural("en", "multihead.heads_explain", 2, d_k=3).startswith("2 heads,")
    assert translate_plural("es", "multihead.heads_explain", 1, d_k=3).startswith("1 cabeza,")
    assert translate_plural("es", "multihead.heads_explain", 2, d_k=3).startswith("2 cabezas,")
    assert translate_plural("es", "multihead.heads_explain", 0, d_k=3).startswith("0 cabezas,")


def test_no_ui_message_writes_a_plural_as_parentheses() -> None:
    """Real plurals, never "head(s)" or "celda(s)"."""
    pattern = re.compile(r"[^\W\d_]\((s|es|a|as|os)\)")
    found = [f"{lang}:{k}" for lang in LANGUAGES for k, v in CATALOGUES[lang].items() if pattern.search(v)]
    assert found == [], found


# --- every key the code asks for exists --------------------------------------------------------


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    return (node for node in ast.walk(tree) if isinstance(node, ast.Call))


def _func_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _key_argument(call: ast.Call) -> ast.expr | None:
    """The message-key argument of a t(key, …), start(key) or translate(lang, key, …) call.

    For the plural calls t_n(key, n, …) and translate_plural(lang, key, n, …) the scan looks for
    `key.one` (a plural message always has both forms: see the plural tests).
    """
    name = _func_name(call)
    if name in ("t", "start") and call.args:
        return call.args[0]
    if name == "translate" and len(call.args) >= 2:
        return call.args[1]
    if name == "t_n" and call.args:
        return _plural_key(call.args[0])
    if name == "translate_plural" and len(call.args) >= 2:
        return _plural_key(call.args[1])
    return None


def _plural_key(node: ast.expr) -> ast.expr:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return ast.Constant(node.value + ".one")
    return node


def _key_pattern(node: ast.expr) -> re.Pattern[str] | None:
    """A literal key, or an f-string key as a pattern (f"step{n}.title" -> step.+?\\.title)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.compile(re.escape(node.value))
    if isinstance(node, ast.JoinedStr):
        parts = [
            re.escape(v.value) if isinstance(v, ast.Constant) and isinstance(v.value, str) else ".+?"
            for v in node.values
        ]
        return re.compile("".join(parts))
    return None  # a variable: checked by the explicit tests below


def _used_keys() -> list[tuple[str, int, re.Pattern[str]]]:
    found = []
    for path in UI_FILES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _calls(tree):
            arg = _key_argument(call)
            pattern = _key_pattern(arg) if arg is not None else None
            if pattern is not None:
                found.append((str(path.relative_to(ROOT)), call.lineno, pattern))
    return found


def test_the_scan_finds_the_pages_keys() -> None:
    patterns = {p.pattern for _, _, p in _used_keys()}
    assert {"home\\.title", "home\\.intro", "matrix\\.title", "heatmap\\.title", "matrix\\.check_ok"} <= patterns


def test_every_key_used_in_the_code_exists() -> None:
    missing = [
        f"{file}:{line}: {pattern.pattern}"
        for file, line, pattern in _used_keys()
        if not any(pattern.fullmatch(k) for k in EN)
    ]
    assert missing == []


def test_keys_built_at_run_time_exist() -> None:
    from ui import controls

    wanted = [f"positional.{s}" for s in ac.POSITIONAL_SCHEMES]
    wanted += [f"fix.{p}" for p in ("malformed", "range", "empty", "too_long", "unknown")]
    wanted += [f"step{n}.{part}" for n in range(1, 8) for part in ("title", "explain")]
    wanted += [label for _, label, _ in controls.PAGES]
    assert [k for k in wanted if k not in EN] == []


# --- no literal UI text outside the catalogues -------------------------------------------------

_WORD = re.compile(r"[^\W\d_]{2,}")  # two letters in a row: a word, not a symbol like Q, W_O, α


def _literal_text(node: ast.expr) -> list[str]:
    """The literal text a message argument shows, outside t(...)/translate(...) and other calls.

    A plain string literal counts whole (any letter is a violation); in an f-string or a `+`
    expression only the literal parts count, and single letters or symbols (**Q** ·, X = E + P)
    are notation, not text.
    """
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        out = []
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                out += _WORD.findall(part.value)
            elif isinstance(part, ast.FormattedValue):
                out += _literal_text(part.value) if isinstance(part.value, ast.JoinedStr) else []
        return out
    if isinstance(node, ast.BinOp):
        return [w for side in (node.left, node.right) for s in _literal_text(side) for w in _WORD.findall(s)]
    return []  # a call (t(...), " · ".join(...)), a name or an attribute: not a literal


def _message_argument(call: ast.Call) -> ast.expr | None:
    if call.args:
        return call.args[0]
    for kw in call.keywords:
        if kw.arg in ("body", "label"):
            return kw.value
    return None


def _is_streamlit_text_call(call: ast.Call) -> bool:
    f = call.func
    return (
        isinstance(f, ast.Attribute)
        and f.attr in TEXT_CALLS
        and isinstance(f.value, ast.Name)
        and f.value.id in ("st", "sidebar")
    )


def _literal_ui_strings(source: str) -> list[tuple[int, str]]:
    found = []
    for call in _calls(ast.parse(source)):
        if not _is_streamlit_text_call(call):
            continue
        arg = _message_argument(call)
        if arg is None:
            continue
        text = _literal_text(arg)
        if any(re.search(r"[^\W\d_]", s) for s in text):
            found.append((call.lineno, " ".join(text)))
    return found


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ('st.markdown("Hello")', True),
        ('st.warning("x")', True),
        ('st.header(f"Step {n}: {t(key)}")', True),
        ('st.caption("Note: " + t("k"))', True),
        ('st.info(body="Loading")', True),
        ('st.markdown(t("home.intro"))', False),
        ("st.markdown(f\"**{t('table.alpha')}**\")", False),
        ('st.markdown(f"**{name}** · {a}×{b}")', False),
        ("st.markdown(f\"**X = E + P** — {t('step2.x')}\")", False),
        ('st.header(t("matrix.qkv") + view.head_tag)', False),
        ('st.markdown(" · ".join(words))', False),
        ('st.latex(r"Q = X W_Q")', False),
    ],
)
def test_the_literal_scan_itself(source: str, flagged: bool) -> None:
    assert bool(_literal_ui_strings(source)) is flagged


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_literal_ui_text_bypasses_the_catalogue(path: Path) -> None:
    found = _literal_ui_strings(path.read_text(encoding="utf-8"))
    assert found == [], f"{path.relative_to(ROOT)}: literal UI text at " + "; ".join(
        f"line {n}: {s!r}" for n, s in found
    )


def test_the_scan_covers_the_pages() -> None:
    names = {str(p.relative_to(ROOT)) for p in UI_FILES}
    assert {"app.py", "ui/steps.py", "pages/1_matrix.py"} <= names
