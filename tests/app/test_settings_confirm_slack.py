"""A settings change says on top of the settings card what it changed, old → new, or that the
setting already was so: a change nobody reads in the whole card is still seen."""

from __future__ import annotations

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_priority_slack import timebox
from tests.app.test_settings_form_slack import _form
from tests.conftest import PO, roles


def _top(message) -> str:
    """The card's first section, where the confirmation goes."""
    section = next(b for b in message.blocks if b["type"] == "section")
    return section["text"]["text"]


async def test_a_command_says_what_it_changed_old_and_new_or_that_it_already_was(slack):
    await roles(slack)
    said = await timebox(slack, "settings days sat-sun")
    top = _top(said).split("\n")[0]
    assert "*Working days:* Mon–Fri → Sat–Sun" in top, top
    assert "Mon–Fri → Sat–Sun" in said.text, "the notification says it too"
    assert "*Working days:* Sat, Sun" in shown(said), "the card follows"

    top = _top(await timebox(slack, "settings sprint 1w")).split("\n")[0]
    assert "*Sprint length:* 2 weeks → 1 week" in top, top

    top = _top(await timebox(slack, "settings start 2026-12-05")).split("\n")[0]  # a Saturday
    assert "*Sprints start on:* not set → Saturday 05 December 2026" in top, top

    top = _top(await timebox(slack, "settings sprint 1")).split("\n")[0]
    assert "*Sprint length* is already 1 week: nothing changed." in top, top
    assert "→" not in _top(await timebox(slack, "settings days sat,sun")).split("\n")[0]

    card = _top(await timebox(slack, "settings"))
    assert "→" not in card and "already" not in card, "showing them changes nothing"


async def test_the_form_says_each_setting_it_changed(slack):
    await roles(slack)
    view = await _form(slack)
    await slack.driver.submit(
        view, {"Working days": ["Mon", "Tue", "Wed", "Thu"], "Public holidays off": "de"}, user=PO
    )
    top = _top(last_ephemeral(slack, PO))
    assert "*Working days:* Mon–Fri → Mon–Thu" in top, top
    assert "*Public holidays off:* none → DE" in top, top
    assert "Sprint length" not in top.split("*Time zone:*")[0], "only what the form changed"
