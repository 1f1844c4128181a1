"""The settings card shows every setting `/timebox settings <name> <value>` changes, so a change
is confirmed where it is made and can be read again later."""

from __future__ import annotations

from tests.app.test_backlog_slack import shown
from tests.app.test_priority_slack import timebox
from tests.conftest import roles


async def test_the_settings_card_shows_the_sprint_start_holidays_and_stale_days(slack):
    await roles(slack)
    card = shown(await timebox(slack, "settings"))
    assert "*Sprints start on:* not set yet" in card, card
    assert "*Public holidays off:* none" in card, card
    assert "*Stale after:* 90 days untouched" in card, card

    assert "*Sprints start on:* Monday 07 December 2026" in shown(
        await timebox(slack, "settings start 2026-12-07")
    )
    assert "*Public holidays off:* ES" in shown(await timebox(slack, "settings country es"))
    assert "*Stale after:* 30 days untouched" in shown(await timebox(slack, "settings stale 30"))

    card = shown(await timebox(slack, "settings"))
    for shown_again in (
        "*Sprints start on:* Monday 07 December 2026",
        "*Public holidays off:* ES",
        "*Stale after:* 30 days untouched",
    ):
        assert shown_again in card, card
    assert "*Public holidays off:* none" in shown(await timebox(slack, "settings country none"))
