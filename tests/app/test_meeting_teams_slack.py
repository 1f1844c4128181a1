"""A meeting's, a sprint's or an agenda's buttons and forms act only in their own team.

Each button and form names what it is about (a meeting, a sprint, an agenda's channel and team)
in its value or private_metadata; a click or a submission from another team, be it another
channel of the workspace (a copy of the message there) or another workspace whose channel has
the same id, gets a plain refusal and changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.emulator import SlackDriver
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_planning_slack import setup as setup_planning
from tests.app.test_planning_slack import thread as planning_thread
from tests.app.test_refine_slack import agenda_message, refine, setup_team, thread
from tests.conftest import CHANNEL, DEV1, PEOPLE, PO, SM

OTHER_CHANNEL = "C0OTHER"  # another channel of the same workspace
OTHER_WORKSPACE = "T0OTHER"  # whose channel has the same id as ours
MEETING_REFUSED = "That meeting belongs to another channel's team."
SPRINT_REFUSED = "That sprint belongs to another channel's team."
AGENDA_REFUSED = "That agenda belongs to another channel's team."


@pytest.fixture
async def elsewhere(slack: LocalStack) -> Any:
    """The other channel (same people), and a driver for the other workspace."""
    slack.emulator.add_channel(OTHER_CHANNEL, "team-b", members=[*PEOPLE, "UBOT"])
    slack.emulator.add_workspace(OTHER_WORKSPACE, "Other")
    driver = SlackDriver(
        slack.emulator,
        app_url=slack.driver.app_url,
        signing_secret=slack.driver.signing_secret,
        settle=slack.settle,
        team_id=OTHER_WORKSPACE,
    )
    yield driver
    await driver.aclose()


def copied(slack: LocalStack, message: Any) -> Any:
    """The message, buttons and all, as if it were in the other channel."""
    return slack.emulator.add_message(OTHER_CHANNEL, "UBOT", message.text, blocks=message.blocks)


def moved(form: Any, *, workspace: str | None = None, channel: str | None = None) -> Any:
    """The open form as if it had been opened in another workspace or channel, its
    private_metadata still naming what ours names."""
    if workspace is not None:
        form.view["team_id"] = workspace
        if "app_installed_team_id" in form.view:
            form.view["app_installed_team_id"] = workspace
    if channel is not None:
        meta = json.loads(form.view["private_metadata"])
        form.view["private_metadata"] = json.dumps({**meta, "channel": channel})
    return form


def refusal(slack: LocalStack, user: str, channel: str = CHANNEL) -> str:
    answers = [e for e in slack.emulator.ephemerals(channel, user) if not e.deleted]
    assert answers, f"{user} got no answer in {channel}"
    return answers[-1].text


async def from_both(
    slack: LocalStack, other: SlackDriver, label: str, message: Any, user: str, refused: str
) -> None:
    """`user` clicks `label` on a copy of `message` in the other channel, then on `message`
    itself from the other workspace: both are refused."""
    await slack.driver.click(label, user=user, message=copied(slack, message))
    assert refused in refusal(slack, user, OTHER_CHANNEL)
    await other.click(label, user=user, message=message)
    assert refused in refusal(slack, user)


async def test_another_teams_meeting_buttons_are_refused_and_change_nothing(slack, elsewhere):
    await setup_team(slack)
    await refine(slack, "start")
    [kickoff] = thread(slack)
    before = shown(agenda_message(slack))

    for label in ("Next section", "+5 min", "Pause", "End meeting"):
        await from_both(slack, elsewhere, label, agenda_message(slack), SM, MEETING_REFUSED)
    await from_both(slack, elsewhere, "Set the session goal", kickoff, SM, MEETING_REFUSED)
    assert slack.emulator.open_view(SM) is None, "no goal form opened"
    assert shown(agenda_message(slack)) == before, "still in the kick-off, running, no extension"
    assert [shown(m) for m in thread(slack)] == [shown(kickoff)], "nothing said in the thread"

    # Triage: placing, typing and prioritising another team's item.
    await refine(slack, "next")
    card = thread(slack)[-1]
    await from_both(slack, elsewhere, "Top", card, PO, MEETING_REFUSED)
    for select, choice in (("Type", "Enabler"), ("MoSCoW priority", "Must have")):
        await slack.driver.select(select, choice, user=PO, message=copied(slack, card))
        assert MEETING_REFUSED in refusal(slack, PO, OTHER_CHANNEL)
        await elsewhere.select(select, choice, user=PO, message=card)
        assert MEETING_REFUSED in refusal(slack, PO)
    assert "Triage 1 of 3" in shown(slack.emulator.find_message(CHANNEL, card.ts))
    listing = shown(await backlog(slack))
    assert "Enabler" not in listing and "Must have" not in listing

    # Deep dive: no poker round anywhere.
    await refine(slack, "next")
    dive = next(m for m in thread(slack) if "Deep dive 1 of" in shown(m))
    await from_both(slack, elsewhere, "Estimate", dive, SM, MEETING_REFUSED)
    everywhere = [*slack.emulator.messages(CHANNEL), *slack.emulator.messages(OTHER_CHANNEL)]
    assert not any("Planning poker" in shown(m) for m in everywhere)

    # Wrap-up: the next session's date, then the minutes of the ended meeting.
    await refine(slack, "next")
    wrap = next(m for m in thread(slack) if "Wrap-up" in shown(m))
    await slack.driver.select("Next session", "2026-04-01", user=SM, message=copied(slack, wrap))
    assert MEETING_REFUSED in refusal(slack, SM, OTHER_CHANNEL)
    await elsewhere.select("Next session", "2026-04-01", user=SM, message=wrap)
    assert MEETING_REFUSED in refusal(slack, SM)
    await refine(slack, "end")
    assert "*Next session:* not set" in shown(thread(slack)[-1])
    await refine(slack, "history")
    history = last_ephemeral(slack, SM)
    await from_both(slack, elsewhere, "Minutes of 02 Mar", history, SM, MEETING_REFUSED)


async def test_another_teams_meeting_forms_are_refused_and_change_nothing(slack, elsewhere):
    await setup_team(slack)
    await refine(slack, "start")
    [kickoff] = thread(slack)

    # The goal form, submitted from the other workspace (same channel id)...
    await slack.driver.click("Set the session goal", user=SM, message=kickoff)
    form = moved(slack.emulator.open_view(SM), workspace=OTHER_WORKSPACE)
    await elsewhere.submit(form, {"What is this session for?": "Hijacked"}, user=SM)
    assert MEETING_REFUSED in refusal(slack, SM)
    # ...and as if opened in the other channel, naming our meeting.
    await slack.driver.click("Set the session goal", user=SM, message=kickoff)
    form = moved(slack.emulator.open_view(SM), channel=OTHER_CHANNEL)
    await slack.driver.submit(form, {"What is this session for?": "Hijacked"}, user=SM)
    assert MEETING_REFUSED in refusal(slack, SM, OTHER_CHANNEL)

    # An action item the same ways.
    await refine(slack, "next")
    await refine(slack, "next")
    await refine(slack, "next")
    wrap = next(m for m in thread(slack) if "Wrap-up" in shown(m))
    await slack.driver.click("Add action item", user=DEV1, message=wrap)
    form = moved(slack.emulator.open_view(DEV1), workspace=OTHER_WORKSPACE)
    await elsewhere.submit(form, {"What needs doing?": "Hijack it"}, user=DEV1)
    assert MEETING_REFUSED in refusal(slack, DEV1)

    assert "Hijacked" not in shown(agenda_message(slack))
    assert not any("Hijack" in shown(m) for m in thread(slack))
    await refine(slack, "end")
    minutes = shown(thread(slack)[-1])
    assert "*Action items:* none" in minutes and "Hijack" not in minutes


async def test_another_teams_agenda_buttons_and_forms_are_refused(slack, elsewhere):
    await setup_team(slack)
    await refine(slack, "agenda", user=PO)
    await slack.driver.click("Replace with YAML", user=PO, message=last_ephemeral(slack, PO))
    own = "name: Quick sync\nminutes: 30\nsections:\n  - title: Look\n    minutes: 30\n"
    await slack.driver.submit(slack.emulator.open_view(PO), {"Agenda": own}, user=PO)
    view = last_ephemeral(slack, PO)
    assert "this channel's own agenda" in shown(view)

    # The PO of our team, in another channel, with a copy of our agenda's buttons.
    for label in ("Back to the built-in agenda", "Replace with YAML", "Edit lengths and purposes"):
        await from_both(slack, elsewhere, label, view, PO, AGENDA_REFUSED)
    assert slack.emulator.open_view(PO) is None, "no agenda form opened"

    # Our YAML form, submitted from the other workspace.
    await slack.driver.click("Replace with YAML", user=PO, message=view)
    other = "name: Hijacked\nminutes: 30\nsections:\n  - title: Gone\n    minutes: 30\n"
    form = moved(slack.emulator.open_view(PO), workspace=OTHER_WORKSPACE)
    ack = await elsewhere.submit(form, {"Agenda": other}, user=PO)
    assert AGENDA_REFUSED in json.dumps(ack.json), "refused under the field, before the ack"

    await refine(slack, "agenda", user=PO)
    agenda = shown(last_ephemeral(slack, PO))
    assert "Quick sync" in agenda and "this channel's own agenda" in agenda


async def test_another_teams_sprint_buttons_and_forms_are_refused(slack, elsewhere):
    await setup_planning(slack)
    await slack.driver.command("/planning", "start 1h", user=SM, channel=CHANNEL)
    goal = planning_thread(slack)[-1]

    await from_both(slack, elsewhere, "Write the sprint goal", goal, PO, SPRINT_REFUSED)
    assert slack.emulator.open_view(PO) is None, "no goal form opened"

    # Our goal form, submitted from the other workspace, or as if from the other channel.
    await slack.driver.click("Write the sprint goal", user=PO, message=goal)
    hijack = {"The outcome this sprint should bring": "Hijacked goal"}
    form = moved(slack.emulator.open_view(PO), workspace=OTHER_WORKSPACE)
    await elsewhere.submit(form, hijack, user=PO)
    assert SPRINT_REFUSED in refusal(slack, PO)
    await slack.driver.click("Write the sprint goal", user=PO, message=goal)
    form = moved(slack.emulator.open_view(PO), channel=OTHER_CHANNEL)
    await slack.driver.submit(form, hijack, user=PO)
    assert SPRINT_REFUSED in refusal(slack, PO, OTHER_CHANNEL)

    for label in ("Choose items", "Days off & focus", None):
        await slack.driver.command("/planning", "next", user=SM, channel=CHANNEL)
        if label is not None:
            await from_both(slack, elsewhere, label, planning_thread(slack)[-1], SM, SPRINT_REFUSED)
            assert slack.emulator.open_view(SM) is None, "no planning form opened"
    await slack.driver.command("/planning", "next", user=SM, channel=CHANNEL)
    commit = planning_thread(slack)[-1]
    for label in ("I commit", "Commit for the team"):
        await from_both(slack, elsewhere, label, commit, SM, SPRINT_REFUSED)

    await slack.driver.command("/sprint", "", user=DEV1, channel=CHANNEL)
    card = shown(last_ephemeral(slack, DEV1))
    assert "being planned" in card and "Hijacked" not in card
    assert not any("Hijacked" in shown(m) for m in planning_thread(slack))
