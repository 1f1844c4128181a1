"""A backlog exported by Timebox (`/backlog export csv`, in another channel) shared in this
channel, through the real app and the Slack emulator: an item's dependency on another item of
the file is linked to the item that row became here, not to this backlog's item of the
exporting backlog's number (here #1 is another item altogether)."""

from __future__ import annotations

from bot.domain.backlog_csv import to_csv
from tests.app.test_backlog_slack import add
from tests.conftest import CHANNEL, PO
from tests.domain.factories import item


async def test_a_dependency_between_items_of_the_file_links_the_items_they_became(slack):
    await add(slack, "Onboarding tour")  # #1 here
    payments = item(1, title="Set up payments", type="story", status="new", labels=[])
    card = item(2, title="Pay by card", type="story", status="new", labels=[])
    card.dependencies = [{"text": "#1 Set up payments", "item": 1, "resolved": False}]
    exported = to_csv([payments, card]).encode()

    _, ack = await slack.driver.share_file(PO, CHANNEL, "backlog.csv", exported)
    assert ack.status == 200

    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        imported = await store.item(team.id, 3)
        assert imported is not None and imported.title == "Pay by card"
        assert imported.dependencies == [
            {"text": "#2 Set up payments", "item": 2, "resolved": False}
        ], "the item the file's #1 became, not this backlog's #1"
