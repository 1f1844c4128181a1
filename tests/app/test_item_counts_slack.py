"""Counts of items as a person writes them, through the real app: "1 unready item", "1 item",
"Archive 1 stale item", and the plural only for any other number (the `/ready` report's
notification line said "1 unready items")."""

from __future__ import annotations

from datetime import timedelta

from tests.app.test_backlog_slack import add, backlog, name_po, shown
from tests.app.test_ready_slack import ready
from tests.conftest import CHANNEL, PO


async def test_one_item_is_counted_in_the_singular_and_two_in_the_plural(slack):
    await add(slack, "Export invoices")

    assert (await ready(slack)).text == "Readiness check: 1 unready item near the top"
    assert (await backlog(slack)).text == "Product backlog: 1 item"
    await slack.driver.command("/backlog", "export csv", user=PO, channel=CHANNEL)
    [shared] = [m for m in slack.emulator.messages(CHANNEL) if m.files]
    assert slack.emulator.files[shared.files[0]["id"]].title == "Product backlog (1 item)"

    await add(slack, "Dark mode")
    assert (await ready(slack)).text == "Readiness check: 2 unready items near the top"
    assert (await backlog(slack)).text == "Product backlog: 2 items"


async def test_the_health_checks_button_archives_1_stale_item(slack):
    await name_po(slack)
    await add(slack, "Old idea")
    slack.clock.advance(timedelta(days=120))

    health = await backlog(slack, "health")

    assert "Archive 1 stale item" in shown(health) and "stale items" not in shown(health)
    await slack.driver.click("Archive 1 stale item", user=PO, message=health)
    await add(slack, "Older idea", "Oldest idea")
    slack.clock.advance(timedelta(days=120))
    assert "Archive 2 stale items" in shown(await backlog(slack, "health"))
