"""AppTest tests of the Export page (pages/6_export.py).

The downloads are deferred: the page registers a callable per button and Streamlit runs it on
click. The tests record those callables (by wrapping MediaFileManager.add_deferred), call them,
and check the files against the engine.
"""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers import open_app
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

import attention_core as ac
from ui.locales.en import MESSAGES as EN

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/6_export.py"

Downloads = dict[str, Callable[[], Any]]  # file name -> the callable that makes the file
STEM = "attention_me-gusta-estudiar_d4-k3-v3-h1_seed23"  # the default config's file names: sentence, sizes, seed
SEEDED_FILES = {f"{STEM}_alpha.csv", f"{STEM}_alpha.tex", f"{STEM}_trace.json", f"{STEM}.ipynb", f"{STEM}_matrices.zip"}


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[Downloads]:
    """The deferred downloads registered by the latest runs, by file name."""
    recorded: Downloads = {}
    original = MediaFileManager.add_deferred

    def record(
        self: MediaFileManager, data_callable: Any, mimetype: Any, coordinates: str, *args: Any, **kw: Any
    ) -> str:
        recorded[str(kw.get("file_name"))] = data_callable
        return original(self, data_callable, mimetype, coordinates, *args, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    yield recorded


def open_export(**params: str) -> AppTest:
    return open_app(PAGE, **params)


def preview(at: AppTest) -> pd.DataFrame:
    frames = at.dataframe
    assert len(frames) == 1, "the page shows one preview table"
    return frames[0].value


def run_cells(notebook: str) -> dict[str, Any]:
    ns: dict[str, Any] = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in json.loads(notebook)["cells"]:
            if cell["cell_type"] == "code":
                exec("".join(cell["source"]), ns)
    return ns


def test_default_page_previews_alpha_and_offers_every_download(downloads: Downloads) -> None:
    at = open_export()
    assert at.title[0].value == "Export"
    trace = ac.compute(ac.AttentionConfig())
    assert at.selectbox(key="export_matrix").value == "alpha"
    assert np.array_equal(preview(at).to_numpy(), trace.weights[0])
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["CSV", "LaTeX", "Trace (JSON)", "Notebook (.ipynb)", "All matrices (ZIP)"]
    assert len(at.get("latex")) == 1  # 5×5: small enough to render
    assert at.code[0].value.startswith("\\begin{bmatrix}\n0.1984 & 0.2030")

    assert set(downloads) == SEEDED_FILES
    csv = pd.read_csv(io.StringIO(downloads[f"{STEM}_alpha.csv"]()), index_col=0)
    assert np.array_equal(csv.to_numpy(), trace.weights[0])
    assert downloads[f"{STEM}_alpha.tex"]() == at.code[0].value
    data = json.loads(downloads[f"{STEM}_trace.json"]())
    assert np.array_equal(np.array(data["weights"]), trace.weights) and data["config"]["seed"] == 23
    ns = run_cells(downloads[f"{STEM}.ipynb"]())
    np.testing.assert_allclose(ns["output"], trace.output, rtol=0, atol=1e-12)
    with zipfile.ZipFile(io.BytesIO(downloads[f"{STEM}_matrices.zip"]())) as zf:
        assert "alpha.csv" in zf.namelist() and "W_O.csv" not in zf.namelist()


def test_selecting_a_matrix_changes_the_preview(downloads: Downloads) -> None:
    at = open_export()
    at.selectbox(key="export_matrix").set_value("X").run()
    assert not at.exception
    trace = ac.compute(ac.AttentionConfig())
    table = preview(at)
    assert np.array_equal(table.to_numpy(), trace.x)
    assert list(table.columns) == ["d1", "d2", "d3", "d4"]
    assert f"{STEM}_X.csv" in downloads
    at.selectbox(key="export_matrix").set_value("W_Q").run()
    assert np.array_equal(preview(at).to_numpy(), trace.w_q[0])


def test_two_heads(downloads: Downloads) -> None:
    at = open_export(n_heads="2", seed="5")
    trace = ac.compute(ac.AttentionConfig(n_heads=2, seed=5))
    options = at.selectbox(key="export_matrix").options  # the labels shown
    assert len(options) == 16 and "W_O · output projection" in options
    at.selectbox(key="head").set_value(2).run()  # the shared head picker, shown for per-head matrices
    assert not at.exception
    assert np.array_equal(preview(at).to_numpy(), trace.weights[1])
    assert "attention_me-gusta-estudiar_d4-k3-v3-h2_seed5_alpha_head2.csv" in downloads
    at.selectbox(key="export_matrix").set_value("W_O").run()
    assert np.array_equal(preview(at).to_numpy(), trace.w_o)
    assert len(at.get("download_button")) == 5
    ns = run_cells(downloads["attention_me-gusta-estudiar_d4-k3-v3-h2_seed5.ipynb"]())
    np.testing.assert_allclose(ns["alphas"], trace.weights, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ns["output"], trace.output, rtol=0, atol=1e-12)


def test_spanish() -> None:
    at = open_export(lang="es")
    assert at.title[0].value == "Exportar"
    assert at.selectbox(key="export_matrix").label == "Matriz"
    assert [b.label for b in at.get("download_button")][2:] == [
        "Traza (JSON)",
        "Cuaderno (.ipynb)",
        "Todas las matrices (ZIP)",
    ]


def test_larger_matrices_are_not_rendered_as_formulas() -> None:
    at = open_export(sentence="uno dos tres cuatro cinco seis siete ocho nueve diez")
    assert len(at.get("latex")) == 0 and len(at.code) == 1  # 10×10: source only
    at = open_export(sentence=" ".join(f"w{i}" for i in range(40)))
    assert len(at.code) == 0  # 40×40 = 1600 numbers: download only
    assert any("1600" in c.value for c in at.caption)


def test_hand_edited_numbers_reach_the_notebook(downloads: Downloads) -> None:
    at = open_export(custom="1", edits="e.0.0.0=0.5,wq.0.1.2=-0.3")
    assert any("Hand-edited" in i.value for i in at.info)
    assert f"{STEM}_custom.ipynb" in downloads
    ns = run_cells(downloads[f"{STEM}_custom.ipynb"]())
    assert "rng" not in ns
    assert ns["me_"][0] == 0.5 and ns["W_q"][1, 2] == -0.3
    seeded = ac.compute(ac.AttentionConfig())
    assert not np.allclose(ns["output"], seeded.output)
    np.testing.assert_allclose(preview(at).to_numpy(), ns["alphas"], rtol=0, atol=1e-12)


@pytest.mark.parametrize("edits", ["junk", "", "e.x.0.0=1,wq.0.0.0=nan,p.0.0.0=inf"])
def test_custom_mode_with_edits_that_decode_to_nothing_is_the_seeded_view_everywhere(
    downloads: Downloads, edits: str
) -> None:
    """`?custom=1&edits=junk`: the trace is seeded, so no reader may call the numbers hand-edited.

    The readers are the sidebar notice, the export page's notice, its file names and the notebook's
    text, and the edit page's "in use" message; all of them follow ui.edits.active_edits.
    """
    seeded = ac.compute(ac.AttentionConfig())
    at = open_export(custom="1", edits=edits)
    assert not any(i.value == EN["controls.custom_on"] for i in at.sidebar.info), "sidebar says hand-edited"
    assert not any(i.value == EN["export.custom"] for i in at.info), "export page says hand-edited"
    assert set(downloads) == SEEDED_FILES
    notebook = downloads[f"{STEM}.ipynb"]()
    assert "by hand" not in notebook
    ns = run_cells(notebook)
    assert "rng" in ns  # drawn from the seed, not written out
    np.testing.assert_allclose(ns["output"], seeded.output, rtol=0, atol=1e-12)
    at.switch_page("pages/5_edit.py").run()
    assert not at.exception
    assert not any(s.value == EN["edit.active"] for s in at.success), "edit page says the edits are in use"
    assert not any(i.value == EN["controls.custom_on"] for i in at.sidebar.info)


def test_custom_mode_with_real_edits_is_named_by_every_reader(downloads: Downloads) -> None:
    """The other side of the link: real edits are announced by the same readers."""
    at = open_export(custom="1", edits="wq.0.1.1=0.3,junk")
    assert any(i.value == EN["controls.custom_on"] for i in at.sidebar.info)
    assert any(i.value == EN["export.custom"] for i in at.info)
    assert f"{STEM}_custom.ipynb" in downloads
    assert "by hand" in downloads[f"{STEM}_custom.ipynb"]()
    at.switch_page("pages/5_edit.py").run()
    assert any(s.value == EN["edit.active"] for s in at.success)
