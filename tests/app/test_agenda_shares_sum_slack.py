"""An agenda's shares of the meeting add up to the whole meeting, end to end through Slack.

Before, a Scrum Master who typed 20% for the sprint planning's goal in `/planning agenda`'s
lengths form (its other sections 30/15/30/10 %: 105% in all), or shared a YAML agenda whose
shares made 105%, had it saved without a word: the agenda then said "20% of the meeting" and
`/planning start` ran the section 46 minutes of 240 (19%), not 48. Now the lengths form, the
YAML form and the shared file's thread say what the shares add up to and what to type, and
the agenda stays as it was; shares that make the whole meeting run as typed; shares a
rounding away from it (three thirds written 0.333) are saved.
"""

from __future__ import annotations

import json

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_import_real_files import bot_replies
from tests.app.test_meeting_agenda_totals_slack import agenda, submit_yaml
from tests.app.test_refine_slack import agenda_message
from tests.conftest import CHANNEL, PO, SM, roles

GOAL, SELECTION = "1. Why - the sprint goal (% of meeting)", "2. What - selection (% of meeting)"
FORM_TOLD = (
    "The sections add up to 105% of the meeting, not 100%: type 25 for section 2, or make "
    "them add up to 100."
)
OVER = (
    "name: Our planning\nkind: planning\nsections:\n"
    "  - {title: Goal, share: 0.2, actions: [goal]}\n"
    "  - {title: Pick, share: 0.3, actions: [selection]}\n"
    "  - {title: Capacity, share: 0.15, actions: [capacity]}\n"
    "  - {title: Tasks, share: 0.3, actions: [breakdown]}\n"
    "  - {title: Commit, share: 0.1, actions: [commit]}\n"
)
YAML_TOLD = (
    "the shares add up to 1.05 (105% of the meeting), not 1: type `share: 0.25` in "
    "sections[2], or make the shares add up to 1."
)


async def open_lengths(slack: LocalStack):
    """The PO's `/planning agenda` lengths form, open."""
    await agenda(slack, "/planning", PO)
    await slack.driver.click(
        "Edit lengths and purposes", user=PO, message=last_ephemeral(slack, PO)
    )
    return slack.emulator.open_view(PO)


async def test_the_lengths_form_refuses_shares_of_105_percent_and_saves_them_at_100(slack):
    """20% for the goal beside 30/15/30/10: the form says 105% and to type 25 for section 2;
    nothing is saved. 20/25/15/30/10 is saved, shown and run as typed: 48 and 60 minutes of
    a 2-week sprint's 4 hours, not 46 and 69."""
    await roles(slack)
    form = await open_lengths(slack)
    ack = await slack.driver.submit(form, {GOAL: "20"}, user=PO)
    assert (ack.json or {}).get("response_action") == "errors", ack.json
    assert ack.json["errors"] == {"minutes-0": FORM_TOLD}, ack.json
    assert slack.emulator.open_view(PO) is form, "the form stays open to correct"
    assert "the built-in agenda" in await agenda(slack, "/planning", PO), "nothing is saved"

    ack = await slack.driver.submit(form, {GOAL: "20", SELECTION: "25"}, user=PO)
    assert "errors" not in json.dumps(ack.json or {}), ack.json
    view = shown(last_ephemeral(slack, PO))
    assert "this channel's own agenda" in view, view
    assert "*1. Why - the sprint goal* · 20% of the meeting · 48 min" in view, view
    assert "*2. What - selection* · 25% of the meeting · 60 min" in view, view
    assert "*4. How - task breakdown* · 30% of the meeting · 72 min" in view, view

    await slack.driver.command("/planning", "start", user=SM, channel=CHANNEL)
    card = shown(agenda_message(slack))
    assert "*Why - the sprint goal* · 48 min" in card, card
    assert "What - selection · 60 min" in card, card


async def test_the_yaml_form_refuses_shares_of_105_percent_saying_what_to_type(slack):
    await roles(slack)
    ack = await submit_yaml(slack, "/planning", OVER)
    assert ack.get("response_action") == "errors", ack
    told = YAML_TOLD.replace("`share: 0.25`", "“share: 0.25”")
    assert ack["errors"] == {"yaml": told}, ack
    assert "the built-in agenda" in await agenda(slack, "/planning", PO), "nothing is saved"

    fixed = OVER.replace("Pick, share: 0.3", "Pick, share: 0.25")
    ack = await submit_yaml(slack, "/planning", fixed)
    assert "errors" not in json.dumps(ack), ack
    view = shown(last_ephemeral(slack, PO))
    assert "*1. Goal* · 20% of the meeting · 48 min" in view, view


async def test_a_shared_agenda_file_whose_shares_make_105_percent_is_refused_in_its_thread(
    slack,
):
    await roles(slack)
    await slack.driver.share_file(PO, CHANNEL, "plan.yml", OVER.encode(), "yaml")
    [answer] = [m.text for m in bot_replies(slack, "plan.yml")]
    assert f"plan.yml was not taken as an agenda: {YAML_TOLD}" in answer, answer
    assert "The agenda you had stays as it was." in answer, answer
    assert "the built-in agenda" in await agenda(slack, "/planning", PO)


async def test_a_shared_agenda_of_thirds_a_rounding_short_of_the_whole_is_saved(slack):
    """0.333 three times is 99.9%: saved, each third 20 minutes of the refinement's 60."""
    await roles(slack)
    thirds = "name: Thirds\nsections:\n" + "".join(
        f"  - {{title: {title}, share: 0.333}}\n" for title in ("Look", "Sort", "Ready")
    )
    await slack.driver.share_file(PO, CHANNEL, "thirds.yml", thirds.encode(), "yaml")
    [answer] = [m.text for m in bot_replies(slack, "thirds.yml")]
    assert "not taken" not in answer, answer
    view = await agenda(slack, "/refine", PO)
    assert "*Thirds* · 60 min · this channel's own agenda" in view, view
    for n, title in enumerate(("Look", "Sort", "Ready"), 1):
        assert f"*{n}. {title}* · 33% of the meeting · 20 min" in view, view


async def test_a_shared_planning_agenda_saved_names_the_planning_command_to_see_it(slack):
    """The answer named `/refine agenda` for every kind: a planning agenda is `/planning`'s."""
    await roles(slack)
    whole = OVER.replace("share: 0.2,", "share: 0.15,")  # 100%
    await slack.driver.share_file(PO, CHANNEL, "plan.yml", whole.encode(), "yaml")
    [answer] = [m.text for m in bot_replies(slack, "plan.yml")]
    assert answer.endswith("`/planning agenda` shows it."), answer
