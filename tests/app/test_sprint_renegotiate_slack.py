"""Renegotiating a running sprint through the real app: an unready item (one over the split
threshold among them) comes in only by the Product Owner, who negotiates the scope; whoever asks
is told its gaps and how far past the forecast the sprint would go."""

from __future__ import annotations

from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_planning_slack import channel_posts, cmd, commit_sprint, setup
from tests.app.test_sprint_points_slack import card
from tests.conftest import DEV1, PO


async def test_an_unready_oversized_item_is_refused_to_a_developer_and_taken_by_the_po(slack):
    await setup(slack)  # #1 (5), #2 (8), #3 (3) ready; #4 not
    await backlog(slack, "edit 4")
    await slack.driver.submit(
        slack.emulator.open_view(PO), {"Estimate (story points)": "1000"}, user=PO
    )
    await commit_sprint(slack, 1)  # 5 points committed
    posts = len(channel_posts(slack))

    await cmd(slack, "/sprint", "add 4 need it", DEV1)
    refused = last_ephemeral(slack, DEV1).text
    assert "#4 is not ready (" in refused, refused
    assert "1000 points: split it" in refused, refused
    assert "sprint 1 at 1005 pts is 1000 pts past the commitment of 5 pts" in refused
    assert "only by the Product Owner" in refused
    assert len(channel_posts(slack)) == posts, "nothing announced"
    assert "0 of 5 points done" in await card(slack)

    await cmd(slack, "/sprint", "add 4 the customer escalated it", PO)
    await slack.services.jobs.run_due()  # the announcement, from the outbox
    change = shown(channel_posts(slack)[-1])
    assert change.startswith(":arrows_counterclockwise: Sprint 1 was renegotiated."), (
        "the PO who made it is not pinged about it"
    )
    assert f"<@{PO}> added *#4*" in change, change
    assert ":warning: Taken in with its risks: #4 is not ready (" in change, change
    assert "Reason: the customer escalated it\n:warning:" in change, "risks on their own line"
    assert "1000 pts past the commitment of 5 pts" in change


async def test_a_ready_item_past_the_commitment_is_taken_with_the_overrun_said(slack):
    await setup(slack)
    await commit_sprint(slack, 1)
    await cmd(slack, "/sprint", "add 2 the customer escalated it", DEV1)
    await slack.services.jobs.run_due()  # the announcement, from the outbox
    change = shown(channel_posts(slack)[-1])
    assert f"<@{DEV1}> added *#2*" in change, change
    assert "not ready" not in change
    assert "sprint 1 at 13 pts is 8 pts past the commitment of 5 pts" in change, change
