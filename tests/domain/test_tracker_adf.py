"""Jira's rich text (ADF) as plain text and back."""

from __future__ import annotations

from bot.trackers.adf import (
    adf_to_text,
    join_acceptance,
    list_items,
    split_acceptance,
    text_to_adf,
)


def text(value: str, *marks: str) -> dict:
    node: dict = {"type": "text", "text": value}
    if marks:
        node["marks"] = [{"type": m} for m in marks]
    return node


def para(*inline: dict) -> dict:
    return {"type": "paragraph", "content": list(inline)}


def items(kind: str, *texts: str, **attrs) -> dict:
    node = {
        "type": kind,
        "content": [{"type": "listItem", "content": [para(text(t))]} for t in texts],
    }
    if attrs:
        node["attrs"] = attrs
    return node


def doc(*blocks: dict) -> dict:
    return {"type": "doc", "version": 1, "content": list(blocks)}


def test_paragraphs_breaks_and_lists_become_plain_text() -> None:
    document = doc(
        {"type": "heading", "attrs": {"level": 2}, "content": [text("Why")]},
        para(text("Shoppers "), text("leave", "strong"), {"type": "hardBreak"}, text("at pay.")),
        items("bulletList", "cards", "wallets"),
        items("orderedList", "first", "second", order=3),
        {"type": "rule"},
        {"type": "codeBlock", "attrs": {"language": "sql"}, "content": [text("select 1")]},
        {"type": "blockquote", "content": [para(text("quoted"))]},
    )
    assert adf_to_text(document) == (
        "Why\n\nShoppers leave\nat pay.\n\n- cards\n- wallets\n\n3. first\n4. second\n\n---\n\n"
        "select 1\n\n> quoted"
    )


def test_inline_nodes_keep_their_words() -> None:
    link = {
        "type": "text",
        "text": "spec",
        "marks": [{"type": "link", "attrs": {"href": "https://x.example/s"}}],
    }
    document = doc(
        para(
            {"type": "mention", "attrs": {"id": "1", "text": "@Paula"}},
            text(" see "),
            link,
            text(" "),
            {"type": "emoji", "attrs": {"shortName": ":smile:", "text": "😄"}},
            text(" by "),
            {"type": "date", "attrs": {"timestamp": "1772409600000"}},
            text(" "),
            {"type": "status", "attrs": {"text": "BLOCKED", "color": "red"}},
            {"type": "inlineCard", "attrs": {"url": " https://x.example/card"}},
        ),
        {"type": "mediaSingle", "content": [{"type": "media", "attrs": {"id": "m"}}]},
        {
            "type": "table",
            "content": [
                {
                    "type": "tableRow",
                    "content": [
                        {"type": "tableHeader", "content": [para(text("Card"))]},
                        {"type": "tableHeader", "content": [para(text("Fee"))]},
                    ],
                },
                {
                    "type": "tableRow",
                    "content": [
                        {"type": "tableCell", "content": [para(text("Visa"))]},
                        {"type": "tableCell", "content": [para(text("1%"))]},
                    ],
                },
            ],
        },
        {
            "type": "taskList",
            "attrs": {"localId": "t"},
            "content": [
                {
                    "type": "taskItem",
                    "attrs": {"localId": "a", "state": "DONE"},
                    "content": [text("agree fees")],
                },
                {
                    "type": "taskItem",
                    "attrs": {"localId": "b", "state": "TODO"},
                    "content": [text("sign")],
                },
            ],
        },
        {"type": "panel", "attrs": {"panelType": "info"}, "content": [para(text("note"))]},
    )
    assert adf_to_text(document) == (
        "@Paula see spec (https://x.example/s) 😄 by 2026-03-02 BLOCKED https://x.example/card"
        "\n\nCard | Fee\nVisa | 1%\n\n[x] agree fees\n[ ] sign\n\nnote"
    )


def test_nested_lists_are_indented() -> None:
    inner = items("bulletList", "Visa", "Mastercard")
    document = doc(
        {
            "type": "bulletList",
            "content": [
                {"type": "listItem", "content": [para(text("cards")), inner]},
                {"type": "listItem", "content": [para(text("wallets"))]},
            ],
        }
    )
    assert adf_to_text(document) == "- cards\n  - Visa\n  - Mastercard\n- wallets"


def test_nothing_and_odd_input_are_empty_text() -> None:
    assert adf_to_text(None) == "" and adf_to_text(doc()) == ""
    assert adf_to_text("plain from Data Center ") == "plain from Data Center"
    assert adf_to_text(42) == "" and adf_to_text({"type": "doc"}) == ""
    assert adf_to_text(doc({"type": "unknownNode", "content": [para(text("kept"))]})) == "kept"


def test_text_becomes_paragraphs_and_lists() -> None:
    assert text_to_adf("") is None and text_to_adf("  \n\n ") is None
    assert text_to_adf("One\ntwo\n\n- a\n* b\n\n2. x\n3) y") == doc(
        para(text("One"), {"type": "hardBreak"}, text("two")),
        items("bulletList", "a", "b"),
        items("orderedList", "x", "y", order=2),
    )


def test_plain_text_survives_a_round_trip() -> None:
    for value in (
        "One line",
        "First paragraph\nwith a break\n\nSecond",
        "Intro\n\n- a\n- b\n\n1. x\n2. y",
        "Tabs\tand  double  spaces stay",
    ):
        assert adf_to_text(text_to_adf(value)) == value


def test_acceptance_criteria_are_the_list_after_their_title() -> None:
    document = doc(
        para(text("Pay by card.")),
        para(text("Acceptance criteria:")),
        items("bulletList", "Visa works", "Declines are explained"),
        para(text("Notes after.")),
    )
    description, criteria = split_acceptance(document)
    assert description == "Pay by card.\n\nNotes after."
    assert criteria == ("Visa works", "Declines are explained")
    assert split_acceptance(doc(para(text("No criteria")))) == ("No criteria", ())
    # A title without a list after it is just text.
    assert split_acceptance(doc(para(text("AC")), para(text("none")))) == ("AC\n\nnone", ())
    assert split_acceptance(None) == ("", ())


def test_criteria_are_written_back_under_a_heading() -> None:
    document = join_acceptance("Pay by card.", ["Visa works", "  ", "3-D Secure"])
    assert split_acceptance(document) == ("Pay by card.", ("Visa works", "3-D Secure"))
    assert document["content"][1] == {
        "type": "heading",
        "attrs": {"level": 3},
        "content": [text("Acceptance criteria")],
    }
    assert join_acceptance("", []) is None
    assert split_acceptance(join_acceptance("", ["only"])) == ("", ("only",))


def test_list_items_of_a_criteria_field() -> None:
    assert list_items(items("bulletList", "a", "b")) == ("a", "b")
    assert list_items(doc(items("orderedList", "x"))) == ("x",)
    assert list_items(doc(para(text("one"), {"type": "hardBreak"}, text("- two")))) == (
        "one",
        "two",
    )
    assert list_items("[ ] open\n[x] done") == ("open", "done")
    assert list_items(None) == ()
