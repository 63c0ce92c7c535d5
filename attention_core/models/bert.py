"""Hugging Face BERT-family checkpoint folders: config.json, model.safetensors (read with safetensors'
numpy API) and tokenizer.json (run by `tokenizers`), turned into a PretrainedModel."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..arrays import FloatArray
from .weights import EmbeddingWeights, LayerWeights, PretrainedModel

REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json")
CONFIG_FIELDS = (
    "hidden_size", "num_attention_heads", "num_hidden_layers", "intermediate_size", "max_position_embeddings",
    "vocab_size",
)  # fmt: skip


def read_config(path: Path) -> dict[str, Any]:
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


def read_weights(file: Path) -> dict[str, npt.NDArray[Any]]:
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


def read_tokenizer(file: Path) -> Any:
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


def load_bert_folder(path: Path, name: str | None = None) -> PretrainedModel:
    """Read a BERT-family checkpoint folder; `name` defaults to the folder's name.

    Raises FileNotFoundError or ValueError naming the file or field at fault. Integrity (sha256) is
    the caller's: `registry.load_model` checks the files of a known model before reading them.
    """
    if not path.is_dir():
        raise FileNotFoundError(f"model folder not found: {path}")
    for file_name in REQUIRED_FILES:
        if not (path / file_name).is_file():
            raise FileNotFoundError(
                f"{path / file_name}: missing (a checkpoint folder needs {', '.join(REQUIRED_FILES)})"
            )
    config = read_config(path)
    weights_file = path / "model.safetensors"
    raw = read_weights(weights_file)

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
    tokenizer = read_tokenizer(path / "tokenizer.json")
    special = frozenset(int(i) for i, tok in tokenizer.get_added_tokens_decoder().items() if tok.special)
    if name is None:
        name = path.parent.name if path.name == "model" else path.name  # packages ship a folder called "model"
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
