"""Hypothesis strategies shared by the any-bytes tests: text and JSON that break naive code."""

from __future__ import annotations

from hypothesis import strategies as st


def any_text(max_size: int = 20) -> st.SearchStrategy[str]:
    """Text with lone surrogates and control characters among ordinary ones (st.text never draws surrogates)."""
    return st.lists(st.characters() | st.characters(categories=["Cs"]) | st.characters(max_codepoint=0x1F),
                    max_size=max_size).map("".join)


def json_values(text: st.SearchStrategy[str], max_leaves: int = 12) -> st.SearchStrategy[object]:
    """Any JSON value (NaN and infinities included) whose strings and keys are drawn from `text`."""
    return st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | text,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
        max_leaves=max_leaves,
    )
