"""The rules of the two-way sync between a channel's backlog and a tracker board (Jira, a
GitHub project or repository, a Linear team).

Plain rules, no I/O: how a tracker issue maps onto a backlog item, which fields the tracker
owns and which stay Timebox's, how a change from each side is merged (both changed: the later
change wins, and the item's history says which side and when; the fields' three-way merge is
bot.domain.tracker_field_merge, which ``apply_merge`` calls), what a write back sends, where
a reordered item goes in the tracker's rank, and how long a failed write waits. Every text a
channel reads names the connection's tracker (``tracker_name``), and the item history names
it as who made the sync's changes (``actor``). What a webhook's body hints at is
bot.domain.tracker_webhooks.

Fields the tracker owns (it is their source of truth): summary (the title), acceptance criteria,
estimate, issue type, epic, labels, "blocks" links (as dependencies), and the status category
(done or not); the description, status name and assignee are kept with the link and shown. Each
is merged against what both sides last agreed on (the link's ``base``): a value only Timebox
changed is its write on the way, which the tracker's unchanged value never undoes; so is a done
or a restore of Timebox's whose write has not landed yet. Timebox's own, which every sync leaves
alone: the value hypothesis (no tracker has a field for it), the Definition-of-Ready answers
(the checklist), poker history, readiness and snoozes, the owner, priority, and dependencies
typed in Slack. One exception: while nobody has written a hypothesis in Timebox, an item takes
the one its issue's description states (``readiness.hypothesis_in``), so an imported item is not
judged "no value hypothesis" when the tracker says it.

The status: done in the tracker is done here, reopened there is open here (``status_news``);
for an item of the running sprint the use case does it through the sprint, as a person would
(finished as `/sprint done` does, so its points count at the close; unfinished again). Closed
there as not planned (won't do: ``TrackerIssue.not_planned``) nothing was delivered: the item
is archived, not done, with a history line (``drop``), after leaving a running sprint as a
scope change; reopened there, it is back on the backlog.

The order: the tracker's board order wins for the items it holds (tracker_order.py moves the
fewest items: those outside the longest run already in order), except an item whose move in
Timebox is not in the tracker yet. A rank write anchors on a neighbour already in its place
on the board as it is when the write runs (tracker_order.RankWish), so quick successive moves,
and moves made there meanwhile, land in Timebox's order. An issue deleted, moved off the
board, or turned into an epic or a sub-task there (``retyped``: no backlog row), is unlinked
from its item with a history line (``gone_note``); the item is archived if it was on the
backlog. An issue planned in a sprint (Timebox's commitment put it there, or the tracker) has
not left the board.

The verdicts on an incoming issue (``classify``, ``probe_verdict``) and what they do to an item
and its link (``apply_merge``, ``relink``, ``unlink``), what a write sends (``item_write``;
a sprint's, bot.domain.tracker_sprints) are rules too: the use cases
(bot.usecases.tracker_pull and tracker_push) load, ask, and store.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Protocol

from bot.domain.backlog import EPIC_MAX, ESTIMATE_MAX, TITLE_MAX, FieldRefused
from bot.domain.errors import UserError
from bot.domain.readiness import (
    DefinitionOfReady,
    hypothesis_in,
    is_ready,
    readiness_change,
)
from bot.domain.sprints import started
from bot.domain.tracker_field_merge import FIELD_WORDS, Line, Merge, MergeApplied, merge
from bot.domain.trackers import StatusCategory, TrackerIssue
from storage.models import BacklogItem, Sprint, TrackerLink

TRACKER_NAMES = {"jira": "Jira", "github": "GitHub", "linear": "Linear"}
"""Each tracker kind, as people call it."""
JIRA = "jira"
"""The actor of item events that come from a Jira connection's sync (and, before each tracker
had its own, from every tracker's). A Slack user id never looks like a tracker kind."""

