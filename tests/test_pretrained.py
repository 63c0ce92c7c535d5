"""attention_core.models: a trained BERT in numpy, checked against an independent per-token reference.

The reference below reads the weights straight from model.safetensors (PyTorch's (out, in) layout),
walks token by token and head by head with math.exp / math.erf, and shares no code with the
vectorised engine. It runs on the real all-MiniLM-L6-v2 (layer 0 and the last layer) and on a tiny
random checkpoint the tests write themselves (tests/tiny_bert.py).
"""

from __future__ import annotations

import json
import math
import pickle
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

from attention_core import EncoderTrace
from attention_core import models as pt
from attention_core.encoder import layer_norm
from attention_core.models import registry
from tests.tiny_bert import VOCAB, write_tiny_bert

# The engine multiplies by the weights in float32 (as shipped, like PyTorch) and keeps its trace in
# float32; the reference runs in float64. The bar against PyTorch is 1e-4 (α) and 1e-3 (hidden).
ALPHA_TOL = 2e-6
HIDDEN_TOL = 2e-5
F32_TOL = {"rtol": 1e-5, "atol": 2e-6}  # two float32 arrays that hold the same number

ANIMAL = "The animal didn't cross the street because it was too tired"
ANIMAL_TOKENS = [
    "[CLS]", "the", "animal", "didn", "'", "t", "cross", "the", "street", "because", "it", "was", "too", "tired",
    "[SEP]",
]  # fmt: skip


@pytest.fixture(scope="module")
def minilm() -> pt.PretrainedModel:
    return pt.load_model()


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_bert(tmp_path_factory.mktemp("tiny") / "tiny-bert")


@pytest.fixture(scope="module")
def tiny(tiny_dir: Path) -> pt.PretrainedModel:
    return pt.load_model(tiny_dir)


# --- the independent reference ------------------------------------------------------------------


