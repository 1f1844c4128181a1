"""The Jira sync engine through the real app's services, against the Jira emulator: the import
keeps the board's order and fields, changes come back (webhook or reconcile), conflicts keep
the later change with a history line, writes retry until they land once, and a channel's own
fields survive every sync."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.domain import calendar, readiness
from bot.domain.backlog import ItemFields, Move
from bot.domain.errors import UserError
from bot.domain.trackers import StatusCategory
from bot.emulator.jira import STORY_POINTS, JiraEmulator
from bot.emulator.stack import LocalStack
from bot.runtime.secrets import Secret
from bot.trackers.adf import join_acceptance
from bot.trackers.http import RetryPolicy
from bot.trackers.jira import JiraCloud
from bot.trackers.wiring import install, open_jira
from bot.usecases import backlog as backlog_uc
from bot.usecases import sprints
from bot.usecases import tracker as tracker_uc
from bot.usecases import tracker_connect as connect_uc
from bot.usecases.unit import Actor
from storage.models import BacklogItem, SprintItem
from tests.app.trackers import WORKSPACE, drain, item_by_key, items, later, let_the_bot_call
from tests.conftest import CHANNEL, PO


@pytest.fixture
async def jira(clock, monkeypatch) -> AsyncIterator[JiraEmulator]:
    """A Jira site the bot may call (TIMEBOX_TRACKER_HOSTS) and a key for tokens at rest."""
    async with JiraEmulator(now=clock.now) as emulator:
        let_the_bot_call(monkeypatch, emulator.host_setting)
        yield emulator


def seed_board(jira: JiraEmulator) -> list[str]:
    """Four stories in rank order, with the fields the sync maps."""
    blocker = jira.add_issue("Set up the payment provider", estimate=3, labels=["payments"])
    epic = jira.add_issue("Checkout", issue_type="Epic")
    story = jira.add_issue(
        "Pay by card",
        description=join_acceptance(
            "Card payments at checkout.", ["Visa and Mastercard", "3-D Secure"]
        ),
        estimate=5,
        labels=["payments", "web"],
        blocked_by=[blocker.key],
        parent=epic.key,
        assignee=jira.user.email,
        status="In Progress",
    )
    bug = jira.add_issue("Receipt shows the wrong VAT", issue_type="Bug")
    task = jira.add_issue("Upgrade the TLS library", issue_type="Task")
    jira.rank = [bug.key, story.key, blocker.key, epic.key, task.key]
    return [bug.key, story.key, blocker.key, task.key]


def actor(request: str | None = None, user: str = PO) -> Actor:
    return Actor(WORKSPACE, CHANNEL, user, request)


async def connect(slack: LocalStack, jira: JiraEmulator, **form: str) -> object:
    """Connects the team through the use case (the Slack form has its own tests)."""
    install(slack.services)
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        await store.set_role(team, "po", [PO])
        team_id = team.id
    values = {
        "site": jira.url,
        "email": jira.user.email,
        "token": jira.user.token,
        "board": "1",
    } | form
    entered = connect_uc.ConnectForm(
        site=values["site"],
        email=values["email"],
        token=Secret(values["token"]),
        board=values["board"],
        jql=values.get("jql", ""),
    )
    return await connect_uc.connect(
        slack.services, actor(f"connect-{len(jira.calls)}"), entered, team_id
    )


async def history(slack: LocalStack, item: BacklogItem) -> list[tuple[str, str, dict]]:
    async with slack.db.transaction() as store:
        events = await store.history(item, limit=50)
        return [(e.actor, e.action, e.changes) for e in reversed(events)]


# -- the import --------------------------------------------------------------------------------


async def test_the_import_keeps_the_boards_rank_order_and_its_fields(slack, jira):
    bug, story, blocker, task = seed_board(jira)
    async with slack.db.transaction() as store:  # an item the channel had before
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        await store.add_item(team, ItemFields(title="Our own idea"), PO, slack.clock.now())
    connected = await connect(slack, jira)
    assert isinstance(connected, connect_uc.Connected), connected
    assert connected.connection.estimation_field == STORY_POINTS
    await drain(slack)

    backlog = await items(slack)
    assert [i.title for i in backlog] == [
        "Receipt shows the wrong VAT",
        "Pay by card",
        "Set up the payment provider",
        "Upgrade the TLS library",
        "Our own idea",
    ], "the board's order first (no epic), the channel's own items below"
    card = await item_by_key(slack, story)
    assert card.estimate == 5.0 and card.type == "story"
    assert card.acceptance_criteria == ["Visa and Mastercard", "3-D Secure"]
    assert card.labels == ["payments", "web"] and card.epic is not None
    assert card.dependencies == [{"text": blocker, "resolved": False, "tracker": blocker}]
    link = card.tracker_link
    assert link.key == story and link.url == f"{jira.url}/browse/{story}"
    assert link.remote["description"] == "Card payments at checkout."
    assert link.remote["status_category"] == StatusCategory.IN_PROGRESS.value
    assert link.remote["assignee"] == jira.user.display_name
    assert (await item_by_key(slack, bug)).type == "bug"
    assert (await item_by_key(slack, task)).type == "story"

    shown = await connect_uc.connection_status(slack.services, actor())
    assert shown.connection.status == "connected" and shown.linked == 4
    jira.reset_calls()
    await later(slack, 301)  # the regular sync: one search, nothing changed
    assert [c.route for c in jira.calls] == ["search.jql"]
    await later(slack, 301)  # and again five minutes later
    assert [c.route for c in jira.calls] == ["search.jql", "search.jql"]
    assert (await items(slack))[0].title == "Receipt shows the wrong VAT"


async def test_a_big_board_is_imported_in_pages_that_survive_a_restart(slack, jira):
    keys = jira.seed(250, estimate=lambda n: float(n % 8))
    assert isinstance(await connect(slack, jira), connect_uc.Connected)
    jira.fail_next(503, route="board.backlog", after=1)
    await drain(slack)  # page 1 is read; Jira fails on page 2
    async with slack.db.transaction() as store:
        jobs = await store.jobs(tracker_uc.KIND_IMPORT)
    assert [j.key.rsplit(":", 1)[1] for j in jobs] == ["0", "1"]
    assert jobs[0].done_at is not None and jobs[1].done_at is None, "page 2 waits as a row"
    assert jobs[1].payload["error"].startswith("Jira had a problem of its own (HTTP 503)")
    assert len(await items(slack)) == 100
    await later(slack, 10)
    backlog = await items(slack)
    assert len(backlog) == 250
    assert [i.tracker_link.key for i in backlog] == keys, "in the board's order"
    assert len(jira.calls_to("board.backlog")) == 4  # 3 pages, one failed once


# -- changes from Jira -------------------------------------------------------------------------


async def test_a_change_in_jira_reaches_the_backlog_without_any_webhook(slack, jira):
    bug, story, *_ = seed_board(jira)
    await connect(slack, jira)
    await drain(slack)
    slack.clock.advance(timedelta(minutes=1))
    jira.edit(story, summary="Pay by card or wallet", estimate=8, labels=["payments"])
    jira.edit(bug, status="Done")
    await later(slack, 300)
    card = await item_by_key(slack, story)
    assert card.title == "Pay by card or wallet" and card.estimate == 8.0
    assert card.labels == ["payments"]
    assert (await item_by_key(slack, bug)).status == "done"
    [*_, (who, action, changes)] = await history(slack, card)
    assert who == "jira" and action == "edited"
    assert set(changes) == {"title", "estimate", "labels"}


async def test_the_channels_own_fields_survive_every_sync(slack, jira):
    _, story, *_ = seed_board(jira)
    await connect(slack, jira)
    await drain(slack)
    card = await item_by_key(slack, story)
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        await store.edit_item(
            team,
            card.number,
            {
                "hypothesis": "By letting people pay by card we expect 20% more orders",
                "checklist": {"q1": True},
                "priority": "high",
            },
            PO,
            slack.clock.now(),
        )
    slack.clock.advance(timedelta(minutes=1))
    jira.edit(story, summary="Pay by card (EU)", description="Changed in Jira")
    await later(slack, 300)
    card = await item_by_key(slack, story)
    assert card.title == "Pay by card (EU)"
    assert card.hypothesis.startswith("By letting people pay by card")
    assert card.checklist == {"q1": True} and card.priority == "high"
    assert card.tracker_link.remote["description"] == "Changed in Jira"


async def test_both_sides_changed_the_later_change_wins_with_a_history_line(slack, jira):
    _, story, blocker, _ = seed_board(jira)
    await connect(slack, jira)
    await drain(slack)
    card = await item_by_key(slack, story)
    other = await item_by_key(slack, blocker)
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        slack.clock.advance(timedelta(minutes=1))
        await store.edit_item(team, card.number, {"title": "Card payments"}, PO, slack.clock.now())
    slack.clock.advance(timedelta(minutes=1))
    jira.edit(story, summary="Pay by card, later in Jira")  # Jira's change is the later one
    slack.clock.advance(timedelta(minutes=1))
    jira.edit(blocker, summary="Provider set-up, earlier in Jira")
    async with slack.db.transaction() as store:  # ...and Timebox's the later one here
        slack.clock.advance(timedelta(minutes=1))
        await store.edit_item(
            team, other.number, {"title": "Payment provider"}, PO, slack.clock.now()
        )
    await later(slack, 300)

    card = await item_by_key(slack, story)
    assert card.title == "Pay by card, later in Jira"
    *_, (who, action, changes) = await history(slack, card)
    assert (who, action) == ("jira", "conflict") and changes["kept"] == "Jira"
    assert "title changed on both sides: Jira's change" in changes["note"]

    other = await item_by_key(slack, blocker)
    assert other.title == "Payment provider"
    *_, (who, action, changes) = await history(slack, other)
    assert (who, action, changes["kept"]) == ("jira", "conflict", "Timebox")
    assert "so Timebox's is kept and written to Jira" in changes["note"]
    await drain(slack)
    assert jira.issues[blocker].summary == "Payment provider", "the winner is written back"
    jira.reset_calls()
    await later(slack, 300)
    assert (await item_by_key(slack, blocker)).title == "Payment provider"
    assert jira.calls_to("issue.edit") == [], "settled: nothing more to write"


# -- writes to Jira ----------------------------------------------------------------------------


async def test_an_estimate_write_that_fails_retries_shows_pending_and_lands_once(slack, jira):
    _, story, *_ = seed_board(jira)
    await connect(slack, jira)
    await drain(slack)
    card = await item_by_key(slack, story)
    jira.fail_next(503, route="issue.edit")
    jira.fail_next(429, route="issue.edit", retry_after=120)
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        await store.edit_item(team, card.number, {"estimate": 13.0}, PO, slack.clock.now())
        item = await store.get_item(team, card.number)
        await tracker_uc.after_estimate(store, team, item, slack.clock.now())
    await drain(slack)  # 503
    card = await item_by_key(slack, story)
    assert card.tracker_link.pending == 1
    assert card.tracker_link.error == "Jira answered HTTP 503, a problem on its side"
    assert jira.estimate_of(story) == 5
    await later(slack, 10)  # backoff: 10 s, then Jira says 429, Retry-After 120
    assert len(jira.calls_to("issue.edit")) == 2
    card = await item_by_key(slack, story)
    assert card.tracker_link.error == "Jira asked to wait" and card.tracker_link.pending == 1
    await later(slack, 60)
    assert len(jira.calls_to("issue.edit")) == 2, "Retry-After is respected"
    await later(slack, 61)
    assert jira.estimate_of(story) == 13.0
    assert [c.status for c in jira.calls_to("issue.edit")] == [503, 429, 204]
    card = await item_by_key(slack, story)
    assert card.tracker_link.pending == 0 and card.tracker_link.error is None
    await later(slack, 3600)
    assert len(jira.calls_to("issue.edit")) == 3, "landed once, never again"


async def test_an_item_added_in_slack_is_created_in_jira_once_and_ranked(slack, jira, monkeypatch):
    """Jira makes the issue but its answer is lost (a timeout): the retry looks first, finds
    it, and links it; no second issue."""

    def impatient(spec: tracker_uc.BoardSpec) -> JiraCloud:
        client = open_jira(spec, now=slack.clock.now)
        client.retry = RetryPolicy(attempts=1, timeout=0.5)
        return client

    *_, task = seed_board(jira)
    await connect(slack, jira)
    await drain(slack)
    monkeypatch.setitem(tracker_uc.OPENERS, "jira", impatient)
    jira.delay_next(5, route="issue.create", applied=True)
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        item = await store.add_item(
            team, ItemFields(title="Apple Pay", estimate=3.0), PO, slack.clock.now()
        )
        await tracker_uc.after_add(store, team, item, slack.clock.now())
    await drain(slack)
    [made] = [i for i in jira.issues.values() if i.summary == "Apple Pay"]
    added = (await items(slack))[-1]
    assert added.tracker_link.key is None and added.tracker_link.pending == 1
    assert added.tracker_link.error == "Jira did not answer"
    await later(slack, 10)
    assert [i.key for i in jira.issues.values() if i.summary == "Apple Pay"] == [made.key]
    assert len(jira.calls_to("issue.create")) == 1, "looked first, did not create again"
    added = (await items(slack))[-1]
    assert added.tracker_link.key == made.key and added.tracker_link.pending == 0
    assert jira.estimate_of(made.key) == 3.0
    assert jira.backlog_keys()[-2:] == [task, made.key], "ranked where it stands"


async def test_a_reorder_and_a_sprint_land_in_jira(slack, jira):
    bug, story, blocker, task = seed_board(jira)
    await connect(slack, jira)
    await drain(slack)
    number = (await item_by_key(slack, task)).number
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        await store.move_item(team, number, Move("top"), PO, slack.clock.now())
        item = await store.get_item(team, number)
        await tracker_uc.after_reorder(store, team, item, slack.clock.now())
    await drain(slack)
    assert jira.backlog_keys() == [task, bug, story, blocker]

    now = slack.clock.now()
    bug_id = (await item_by_key(slack, bug)).id
    sprint_id = await running_sprint(slack, [task, bug], goal="Ship the fixes")
    [remote] = jira.sprints.values()
    assert (remote.name, remote.goal, remote.state) == ("Sprint 1", "Ship the fixes", "active")
    assert jira.sprint_keys(remote.id) == [task, bug]

    async with slack.db.transaction() as store:  # renegotiated: the bug goes out
        team = await store.ensure_team(WORKSPACE, CHANNEL, now)
        sprint = await store.sprint_by_id(sprint_id)
        for sprint_item in await store.sprint_items(sprint):
            sprint_item.removed = sprint_item.item_id == bug_id
        await tracker_uc.after_scope_change(store, team, sprint, now)
    await drain(slack)
    assert jira.sprint_keys(remote.id) == [task]
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, now)
        sprint = await store.sprint_by_id(sprint_id)
        sprint.status = "closed"
        await tracker_uc.after_close(store, team, sprint, now)
    await drain(slack)
    assert remote.state == "closed" and len(jira.calls_to("sprint.create")) == 1


async def test_disconnecting_keeps_the_items_and_connecting_again_matches_them(slack, jira):
    seed_board(jira)
    await connect(slack, jira)
    await drain(slack)
    before = [(i.number, i.title) for i in await items(slack)]
    gone = await connect_uc.disconnect(slack.services, actor("bye"))
    assert gone.unlinked == 4
    assert [(i.number, i.title) for i in await items(slack)] == before
    assert all(i.tracker_link.connection_id is None for i in await items(slack))
    await connect(slack, jira)
    await drain(slack)
    after = await items(slack)
    assert [(i.number, i.title) for i in after] == before, "matched by key: no duplicates"
    assert all(i.tracker_link.connection_id is not None for i in after)


async def test_without_a_key_for_tokens_nothing_is_stored(slack, jira, monkeypatch):
    monkeypatch.delenv("TIMEBOX_SECRET_KEY")
    with pytest.raises(UserError, match="set TIMEBOX_SECRET_KEY to store tracker tokens"):
        await connect(slack, jira)
    assert jira.calls == [], "not even a check"
    assert (await connect_uc.connection_status(slack.services, actor())).connection is None


async def test_a_jql_filter_narrows_the_import_and_the_sync(slack, jira):
    bug, story, *_ = seed_board(jira)
    assert isinstance(await connect(slack, jira, jql="issuetype = Bug"), connect_uc.Connected)
    await drain(slack)
    assert [i.tracker_link.key for i in await items(slack)] == [bug]
    slack.clock.advance(timedelta(minutes=1))
    jira.edit(story, summary="Not ours")
    jira.edit(bug, summary="VAT fixed for Portugal")
    await later(slack, 300)
    [search] = jira.calls_to("search.jql")[-1:]
    assert "AND (issuetype = Bug) AND updated >=" in search.body["jql"]
    assert [i.title for i in await items(slack)] == ["VAT fixed for Portugal"]


# -- done in Timebox, done in Jira --------------------------------------------------------------


async def in_channel(channel: str, user: str) -> bool:
    return True


async def committed_sprint(
    slack: LocalStack, keys: list[str], goal: str = "Ship it", *, ahead_days: int = 0
) -> int:
    """The upcoming sprint holding the items of `keys`, committed now, its tracker write
    queued (not run); `ahead_days`: its slot begins that many days on (committed ahead of
    it). Its id."""
    now = slack.clock.now()
    picked = [(await item_by_key(slack, key)).id for key in keys]
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, now)
        sprint = await sprints.upcoming(store, team, now)
        if ahead_days:
            length = sprint.ends_on - sprint.starts_on
            sprint.starts_on = calendar.local_today(team, now) + timedelta(days=ahead_days)
            sprint.ends_on = sprint.starts_on + length
        for position, item_id in enumerate(picked):
            await store.add_sprint_item(
                SprintItem(sprint_id=sprint.id, item_id=item_id, position=position, added_at=now)
            )
            (await store.item_by_id(team.id, item_id)).status = "sprint"
        sprint.goal, sprint.status, sprint.committed_at = goal, "active", now
        await tracker_uc.after_commit(store, team, sprint, now)
        return sprint.id


async def running_sprint(slack: LocalStack, keys: list[str], goal: str = "Ship it") -> int:
    """A committed sprint of the items of `keys`, written to Jira; its id."""
    sprint_id = await committed_sprint(slack, keys, goal)
    await drain(slack)
    return sprint_id


async def test_an_item_done_in_timebox_is_moved_to_done_in_jira_once(slack, jira):
    """`/backlog done` writes the Done transition through the outbox: a failure shows as
    pending and is retried; once it lands nothing more is sent."""
    _, story, *_ = seed_board(jira)
    await connect(slack, jira)
    await drain(slack)
    number = (await item_by_key(slack, story)).number
    jira.fail_next(503, route="issue.transition")

    await backlog_uc.mark_done(slack.services, actor("done-1"), number, in_channel)
    await drain(slack)

    card = await item_by_key(slack, story)
    assert card.status == "done" and jira.issues[story].status == "In Progress"
    assert (
        card.tracker_link.pending == 1
        and card.tracker_link.error == "Jira answered HTTP 503, a problem on its side"
    )
    await later(slack, 10)
    assert jira.issues[story].status == "Done"
    card = await item_by_key(slack, story)
    assert card.tracker_link.pending == 0 and card.tracker_link.error is None
    assert [c.status for c in jira.calls_to("issue.transition")] == [503, 204]
    jira.reset_calls()
    await later(slack, 3600)
    assert jira.calls_to("issue.transition") == [] and jira.calls_to("issue.get") == []
    assert (await item_by_key(slack, story)).status == "done", "Jira's done agrees"


async def test_a_sprint_item_done_then_the_sprint_closed_stays_done_in_jira(slack, jira):
    """Closing a sprint in Jira sends its unfinished issues back to the backlog: an item done
    in Timebox whose own write has not landed yet is moved to Done before the close."""
    bug, _, _, task = seed_board(jira)
    await connect(slack, jira)
    await drain(slack)
    sprint_id = await running_sprint(slack, [task, bug])
    [remote] = jira.sprints.values()
    assert set(jira.sprint_keys(remote.id)) == {bug, task}
    jira.fail_next(503, route="issue.transition")
    number, now = (await item_by_key(slack, bug)).number, slack.clock.now()
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, now)
        await sprints.finish_item(store, team, number, PO, now)
    await drain(slack)  # the done write failed: retried in 10 s
    assert jira.issues[bug].status == "To Do"
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, now)
        await sprints.close(store, team, PO, now, "", sprint=await store.sprint_by_id(sprint_id))
    await drain(slack)

    assert remote.state == "closed"
    assert jira.issues[bug].status == "Done" and jira.issues[bug].sprint == remote.id
    assert jira.issues[task].sprint is None, "the unfinished one went back to the backlog"
    await later(slack, 10)  # the item's own write: one look, done already
    assert len(jira.calls_to("issue.transition")) == 2  # the failed one and the close's


# -- the value hypothesis of imported items -----------------------------------------------------


async def gaps_of(slack: LocalStack, key: str) -> list[str]:
    """What the team's Definition of Ready says the item of `key` lacks."""
    item = await item_by_key(slack, key)
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        return readiness.gaps(item, readiness.DefinitionOfReady.of(team))