READ_ONLY = ("type", "epic", "labels")
"""The tracker-owned fields Timebox does not write: the item form refuses a change to them on a
linked item (``refuse_tracker_owned``), else both sides would differ for good."""
PLURAL_FIELDS = frozenset({"acceptance_criteria", "labels", "blocked_by"})
"""The fields whose words (``FIELD_WORDS``) are plural: "the labels come from"."""
TYPES = {
    "story": "story",
    "user story": "story",
    "bug": "bug",
    "defect": "bug",
    "spike": "spike",
    "enabler": "enabler",
    "tech debt": "tech_debt",
    "technical debt": "tech_debt",
    "tech_debt": "tech_debt",
}
NOT_BACKLOG_TYPES = {"epic", "subtask", "sub-task", "sub task"}
RETYPED_AS = {"epic": "an epic", "subtask": "a sub-task"}
"""What an issue became that made it no backlog row (``retyped``), as a sentence says it."""
OPEN_CATEGORIES = frozenset({StatusCategory.TODO, StatusCategory.IN_PROGRESS})
BACKLOG_CATEGORIES = {"linear": frozenset({StatusCategory.TODO})}
"""The status categories each tracker's backlog holds: Linear's is its Backlog and Todo states
(a started issue is not on it); a Jira board's backlog, a GitHub project's or repository's
hold every issue not done (``OPEN_CATEGORIES``)."""

SYNC_EVERY = timedelta(minutes=5)
RECONCILE_EVERY = timedelta(hours=1)  # the board's order and deletions, without webhooks
PROBES = 50  # issues asked for one by one per reconcile (deleted? moved?); the rest next time
# The board's unlinked issues a look after a shifted import asks for per run when the tracker
# reads many in a call (trackers.ReadsIssues; Jira: 100 a search, so 5 calls); the rest a
# minute later. A few hundred sprint issues, epics and sub-tasks of a 5,000-issue board are
# one run; a board with thousands is spread out at 5 calls a minute.
BATCH_PROBES = 500
IMPORT_BATCH = 100  # issues per page, per transaction, per due-work row
WATERMARK_MARGIN = timedelta(minutes=5)  # clocks of Timebox and the tracker disagree a little
FIRST_RETRY = 10.0  # seconds
MAX_RETRY = 15 * 60.0  # a failing write is tried again at least every 15 minutes
REFUSED_RETRY = 60 * 60.0  # a refused write (fix it in the tracker, or reconnect): hourly


# -- which tracker ----------------------------------------------------------------------------


def tracker_name(kind: str) -> str:
    """How people call a tracker of `kind` ("GitHub"), in every text a channel reads."""
    return TRACKER_NAMES.get(kind, kind.capitalize())


def home_word(kind: str) -> str:
    """What holds an issue and names its key, which a move to another one changes: a Linear
    team (ENG-1 becomes OPS-1), a GitHub repository (a transfer), else a project ("moved to
    another project")."""
    return {"linear": "team", "github": "repository"}.get(kind, "project")


def actor(kind: str) -> str:
    """Who the item history names for a change a connection's sync made: its tracker's kind
    (the history shows it as ``tracker_name``)."""
    return kind if kind in TRACKER_NAMES else JIRA


def is_tracker(actor: str) -> bool:
    """The event was the sync's (of any tracker), not a person's."""
    return actor in TRACKER_NAMES


# -- the tracker's fields in Timebox's terms ---------------------------------------------------


def item_type(issue_type: str) -> str:
    """Timebox's item type for the issue type of a backlog row (``is_backlog_issue``; a Task
    is a story here). An epic or a sub-task is no item at all (``retyped``)."""
    return TYPES.get(issue_type.strip().lower(), "story")


EPIC, SUBTASK = "epic", "subtask"
"""Why an issue is no backlog row (``retyped``), as the history of an item whose issue
became one says it (tracker_writes.GONE_WORDS)."""


def retyped(issue: TrackerIssue) -> str | None:
    """``EPIC`` or ``SUBTASK`` for an issue that is no backlog row (the board's backlog leaves
    those out too; a Linear issue with sub-issues is their epic, as its client reads it), else
    None. A linked issue turned into one in the tracker leaves the backlog as an issue gone
    off the board does (tracker_writes.unlink), with this as the reason."""
    kind = issue.issue_type.strip().lower()
    if kind not in NOT_BACKLOG_TYPES:
        return None
    return EPIC if kind == EPIC else SUBTASK


def is_backlog_issue(issue: TrackerIssue) -> bool:
    """Epics and sub-tasks are not backlog rows (``retyped``)."""
    return retyped(issue) is None


UNDO_RETYPE = {
    (JIRA, EPIC): "change {key}'s type back to Story (or Task, or Bug) in Jira",
    (JIRA, SUBTASK): "convert {key} back into a story (or a task, or a bug) in Jira",
    ("github", EPIC): "take the epic label off {key} in GitHub",
    ("linear", EPIC): "move the sub-issues off {key} in Linear",
}
"""What turns an issue that became no backlog row (``retyped``) back into one, in its tracker."""


