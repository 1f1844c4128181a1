"""The backlog under stress and misuse (issue 14): a big shared file does not stall the other
teams, copies of a request act once, exported CSV cannot run as a formula, imported text fits
the item form, and a form or button acts only in the team it was shown for."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.domain import backlog_csv
from bot.domain.backlog import ItemFields
from bot.domain.backlog_csv import parse_csv, to_csv
from bot.emulator.driver import SlackDriver
from bot.emulator.stack import LocalStack
from bot.runtime import logs
from bot.usecases import files as files_uc
from bot.usecases.backlog import import_parsed
from handlers.flows import files as files_flow
from storage.models import BacklogItem
from tests.app.test_backlog_slack import backlog, file_shared, last_ephemeral, name_po, shown
from tests.conftest import CHANNEL, DEV1, PEOPLE, PO

OTHER = "C0OTHER"
ELSEWHERE = "T0ELSEWHERE"
FORMULA = ("=", "+", "-", "@", "\t", "\r")


async def items_of(slack: LocalStack, workspace: str, channel: str) -> list[BacklogItem]:
    async with slack.db.transaction() as store:
        team = await store.ensure_team(workspace, channel, slack.clock.now())
        return list(await store.all_items(team.id, include_closed=True))


async def seed(slack: LocalStack, workspace: str, channel: str, *titles: str) -> None:
    """Items put straight into a team's backlog (the other team of a test)."""
    async with slack.db.transaction() as store:
        team = await store.ensure_team(workspace, channel, slack.clock.now())
        for title in titles:
            await store.add_item(team, ItemFields(title=title), PO, slack.clock.now())