def _ref_ln(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mu = sum(float(v) for v in x) / len(x)
    var = sum((float(v) - mu) ** 2 for v in x) / len(x)
    return np.array([(float(v) - mu) / math.sqrt(var + eps) for v in x]) * g + b


def reference_forward(folder: Path, ids: list[int]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Every hidden state and every layer's α (h, n, n), token by token and head by head."""
    w = {k: v.astype(np.float64) for k, v in load_file(str(folder / "model.safetensors")).items()}
    cfg = json.loads((folder / "config.json").read_text())
    h, eps = cfg["num_attention_heads"], cfg["layer_norm_eps"]
    d = cfg["hidden_size"]
    dh = d // h

    def lin(name: str, x: np.ndarray) -> np.ndarray:  # one token: W (out, in) @ x + b
        return w[name + ".weight"] @ x + w[name + ".bias"]

    xs = [
        _ref_ln(
            w["embeddings.word_embeddings.weight"][t]
            + w["embeddings.position_embeddings.weight"][i]
            + w["embeddings.token_type_embeddings.weight"][0],
            w["embeddings.LayerNorm.weight"],
            w["embeddings.LayerNorm.bias"],
            eps,
        )
        for i, t in enumerate(ids)
    ]
    hidden, alphas = [np.array(xs)], []
    n = len(ids)
    for layer in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{layer}."
        qs = [lin(p + "attention.self.query", x) for x in xs]
        ks = [lin(p + "attention.self.key", x) for x in xs]
        vs = [lin(p + "attention.self.value", x) for x in xs]
        alpha = np.zeros((h, n, n))
        outs = [np.zeros(d) for _ in range(n)]
        for hh in range(h):
            cols = slice(hh * dh, (hh + 1) * dh)
            for i in range(n):
                logits = [float(np.dot(qs[i][cols], ks[j][cols])) / math.sqrt(dh) for j in range(n)]
                top = max(logits)
                exps = [math.exp(v - top) for v in logits]
                total = sum(exps)
                for j in range(n):
                    alpha[hh, i, j] = exps[j] / total
                    outs[i][cols] += alpha[hh, i, j] * vs[j][cols]
        alphas.append(alpha)
        new_xs = []
        for i in range(n):
            a = _ref_ln(
                xs[i] + lin(p + "attention.output.dense", outs[i]),
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
                eps,
            )
            pre = lin(p + "intermediate.dense", a)
            act = np.array([v * 0.5 * (1.0 + math.erf(v / math.sqrt(2.0))) for v in pre])
            new_xs.append(
                _ref_ln(
                    a + lin(p + "output.dense", act),
                    w[p + "output.LayerNorm.weight"],
                    w[p + "output.LayerNorm.bias"],
                    eps,
                )
            )
        xs = new_xs
        hidden.append(np.array(xs))
    return hidden, alphas


# --- erf and GELU ---------------------------------------------------------------------------------


def test_erf_matches_math_erf_on_a_dense_grid() -> None:
    xs = np.concatenate([np.linspace(-10, 10, 400_001), [0.0, -0.0, 1e-300, 5.9999, 6.0, 6.0001, 1e6, -1e6]])
    exact = np.array([math.erf(x) for x in xs])
    err = np.abs(pt.erf(xs) - exact)
    assert err.max() < 1e-9  # the issue asks for 1e-7; Abramowitz-Stegun 7.1.26 would fail at 1.5e-7


def test_gelu_is_the_exact_erf_form_not_tanh() -> None:
    xs = np.linspace(-12, 12, 100_001)
    exact = np.array([x * 0.5 * (1 + math.erf(x / math.sqrt(2))) for x in xs])
    assert np.abs(pt.gelu(xs) - exact).max() < 1e-9
    tanh_form = 0.5 * xs * (1 + np.tanh(math.sqrt(2 / math.pi) * (xs + 0.044715 * xs**3)))
    assert np.abs(pt.gelu(xs) - tanh_form).max() > 1e-4  # the two forms differ by ~5e-4 near |x| = 2


def test_layer_norm_with_learned_scale_and_shift() -> None:
    rng = np.random.RandomState(3)
    x, g, b = rng.randn(4, 6), rng.randn(6), rng.randn(6)
    plain = layer_norm(x, 1e-12)
    learned = layer_norm(x, 1e-12, g, b)
    np.testing.assert_allclose(learned.output, plain.output * g + b, atol=1e-12)
    np.testing.assert_allclose(learned.output[1], _ref_ln(x[1], g, b, 1e-12), atol=1e-12)
    assert layer_norm(x).gamma is None  # the textbook layer keeps no scale
    with pytest.raises(ValueError, match="gamma"):
        layer_norm(x, 1e-5, np.ones(5))


# --- the real checkpoint --------------------------------------------------------------------------


def test_default_model_sizes(minilm: pt.PretrainedModel) -> None:
    m = minilm
    assert (m.name, m.n_layers, m.n_heads, m.d_model, m.d_head, m.d_ff, m.max_tokens) == (
        "all-MiniLM-L6-v2", 6, 12, 384, 32, 1536, 512,
    )  # fmt: skip
    assert (m.path / "model.safetensors").is_file()
    assert m.eps == 1e-12


def test_tokens_are_the_tokenizers_without_padding(minilm: pt.PretrainedModel) -> None:
    trace = pt.run_model(minilm, ANIMAL)
    assert trace.tokens == ANIMAL_TOKENS  # no [PAD] to 128, though tokenizer.json asks for it
    assert trace.input_ids.tolist()[:3] == [101, 1996, 4111] and trace.input_ids[-1] == 102
    assert not trace.truncated
    assert trace.special.tolist() == [True] + [False] * 13 + [True]


def test_forward_pass_matches_the_per_token_reference(minilm: pt.PretrainedModel) -> None:
    trace = pt.run_model(minilm, ANIMAL)
    hidden, alphas = reference_forward(minilm.path, trace.input_ids.tolist())
    last = minilm.n_layers - 1
    for layer in (0, last):
        np.testing.assert_allclose(trace.layers[layer].weights, alphas[layer], atol=ALPHA_TOL)
        np.testing.assert_allclose(trace.layers[layer].x, hidden[layer], atol=HIDDEN_TOL)
        np.testing.assert_allclose(trace.layers[layer].output, hidden[layer + 1], atol=HIDDEN_TOL)
    np.testing.assert_allclose(trace.hidden_states, np.stack(hidden), atol=HIDDEN_TOL)
    mean = hidden[-1].mean(axis=0)
    np.testing.assert_allclose(trace.sentence_embedding, mean / np.linalg.norm(mean), atol=1e-6)


def test_trace_shapes_and_intermediates_agree(minilm: pt.PretrainedModel) -> None:
    trace = pt.run_model(minilm, ANIMAL)
    n = trace.n_tokens
    assert trace.hidden_states.shape == (7, n, 384)
    lt = trace.layers[2]
    assert lt.q.shape == lt.k.shape == lt.v.shape == lt.head_outputs.shape == (12, n, 32)
    assert lt.scores.shape == lt.weights.shape == (12, n, n)
    assert lt.ffn_pre_gelu.shape == lt.ffn_hidden.shape == (n, 1536)
    np.testing.assert_allclose(lt.sum1, lt.x + lt.attn_output, **F32_TOL)
    np.testing.assert_allclose(lt.sum2, lt.norm1.output + lt.ffn_output, **F32_TOL)
    np.testing.assert_allclose(lt.head_outputs, lt.weights @ lt.v, **F32_TOL)
    # q really includes the bias: q = x W_Q + b_Q for head 5
    wq, _, _ = minilm.layers[2].head_weights(5, 12)
    bq, _, _ = minilm.layers[2].head_biases(5, 12)
    np.testing.assert_allclose(lt.q[5], lt.x @ wq + bq, **F32_TOL)
    assert lt.scale == pytest.approx(1 / math.sqrt(32))


def test_a_trained_layer_is_the_one_encoder_layer_in_float32(tiny: pt.PretrainedModel) -> None:
    """run_layer is encoder_layer with the checkpoint's options: its trace type, float32, the logits scaled."""
    trace = pt.run_model(tiny, "the cat sat on the mat")
    lt = trace.layers[1]
    assert isinstance(lt, EncoderTrace) and pt.LayerTrace is EncoderTrace
    assert (lt.norm_first, lt.activation, lt.causal, lt.norm_in, lt.eps) == (False, "gelu", False, None, 1e-12)
    for a in (lt.x, lt.q, lt.scores, lt.weights, lt.ffn_pre, lt.output, lt.norm1.output, lt.norm2.output, lt.logits):
        assert a.dtype == np.float32
    np.testing.assert_array_equal(lt.logits, lt.scores * np.float32(lt.scale))
    assert lt.scale == pytest.approx(1 / math.sqrt(4))  # d_head = 8 / 2
    assert lt.ffn_pre_gelu is lt.ffn_pre and lt.attn_weights is lt.weights
    w = tiny.layers[1]
    np.testing.assert_array_equal(lt.norm1.gamma, w.ln1_gamma)  # attention.output.LayerNorm
    np.testing.assert_array_equal(lt.norm2.beta, w.ln2_beta)  # output.LayerNorm
    np.testing.assert_allclose(lt.attn_output, lt.attn_concat @ w.w_o + w.b_o, **F32_TOL)
    np.testing.assert_allclose(lt.ffn_hidden, pt.gelu(lt.ffn_pre.astype(np.float64)), atol=1e-6)


def test_properties_rows_sum_to_one_unit_embedding_round_trip(minilm: pt.PretrainedModel) -> None:
    for text in (ANIMAL, "me gusta estudiar inteligencia artificial", "Ünïcödé — 🙂 tokens!", "a"):
        trace = pt.run_model(minilm, text)
        np.testing.assert_allclose(trace.attentions.sum(axis=-1), 1.0, atol=1e-6)
        assert (trace.attentions >= 0).all()
        assert float(np.linalg.norm(trace.sentence_embedding)) == pytest.approx(1.0, abs=1e-12)
        tok = minilm.tokenizer
        assert trace.tokens == [tok.id_to_token(int(i)) for i in trace.input_ids]
        assert tok.decode(trace.input_ids.tolist()) == tok.decode(tok.encode(text).ids)
    spanish = pt.run_model(minilm, "me gusta estudiar inteligencia artificial")
    assert "##a" in spanish.tokens  # an English vocabulary splits "gusta" into sub-words


def test_similar_sentences_have_closer_embeddings(minilm: pt.PretrainedModel) -> None:
    a, b, c = (
        pt.run_model(minilm, s).sentence_embedding
        for s in ("A man is playing a guitar.", "Someone plays the guitar.", "The stock market fell sharply today.")
    )
    assert float(a @ b) > 0.6 > float(a @ c) + 0.3


def test_long_text_is_cut_keeping_sep(minilm: pt.PretrainedModel) -> None:
    trace = pt.run_model(minilm, "word " * 300, max_tokens=64)
    assert trace.truncated and trace.n_tokens == 64 and trace.n_tokens_full == 302
    assert trace.tokens[0] == "[CLS]" and trace.tokens[-1] == "[SEP]" and trace.tokens[-2] == "word"
    assert pt.run_model(minilm, "word " * 600).n_tokens == 512  # the model's own cap


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_blank_text_is_refused(minilm: pt.PretrainedModel, text: str) -> None:
    with pytest.raises(ValueError, match="empty or blank"):
        pt.run_model(minilm, text)


def test_trace_is_read_only_even_after_pickling(tiny: pt.PretrainedModel) -> None:
    trace = pt.run_model(tiny, "the cat sat")
    copy = pickle.loads(pickle.dumps(trace))
    for t in (trace, copy):
        for a in (t.hidden_states, t.layers[0].weights, t.layers[1].norm1.output, t.input_ids):
            with pytest.raises(ValueError):
                a[0] = 0
    np.testing.assert_array_equal(copy.layers[1].weights, trace.layers[1].weights)


def test_head_patterns_scores(minilm: pt.PretrainedModel) -> None:
    trace = pt.run_model(minilm, ANIMAL)
    pats = pt.head_patterns(trace)
    a = trace.layers[1].weights[4]
    n = trace.n_tokens
    assert pats.of("previous")[1, 4] == pytest.approx(sum(a[i, i - 1] for i in range(1, n)) / (n - 1))
    assert pats.of("next")[1, 4] == pytest.approx(sum(a[i, i + 1] for i in range(n - 1)) / (n - 1))
    assert pats.of("self")[1, 4] == pytest.approx(sum(a[i, i] for i in range(n)) / n)
    assert pats.of("cls_sep")[1, 4] == pytest.approx(sum(a[i, 0] + a[i, n - 1] for i in range(n)) / n)
    ent = [-sum(p * math.log(p) for p in row if p > 0) / math.log(n) for row in a]
    assert pats.of("broad")[1, 4] == pytest.approx(sum(ent) / n)
    ranked = pats.ranked("previous")
    assert len(ranked) == 72 and ranked[0][2] >= ranked[1][2] >= ranked[-1][2]
    # Clark et al. found heads that attend almost only to the previous token; this model has them too.
    assert ranked[0][2] > 0.5
    assert pats.scores.min() >= 0.0 and pats.scores.max() <= 1.0 + 1e-12


def test_head_step_is_one_row_of_the_head(minilm: pt.PretrainedModel) -> None:
    trace = pt.run_model(minilm, ANIMAL)
    step = pt.head_step(trace, 5, 3, 10)  # "it" in the last layer
    lt = trace.layers[5]
    np.testing.assert_allclose(step.weights, lt.weights[3, 10])
    np.testing.assert_allclose(step.output, lt.head_outputs[3, 10], **F32_TOL)
    np.testing.assert_allclose(step.logits, lt.q[3, 10] @ lt.k[3].T / math.sqrt(32), **F32_TOL)
    assert float(step.weights.sum()) == pytest.approx(1.0)


def test_random_weights_give_flatter_attention(minilm: pt.PretrainedModel) -> None:
    rand = pt.random_model(minilm, seed=1)
    assert rand.embeddings is minilm.embeddings and rand.n_heads == 12
    trained = pt.head_patterns(pt.run_model(minilm, ANIMAL)).of("broad")
    random = pt.head_patterns(pt.run_model(rand, ANIMAL)).of("broad")
    assert random.min() > 0.99 > trained.mean()  # near-uniform rows before training
    again = pt.run_model(pt.random_model(minilm, seed=1), ANIMAL)
    np.testing.assert_array_equal(again.attentions, pt.run_model(rand, ANIMAL).attentions)


# --- the tiny checkpoint and the loading paths ----------------------------------------------------


def test_tiny_checkpoint_matches_the_reference(tiny: pt.PretrainedModel, tiny_dir: Path) -> None:
    assert (tiny.n_layers, tiny.n_heads, tiny.d_model, tiny.d_head, tiny.max_tokens) == (2, 2, 8, 4, 16)
    assert tiny.name == "tiny-bert"
    trace = pt.run_model(tiny, "The big red cats sat on a mat.")
    assert trace.tokens == ["[CLS]", "the", "big", "red", "cat", "##s", "sat", "on", "a", "mat", ".", "[SEP]"]
    hidden, alphas = reference_forward(tiny_dir, trace.input_ids.tolist())
    np.testing.assert_allclose(trace.attentions, np.stack(alphas), atol=ALPHA_TOL)
    np.testing.assert_allclose(trace.hidden_states, np.stack(hidden), atol=HIDDEN_TOL)
    unknown = pt.run_model(tiny, "zebra")
    assert unknown.tokens == ["[CLS]", "[UNK]", "[SEP]"] and len(VOCAB) == tiny.vocab_size


def test_tiny_checkpoint_is_cut_at_its_position_table(tiny: pt.PretrainedModel) -> None:
    trace = pt.run_model(tiny, "the cat " * 20)
    assert trace.truncated and trace.n_tokens == 16 and trace.tokens[-1] == "[SEP]"


def test_environment_variable_selects_the_folder(tiny_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pt.MODEL_DIR_ENV, str(tiny_dir))
    assert pt.load_model().n_layers == 2


def test_task_model_prefix_bert_is_accepted(tmp_path: Path) -> None:
    folder = write_tiny_bert(tmp_path / "mlm")
    weights = load_file(str(folder / "model.safetensors"))
    save_file({f"bert.{k}": v for k, v in weights.items()}, str(folder / "model.safetensors"))
    assert pt.load_model(folder).n_heads == 2


@pytest.mark.parametrize("missing", ["config.json", "model.safetensors", "tokenizer.json"])
def test_missing_file_is_named(tmp_path: Path, missing: str) -> None:
    folder = write_tiny_bert(tmp_path / "m")
    (folder / missing).unlink()
    with pytest.raises(FileNotFoundError, match=missing.replace(".", r"\.")):
        pt.load_model(folder)


def test_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nowhere"):
        pt.load_model(tmp_path / "nowhere")


def test_truncated_safetensors(tmp_path: Path) -> None:
    folder = write_tiny_bert(tmp_path / "m")
    data = (folder / "model.safetensors").read_bytes()
    (folder / "model.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"model\.safetensors.*truncated or corrupt"):
        pt.load_model(folder)
    (folder / "model.safetensors").write_bytes(b"not a safetensors file at all")
    with pytest.raises(ValueError, match=r"model\.safetensors"):
        pt.load_model(folder)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"model_type": "gpt2"}, "model_type"),
        ({"hidden_size": None}, "hidden_size"),
        ({"num_attention_heads": 3}, "num_attention_heads"),
        ({"hidden_act": "relu"}, "hidden_act"),
        ({"num_hidden_layers": "two"}, "num_hidden_layers"),
    ],
)
def test_bad_config_names_the_field(tmp_path: Path, change: dict[str, object], field: str) -> None:
    folder = write_tiny_bert(tmp_path / "m", **change)
    with pytest.raises(ValueError, match=rf"config\.json.*{field}"):
        pt.load_model(folder)