def retyped_as(link: TrackerLink | None) -> str | None:
    """``EPIC`` or ``SUBTASK``: what the issue of a link the sync ended because of it became
    (tracker_writes.unlink with ``retyped``'s reason; the issue is still there, under its
    key), else None (linked, its issue deleted, moved off the board, or never made)."""
    if link is None or link.connection_id is not None or not link.key:
        return None
    gone = (link.remote or {}).get("gone")
    return gone if gone in (EPIC, SUBTASK) else None


def refuse_restoring_retyped(link: TrackerLink | None, number: int, archived: bool) -> None:
    """A restore of item `number` whose issue became an epic or a sub-task (``retyped_as``),
    in a channel connected to a tracker, refused (UserError): it would create the item there
    again, beside the issue it was, the same work twice. Turned back into a backlog row there,
    the issue is linked to the item again at the next sync (``relink``), the item `archived`
    back on the backlog."""
    became = retyped_as(link)
    if link is None or became is None:
        return
    kind = str((link.remote or {}).get("tracker") or JIRA)
    where, key = tracker_name(kind), str(link.key)
    undo = UNDO_RETYPE.get((kind, became), "make {key} a story again in {where}")
    stays = "stays archived" if archived else "stays as it is"
    back = " and puts it back on the backlog" if archived else ""
    as_named = RETYPED_AS[became]
    raise UserError(
        f"#{number} {stays}: its issue {key} became {as_named} in {where}, "
        f"and {as_named} is no backlog row. Restoring #{number} would create a new issue in "
        f"{where} beside it, the same work twice, so I changed nothing. To bring #{number} "
        f"back, {undo.format(key=key, where=where)}: the next sync links #{number} to {key} "
        f"again{back}."
    )


def _estimate(value: float | None) -> float | None:
    if value is None or value < 0:
        return None
    return min(float(value), float(ESTIMATE_MAX))


def owned_values(issue: TrackerIssue) -> dict[str, Any]:
    """The tracker-owned fields of an issue, as Timebox keeps them (JSON-ready)."""
    title = " ".join(issue.summary.split())[:TITLE_MAX] or f"({issue.key} has no summary)"
    return {
        "title": title,
        "acceptance_criteria": [c for c in issue.acceptance_criteria if c.strip()],
        "estimate": _estimate(issue.estimate),
        "type": item_type(issue.issue_type),
        "epic": issue.epic[:EPIC_MAX] if issue.epic else None,
        "labels": list(dict.fromkeys(issue.labels)),
        "blocked_by": sorted(set(issue.blocked_by)),
    }


ESTIMATED_WITH = "estimate_field"  # in a link's facts: the field its estimate was read from
IN_TIME = frozenset({"timeoriginalestimate"})  # Jira's Original time estimate: seconds, no points


def facts(issue: TrackerIssue, kind: str = JIRA) -> dict[str, Any]:
    """What only the tracker has, kept with the link and shown with the item; with the
    hypothesis its description states, its rank token (to see it change), the tracker's
    kind (what the item's view names), whether it was closed as not planned, and the field
    its estimate was read from (Jira's, which an admin may switch)."""
    return {
        "tracker": kind,
        "description": issue.description,
        "status": issue.status,
        "status_category": issue.status_category.value,
        "issue_type": issue.issue_type,
        "assignee": issue.assignee.name if issue.assignee else None,
        "epic": issue.epic,
        "hypothesis": hypothesis_in(issue.description),
        "rank": issue.rank,
        "not_planned": issue.not_planned,
        "sprint_id": issue.sprint_id,
        **({ESTIMATED_WITH: issue.estimate_field} if issue.estimate_field else {}),
    }


def estimate_moved(link: TrackerLink, issue: TrackerIssue) -> bool:
    """The issue's estimate was read from another field than its link's (no field kept: the
    same): Jira's estimation field was switched since. The issue is merged again though it
    did not change (``seen``), its estimate kept another way now (``merge``'s `moved`)."""
    field = issue.estimate_field
    moved = (link.remote or {}).get(ESTIMATED_WITH, field) != field
    return bool(field) and field not in IN_TIME and moved


