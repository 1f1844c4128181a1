"""The product backlog, one function per thing a person does with it.

Every item is looked up by its number inside the actor's team (workspace + channel). A form or
a button that names its team (the id written into it when it was shown) is refused in any
other team. Each change records the request's identity in its own transaction (`once=True`),
so a copy of the request (a retry, a replay, a double delivery) changes nothing. Someone outside
the team (not in its channel, no role in it) may look but changes nothing (`member_work`).

An import adds its rows in batches, one transaction each, so the other teams' work gets in
between; the file is read off the event loop. A file shared in the channel has its report
recorded in the outbox with the last batch: a report Slack refuses comes later, never lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.domain import backlog_csv, priority
from bot.domain.backlog import (
    FieldRefused,
    FormEdits,
    ItemFields,
    Move,
    OutOfOrder,
    Page,
    form_edits,
    link_dependencies,
    out_of_order,
    require_estimate,
)
from bot.domain.backlog_csv import EXCEL_UTF8, ImportReport, ParsedCsv, Unlinked
from bot.domain.backlog_health import Health, backlog_health, reordered_since, stale_items
from bot.domain.calendar import local_today
from bot.domain.capacity import VELOCITY_SPRINTS
from bot.domain.errors import NotAllowed, UserError
from bot.domain.readiness import DefinitionOfReady, gaps
from bot.domain.sprints import require_started, velocity_of
from bot.domain.teams import Roles
from bot.domain.tracker_sync import (
    closed_there,
    refuse_restoring_retyped,
    refuse_tracker_owned,
    retyped_as,
    tracker_name,
)
from bot.domain.tracker_writes import closes_on_archive, for_new_issue
from bot.runtime import outbox
from bot.runtime.services import Services
from bot.usecases import news, sprints, tracker
from bot.usecases import poker as poker_uc
from bot.usecases.files import SharedFile
from bot.usecases.refinement_budget import as_data, committed, sprint_budget
from bot.usecases.sprints import Names
from bot.usecases.team import InChannel, member_work, require_member
from bot.usecases.unit import Actor, Work, team_work
from storage.models import BacklogItem, ItemEvent, Team, TrackerLink
from storage.repositories import Store

SET_PRIORITIES = "set priorities"  # what a MoSCoW priority takes: the Product Owner

Presence = Callable[[str, str], Awaitable[bool | None]]
"""`present(channel, user)`: whether the user is a member of the channel, as Slack says; None
when Slack will not list it (`presence` in handlers/common.py makes one)."""

IMPORT_BATCH = 200
"""Rows added per transaction of an import: small enough that another team's request waits
for one batch at most, not for the whole file."""


@dataclass(frozen=True)
class FileImported:
    """A shared file's import, as news for the file's thread (worded by the app)."""

    report: ImportReport
    source: str


LastBatch = Callable[[Work, ImportReport], Awaitable[None]]
"""What an import's last batch does too, in its transaction, with the whole report."""


@dataclass
class ItemShown:
    """An item as its message shows it."""

    item: BacklogItem
    position: int | None
    history: Sequence[ItemEvent]
    dor: DefinitionOfReady
    did: str | None = None
    """What the change it is shown after did, for its message to say in a line: "archived"
    ("closing": its issue closed as won't do too), "done", "restored", "reopened" (its
    issue reopened too), "created" (restored, its issue gone: created in the tracker
    again) or "moved" (restored unlinked: its issue moved off the board); None when it is
    only shown."""
    finished: sprints.InSprint | None = None
    """Done: the running sprint it was finished in, with the tasks done with it."""


@dataclass
class ItemAdded:
    item: BacklogItem
    position: int | None


@dataclass
class Moved:
    number: int
    old: int
    new: int
    against: OutOfOrder = field(default_factory=OutOfOrder)
    """Links the new place contradicts, for the PO to see."""


@dataclass
class PageShown:
    page: Page
    dor: DefinitionOfReady
    scheme: str | None = None
    """The team's prioritisation scheme (bot.domain.priority), whose scores the list shows."""


