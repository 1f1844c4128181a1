"""What a typed meeting command tells the meeting's thread is sent at once, in order, as the
buttons and forms send it: nothing it recorded in the outbox to send at once is left for the
outbox's settling (ten minutes later, after posts made since).

Before, `/refine goal` and `/refine note` recorded their post and never sent it: the settling
posted it ten minutes late, after the section's time-up or the meeting's minutes."""

from __future__ import annotations

import pytest

from bot.emulator.stack import LocalStack
from bot.runtime import outbox
from handlers.commands.planning import VERBS as PLANNING_VERBS
from handlers.commands.refine import VERBS as REFINE_VERBS
from handlers.commands.review import VERBS as REVIEW_VERBS
from tests.app.test_backlog_slack import shown
from tests.app.test_planning_slack import setup
from tests.app.test_refine_slack import refine, setup_team, thread, tick
from tests.app.test_review_slack import sprint_with_done_items
from tests.conftest import CHANNEL, DEV1, PO, SM


async def left_to_settle(slack: LocalStack) -> list[str]:
    """The posts recorded to be sent at once that nobody sent: the settling's to post."""
    async with slack.db.transaction() as store:
        pending = await store.pending(outbox.KIND)
        return [job.key for job in pending if job.payload.get("in_flight")]


async def test_a_typed_goal_and_action_item_reach_the_thread_at_once_and_in_order(slack):
    await setup_team(slack)
    await refine(slack, "start 45m")
    await refine(slack, "goal Get checkout ready")
    assert "Session goal: Get checkout ready" in shown(thread(slack)[-1]), "at once"
    await refine(slack, f"note Ask legal about the VAT rules <@{DEV1}>", user=PO)
    assert "Action item noted: Ask legal about the VAT rules" in shown(thread(slack)[-1])
    assert await left_to_settle(slack) == []

    await tick(slack, 4)  # Kick-off's time is up after them
    await refine(slack, "end")
    said = [shown(m) for m in thread(slack)]
    order = ["Session goal", "Action item noted", "Time is up for *Kick-off*", "Minutes"]
    at = [next(i for i, s in enumerate(said) if words in s) for words in order]
    assert at == sorted(at), said
    assert sum("Session goal" in s for s in said) == 1, "once"


CLOCK = ("extend 5m", "pause", "resume", "auto on", "auto off", "next")
"""The clock verbs every meeting command shares, typed while the meeting runs."""

SCRIPTS = {
    "/refine": (
        REFINE_VERBS,
        setup_team,
        [
            "start 45m",
            "status",
            "goal Get checkout ready",
            f"note Ask legal <@{DEV1}>",
            "agenda",
            *CLOCK,
            "end",
            "history",
            "schedule off",
            "help",
        ],
    ),
    "/planning": (
        PLANNING_VERBS,
        setup,
        [
            "start 1h",
            "status",
            "goal By the end we expect PDF invoices",
            "add 1",
            "add 2",
            "drop 2",
            *CLOCK,
            "commit",
            "commit team",
            "end",
            "history",
            "agenda",
            "schedule off",
            "help",
        ],
    ),
    "/review": (
        REVIEW_VERBS,
        sprint_with_done_items,
        [
            "start 60m",
            "status",
            *CLOCK,
            "end",
            "history",
            "agenda",
            "help",
        ],
    ),
}


@pytest.mark.parametrize("command", sorted(SCRIPTS))
async def test_no_meeting_command_leaves_its_posts_to_the_outboxs_settling(slack, command):
    """Every verb of the command, typed in a running meeting: each sends what it recorded."""
    verbs, prepare, script = SCRIPTS[command]
    typed = {text.split()[0] for text in script} | {"_".join(text.split()) for text in script}
    assert set(verbs) <= typed, f"a verb of {command} the script does not type"
    await prepare(slack)
    for text in script:
        user = PO if text.startswith("goal ") else DEV1 if text == "commit" else SM
        ack = await slack.driver.command(command, text, user=user, channel=CHANNEL)
        assert ack.status == 200
        assert await left_to_settle(slack) == [], f"{command} {text}"
    said = [shown(m) for m in slack.emulator.messages(CHANNEL)]
    assert sum("Minutes of the" in s for s in said) == 1, "the meeting ran to its end, once"