def on_the_loop(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[bool]:
    """Watches the function `module.name`: for each call, whether it ran on the event loop's
    thread (the main one) rather than in a worker thread."""
    calls: list[bool] = []
    function = getattr(module, name)

    def watched(*args: Any) -> Any:
        calls.append(threading.current_thread() is threading.main_thread())
        return function(*args)

    monkeypatch.setattr(module, name, watched)
    return calls


def other_channel(slack: LocalStack) -> None:
    slack.emulator.add_channel(OTHER, "team-b", members=[*PEOPLE, "UBOT"])


def elsewhere(slack: LocalStack) -> SlackDriver:
    """A person of another workspace (the same user and channel ids, as in a shared channel)."""
    slack.emulator.add_workspace(ELSEWHERE, "Elsewhere")
    return SlackDriver(
        slack.emulator,
        app_url=slack.driver.app_url,
        signing_secret=slack.driver.signing_secret,
        settle=slack.settle,
        team_id=ELSEWHERE,
    )


# -- (3) a big shared file -----------------------------------------------------------------------

BIG_EVENT = "Ev0BIGIMPORT"


async def test_a_big_csv_import_lets_another_teams_command_in_between_its_batches(
    slack, monkeypatch
):
    """5,000 rows are added 200 at a time, one transaction each, read in a worker thread.

    The import is held before its third transaction until the other team's command has been
    answered: with one transaction for the whole file, that answer could only come after it.
    """
    other_channel(slack)
    rows = "Summary,Story Points\n" + "".join(f"Item {n},3\n" for n in range(1, 5001))
    file = slack.emulator.share_file(PO, CHANNEL, "big.csv", rows.encode())
    read_on_the_loop = on_the_loop(monkeypatch, backlog_csv, "parse_csv")
    turns: list[str] = []  # who held the database, in order
    when_answered: list[str] = []
    import_held, answered = asyncio.Event(), asyncio.Event()

    def on_slack(kind: str, obj: Any) -> None:
        if kind == "ephemeral" and obj.channel == OTHER:
            when_answered.extend(turns)
            answered.set()

    slack.emulator.listeners.append(on_slack)
    transaction = slack.db.transaction

    @asynccontextmanager
    async def watched(*, urgent: bool = False) -> AsyncIterator[Any]:
        bound = logs.current()
        who = "import" if bound.get("request") == BIG_EVENT else None
        who = "other" if bound.get("channel") == OTHER else who
        if who == "import" and turns.count("import") == 2:
            import_held.set()
            with suppress(TimeoutError):
                await asyncio.wait_for(answered.wait(), 10)
        async with transaction(urgent=urgent) as store:
            if who:
                turns.append(who)
            yield store

    monkeypatch.setattr(slack.db, "transaction", watched)
    importing = asyncio.create_task(slack.driver.event(file_shared(file), event_id=BIG_EVENT))
    held = asyncio.create_task(import_held.wait())
    await asyncio.wait([importing, held], return_when=asyncio.FIRST_COMPLETED)
    ack = await slack.driver.command("/backlog", "add Their item", user=DEV1, channel=OTHER)
    assert ack.status == 200
    assert (await importing).status == 200
    held.cancel()
    [answer] = slack.emulator.ephemerals(OTHER, DEV1)
    assert "Added *#1* Their item" in answer.text
    # The other team's command reads its membership, then adds: both between import batches.
    assert when_answered == ["import", "import", "other", "other"], "answered during the import"
    assert turns.count("import") == 1 + 25 + 1, (
        "the sharer's membership, then 200 rows a transaction, then the report marked sent"
    )
    assert read_on_the_loop == [False], "the file is read in a worker thread"
    [report] = [m for m in slack.emulator.messages(CHANNEL) if "big.csv" in m.text]
    assert "Imported 5000 items (#1–#5000)" in report.text
    assert len(await items_of(slack, "T0TEAM", CHANNEL)) == 5000


async def test_a_file_over_the_limit_is_not_downloaded_and_the_sharer_is_told(slack, monkeypatch):
    downloads = []

    async def download(*args: Any) -> str:
        downloads.append(args)
        return ""

    monkeypatch.setattr(files_flow, "fetch", download)
    content = b"Summary\n" + b"An item that repeats itself\n" * 100_000  # 2.8 MB
    await slack.driver.share_file(DEV1, CHANNEL, "huge-backlog.csv", content)
    told = last_ephemeral(slack, DEV1).text
    assert "huge-backlog.csv was not read: it is 2.8 MB" in told
    assert "I read a backlog CSV of up to 2 MB" in told and "Split it" in told
    agenda = b"name: Long\n" + b"# " + b"x" * 200_000 + b"\n"
    await slack.driver.share_file(DEV1, CHANNEL, "long.yml", agenda, "yaml")
    assert "an agenda file of up to 100 kB" in last_ephemeral(slack, DEV1).text
    assert downloads == []
    assert await items_of(slack, "T0TEAM", CHANNEL) == []
    assert [m for m in slack.emulator.messages(CHANNEL) if m.user == "UBOT"] == []


async def test_an_agenda_from_someone_who_may_not_change_agendas_is_read_off_the_loop(
    slack, monkeypatch
):
    """Only its text says whether a YAML file is an agenda (someone's docker-compose.yml is
    left alone): it is downloaded, read in a worker thread, then refused."""
    await slack.driver.command("/timebox", f"roles po <@{PO}|paula>", user=PO, channel=CHANNEL)
    downloads = []
    download = files_flow.fetch

    async def watched(*args: Any) -> str:
        downloads.append(threading.current_thread() is threading.main_thread())
        return await download(*args)

    monkeypatch.setattr(files_flow, "fetch", watched)
    read_on_the_loop = on_the_loop(monkeypatch, files_uc, "read_agenda")
    looked_on_the_loop = on_the_loop(monkeypatch, files_uc, "looks_like_agenda")
    agenda = b"name: Quick\nsections:\n  - title: Look\n    minutes: 10\n"
    await slack.driver.share_file(DEV1, CHANNEL, "quick.yml", agenda, "yaml")
    [refused] = [m for m in slack.emulator.messages(CHANNEL) if "quick.yml" in m.text]
    assert "not taken as an agenda: Only the Product Owner or Scrum Master" in refused.text
    assert downloads == [True] and looked_on_the_loop == [False] and read_on_the_loop == []
    await slack.driver.share_file(PO, CHANNEL, "quick.yml", agenda, "yaml")
    saved = [m for m in slack.emulator.messages(CHANNEL) if "quick.yml" in m.text][-1]
    assert "is now this channel's agenda" in saved.text
    assert downloads == [True, True] and read_on_the_loop == [False]
    assert looked_on_the_loop == [False, False]


# -- (5) copies of one request ---------------------------------------------------------------------


@contextmanager
def delivered_four_times(driver: SlackDriver) -> Iterator[None]:
    """Every request the driver sends arrives four times at once: the same signed body."""
    post = driver._post

    async def four(data: bytes, headers: dict[str, str], sent: dict[str, Any]) -> Any:
        acks = await asyncio.gather(*(post(data, dict(headers), sent) for _ in range(4)))
        assert all(ack.status == 200 for ack in acks)
        return acks[0]

    driver._post = four  # type: ignore[method-assign]
    try:
        yield
    finally:
        driver._post = post  # type: ignore[method-assign]


async def replay(slack: LocalStack, sent: dict[str, Any], *, interaction: bool) -> None:
    """The same request once more, freshly signed, without Slack's retry header."""
    body = urlencode({"payload": json.dumps(sent)} if interaction else sent)
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": slack.driver.sign(body, stamp),
    }
    assert (await slack.driver.post_raw(body, headers)).status == 200


