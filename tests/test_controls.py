"""The sidebar's one script (ui/collapse_sidebar.js): read from its file, one constant per language."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import open_app

SCRIPT = (Path(__file__).resolve().parent.parent / "ui" / "collapse_sidebar.js").read_text(encoding="utf-8")


def test_the_script_file_cannot_close_its_script_element() -> None:
    assert SCRIPT.strip() and "</" not in SCRIPT  # "</script" inside would end the element early


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_sidebar_sends_the_script_and_the_language_and_nothing_the_user_typed(lang: str) -> None:
    at = open_app("app.py", sentence='hola </script><img src=x onerror="alert(1)"> adiós', lang=lang)
    (html,) = at.sidebar.get("html")
    assert html.proto.body == f'<script>document.documentElement.lang = "{lang}";\n{SCRIPT}</script>'
