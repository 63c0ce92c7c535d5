"""ui/params.py: every URL value becomes a usable control value, and every fix is reported.

The rules: a missing value takes its default, a malformed one the default,
an out-of-range one the nearest allowed value, and never an exception.
"""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attention_core as ac
from ui import params as P

DEFAULT = ac.AttentionConfig()


def parse_one(key: str, raw: str) -> tuple[object, list[P.Fix]]:
    """The value parse_config_params gives `key` when the URL holds only key=raw, and its fixes."""
    values, fixes = P.parse_config_params({key: raw})
    return values[key], fixes


# --- whole numbers ---------------------------------------------------------------------------


def test_malformed_int_takes_the_default_and_says_malformed() -> None:
    value, fixes = parse_one("d_model", "abc")
    assert value == DEFAULT.d_model == 4
    assert fixes == [P.Fix("d_model", "abc", "4", "malformed")]


def test_negative_seed_is_clamped_to_zero_and_says_range() -> None:
    value, fixes = parse_one("seed", "-5")
    assert value == 0
    assert fixes == [P.Fix("seed", "-5", "0", "range")]


def test_too_many_heads_is_clamped_to_the_maximum() -> None:
    value, fixes = parse_one("n_heads", "999")
    assert value == ac.N_HEADS_MAX == 16
    assert fixes == [P.Fix("n_heads", "999", "16", "range")]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("8", 8), (" 8 ", 8), ("8.0", 8), ("1", 1), ("512", 512), ("1e2", 100)],
)
def test_valid_ints_are_taken_as_given(raw: str, expected: int) -> None:
    value, fixes = parse_one("d_model", raw)
    assert (value, fixes) == (expected, [])
    assert type(value) is int


@pytest.mark.parametrize("raw", ["", " ", "4.5", "nan", "inf", "-inf", "0x10", "4 heads", "½"])
def test_non_whole_ints_take_the_default(raw: str) -> None:
    value, fixes = parse_one("d_k", raw)
    assert value == DEFAULT.d_k
    assert [(f.key, f.given, f.problem) for f in fixes] == [("d_k", raw, "malformed")]


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("d_model", "0", ac.D_MODEL_MIN),
        ("d_model", "100000", ac.D_MODEL_MAX),
        ("d_model", "1e9", ac.D_MODEL_MAX),
        ("d_k", "-3", ac.D_HEAD_MIN),
        ("d_v", "257", ac.D_HEAD_MAX),
        ("n_heads", "0", ac.N_HEADS_MIN),
        ("seed", str(2**32), ac.SEED_MAX),
        ("seed", "99999999999999999999999", ac.SEED_MAX),
    ],
)
def test_out_of_range_ints_take_the_nearest_bound(key: str, raw: str, expected: int) -> None:
    value, fixes = parse_one(key, raw)
    assert value == expected
    assert fixes == [P.Fix(key, raw, str(expected), "range")]


def test_every_int_field_of_the_config_is_validated_from_the_url() -> None:
    int_fields = {f.name for f in dataclasses.fields(ac.AttentionConfig) if f.type in (int, "int")}
    assert int_fields == set(P.INT_FIELDS)  # d_ff included


@pytest.mark.parametrize("key", sorted(P.INT_FIELDS))
def test_the_urls_int_bounds_are_where_the_engine_starts_refusing(key: str) -> None:
    """A bound is accepted by the engine, one step past it is refused by it and clamped from the URL."""
    lo, hi = P.INT_FIELDS[key]
    for inside, outside in ((lo, lo - 1), (hi, hi + 1)):
        ac.AttentionConfig(**{key: inside})  # accepted
        with pytest.raises(ValueError):
            ac.AttentionConfig(**{key: outside})
        value, fixes = parse_one(key, str(outside))
        assert value == inside and [f.key for f in fixes] == [key]


# --- the sentence --------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["", "   ", "\t\n"])
def test_empty_sentence_takes_the_default(raw: str) -> None:
    value, fixes = parse_one("sentence", raw)
    assert value == DEFAULT.sentence == ac.NOTEBOOK_SENTENCE
    assert [(f.key, f.problem, f.used) for f in fixes] == [("sentence", "empty", ac.NOTEBOOK_SENTENCE)]


