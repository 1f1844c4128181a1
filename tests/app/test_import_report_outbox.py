"""What a file shared in the channel changed is told through the durable outbox: a backlog
file's import report and a YAML file's "agenda saved" are recorded with the import (the save)
in its own transaction and sent at once in the file's thread. One Slack refuses comes on the
outbox's next try, once; a retried or replayed event imports once and reports once.

Before, the flow posted them after the import had committed: a refused report was lost,
though the items were imported."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agendas.agenda import is_custom
from bot.emulator.stack import LocalStack
from bot.runtime import outbox
from bot.usecases import backlog as backlog_uc
from bot.usecases import files as files_uc
from bot.usecases.unit import Actor, Replayed
from tests.app.test_backlog_slack import JIRA_CSV, file_shared, name_po, shown
from tests.app.test_meeting_posts_durable_slack import refuse_posts, sweep
from tests.conftest import CHANNEL, PO

AGENDA = b"name: Quick\nsections:\n  - title: Look\n    minutes: 10\n"


def bot_posts(slack: LocalStack, text: str) -> list:
    """The bot's messages in the channel and its threads that say `text`."""
    return [m for m in slack.emulator.messages(CHANNEL) if m.user == "UBOT" and text in shown(m)]


async def titles(slack: LocalStack) -> list[str]:
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        return [i.title for i in await store.all_items(team.id, include_closed=True)]


async def custom_agenda(slack: LocalStack) -> bool:
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        return is_custom(team, "refinement")


async def later(slack: LocalStack) -> None:
    """The outbox's later tries, long after the first."""
    slack.clock.advance(outbox.SETTLE_AFTER + timedelta(minutes=1))
    await sweep(slack)


async def member(channel: str, user: str) -> bool:
    """Slack's answer to whether the sharer is in the channel: they are."""
    return True


def uploaded(slack: LocalStack, kind: str, name: str, content: bytes) -> files_uc.SharedFile:
    """A file uploaded into the channel (its event not sent), as the flow sees it."""
    file = slack.emulator.share_file(PO, CHANNEL, name, content)
    [share] = [m for m in slack.emulator.messages(CHANNEL) if m.files]
    return files_uc.SharedFile(kind, name, len(content), file["id"], share.ts)


def no_apology(slack: LocalStack) -> bool:
    return all("went wrong" not in e.text for e in slack.emulator.ephemerals(CHANNEL, PO))


async def test_an_import_report_slack_refused_comes_in_the_files_thread_once(slack):
    refuse_posts(slack)
    await slack.driver.share_file(PO, CHANNEL, "jira.csv", JIRA_CSV.encode())
    assert await titles(slack) == ["Export invoices"]
    assert bot_posts(slack, "from jira.csv") == []
    assert no_apology(slack)
    await sweep(slack)
    [report] = bot_posts(slack, "from jira.csv")
    assert "Imported 1 item (#1)" in report.text and "row 3: no Summary/Title" in report.text
    [share] = [m for m in slack.emulator.messages(CHANNEL) if m.files]
    assert report.thread_ts == share.ts, "in the file's thread"
    await later(slack)
    assert len(bot_posts(slack, "from jira.csv")) == 1, "once"


async def test_an_import_report_slack_refused_then_a_retried_event_reports_once(slack):
    refuse_posts(slack)
    file, ack = await slack.driver.share_file(PO, CHANNEL, "jira.csv", JIRA_CSV.encode())
    event = file_shared(file, event_ts="1.0")
    again = await slack.driver.event(event, retry_num=1, event_id=ack.sent["event_id"])
    assert again.status == 200
    await sweep(slack)
    await later(slack)
    assert len(bot_posts(slack, "from jira.csv")) == 1
    assert await titles(slack) == ["Export invoices"]


async def test_an_import_report_is_recorded_with_the_import_and_a_replay_adds_nothing(slack):
    """Recorded in the import's own transaction: a crash right after it commits (here, the
    Slack side never runs) leaves it to the outbox, which posts it once in the file's thread;
    a copy of the event imports nothing and reports nothing more."""
    actor = Actor("T0TEAM", CHANNEL, PO, request="Ev0CRASHED")
    data = JIRA_CSV.encode()
    where = uploaded(slack, "csv", "jira.csv", data)
    posts = await backlog_uc.import_file(slack.services, actor, data, member, where)
    assert posts and await titles(slack) == ["Export invoices"]
    assert bot_posts(slack, "from jira.csv") == []
    await later(slack)
    [report] = bot_posts(slack, "from jira.csv")
    assert report.thread_ts == where.thread_ts
    with pytest.raises(Replayed):
        await backlog_uc.import_file(slack.services, actor, data, member, where)
    await later(slack)
    assert len(bot_posts(slack, "from jira.csv")) == 1
    assert await titles(slack) == ["Export invoices"]


async def test_an_agenda_saved_answer_slack_refused_comes_in_the_files_thread_once(slack):
    await name_po(slack)
    refuse_posts(slack)
    await slack.driver.share_file(PO, CHANNEL, "quick.yml", AGENDA, "yaml")
    assert await custom_agenda(slack)
    assert bot_posts(slack, "quick.yml") == []
    assert no_apology(slack)
    await sweep(slack)
    [saved] = bot_posts(slack, "quick.yml")
    assert "is now this channel's agenda" in saved.text
    [share] = [m for m in slack.emulator.messages(CHANNEL) if m.files]
    assert saved.thread_ts == share.ts
    await later(slack)
    assert len(bot_posts(slack, "quick.yml")) == 1, "once"


async def test_an_agenda_saved_answer_is_recorded_with_the_agenda(slack):
    await name_po(slack)
    actor = Actor("T0TEAM", CHANNEL, PO, request="Ev0AGENDA")
    where = uploaded(slack, "agenda", "quick.yml", AGENDA)
    text = AGENDA.decode()
    await files_uc.replace_agenda(slack.services, actor, text, member, where)
    assert await custom_agenda(slack)
    await later(slack)
    [saved] = bot_posts(slack, "quick.yml")
    assert "is now this channel's agenda" in saved.text
    assert saved.thread_ts == where.thread_ts
    with pytest.raises(Replayed):
        await files_uc.replace_agenda(slack.services, actor, text, member, where)
    await later(slack)
    assert len(bot_posts(slack, "quick.yml")) == 1


async def test_a_refused_agenda_is_answered_at_once_in_the_files_thread(slack):
    """A refusal changes nothing: it is answered directly, as before."""
    await name_po(slack)
    await slack.driver.share_file(PO, CHANNEL, "broken.yml", b"name: [unclosed\n", "yaml")
    [refused] = bot_posts(slack, "broken.yml")
    assert "not taken as an agenda" in refused.text
    [share] = [m for m in slack.emulator.messages(CHANNEL) if m.files]
    assert refused.thread_ts == share.ts
    assert not await custom_agenda(slack)
