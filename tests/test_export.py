"""Exports: CSV and JSON round-trips, the LaTeX bmatrix, and the generated notebook run cell by cell.

The notebook's trusted reference is `compute(config)`: its code cells, executed in order in a
fresh namespace (no kernel), must give the same X, Q, K, V, alphas and output to 1e-12.
"""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from typing import Any

import nbformat
import numpy as np
import pandas as pd
import pytest

import attention_core as ac
from attention_core import AttentionConfig, compute, trace_from_matrices
from attention_core.export import (
    all_matrices,
    available_kinds,
    latex_bmatrix,
    matrices_zip,
    matrix_csv,
    trace_json,
    trace_matrix,
)
from attention_core.export.notebook import MAX_WORD_SECTIONS, notebook_json

TOL = 1e-12

# 12 tokens: "gato", '"' and "al" repeat, and a backslash is a token of its own.
TWELVE = 'el gato "negro" ve al gato \\ y al perro'
MULTI = AttentionConfig(
    sentence=TWELVE, d_model=6, d_k=4, d_v=2, n_heads=3, scaled=True, causal=True, temperature=0.7, seed=7
)


def run_notebook(text: str) -> tuple[dict[str, Any], str]:
    """Execute every code cell in order in one fresh namespace; return it and what was printed."""
    nb = json.loads(text)
    ns: dict[str, Any] = {"__name__": "__notebook__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                exec(compile("".join(cell["source"]), "<cell>", "exec"), ns)
    return ns, out.getvalue()


def read_csv(source: Any) -> pd.DataFrame:
    """pandas.read_csv with exact float parsing (the default from pandas 3; an option before)."""
    exact = {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}
    return pd.read_csv(source, index_col=0, keep_default_na=False, **exact)


def assert_close(actual: Any, expected: Any) -> None:
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), rtol=0, atol=TOL)


def check_notebook_reproduces(
    config: AttentionConfig, lang: str = "en", custom: Any = None
) -> tuple[dict[str, Any], str]:
    text = notebook_json(config, lang=lang, custom=custom)
    nbformat.validate(nbformat.reads(text, as_version=4))
    ns, printed = run_notebook(text)
    trace = custom if custom is not None else compute(config)
    assert ns["tokens"] == list(trace.tokens)
    assert_close(ns["X"], trace.x)
    if trace.n_heads == 1:
        for name, expected in (("Q", trace.q[0]), ("K", trace.k[0]), ("V", trace.v[0]), ("alphas", trace.weights[0])):
            assert_close(ns[name], expected)
        assert_close(ns["scores"], trace.scores[0])
    else:
        for name, expected in (("Q", trace.q), ("K", trace.k), ("V", trace.v), ("alphas", trace.weights)):
            assert_close(ns[name], expected)
        assert_close(ns["W_q_heads"], trace.w_q)
        assert_close(ns["W_o"], trace.w_o)
        assert_close(ns["heads"], trace.head_outputs)
        assert_close(ns["concat"], trace.concat)
    if "logits" in ns:
        assert_close(ns["logits"], trace.logits if trace.n_heads > 1 else trace.logits[0])
    assert_close(ns["output"], trace.output)
    # The word-by-word sections (head 1) agree with the matrix form, and the check cell says so.
    assert_close(ns["word_by_word"], trace.head_outputs[0][: min(trace.n_tokens, MAX_WORD_SECTIONS)])
    assert printed.rstrip().endswith("True")
    return ns, printed


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_round_trips_to_full_precision() -> None:
    trace = compute(MULTI)
    m = trace_matrix(trace, "logits", head=2)  # causal: holds -inf above the diagonal
    text = matrix_csv(m.values, m.row_labels, m.col_labels)
    df = read_csv(io.StringIO(text))
    assert list(df.index) == list(m.row_labels)
    assert list(df.columns) == list(m.col_labels)
    assert np.array_equal(df.to_numpy(), m.values)  # exact, -inf included
    assert np.isneginf(df.to_numpy()).sum() == np.isneginf(m.values).sum() > 0
    assert text.splitlines()[0].startswith("token,")


def test_csv_quotes_awkward_labels_and_checks_shapes() -> None:
    values = np.array([[1 / 3, -np.inf], [1e-300, 2.5]])
    rows, cols = ['a "quoted", word', "back\\slash"], ["x,1", "y"]
    text = matrix_csv(values, rows, cols)
    df = read_csv(io.StringIO(text))
    assert list(df.index) == rows and list(df.columns) == cols
    assert np.array_equal(df.to_numpy(), values)
    with pytest.raises(ValueError, match="labels"):
        matrix_csv(values, rows[:1], cols)