async def test_an_add_delivered_four_times_at_once_or_replayed_adds_one_item(slack):
    with delivered_four_times(slack.driver):
        ack = await slack.driver.command("/backlog", "add Only once", user=PO, channel=CHANNEL)
    answers = [e for e in slack.emulator.ephemerals(CHANNEL, PO) if "Only once" in e.text]
    assert len(answers) == 1
    await replay(slack, ack.sent, interaction=False)
    assert [i.title for i in await items_of(slack, "T0TEAM", CHANNEL)] == ["Only once"]
    assert len([e for e in slack.emulator.ephemerals(CHANNEL, PO) if "Only once" in e.text]) == 1


async def test_an_import_form_submitted_four_times_at_once_or_replayed_imports_once(slack):
    await backlog(slack, "import")
    view = slack.emulator.open_view(PO)
    with delivered_four_times(slack.driver):
        ack = await slack.driver.submit(view, {"CSV": "Summary\nOnce\nTwice\n"}, user=PO)
    await replay(slack, ack.sent, interaction=True)
    assert [i.title for i in await items_of(slack, "T0TEAM", CHANNEL)] == ["Once", "Twice"]
    reports = [e for e in slack.emulator.ephemerals(CHANNEL, PO) if "Imported" in e.text]
    assert len(reports) == 1 and "Imported 2 items (#1–#2)" in reports[0].text


async def test_a_move_delivered_four_times_moves_once(slack):
    for title in ("A", "B", "C"):
        await backlog(slack, f"add {title}")
    await name_po(slack)
    with delivered_four_times(slack.driver):
        await slack.driver.command("/backlog", "move 3 up", user=PO, channel=CHANNEL)
    listing = await backlog(slack)
    order = [b["block_id"] for b in listing.blocks if b.get("block_id", "").startswith("item-")]
    assert order == ["item-1", "item-3", "item-2"], "up once, not four times"


# -- (6) CSV injection ---------------------------------------------------------------------------