@dataclass
class ItemForm:
    item: BacklogItem
    dor: DefinitionOfReady
    scheme: str | None = None
    """The team's prioritisation scheme: the form asks for its inputs."""
    sets_priority: bool = True
    """Whether the actor may set the MoSCoW priority (the Product Owner): the form asks them."""


@dataclass
class Saved:
    item: BacklogItem
    changed: list[str]
    gaps: list[str]
    replaced: dict[str, Any] = field(default_factory=dict)
    """The fields this save changed that someone else had changed while its form was open,
    with the value they had set (bot.domain.backlog.FormEdits.replaced)."""
    owner_outside: str | None = None
    """The owner this save set, when Slack says they are not in the team's channel."""


@dataclass
class HealthShown:
    health: Health
    team_id: int
    budget: dict[str, Any] | None = None
    """The budget of the sprint refinements count in now (refinement_budget.sprint_budget)."""


@dataclass
class StaleArchived:
    numbers: list[int]
    health: HealthShown


@dataclass
class Exported:
    content: str
    count: int


# -- looking ------------------------------------------------------------------------------------


async def list_page(svc: Services, actor: Actor, number: int) -> PageShown:
    """Page `number` of the backlog (`/backlog 3`, a list's paging button); past the last
    page, the last one, which says the backlog has no page `number` (Page.asked)."""
    async with team_work(svc, actor) as work:
        page = await work.store.backlog_page(work.team, number)
        return PageShown(page, DefinitionOfReady.of(work.team), work.team.priority_scheme)


async def show_item(svc: Services, actor: Actor, number: int) -> ItemShown:
    async with team_work(svc, actor) as work:
        return await _shown(work, number)


async def item_form(svc: Services, actor: Actor, number: int) -> ItemForm:
    """The item and the team's Definition of Ready, for the item's form."""
    async with team_work(svc, actor) as work:
        item = await work.store.get_item(work.team, number)
        sets = Roles.of(work.team).has(work.user, "po")
        return ItemForm(item, DefinitionOfReady.of(work.team), work.team.priority_scheme, sets)


async def import_form(svc: Services, actor: Actor) -> int:
    """The id of the actor's team, which the import form names."""
    async with team_work(svc, actor) as work:
        return work.team.id


async def health(svc: Services, actor: Actor) -> HealthShown:
    async with team_work(svc, actor) as work:
        return await _health(work)


async def export_backlog(
    svc: Services, actor: Actor, fmt: str, channel_name: str, names: Names
) -> Exported:
    """The active backlog as CSV or Markdown (posted as a file, hence once), naming owners by
    their names (a file leaves Slack)."""
    async with team_work(svc, actor, once=True) as work:
        items = list(await work.store.all_items(work.team.id, include_closed=False))
    known = await names({item.owner for item in items if item.owner})
    if fmt == "csv":
        content = EXCEL_UTF8 + await asyncio.to_thread(backlog_csv.to_csv, items, known)
    else:
        content = await asyncio.to_thread(backlog_csv.to_markdown, items, channel_name, known)
    return Exported(content, len(items))


# -- changing -----------------------------------------------------------------------------------