def test_zip_holds_every_matrix() -> None:
    trace = compute(MULTI)
    names = [m.name for m in all_matrices(trace)]
    assert len(names) == 3 + 10 * 3 + 3 == len(set(names))  # E P X, ten per-head kinds, concat W_O output
    with zipfile.ZipFile(io.BytesIO(matrices_zip(trace))) as zf:
        assert sorted(zf.namelist()) == sorted(f"{n}.csv" for n in names)
        df = read_csv(zf.open("alpha_head3.csv"))
    assert np.array_equal(df.to_numpy(), trace.weights[2])


def test_matrix_kinds() -> None:
    one = compute(AttentionConfig())
    assert "W_O" not in available_kinds(one) and "concat" not in available_kinds(one)
    assert trace_matrix(one, "alpha").name == "alpha"
    assert trace_matrix(one, "output").col_labels == ("z1", "z2", "z3")
    with pytest.raises(ValueError, match="kind"):
        trace_matrix(one, "W_O")
    with pytest.raises(ValueError, match="head"):
        trace_matrix(compute(MULTI), "Q", head=4)
    w_o = trace_matrix(compute(MULTI), "W_O")
    assert w_o.values.shape == (6, 6) and w_o.row_labels[:3] == ("h1.z1", "h1.z2", "h2.z1")
    assert trace_matrix(compute(MULTI), "E").row_labels[:8] == (
        "el",
        "gato",
        '"',
        "negro",
        '" (2)',
        "ve",
        "al",
        "gato (2)",
    )


# --- LaTeX -------------------------------------------------------------------------------------


def test_latex_bmatrix_2x2_exact() -> None:
    got = latex_bmatrix([[0.19843, -0.5], [-np.inf, 1 / 3]])
    assert got == "\\begin{bmatrix}\n0.1984 & -0.5000 \\\\\n-\\infty & 0.3333\n\\end{bmatrix}"


def test_latex_bmatrix_details() -> None:
    assert latex_bmatrix([[-0.00001]]) == "\\begin{bmatrix}\n0.0000\n\\end{bmatrix}"  # no "-0.0000"
    assert latex_bmatrix([1.5, 2], decimals=1) == "\\begin{bmatrix}\n1.5 & 2.0\n\\end{bmatrix}"
    with pytest.raises(ValueError):
        latex_bmatrix(np.zeros((2, 2, 2)))


# --- JSON --------------------------------------------------------------------------------------


def test_trace_json_parses_and_matches() -> None:
    trace = compute(MULTI)
    data = json.loads(trace_json(trace, MULTI))  # strict JSON: no NaN or Infinity tokens
    assert np.array_equal(np.array(data["weights"]), trace.weights)
    assert np.array_equal(np.array(data["q"]), trace.q)
    assert data["tokens"] == list(trace.tokens)
    assert data["config"]["sentence"] == TWELVE and data["config"]["n_heads"] == 3
    logits = np.array(data["logits"], dtype=float)  # null -> nan
    assert np.array_equal(np.isnan(logits), np.isneginf(trace.logits))
    assert "config" not in json.loads(trace_json(compute(AttentionConfig())))


# --- Notebook ----------------------------------------------------------------------------------


def test_notebook_default_is_the_reference() -> None:
    ns, printed = check_notebook_reproduces(AttentionConfig())
    assert "alphas of me: [[0.1984 0.203  0.1929 0.2045 0.2012]]" in printed
    text = notebook_json(AttentionConfig())
    for heading in ("# Dimensions", "# Word embeddings", "## Positional encoding", "# Projection matrices"):
        assert heading in text
    assert "## Word me" in text and "## Using matrices" in text
    assert "rng = np.random.RandomState(23)" in text and "np.random.seed" not in text
    np.testing.assert_allclose(ns["me_"], [0.667, 0.0258, -0.7776, 0.9486], atol=5e-5)  # In [157]


def test_notebook_spanish_headings() -> None:
    text = notebook_json(AttentionConfig(), lang="es")
    assert "## Palabra me" in text and "## Utilizando matrices" in text
    # The UI's words: «Codificación posicional», the scheme named in Spanish, a dense layer (not «red FC»).
    assert "## Codificación posicional" in text and "red FC" not in text and "capa densa" in text
    assert "codificación posicional: los vectores escritos a mano del cuaderno" in text
    assert "me_alpha_me y los demás guardan q·k" in text and "«attention scores»" in text
    _, printed = run_notebook(text)
    assert "alphas de me: [[0.1984" in printed
    with pytest.raises(ValueError, match="lang"):
        notebook_json(AttentionConfig(), lang="fr")


