"""What the tracker tests share, so that each test module says only what is its tracker's own.

- The clients against their emulators (test_jira_client.py, test_github_client.py,
  test_linear_client.py, test_tracker_clients.py): ``emulator_fixture`` runs a tracker's
  emulator for a test; ``Sleeps`` records the waits instead of waiting; ``client_settings``
  are what every client is made with there (the emulator's host allowed, no jitter, the
  manual clock); ``making_clients`` and ``closing`` make a test's clients and close them;
  ``pages_of`` reads page by page; and the scenarios the Jira and Linear clients both go
  through (reads, writes, failures ridden out), each asserting what they do alike.
- A channel connected through the real app (test_tracker_*.py, test_github_sync.py,
  test_jira_reconcile.py): a tracker's emulator the bot may call (``beside_slack_fixture``
  makes it a test module's fixture), the channel's roles, the connect form, the webhook a
  connection gives, what it keeps of the board (``kept_board``), due work run, an estimate
  from poker.
- `timebox sandbox --<tracker>` (test_sandbox_jira.py, test_sandbox_github.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, ParamSpec, Protocol, TypeVar

import pytest

from bot.domain.trackers import (
    IssuePage,
    IssueUpdate,
    NewIssue,
    StatusCategory,
    TrackerError,
    TrackerErrorKind,
    TrackerIssue,
    iter_backlog,
    iter_changes,
)
from bot.emulator.stack import LocalStack
from bot.runtime.clock import ManualClock
from bot.runtime.secrets import generate_key
from bot.sandbox import seed as demo
from bot.sandbox.server import Sandbox
from bot.trackers.hosts import HostPolicy
from bot.trackers.http import RetryPolicy
from storage.models import BacklogItem, TrackerConnection
from tests.app.conftest import Sleeps, fixed_clock
from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_poker_slack import board, poker, replies, vote
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO, SM

WORKSPACE = "T0TEAM"

# -- the clients against their emulators -------------------------------------------------------


def emulator_fixture(name: str, emulator: Callable[..., Any]) -> Any:
    """A fixture called ``name``: ``emulator`` (a tracker emulator class) running on the test's
    clock for the test's length."""

    @pytest.fixture(name=name)
    async def running(clock: ManualClock) -> AsyncIterator[Any]:
        async with emulator(now=clock.now) as started:
            yield started

    return running


