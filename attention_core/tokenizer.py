"""Split a sentence into lower-case word, punctuation and emoji tokens."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_ZWJ = "\u200d"
# ASCII has no joiners, emoji or composed letters, so there the rules below reduce to a regex:
# runs of [a-z0-9_], and every other visible character alone; control characters vanish.
_ASCII_TOKEN = re.compile(r"[a-z0-9_]+|[^\sa-z0-9_]")
_ASCII_CONTROLS = {c: None for c in range(128) if not chr(c).isspace() and unicodedata.category(chr(c)) == "Cc"}


def _kind(ch: str) -> str:
    """Classify one character: word, punct, symbol, joiner (glues to its left), or skip."""
    cat = unicodedata.category(ch)
    if ch == _ZWJ or cat[0] == "M" or 0x1F3FB <= ord(ch) <= 0x1F3FF or 0xE0020 <= ord(ch) <= 0xE007F:
        return "joiner"  # combining marks, variation selectors, skin tones, emoji tags
    if cat[0] in "LN" or ch == "_":
        return "word"
    if cat[0] == "P":
        return "punct"
    if cat[0] == "S":
        return "symbol"
    return "skip"  # other control and format characters carry nothing visible


def tokenize(sentence: str) -> list[str]:
    """Lower-case, split on white space, and split punctuation off as tokens of its own.

    Letters and digits of any script stay together ("inteligencia", "2026", "日本語");
    each emoji (with its skin tone, variation selector or ZWJ sequence) is one token.
    """
    if sentence.isascii():  # the common case, several times faster than the loop below
        return _ASCII_TOKEN.findall(sentence.lower().translate(_ASCII_CONTROLS))
    return _tokenize_unicode(sentence)


def _tokenize_unicode(sentence: str) -> list[str]:
    """`tokenize`, character by character: the reference for any text."""
    tokens: list[str] = []
    current: list[str] = []
    current_kind = ""
    glue_next = False  # the previous character was a ZWJ: the next symbol joins it

    def flush() -> None:
        nonlocal current_kind
        if current:
            tokens.append("".join(current))
            current.clear()
        current_kind = ""

    for ch in unicodedata.normalize("NFC", sentence).lower():
        if ch.isspace():
            flush()
            glue_next = False
            continue
        kind = _kind(ch)
        if kind == "joiner":
            if current:
                current.append(ch)
            glue_next = ch == _ZWJ and bool(current)
            continue
        if kind == "skip":
            continue
        regional_pair = (
            kind == "symbol"
            and current_kind == "symbol"
            and len(current) == 1
            and 0x1F1E6 <= ord(ch) <= 0x1F1FF
            and 0x1F1E6 <= ord(current[0]) <= 0x1F1FF
        )
        if (kind == "word" and current_kind == "word") or glue_next or regional_pair:
            current.append(ch)
        else:
            flush()
            current.append(ch)
            current_kind = kind
            if kind == "punct":
                flush()
        glue_next = False
    flush()
    return tokens


def concat_labels(n_heads: int, d_v: int) -> tuple[str, ...]:
    """The columns of the heads' outputs side by side: h1.z1 … h1.z{d_v}, h2.z1 …, one per number."""
    return tuple(f"h{i + 1}.z{j + 1}" for i in range(n_heads) for j in range(d_v))


def unique_labels(tokens: Sequence[str]) -> list[str]:
    """Tokens made unique for row labels and axes: a repeated 'the' becomes 'the (2)'."""
    seen: dict[str, int] = {}
    out = []
    for tok in tokens:
        seen[tok] = seen.get(tok, 0) + 1
        out.append(tok if seen[tok] == 1 else f"{tok} ({seen[tok]})")
    return out
