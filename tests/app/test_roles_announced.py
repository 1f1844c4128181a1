"""A change of the team's Scrum roles is told in its channel, once, naming only what changed
(QA: it was told privately to whoever made it, so the team did not learn who its Product Owner
or Scrum Master now is, and a former PO lost the role without a word). By command, by the roles
form and by a later setup; the first setup's own announcement says the roles already. Nothing
is posted when nothing changed; people are mentioned, user groups named by their handle (never
pinged); the post goes through the durable outbox with the change."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_team_setup_slack import DESIGN, team_rows, timebox
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO, SM, beside_roles, roles, roles_told


def told(slack: LocalStack) -> list[str]:
    """What the bot posted in the team's channel, as shown."""
    return [shown(m) for m in slack.emulator.messages(CHANNEL) if m.user == "UBOT"]


def raw(slack: LocalStack) -> str:
    """The bot's channel posts as Slack received them (markup and entities as sent)."""
    posts = [m for m in slack.emulator.messages(CHANNEL) if m.user == "UBOT"]
    return json.dumps([[m.text, m.blocks] for m in posts])


async def set_up(slack: LocalStack) -> None:
    """Paula the Product Owner, Sam the Scrum Master, by command."""
    await timebox(slack, f"roles po <@{PO}|paula> sm <@{SM}|sam>", PO)


async def scrum_masters_by_setup(slack: LocalStack, handle: str) -> str:
    """Paula and Sam set up by command, then a workspace user group `handle` picked as the
    Scrum Masters in the setup form instead of Sam: the channel's last post, as shown."""
    slack.emulator.add_usergroup(DESIGN, handle, [DEV1], name="Some group")
    await set_up(slack)
    await slack.driver.command("/timebox", "setup", user=PO, channel=CHANNEL)
    picked = {"Scrum Masters": [], "Scrum Masters: user groups": [DESIGN]}
    await slack.driver.submit(slack.emulator.open_view(PO), picked, user=PO)
    return told(slack)[-1]


async def test_a_product_owner_handover_by_command_is_told_in_the_channel(slack):
    await set_up(slack)
    [first] = told(slack)
    assert f"<@{PO}> set the roles: Product Owner <@{PO}>; Scrum Master <@{SM}> added" in first
    await timebox(slack, f"roles po <@{DEV1}|diana>", SM)
    assert len(told(slack)) == 2, "one post"
    handover = told(slack)[-1]
    assert f"<@{SM}> set the roles: Product Owner <@{DEV1}> (was <@{PO}>)" in handover
    assert "Scrum Master" not in handover, "only what changed"
    _, rows = await team_rows(slack)
    assert rows == [(DEV1, "po"), (SM, "sm")]


async def test_nothing_changed_tells_the_channel_nothing(slack):
    await set_up(slack)
    await timebox(slack, f"roles po <@{PO}|paula>", SM)
    await timebox(slack, f"roles sm <@{SM}|sam> po <@{PO}|paula>", PO)
    assert len(told(slack)) == 1
    assert f"*Product Owner:* <@{PO}>" in shown(last_ephemeral(slack, PO)), "still answered"


async def test_a_refused_change_tells_the_channel_nothing(slack):
    await set_up(slack)
    refused = await timebox(slack, f"roles po <@{DEV1}|diana>", DEV2)
    assert "Only the Product Owner or Scrum Master" in refused.text
    assert len(told(slack)) == 1


async def test_the_roles_form_tells_who_came_and_went(slack):
    await set_up(slack)
    card = await timebox(slack, "roles", SM)
    await slack.driver.click("Edit roles", user=SM, message=card)
    form = slack.emulator.open_view(SM)
    await slack.driver.submit(form, {"Scrum Master": [DEV2, DEV3], "Developers": [DEV1]}, user=SM)
    said = told(slack)[-1]
    assert (
        f"<@{SM}> set the roles: Scrum Masters <@{DEV2}>, <@{DEV3}> added, <@{SM}> removed; "
        f"Developers: only <@{DEV1}> (was everyone else in the channel)"
    ) in said, said
    assert "Product Owner" not in said
    await timebox(slack, "roles dev", DEV2)  # everyone else again
    said = told(slack)[-1]
    assert f"<@{DEV2}> set the roles: Developers: everyone else in the channel (was <@{DEV1}>)" in (
        said
    ), said
    assert len(told(slack)) == 3


