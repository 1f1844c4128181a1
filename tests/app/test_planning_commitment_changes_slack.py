"""A commitment is to the plan as it stands: a change to its selection or its goal sets aside
the commitments given so far (the thread asks their Developers, once, to commit again); a
commitment to items that are not ready is warned of, naming them; and the thread's notes say
who changed the plan, and which items."""

from __future__ import annotations

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import shown
from tests.app.test_planning_commit_slack import at_commitment, commits_said
from tests.app.test_planning_slack import channel_posts, cmd, posted, setup, thread
from tests.app.test_sprint_ahead_slack import sprint_3_committed_ahead
from tests.conftest import DEV1, DEV2, DEV3, PO, SM

COMMIT_AGAIN = "The plan changed: "


def asked_again(slack: LocalStack) -> list[str]:
    """The thread's lines asking Developers to commit again."""
    return [shown(m) for m in thread(slack) if COMMIT_AGAIN in shown(m)]


async def test_adding_or_dropping_an_item_sets_the_commitments_given_aside_once(slack):
    card = await at_commitment(slack)  # sprint 1: #1 (5 points), a goal
    await slack.driver.click("I commit", user=DEV1, message=card)

    await cmd(slack, "/planning", "add 2", DEV3)
    [said] = asked_again(slack)
    assert f"The plan changed: <@{DEV1}>, please commit again." in said, said
    assert "Took #2 into the plan." in said
    await cmd(slack, "/planning", "drop 1", DEV3)
    assert len(asked_again(slack)) == 1, "said once: nobody had committed since"

    await slack.driver.click("I commit", user=DEV3, message=card)
    [said] = commits_said(slack, DEV3)
    assert f"Waiting for <@{DEV1}>, <@{DEV2}>." in said, said
    await slack.driver.click("I commit", user=DEV2, message=card)
    assert not [m for m in channel_posts(slack) if "*Sprint 1 is committed*" in shown(m)]

    await slack.driver.click("I commit", user=DEV1, message=card)
    summary = posted(slack, "*Sprint 1 is committed*")
    assert "1 item, 8 points" in summary, "the plan as it stands: #2 alone"
    by = ", ".join(f"<@{d}>" for d in sorted((DEV1, DEV2, DEV3)))
    assert f"Committed by {by}." in summary, summary


async def test_a_new_goal_sets_the_commitments_aside_and_the_same_goal_does_not(slack):
    card = await at_commitment(slack)
    await slack.driver.click("I commit", user=DEV1, message=card)
    await slack.driver.click("I commit", user=DEV2, message=card)

    await cmd(slack, "/planning", "goal By the end we expect PDF invoices", PO)  # the same
    assert asked_again(slack) == []
    await cmd(slack, "/planning", "goal By the end we expect CSV invoices", PO)
    [said] = asked_again(slack)
    given = ", ".join(f"<@{d}>" for d in sorted((DEV1, DEV2)))
    assert f"The plan changed: {given}, please commit again." in said, said

    await slack.driver.click("I commit", user=DEV3, message=card)
    said = commits_said(slack, DEV3)[-1]
    assert f"Waiting for <@{DEV1}>, <@{DEV2}>." in said, said


async def test_a_commitment_for_the_team_names_the_items_that_are_not_ready(slack):
    await setup(slack)  # #4 is not estimated
    await cmd(slack, "/planning", "start 30m")
    await cmd(slack, "/planning", "add 4 follow-up", PO)
    await cmd(slack, "/planning", "goal By the end we know how search works", PO)
    await cmd(slack, "/planning", "commit team", SM)

    summary = posted(slack, "*Sprint 1 is committed*")
    warning = posted(slack, "not ready")
    assert "Sprint 1 was committed with an item not ready: #4 (" in warning, warning
    assert "not estimated" in warning, warning
    posts = [shown(m) for m in channel_posts(slack)]
    assert posts.index(warning) == posts.index(summary) + 1, "right under the summary"


async def test_a_developer_committing_hears_which_items_are_not_ready(slack):
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "add 1")
    await cmd(slack, "/planning", "add 4 a one-day spike")
    await cmd(slack, "/planning", "goal By the end we expect PDF invoices", PO)
    await cmd(slack, "/planning", "commit", DEV1)
    [said] = commits_said(slack, DEV1)
    assert ":warning: Not ready: #4 (" in said and "not estimated" in said, said
    assert "#1 (" not in said


async def test_the_notes_say_who_took_an_item_why_it_is_not_ready_and_what_was_chosen(slack):
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "add 4 <!channel> wants *this* & more", DEV2)
    note = thread(slack)[-1]
    said = shown(note)
    assert f"Took #4 into the plan. <@{DEV2}> asked for it: :warning: it is not ready (" in said
    assert "not estimated" in said and '"@channel wants *this* & more"' in said, said
    raw = note.text + str(note.blocks)
    assert "<!channel>" not in raw and "*this* &amp; more" in raw, "escaped"
    await cmd(slack, "/planning", "drop 4", DEV3)
    assert f"Left #4 out of the plan. <@{DEV3}> asked for it." in shown(thread(slack)[-1])

    await cmd(slack, "/planning", "next")  # the selection
    await slack.driver.click("Choose items", user=DEV1, message=thread(slack)[-1])
    await slack.driver.submit(slack.emulator.open_view(DEV1), {}, user=DEV1)  # as proposed
    said = shown(thread(slack)[-1])
    assert f"<@{DEV1}> chose 3 items: #1, #2, #3." in said, said
    assert "Not ready" not in said


async def test_the_planning_card_names_the_sprint_it_plans_and_its_dates(slack):
    await sprint_3_committed_ahead(slack)  # sprint 3 (14 to 25 Dec) committed, not started
    await cmd(slack, "/planning", "start 1h")
    [card] = [m for m in channel_posts(slack) if m.blocks and "Sprint planning" in shown(m)][-1:]
    assert "Sprint planning · Sprint 4, 28 Dec to 08 Jan" in shown(card), shown(card)
    await cmd(slack, "/planning", "next")  # the card redrawn keeps it
    [card] = [m for m in channel_posts(slack) if m.ts == card.ts]
    assert "Sprint planning · Sprint 4, 28 Dec to 08 Jan" in shown(card), shown(card)