def test_five_thousand_words_keep_the_first_256_tokens() -> None:
    words = [f"w{i}" for i in range(5000)]
    value, fixes = parse_one("sentence", " ".join(words))
    assert isinstance(value, str)
    assert ac.tokenize(value) == words[: ac.MAX_TOKENS]
    assert [(f.key, f.problem, f.used) for f in fixes] == [("sentence", "too_long", "256")]
    assert ac.AttentionConfig(sentence=value).tokens == words[:256]  # the engine accepts it


def test_a_sentence_over_the_character_limit_is_cut_not_rejected() -> None:
    raw = "a" * (ac.MAX_SENTENCE_CHARS + 100)  # one huge token
    value, fixes = parse_one("sentence", raw)
    assert isinstance(value, str)
    assert len(value) <= ac.MAX_SENTENCE_CHARS
    assert [f.problem for f in fixes] == ["too_long"]
    ac.AttentionConfig(sentence=value)


def test_a_normal_sentence_is_kept_verbatim() -> None:
    raw = "The cat sat on the mat."
    assert parse_one("sentence", raw) == (raw, [])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("el niño\ncome pan", "el niño come pan"),  # Enter in the text area
        ("el niño\r\ncome\rpan", "el niño come pan"),  # Windows and old Mac line ends: one space each
        ("\nel niño come pan\n\n", "el niño come pan"),  # blank lines before and after go
        ("el\u2028niño\x85come\vpan", "el niño come pan"),  # Unicode's line separators too
        ("a\n\nb", "a  b"),  # a blank line between words is two spaces, not a merged word
    ],
)
def test_line_breaks_become_spaces(raw: str, expected: str) -> None:
    value, fixes = parse_one("sentence", raw)
    assert (value, fixes) == (expected, [])
    assert not any(c in str(value) for c in "\n\r\v\x85\u2028")  # one line, in the link and in the box
    assert ac.tokenize(str(value)) == ac.tokenize(raw)  # the same tokens as the text as typed


def test_line_breaks_alone_are_an_empty_sentence() -> None:
    value, fixes = parse_one("sentence", "\n\r\n\u2029")
    assert value == ac.NOTEBOOK_SENTENCE
    assert [f.problem for f in fixes] == ["empty"]


def test_exactly_256_tokens_is_allowed() -> None:
    raw = " ".join(f"w{i}" for i in range(ac.MAX_TOKENS))
    assert parse_one("sentence", raw) == (raw, [])


# --- choices, booleans, temperature -----------------------------------------------------------


@pytest.mark.parametrize("raw", ["<script>", "<script>alert(1)</script>", "", "Notebook2", "rope"])
def test_unknown_positional_takes_the_default(raw: str) -> None:
    value, fixes = parse_one("positional", raw)
    assert value == "notebook"
    assert fixes == [P.Fix("positional", raw, "notebook", "unknown")]


@pytest.mark.parametrize("raw", ["notebook", "sinusoidal", "none", " Sinusoidal ", "NONE"])
def test_known_positional_is_taken(raw: str) -> None:
    assert parse_one("positional", raw) == (raw.strip().lower(), [])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("1", True), ("yes", True), ("TRUE", True), (" on ", True), ("no", False), ("false", False)],
)
@pytest.mark.parametrize("key", ["scaled", "causal"])
def test_booleans(key: str, raw: str, expected: bool) -> None:
    assert parse_one(key, raw) == (expected, [])


@pytest.mark.parametrize("raw", ["maybe", "", "2", "tru"])
@pytest.mark.parametrize("key", ["scaled", "causal"])
def test_malformed_boolean_takes_the_default(key: str, raw: str) -> None:
    value, fixes = parse_one(key, raw)
    assert value is False
    assert fixes == [P.Fix(key, raw, "false", "malformed")]


@pytest.mark.parametrize("raw", ["nan", "NaN", "inf", "-inf", "abc", "", "1,5"])
def test_malformed_temperature_takes_the_default(raw: str) -> None:
    value, fixes = parse_one("temperature", raw)
    assert value == 1.0
    assert [(f.key, f.given, f.problem) for f in fixes] == [("temperature", raw, "malformed")]


@pytest.mark.parametrize(
    ("raw", "expected"), [("0", P.TEMPERATURE_MIN), ("-2", P.TEMPERATURE_MIN), ("1e9", P.TEMPERATURE_MAX)]
)
def test_out_of_range_temperature_is_clamped(raw: str, expected: float) -> None:
    value, fixes = parse_one("temperature", raw)
    assert value == expected
    assert [(f.key, f.problem) for f in fixes] == [("temperature", "range")]