def estimation_switched(kept: str | None, board: Mapping[str, Any]) -> bool:
    """The board's settings the connection keeps (Jira's, read again hourly) name another
    estimation field than the one its estimates were read from (`kept`): one of points, as
    an estimate in time is none (``IN_TIME``), so nothing to read again."""
    field = board.get("estimation_field") or None
    return "estimation_field" in board and field not in IN_TIME and field != (kept or None)


def estimated_with(remote: Mapping[str, Any] | None, field: str | None) -> dict[str, Any]:
    """A link's facts saying its estimate was read from `field`, unless they say already."""
    remote = dict(remote or {})
    return remote if ESTIMATED_WITH in remote else {**remote, ESTIMATED_WITH: field or ""}


def hypothesis_after(current: str, remote: Mapping[str, Any], issue: TrackerIssue) -> str | None:
    """The item's hypothesis after the issue changed, or None to leave it: it follows the one
    the description states while Timebox's is empty or still the one taken from the tracker; a
    hypothesis written in Timebox is never touched."""
    taken = str(remote.get("hypothesis") or "")
    found = hypothesis_in(issue.description)
    if current.strip() and current != taken:
        return None
    return found if found != current else None


def reranked(remote: Mapping[str, Any], issue: TrackerIssue) -> bool:
    """The issue was reordered in the tracker since it was last seen (its rank token
    changed). Unknown (no token, or none kept yet) is not a change."""
    before = str(remote.get("rank") or "")
    return bool(issue.rank and before and issue.rank != before)


class ItemLike(Protocol):
    """The item fields the rules read and write (a storage.models.BacklogItem)."""

    title: str
    acceptance_criteria: list[str]
    estimate: float | None
    type: str
    epic: str | None
    labels: list[str]
    dependencies: list[dict[str, Any]]
    status: str


def current_values(item: ItemLike) -> dict[str, Any]:
    """The item's side of the merged fields."""
    return {
        "title": item.title,
        "acceptance_criteria": list(item.acceptance_criteria),
        "estimate": item.estimate,
        "type": item.type,
        "epic": item.epic,
        "labels": list(item.labels),
        "blocked_by": sorted(
            {str(d["tracker"]) for d in item.dependencies if isinstance(d, dict) and "tracker" in d}
        ),
    }


def dependencies_with(
    dependencies: Sequence[dict[str, Any]], blocked_by: Iterable[str], done: Iterable[str] = ()
) -> list[dict[str, Any]]:
    """The item's dependencies with the tracker's "is blocked by" links in place of the ones
    the tracker gave before; dependencies typed in Slack stay as they are. A blocker that is
    done (in the tracker) counts as resolved."""
    finished = set(done)
    own = [d for d in dependencies if not (isinstance(d, dict) and "tracker" in d)]
    linked = [
        {"text": key, "resolved": key in finished, "tracker": key}
        for key in sorted(set(blocked_by))
    ]
    return own + linked


def gone_blockers(links: Iterable[TrackerLink], kind: str = JIRA) -> dict[str, str]:
    """The issues gone from the board (their links ended by ``tracker_writes.unlink``), by
    each key they went by (the old one, and the new one of an issue moved to another project
    or Linear team: ``home_word``), with why the dependencies their links gave are dropped,
    as the history says it. A tracker-owned dependency names its blocker by the issue's key,
    never by its item: the link lives in the tracker, and goes with the issue (an item
    restored here is created there as a new issue, which no link names)."""
    where, said = tracker_name(kind), dict[str, str]()
    for link in links:
        remote, key = link.remote or {}, str(link.key)
        moved_to = remote.get("moved_to")
        if moved_to:
            why = (
                f"{key} left the board in {where} (moved to another {home_word(kind)}: it is "
                f"{moved_to} now)"
            )
        elif remote.get("gone") == "deleted":
            why = f"{key} was deleted in {where} (or the {where} account can no longer see it)"
        elif remote.get("gone") in (EPIC, SUBTASK):
            why = f"{key} became {RETYPED_AS[remote['gone']]} in {where}, no backlog row"
        else:
            why = f"{key} left the board in {where} (moved, or out of the board's filter)"
        words = f"{why}, so its link no longer blocks: the dependency on it is dropped"
        said.update(dict.fromkeys([key, *([str(moved_to)] if moved_to else [])], words))
    return said


