"""A long team checklist, as Slack shows it: the Definition of Ready keeps its later lines (the
horizon, the reminder) in as many sections as it needs, a cut verdict never ends inside an
entity, and the form refuses a question asked twice or too long under its field."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_ready_slack import make_team, ready
from tests.conftest import PO

# Ten questions of 147 characters (1489 typed with their line breaks), each 637 once escaped.
QUESTIONS = [f"Q{n} " + "<&>" * 48 for n in range(10)]
BROKEN_ENTITY = re.compile(r"&(?!(?:amp|lt|gt);)")


def texts(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


async def _with_long_checklist(slack):
    await make_team(slack, ["Export invoices"])
    await slack.driver.click("Edit Definition of Ready", user=PO, message=await ready(slack, "dor"))
    ack = await slack.driver.submit(
        slack.emulator.open_view(PO), {"Team checklist": "\n".join(QUESTIONS)}, user=PO
    )
    assert ack.json is None, ack.json
    return last_ephemeral(slack)


async def test_a_long_checklist_keeps_every_question_the_horizon_and_reminder_lines(slack):
    saved = await _with_long_checklist(slack)
    for card in (saved, await ready(slack, "dor")):
        text = shown(card)
        assert all(q in text for q in QUESTIONS), "every question whole"
        assert "Without a velocity yet, reminders and `/ready` look at the top 10 items." in text
        assert "No daily reminder: `/ready remind at 09:30` starts one." in text
        kinds = [b["type"] for b in card.blocks]
        assert kinds[0] == "header" and kinds[-1] == "actions" and kinds.count("section") == 3
        assert not BROKEN_ENTITY.search(texts(card.blocks))


async def test_a_verdict_and_the_fix_form_cut_at_slacks_limit_never_end_inside_an_entity(slack):
    await _with_long_checklist(slack)
    verdict = await ready(slack, "1")
    [cut] = [b["text"]["text"] for b in verdict.blocks if b["type"] == "section"]
    assert 2995 <= len(cut) <= 3000 and cut.endswith("…"), len(cut)
    assert not BROKEN_ENTITY.search(cut), cut[-20:]
    await slack.driver.click("Write hypothesis", user=PO, message=verdict)
    form = slack.emulator.open_view(PO)
    [told] = [e["text"] for b in form.blocks if b["type"] == "context" for e in b["elements"]]
    assert told.endswith("…") and not BROKEN_ENTITY.search(told), told[-20:]


async def test_the_form_refuses_a_question_too_long_under_the_checklist(slack):
    await make_team(slack, ["Export invoices"])
    await slack.driver.click("Edit Definition of Ready", user=PO, message=await ready(slack, "dor"))
    view = slack.emulator.open_view(PO)
    [hint] = [b["hint"]["text"] for b in view.blocks if b.get("block_id") == "questions"]
    assert "one per line of 150 characters at most" in hint, "the form says the limit"
    long = await slack.driver.submit(view, {"Team checklist": "Q " + "x" * 398}, user=PO)
    assert long.json == {
        "response_action": "errors",
        "errors": {
            "questions": "Line 1 is 400 characters long: keep each question to 150 at most, "
            "a yes/no question a glance answers."
        },
    }
    assert "xxxx" not in shown(await ready(slack, "dor")), "nothing saved"
