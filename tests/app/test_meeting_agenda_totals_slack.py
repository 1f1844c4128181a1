"""An agenda's totals as a team reads and saves it, end to end through Slack. Before:

- `/planning agenda` gave the built-in sprint planning's sections as shares only ("15% of the
  meeting"), never the planning's total: a Scrum Master could not read from it that a
  2-week sprint's planning is timeboxed to 4 hours (2 h per sprint week), nor what each
  section gets; now the total is said for the team's sprint length, each section in minutes,
  as `/planning start` runs them (and a custom share-only `/refine agenda` likewise);
- an agenda YAML whose `minutes:` disagreed with its sections' sum (60 for 10 + 20) was saved,
  then each section stretched to fit at every start, the view still saying 10 and 20: now the
  agenda form, and a shared file's thread, say what the sections add up to and what to type,
  and the agenda stays as it was.
"""

from __future__ import annotations

import json

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_import_real_files import bot_replies
from tests.app.test_refine_slack import agenda_message
from tests.conftest import CHANNEL, PO, SM, roles

PLANNING_SECTIONS = (
    "Why - the sprint goal",
    "What - selection",
    "Capacity check",
    "How - task breakdown",
    "Commitment",
)
SHARES = (15, 30, 15, 30, 10)
DISAGREES = (
    "name: Quick sync\nminutes: 60\nsections:\n  - title: Look\n    minutes: 10\n"
    "  - title: Fix\n    minutes: 20\n"
)
TOLD = (
    "the sections add up to 30 minutes, but “minutes:” says 60: type “minutes: 30” "
    "(or leave it out), or make the sections add up to 60."
)


async def agenda(slack: LocalStack, command: str, user: str = SM) -> str:
    """`command agenda`, typed by `user`: the private answer, as shown."""
    ack = await slack.driver.command(command, "agenda", user=user, channel=CHANNEL)
    assert ack.status == 200
    return shown(last_ephemeral(slack, user))


async def submit_yaml(slack: LocalStack, command: str, text: str) -> dict:
    """The PO opens `command agenda`'s YAML form and submits `text`: the form's ack."""
    await agenda(slack, command, PO)
    await slack.driver.click("Replace with YAML", user=PO, message=last_ephemeral(slack, PO))
    ack = await slack.driver.submit(slack.emulator.open_view(PO), {"Agenda": text}, user=PO)
    return ack.json or {}


async def test_planning_agenda_says_the_timebox_and_section_minutes_for_the_sprint_length(slack):
    """A 2-week sprint: 4 h, sections 36/72/36/72/24 minutes; a 1-week one: 2 h, 18/36/18/36/12;
    and `/planning start` without a length runs exactly what the agenda said."""
    await roles(slack)
    view = await agenda(slack, "/planning")
    assert (
        "*Sprint planning* · 4 h for a 2-week sprint (its whole timebox: 2 h per sprint week)"
        in view
    ), view
    for n, (title, share, minutes) in enumerate(
        zip(PLANNING_SECTIONS, SHARES, (36, 72, 36, 72, 24), strict=True), 1
    ):
        assert f"*{n}. {title}* · {share}% of the meeting · {minutes} min" in view, view

    await slack.driver.command("/timebox", "settings sprint 1w", user=PO, channel=CHANNEL)
    view = await agenda(slack, "/planning")
    assert "*Sprint planning* · 2 h for a 1-week sprint" in view, view
    assert "*1. Why - the sprint goal* · 15% of the meeting · 18 min" in view, view
    assert "*5. Commitment* · 10% of the meeting · 12 min" in view, view

    await slack.driver.command("/planning", "start", user=SM, channel=CHANNEL)
    card = shown(agenda_message(slack))
    assert "*Why - the sprint goal* · 18 min" in card and "Commitment · 12 min" in card, card


async def test_a_shorter_planning_agenda_says_what_it_takes_of_the_timebox(slack):
    await roles(slack)
    text = (
        "name: Quick planning\nkind: planning\nsections:\n"
        "  - {title: Goal, minutes: 30, actions: [goal]}\n"
        "  - {title: Pick, minutes: 60, actions: [selection]}\n"
    )
    ack = await submit_yaml(slack, "/planning", text)
    assert "errors" not in json.dumps(ack), ack
    view = shown(last_ephemeral(slack, PO))
    assert (
        "*Quick planning* · 1 h 30 min of the 4 h timebox for a 2-week sprint "
        "(2 h per sprint week)" in view
    ), view
    assert "*1. Goal* · 30 min" in view and "*2. Pick* · 60 min" in view, view


async def test_refine_agenda_says_its_total_and_every_section_in_minutes_too(slack):
    """The built-in refinement: 60 minutes, 5 + 20 + 25 + 10; a share-only agenda of the
    team's own is shown in the minutes its 60-minute session gives each section."""
    await roles(slack)
    view = await agenda(slack, "/refine")
    assert "*Backlog refinement* · 60 min · the built-in agenda" in view, view
    for n, (title, minutes) in enumerate(
        (("Kick-off", 5), ("Triage new items", 20), ("Deep dive", 25), ("Wrap-up", 10)), 1
    ):
        assert f"*{n}. {title}* · {minutes} min" in view, view

    shares = (
        "name: Split\nsections:\n  - {title: Look, share: 0.25}\n  - {title: Fix, share: 0.75}\n"
    )
    ack = await submit_yaml(slack, "/refine", shares)
    assert "errors" not in json.dumps(ack), ack
    view = shown(last_ephemeral(slack, PO))
    assert "*Split* · 60 min · this channel's own agenda" in view, view
    assert "*1. Look* · 25% of the meeting · 15 min" in view, view
    assert "*2. Fix* · 75% of the meeting · 45 min" in view, view


async def test_a_yaml_agenda_whose_minutes_disagree_with_its_sections_is_refused_in_the_form(
    slack,
):
    """`minutes: 60` over 10 + 20: the form says the sum and what to type, nothing is saved;
    `minutes: 30` is saved and runs 10 and 20 minutes, not 20 and 40."""
    await roles(slack)
    ack = await submit_yaml(slack, "/refine", DISAGREES)
    assert ack.get("response_action") == "errors", ack
    assert ack["errors"] == {"yaml": TOLD}, ack
    assert "the built-in agenda" in await agenda(slack, "/refine", PO), "the agenda stays"

    ack = await submit_yaml(slack, "/refine", DISAGREES.replace("minutes: 60", "minutes: 30"))
    assert "errors" not in json.dumps(ack), ack
    assert "*Quick sync* · 30 min · this channel's own agenda" in shown(last_ephemeral(slack, PO))
    await slack.driver.command("/refine", "start", user=SM, channel=CHANNEL)
    card = shown(agenda_message(slack))
    assert "*Look* · 10 min" in card and "Fix · 20 min" in card, card


async def test_a_shared_agenda_file_whose_minutes_disagree_is_refused_in_its_thread(slack):
    await roles(slack)
    await slack.driver.share_file(PO, CHANNEL, "quick.yml", DISAGREES.encode(), "yaml")
    [answer] = [m.text for m in bot_replies(slack, "quick.yml")]
    told = TOLD.replace("“", "`").replace("”", "`")
    assert f"quick.yml was not taken as an agenda: {told}" in answer, answer
    assert "The agenda you had stays as it was." in answer
    assert "the built-in agenda" in await agenda(slack, "/refine", PO)