async def test_an_imported_item_takes_the_hypothesis_its_description_states(slack, jira):
    """The Definition of Ready sees a hypothesis Jira's description states (a "Value
    hypothesis" section, or "By doing X we expect Y"); any other description is none, an item
    typed in Slack is judged as before, and a hypothesis written in Timebox is never
    replaced."""
    stated = jira.add_issue(
        "Apple Pay",
        description=join_acceptance(
            "Shoppers asked for it.\n\nValue hypothesis\n\nBy offering Apple Pay we expect "
            "10% more completed checkouts.",
            ["Apple Pay at checkout"],
        ),
        estimate=3,
    )
    sentence = jira.add_issue(
        "Reorder", description="By adding one-click reorder, we expect more repeat orders."
    )
    plain = jira.add_issue("Wallet", description="Card payments at checkout.")
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        await store.set_role(team, "po", [PO])
        own = await store.add_item(team, ItemFields(title="Our idea"), PO, slack.clock.now())
        assert "no value hypothesis or description" in readiness.gaps(own)
    await connect(slack, jira)
    await drain(slack)

    card = await item_by_key(slack, stated.key)
    assert card.hypothesis == "By offering Apple Pay we expect 10% more completed checkouts."
    assert await gaps_of(slack, stated.key) == [], "ready: hypothesis, criteria, estimate"
    assert "no value hypothesis or description" not in await gaps_of(slack, sentence.key)
    assert "no value hypothesis: its description states none" in (
        " ".join(await gaps_of(slack, plain.key))
    ), "the description is there, the hypothesis is not"
    number = (await item_by_key(slack, plain.key)).number
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        mine = await store.get_item(team, own.number)
        assert "no value hypothesis or description" in readiness.gaps(mine), "not weakened"
        await store.edit_item(
            team, number, {"hypothesis": "Wallets cut drop-off"}, PO, slack.clock.now()
        )

    slack.clock.advance(timedelta(minutes=1))
    jira.edit(stated.key, description="Value hypothesis: Apple Pay brings 5% more checkouts")
    jira.edit(plain.key, description="Hypothesis\n\nBy adding wallets we expect fewer drop-offs")
    await later(slack, 300)
    card = await item_by_key(slack, stated.key)
    assert card.hypothesis == "Apple Pay brings 5% more checkouts", "follows Jira's"
    *_, (who, action, changes), (_, said, _) = await history(slack, card)
    assert (who, action) == ("jira", "edited") and "hypothesis" in changes
    assert said == "no longer ready", "its criteria went with the description"
    assert (await item_by_key(slack, plain.key)).hypothesis == "Wallets cut drop-off"