async def add_item(svc: Services, actor: Actor, title: str, in_channel: InChannel) -> ItemAdded:
    """Any member adds an item at the bottom of the backlog."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        item = await work.store.add_item(work.team, ItemFields(title=title), work.user, work.now)
        await tracker.after_add(work.store, work.team, item, work.now)
        return ItemAdded(item, await work.store.position_of(work.team, item.number))


@dataclass(frozen=True)
class ItemFormSent:
    """The item form as submitted: its item, its fields, the digests of what it showed
    (`shown`), and the team it was opened for."""

    number: int
    fields: dict[str, Any]
    shown: dict[str, str]
    team_id: int


async def save_item(
    svc: Services, actor: Actor, sent: ItemFormSent, in_channel: InChannel, present: Presence
) -> Saved:
    """The item form saved, if it was opened for the actor's team. Only the fields the
    submitter changed change (bot.domain.backlog.form_edits). A dependency on `#n` becomes a
    link to item n (one the backlog does not have, or a cycle of links, is refused, and
    nothing is saved). A MoSCoW priority is the Product Owner's to change; scoring inputs
    join the item's others. An owner set who is not in the team's channel is saved (no Slack
    call comes before the form's ack, so the form cannot refuse them under its field), and
    Slack is asked after the save (`present`): `owner_outside` names them, for the submitter
    to hear; nobody, when Slack will not say who is in the channel."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        item, form, edits = await _form_edits(work, sent)
        if priority.changes_priority(item, edits):
            await work.require(("po",), SET_PRIORITIES)
        number = sent.number
        changes = await work.store.edit_item(work.team, number, edits, work.user, work.now)
        await tracker.after_edit(work.store, work.team, number, work.now)
        item = await work.store.get_item(work.team, number)
        missing = gaps(item, DefinitionOfReady.of(work.team))
        saved = Saved(item, list(changes), missing, form.replaced)
    owner = item.owner if "owner" in saved.changed else None
    if owner and await present(actor.channel, owner) is False:
        saved.owner_outside = owner
    return saved


async def field_refused(svc: Services, actor: Actor, sent: ItemFormSent) -> FieldRefused | None:
    """Before the item form's ack (the database read, no Slack call): what the backlog refuses
    for one of its fields (a dependency on an item it does not have, a cycle of dependencies,
    an estimate off its Linear team's scale, a MoSCoW priority set by anyone but the Product
    Owner), to show under it while the form stays open with what was typed. `save_item`
    decides it all again after the ack, and answers privately what it refuses as a whole
    (another team's form, a missing item)."""
    try:
        async with team_work(svc, actor, urgent=True) as work:
            item, _, edits = await _form_edits(work, sent)
            if priority.changes_priority(item, edits):
                try:
                    await work.require(("po",), SET_PRIORITIES)
                except NotAllowed as refused:
                    raise FieldRefused("priority", refused.message) from None
    except FieldRefused as refused:
        return refused
    except UserError:
        pass
    return None


async def _form_edits(work: Work, sent: ItemFormSent) -> tuple[BacklogItem, FormEdits, dict]:
    """The item, what its form changes (only what its submitter changed), and the edits to
    write: scores joined to the item's, dependencies linked (a missing item or a cycle
    refused), an estimate on its issue's scale (one off it refused)."""
    _require_same_team(work, sent.team_id, "form")
    item = await work.store.get_item(work.team, sent.number)
    dor = DefinitionOfReady.of(work.team)
    form = form_edits(item, sent.fields, sent.shown, dor, work.team.priority_scheme)
    edits = priority.with_scores(item, form.edits)
    link = await work.store.link_of_item(item.id)
    refuse_tracker_owned(edits, link)
    if "estimate" in edits:
        require_estimate(await work.store.estimate_scale(item), item, edits["estimate"])
    if "dependencies" in edits:
        done, links, archived = await work.store.link_map(work.team.id)
        linked = link_dependencies(
            sent.number,
            edits["dependencies"],
            done,
            links,
            kept=item.dependencies,
            tracker=_links_owner(link),
            archived=archived,
        )
        edits = {**edits, "dependencies": linked}
    return item, form, edits


def _links_owner(link: TrackerLink | None) -> str | None:
    """The name of the tracker whose links give the item's tracker dependencies, while its
    issue is linked (None: an item only Timebox has, its issue not made yet, or unlinked by a
    disconnect: those dependencies are Timebox's then)."""
    if link is None or link.connection_id is None or not link.key:
        return None
    return tracker_name(str((link.remote or {}).get("tracker") or "jira"))


async def move_item(
    svc: Services, actor: Actor, number: int, move: Move, in_channel: InChannel
) -> Moved:
    """The Product Owner orders the backlog."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        await work.store.get_item(work.team, number)  # what it names, before who may
        await work.require(("po",), "order the product backlog")
        old, new = await _move(work.store, work.team, number, move, work.user, work.now)
        if old == new:
            return Moved(number, old, new)
        order = await work.store.active_links(work.team.id)
        return Moved(number, old, new, out_of_order(order, number))


async def move_to_top(svc: Services, actor: Actor, number: int, in_channel: InChannel) -> ItemShown:
    """The item's "Move to top" button: the item as it is now."""
    return await _po_change(svc, actor, number, in_channel, "order the product backlog", _to_top)


async def _to_top(store: Store, team: Team, number: int, user: str, now: datetime) -> None:
    await _move(store, team, number, Move("top"), user, now)


async def _move(
    store: Store, team: Team, number: int, move: Move, user: str, now: datetime
) -> tuple[int, int]:
    """Moves the item and re-ranks its issue in the tracker; a move to where it already stands
    changes nothing, there as here (no history line, no write). (old, new) positions."""
    old, new = await store.move_item(team, number, move, user, now)
    if old != new:
        await tracker.after_reorder(store, team, number, now)
    return old, new


async def archive_item(
    svc: Services, actor: Actor, number: int, in_channel: InChannel
) -> ItemShown:
    """Off the backlog; an item a sprint holds is refused, saying how the sprint lets it go."""
    return await _po_change(svc, actor, number, in_channel, "archive backlog items", _archive)


async def _archive(store: Store, team: Team, number: int, user: str, now: datetime) -> str:
    """Off the backlog here and, for a linked item, closed as won't do in the tracker:
    "closing" when it will be (``closes_on_archive``), else "archived"."""
    link = await store.link_of_item((await store.get_item(team, number)).id)
    item = await store.archive_item(team, number, user, now)
    await tracker.after_archive(store, team, item, now)
    await poker_uc.backlog_changed(store, team.id, [number], now)  # its polls shown again
    return "closing" if closes_on_archive(item, link) else "archived"


async def restore_item(
    svc: Services, actor: Actor, number: int, in_channel: InChannel
) -> ItemShown:
    return await _po_change(svc, actor, number, in_channel, "restore backlog items", _restore)


async def _restore(store: Store, team: Team, number: int, user: str, now: datetime) -> str:
    """Back on the backlog, at the bottom: its issue is ranked last on the board too; if
    closed in the tracker (the item done, archived, or closed there as won't do), it is
    reopened (done's inverse), so it is on the tracker's backlog too: for an archived one
    even while its close is on its way (the reopen looks at the issue first); its issue gone
    from the tracker, it is created there again (``_created_again``); its issue turned into an
    epic or a sub-task there (still there, under its key), the restore is refused in a
    connected channel, saying how to bring it back (``refuse_restoring_retyped``).
    An item done in the running sprint is that sprint's work again, as a reopen in the
    tracker makes it; one archived too (before `/backlog remove` refused that) is taken off
    the archive in the same go."""
    before = await store.get_item(team, number)
    if before.status == "done" and await sprints.held_in_running(store, team, before):
        await sprints.unfinish_item(store, team, number, user, now)  # sprint work again
        if before.archived_at is not None:
            await store.restore_item(team, number, user, now)  # stays in its sprint
        await tracker.after_reopen(store, team, before, now)
        return "reopened"
    link = await store.link_of_item(before.id)
    if retyped_as(link) is not None and await store.connection(team.id) is not None:
        refuse_restoring_retyped(link, number, archived=before.archived_at is not None)
    archived_linked = before.archived_at is not None and link is not None and bool(link.key)
    closed = before.status == "done" or closed_there(link) or archived_linked
    item = await store.restore_item(team, number, user, now)
    await poker_uc.backlog_changed(store, team.id, [number], now)  # its polls shown again
    if await _created_again(store, team, item, link, now):
        return "created"
    if link is not None and link.connection_id is None and (link.remote or {}).get("moved_to"):
        return "moved"  # its issue is another board's now: the item comes back unlinked
    await tracker.after_reorder(store, team, item, now)  # at the bottom there too
    if not closed:
        return "restored"
    await tracker.after_reopen(store, team, item, now)
    return "reopened"


async def _created_again(
    store: Store, team: Team, item: BacklogItem, link: TrackerLink | None, now: datetime
) -> bool:
    """An item whose issue is gone (deleted in the tracker, or moved off its board: the sync
    ended its link, ``tracker_writes.unlink``; one turned into an epic or a sub-task, still
    there, is refused before: ``_restore``), restored in a channel connected to a tracker:
    created there as `/backlog add` creates one, so both backlogs hold it again; the old key,
    in the item's history, is let go. True if it will be. A link a disconnect left (its
    issue not gone) is not: connecting again to its board relinks it; nor anything without
    a connection."""
    gone = link is not None and link.connection_id is None and (link.remote or {}).get("gone")
    connection = await store.connection(team.id) if gone else None
    if link is None or connection is None:
        return False
    for_new_issue(link, connection.id, connection.kind)
    await tracker.enqueue(store, connection, link, "create", f"i{item.id}", now)
    return True


async def _po_change(
    svc: Services,
    actor: Actor,
    number: int,
    in_channel: InChannel,
    doing: str,
    change: Callable[[Store, Team, int, str, datetime], Awaitable[str | None]],
) -> ItemShown:
    """A Product Owner's change to one item from its message: the item it names is looked up
    before who may, so another team's number is refused as unknown; then the item as it is,
    with what the change did (what `change` returns: ItemShown.did)."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        await work.store.get_item(work.team, number)
        await work.require(("po",), doing)
        did = await change(work.store, work.team, number, work.user, work.now)
        return await _shown(work, number, did)


async def mark_done(svc: Services, actor: Actor, number: int, in_channel: InChannel) -> ItemShown:
    """Any member marks an item done. One of the running sprint is finished as `/sprint done`
    finishes it (its tasks done, its points completed in the sprint): marked done only on the
    backlog, the sprint's close would hand it back as unfinished. Not before that sprint has
    started (committed ahead of its slot): its burndown counts only work done in it."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        item = await work.store.get_item(work.team, number)
        sprint = await work.store.sprint_holding(item)
        finished = None
        if sprint is not None and sprint.status == "active":
            require_started(sprint, local_today(work.team, work.now))
            finished = await sprints.finish_item(work.store, work.team, number, work.user, work.now)
        else:
            item = await work.store.mark_done(work.team, number, work.user, work.now)
            await tracker.after_done(work.store, work.team, item, work.now)
            await poker_uc.backlog_changed(work.store, work.team.id, [number], work.now)
        return replace(await _shown(work, number, "done"), finished=finished)


async def archive_stale(
    svc: Services, actor: Actor, button_team: int, shown_at: datetime, in_channel: InChannel
) -> StaleArchived:
    """The health check's button: archives the items it showed as stale (at `shown_at`) that
    still are (restore brings one back): not one touched since, nor one gone stale since."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        _require_same_team(work, button_team, "button")
        await work.require(("po",), "archive backlog items")
        as_of = min(shown_at, work.now)
        numbers = await archive_stale_items(work.store, work.team, work.user, as_of, work.now)
        return StaleArchived(numbers, await _health(work))


async def import_csv(
    svc: Services,
    actor: Actor,
    text: str,
    in_channel: InChannel,
    *,
    form_team: int | None = None,
) -> ImportReport:
    """Adds one item per valid row of a backlog CSV, in file order, at the bottom.

    Someone outside the team is refused before the file is read. The file is read in a worker
    thread; its rows are added IMPORT_BATCH at a time, one transaction each. The first batch
    records the request, so a copy of it imports nothing; `form_team` (the import form's team)
    is checked there too. A file that is not a backlog at all is refused whole (UserError)."""
    await require_member(svc, actor, in_channel)
    parsed = await asyncio.to_thread(backlog_csv.parse_csv, text)
    return await _import_batches(svc, actor, parsed, form_team)


async def import_file(
    svc: Services, actor: Actor, data: bytes, in_channel: InChannel, shared: SharedFile
) -> list[outbox.Post] | None:
    """A CSV file shared in the channel, as `import_csv`: read (decoded too) in a worker thread;
    None for someone's spreadsheet, not a backlog (left alone); NotABacklog, saying what to do,
    for a file meant for the backlog that cannot be taken. Its report is recorded in the
    outbox with the last batch, for the file's thread: the posts to send at once
    (handlers/outbox.send_all)."""
    parsed = await asyncio.to_thread(backlog_csv.read_shared, data)
    if parsed is None:
        return None
    await require_member(svc, actor, in_channel)
    posts: list[outbox.Post] = []

    async def tell(work: Work, report: ImportReport) -> None:
        told = FileImported(report, shared.name)
        key, where = shared.key(actor), shared.thread_ts
        posts.extend(
            await news.record_for_channel(work.store, work.team, key, work.now, told, where)
        )

    await _import_batches(svc, actor, parsed, None, tell)
    return posts


async def _import_batches(
    svc: Services,
    actor: Actor,
    parsed: ParsedCsv,
    form_team: int | None,
    last_batch: LastBatch | None = None,
) -> ImportReport:
    """The rows added IMPORT_BATCH at a time, one transaction each, but for those whose title
    an open item has when their batch is added. A Jira export's links between the issues
    added are made with the last batch, in its transaction: never rows without their links;
    `last_batch` is done there too, with the whole report."""
    report = ImportReport(refused=list(parsed.refused), skipped=dict(parsed.skipped))
    rows = parsed.rows
    batches = [rows[i : i + IMPORT_BATCH] for i in range(0, len(rows), IMPORT_BATCH)] or [[]]
    for index, batch in enumerate(batches):
        async with team_work(svc, actor, once=index == 0) as work:
            if form_team is not None:
                _require_same_team(work, form_team, "form")
            taken = await open_titles(work.store, work.team)  # as they are now: another
            # import may have run between two batches (about 20 ms for 5,000 items)
            added = await import_rows(
                work.store, work.team, batch, work.user, work.now, taken, parsed.keys
            )
            report.imported += added.imported
            report.refused += added.refused
            report.added |= added.added
            if index < len(batches) - 1:
                continue
            if parsed.keys:
                links = report.added
                report.unlinked = await link_imported(
                    work.store, work.team, parsed, links, work.now
                )
            report.refused.sort()
            if last_batch is not None:
                await last_batch(work, report)
    return report


# -- steps inside a unit of work (other features' use cases and tests call them too) -----------


async def import_rows(
    store: Store,
    team: Team,
    rows: Sequence[tuple[int, ItemFields]],
    actor: str,
    now: datetime,
    taken: Mapping[str, str],
    keys: Mapping[int, str] | None = None,
) -> ImportReport:
    """Adds parsed rows (spreadsheet row, fields) at the bottom, but for a row whose title is
    `taken` by an open item (`open_titles`): refused, naming the item, so sharing a file
    again adds nothing twice. In a channel connected to a tracker, the rows added are created
    there too, as `/backlog add` creates an item (``tracker.after_add_many``), but for a row
    whose issue key (`keys`: the file's "Issue key" of each row) names an issue of the
    connected board: that issue is an item already (its own link), so the row is refused,
    naming it, rather than made twice."""
    keyed = {line: key for line, _ in rows if (key := (keys or {}).get(line))}
    board = await tracker.on_board(store, team, list(keyed.values()))
    known = {line for line, key in keyed.items() if key in board.items}
    fresh, refused = backlog_csv.refuse_taken([r for r in rows if r[0] not in known], taken)
    refused += [
        (
            line,
            f"its issue {keyed[line]} is on the connected {board.tracker} board already, "
            f"as #{board.items[keyed[line]]}; not made twice",
        )
        for line in sorted(known)
    ]
    added = await store.add_items(team, [f for _, f in fresh], actor, now, action="imported")
    await tracker.after_add_many(store, team, added, now)
    lines = {line: item.number for (line, _), item in zip(fresh, added, strict=True)}
    return ImportReport(imported=[item.number for item in added], refused=refused, added=lines)


async def link_imported(
    store: Store, team: Team, parsed: ParsedCsv, added: Mapping[int, int], now: datetime
) -> list[Unlinked]:
    """The links between issues of a Jira export that an import added (`added`: spreadsheet
    row to item number) become dependencies between their items (`link_imports`), set as
    part of their import (no one's edit in their history); the links it could not make."""
    links = backlog_csv.link_imports(parsed, added)
    await store.link_imported(team, links.dependencies, now)
    return links.unlinked


async def open_titles(store: Store, team: Team) -> dict[str, str]:
    """The titles of the team's open items, each with why an imported row is refused."""
    return backlog_csv.open_titles(await store.open_item_titles(team.id))


async def import_parsed(
    store: Store, team: Team, parsed: ParsedCsv, actor: str, now: datetime
) -> ImportReport:
    """A whole parsed file in one transaction (small imports, tests)."""
    taken = await open_titles(store, team)
    report = await import_rows(store, team, parsed.rows, actor, now, taken, parsed.keys)
    unlinked = await link_imported(store, team, parsed, report.added, now)
    refused = sorted([*parsed.refused, *report.refused])
    return ImportReport(report.imported, refused, dict(parsed.skipped), unlinked=unlinked)


async def archive_stale_items(
    store: Store, team: Team, actor: str, as_of: datetime, now: datetime
) -> list[int]:
    """Archives every item stale `as_of` then (recoverable with restore) but one chosen for
    the sprint being planned (the plan leaves it with `/planning drop`); their numbers."""
    items = await store.all_items(team.id, include_closed=False)
    planned = await store.planned_item_ids(team.id)
    numbers = [item.number for item in stale_items(items, team, as_of, planned)]
    for number in numbers:
        await _archive(store, team, number, actor, now)
    return numbers


async def _shown(work: Work, number: int, did: str | None = None) -> ItemShown:
    item = await work.store.get_item(work.team, number)
    position = await work.store.position_of(work.team, number)
    history = await work.store.history(item)
    return ItemShown(item, position, history, DefinitionOfReady.of(work.team), did)


async def _health(work: Work) -> HealthShown:
    store, team = work.store, work.team
    items = await store.all_items(team.id, include_closed=False)
    reordered = None
    for refinement in await store.past_meetings(team.id, "refinement", limit=1):
        moves = await store.item_events_between(team.id, refinement.started_at, work.now)
        reordered = reordered_since([event for event, _ in moves])
    velocity = velocity_of(await store.closed_sprints(team.id, VELOCITY_SPRINTS))
    sprint = await committed(store, team, work.now)
    sprint_items = await store.sprint_items(sprint) if sprint is not None else []
    health = backlog_health(
        items,
        team,
        work.now,
        reordered=reordered,
        velocity=velocity,
        sprint=sprint,
        sprint_items=sprint_items,
        planned=await store.planned_item_ids(team.id),
    )
    budget = as_data(await sprint_budget(store, team, work.now))
    return HealthShown(health, team.id, budget)


def _require_same_team(work: Work, team_id: int, what: str) -> None:
    """A form or button names the team it was shown for; any other team is refused."""
    if team_id != work.team.id:
        raise UserError(
            f"That {what} belongs to another channel's team, so I changed nothing. "
            "Use `/backlog` in this channel for its own backlog."
        )


# -- prioritisation (issue 18, point 4) ---------------------------------------------------------


@dataclass
class PriorityShown:
    """The order the team's scores suggest, beside the real one."""

    suggestion: priority.Suggestion
    items: dict[int, BacklogItem]
    team_id: int
    moved: list[priority.Reordered] = field(default_factory=list)
    """What applying the suggestion just moved (empty when only shown)."""


async def suggest_order(svc: Services, actor: Actor) -> PriorityShown:
    """`/backlog priority`: anyone may look."""
    async with team_work(svc, actor) as work:
        return await _suggested(work)


async def apply_order(
    svc: Services, actor: Actor, button_team: int, shown: str, in_channel: InChannel
) -> PriorityShown:
    """The suggestion's "Apply this order" button: the Product Owner makes it the real order,
    each move logged, provided it is still the order the button was shown with (`shown`)."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        _require_same_team(work, button_team, "button")
        await work.require(("po",), "order the product backlog")
        before = await _suggested(work)
        priority.require_unchanged(before.suggestion, shown)
        items = list(before.items.values())  # in the real order
        moved = priority.reorder(items, before.suggestion.suggested, work.now)
        for move in moved:
            item = before.items[move.number]
            work.store.log(item, work.user, "moved", work.now, position=[move.old, move.new])
            await tracker.after_reorder(work.store, work.team, item, work.now)
        after = await _suggested(work)
        after.moved = moved
        return after


async def _suggested(work: Work) -> PriorityShown:
    scheme = priority.require_scheme(work.team.priority_scheme)
    items = list(await work.store.all_items(work.team.id, include_closed=False))
    suggestion = priority.suggest(items, scheme)
    return PriorityShown(suggestion, {item.number: item for item in items}, work.team.id)
