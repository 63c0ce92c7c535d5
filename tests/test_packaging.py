"""The engine ships alone: `import attention_core` and its CLI need numpy and nothing else of the app.

pyproject.toml's runtime dependencies are numpy only; these tests fail if the engine starts importing
Streamlit, pandas, plotly, or the pretrained model's libraries at import time.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Importing any of these makes `import attention_core` fail in the subprocess below.
NOT_DEPENDENCIES = ("streamlit", "pandas", "plotly", "pyarrow", "safetensors", "tokenizers", "torch", "ui")

BLOCK = f"""
import sys
for name in {NOT_DEPENDENCIES!r}:
    sys.modules[name] = None  # `import name` now raises ImportError
import attention_core
import attention_core.cli
assert attention_core.cli.main(["--sentence", "hola mundo"]) == 0
"""


def test_the_engine_imports_and_runs_with_numpy_alone() -> None:
    done = subprocess.run([sys.executable, "-c", BLOCK], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "tokens: ['hola', 'mundo']" in done.stdout


def test_pyproject_ships_the_engine_and_its_cli() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["tool"]["setuptools"]["packages"]["find"]["include"] == ["attention_core", "attention_core.*"]
    assert [d.split(">")[0].split("=")[0] for d in meta["project"]["dependencies"]] == ["numpy"]
    module, func = meta["project"]["scripts"]["attention-core"].split(":")
    assert module == "attention_core.cli" and func == "main"


def test_pre_commit_runs_the_ruff_that_ci_installs() -> None:
    """`ruff format` output changes between versions: the hook and requirements-dev.txt pin the same one."""
    pinned = [line.split("#")[0].strip() for line in (ROOT / "requirements-dev.txt").read_text().splitlines()]
    ruff = [p for p in pinned if p.startswith("ruff")]
    assert len(ruff) == 1 and ruff[0].startswith("ruff=="), ruff
    hooks = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert hooks.count(f'"{ruff[0]}"') == 2  # both hooks: ruff check and ruff format
    assert ruff[0] in (ROOT / "requirements-lock.txt").read_text(encoding="utf-8").splitlines()