def test_config_that_is_not_json(tmp_path: Path) -> None:
    folder = write_tiny_bert(tmp_path / "m")
    (folder / "config.json").write_text("{ not json")
    with pytest.raises(ValueError, match=r"config\.json"):
        pt.load_model(folder)


def test_shape_mismatch_names_the_weight(tmp_path: Path) -> None:
    folder = write_tiny_bert(tmp_path / "m", intermediate_size=12)  # the weights have 16
    with pytest.raises(
        ValueError, match=r"model\.safetensors.*'encoder\.layer\.0\.intermediate\.dense\.weight'.*\(12, 8\)"
    ):
        pt.load_model(folder)


def test_missing_weight_is_named(tmp_path: Path) -> None:
    folder = write_tiny_bert(tmp_path / "m")
    weights = load_file(str(folder / "model.safetensors"))
    del weights["encoder.layer.1.output.LayerNorm.bias"]
    save_file(weights, str(folder / "model.safetensors"))
    with pytest.raises(ValueError, match=r"'encoder\.layer\.1\.output\.LayerNorm\.bias' is missing"):
        pt.load_model(folder)


@pytest.mark.parametrize("damaged", sorted(pt.DEFAULT_MODEL_FILES))
def test_default_model_checks_every_file_it_reads(
    damaged: str, minilm: pt.PretrainedModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The packaged model's folder with one file's last byte changed: the error names that file."""
    folder = tmp_path / "impostor"
    folder.mkdir()
    for name in pt.DEFAULT_MODEL_FILES:
        if name != damaged:
            (folder / name).symlink_to(minilm.path / name)
    data = bytearray((minilm.path / damaged).read_bytes())
    data[-1] ^= 1
    (folder / damaged).write_bytes(bytes(data))
    monkeypatch.delenv(pt.MODEL_DIR_ENV, raising=False)
    monkeypatch.setattr(registry, "default_model_dir", lambda: folder)
    expected = pt.DEFAULT_MODEL_FILES[damaged][:8]
    with pytest.raises(
        ValueError, match=rf"{damaged.replace('.', '[.]')}: sha256 is [0-9a-f]{{64}}, expected {expected}"
    ):
        pt.load_model()
    (folder / damaged).unlink()
    with pytest.raises(FileNotFoundError, match=rf"{damaged.replace('.', '[.]')}: missing"):
        pt.load_model()


def test_default_model_files_have_the_recorded_sha256(minilm: pt.PretrainedModel) -> None:
    assert pt.sha256_of(minilm.path / "model.safetensors") == pt.DEFAULT_MODEL_SHA256
    assert {name: pt.sha256_of(minilm.path / name) for name in pt.DEFAULT_MODEL_FILES} == dict(pt.DEFAULT_MODEL_FILES)
    assert sorted(pt.DEFAULT_MODEL_FILES) == ["config.json", "model.safetensors", "tokenizer.json", "vocab.txt"]
