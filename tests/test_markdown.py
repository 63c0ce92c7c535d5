"""attention_core.markdown.escape_markdown against an independent markdown renderer (markdown-it-py,
CommonMark): whatever the text, the escaped text renders as exactly that text."""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from attention_core.markdown import escape_markdown

RENDER = MarkdownIt("commonmark").renderInline
ONE_LINE = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("*_`#[]()<>!|~$&\\\"'-+.:{}"))


@settings(max_examples=300, deadline=None)
@given(ONE_LINE)
def test_any_text_renders_as_itself(text: str) -> None:
    assert html.unescape(RENDER(escape_markdown(text))) == text


def test_the_classic_traps() -> None:
    for text in ["**bold**", "[link](javascript:alert(1))", "<script>x</script>", "`code`", "a_b_c", "&amp;", "\\*"]:
        assert html.unescape(RENDER(escape_markdown(text))) == text, text


def test_newlines_become_spaces_and_the_limit_cuts_with_an_ellipsis() -> None:
    assert escape_markdown("a\nb\rc") == "a b c"
    assert escape_markdown("abcdef", limit=3) == "abc…"
    assert escape_markdown("abc", limit=3) == "abc"
