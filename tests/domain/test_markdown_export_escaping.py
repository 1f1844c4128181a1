"""Anyone's text in the Markdown exports, rendered by a real CommonMark parser (markdown-it, with
GFM tables as GitHub and viewers render them): whatever is typed, a heading or a table cell shows
it as typed, never a link, an image, HTML or an extra cell."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.domain.backlog_csv import markdown_cell, markdown_text

RENDERER = MarkdownIt("commonmark").enable("table")
MARKUP = {"link_open", "image", "html_inline", "html_block", "autolink"}
# Markdown's own punctuation, the backslash first among it, and lines: what tricks a viewer.
TYPED = st.text(alphabet=st.sampled_from("\\[]()!<>|&*_`#-: ab/\n"), max_size=40)


def inline(tokens: list[Token]) -> list[Token]:
    return [child for token in tokens for child in token.children or []]


def shown(tokens: list[Token]) -> str:
    """The text a reader sees (the renderer's entities decoded as a browser would)."""
    return "".join(t.content for t in inline(tokens) if t.type in {"text", "code_inline"})


def kinds(tokens: list[Token]) -> set[str]:
    """The kinds of tokens rendered; a cell's line breaks (`<br>`, ours) are not markup."""
    kept = [t for t in [*tokens, *inline(tokens)] if t.content != "<br>"]
    return {t.type for t in kept}


def heading(text: str) -> list[Token]:
    return RENDERER.parse(f"## #1 {markdown_text(text)}")


def table(text: str) -> list[Token]:
    return RENDERER.parse(f"| Title | Status |\n|---|---|\n| {markdown_cell(text)} | new |\n")


def cells(tokens: list[Token]) -> list[Any]:
    return [t for t in tokens if t.type == "td_open"]


def test_a_backslash_before_brackets_does_not_make_them_a_link_again():
    """`\\[x\\](url)` typed: escaping only the brackets gave `\\\\[x\\\\](url)`, a live link."""
    tokens = heading(r"\[Verify your account\](https://evil.example)")
    assert not kinds(tokens) & MARKUP, kinds(tokens)
    assert shown(tokens) == r"#1 \[Verify your account\](https://evil.example)"


def test_a_backslash_before_a_bar_does_not_split_the_cell():
    tokens = table(r"a \| b")
    assert len(cells(tokens)) == 2
    assert shown(tokens) == r"TitleStatusa \| bnew"


@settings(max_examples=300, deadline=None)
@given(TYPED.map(lambda s: s.replace("\n", " ")))
def test_any_title_in_a_heading_is_shown_as_typed(typed: str):
    tokens = heading(typed)
    assert not kinds(tokens) & MARKUP
    assert " ".join(shown(tokens).split()) == " ".join(f"#1 {typed}".split())


@settings(max_examples=300, deadline=None)
@given(TYPED)
def test_any_title_in_a_table_cell_stays_in_its_cell_and_makes_no_markup(typed: str):
    tokens = table(typed)
    assert len(cells(tokens)) == 2
    assert not kinds(tokens) & MARKUP
    assert "".join(shown(tokens).split()) == "".join(f"TitleStatus{typed}new".split())