async def test_a_user_group_is_named_by_its_handle_never_pinged(slack):
    slack.emulator.add_usergroup(DESIGN, "design-team", [DEV1, DEV2], name="Design team")
    await set_up(slack)
    await timebox(slack, f"roles dev <!subteam^{DESIGN}|@design-team> <@{DEV3}|dmitri>", PO)
    said = told(slack)[-1]
    assert f"Developers: only <@{DEV3}>, @design-team (was everyone else in the channel)" in said
    assert "subteam" not in raw(slack), "the group is not notified"


async def test_free_text_cannot_ping_the_channel(slack):
    """A user group's handle comes from Slack (here through the setup form's options), and is
    escaped like any text the bot did not write itself."""
    said = await scrum_masters_by_setup(slack, "<!channel>")
    assert f"<@{PO}> set the roles: Scrum Master @" in said and f"<@{SM}> removed" in said, said
    sent = raw(slack)
    assert "<!channel>" not in sent and "subteam" not in sent, "nobody is notified but Sam"


async def test_a_later_setup_tells_its_role_changes_and_the_first_one_once(slack):
    await slack.driver.command("/timebox", "setup", user=SM, channel=CHANNEL)
    await slack.driver.submit(
        slack.emulator.open_view(SM), {"Product Owner": [PO], "Scrum Masters": [SM]}, user=SM
    )
    await slack.services.jobs.run_due()
    [first] = told(slack)
    assert f"<@{SM}> set up Timebox for this channel." in first, "its own announcement alone"
    await slack.driver.command("/timebox", "setup", user=SM, channel=CHANNEL)
    await slack.driver.submit(slack.emulator.open_view(SM), {"Product Owner": [DEV3]}, user=SM)
    await slack.services.jobs.run_due()
    assert len(told(slack)) == 2
    assert f"<@{SM}> set the roles: Product Owner <@{DEV3}> (was <@{PO}>)" in told(slack)[-1]


async def test_an_announcement_slack_refused_comes_from_the_outbox_once(slack):
    await set_up(slack)
    slack.emulator.fail_next("chat.postMessage", status=200, error="internal_error")
    answer = await timebox(slack, f"roles po <@{DEV1}|diana>", PO)
    assert f"*Product Owner:* <@{DEV1}>" in shown(answer), "the change is answered, no error"
    assert len(told(slack)) == 1, "refused"
    for _ in range(2):
        slack.clock.advance(timedelta(minutes=11))
        await slack.services.jobs.run_due()
    handovers = [t for t in told(slack) if f"Product Owner <@{DEV1}> (was <@{PO}>)" in t]
    assert len(handovers) == 1, told(slack)


async def test_a_user_group_picked_in_the_setup_form_keeps_its_handle_as_slack_says_it(slack):
    """The form's option shows the handle escaped; what is kept of it is the handle itself
    (QA: the announcement showed `@r&amp;amp;d`, escaped twice)."""
    said = await scrum_masters_by_setup(slack, "r&d<1>")
    assert f"Scrum Master @r&d<1> added, <@{SM}> removed" in said, said
    assert "@r&amp;d&lt;1&gt; added" in raw(slack), "escaped once on the way out"
    team, _ = await team_rows(slack)
    assert [a.handle for a in team.roles if a.user_id == DESIGN] == ["r&d<1>"], "kept raw"


async def test_the_roles_told_are_known_by_their_outbox_key(slack):
    """Tests about something else leave them out by it (`beside_roles` in tests/conftest.py),
    and only them."""
    await roles(slack)
    await slack.driver.command("/refine", "start 30m", user=SM, channel=CHANNEL)
    posts = [m for m in slack.emulator.messages(CHANNEL) if m.user == "UBOT" and not m.thread_ts]
    assert [roles_told(m) for m in posts] == [True, True, False]
    [agenda] = beside_roles(posts)
    assert "Backlog refinement" in shown(agenda)
    calls = slack.emulator.calls_to("chat.postMessage")
    assert [c.args["channel"] for c in calls if roles_told(c)] == [CHANNEL, CHANNEL]


async def test_the_plural_counts_everyone_who_came_and_went(slack):
    """QA: one Scrum Master added while two went read "Scrum Master <@c> added, <@a>, <@b>
    removed": only those added were counted when anyone was."""
    await set_up(slack)
    await timebox(slack, f"roles sm <@{SM}|sam> <@{DEV2}|devon>", PO)
    assert f"<@{PO}> set the roles: Scrum Master <@{DEV2}> added" in told(slack)[-1]
    await timebox(slack, f"roles sm <@{DEV3}|dmitri>", PO)
    said = told(slack)[-1]
    assert f"Scrum Masters <@{DEV3}> added, <@{SM}>, <@{DEV2}> removed" in said, said