async def test_exported_cells_cannot_run_as_formulas_and_import_back_exactly(store, team, clock):
    odd = [
        ItemFields(
            title='=HYPERLINK("http://evil.example","Click")',
            hypothesis="\tindented on purpose",
            acceptance_criteria=["-1 day of lead time", "=2+2 stays text"],
            dependencies=[{"text": "=cmd|' /C calc'!A0", "resolved": False}],
            epic="+Billing",
            labels=["@finance", "-pdf"],
            priority="@high",
        ),
        ItemFields(title="+1 for dark mode", hypothesis="\rstarts with a carriage return"),
        ItemFields(title="-2 bugs", hypothesis="@channel please"),
        ItemFields(title="'quoted already", hypothesis="'=looks neutralised"),
        ItemFields(title="Plain", hypothesis="'", epic="'+"),
    ]
    for fields in odd:
        await store.add_item(team, fields, "U1", clock.now())
    originals = list(await store.all_items(team.id, include_closed=False))
    exported = to_csv(originals)
    cells = [cell for row in csv.reader(io.StringIO(exported, newline="")) for cell in row]
    assert [c for c in cells if c.startswith(FORMULA)] == []
    assert '\'=HYPERLINK("http://evil.example","Click")' in cells
    other = await store.ensure_team("T0TEAM", "C0COPY", clock.now())
    report = await import_parsed(store, other, parse_csv(exported), "U1", clock.now())
    assert report.refused == [] and report.imported == [1, 2, 3, 4, 5]
    copies = list(await store.all_items(other.id, include_closed=False))
    for copy, original in zip(copies, originals, strict=True):
        for name in (
            "title",
            "hypothesis",
            "acceptance_criteria",
            "dependencies",
            "epic",
            "labels",
            "priority",
        ):
            assert getattr(copy, name) == getattr(original, name), name


async def test_a_csv_export_through_slack_is_neutralised(slack):
    await backlog(slack, "add " + slack.driver.escape("=1+1"))
    await slack.driver.command("/backlog", "export csv", user=PO, channel=CHANNEL)
    [shared] = [m for m in slack.emulator.messages(CHANNEL) if m.files]
    content = slack.emulator.files[shared.files[0]["id"]].content.decode()
    assert "#1,'=1+1," in content


# -- (7) what the item form can hold ---------------------------------------------------------------


def test_an_imported_text_longer_than_the_form_holds_is_refused_naming_row_and_limit():
    long = "x" * 3001
    parsed = parse_csv(f"Summary,Description,Labels\nFits,{'y' * 3000},a\nToo long,{long},\n")
    assert [fields.title for _, fields in parsed.rows] == ["Fits"]
    [(row, reason)] = parsed.refused
    assert row == 3
    assert "value hypothesis (Description) has 3,001 characters" in reason
    assert "3,000 at most" in reason
    labels = ",".join(f"label{n}" for n in range(80))  # 80 labels: over the form's 500
    parsed = parse_csv(f'Summary,Labels\nTagged,"{labels}"\n')
    assert parsed.rows == [] and "labels has" in parsed.refused[0][1]


async def test_a_shared_csv_with_a_too_long_description_still_leaves_every_item_editable(slack):
    content = f"Summary,Description\nShort one,Fine\nLong one,{'z' * 4000}\n"
    await slack.driver.share_file(PO, CHANNEL, "long.csv", content.encode())
    [report] = [m for m in slack.emulator.messages(CHANNEL) if "long.csv" in m.text]
    assert "Imported 1 item (#1)" in report.text
    assert "row 3: the value hypothesis (Description) has 4,000 characters" in report.text
    await backlog(slack, "edit 1")
    assert slack.emulator.open_view(PO).callback_id == "item_edit"


async def test_an_item_kept_from_before_with_a_too_long_text_opens_read_only_and_keeps_it(slack):
    await backlog(slack, "add Old import")
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        item = await store.item(team.id, 1)
        item.hypothesis = "h" * 5000
    await backlog(slack, "edit 1")
    view = slack.emulator.open_view(PO)
    assert view is not None, "views.open did not fail"
    text = json.dumps(view.blocks)
    assert "read only here: 5,000 characters, more than the 3,000 this form can edit" in text
    await slack.driver.submit(view, {"Title": "Old import, renamed"}, user=PO)
    [item] = await items_of(slack, "T0TEAM", CHANNEL)
    assert (item.title, item.hypothesis) == ("Old import, renamed", "h" * 5000)


# -- (1) forms and buttons act in their own team only --------------------------------------------