@pytest.mark.parametrize(("raw", "expected"), [("0.5", 0.5), ("2", 2.0), (" 1.25 ", 1.25)])
def test_valid_temperature_is_taken(raw: str, expected: float) -> None:
    assert parse_one("temperature", raw) == (expected, [])


# --- the whole URL ----------------------------------------------------------------------------


def test_no_parameters_give_the_notebooks_config_and_no_fixes() -> None:
    values, fixes = P.parse_config_params({})
    assert fixes == []
    assert {k: values[k] for k in P.CONFIG_KEYS} == {k: getattr(DEFAULT, k) for k in P.CONFIG_KEYS}


def test_every_bad_value_is_reported_once_and_the_rest_is_kept() -> None:
    raw = {
        "sentence": "",
        "d_model": "abc",
        "d_k": "5",
        "seed": "-5",
        "n_heads": "999",
        "positional": "<script>",
        "scaled": "maybe",
        "causal": "yes",
        "temperature": "nan",
    }
    values, fixes = P.parse_config_params(raw)
    assert sorted(f.key for f in fixes) == sorted(
        ["sentence", "d_model", "seed", "n_heads", "positional", "scaled", "temperature"]
    )
    assert values["d_k"] == 5 and values["causal"] is True
    assert values["seed"] == 0 and values["n_heads"] == 16 and values["d_model"] == 4
    ac.AttentionConfig(**{k: values[k] for k in P.CONFIG_KEYS})


def test_unknown_parameters_are_ignored() -> None:
    values, fixes = P.parse_config_params({"utm_source": "x", "foo": "<b>"})
    assert fixes == []
    assert "foo" not in values


@pytest.mark.parametrize(
    "config",
    [
        DEFAULT,
        ac.AttentionConfig(
            sentence="the cat sat on the mat",
            seed=7,
            n_heads=2,
            d_model=8,
            scaled=True,
            causal=True,
            temperature=0.5,
        ),
        ac.AttentionConfig(d_k=1, d_v=256, seed=ac.SEED_MAX, positional="none", temperature=100.0),
        ac.AttentionConfig(sentence="¿Qué tal? ¡Bien!", positional="sinusoidal", temperature=0.01),
    ],
)
def test_format_then_parse_gives_the_same_config(config: ac.AttentionConfig) -> None:
    url = {k: P.format_param(getattr(config, k)) for k in P.CONFIG_KEYS}
    assert all(isinstance(v, str) for v in url.values())
    values, fixes = P.parse_config_params(url)
    assert fixes == []
    assert ac.AttentionConfig(**{k: values[k] for k in P.CONFIG_KEYS}) == config


def test_format_param_spells_values_as_in_the_url() -> None:
    assert P.format_param(True) == "true"
    assert P.format_param(False) == "false"
    assert P.format_param(1.0) == "1"
    assert P.format_param(0.5) == "0.5"
    assert P.format_param(23) == "23"
    assert P.format_param("me gusta") == "me gusta"


@settings(max_examples=300, deadline=None)
@given(
    key=st.sampled_from(["sentence", "d_model", "d_k", "d_v", "seed", "n_heads", "positional", "scaled", "causal"]),
    raw=st.text(max_size=60),
)
def test_any_text_gives_a_usable_config(key: str, raw: str) -> None:
    values, fixes = P.parse_config_params({key: raw})
    config = ac.AttentionConfig(**{k: values[k] for k in P.CONFIG_KEYS})  # never raises
    assert 1 <= len(config.tokens) <= ac.MAX_TOKENS
    assert all(f.key == key and f.given == raw for f in fixes)
    assert len(fixes) <= 1


@settings(max_examples=200, deadline=None)
@given(raw=st.one_of(st.text(max_size=30), st.floats(allow_nan=True, allow_infinity=True).map(repr)))
def test_any_temperature_text_gives_a_finite_temperature_in_range(raw: str) -> None:
    value, _ = parse_one("temperature", raw)
    assert isinstance(value, float) and math.isfinite(value)
    assert P.TEMPERATURE_MIN <= value <= P.TEMPERATURE_MAX