def test_notebook_multi_head_scaled_causal_temperature_repeats_and_quotes() -> None:
    assert len(MULTI.tokens) == 12 and '"' in MULTI.tokens and "\\" in MULTI.tokens
    ns, _ = check_notebook_reproduces(MULTI)
    assert ns["temperature"] == 0.7 and ns["scale"] == 0.5
    text = notebook_json(MULTI)
    cells = json.loads(text)["cells"]
    headings = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    assert '## Word \\"' in headings  # the quote token, escaped in the heading
    assert sum(h.startswith("## Word ") for h in headings) == MAX_WORD_SECTIONS


def test_notebook_sinusoidal_odd_d_model_and_no_positions() -> None:
    ns, _ = check_notebook_reproduces(AttentionConfig(positional="sinusoidal", d_model=5, d_k=2, d_v=4, seed=3))
    assert "sinusoidal_positions" in ns
    check_notebook_reproduces(AttentionConfig(positional="none", seed=11))
    check_notebook_reproduces(AttentionConfig(sentence="uno dos tres cuatro cinco seis", temperature=2.0))  # fallback


def test_notebook_long_sentence_is_compact_and_exact() -> None:
    words = " ".join(f"palabra{i % 9}" for i in range(40))  # 40 tokens, 9 distinct
    config = AttentionConfig(sentence=words, d_model=8, n_heads=2, causal=True, seed=5)
    ns, printed = check_notebook_reproduces(config)
    assert "keys" in ns and printed.count("alphas of") == MAX_WORD_SECTIONS


@pytest.mark.parametrize(
    "sentence",
    [
        "x x x_2",  # the second "x" would be named x_2, like the token "x_2": every name falls back
        "2026 for 🙂 ﬁ naïve",  # not identifiers, a keyword, an emoji, an NFKC-unstable ligature
        "a a_alpha_b b_query b",  # a_alpha_b_query would be two different things
    ],
)
def test_notebook_awkward_tokens(sentence: str) -> None:
    check_notebook_reproduces(AttentionConfig(sentence=sentence, causal=True))


def test_notebook_with_hand_edited_numbers() -> None:
    config = AttentionConfig(sentence="the cat saw the dog", n_heads=2, d_model=4, scaled=True)
    base = compute(config)
    e = np.array(base.embeddings)
    e[3, 0] = 5.0  # the second "the" no longer equals the first
    p = np.array(base.positions)
    p[0, 1] = -2.0
    wq = np.array(base.w_q)
    wq[1, 2, 0] = 0.75
    custom = trace_from_matrices(
        base.tokens, e, p, wq, base.w_k, base.w_v, base.w_o, scaled=True, causal=False, temperature=1.0
    )
    ns, _ = check_notebook_reproduces(config, custom=custom)
    assert "rng" not in ns
    with pytest.raises(ValueError, match="same sentence"):
        notebook_json(AttentionConfig(), custom=custom)


def test_concat_labels_name_each_heads_columns_in_order() -> None:
    from attention_core import concat_labels

    assert concat_labels(2, 3) == ("h1.z1", "h1.z2", "h1.z3", "h2.z1", "h2.z2", "h2.z3")
    assert concat_labels(1, 1) == ("h1.z1",)


# --- formats pinned exactly (mutation testing found these details unchecked) --------------------

EXPECTED_AXES = {  # kind -> (first row label, first column label) for the 2-head config below
    "E": ("the", "d1"), "P": ("the", "d1"), "X": ("the", "d1"),
    "W_Q": ("d1", "q1"), "W_K": ("d1", "k1"), "W_V": ("d1", "v1"),
    "Q": ("the", "q1"), "K": ("the", "k1"), "V": ("the", "v1"), "Z": ("the", "z1"),
    "scores": ("the", "the"), "logits": ("the", "the"), "alpha": ("the", "the"),
    "concat": ("the", "h1.z1"), "W_O": ("h1.z1", "d1"), "output": ("the", "o1"),
}  # fmt: skip


def test_every_matrix_has_its_axis_labels_and_file_name() -> None:
    two = compute(AttentionConfig(sentence="the cat", n_heads=2, d_model=4, d_k=2, d_v=3))
    assert set(available_kinds(two)) == set(EXPECTED_AXES)
    for kind, (row, col) in EXPECTED_AXES.items():
        m = trace_matrix(two, kind, head=2)
        assert (m.row_labels[0], m.col_labels[0]) == (row, col), kind
        assert len(m.col_labels) == m.values.shape[1] and len(m.row_labels) == m.values.shape[0], kind
    assert trace_matrix(two, "alpha", head=2).name == "alpha_head2" and trace_matrix(two, "X").name == "X"
    one = compute(AttentionConfig(sentence="the cat"))
    assert trace_matrix(one, "alpha").name == "alpha" and trace_matrix(one, "output").col_labels[0] == "z1"


