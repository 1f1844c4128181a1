"""User text inside the bot's own `*bold*` or `_italic_`, through the real app: Slack's mrkdwn
has no escape for a `*`, so a task titled `API *call*` ended its bold early and showed stray
stars. Each surface shows the text as typed, its markers turned into look-alikes (U+2217 for
`*`, U+02CD for `_`, U+223C for `~`): task titles, reasons, agenda names and section titles,
a tracker board's name."""

from __future__ import annotations

import re
from pathlib import Path

import agendas
from bot.emulator.linear import LinearEmulator
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_planning_slack import cmd, setup
from tests.app.test_poker_slack import board, poker
from tests.app.test_poker_slack import setup_team as poker_team
from tests.app.test_refine_slack import agenda_message, refine, thread, tick
from tests.app.test_review_slack import sprint_with_done_items
from tests.app.test_sprint_tasks_slack import committed, private
from tests.app.test_tracker_connect import connect_linear
from tests.app.trackers import beside_slack_fixture
from tests.app.trackers import roles as tracker_roles
from tests.conftest import CHANNEL, DEV1, DEV2, PO, roles

TYPED = "<!channel> API *call* for my_var ~now~"
SHOWN = "<!channel> API ∗call∗ for myˍvar ∼now∼"  # as a reader sees it: `shown` decodes


async def test_a_task_title_with_stars_stays_inside_its_bold_on_the_task_card(slack: LocalStack):
    await committed(slack)
    await cmd(slack, "/sprint", "task 1 add " + slack.driver.escape(TYPED) + " 6h", DEV1)
    await cmd(slack, "/sprint", f"task 1 3 owner <@{DEV2}|bea>", DEV1)
    card = private(slack, DEV1)
    assert f":pencil2: *{SHOWN}*: 6h left, <@{DEV2}>'s." in card, card


async def test_a_vote_reason_with_underscores_stays_inside_its_italics(slack: LocalStack):
    await poker_team(slack)
    await poker(slack, "1")
    await slack.driver.click("Vote with a reason", user=DEV1, message=board(slack))
    form = slack.emulator.open_view(DEV1)
    reason = "the _legacy_ *parser*\nand its tests"
    await slack.driver.submit(form, {"Your card": "8", "Why": reason}, user=DEV1)
    text = last_ephemeral(slack, DEV1).text
    assert "Your reason: _the ˍlegacyˍ ∗parser∗ and its tests_" in text, text


async def test_the_reason_for_an_unready_item_stays_inside_its_italics_on_the_sprint_card(
    slack: LocalStack,
):
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "goal By the end we expect PDF invoices", PO)
    await cmd(slack, "/planning", "next")
    await slack.driver.click("Choose items", user=DEV1, channel=CHANNEL)
    await slack.driver.submit(
        slack.emulator.open_view(DEV1),
        {
            "Take an unready item anyway": "#4 Spike on search",
            "Why take it although it is not ready?": "a spike on the _search_ API",
        },
        user=DEV1,
    )
    await cmd(slack, "/sprint", "", DEV1)
    card = shown(last_ephemeral(slack, DEV1))
    assert "_taken unready: a spike on the ˍsearchˍ API_" in card, card


AGENDA = (
    "name: Our *quick* sync\nminutes: 20\nsections:\n"
    "  - title: Look *around*\n    minutes: 10\n    purpose: why _we_ look\n"
    "  - title: Wrap ~up~\n    minutes: 10\n"
)


async def test_an_agendas_name_and_section_titles_stay_inside_their_bold_when_saved_and_shown(
    slack: LocalStack,
):
    await roles(slack)
    await slack.driver.share_file(PO, CHANNEL, "quick.yml", AGENDA.encode(), "yaml")
    [saved] = [m for m in slack.emulator.messages(CHANNEL) if "quick.yml" in m.text]
    assert "agenda for refinement: *Our ∗quick∗ sync*, 2 sections" in shown(saved), shown(saved)
    await refine(slack, "agenda", PO)
    view = shown(last_ephemeral(slack, PO))
    assert "*Our ∗quick∗ sync* · 20 min" in view, view
    assert "*1. Look ∗around∗* · 10 min" in view and "*2. Wrap ∼up∼* · 10 min" in view


async def test_a_meetings_section_titles_purpose_and_name_stay_inside_their_markers(
    slack: LocalStack,
):
    await roles(slack)
    await slack.driver.share_file(PO, CHANNEL, "quick.yml", AGENDA.encode(), "yaml")
    await refine(slack, "start 20m")
    running = shown(agenda_message(slack))
    assert ":arrow_forward: *Look ∗around∗* · 10 min" in running, running
    assert "_why ˍweˍ look_" in running
    await refine(slack, "extend")
    assert "+5 min for *Look ∗around∗*." in shown(thread(slack)[-1])
    await tick(slack, 12)
    assert "3 min left in *Look ∗around∗*." in shown(thread(slack)[-1])
    await tick(slack, 3)
    assert "Time is up for *Look ∗around∗*." in shown(thread(slack)[-1])
    await refine(slack, "next")
    assert ":white_check_mark: ~Look ∗around∗~" in shown(agenda_message(slack))
    await refine(slack, "end")
    minutes = [shown(m) for m in thread(slack) if "Minutes of the" in shown(m)]
    assert minutes and "*Minutes of the Our ∗quick∗ sync*" in minutes[-1], minutes


linear = beside_slack_fixture("linear")


async def test_a_tracker_boards_name_stays_inside_its_bold_when_connected_listed_and_gone(
    slack: LocalStack, linear: LinearEmulator
):
    linear.team.name = "Core *API* team"
    await tracker_roles(slack)
    answer = await connect_linear(slack, linear)
    assert "connected to Linear team *Core ∗API∗ team* (" in answer, answer
    await slack.driver.command("/timebox", "connect status", user=PO, channel=CHANNEL)
    status = shown(last_ephemeral(slack, PO))
    assert "Connected to Linear team *Core ∗API∗ team* (" in status, status
    await slack.driver.command("/timebox", "disconnect", user=PO, channel=CHANNEL)
    gone = shown(last_ephemeral(slack, PO))
    assert "no longer connected to Linear team *Core ∗API∗ team* (" in gone, gone


def renamed(kind: str, name: str) -> bytes:
    """The built-in agenda of `kind`, under another name."""
    text = (Path(agendas.__file__).parent / f"{kind}.yml").read_text()
    return re.sub(r"(?m)^name: .*$", f"name: {name}", text).encode()


def minutes_shown(slack: LocalStack) -> list[str]:
    """Every message (threads included) that holds a meeting's minutes, as shown."""
    found = []
    for top in slack.emulator.messages(CHANNEL):
        found += [shown(m) for m in slack.emulator.thread(CHANNEL, top.ts)]
    return [text for text in found if "Minutes of the" in text]


async def test_a_planning_and_a_reviews_own_agenda_name_stays_inside_the_minutes_bold(
    slack: LocalStack,
):
    await sprint_with_done_items(slack)
    await slack.driver.share_file(
        PO, CHANNEL, "review.yml", renamed("review", "Demo *day*"), "yaml"
    )
    await cmd(slack, "/review", "start 60m")
    await cmd(slack, "/review", "end")
    assert any("*Minutes of the Demo ∗day∗* of sprint 1" in m for m in minutes_shown(slack))
    await slack.driver.share_file(
        PO, CHANNEL, "planning.yml", renamed("planning", "Plan *it*"), "yaml"
    )
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "end")
    assert any("*Minutes of the Plan ∗it∗*" in m for m in minutes_shown(slack)), minutes_shown(
        slack
    )
