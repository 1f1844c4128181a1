"""What the sprint's cards and the Home tab say reads true and in English: one day off is
"1 day off"; a done task nobody took is just done; after a sprint closes early, the Home tab
does not say the next one is being planned when no planning is under way; a task that grew
past its estimate reads as more left than planned on the sprint card, as on its own card; one
point is "1 point" in the burndown and on the sprint card; a sprint number the channel never
had is answered with those it has."""

from __future__ import annotations

from bot.domain.capacity import Capacity
from handlers.blocks import sprints as sprint_blocks
from storage.models import BacklogItem, Sprint
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_home_slack import home
from tests.app.test_planning_commit_slack import at_commitment
from tests.app.test_planning_slack import close_sprint, cmd, commit_sprint, setup
from tests.app.test_sprint_points_slack import burndown, card, reestimate
from tests.app.test_sprint_tasks_slack import committed, private
from tests.conftest import DEV1, PO, SM


async def test_one_day_off_is_one_day(slack):
    card = shown(await at_commitment(slack, {"Dmitri Dev": "1"}))
    assert ", 1 day off →" in card and "1 days off" not in card, card


async def test_a_done_task_nobody_took_is_done_not_nobodys_yet(slack):
    await committed(slack)  # #1: Design the query 2h, Build the PDF 6h
    await cmd(slack, "/sprint", "task 1 add Review 1h", DEV1)
    await cmd(slack, "/sprint", "task 1 3 done", DEV1)
    said = private(slack, DEV1)
    assert "*Review*: done." in said and "nobody's" not in said, said


async def test_after_an_early_close_the_home_tab_says_the_next_sprint_is_still_to_plan(slack):
    await setup(slack)
    await cmd(slack, "/timebox", "settings start 2026-03-02", PO)
    await commit_sprint(slack, 1)
    await close_sprint(slack, "yes")  # the first day of two weeks: closed early
    shown_home = await home(slack, PO)
    assert "is being planned" not in shown_home, shown_home
    assert "No sprint is running; sprint 2 is the next to plan." in shown_home, shown_home
    await cmd(slack, "/planning", "start 1h", SM)
    assert "Sprint 2 is being planned." in await home(slack, PO)


async def test_a_task_that_grew_reads_as_more_left_than_planned_on_the_sprint_card(slack):
    await committed(slack)  # #1: Design the query 2h, Build the PDF 6h
    await cmd(slack, "/sprint", "task 1 1 left 50", DEV1)  # a 2-hour task that grew
    await cmd(slack, "/sprint", "", DEV1)
    card = shown(last_ephemeral(slack, DEV1))
    assert "tasks 0/2 (8h) · 56h left" not in card, card
    assert "tasks 0/2 · 56h left, 48h more than the 8h planned" in card, card
    await cmd(slack, "/sprint", "task 1", DEV1)
    tasks = private(slack, DEV1)
    assert "Design the query · 2h, 50h left (48h more than planned)" in tasks, tasks


def test_a_fractional_velocity_and_forecast_are_shown_in_tenths_in_the_planning_cards():
    """What addition_risks says of the forecast is what the planning showed: 10.7, not 10.6667."""
    cap = Capacity(("UDEV",), 10, {}, velocity=32 / 3)
    status = sprint_blocks.plan_status(Sprint(number=2, status="planning"), [], cap, 3)
    assert "*Velocity:* 10.7 points" in status and "*forecast* 10.7 points" in status, status
    top = [BacklogItem(number=1, title="Export invoices")]
    picked = sprint_blocks.section_selection(Sprint(number=2, status="planning"), top, 32 / 3)
    assert "up to the forecast of 10.7 points" in str(picked), picked


async def test_a_one_point_sprint_burndown_says_point_not_points(slack):
    """A team commits a sprint holding one 1-point item and asks `/sprint burndown`: the
    chart's comment reads "1 point left of 1 point at the commitment", as the commitment's own
    post says "1 item, 1 point" (not "1 points")."""
    await setup(slack)
    await reestimate(slack, 3, "1")
    await commit_sprint(slack, 3)
    said = await burndown(slack)
    assert "1 points" not in said, said
    assert "1 point left of 1 point at the commitment" in said, said


async def test_the_sprint_card_of_a_one_point_sprint_says_point(slack):
    """`/sprint` on a sprint of one 1-point item: the card says "0 of 1 point done" (its item
    line says "1 pt", the commitment "1 point")."""
    await setup(slack)
    await reestimate(slack, 3, "1")
    await commit_sprint(slack, 3)
    shown_card = await card(slack)
    assert "0 of 1 point done" in shown_card, shown_card


async def test_exporting_a_sprint_that_does_not_exist_says_which_ones_do(slack):
    """Only sprint 1 has run; a developer types `/sprint export csv 9`. The refusal says what
    to type instead (the sprints there are, e.g. `/sprint export csv 1`, or the plain
    `/sprint export csv` for the running one), as the no-sprint-yet refusal does."""
    await setup(slack)
    await commit_sprint(slack, 3)
    await cmd(slack, "/sprint", "export csv 9", DEV1)
    said = private(slack, DEV1)
    assert "This channel has no sprint 9" in said, said
    assert "(its sprints: 1). Name one of those, e.g. 1, or none for the running" in said, said