def test_trace_json_keys_and_values() -> None:
    trace = compute(AttentionConfig(sentence="ñandú y gato", n_heads=2, causal=True, temperature=2.0, scaled=True))
    text = trace_json(trace)
    assert "ñandú" in text  # written as is, not as \\u escapes
    data = json.loads(text)
    assert data["positional_used"] == {"scheme": trace.positional_used.scheme, "reason": trace.positional_used.reason}
    assert (data["scale"], data["temperature"], data["causal"], data["n_heads"]) == (trace.scale, 2.0, True, 2)
    assert data["logits"][0][0][1] is None  # a masked (-inf) logit is null, as JSON has no infinity
    assert data["w_o"] is not None and compute(AttentionConfig()).to_dict()["w_o"] is None


def test_latex_writes_nan_and_infinities_as_symbols() -> None:
    assert latex_bmatrix([[float("nan"), float("inf"), -float("inf"), 0.5]]) == (
        "\\begin{bmatrix}\n\\mathrm{NaN} & \\infty & -\\infty & 0.5000\n\\end{bmatrix}"
    )


def test_file_stem_names_the_sentence_sizes_and_seed() -> None:
    assert ac.file_stem(ac.AttentionConfig()) == "attention_me-gusta-estudiar_d4-k3-v3-h1_seed23"
    spanish = ac.AttentionConfig(sentence="¿Qué tal, señor Müller?", n_heads=2, d_k=5, seed=7)
    assert ac.file_stem(spanish, custom=True) == "attention_que-tal-senor_d4-k5-v3-h2_seed7_custom"
    assert ac.file_stem(ac.AttentionConfig(sentence="猫 が 好き")) == "attention_sentence_d4-k3-v3-h1_seed23"
    # Configurations that differ in the sentence, a size or the head count get different names.
    configs = [ac.AttentionConfig(), ac.AttentionConfig(sentence="el gato"), ac.AttentionConfig(d_k=4)]
    configs.append(ac.AttentionConfig(n_heads=2))
    assert len({ac.file_stem(c) for c in configs}) == len(configs)


# --- written for the mutation run (docs/mutation.md) -------------------------------------------


def test_latex_of_a_matrix_wider_than_amsmaths_ten_columns_raises_the_counter() -> None:
    """amsmath's bmatrix holds 10 columns by default; an 11th needs \\setcounter{MaxMatrixCols}."""
    ten = latex_bmatrix(np.zeros((2, 10)), decimals=0)  # 0 decimals: whole numbers
    assert ten == "\\begin{bmatrix}\n" + " \\\\\n".join([" & ".join(["0"] * 10)] * 2) + "\n\\end{bmatrix}"
    eleven = latex_bmatrix(np.arange(11.0), decimals=0)
    row = " & ".join(str(j) for j in range(11))
    assert eleven == "\\setcounter{MaxMatrixCols}{11}\n\\begin{bmatrix}\n" + row + "\n\\end{bmatrix}"


def test_exports_refuse_bad_arguments_in_words() -> None:
    with pytest.raises(ValueError, match=r"^decimals must be >= 0, got -1$"):
        latex_bmatrix([[1.0]], decimals=-1)
    with pytest.raises(ValueError, match=r"^values must be a matrix \(2-D\) or a vector, got 3 dimensions$"):
        latex_bmatrix(np.zeros((1, 2, 2)))
    trace = compute(AttentionConfig())
    with pytest.raises(ValueError) as err:
        trace_matrix(trace, "W_O")  # one head: no W_O to export
    listed = str(err.value).removeprefix("kind must be one of ").removesuffix(", got 'W_O'")
    assert listed.split(", ") == available_kinds(trace)


def test_csv_lines_end_in_a_newline_only() -> None:
    text = matrix_csv([[1.0, 2.0], [3.0, 4.0]], ["a", "b"], ["x", "y"])
    assert text == "token,x,y\na,1.0,2.0\nb,3.0,4.0\n"  # no "\r\n": the csv module's default is for Windows


def test_file_stem_keeps_at_most_40_characters_and_no_dangling_dash() -> None:
    long = "a" * 39 + " bb cc"  # the 40th character is the dash between two words
    assert ac.file_stem(ac.AttentionConfig(sentence=long)) == "attention_" + "a" * 39 + "_d4-k3-v3-h1_seed23"
    # A first word with no ASCII letter leaves a dash in front: it is dropped before the 40 are counted.
    word = "supercalifragilisticexpialidocious"  # 34 letters
    stem = ac.file_stem(ac.AttentionConfig(sentence=f"猫 {word} abcdefgh"))
    assert stem == f"attention_{word}-abcde_d4-k3-v3-h1_seed23"
