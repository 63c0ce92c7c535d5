"""Provenance rests on the bytes: every file a model is read from is checked against its recorded sha256."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path


def sha256_of(path: Path) -> str:
    """The hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_files(folder: Path, expected: Mapping[str, str]) -> None:
    """Raise ValueError naming the first file of `expected` (name -> sha256) whose bytes differ, or that is missing."""
    for name, sha in expected.items():
        file = folder / name
        if not file.is_file():
            raise FileNotFoundError(f"{file}: missing (its sha256 should be {sha})")
        if (got := sha256_of(file)) != sha:
            raise ValueError(f"{file}: sha256 is {got}, expected {sha} (a damaged or different file)")
