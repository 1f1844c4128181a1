"""Writing acceptance criteria over an issue's description changes their section alone: in
Jira's document every other node (a link, a mention, bold text, an image, a code block) stays
as it was, in its place; in a Markdown body (GitHub, Linear) every other byte does. A criterion
whose text is unchanged keeps its tick (a task's DONE state, ``- [x]``); a description with no
section yet gets one at its end."""

from __future__ import annotations

import copy
from typing import Any

from bot.domain import trackers
from bot.trackers.adf import replace_acceptance, split_acceptance
from bot.trackers.markdown import body_after, replace_criteria, split_body


def text(value: str, *marks: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": value}
    if marks:
        node["marks"] = list(marks)
    return node


def para(*content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(content)}


def heading(words: str) -> dict[str, Any]:
    return {"type": "heading", "attrs": {"level": 2}, "content": [text(words)]}


def bullets(*items: str) -> dict[str, Any]:
    return {
        "type": "bulletList",
        "content": [{"type": "listItem", "content": [para(text(i))]} for i in items],
    }


def task(words: str, state: str, local_id: str) -> dict[str, Any]:
    return {
        "type": "taskItem",
        "attrs": {"localId": local_id, "state": state},
        "content": [text(words)],
    }


LINK = text("the PCI spec", {"type": "link", "attrs": {"href": "https://example.com/pci"}})
MENTION = {"type": "mention", "attrs": {"id": "5b10a2844c20165700ede21g", "text": "@Ana"}}
IMAGE = {
    "type": "mediaSingle",
    "attrs": {"layout": "center"},
    "content": [{"type": "media", "attrs": {"id": "f1e2", "type": "file", "collection": "c"}}],
}
CODE = {"type": "codeBlock", "attrs": {"language": "python"}, "content": [text("pay(card)")]}


def rich_description(criteria: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "doc",
        "version": 1,
        "content": [
            para(
                text("Follow "),
                LINK,
                text(", ask "),
                MENTION,
                text(" about "),
                text("3-D", {"type": "strong"}),
            ),
            IMAGE,
            CODE,
            heading("Acceptance criteria"),
            criteria,
            para(text("Notes after the criteria.")),
        ],
    }


def test_jira_criteria_replace_the_list_alone_and_every_other_node_stays() -> None:
    document = rich_description(bullets("Visa ok", "Amex ok"))
    before = copy.deepcopy(document)

    written = replace_acceptance(document, ["Visa ok", "Mastercard ok"])

    assert written is not None and document == before, "the read document is not changed"
    assert written["version"] == 1 and written["type"] == "doc"
    expected = copy.deepcopy(before)
    expected["content"][4] = bullets("Visa ok", "Mastercard ok")
    assert written == expected, "link, mention, bold, image and code block kept, in place"
    assert split_acceptance(written)[1] == ("Visa ok", "Mastercard ok")


def test_jira_task_list_keeps_its_ticks_and_new_criteria_are_tasks_to_do() -> None:
    tasks = {
        "type": "taskList",
        "attrs": {"localId": "list-1"},
        "content": [task("Visa ok", "DONE", "t1"), task("Amex ok", "TODO", "t2")],
    }
    written = replace_acceptance(rich_description(tasks), ["Mastercard ok", "Visa  ok"])

    assert written is not None
    kept = written["content"][4]
    assert kept["type"] == "taskList" and kept["attrs"] == {"localId": "list-1"}
    new, visa = kept["content"]
    assert visa == task("Visa ok", "DONE", "t1"), "an unchanged criterion keeps its DONE tick"
    assert new["type"] == "taskItem" and new["attrs"]["state"] == "TODO"
    assert new["content"] == [text("Mastercard ok")] and new["attrs"]["localId"]
    assert split_acceptance(written)[1] == ("Mastercard ok", "Visa ok")


def test_jira_with_no_section_gets_one_appended_and_no_criteria_removes_it() -> None:
    plain = {"type": "doc", "version": 1, "content": [para(LINK), IMAGE]}
    written = replace_acceptance(plain, ["Visa ok"])
    assert written is not None
    assert written["content"][:2] == [para(LINK), IMAGE]
    assert split_acceptance(written) == ("the PCI spec (https://example.com/pci)", ("Visa ok",))
    assert replace_acceptance(plain, []) == plain

    cleared = replace_acceptance(rich_description(bullets("Visa ok")), [])
    assert cleared is not None
    assert [n.get("type") for n in cleared["content"]] == [
        "paragraph",
        "mediaSingle",
        "codeBlock",
        "paragraph",
    ]
    assert (
        replace_acceptance(
            {"type": "doc", "version": 1, "content": [heading("AC"), bullets("x")]}, []
        )
        is None
    )
    assert split_acceptance(replace_acceptance(None, ["Visa ok"])) == ("", ("Visa ok",))


BODY = """Shoppers pay by card, see [the PCI spec](https://example.com/pci) and @ana.

```python
pay(card)
```

## Acceptance criteria
- [x] Visa ok
- [ ] Amex ok

## Notes
Ask *finance*.
"""


def test_markdown_criteria_stay_in_place_and_a_ticked_one_keeps_its_tick() -> None:
    written = replace_criteria(BODY, ["Visa ok", "Mastercard ok"])

    assert written == BODY.replace("- [ ] Amex ok", "- [ ] Mastercard ok")
    assert split_body(written)[1] == ("Visa ok", "Mastercard ok")


def test_markdown_body_after_an_update_of_the_criteria_alone_writes_them_in_place() -> None:
    """How GitHub's and Linear's clients write criteria: `body_after` the update."""
    criteria = ("Visa ok", "Mastercard ok")
    only_criteria = trackers.IssueUpdate(acceptance_criteria=criteria)
    assert body_after(BODY, only_criteria) == replace_criteria(BODY, criteria)
    both = trackers.IssueUpdate(description="A new description", acceptance_criteria=("Visa ok",))
    assert body_after(BODY, both) == ("A new description\n\n## Acceptance criteria\n- Visa ok"), (
        "a description of its own is written with the section at its end"
    )


def test_markdown_lists_keep_their_marker_numbering_spacing_and_line_endings() -> None:
    numbered = "Intro\n\nAcceptance criteria:\n\n1) One\n2) Two\n   wrapped\n\n3) Three\n\nAfter"
    assert replace_criteria(numbered, ["Two wrapped", "Four"]) == (
        "Intro\n\nAcceptance criteria:\n\n1) Two\n   wrapped\n\n2) Four\n\nAfter"
    )
    stars = "**Acceptance criteria**\n  * One\n  * Two\nText"
    assert (
        replace_criteria(stars, ["Two", "New"]) == "**Acceptance criteria**\n  * Two\n  * New\nText"
    )
    crlf = "Intro\r\n\r\n## Acceptance criteria\r\n- [x] One\r\n\r\nAfter\r\n"
    assert replace_criteria(crlf, ["One", "Two"]) == (
        "Intro\r\n\r\n## Acceptance criteria\r\n- [x] One\r\n- [ ] Two\r\n\r\nAfter\r\n"
    )


def test_markdown_with_no_section_appends_one_and_no_criteria_removes_it() -> None:
    assert replace_criteria("Intro **bold**.", ["Visa ok"]) == (
        "Intro **bold**.\n\n## Acceptance criteria\n- Visa ok"
    )
    assert replace_criteria("Intro **bold**.\n", []) == "Intro **bold**.\n"
    assert replace_criteria(BODY, []) == (
        "Shoppers pay by card, see [the PCI spec](https://example.com/pci) and @ana.\n\n"
        "```python\npay(card)\n```\n\n## Notes\nAsk *finance*.\n"
    )
    assert replace_criteria("## Acceptance criteria\n- One", []) == ""
    assert replace_criteria(None, ["One"]) == "## Acceptance criteria\n- One"
