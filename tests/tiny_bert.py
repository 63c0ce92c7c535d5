"""A tiny random BERT checkpoint written by the tests themselves (no download): 2 layers, 2 heads,
d_model 8, d_ff 16, a 16-word WordPiece vocabulary and a tokenizer.json built with `tokenizers`.

Like all-MiniLM-L6-v2's, its tokenizer.json turns padding on (to 16): the loader must switch it off.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

VOCAB = [
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "cat", "sat", "on", "mat", "##s", "a", "dog", "big", "red", ".", "##ed",
]  # fmt: skip
CONFIG = {
    "model_type": "bert",
    "architectures": ["BertModel"],
    "hidden_size": 8,
    "num_attention_heads": 2,
    "num_hidden_layers": 2,
    "intermediate_size": 16,
    "max_position_embeddings": 16,
    "vocab_size": len(VOCAB),
    "type_vocab_size": 2,
    "layer_norm_eps": 1e-12,
    "hidden_act": "gelu",
    "initializer_range": 0.02,
}


def tiny_weights(config: dict[str, int | float | str | list[str]], seed: int = 0) -> dict[str, np.ndarray]:
    """Random float32 weights under Hugging Face BERT's names, (out, in) like nn.Linear."""
    rng = np.random.RandomState(seed)
    d, ff = int(config["hidden_size"]), int(config["intermediate_size"])  # type: ignore[call-overload]

    def r(*shape: int) -> np.ndarray:
        return (rng.randn(*shape) * 0.5).astype(np.float32)

    w = {
        "embeddings.word_embeddings.weight": r(int(config["vocab_size"]), d),  # type: ignore[call-overload]
        "embeddings.position_embeddings.weight": r(int(config["max_position_embeddings"]), d),  # type: ignore[call-overload]
        "embeddings.token_type_embeddings.weight": r(2, d),
        "embeddings.LayerNorm.weight": 1 + r(d) * 0.2,
        "embeddings.LayerNorm.bias": r(d) * 0.2,
        "embeddings.position_ids": np.arange(int(config["max_position_embeddings"]), dtype=np.int64)[None],  # type: ignore[call-overload]
    }
    for i in range(int(config["num_hidden_layers"])):  # type: ignore[call-overload]
        p = f"encoder.layer.{i}."
        for name, (o, n_in) in {
            "attention.self.query": (d, d), "attention.self.key": (d, d), "attention.self.value": (d, d),
            "attention.output.dense": (d, d), "intermediate.dense": (ff, d), "output.dense": (d, ff),
        }.items():  # fmt: skip
            w[f"{p}{name}.weight"] = r(o, n_in)
            w[f"{p}{name}.bias"] = r(o) * 0.3
        for ln in ("attention.output.LayerNorm", "output.LayerNorm"):
            w[f"{p}{ln}.weight"] = 1 + r(d) * 0.2
            w[f"{p}{ln}.bias"] = r(d) * 0.2
    return w


def tiny_tokenizer() -> Tokenizer:
    tok = Tokenizer(models.WordPiece({t: i for i, t in enumerate(VOCAB)}, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    tok.add_special_tokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]"])
    tok.enable_padding(length=16, pad_id=0, pad_token="[PAD]")  # the trap all-MiniLM-L6-v2's file sets too
    return tok


def write_tiny_bert(folder: Path, seed: int = 0, **config_changes: object) -> Path:
    """Write config.json, model.safetensors and tokenizer.json into `folder`; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    config = {**CONFIG, **config_changes}
    (folder / "config.json").write_text(json.dumps(config), "utf-8")
    save_file(tiny_weights(CONFIG, seed), str(folder / "model.safetensors"))
    tiny_tokenizer().save(str(folder / "tokenizer.json"))
    return folder
