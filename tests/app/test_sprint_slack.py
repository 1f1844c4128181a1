"""Sprint records through the real app: what a form names is looked up inside the team (the
workspace and channel) it comes from; another team's sprint is refused and left alone."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time

import pytest

from bot.emulator.driver import SlackDriver
from bot.emulator.server import View
from bot.emulator.stack import LocalStack
from bot.usecases import sprints
from tests.app.test_backlog_slack import shown
from tests.app.test_workspaces import ANN, BEN, install, oauth_stack, person, running_oauth
from tests.conftest import CHANNEL, PEOPLE, PO, SM

OTHER_CHANNEL = "C0OTHER"
SAME = "C0SAME"  # a channel id in two workspaces
REFUSED = "That sprint belongs to another channel's team."


async def running_sprint(
    slack: LocalStack, workspace: str, channel: str, sm: str | None = SM
) -> int:
    """A team with its Scrum Master (or no roles) and a committed (empty) sprint running."""
    now = slack.clock.now()
    async with slack.db.transaction() as store:
        team = await store.ensure_team(workspace, channel, now)
        if sm:
            await store.set_role(team, "sm", [sm])
        sprint = await sprints.upcoming(store, team, now)
        sprint.goal, sprint.status, sprint.committed_points = "Ship it", "active", 0.0
        return sprint.id


async def status_of(slack: LocalStack, sprint_id: int) -> str:
    async with slack.db.transaction() as store:
        sprint = await store.sprint_by_id(sprint_id)
        assert sprint is not None
        return sprint.status


def naming(view: View, sprint_id: int) -> View:
    """The form as if it named `sprint_id` (a replayed or crafted submission)."""
    meta = json.loads(view.view["private_metadata"])
    view.view["private_metadata"] = json.dumps({**meta, "sprint": sprint_id})
    return view


def opened_in(view: View, workspace: str) -> View:
    """The view as Slack sends it back from `workspace`'s installation: the emulator stamps
    every view with its own default workspace (team_id, app_installed_team_id)."""
    view.view.update(team_id=workspace, app_installed_team_id=workspace)
    return view


def closed_posts(slack: LocalStack, channel: str) -> list[str]:
    return [shown(m) for m in slack.emulator.messages(channel) if "closed:" in shown(m)]


async def close_form(driver: SlackDriver, slack: LocalStack, channel: str, user: str = SM) -> View:
    ack = await driver.command("/sprint", "close", user=user, channel=channel)
    assert ack.status == 200
    view = slack.emulator.open_view(user)
    assert view is not None and view.view["callback_id"] == "sprint_close"
    return view


@pytest.fixture
async def workspaces(db, clock) -> AsyncIterator[LocalStack]:
    """The app installed in two workspaces (OAuth) that each have a channel C0SAME."""
    stack = oauth_stack(db, clock, (ANN, BEN))
    stack.emulator.add_channel(SAME, "team", members=[ANN, BEN, "UBOT"])
    async with running_oauth(stack):
        for workspace, user in (("T1", ANN), ("T2", BEN)):
            assert (await install(stack, workspace, user)).startswith("200")
        yield stack


async def test_a_close_form_naming_another_channels_sprint_is_refused(slack):
    ours = await running_sprint(slack, "T0TEAM", CHANNEL)
    slack.emulator.add_channel(OTHER_CHANNEL, "team-b", members=[*PEOPLE, "UBOT"])
    theirs = await running_sprint(slack, "T0TEAM", OTHER_CHANNEL)

    form = naming(await close_form(slack.driver, slack, OTHER_CHANNEL), ours)
    await slack.driver.submit(form, {"Did we get the value we expected?": "Yes"}, user=SM)

    refusals = [e.text for e in slack.emulator.ephemerals(OTHER_CHANNEL, SM)]
    assert refusals and REFUSED in refusals[-1]
    assert await status_of(slack, ours) == "active", "another team's sprint is left alone"
    assert await status_of(slack, theirs) == "active", "and the form's own team's too"
    assert closed_posts(slack, CHANNEL) == [] and closed_posts(slack, OTHER_CHANNEL) == []

    form = await close_form(slack.driver, slack, OTHER_CHANNEL)  # its own sprint: closed
    await slack.driver.submit(form, {"Did we get the value we expected?": "Yes"}, user=SM)
    assert await status_of(slack, theirs) == "closed"
    assert await status_of(slack, ours) == "active"
    await slack.services.jobs.run_due()  # the announcement, from the outbox
    assert len(closed_posts(slack, OTHER_CHANNEL)) == 1 and closed_posts(slack, CHANNEL) == []


async def test_a_close_form_from_another_workspace_with_the_same_channel_id_is_refused(
    workspaces,
):
    stack = workspaces
    ours = await running_sprint(stack, "T1", SAME, sm=ANN)
    theirs = await running_sprint(stack, "T2", SAME, sm=BEN)  # the same channel id
    ben = person(stack, "T2")
    try:
        form = naming(opened_in(await close_form(ben, stack, SAME, user=BEN), "T2"), ours)
        await ben.submit(form, {"Did we get the value we expected?": "Yes"}, user=BEN)
        refusals = [e.text for e in stack.emulator.ephemerals(SAME, BEN)]
        assert refusals and REFUSED in refusals[-1]
        assert await status_of(stack, ours) == "active", "the first workspace's sprint is left"
        assert await status_of(stack, theirs) == "active"
        assert closed_posts(stack, SAME) == []

        form = opened_in(await close_form(ben, stack, SAME, user=BEN), "T2")  # its own: closed
        await ben.submit(form, {"Did we get the value we expected?": "Yes"}, user=BEN)
        assert await status_of(stack, theirs) == "closed"
        assert await status_of(stack, ours) == "active"
    finally:
        await ben.aclose()


async def test_a_close_form_naming_a_closed_sprint_changes_nothing(slack):
    first = await running_sprint(slack, "T0TEAM", CHANNEL)
    form = await close_form(slack.driver, slack, CHANNEL)
    await slack.driver.submit(form, {"Did we get the value we expected?": "Yes"}, user=SM)
    assert await status_of(slack, first) == "closed"
    second = await running_sprint(slack, "T0TEAM", CHANNEL)  # sprint 2, planned at the close
    async with slack.db.transaction() as store:  # its slot begun: it can be closed
        planned = await store.sprint_by_id(second)
        assert planned is not None
    slack.clock.set(datetime.combine(planned.starts_on, time(9), tzinfo=UTC))

    form = naming(await close_form(slack.driver, slack, CHANNEL), first)
    await slack.driver.submit(form, {"Did we get the value we expected?": "Again"}, user=SM)
    assert "Sprint 1 is closed already." in slack.emulator.ephemerals(CHANNEL, SM)[-1].text
    assert await status_of(slack, second) == "active"
    async with slack.db.transaction() as store:
        sprint = await store.sprint_by_id(first)
        assert sprint is not None and sprint.review_answer == "Yes"
    await slack.services.jobs.run_due()
    assert len(closed_posts(slack, CHANNEL)) == 1


async def test_closing_in_a_channel_with_no_roles_offers_its_setup_first(slack):
    # Issue 13, point 5: the closer does not become the PO; the channel is set up first.
    first = await running_sprint(slack, "T0TEAM", CHANNEL, sm=None)
    await slack.driver.command("/sprint", "close", user=PO, channel=CHANNEL)
    offer = slack.emulator.ephemerals(CHANNEL, PO)[-1]
    assert "This channel has no Scrum roles yet, so nobody can close the sprint" in offer.text
    assert slack.emulator.open_view(PO) is None, "no closing form before the team is set up"
    await slack.driver.click("Set up the team", user=PO, message=offer)
    await slack.driver.submit(slack.emulator.open_view(PO), {"Product Owner": [PO]}, user=PO)
    form = await close_form(slack.driver, slack, CHANNEL, user=PO)
    await slack.driver.submit(form, {"Did we get the value we expected?": "Yes"}, user=PO)
    assert await status_of(slack, first) == "closed"
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        assert team.timezone == "Europe/Berlin", "the team took its new PO's time zone"