def client_settings(
    host_setting: str,
    clock: ManualClock,
    sleeps: Sleeps,
    retry: RetryPolicy | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """The keyword arguments of a client under test: the emulator's host (``host_setting``)
    allowed, waits recorded, no jitter (a backoff is exactly base * 2^n), the manual clock."""
    return {
        "policy": HostPolicy.from_env({"TIMEBOX_TRACKER_HOSTS": host_setting}),
        "retry": retry or RetryPolicy(timeout=5),
        "sleep": sleeps,
        "random": lambda: 1.0,
        "now": clock.now,
    } | overrides


class Closable(Protocol):
    async def aclose(self) -> None: ...


Made = ParamSpec("Made")
ClientT = TypeVar("ClientT", bound=Closable)


@asynccontextmanager
async def closing(make: Callable[Made, ClientT]) -> AsyncIterator[Callable[Made, ClientT]]:
    """``make`` as it is, but every client it made is closed at the end."""
    made: list[Closable] = []

    def making(*args: Made.args, **kwargs: Made.kwargs) -> ClientT:
        client = make(*args, **kwargs)
        made.append(client)
        return client

    try:
        yield making
    finally:
        for client in made:
            await client.aclose()


@asynccontextmanager
async def making_clients(
    default: Any, build: Callable[..., ClientT], clock: ManualClock, sleeps: Sleeps
) -> AsyncIterator[Callable[..., ClientT]]:
    """What a client test module's ``make_client`` fixture gives: ``make(em=None, **options)``
    is ``build(em, **settings)``, ``em`` the test's emulator (``default``) unless given another,
    ``settings`` those of ``client_settings`` with ``options`` over them (``build`` takes the
    options that are its own, a token say, and hands the client the rest). Every client made is
    closed at the end."""

    def make(em: Any = None, **options: Any) -> ClientT:
        em = default if em is None else em
        return build(em, **client_settings(em.host_setting, clock, sleeps) | options)

    async with closing(make) as making:
        yield making


async def collect(iterator: Any) -> list[Any]:
    return [item async for item in iterator]


async def pages_of(read: Callable[[str | None], Awaitable[IssuePage]]) -> list[IssuePage]:
    """Every page ``read(cursor)`` gives, from the first to the one with no next cursor."""
    pages = [await read(None)]
    while pages[-1].cursor is not None:
        pages.append(await read(pages[-1].cursor))
    return pages


# -- what the Jira and Linear clients are both asked to read and write ---------------------------


async def ten_changes_on_boards_of(
    sizes: tuple[int, ...],
    emulator: Callable[..., Any],
    make_client: Callable[..., Any],
    start: datetime,
    title_field: str,
    *,
    last_first: bool = False,
) -> list[Any]:
    """For each size a fresh ``emulator`` of that many issues, checked by a client; ten
    minutes on is "since", and 90 seconds later ten issues spread over the board are
    retitled "Changed 0" to "Changed 9" (``em.edit(key, <title_field>=title)``; from the last
    of them with ``last_first``). The changes since then come in the order made, titles and
    all. Returns the emulators, each with only the calls of that read."""
    emulators = []
    for size in sizes:
        clock = ManualClock(start)
        async with emulator(now=clock.now) as em:
            keys = em.seed(size)
            client = make_client(em)
            assert await client.check() == []
            clock.advance(timedelta(minutes=10))
            since = clock.now()
            clock.advance(timedelta(minutes=1, seconds=30))
            changed = keys[:: max(1, size // 10)][:10]
            if last_first:
                changed.reverse()
            for n, key in enumerate(changed):
                em.edit(key, **{title_field: f"Changed {n}"})
            em.reset_calls()

            changes = await collect(iter_changes(client, since))

            assert [i.key for i in changes] == changed  # oldest change first
            assert [i.summary for i in changes] == [f"Changed {n}" for n in range(10)]
            await client.aclose()
        emulators.append(em)
    return emulators


async def pages_of_changes(
    em: Any, client: Any, clock: ManualClock, touched: int
) -> tuple[list[str], list[IssuePage]]:
    """300 issues, the first ``touched`` of them changed five minutes on: their keys, and the
    pages of changes since a minute on, the last giving the newest change as its watermark."""
    keys = em.seed(300)
    since = clock.now() + timedelta(minutes=1)
    clock.advance(timedelta(minutes=5))
    for key in keys[:touched]:
        em.touch(key)

    pages = await pages_of(partial(client.changes_page, since))

    assert pages[-1].watermark == max(i.updated for p in pages for i in p.issues)
    return keys[:touched], pages


async def estimates_8(em: Any, client: Any, clock: ManualClock, key: str) -> None:
    """Three minutes on, the client writes 8 points on ``key``: the tracker holds them, and
    the issue shows it changed then."""
    written = clock.now() + timedelta(minutes=3)
    clock.advance(timedelta(minutes=3))

    await client.update_issue(key, IssueUpdate(estimate=8))

    assert em.estimate_of(key) == 8
    assert em.issues[key].updated == written.timestamp() * 1000


def assert_read_as_filed(found: TrackerIssue, epic: str) -> None:
    """``found`` is the issue the tests file alike in each tracker: "Pay by card", in progress,
    5 points, two criteria, Dana's, under ``epic``."""
    assert found.summary == "Pay by card"
    assert found.acceptance_criteria == ("Visa works", "3-D Secure")
    assert found.estimate == 5.0
    assert found.status_category is StatusCategory.IN_PROGRESS and found.status == "In Progress"
    assert found.assignee is not None and found.assignee.name == "Dana Dev"
    assert found.assignee.email == "dev@example.com"
    assert found.epic == epic


# -- what the Jira and Linear clients are both asked to ride out ----------------------------------
# Each takes the test's emulator (``em``), a client of it and the recorded ``sleeps``; it asserts
# what both trackers must do alike and hands back what differs (the wording, the answer).


async def rides_out_failing_calls(
    em: Any, make_client: Callable[..., Any], sleeps: Sleeps, size: int
) -> None:
    """A backlog of ``size`` issues read in full while 30% of the calls fail with a 503: every
    failure was waited out once."""
    em.seed(size)
    em.fail_rate(0.3, 503, seed=7)
    client = make_client(retry=RetryPolicy(attempts=8, timeout=5))

    issues = await collect(iter_backlog(client))

    assert len(issues) == size
    failed = [c for c in em.calls if c.status == 503]
    assert failed and len(sleeps.waits) == len(failed)


async def account_after_5xx(em: Any, client: Any, sleeps: Sleeps, route: str) -> Any:
    """The account, read through two 503s and a 500 on ``route``, waiting 1, 2 and 4 seconds."""
    em.fail_next(503, route=route, times=2)
    em.fail_next(500, route=route)

    account = await client.account()

    assert sleeps.waits == [1.0, 2.0, 4.0]
    assert [c.status for c in em.calls_to(route)] == [503, 503, 500, 200]
    return account


async def gives_up_on_5xx(em: Any, client: Any, route: str, attempts: int) -> TrackerError:
    """The error after ``route`` answered 502 to each of the client's ``attempts``."""
    em.fail_next(502, route=route, times=20)

    with pytest.raises(TrackerError) as down:
        await client.account()

    assert down.value.kind is TrackerErrorKind.UNAVAILABLE and down.value.retryable
    assert len(em.calls_to(route)) == attempts
    return down.value


async def hands_back_a_long_limit(client: Any, sleeps: Sleeps) -> str:
    """What the client says when the tracker asks it to wait 900 seconds before reading the
    backlog: too long to wait, so it hands the wait back without waiting."""
    with pytest.raises(TrackerError) as limited:
        await client.backlog_page()

    assert limited.value.kind is TrackerErrorKind.RATE_LIMITED and limited.value.retryable
    assert limited.value.retry_after == 900
    assert sleeps.waits == []
    return str(limited.value)


async def create_refused(client: Any, sleeps: Sleeps, kind: TrackerErrorKind) -> TrackerError:
    """The error of creating "Pay by card" when its call fails with ``kind``: it may have
    been applied, so it is not tried again."""
    with pytest.raises(TrackerError) as failed:
        await client.create_issue(NewIssue("Pay by card"))

    assert failed.value.maybe_applied and failed.value.kind is kind
    assert sleeps.waits == []
    return failed.value


async def refuses_a_credential(client: Any, sleeps: Sleeps, secret: str) -> TrackerError:
    """The error of reading the backlog with a credential the tracker refuses (``secret``):
    said once, not retried, never showing the secret."""
    with pytest.raises(TrackerError) as refused:
        await client.backlog_page()

    assert refused.value.kind is TrackerErrorKind.AUTH and not refused.value.retryable
    assert secret not in str(refused.value) + repr(client.credential)
    assert sleeps.waits == []
    return refused.value


# -- a channel connected through the app --------------------------------------------------------


def let_the_bot_call(monkeypatch: pytest.MonkeyPatch, host_setting: str) -> None:
    """The tracker's host in TIMEBOX_TRACKER_HOSTS, and a key for tokens at rest."""
    monkeypatch.setenv("TIMEBOX_SECRET_KEY", generate_key())
    monkeypatch.setenv("TIMEBOX_TRACKER_HOSTS", host_setting)


async def started_beside(slack: LocalStack, kind: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``kind``'s emulator beside the stack's Slack, a tracker the bot may call."""
    emulator = await slack.start_tracker(kind)
    let_the_bot_call(monkeypatch, emulator.host_setting)
    return emulator


def beside_slack_fixture(kind: str) -> Any:
    """A fixture called ``kind``: that tracker's emulator started beside the test's Slack
    (``started_beside``), for a test module whose channel connects to it."""

    @pytest.fixture(name=kind)
    async def started(slack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> Any:
        return await started_beside(slack, kind, monkeypatch)

    return started


async def roles(slack: LocalStack, channel: str = CHANNEL) -> None:
    """Paula is the channel's Product Owner, Sam its Scrum Master."""
    await slack.driver.command("/timebox", f"roles po <@{PO}|paula>", user=PO, channel=channel)
    await slack.driver.command("/timebox", f"roles sm <@{SM}|sam>", user=PO, channel=channel)


def jira_form(jira: Any) -> dict[str, str]:
    """The Jira connect form filled in for the emulator's site, account and board 1."""
    return {
        "Jira site": jira.url,
        "Account email": jira.user.email,
        "API token": jira.user.token,
        "Board number": "1",
    }


def github_form(github: Any) -> dict[str, str]:
    """The GitHub connect form filled in for the emulator's repository and project 1."""
    return {
        "Repository": github.repository.full_name,
        "Project number": "1",
        "Token or App private key": github.token,
        "API address": github.url,
    }


async def connect_by_form(slack: LocalStack, tracker: str, entered: dict[str, str]) -> str:
    """`/timebox connect`, the ``tracker``'s button ("GitHub"), its form filled in with
    ``entered`` and sent by the PO: the text of the private answer, or of the form when the
    tracker refused it (it comes back, with the problems on top)."""
    await slack.driver.command("/timebox", "connect", user=PO, channel=CHANNEL)
    choice = last_ephemeral(slack, PO)
    assert "Which tracker" in shown(choice)
    await slack.driver.click(tracker, user=PO, message=choice)
    view = slack.emulator.open_view(PO)
    assert view is not None and view.view["title"]["text"] == f"Connect {tracker}"
    await slack.driver.submit(view, entered, user=PO)
    await slack.settle()
    return answer_to_form(slack)


def answer_to_form(slack: LocalStack, user: str = PO, channel: str = CHANNEL) -> str:
    """What a sent connect form was answered: the text of the form when it came back (the
    tracker refused it: the problems on top), else of the private answer."""
    again = slack.emulator.open_view(user)
    if again is not None and again.view.get("submit"):
        return form_text(again)
    return shown(slack.emulator.ephemerals(channel, user)[-1])


def form_text(view: Any) -> str:
    """Everything a person reads in a modal, as Slack shows it."""
    raw = json.dumps(view.view["blocks"], ensure_ascii=False)
    return raw.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


async def connected_as_po(
    slack: LocalStack, kind: str, submit: Callable[[], Awaitable[str]], board: str
) -> tuple[str, str]:
    """The channel connected as its PO (``submit()`` sends the form: the private answer) and
    the board imported; (webhook path, secret). ``board``: how the answer names it."""
    await roles(slack)
    answer = await submit()
    assert f"This channel is connected to {board}" in answer, answer
    return await webhook_of(slack, kind, answer)


async def webhook_of(slack: LocalStack, kind: str, answer: str) -> tuple[str, str]:
    """The webhook path and secret a connection's answer gives, once the import has run."""
    path = re.search(rf"(/trackers/{kind}/[A-Za-z0-9_-]+)", answer)
    secret = re.search(r"Secret: `([A-Za-z0-9_-]+)`", answer)
    assert path and secret, answer
    await drain(slack)
    return path.group(1), secret.group(1)


async def only_the_signed_webhook_counts(
    slack: LocalStack, em: Any, path: str, secret: str, elsewhere: str, edit: Callable[[], object]
) -> None:
    """Three webhooks on the tracker ``em``: the connection's (``path``) with its ``secret``,
    the connection's with another secret, and ``elsewhere`` (the path of no connection of
    this tracker) with the secret. The ``edit()`` then sent is taken from the first (204)
    only, the others refused (401), and the item retitled "Pay by card or wallet"."""
    em.add_webhook(f"{slack.url}{path}", secret)
    em.add_webhook(f"{slack.url}{path}", "not-the-secret")
    em.add_webhook(f"{slack.url}{elsewhere}", secret)
    edit()
    assert await em.deliver_webhooks() == 3
    assert [h.deliveries for h in em.webhooks] == [[204], [401], [401]]
    await drain(slack)
    assert "Pay by card or wallet" in await backlog_text(slack)


async def backlog_text(slack: LocalStack, user: str = PO) -> str:
    """What `/backlog` shows ``user`` in the team's channel."""
    await slack.driver.command("/backlog", "", user=user, channel=CHANNEL)
    return shown(last_ephemeral(slack, user))


async def drain(slack: LocalStack) -> int:
    """Runs due work until none is left at the current time."""
    total = 0
    while ran := await slack.services.jobs.run_due():
        total += ran
    await slack.settle()
    return total


SYNC = 301
"""Seconds on after which the regular sync (every 5 minutes) has run."""
RECONCILE = 61 * 60
"""Seconds on after which the hourly look at the board has run."""


async def later(slack: LocalStack, seconds: float) -> int:
    """``seconds`` on, and the work then due run."""
    slack.clock.advance(timedelta(seconds=seconds))
    return await drain(slack)


async def items(slack: LocalStack, *, include_closed: bool = False) -> list[BacklogItem]:
    """The team's backlog, in order (with ``include_closed``, archived items too)."""
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        return list(await store.all_items(team.id, include_closed=include_closed))


async def item_by_key(slack: LocalStack, key: str) -> BacklogItem:
    """The team's item linked to the tracker's issue ``key``."""
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        link = (await store.links_by_keys(team.id, [key]))[key]
        item = await store.item_by_id(team.id, link.item_id)
        assert item is not None
        return item


async def kept_board(slack: LocalStack) -> dict[str, Any]:
    """What the channel's connection keeps of its board, project or team (its snapshot)."""
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        connection = await store.connection(team.id)
        assert connection is not None
        return dict(connection.board or {})


async def move_to_top(slack: LocalStack, key: str) -> None:
    """The PO moves the item linked to ``key`` to the top of the backlog; due work run."""
    number = (await item_by_key(slack, key)).number
    await slack.driver.command("/backlog", f"move {number} top", user=PO, channel=CHANNEL)
    await drain(slack)


async def estimate_by_poker(slack: LocalStack, key: str, points: str = "8") -> None:
    """The developers all vote ``points`` for the item linked to ``key``, the Scrum Master
    accepts, and the work it makes due is run."""
    await slack.driver.command(
        "/timebox", f"roles dev <@{DEV1}|d> <@{DEV2}|d> <@{DEV3}|d>", user=PO, channel=CHANNEL
    )
    number = (await item_by_key(slack, key)).number
    await poker(slack, str(number))
    for dev in (DEV1, DEV2, DEV3):
        await vote(slack, dev, points)
    [result] = replies(slack, board(slack))
    await slack.driver.click(f"Accept {points}", user=SM, message=result)
    await drain(slack)


# -- `timebox sandbox --<tracker>` ---------------------------------------------------------------


@asynccontextmanager
async def demo_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tracker: str
) -> AsyncIterator[Sandbox]:
    """`timebox sandbox --<tracker>` on a fixed clock with no ticker (tests move time), and
    no TIMEBOX_TRACKER_HOSTS of the operator's: the sandbox allows its own emulator."""
    monkeypatch.setenv("TIMEBOX_SECRET_KEY", generate_key())
    monkeypatch.setenv("TIMEBOX_TRACKER_HOSTS", "")
    options = {tracker: True}
    sandbox = await Sandbox(
        tmp_path / "sandbox.db", clock=fixed_clock(), tick=None, **options
    ).start()
    try:
        yield sandbox
    finally:
        await sandbox.stop()


async def demo_links(sandbox: Sandbox) -> tuple[TrackerConnection, list[str]]:
    """The demo channel's connection, and the keys its open items are linked to, in order."""
    async with sandbox.db.transaction() as store:
        team = await store.team(demo.WORKSPACE, demo.CHANNEL)
        assert team is not None
        connection = await store.connection(team.id)
        assert connection is not None
        items = await store.all_items(team.id, include_closed=False)
    return connection, [i.tracker_link.key for i in items if i.tracker_link is not None]


async def demo_backlog(sandbox: Sandbox) -> str:
    """`/backlog` in the demo channel, as its PO: the answer's blocks as JSON."""
    await sandbox.command(demo.PO.id, demo.CHANNEL, "/backlog")
    return json.dumps(sandbox.emulator.ephemerals(demo.CHANNEL, demo.PO.id)[-1].blocks)


async def demo_backlog_after_webhooks(sandbox: Sandbox, tracker: Any) -> str:
    """The tracker's webhook deliveries sent (one, accepted) and the sync they ask for run:
    the demo channel's backlog then (``demo_backlog``)."""
    await tracker.deliver_webhooks()
    assert [d for h in tracker.webhooks for d in h.deliveries] == [204], "one, accepted"
    await sandbox.run_due()
    return await demo_backlog(sandbox)


async def saved_in_item_form(slack: LocalStack, key: str, values: dict[str, str]) -> None:
    """The PO saves `values` in the `/backlog edit` form of the item linked to `key`, and the
    writes it makes run."""
    number = (await item_by_key(slack, key)).number
    await backlog(slack, f"edit {number}")
    view = slack.emulator.open_view(PO)
    ack = await slack.driver.submit(view, values, user=PO)
    assert ack.status == 200 and not (ack.json or {}).get("errors"), ack.json
    await drain(slack)