FINISHED, REOPENED, DROPPED = "finished", "reopened", "dropped"
"""What the tracker's status since both sides last agreed means for an item (``status_news``):
done there, open there again, or closed there as not planned (won't do)."""
STATUS_OF = {FINISHED: "done", REOPENED: "open"}
"""The item's status after the news, for an item no running sprint holds."""
DONE_EARLY = "done early"
"""Done in the tracker before the sprint holding the item began (``sprint_news``)."""


def sprint_news(news: str, sprint: Sprint, today: date) -> str:
    """The status news (``status_news``) for an item of the committed `sprint`, as the sprint
    carries it out. Done in the tracker before the sprint began (committed ahead of its slot:
    ``sprints.started``) is no work done in it, as `/sprint done` is refused then
    (``sprints.require_started``): ``DONE_EARLY``, the item leaves the sprint as a scope change
    (``done_early_reason``) and is done on the backlog, so the sprint's burndown and velocity
    count only work done while it runs. Any other news stands."""
    if news == FINISHED and not started(sprint, today):
        return DONE_EARLY
    return news


def done_early_reason(key: str, kind: str, number: int) -> str:
    """Why an item left a sprint not started yet when its issue was done in the tracker (the
    scope change's reason), naming the tracker."""
    return f"{key} was done in {tracker_name(kind)} before sprint {number} began"


def status_news(
    status: str,
    category: str,
    was: str | None,
    *,
    not_planned: bool = False,
    archived: bool = False,
) -> str | None:
    """What the tracker's status category means for an item of `status`, or None: nothing.

    `was`: the category both sides last agreed on (``agreed_status``; None: never). Closed in
    the tracker since: ``FINISHED``, or ``DROPPED`` when closed as `not_planned` (nothing was
    delivered). Open in the tracker since it was closed: ``REOPENED``, for an item done here,
    or one `archived` while its issue was closed (as won't do: there, or by Timebox's archive
    write). Closed there and
    closed when both last agreed: the item's status stands, open when Timebox restored it
    (its reopen is on the way to the tracker), as the merge keeps a field only Timebox
    changed. Anything else (to do, in progress) leaves Timebox's status alone: the sprint
    status is Timebox's."""
    done = StatusCategory.DONE.value
    if category == done:
        if status == "done" or was == done:
            return None
        return DROPPED if not_planned else FINISHED
    if was == done and (status == "done" or archived):
        return REOPENED
    return None


def issue_news(item: BacklogItem, link: TrackerLink, issue: TrackerIssue) -> str | None:
    """The linked issue's status news for its item (``status_news``), against the status both
    sides last agreed on: what the merge applies, or the running sprint carries out."""
    return status_news(
        item.status,
        issue.status_category.value,
        agreed_status(link),
        not_planned=issue.not_planned,
        archived=item.archived_at is not None,
    )


def status_after(status: str, category: str, was: str | None) -> str | None:
    """The item's new status for the tracker's status category (``status_news``: done, or
    open again), or None to leave it."""
    return STATUS_OF.get(status_news(status, category, was) or "")


STATUS = "status_category"
"""Where a link's ``base`` keeps the status category both sides last agreed on."""


def agreed_values(issue: TrackerIssue) -> dict[str, Any]:
    """What both sides agree on once an issue is taken in as it is (a new link's ``base``):
    its owned values and its status category."""
    return {**owned_values(issue), STATUS: issue.status_category.value}


def agreed_status(link: TrackerLink) -> str | None:
    """The status category both sides last agreed on: the link's ``base`` (each sync, and each
    done or reopen of Timebox's once written, keep it there); for a link from before it was
    kept, the category the sync last saw."""
    return (link.base or {}).get(STATUS, (link.remote or {}).get("status_category"))


