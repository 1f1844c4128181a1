# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A write the tracker refuses for good (Jira's Done step needs a field Timebox does not set)
is told in the team's channel, through the real app and the Slack and Jira emulators: once
however long the item stays apart, naming the item, its issue, what was refused and why in
Jira's words (escaped), and what to do; each refused item at most once, whatever else runs;
through the durable outbox (a post Slack refused comes on a later try). The item shows the
refusal with a warning, not the hourglass of a change on its way. Before, nobody was told:
the item said it under an hourglass, and only to whoever opened it.

The connection's status counts the changes retried after an error apart from those refused:
during a plain outage it said "3 refused or retrying after an error" though none was refused.
"""

from __future__ import annotations

from bot.emulator.stack import LocalStack
from handlers.blocks.connect import item_link
from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_tracker_backlog_scope import status_text
from tests.app.test_tracker_refused_named import NEEDED, refused_done
from tests.app.test_tracker_slack import connected
from tests.app.test_tracker_sync import jira, seed_board  # noqa: F401
from tests.app.trackers import drain, item_by_key, later
from tests.conftest import CHANNEL, PO, SM

REFUSED = "Jira refused to close"
HOUR = 3600


def told(slack: LocalStack, what: str = REFUSED) -> list[str]:
    """The channel's messages saying `what`, as people read them (entities decoded)."""
    return [shown(m) for m in slack.emulator.messages(CHANNEL) if what in m.text]


async def test_a_refused_close_is_told_once_with_the_item_the_issue_why_and_what_to_do(slack, jira):
    *_, task = seed_board(jira)
    await connected(slack, jira)
    assert told(slack) == []

    [number] = await refused_done(slack, jira, task)
    for _ in range(4):  # hours of syncs: the item stays apart, told once all the same
        await later(slack, HOUR)

    [notice] = told(slack)
    assert f"*{REFUSED} {task}*: #{number} *Upgrade the TLS library*" in notice, notice
    assert f"<{jira.url}/browse/{task}|{task}>" in notice, "the issue, linked"
    assert "is done here, but stays open in Jira" in notice
    assert f"_Jira said:_ Jira refused to move {task} to Done: {NEEDED}" in notice, notice
    assert "Timebox does not try it again" in notice
    assert f"*To fix it*, the Product Owner or a Scrum Master (<@{PO}>, <@{SM}>)" in notice
    assert f"moves {task} to Done in Jira by hand" in notice and "a required field" in notice
    assert "`/timebox connect status` lists the changes Jira refused" in notice
    assert jira.user.token not in notice
    assert not jira.issues[task].done, "the two sides are still apart"


async def test_several_refused_items_are_each_told_once(slack, jira):
    keys = seed_board(jira)
    await connected(slack, jira)

    numbers = await refused_done(slack, jira, *keys)
    await later(slack, HOUR)
    await later(slack, HOUR)

    notices = told(slack)
    assert len(notices) == len(keys), "one per refused item, never one per sync or retry"
    for number, key in zip(numbers, keys, strict=True):
        [notice] = [n for n in notices if f"{REFUSED} {key}*" in n]
        assert f"#{number} *" in notice and all(
            f"{REFUSED} {other}" not in notice for other in keys if other != key
        )


async def test_the_same_refusal_of_the_same_item_again_is_not_told_again(slack, jira):
    """Restored and done again while Jira's Done step still needs the field: refused again in
    the same words, which the channel has heard already (the item shows it again)."""
    *_, task = seed_board(jira)
    await connected(slack, jira)
    [number] = await refused_done(slack, jira, task)
    await backlog(slack, f"restore {number}")
    await later(slack, 10 * 60)

    await backlog(slack, f"done {number}")
    await later(slack, 10 * 60)

    link = (await item_by_key(slack, task)).tracker_link
    assert link.pending == 0 and link.error and NEEDED in link.error, "refused again"
    assert len(told(slack)) == 1


async def test_the_trackers_words_and_the_title_are_escaped(slack, jira):
    issue = jira.add_issue("Ping <!channel> *now* & then", issue_type="Task")
    await connected(slack, jira)
    jira.done_needs = {"<!here>"}
    number = (await item_by_key(slack, issue.key)).number

    await backlog(slack, f"done {number}")
    await drain(slack)

    [message] = [m for m in slack.emulator.messages(CHANNEL) if REFUSED in m.text]
    assert "<!here>" not in message.text and "<!channel>" not in message.text, message.text
    assert "&lt;!here&gt;" in message.text and "&lt;!channel&gt;" in message.text
    assert "&amp; then" in message.text


async def test_a_refusal_slack_would_not_post_is_told_on_a_later_try_once(slack, jira):
    *_, task = seed_board(jira)
    await connected(slack, jira)
    jira.done_needs = {NEEDED}
    number = (await item_by_key(slack, task)).number
    await backlog(slack, f"done {number}")
    slack.emulator.fail_next("chat.postMessage", status=200, error="internal_error")

    await drain(slack)  # refused by Jira; the notice's first post refused by Slack
    await later(slack, 5 * 60)
    await later(slack, HOUR)

    assert len(told(slack)) == 1


async def test_a_refused_item_shows_a_warning_not_an_hourglass(slack, jira):
    *_, task = seed_board(jira)
    await connected(slack, jira)
    [number] = await refused_done(slack, jira, task)

    await backlog(slack, f"show {number}")
    card = shown(last_ephemeral(slack))
    assert ":warning: its last change is not in Jira: Jira refused it" in card, card
    assert ":hourglass" not in card
    line = item_link(await item_by_key(slack, task))
    assert ":warning: its last change is not in Jira" in line and ":hourglass" not in line


async def test_an_outage_is_counted_as_retrying_and_a_refusal_as_refused(slack, jira):
    first, *others, task = seed_board(jira)
    await connected(slack, jira)
    await refused_done(slack, jira, task)
    status = await status_text(slack)
    assert "Linked items: 4 · 1 refused by Jira, not tried again" in status, status
    assert "retrying after an error" not in status, "nothing retried"

    jira.fail_rate(1.0, status=502)  # a plain outage: every call answered 502
    for key in (first, *others):
        await backlog(slack, f"done {(await item_by_key(slack, key)).number}")
    await drain(slack)
    await later(slack, 5 * 60)

    status = await status_text(slack)
    assert "3 changes not yet in Jira · 3 retrying after an error" in status, status
    assert "· 1 refused by Jira, not tried again" in status, "the refusal counted apart"
    assert "refused or retrying" not in status
    assert len(told(slack)) == 1, "an outage's retries are no refusal"
