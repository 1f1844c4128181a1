"""A change the channel is to hear of (a renegotiation, a sprint closed) is told through the
durable outbox with the change: a Slack refusal of the post neither loses the announcement
nor the answer to the person who made it; the post comes on a later try, once. Before, the
listener posted it after the change had committed: a refused post was lost, and the person
got an error for a change that had been made."""

from __future__ import annotations

from datetime import timedelta

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_planning_slack import channel_posts, close_sprint, cmd, commit_sprint, setup
from tests.conftest import CHANNEL, DEV1, PO, SM


async def posts_saying(slack, text: str) -> list[str]:
    """The channel's posts with `text`, once due work (the outbox) ran again a minute on."""
    slack.clock.advance(timedelta(minutes=1))
    await slack.services.jobs.run_due()
    return [shown(m) for m in channel_posts(slack) if text in shown(m)]


async def test_a_renegotiation_slack_refused_to_post_is_announced_on_the_next_try(slack):
    await setup(slack)
    await commit_sprint(slack, 1)
    slack.emulator.fail_next("chat.postMessage", status=200, error="internal_error")
    await cmd(slack, "/sprint", "add 2 the customer escalated it", DEV1)
    assert "Logged and announced" in last_ephemeral(slack, DEV1).text
    await slack.services.jobs.run_due()  # the refused try
    assert await posts_saying(slack, "renegotiated") != []
    assert len(await posts_saying(slack, "renegotiated")) == 1, "once"


async def test_a_close_slack_refused_to_post_is_announced_on_the_next_try(slack):
    await setup(slack)
    await commit_sprint(slack, 1)
    slack.clock.advance(timedelta(days=13))
    slack.emulator.fail_next("chat.postMessage", status=200, error="internal_error")
    await close_sprint(slack, "Yes")  # the refused try
    assert len(await posts_saying(slack, "*Sprint 1 closed:*")) == 1


async def test_a_first_setup_slack_refused_to_post_is_announced_once_with_the_pos_zone(slack):
    """The setup form's announcement (posted by the listener before this stop) comes on the
    next try, once, naming the zone taken from the PO's Slack profile."""
    await slack.driver.command("/timebox", "setup", user=SM, channel=CHANNEL)
    slack.emulator.fail_next("chat.postMessage", status=200, error="internal_error")
    await slack.driver.submit(slack.emulator.open_view(SM), {"Product Owner": [PO]}, user=SM)
    await slack.services.jobs.run_due()  # the refused try
    told = await posts_saying(slack, "set up Timebox")
    assert len(told) == 1 and "*Time zone:* Europe/Berlin" in told[0], told


async def test_a_setup_whose_pos_zone_slack_will_not_say_is_saved_and_announced(slack):
    """The PO's zone is asked before the setup's transaction: Slack refusing users.info
    loses neither the setup nor its announcement; the team takes a zone later."""
    await slack.driver.command("/timebox", "setup", user=SM, channel=CHANNEL)
    slack.emulator.fail_next("users.info", status=200, error="user_not_found", times=3)
    await slack.driver.submit(slack.emulator.open_view(SM), {"Product Owner": [PO]}, user=SM)
    assert len(await posts_saying(slack, "set up Timebox")) == 1
    async with slack.db.transaction() as store:
        team = await store.team("T0TEAM", CHANNEL)
        assert team is not None and [r.user_id for r in team.roles if r.role == "po"] == [PO]
