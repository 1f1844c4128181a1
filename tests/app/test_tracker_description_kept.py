# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""Acceptance criteria saved in Timebox (`/backlog edit`) are written into their issue's
description without damaging it, through the real app and each tracker's emulator: in Jira
the section's list alone changes, a link, a mention, bold text, an image and a code block
staying as they were; on GitHub and in Linear the Markdown outside the section stays byte for
byte, the section stays where it was, and a ticked criterion (``- [x]``) keeps its tick."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bot.emulator.stack import LocalStack
from bot.trackers.adf import split_acceptance
from bot.trackers.markdown import split_body
from tests.app.test_github_sync import connected as github_connected
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import linear_connected
from tests.app.test_tracker_slack import connected as jira_connected
from tests.app.test_tracker_sync import jira  # noqa: F401
from tests.app.trackers import item_by_key, saved_in_item_form


async def criteria_saved(slack: LocalStack, key: str, criteria: str) -> None:
    """The PO saves the item's acceptance criteria through `/backlog edit`, and its write runs."""
    await saved_in_item_form(slack, key, {"Acceptance criteria": criteria})


def text(value: str, *marks: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": value}
    return node | {"marks": list(marks)} if marks else node


def para(*content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(content)}


def task(words: str, state: str, local_id: str) -> dict[str, Any]:
    return {
        "type": "taskItem",
        "attrs": {"localId": local_id, "state": state},
        "content": [text(words)],
    }


LINK = {"type": "link", "attrs": {"href": "https://example.com/pci"}}
RICH = [
    para(
        text("Follow "),
        text("the PCI spec", LINK),
        text(", ask "),
        {"type": "mention", "attrs": {"id": "5b10a2844c20165700ede21g", "text": "@Ana"}},
        text(" about "),
        text("3-D Secure", {"type": "strong"}),
        text("."),
    ),
    {
        "type": "mediaSingle",
        "attrs": {"layout": "center"},
        "content": [
            {"type": "media", "attrs": {"id": "f1e2d3", "type": "file", "collection": "up"}}
        ],
    },
    {"type": "codeBlock", "attrs": {"language": "python"}, "content": [text("pay(card)")]},
    {
        "type": "heading",
        "attrs": {"level": 2},
        "content": [text("Acceptance criteria")],
    },
]
TASKS = {
    "type": "taskList",
    "attrs": {"localId": "criteria"},
    "content": [task("Visa ok", "DONE", "visa"), task("Amex ok", "TODO", "amex")],
}
AFTER = para(text("Notes after the criteria."))


async def test_jira_criteria_edit_keeps_the_image_link_mention_and_code_block(slack, jira):
    description = {"type": "doc", "version": 1, "content": [*RICH, TASKS, AFTER]}
    key = jira.add_issue("Pay by card", description=copy.deepcopy(description)).key
    await jira_connected(slack, jira)
    assert (await item_by_key(slack, key)).acceptance_criteria == ["Visa ok", "Amex ok"]

    await criteria_saved(slack, key, "Visa ok\nMastercard ok")

    written = jira.issues[key].description
    assert written is not None
    assert written["content"][: len(RICH)] == RICH, "every node before the criteria, as it was"
    assert written["content"][-1] == AFTER, "and the paragraph after them, in its place"
    criteria = written["content"][len(RICH)]
    assert criteria["type"] == "taskList" and criteria["attrs"] == {"localId": "criteria"}
    visa, mastercard = criteria["content"]
    assert visa == task("Visa ok", "DONE", "visa"), "an unchanged criterion keeps its tick"
    assert (mastercard["type"], mastercard["attrs"]["state"]) == ("taskItem", "TODO")
    assert split_acceptance(written)[1] == ("Visa ok", "Mastercard ok")
    item = await item_by_key(slack, key)
    assert item.acceptance_criteria == ["Visa ok", "Mastercard ok"]
    assert item.tracker_link.pending == 0 and item.tracker_link.error is None


BODY = """Shoppers pay by card: see [the PCI spec](https://example.com/pci), ask @ana about **3-D**.

![flow](https://example.com/flow.png)

```python
pay(card)
```

## Acceptance criteria
- [x] Visa ok
- [ ] Amex ok

## Notes
Ask *finance* about fees.
"""


def _github_issue(em: Any) -> str:
    return em.add_issue("Pay by card", body=BODY).key


def _linear_issue(em: Any) -> str:
    return em.add_issue("Pay by card", description=BODY).identifier


MARKDOWN = {
    "github": (github_connected, _github_issue, lambda em, key: em.issue(key).body),
    "linear": (linear_connected, _linear_issue, lambda em, key: em.issues[key].description),
}


@pytest.fixture(params=sorted(MARKDOWN))
def markdown_tracker(request) -> tuple[str, Any]:
    return request.param, request.getfixturevalue(request.param)


async def test_markdown_criteria_edit_keeps_their_place_their_ticks_and_the_rest(
    slack, markdown_tracker
):
    name, em = markdown_tracker
    connect, add, body_of = MARKDOWN[name]
    key = add(em)
    await connect(slack, em)
    assert (await item_by_key(slack, key)).acceptance_criteria == ["Visa ok", "Amex ok"]

    await criteria_saved(slack, key, "Visa ok\nMastercard ok")

    assert body_of(em, key) == BODY.replace("- [ ] Amex ok", "- [ ] Mastercard ok"), name
    assert split_body(body_of(em, key))[1] == ("Visa ok", "Mastercard ok")
    item = await item_by_key(slack, key)
    assert item.acceptance_criteria == ["Visa ok", "Mastercard ok"]
    assert item.tracker_link.pending == 0 and item.tracker_link.error is None
