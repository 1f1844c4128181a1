"""`/backlog N` (or `/backlog list N`) for a page the backlog does not have, through the real app
and the Slack emulator: the list shows the last page (the nearest one there is) and says, in
the private answer, that there is no page N and how many pages the backlog has, instead of
passing the last page off as the one asked for; a paging button of a list the backlog has
shrunk under since does the same; an empty backlog asked for page 2 says it is empty."""

from __future__ import annotations

from bot.domain.backlog import ItemFields
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.trackers import WORKSPACE
from tests.conftest import CHANNEL, PO


async def seeded(slack: LocalStack, count: int) -> None:
    """`count` items on the team's backlog, "Item 1" on top."""
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        for n in range(1, count + 1):
            await store.add_item(team, ItemFields(title=f"Item {n}"), PO, slack.clock.now())


async def archived(slack: LocalStack, *numbers: int) -> None:
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        for number in numbers:
            await store.archive_item(team, number, PO, slack.clock.now())


async def test_a_page_past_the_last_shows_the_last_and_says_there_is_no_such_page(slack):
    """Before the fix `/backlog 5` of a 2-page backlog showed "page 2 of 2" without a word, as
    if it were page 5. Now the last page comes with a line saying there is no page 5 and the
    backlog has only 2 pages; `/backlog list 3` alike; page 2, which exists, has no such line;
    `/backlog 0` shows the first page, saying pages start at 1."""
    await seeded(slack, 25)

    fifth = shown(await backlog(slack, "5"))

    assert "There is no page 5: the backlog has only 2 pages (25 items)" in fifth, fifth
    assert "Here is the last" in fifth and "25 items · page 2 of 2" in fifth
    assert "*21.* *#21* Item 21" in fifth and "*25.* *#25* Item 25" in fifth
    third = shown(await backlog(slack, "list 3"))
    assert "There is no page 3: the backlog has only 2 pages" in third, third
    second = shown(await backlog(slack, "2"))
    assert "25 items · page 2 of 2" in second and "There is no page" not in second
    zeroth = shown(await backlog(slack, "0"))
    assert "There is no page 0: pages start at 1" in zeroth and "page 1 of 2" in zeroth


async def test_a_paging_button_of_a_list_the_backlog_shrank_under_says_so(slack):
    """A list shown with 2 pages; items archived since leave one page. Its "Next ▶" button
    then shows that one page, saying there is no page 2 any more, not the first page passed
    off as the second."""
    await seeded(slack, 25)
    first = await backlog(slack)
    assert "25 items · page 1 of 2" in shown(first)
    await archived(slack, 21, 22, 23, 24, 25)

    await slack.driver.click("Next ▶", user=PO, message=first)

    again = shown(last_ephemeral(slack))
    assert "There is no page 2: the backlog has only 1 page (20 items)" in again, again
    assert "20 items · page 1 of 1" in again


async def test_an_empty_backlog_asked_for_page_2_says_it_is_empty(slack):
    """An empty backlog has no page 2: the answer says so, with how to add the first item
    (before the fix it said only that the backlog is empty, as for `/backlog`)."""
    answer = shown(await backlog(slack, "2"))

    assert "has an empty backlog, so it has no page 2" in answer, answer
    assert "/backlog add" in answer and "page 1 of" not in answer
