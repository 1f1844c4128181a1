"""The Markdown export (`/backlog export md`): a value hypothesis or a dependency is
free text of several lines, written as a paragraph of the file. Whatever a line of it starts
with (`===` or `---` under a line, a table's bar row, `1.`, `+ `, four spaces, `~~~`), a
viewer (markdown-it with GFM tables, as GitHub renders it) shows it as typed: no heading, table,
list, code block or rule is made from someone's text, only the file's own."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.domain.backlog_csv import to_markdown
from tests.domain.factories import item

RENDERER = MarkdownIt("commonmark").enable("table")
INJECTED = {
    "table_open",
    "ordered_list_open",
    "code_block",
    "fence",
    "hr",
    "blockquote_open",
}


def rendered(hypothesis: str, dependency: str = "legal review") -> list[Token]:
    one = item(
        1, title="Export invoices", hypothesis=hypothesis, type="story", status="new", labels=[]
    )
    one.dependencies = [{"text": dependency, "resolved": False}]
    return RENDERER.parse(to_markdown([one], "team-a"))


def headings(tokens: list[Token]) -> list[str]:
    """The text of every heading rendered."""
    return [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]


def text_of(tokens: list[Token]) -> str:
    """What a reader sees: the rendered text, entities decoded, a line break as a newline."""
    children = [c for t in tokens if t.type == "inline" for c in t.children or []]
    return "".join(c.content if c.type == "text" else "\n" for c in children)


def test_a_line_of_equals_or_dashes_under_a_hypothesis_line_makes_no_heading():
    """`Fewer tickets` over `===` was rendered as a first-level heading (setext), `---` as a
    second-level one: the file's only headings are its title and the item's."""
    for underline in ("===", "---"):
        tokens = rendered(f"Fewer tickets\n{underline}")
        assert headings(tokens) == ["Product backlog of #team-a", "#1 Export invoices"], underline
        assert "Fewer tickets" in text_of(tokens) and underline in text_of(tokens)


def test_a_table_typed_in_a_hypothesis_stays_text():
    """A hypothesis holding `a | b` over `--|--` made a second table in the file (a viewer
    draws it): the file's only table is the backlog's own."""
    tokens = rendered("Metric | Target\n--|--\nTickets | -20%")
    assert [t.type for t in tokens].count("table_open") == 1
    assert "Metric | Target" in text_of(tokens)


def test_list_code_and_rule_starts_of_lines_are_shown_as_typed():
    """`1986. was a good year`, four spaces of indentation, `~~~` and `- - -` starting a
    hypothesis (or a line of it) made an ordered list, a code block, a fence or a rule; a
    dependency's text says the same in its list item. (`> q` was escaped already: a guard.)"""
    starts = ("1986. was a good year", "    indented note", "~~~\nfenced", "- - -", "> q")
    for typed in [*starts, *(f"We expect\n{s}" for s in starts)]:
        tokens = rendered(typed, dependency=typed.replace("\n", " "))
        beyond = {t.type for t in tokens} & INJECTED - {"table_open"}
        assert not beyond, (typed, beyond)
        assert [t.type for t in tokens].count("table_open") == 1
