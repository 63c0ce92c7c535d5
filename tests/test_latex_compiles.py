"""The LaTeX exports compile with pdflatex and standard amsmath (Debian's texlive-latex-base).

amsmath's matrices stop at 10 columns: the 12×12 α of a 12-word sentence and the 19-column
exports failed with "Extra alignment tab has been changed to \\cr". Skipped, with the reason, where
pdflatex is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import attention_core as ac

PDFLATEX = shutil.which("pdflatex")
pytestmark = pytest.mark.skipif(PDFLATEX is None, reason="pdflatex not installed (apt-get install texlive-latex-base)")


def compile_equation(latex: str, where: Path) -> subprocess.CompletedProcess[str]:
    """pdflatex on a minimal article with amsmath whose only content is the equation."""
    tex = where / "m.tex"
    tex.write_text(
        "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n\\[\n"
        + latex
        + "\n\\]\n\\end{document}\n",
        encoding="utf-8",
    )
    assert PDFLATEX is not None
    return subprocess.run(
        [PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", tex.name],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("shape", [(5, 5), (10, 10), (12, 12), (5, 19), (3, 40)])
def test_bmatrix_compiles(tmp_path: Path, shape: tuple[int, int]) -> None:
    values = np.random.RandomState(0).standard_normal(shape)
    values[0, -1] = -np.inf  # a masked logit
    result = compile_equation(ac.latex_bmatrix(values), tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]
    assert (tmp_path / "m.pdf").stat().st_size > 0


def test_the_12_word_alpha_compiles(tmp_path: Path) -> None:
    config = ac.AttentionConfig(sentence=" ".join(f"w{i}" for i in range(12)))
    m = ac.trace_matrix(ac.compute(config), "alpha", 1)
    assert m.values.shape == (12, 12)
    result = compile_equation(ac.latex_bmatrix(m.values), tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]


def test_without_the_counter_amsmath_refuses_11_columns(tmp_path: Path) -> None:
    """The check above can fail: the same 11 columns without the counter do not compile."""
    latex = ac.latex_bmatrix(np.ones((2, 11)))
    bare = latex.split("\n", 1)[1]
    assert latex.startswith("\\setcounter{MaxMatrixCols}{11}") and bare.startswith("\\begin{bmatrix}")
    result = compile_equation(bare, tmp_path)
    assert result.returncode != 0 and "Extra alignment tab" in result.stdout