def newly_learnt(kept: Mapping[str, Any], snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """What a client learnt of its board that its connection does not keep yet (a setting it
    reads since the connection was made, such as Jira's Sprint field): kept after the job, so
    the next one need not ask again. What the connection keeps already is left as it is, but
    by settings the client read again since (a later `read_at`: Jira's board settings before
    an estimate is written), which replace theirs: the next sync reads the field the board
    estimates with now, not the one it did when connected."""
    if str(snapshot.get("read_at") or "") > str(kept.get("read_at") or ""):
        return {name: value for name, value in snapshot.items() if kept.get(name) != value}
    return {name: value for name, value in snapshot.items() if name not in kept}


def closed_there(link: TrackerLink | None) -> bool:
    """Whether the item's issue is closed in the tracker as both sides last agreed (done, or
    won't do): restoring the item then reopens it, so it is back on the tracker's backlog."""
    return link is not None and agreed_status(link) == StatusCategory.DONE.value


def refuse_tracker_owned(edits: Mapping[str, Any], link: TrackerLink | None) -> None:
    """A change to fields the tracker owns and Timebox does not write (``READ_ONLY``) on an item
    linked to an issue, refused under the item form's first such field (FieldRefused) with
    every one of them named and where to make them: saved here, they would never reach the
    tracker, and the next change there would undo them. An item only Timebox has, or whose
    issue is not made yet (it is created with them), or unlinked by a disconnect, takes them."""
    if link is None or link.connection_id is None or not link.key:
        return
    refused = [name for name in READ_ONLY if name in edits]
    if not refused:
        return
    tracker = tracker_name(str((link.remote or {}).get("tracker") or JIRA))
    words = [FIELD_WORDS[name] for name in refused]
    named = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    many = len(refused) > 1 or refused[0] in PLURAL_FIELDS
    come, them = ("come", "them") if many else ("comes", "it")
    raise FieldRefused(
        refused[0],
        f"The {named} {come} from {tracker} ({link.key}): change {them} there, "
        f"and the next sync brings {them} here.",
    )


def written_status(effect: str) -> dict[str, str]:
    """What a "done", "archive" or "reopen" write makes both sides agree on once it lands
    (merged into the link's ``base``): the issue is closed (done, or won't do), or to do."""
    category = StatusCategory.TODO if effect == "reopen" else StatusCategory.DONE
    return {STATUS: category.value}


# -- merging an issue into its item -----------------------------------------------------------


def moved_board(link: TrackerLink, board_key: str | None) -> bool:
    """The link is matched again on a board other than the one it was on when its connection
    ended (its ``remote``'s ``board``, kept at the disconnect): a board of another kind or
    mode (a GitHub project, then the repository alone), which may keep a field another way.
    A link from before the board was kept is taken for this board's."""
    was = (link.remote or {}).get("board")
    return was is not None and was != board_key


def local_change_times(events: Iterable[Any], since: datetime | None) -> dict[str, datetime]:
    """When Timebox last changed each field, from the item's history (edits by people, not
    by the sync), after `since` (the last sync of the item)."""
    times: dict[str, datetime] = {}
    for event in events:
        if is_tracker(event.actor) or (since is not None and event.at <= since):
            continue
        if event.action not in ("edited", "estimated"):
            continue
        for name in event.changes or {}:
            if name not in times or event.at > times[name]:
                times[name] = event.at
    return times


def merge_since(link: TrackerLink, *, relinked: bool = False) -> datetime | None:
    """From when Timebox's edits count against the tracker's: the link's last sync, or
    ever while the two sides never agreed (no base yet) or were apart (a relink: Timebox's
    latest edit of a field is its change time, whether made before or after the disconnect)."""
    return link.synced_at if link.base and not relinked else None


def _merged_fields(
    item: BacklogItem,
    link: TrackerLink,
    issue: TrackerIssue,
    events: Iterable[Any],
    done: Collection[str],
    kind: str,
    *,
    relinked: bool = False,
    other_board: bool = False,
) -> tuple[Merge, dict[str, list[Any]]]:
    """The tracker-owned fields of `issue` merged into its item, in place (``merge``, the
    item's edits since ``merge_since`` from `events`); the merge, and the item's fields it
    changed (its "edited" line)."""
    local_at = local_change_times(events, merge_since(link, relinked=relinked))
    merged = merge(
        current_values(item),
        link.base,
        owned_values(issue),
        issue.updated,
        local_at,
        tracker=tracker_name(kind),
        relinked=relinked,
        other_board=other_board,
        moved=("estimate",) if estimate_moved(link, issue) else (),
    )
    edited: dict[str, list[Any]] = {}
    for name, (old, new) in merged.changes.items():
        if name == "blocked_by":
            before = list(item.dependencies)
            item.dependencies = dependencies_with(item.dependencies, new, done)
            edited["dependencies"] = [before, item.dependencies]
        else:
            setattr(item, name, new)
            edited[name] = [old, new]
    return merged, edited


def merge_before_write(
    item: BacklogItem,
    link: TrackerLink,
    issue: TrackerIssue,
    events: Iterable[Any],
    done: Collection[str],
    now: datetime,
    kind: str = JIRA,
    zone: tzinfo = UTC,
    dor: DefinitionOfReady | None = None,
) -> MergeApplied | None:
    """Before a field write of Timebox's: `issue` as the write just read it, merged into its
    item and link's ``base`` in place as the sync would merge its fields (``apply_merge``): a
    field changed in the tracker only is taken, one changed on both sides is a ``Conflict``
    the later change wins, with the same history lines; so the write then sends only what
    Timebox still has to (``item_write`` against the new ``base``), never its stale value of
    a field changed there. None: the issue has not changed since the link last saw it
    (``seen``), nothing to merge. The status, the hypothesis and the facts kept with the link
    (and when it last saw the issue) are left to the next sync, which finds the issue changed
    still and applies them; its merge of the fields finds them agreed already."""
    if seen(issue, link):
        return None
    was_ready = dor is not None and is_ready(item, dor)
    merged, edited = _merged_fields(item, link, issue, events, done, kind)
    link.base = merged.base
    readiness = readiness_change(was_ready, item, dor) if dor is not None else None
    return MergeApplied.of(item, merged, edited, now, zone, readiness=readiness)


def apply_merge(
    item: BacklogItem,
    link: TrackerLink,
    issue: TrackerIssue,
    events: Iterable[Any],
    done: Collection[str],
    now: datetime,
    kind: str = JIRA,
    *,
    in_sprint: bool = False,
    relinked: bool = False,
    other_board: bool = False,
    zone: tzinfo = UTC,
    dor: DefinitionOfReady | None = None,
) -> MergeApplied:
    """Merges an issue into its item and link, in place, and says what the item's history
    records (`events`: its history since ``merge_since``; `done`: blocker keys done in the
    tracker). Dependencies typed in Slack and a hypothesis written in Timebox stay. The
    tracker's status news (``status_news``) is applied here to an item no running sprint
    holds (done, open again, archived as not planned); `in_sprint` (the running sprint holds
    it): it is the use case's to carry out through the sprint (``MergeApplied.sprint_news``).
    `relinked`: the issue was just matched by its key again (``relink``; ``merge``), on
    another board if `other_board` (``moved_board``). `dor`: the team's Definition of Ready,
    under which a change of the item's readiness is a line of its own, as a person's edit's
    is (None: not judged)."""
    was_ready = dor is not None and is_ready(item, dor)
    merged, edited = _merged_fields(
        item, link, issue, events, done, kind, relinked=relinked, other_board=other_board
    )
    remote = link.remote or {}
    news = issue_news(item, link, issue)
    status = None if in_sprint else STATUS_OF.get(news or "")
    if status is not None and status != item.status:
        edited["status"] = [item.status, status]
        item.status = status
    hypothesis = hypothesis_after(item.hypothesis or "", remote, issue)
    if hypothesis is not None:
        edited["hypothesis"] = [item.hypothesis, hypothesis]
        item.hypothesis = hypothesis
    then: list[Line] = []
    if news == REOPENED and not in_sprint and item.archived_at is not None:
        item.archived_at, item.updated_at = None, now
        note = f"{issue.key} was reopened in {tracker_name(kind)}: back on the backlog"
        then.append(Line("restored", {"note": note}))
    elif news == DROPPED and not in_sprint:
        then.append(drop(item, issue.key, now, kind, zone))
    link.base = {**merged.base, STATUS: issue.status_category.value}
    link.remote = facts(issue, kind)
    link.remote_updated = issue.updated
    link.issue_id, link.url = issue.id or link.issue_id, issue.url or link.url
    link.synced_at = now
    sprint_news = news if in_sprint else None
    readiness = readiness_change(was_ready, item, dor) if dor is not None else None
    return MergeApplied.of(item, merged, edited, now, zone, then, sprint_news, readiness)


def local_minute(at: datetime, zone: tzinfo = UTC) -> str:
    """A history line's time to the minute in `zone` (the team's), named as conflicts name it:
    "2026-12-02 20:16 Europe/Berlin"."""
    return f"{at.astimezone(zone):%Y-%m-%d %H:%M} {zone}"


def drop(item: BacklogItem, key: str, now: datetime, kind: str = JIRA, zone: tzinfo = UTC) -> Line:
    """An item whose issue was closed as not planned (won't do) leaves the backlog without
    counting as delivered: archived, not done (a running sprint lets it go first, as a scope
    change: the use case's). The history line says why; `/backlog restore` brings it back."""
    if item.archived_at is None:
        item.archived_at, item.updated_at = now, now
    when = local_minute(now, zone)
    note = (
        f"{dropped_reason(key, kind)} on {when}: archived, not counted as done; "
        f"`/backlog restore {item.number}` brings it back"
    )
    return Line("archived", {"note": note})


def board_word(kind: str, board_id: int) -> str:
    """What a connection links to: a Jira board, a GitHub project or repository, a team."""
    if kind == "github":
        return "project" if board_id else "repository"
    return "team" if kind == "linear" else "board"


CLOSED_AS = {"jira": "won't do", "github": "not planned", "linear": "canceled"}
"""How each tracker says an issue was closed without being delivered, in its own words."""


def dropped_reason(key: str, kind: str = JIRA) -> str:
    """Why an item left the running sprint when its issue was closed as not planned (the
    scope change's reason), in the tracker's words."""
    return f"{key} was closed as {CLOSED_AS.get(kind, 'not planned')} in {tracker_name(kind)}"


def on_backlog(issue: TrackerIssue, kind: str = JIRA) -> bool:
    """The tracker's backlog (what its import reads) holds the issue: a backlog row, not done,
    in a status category that backlog holds (``BACKLOG_CATEGORIES``), not waiting in triage,
    and planned in no sprint (cycle, iteration): one planned is the team's sprint work."""
    held = BACKLOG_CATEGORIES.get(kind, OPEN_CATEGORIES)
    return (
        is_backlog_issue(issue)
        and issue.status_category in held
        and not issue.triage
        and issue.sprint is None
    )


def is_new(issue: TrackerIssue, *, importing: bool, kind: str = JIRA) -> bool:
    """An issue no item is linked to becomes one: a backlog issue, and, outside the import,
    one the import would have taken (``on_backlog``): a finished issue seen by the sync is
    history, a Linear issue already started or one planned in a sprint is work under way,
    none is backlog."""
    return is_backlog_issue(issue) and (importing or on_backlog(issue, kind))


SEEN, RELINK, MERGE = "seen", "relink", "merge"


@dataclass(frozen=True)
class Verdict:
    """What a linked item does with an incoming issue: ``SEEN`` (not changed since the
    link last saw it: no merge), ``RELINK`` (linked through another connection, or none: the
    issue matched by its key after connecting again), or ``MERGE``."""

    action: str
    reranked: bool = False  # reordered in the tracker: the board's order is to be read


def seen(issue: TrackerIssue, link: TrackerLink) -> bool:
    """The issue has not changed since its link last saw it (its last update is no later),
    and its estimate was read from the field the link's was (``estimate_moved``)."""
    return (
        link.remote_updated is not None
        and issue.updated <= link.remote_updated
        and not estimate_moved(link, issue)
    )


def classify(
    issue: TrackerIssue, link: TrackerLink, connection_id: int, *, importing: bool
) -> Verdict:
    """The verdict on an issue whose key is linked (the import's order is the board's
    already, so it never asks for a re-rank)."""
    ours = link.connection_id == connection_id
    moved = not importing and ours and reranked(link.remote or {}, issue)
    if ours and seen(issue, link):
        return Verdict(SEEN, moved)
    return Verdict(MERGE if ours else RELINK, moved)


def relink(link: TrackerLink, item: BacklogItem, connection_id: int, now: datetime) -> bool:
    """The link joins the connection again, keeping what both sides last agreed on (its
    ``base``): a field either side changed while apart is merged as any change is, the later
    winning (``merge`` with `relinked`), so an edit made in Timebox meanwhile is written, not
    lost; an item archived because its issue left the board (gone, or ``moved_to`` another
    project) comes back. True if it did."""
    back = (link.remote or {}).get("gone") or (link.remote or {}).get("moved_to")
    link.connection_id = connection_id
    if back and item.archived_at is not None:
        item.archived_at, item.updated_at = None, now
        return True
    return False


def owed_on_return(item: BacklogItem, issue: TrackerIssue) -> str | None:
    """The status write a relinked item owes its issue, evaluated after the merge (which keeps
    a status only Timebox changed while apart): "done", "reopen" (restored here) or "archive"
    (closes it as won't do). An item of a sprint is the sprint's to write."""
    closed = issue.status_category is StatusCategory.DONE
    if item.status == "done":
        return None if closed else "done"
    if item.archived_at is not None:
        return None if closed else "archive"
    return "reopen" if closed and item.status != "sprint" else None
