"""The reference notebook's printed output, vendored as tests/data/seed_notebook.txt, against the
numbers transcribed into tests/notebook_values.py (which the engine and page tests compare with).

A typo in a transcription, or a value transcribed from the wrong cell, fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import notebook_values as nb
import numpy as np
import pytest

TEXT = (Path(__file__).resolve().parent / "data" / "seed_notebook.txt").read_text(encoding="utf-8")
CELL = re.compile(r"^In \[(\d+)\]:$", re.MULTILINE)
PRINTED = re.compile(r"^(?:(?P<label>[A-Za-z][\w ]*): )?(?P<array>\[.*)$")


def printed_arrays(text: str) -> dict[tuple[int, str], np.ndarray]:
    """Every array the notebook prints, by (cell number, label); an unlabelled print has label ""."""
    found: dict[tuple[int, str], np.ndarray] = {}
    starts = list(CELL.finditer(text))
    for here, after in zip(starts, [*starts[1:], None], strict=True):
        lines = text[here.end() : after.start() if after else len(text)].splitlines()
        i = 0
        while i < len(lines):
            match = PRINTED.match(lines[i])
            if not match:
                i += 1
                continue
            block = match["array"]
            while block.count("[") > block.count("]"):  # numpy continues a matrix on the next lines
                i += 1
                block += " " + lines[i]
            rows = re.findall(r"\[([^\[\]]*)\]", block)
            key = (int(here.group(1)), match["label"] or "")
            if key[1] == "" and key in found:  # several unlabelled prints in one cell: number them
                key = (key[0], f"#{sum(k[0] == key[0] for k in found)}")
            found[key] = np.array([[float(v) for v in r.split()] for r in rows])
            i += 1
    return found


PRINTS = printed_arrays(TEXT)


def test_the_parser_reads_every_printed_array() -> None:
    assert len(PRINTS) >= 20
    assert PRINTS[(178, "alphas")].shape == (5, 5) and PRINTS[(173, "V")].shape == (5, 3)


@pytest.mark.parametrize(
    ("cell", "label", "transcribed"),
    [
        (157, "", nb.ME_),
        (159, "", nb.ME_EMBED_POS),
        (171, "X", nb.X),
        (173, "Q", nb.Q),
        (173, "K", nb.K),
        (173, "V", nb.V),
        (163, "", nb.PER_WORD_ALPHAS["me"]),
        (166, "", nb.PER_WORD_ATTENTION["me"]),
        *[(167 + i, f"alphas de {w}", nb.PER_WORD_ALPHAS[w]) for i, w in enumerate(nb.WORDS[1:])],
        *[(167 + i, f"atencion de {w}", nb.PER_WORD_ATTENTION[w]) for i, w in enumerate(nb.WORDS[1:])],
        (178, "alphas", nb.ALPHAS),
        (180, "atencion scores", nb.ATTENTION_SCORES),
    ],
)
def test_each_transcribed_value_is_what_the_notebook_printed(cell: int, label: str, transcribed: list) -> None:
    printed = PRINTS[(cell, label)]
    assert np.array_equal(printed.reshape(np.shape(transcribed)), np.array(transcribed))


def test_the_queries_printed_one_by_one_are_the_rows_of_q() -> None:
    rows = [PRINTS[(174, "")], *[PRINTS[(174, f"#{i}")] for i in range(1, 5)]]
    assert np.array_equal(np.vstack(rows), np.array(nb.Q))
