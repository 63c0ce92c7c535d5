"""`python -m attention_core`, run as a user would run it."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from attention_core import AttentionConfig, compute

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "attention_core", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def default_run() -> subprocess.CompletedProcess[str]:
    return run()


def test_default_prints_the_notebooks_numbers(default_run: subprocess.CompletedProcess[str]) -> None:
    assert default_run.returncode == 0, default_run.stderr
    out = default_run.stdout
    assert "0.1984" in out
    assert "tokens: ['me', 'gusta', 'estudiar', 'inteligencia', 'artificial']" in out
    # The last table is the notebook's "atencion scores"; its rows end with the token labels.
    final = out[out.rindex("Attention output alphas V") :].splitlines()
    rows = {line.split()[0]: line.split()[1:] for line in final[2:] if line.strip()}
    assert rows["me"] == ["0.0066", "-0.0286", "0.0036"]
    assert rows["inteligencia"] == ["0.0060", "-0.0315", "-0.0049"]
    assert rows["artificial"] == ["0.0068", "-0.0313", "-0.0067"]
    # The alpha matrix, with 4 decimals like the notebook.
    alphas = out[out.index("alphas = softmax(logits)") :].splitlines()
    assert alphas[2].split() == ["me", "0.1984", "0.2030", "0.1929", "0.2045", "0.2012"]
    assert "Word 'gusta': alphas [0.177  0.194  0.2195 0.2076 0.2019]" in out
    assert default_run.stderr == ""


def test_options_reach_the_config() -> None:
    r = run("--sentence", "The cat sat", "--d-model", "8", "--heads", "2", "--scaled", "--causal", "--seed", "5")
    assert r.returncode == 0, r.stderr
    assert "tokens: ['the', 'cat', 'sat']" in r.stdout
    assert "(head 2)" in r.stdout
    assert "W_o" in r.stdout
    # causal: "the" (the first token) attends to itself only, in both heads.
    tables = r.stdout.split("alphas = softmax(logits)")[1:]
    assert len(tables) == 2
    for table in tables:
        assert table.splitlines()[2].split() == ["the", "1.0000", "0.0000", "0.0000"]


def test_json_matches_compute() -> None:
    r = run("--json", "--sentence", "a b c d", "--heads", "2", "--causal", "--seed", "9", "--temperature", "0.5")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    tr = compute(AttentionConfig(sentence="a b c d", n_heads=2, causal=True, seed=9, temperature=0.5))
    assert data["tokens"] == ["a", "b", "c", "d"]
    assert data["causal"] is True and data["temperature"] == 0.5
    np.testing.assert_allclose(np.array(data["weights"]), tr.weights, rtol=0, atol=1e-15)
    np.testing.assert_allclose(np.array(data["output"]), tr.output, rtol=0, atol=1e-15)
    np.testing.assert_allclose(np.array(data["w_o"]), tr.w_o, rtol=0, atol=1e-15)
    # -inf cells of the logits are written as null (JSON has no infinity).
    logits = np.array([[[-math.inf if c is None else c for c in row] for row in head] for head in data["logits"]])
    np.testing.assert_array_equal(logits, tr.logits)
    assert data["logits"][0][0][1] is None


def test_json_default_is_the_notebook() -> None:
    r = run("--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert round(data["weights"][0][0][0], 4) == 0.1984
    assert data["w_o"] is None
    assert data["positional_used"] == {"scheme": "notebook", "reason": None}
    np.testing.assert_allclose(np.array(data["weights"]), compute(AttentionConfig()).weights, rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    ("args", "word"),
    [
        (["--d-model", "abc"], "--d-model"),
        (["--heads", "99"], "n_heads"),
        (["--sentence", ""], "sentence"),
        (["--d-model", "0"], "d_model"),
        (["--temperature", "nan"], "temperature"),
        (["--positional", "foo"], "--positional"),
        (["--no-such-option"], "--no-such-option"),
    ],
)
def test_bad_options_exit_2_with_one_line(args: list[str], word: str) -> None:
    r = run(*args)
    assert r.returncode == 2
    assert r.stdout == ""
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("python -m attention_core: error:")
    assert word in lines[0]
