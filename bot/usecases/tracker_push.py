"""Timebox's changes written to the tracker: the ``tracker_write`` due work (see
bot.usecases.tracker for what both directions share, and for the hooks that store its rows).

One row per effect (an estimate, a reorder, a new item, an item done or restored, a sprint's
commitment, scope change or close), whose key names it. It reads the item as it is when it runs
(so a late retry writes the latest value, or nothing once it is moot: a reopen of an item done
again), makes the call, and records the result and finishes its own row in one transaction (what
it wrote, a field or done or reopened, is then what both sides agree on: the link's ``base``,
against which the sync reads the tracker's values, so until it lands the tracker's old value
does not undo Timebox's): a crash between the call and that record repeats the call, which is
idempotent, or for a create looks first whether the tracker made it. A failure is retried with
backoff (429: after Retry-After), never dropped: the item says "not yet in GitHub: retrying"
(its tracker named) until it lands; but one the tracker refuses for good ends as refused on
its items, and its channel is told once (bot.usecases.tracker ``_refused``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from bot.domain import calendar, tracker_sprints, tracker_writes, trackers
from bot.domain import sprints as sprint_rules
from bot.domain import tracker_sync as rules
from bot.domain.readiness import DefinitionOfReady
from bot.domain.teams import Roles
from bot.domain.tracker_order import RankWish
from bot.runtime.scheduling import Due
from bot.runtime.services import Services
from bot.usecases import poker
from bot.usecases.news import tell_channel
from bot.usecases.tracker import (
    KIND_WRITE,
    BoardSpec,
    IssueGone,
    blockers_done,
    connection_lock,
    counted_links,
    enqueue,
    finds_gone,
    job_connection,
    job_failed,
    moving_items,
    never_dropped,
    open_tracker,
    spec_of,
    tag,
    unlink_gone,
    working_again,
)
from storage.models import (
    BacklogItem,
    TrackerConnection,
    TrackerLink,
    TrackerSprintLink,
)
from storage.repositories import Store

log = logging.getLogger(__name__)
_T = TypeVar("_T")

WAIT_FOR_CREATE = timedelta(seconds=30)


@dataclass(frozen=True)
class SprintCycleTaken:
    """A Linear team's cycles cannot overlap, and each cycle the sprint `number`'s dates
    (`first` to `last` day) fall in is used by another of Timebox's sprints (`cycles`: each
    cycle's name and the number of the sprint using it): no cycle can be made or used for it.
    The channel is told once; the write is tried again hourly, and uses the cycle its dates
    fall in once one is free (made in Linear, or its dates changed there). `fixers`: the
    Product Owner and the Scrum Masters."""

    kind: str
    number: int
    first: date
    last: date
    cycles: tuple[tuple[str, int | None], ...]
    fixers: tuple[str, ...]

    @property
    def tracker(self) -> str:
        return rules.tracker_name(self.kind)


class _CycleTaken(trackers.TrackerError):
    """The sprint write found no cycle to use (``SprintCycleTaken``): a board set up
    otherwise than the sprint needs (``CONFIG``), retried hourly, never dropped."""

    def __init__(self, news: SprintCycleTaken) -> None:
        names = ", ".join(
            f'"{name}"' + (f" (Sprint {number})" if number and name != f"Sprint {number}" else "")
            for name, number in news.cycles
        )
        super().__init__(
            f"{news.tracker} cycles cannot overlap, and the cycle this sprint's dates fall in "
            f"is used by another sprint: {names}",
            kind=trackers.TrackerErrorKind.CONFIG,
        )
        self.news = news


@dataclass
class _Write:
    """One write as read from the database: what to send, and the rows to record it on."""

    spec: BoardSpec
    connection_id: int
    team_id: int
    link_id: int | None = None
    item_id: int | None = None
    key: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    anchor: RankWish | None = None  # a rank's place, laid on the board as it is when sent
    new_issue: trackers.NewIssue | None = None
    sprint: dict[str, Any] = field(default_factory=dict)
    wait: bool = False  # a create this depends on is not done yet
    nothing: str | None = None  # nothing to send, and why


@never_dropped
async def run_write(svc: Services, due: Due) -> str:
    """One effect on the tracker (see the module's docstring)."""
    connection_id = int(due.payload["connection"])
    async with connection_lock(connection_id):
        try:
            write = await _read_write(svc, due)
        except trackers.TrackerError as error:
            return await job_failed(svc, due, None, error)
        if isinstance(write, str):
            return write
        now = svc.clock.now()
        if write.wait:
            async with svc.db.transaction() as store:
                await store.schedule(due.kind, due.key, now + WAIT_FOR_CREATE, dict(due.payload))
            return "waiting for the issue to be created"
        if write.nothing is not None:
            await _record(svc, due, write, {})
            return write.nothing
        tracker = open_tracker(write.spec)
        try:
            if due.payload["effect"] == "fields":
                await _merge_first(svc, tracker, write)
            outcome = await _send(svc, tracker, due, write) if write.nothing is None else {}
            outcome["settings"] = tracker.snapshot()  # read again for an estimate, say
        except trackers.TrackerError as error:
            if isinstance(error, _CycleTaken):
                await _tell_cycle_taken(svc, due, write, error.news)
            if write.link_id is not None and finds_gone(due, error):
                return await _issue_gone(svc, due, write.link_id)
            return await job_failed(svc, due, write.link_id, error, write.spec.credential)
        finally:
            await tracker.aclose()
        if not await _record(svc, due, write, outcome):
            return f"{outcome['issue'].key} is another item's: looking again"
        return f"{due.payload['effect']} written"


async def _issue_gone(svc: Services, due: Due, link_id: int) -> str:
    """An item's write found its issue gone (``finds_gone``: deleted in the tracker, or
    hidden from Timebox's account): no refusal of a change nobody can make again there. Its
    row ends and the item is unlinked as the look at the board unlinks a deleted issue
    (``unlink_gone``: archived if on the backlog, its history saying why), its polls shown
    again, and the channel told once. The items it blocked are freed at the next look."""
    now = svc.clock.now()
    async with svc.db.transaction() as store:
        connection = await job_connection(store, due.payload)
        if connection is None:
            return "skipped: not connected"
        if not await store.finish_key(due.key, now, "gone: its issue is not found"):
            return "skipped: cancelled meanwhile"
        item_id = int(str(due.payload["subject"])[1:])
        team = await store.team_by_id(connection.team_id)
        item = await store.item_by_id(connection.team_id, item_id)
        link = await store.link_of_item(item_id)
        if team is None or item is None or link is None or link.id != link_id:
            return "skipped: the item is gone or not linked"
        if link.connection_id != connection.id:
            return "skipped: unlinked already"
        key = link.key or ""
        gone = unlink_gone(store, connection.kind, link, item, "deleted", now, calendar.zone(team))
        if gone.archived:  # off the backlog: its polls shown again
            await poker.backlog_changed(store, team.id, [item.number], now)
        news = IssueGone(connection.kind, item.number, item.title, key, gone.note)
        told = f"tracker_gone:{tag(connection)}:i{item.id}:{key}"
        await tell_channel(store, team, told, now, news)
    log.info("tracker write %s: %s is gone, its item unlinked", due.key, key)
    return f"gone: {key} not found, its item unlinked"


async def _read_write(svc: Services, due: Due) -> _Write | str:
    effect, subject = str(due.payload["effect"]), str(due.payload["subject"])
    async with svc.db.transaction() as store:
        connection = await job_connection(store, due.payload)
        if connection is None:
            await store.finish_key(due.key, svc.clock.now(), "skipped: not connected")
            return "skipped: not connected"
        write = _Write(spec_of(connection), connection.id, connection.team_id)
        if effect == "sprint":
            await _read_sprint(store, connection, int(subject[1:]), write)
            if write.sprint.get("status") == "active" and write.sprint["start"] > svc.clock.now():
                # committed ahead of its slot (``sprints.started``): made there now, started
                # there by this write again when the slot begins, a due job then
                write.sprint["status"] = "committed"
                start = write.sprint["start"]
                await enqueue(store, connection, None, "sprint", subject, start, once=True)
            return write
        item = await store.item_by_id(connection.team_id, int(subject[1:]))
        link = await store.link_of_item(int(subject[1:]))
        if item is None or link is None or link.connection_id != connection.id:
            write.nothing = "skipped: the item is gone or not linked"
            return write
        write.link_id, write.item_id, write.key = link.id, item.id, link.key
        if link.key is None and effect != "create":
            pending_create = await store.pending_jobs(
                f"{KIND_WRITE}:{tag(connection)}:i{item.id}:create:"
            )
            if pending_create:
                write.wait = True
            else:
                write.nothing = "skipped: the item has no issue"
        elif effect == "rank":
            order = await store.backlog_keys(connection.team_id, connection.id)
            moving = await moving_items(store, connection)
            write.anchor = RankWish.of(order, item.id, moving)
            if write.anchor is None:
                write.nothing = "no linked neighbour to rank against"
        else:
            sends = await _item_sends(store, effect, item, link, connection.kind)
            write.new_issue, write.values = sends.new_issue, sends.values
            write.nothing = sends.nothing
        return write


async def _item_sends(
    store: Store, effect: str, item: BacklogItem, link: TrackerLink, kind: str
) -> tracker_writes.ItemWrite:
    """What an item's write sends, from the item and its link as they are now."""
    late = effect == "fields" and item.status == "done"
    events = await store.events_since(item.id, None) if late else ()
    return tracker_writes.item_write(
        effect,
        item,
        link,
        kind,
        estimated_late=late and tracker_writes.estimated_after_done(events),
    )


async def _merge_first(svc: Services, tracker: trackers.Tracker, write: _Write) -> None:
    """Before a field write, the issue is read (one call, whatever the fields): changed in
    the tracker since its link last saw it, it is merged into the item as the sync would
    (rules.merge_before_write: a field changed there only is taken, one changed on both
    sides is a conflict the later change wins, in the item's history alike), and the write
    sends only what Timebox still has to, never its stale value of a field changed there."""
    assert write.key is not None and write.item_id is not None
    issue = await tracker.issue(write.key)
    now = svc.clock.now()
    async with svc.db.transaction() as store:
        await store.lock_connection(write.connection_id)
        connection = await store.connection_by_id(write.connection_id)
        item = await store.item_by_id(write.team_id, write.item_id)
        link = await store.link_of_item(write.item_id)
        ours = link is not None and (link.connection_id, link.key) == (
            write.connection_id,
            write.key,
        )
        if connection is None or item is None or link is None or not ours:
            write.nothing = "skipped: the item is gone or not linked"
            return
        events = await store.events_since(item.id, rules.merge_since(link))
        done = await blockers_done(store, write.team_id, sorted(issue.blocked_by))
        team = await store.team_by_id(write.team_id)
        shown_in = calendar.zone(team) if team is not None else UTC
        dor = DefinitionOfReady.of(team) if team is not None else None
        merged = rules.merge_before_write(
            item, link, issue, events, done, now, connection.kind, shown_in, dor
        )
        if merged is None:
            return
        for line in merged.lines:
            store.log(item, rules.actor(connection.kind), line.action, now, **line.changes)
        sends = await _item_sends(store, "fields", item, link, connection.kind)
        write.values, write.nothing = sends.values, sends.nothing


async def _read_sprint(
    store: Store, connection: TrackerConnection, sprint_id: int, write: _Write
) -> None:
    sprint = await store.sprint_by_id(sprint_id)
    if sprint is None or sprint.team_id != connection.team_id:
        write.nothing = "skipped: the sprint is gone"
        return
    team = await store.team_by_id(connection.team_id)
    sprint_items = await store.sprint_items(sprint, include_removed=True)
    links = [await store.link_of_item(sprint_item.item_id) for sprint_item in sprint_items]
    known = await store.sprint_link(sprint.id)
    keys = tracker_sprints.sprint_keys(
        zip(sprint_items, links, strict=True), connection.id, known.remote_id if known else None
    )
    write.wait = keys.waiting
    start, end = tracker_sprints.sprint_times(  # it ends where the channel shows it to end
        sprint.starts_on,
        sprint_rules.last_day(team, sprint) if team else sprint.ends_on,
        team.timezone if team else None,
    )
    if team is not None:  # the same instants in the team's zone, which names the sprint's days
        start, end = start.astimezone(calendar.zone(team)), end.astimezone(calendar.zone(team))
    write.sprint = {
        "id": sprint.id,
        "number": sprint.number,
        "kind": connection.kind,
        "taken": await _taken(store, connection, sprint.id),
        "seen": {  # where the sync last saw each issue, as the write was read (``_placed``)
            link.key: (link.remote or {}).get("sprint_id")
            for link in links
            if link is not None and link.key is not None
        },
        "name": tracker_sprints.sprint_name(sprint.number),
        "goal": sprint.goal,
        "start": start,
        "end": end,
        "status": sprint.status,
        "remote_id": known.remote_id if known else None,
        "state": known.state if known else None,  # as Timebox's last write left it there
        "inside": keys.inside,
        "outside": keys.outside,
        "done": keys.done,
    }
    if sprint.status == "planning":
        write.nothing = "the sprint is not committed yet"


async def _taken(store: Store, connection: TrackerConnection, sprint_id: int) -> dict[str, int]:
    """The tracker's sprints Timebox's other recent sprints use there, by the tracker's id:
    the number of the sprint using each (a Linear cycle is adopted by one sprint only; other
    trackers' sprints are found by name alone, so none is read for them)."""
    if connection.kind != "linear":
        return {}
    linked = await store.sprints_linked(connection.id)
    return {remote: number for remote, (other, number) in linked.items() if other != sprint_id}


async def _tell_cycle_taken(svc: Services, due: Due, write: _Write, news: SprintCycleTaken) -> None:
    """The channel told once (per sprint and connection) that no cycle can hold the sprint.
    This write is retried hourly and starts the sprint there once it lands after the slot
    began, so the write queued for the slot's first morning (a sprint committed ahead) is
    dropped: it would only repeat this one, and say meanwhile it is on its way."""
    async with svc.db.transaction() as store:
        team = await store.team_by_id(write.team_id)
        connection = await store.connection_by_id(write.connection_id)
        if team is None or connection is None:
            return
        at_start = f"{KIND_WRITE}:{tag(connection)}:{due.payload['subject']}:sprint:once"
        if due.key != at_start:
            await store.cancel(at_start)
        roles = Roles.of(team)
        said = SprintCycleTaken(
            news.kind,
            news.number,
            news.first,
            news.last,
            news.cycles,
            tuple(dict.fromkeys(roles.po + roles.sm)),
        )
        key = f"tracker_cycle_taken:{write.connection_id}:s{write.sprint['id']}"
        await tell_channel(store, team, key, svc.clock.now(), said)


async def _send(
    svc: Services, tracker: trackers.Tracker, due: Due, write: _Write
) -> dict[str, Any]:
    """The tracker calls of one write; what to record."""
    effect = str(due.payload["effect"])
    if effect == "fields":
        assert write.key is not None
        values = write.values
        await tracker.update_issue(
            write.key,
            trackers.IssueUpdate(
                summary=values.get("title", trackers.KEEP),
                estimate=values.get("estimate", trackers.KEEP),
                acceptance_criteria=(
                    tuple(values["acceptance_criteria"])
                    if "acceptance_criteria" in values
                    else trackers.KEEP
                ),
            ),
        )
        return {"base": values}
    if effect == "rank":
        assert write.key is not None and write.anchor is not None
        anchor = write.anchor.anchor(await tracker.backlog_keys())
        if anchor is None:
            return {}
        where, other = anchor
        if where == "after":
            await tracker.rank(write.key, after=other)
        else:
            await tracker.rank(write.key, before=other)
        return {}
    if effect == "create":
        assert write.new_issue is not None
        # maybe made already: its answer lost (``look_first``), or a run cut off after it
        if due.payload.get("look_first") or due.attempts > 1:
            found = await _created_already(svc, tracker, due, write)
            if found is not None:
                return {"issue": found, "found": True}
        ref = await tracker.create_issue(write.new_issue)
        return {"issue": await tracker.issue(ref.key)}
    if effect in ("done", "reopen", "archive"):
        assert write.key is not None
        moves = {
            "done": tracker.mark_done,
            "reopen": tracker.reopen,
            "archive": tracker.close_not_planned,
        }
        await moves[effect](write.key)
        return {"base": rules.written_status(effect)}
    return await _send_sprint(tracker, write.sprint)


async def _created_already(
    svc: Services, tracker: trackers.Tracker, due: Due, write: _Write
) -> trackers.TrackerIssue | None:
    """After a create that may have been made although no answer said so (``maybe_applied``:
    a timeout, a broken connection, a 5xx; or a run cut off after the call): the issue the
    tracker made for it, if any. One rule for every tracker: an issue of the item's summary,
    made since the write was asked for (less ``WATERMARK_MARGIN``, for the clocks), that no
    other item of the team is linked to (``_ours``). An issue made before, edited since (the
    walk reads issues changed since then), is never the one this write made: above all not
    one another item holds, which this item cannot be linked to. A tracker that does not say
    when an issue was made (``created`` None) has only its last change to go by: the link
    check alone then keeps another item's issue out."""
    assert write.new_issue is not None
    summary = write.new_issue.summary.strip()
    since = datetime.fromisoformat(str(due.payload["since"])) - rules.WATERMARK_MARGIN
    cursor: str | None = None
    while True:
        page = await tracker.changes_page(since, cursor)
        made = [
            issue
            for issue in page.issues
            if issue.summary.strip() == summary and (issue.created or issue.updated) >= since
        ]
        free = await _free(svc, write, made)
        if free:
            return free[0]
        if page.cursor is None:
            return None
        cursor = page.cursor


async def _free(
    svc: Services, write: _Write, issues: list[trackers.TrackerIssue]
) -> list[trackers.TrackerIssue]:
    """The `issues` no other item of the team is linked to (``_ours``): those this create
    may take."""
    if not issues:
        return []
    async with svc.db.transaction() as store:
        return [issue for issue in issues if await _ours(store, write, issue)]


async def _send_sprint(tracker: trackers.Tracker, sprint: dict[str, Any]) -> dict[str, Any]:
    """Makes the tracker's sprint look like Timebox's: there (made once: looked for by name
    first), with its issues, started or closed. Every step may be repeated. A sprint Timebox
    made and started there before (its link's state) is not started again: the tracker would
    refuse it, at the cost of a look at the sprint as well. A failure once the sprint is found
    or made names it as the channel knows it, not by the tracker's id."""
    remote_id, state = sprint["remote_id"], _known_state(sprint)
    if remote_id is None:
        made = await _sprint_there(tracker, sprint)
        remote_id, state = made.id, made.state
    try:
        remote_id, state, steps = await _sprint_steps(tracker, sprint, remote_id, state)
    except trackers.TrackerError as error:
        raise trackers.TrackerError(
            tracker_sprints.named_sprint(error.message, str(remote_id), sprint["name"]),
            kind=error.kind,
            status=error.status,
            retry_after=error.retry_after,
            maybe_applied=error.maybe_applied,
        ) from error
    return {
        "sprint": {
            "remote_id": remote_id,
            "state": (state or trackers.SprintState.ACTIVE).value,
            "moved_in": steps.move_in,
            "moved_out": steps.move_out,
        }
    }


async def _sprint_there(
    tracker: trackers.Tracker, sprint: dict[str, Any]
) -> trackers.TrackerSprint:
    """The tracker's sprint for a sprint not linked there yet (``tracker_sprints.sprint_to_use``):
    one named as Timebox names it, given Timebox's goal and dates; on Linear, whose cycles
    cannot overlap (so a cycle cannot be made over one its cycle settings made ahead), the
    free cycle its dates fall in, given the goal only (its dates are the team's cycle
    schedule); else one made. Every cycle there taken by another sprint: ``_CycleTaken``."""
    spec = trackers.SprintSpec(sprint["name"], sprint["goal"], sprint["start"], sprint["end"])
    taken: dict[str, int] = sprint.get("taken") or {}
    kind = sprint.get("kind") or rules.JIRA
    found = tracker_sprints.sprint_to_use(
        await tracker.board_sprints(),
        sprint["name"],
        sprint["start"],
        sprint["end"],
        taken=taken,
        no_overlap=kind == "linear",
    )
    if found.sprint is not None and found.how == tracker_sprints.NAMED:
        return await tracker.update_sprint(found.sprint, spec)
    if found.sprint is not None:  # adopted: its dates kept
        return await tracker.update_sprint(found.sprint, trackers.SprintSpec(spec.name, spec.goal))
    if found.blocked:
        raise _CycleTaken(
            SprintCycleTaken(
                kind,
                int(sprint.get("number") or 0),
                sprint["start"].date(),
                sprint["end"].date(),
                tuple((s.name, taken.get(s.id)) for s in found.blocked),
                (),
            )
        )
    return await tracker.create_sprint(spec)


async def _on_sprint(
    tracker: trackers.Tracker,
    sprint: dict[str, Any],
    remote_id: str,
    call: Callable[[str], Awaitable[_T]],
    *,
    closing: bool = False,
) -> tuple[str, _T | None]:
    """`call` on the tracker's sprint `remote_id`, and the id it was made on. A GitHub
    iteration gets a new id each time the project's iteration field is written, for any
    sprint (github/github-mcp-server#2953), so the id a link keeps may name nothing there:
    refused as NOT_FOUND, the call is made again on the open sprint named as Timebox names
    it (one only). `closing`, and none open: the sprint runs no more there (an iteration
    past its end), which closing asks (None). Else the error stands."""
    try:
        return remote_id, await call(remote_id)
    except trackers.TrackerError as error:
        if error.kind is not trackers.TrackerErrorKind.NOT_FOUND:
            raise
        named = [s.id for s in await tracker.board_sprints() if s.name == sprint["name"]]
        if len(named) == 1 and named[0] != remote_id:
            return named[0], await call(named[0])
        if closing and not named:
            return remote_id, None
        raise


def _known_state(sprint: dict[str, Any]) -> trackers.SprintState | None:
    """The state Timebox's last write left the tracker's sprint in (None: none yet, or
    unknown). A write read before this field was kept has none: it starts the sprint as
    before (a repeat Jira refuses, which ``_sprint_steps`` takes as started)."""
    known = sprint.get("state") if sprint["remote_id"] is not None else None
    return trackers.SprintState(known) if known else None


async def _sprint_steps(
    tracker: trackers.Tracker,
    sprint: dict[str, Any],
    remote_id: str,
    state: trackers.SprintState | None,
) -> tuple[str, trackers.SprintState | None, tracker_sprints.SprintSteps]:
    """The calls that bring the tracker's sprint `remote_id` in line (its issues in and out,
    started, done ones marked, closed); its id after them (GitHub's changes when the sprint
    is started or closed), its state (None: unknown), and the steps."""
    steps = tracker_sprints.sprint_steps(
        sprint["status"], state, sprint["inside"], sprint["outside"], sprint.get("done", [])
    )
    if steps.move_in:
        remote_id, _ = await _on_sprint(
            tracker, sprint, remote_id, lambda at: tracker.move_to_sprint(at, steps.move_in)
        )
    if steps.move_out:
        await tracker.move_to_backlog(steps.move_out)
    if steps.start:
        try:
            remote_id, started = await _on_sprint(
                tracker,
                sprint,
                remote_id,
                lambda at: tracker.start_sprint(at, start=sprint["start"], end=sprint["end"]),
            )
            if started is not None:
                remote_id, state = started.id or remote_id, started.state
        except trackers.TrackerError as error:
            if error.kind is not trackers.TrackerErrorKind.INVALID:
                raise
            state = None  # started already (a repeat): closing below finds out
    for key in steps.mark_done:
        await tracker.mark_done(key)
    if steps.close:
        remote_id, closed = await _on_sprint(
            tracker, sprint, remote_id, tracker.close_sprint, closing=True
        )
        if closed is None:
            state = trackers.SprintState.CLOSED
        else:
            remote_id, state = closed.id or remote_id, closed.state
    return remote_id, state, steps


async def _record(svc: Services, due: Due, write: _Write, outcome: dict[str, Any]) -> bool:
    """The write's result and the end of its row, in one transaction; a write the tracker
    took ends a break of the connection (``working_again``). False: the issue a create found
    made already is another item's by now (``_ours``), and the row runs again."""
    now = svc.clock.now()
    async with svc.db.transaction() as store:
        if outcome.get("found"):
            await store.lock_connection(int(due.payload["connection"]))  # the sync waits
            if not await _ours(store, write, outcome["issue"]):
                # linked to another item since it was found (by the sync): not this create's
                # issue; the row runs again at once, and its look leaves that issue out
                await store.schedule(due.kind, due.key, now, dict(due.payload))
                return False
        if not await store.finish_key(due.key, now, "done"):
            return True  # cancelled (disconnected) or done by another run meanwhile
        await store.lock_connection(int(due.payload["connection"]))
        connection = await job_connection(store, due.payload)
        if connection is not None and (
            learnt := rules.newly_learnt(connection.board or {}, outcome.get("settings") or {})
        ):
            connection.board = {**(connection.board or {}), **learnt}
        link = await store.link_of_item(write.item_id) if write.item_id is not None else None
        if link is not None:
            if "base" in outcome:
                link.base = {**link.base, **outcome["base"]}
            if "issue" in outcome and link.key in (None, outcome["issue"].key):
                await _linked(store, link, outcome["issue"], now)
            link.synced_at = now
            await store.change_pending(link.id, -1)
        for counted in counted_links(due.payload):  # a sprint's write: its items' links
            await store.change_pending(counted, -1)
        if "sprint" in outcome:
            known = await store.sprint_link(int(write.sprint["id"]))
            if known is None:
                await store.add_sprint_link(
                    TrackerSprintLink(
                        connection_id=write.connection_id,
                        sprint_id=int(write.sprint["id"]),
                        remote_id=str(outcome["sprint"]["remote_id"]),
                        state=outcome["sprint"]["state"],
                        synced_at=now,
                    )
                )
            else:
                known.state, known.synced_at = outcome["sprint"]["state"], now
                known.remote_id = str(outcome["sprint"]["remote_id"])  # GitHub's may change
            await _placed(store, write, outcome["sprint"])
        connection = await store.connection_by_id(write.connection_id)
        if connection is not None and write.nothing is None:  # the tracker took a call
            await working_again(store, connection, now)
    return True


async def _ours(store: Store, write: _Write, issue: trackers.TrackerIssue) -> bool:
    """Whether the create `write` may take `issue`: no item of the team but its own is linked
    to it, by key or by the tracker's id (a link keeps its issue's key once unlinked, and its
    id once moved; the team's links hold each key once). Its own item may be: the sync links
    a created issue it reads to the item waiting for it (``tracker_apply._adopt_created``)."""
    holder = (await store.links_by_keys(write.team_id, [issue.key])).get(issue.key)
    if holder is None and issue.id:
        holder = (await store.links_by_issue_ids(write.team_id, [issue.id])).get(issue.id)
    return holder is None or holder.item_id == write.item_id


async def _placed(store: Store, write: _Write, landed: dict[str, Any]) -> None:
    """Where the sprint write put its issues (into the tracker's sprint, or out of it) is
    where the sync last saw them: a move made in the tracker since is a move to follow
    (``tracker_sprints.scope_news``), not taken for where Timebox's write has yet to put it.
    A link the sync saw meanwhile keeps what it saw."""
    places = dict.fromkeys(landed.get("moved_in") or [], str(landed["remote_id"]))
    places.update(dict.fromkeys(landed.get("moved_out") or []))
    seen: dict[str, Any] = write.sprint.get("seen") or {}
    links = await store.links_by_keys(write.team_id, list(places))
    for key, link in links.items():
        remote = dict(link.remote or {})
        if link.connection_id == write.connection_id and remote.get("sprint_id") == seen.get(key):
            link.remote = {**remote, "sprint_id": places[key]}


async def _linked(
    store: Store, link: TrackerLink, issue: trackers.TrackerIssue, now: datetime
) -> None:
    """An item created in the tracker: its key, and a rank write to put it where it stands.
    The item takes what the issue was made with of the fields the tracker owns (a type the
    project lacks, say: ``tracker_writes.created_as``), said in its history, so that no
    later sync shows it as an edit made there."""
    connection = await store.connection_by_id(link.connection_id or 0)
    had = connection.kind if connection is not None else (link.remote or {}).get("tracker")
    kind = str(had or rules.JIRA)
    link.key, link.issue_id, link.url = issue.key, issue.id, issue.url
    link.base = rules.agreed_values(issue)
    link.remote = rules.facts(issue, kind)
    link.remote_updated = issue.updated
    if connection is None:
        return
    item = await store.item_by_id(connection.team_id, link.item_id)
    if item is not None:
        changes, note = tracker_writes.created_as(item, issue, kind)
        if changes:
            item.updated_at = now
            store.log(item, rules.actor(kind), "edited", now, note=note, **changes)
    await enqueue(store, connection, link, "rank", f"i{link.item_id}", now)