async def test_the_item_form_from_another_workspace_changes_nothing(slack):
    await backlog(slack, "add Export invoices")
    await seed(slack, ELSEWHERE, CHANNEL, "Their own #1")
    await backlog(slack, "edit 1")
    view = slack.emulator.open_view(PO)
    view.view["app_installed_team_id"] = ELSEWHERE  # the form arrives from the other workspace
    await elsewhere(slack).submit(view, {"Title": "Hijacked"}, user=PO)
    assert "belongs to another channel's team" in last_ephemeral(slack).text
    assert [i.title for i in await items_of(slack, "T0TEAM", CHANNEL)] == ["Export invoices"]
    assert [i.title for i in await items_of(slack, ELSEWHERE, CHANNEL)] == ["Their own #1"]


async def test_the_item_form_naming_another_channel_changes_nothing(slack):
    other_channel(slack)
    await backlog(slack, "add Export invoices")
    await seed(slack, "T0TEAM", OTHER, "Team B's #1")
    await backlog(slack, "edit 1")
    view = slack.emulator.open_view(PO)
    meta = json.loads(view.view["private_metadata"])
    view.view["private_metadata"] = json.dumps({**meta, "channel": OTHER})
    await slack.driver.submit(view, {"Title": "Hijacked"}, user=PO)
    assert "belongs to another channel's team" in last_ephemeral(slack).text
    assert [i.title for i in await items_of(slack, "T0TEAM", CHANNEL)] == ["Export invoices"]
    assert [i.title for i in await items_of(slack, "T0TEAM", OTHER)] == ["Team B's #1"]


async def test_the_import_form_from_another_workspace_imports_nothing(slack):
    await backlog(slack, "import")
    view = slack.emulator.open_view(PO)
    view.view["app_installed_team_id"] = ELSEWHERE
    await elsewhere(slack).submit(view, {"CSV": "Summary\nSmuggled\n"}, user=PO)
    assert "belongs to another channel's team" in last_ephemeral(slack).text
    assert await items_of(slack, "T0TEAM", CHANNEL) == []
    assert await items_of(slack, ELSEWHERE, CHANNEL) == []


async def test_archiving_stale_items_from_another_channel_or_workspace_changes_nothing(slack):
    other_channel(slack)
    await name_po(slack)
    await backlog(slack, "add Old idea")
    await seed(slack, "T0TEAM", OTHER, "B's old idea")
    await seed(slack, ELSEWHERE, CHANNEL, "Elsewhere's old idea")
    slack.clock.advance(timedelta(days=120))
    health = await backlog(slack, "health")
    assert "Archive 1 stale item" in shown(health)
    moved = dataclasses.replace(health, channel=OTHER)
    await slack.driver.click("Archive 1 stale item", user=PO, message=moved)
    refused = [e for e in slack.emulator.ephemerals(OTHER, PO) if "another channel" in e.text]
    assert len(refused) == 1
    await elsewhere(slack).click("Archive 1 stale item", user=PO, message=health)
    assert "belongs to another channel's team" in last_ephemeral(slack).text
    for workspace, channel in (("T0TEAM", CHANNEL), ("T0TEAM", OTHER), (ELSEWHERE, CHANNEL)):
        assert [i.archived_at for i in await items_of(slack, workspace, channel)] == [None]
    await slack.driver.click("Archive 1 stale item", user=PO, message=health)
    answers = [e.text for e in slack.emulator.ephemerals(CHANNEL, PO)]
    assert any("Archived #1." in text for text in answers), "in its own team it works"


async def test_item_buttons_from_another_channel_or_workspace_find_no_such_item(slack):
    other_channel(slack)
    await backlog(slack, "add Export invoices")
    detail = await backlog(slack, "show 1")
    moved = dataclasses.replace(detail, channel=OTHER)
    await slack.driver.click("Mark done", user=PO, message=moved)
    assert "There is no item #1 in this channel's backlog" in (
        [e for e in slack.emulator.ephemerals(OTHER, PO)][-1].text
    )
    await elsewhere(slack).click("Archive", user=PO, message=detail)
    assert "There is no item #1" in last_ephemeral(slack).text
    [item] = await items_of(slack, "T0TEAM", CHANNEL)
    assert (item.status, item.archived_at) == ("new", None)
    assert await items_of(slack, ELSEWHERE, CHANNEL) == []
