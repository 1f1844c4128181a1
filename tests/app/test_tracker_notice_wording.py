# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""What Timebox says about its tracker connection agrees wherever it is said, through the real
app and the Slack and Jira emulators: the channel's notice of a break and `/timebox connect
status` both say that Timebox's changes no longer reach the tracker, how often it tries again
and how to fix it; after connecting again, the private answer and the channel both say that
what waited goes now (and it does). The webhook's address is given in full when Timebox knows
where it is reached from outside, and otherwise the setting that gives it is named."""

from __future__ import annotations

import dataclasses
import re

from tests.app.test_backlog_slack import backlog
from tests.app.test_tracker_backlog_scope import status_text
from tests.app.test_tracker_broken_notice import BROKEN, WORKING, told
from tests.app.test_tracker_renew_token import _renew_jira
from tests.app.test_tracker_reopen import SYNC
from tests.app.test_tracker_slack import connected, submit
from tests.app.test_tracker_sync import jira, seed_board  # noqa: F401
from tests.app.trackers import drain, item_by_key, later, roles

HOUR = 3600
PUBLIC = "https://timebox.example"


async def test_the_status_of_a_broken_connection_says_what_the_channel_was_told(slack, jira):
    seed_board(jira)
    await connected(slack, jira)
    jira.user.token = "revoked-by-the-admin"

    await later(slack, SYNC)

    [notice] = told(slack, BROKEN)
    status = await status_text(slack)
    assert "Timebox tries again every hour" in notice and "`/timebox connect jira`" in notice
    assert "Status: broken: Timebox's changes no longer reach Jira" in status, status
    assert "retrying after an error every hour until it gets through" in status, status
    assert (
        "To fix it, the Product Owner or a Scrum Master connects this channel again: "
        "`/timebox connect jira`" in status
    ), status


async def test_after_connecting_again_both_answers_say_what_waited_goes_now(slack, jira):
    key, *_ = seed_board(jira)
    await connected(slack, jira)
    jira.user.token = "revoked-by-the-admin"
    await backlog(slack, f"done {(await item_by_key(slack, key)).number}")
    await drain(slack)
    await later(slack, HOUR)
    assert len(told(slack, BROKEN)) == 1

    answer, _ = await _renew_jira(slack, jira)
    await drain(slack)  # no time passes

    [back] = told(slack, WORKING)
    assert "the 1 change not yet in Jira goes there now" in answer, answer
    assert "The 1 change that waited goes to Jira now" in back, back
    assert "next try" not in back and "within" not in back, back
    assert jira.issues[key].status == "Done", "and it went: now, as both say"


async def test_the_webhook_address_says_which_setting_gives_it_when_unknown(slack, jira):
    seed_board(jira)
    path, _ = await connected(slack, jira)

    status = await status_text(slack)

    assert (
        "Webhook, which brings Jira's changes at once: Timebox's public web address (the "
        f"operator's `TIMEBOX_PUBLIC_URL` setting, such as `https://timebox.example.com`) "
        f"followed by `{path}`" in status
    ), status
    assert "the address Slack reaches Timebox at" not in status


async def test_the_webhook_address_is_given_in_full_when_timebox_knows_it(slack, jira, monkeypatch):
    settings = dataclasses.replace(slack.services.settings, public_url=PUBLIC + "/")
    monkeypatch.setattr(slack.services, "settings", settings)
    seed_board(jira)
    await roles(slack)

    answer = await submit(slack, jira)
    await drain(slack)
    status = await status_text(slack)

    found = re.search(r"/trackers/jira/[A-Za-z0-9_-]+", answer)
    assert found is not None, answer
    url = PUBLIC + found.group(0)
    assert f"• URL: `{url}`" in answer, answer
    assert f"Webhook, which brings Jira's changes at once: `{url}`" in status, status
    assert "TIMEBOX_PUBLIC_URL" not in status + answer
