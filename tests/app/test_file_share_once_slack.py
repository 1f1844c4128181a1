"""One share of a file acts once, whatever number of `file_shared` events Slack sends for it
(QA 9, files a team shares). Slack sometimes sends the event twice for one upload, with two
event ids: the second copy imported again and posted "Nothing imported … already on the
backlog" under the first report, as if the import had been refused. A share is now the file
in the message that shared it (`SharedFile.acting`): a second event of it is a copy, which
imports nothing and tells nothing; the same file shared again (a new message) is answered
again, in its own thread."""

from __future__ import annotations

from typing import Any

from bot.emulator.slack_records import Message
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import file_shared, name_po
from tests.app.test_import_real_files import bot_replies, items
from tests.conftest import CHANNEL, PO

BACKLOG = b"Summary,Story Points\nExport invoices,3\nDark mode,5\n"


def said(slack: LocalStack, name: str) -> list[str]:
    return [m.text for m in bot_replies(slack, name)]


def share_again(slack: LocalStack, file: dict[str, Any]) -> str:
    """The same file shared again in the channel by the PO, in a new message (its ts): the
    emulator's person has no such step, so the share is added as files.info then lists it."""
    emulator = slack.emulator
    ts = emulator.next_ts()
    stored = emulator.files[file["id"]]
    emulator._share(stored, emulator._channel(CHANNEL), ts)
    emulator._store(
        Message(ts=ts, channel=CHANNEL, user=PO, text="", files=[stored.to_slack()], team="T0TEAM")
    )
    return ts


async def test_one_share_whose_event_comes_twice_is_reported_once(slack):
    """Slack sometimes sends file_shared twice for one upload, with two event ids: the second
    copy posted "Nothing imported … already on the backlog" under the first report."""
    await name_po(slack)
    file, _ = await slack.driver.share_file(PO, CHANNEL, "b.csv", BACKLOG)
    ack = await slack.driver.event(file_shared(file))  # the same share, another event id
    assert ack.status == 200
    assert [i.title for i in await items(slack)] == ["Export invoices", "Dark mode"]
    assert len(said(slack, "b.csv")) == 1, said(slack, "b.csv")


async def test_the_same_file_shared_again_in_a_new_message_is_answered_again(slack):
    await name_po(slack)
    file, _ = await slack.driver.share_file(PO, CHANNEL, "b.csv", BACKLOG)
    again = share_again(slack, file)
    await slack.driver.event(file_shared(file))
    first, second = bot_replies(slack, "b.csv")
    assert "Imported 2 items" in first.text
    assert "Nothing imported" in second.text and "already on the backlog" in second.text
    assert second.thread_ts == again != first.thread_ts, "each in its own share's thread"
    await slack.driver.event(file_shared(file))  # a copy of the second share's event
    assert len(bot_replies(slack, "b.csv")) == 2


async def test_an_agenda_whose_event_comes_twice_is_saved_and_told_once(slack):
    await name_po(slack)
    agenda = b"name: Quick\nsections:\n  - title: Look\n    minutes: 10\n"
    file, _ = await slack.driver.share_file(PO, CHANNEL, "quick.yml", agenda, "yaml")
    await slack.driver.event(file_shared(file))
    [saved] = said(slack, "quick.yml")
    assert "is now this channel's agenda" in saved


async def test_a_refused_file_whose_event_comes_twice_is_refused_once(slack):
    """A refusal changes nothing, so nothing else recorded it: the copy said it again."""
    await name_po(slack)
    file, _ = await slack.driver.share_file(PO, CHANNEL, "bad.yml", b"name: [oops\n", "yaml")
    await slack.driver.event(file_shared(file))
    [refused] = said(slack, "bad.yml")
    assert "not taken as an agenda" in refused
    share_again(slack, file)  # shared again, in a new message: refused again, there
    await slack.driver.event(file_shared(file))
    assert len(said(slack, "bad.yml")) == 2


async def test_a_file_too_big_whose_event_comes_twice_is_told_once(slack):
    await name_po(slack)
    big = b"Summary\n" + b"x" * 2_100_000 + b"\n"
    file, _ = await slack.driver.share_file(PO, CHANNEL, "big.csv", big)
    await slack.driver.event(file_shared(file))
    told = [m for m in slack.emulator.ephemerals(CHANNEL, PO) if "big.csv" in m.text]
    assert len(told) == 1, [m.text for m in told]
