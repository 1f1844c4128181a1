"""Writing Timebox's changes back to the tracker: what an item's write sends (only what
Timebox still has to, against the link's agreed ``base``), a new issue's fields, an issue gone
or moved and its link undone, how long a failed write waits, and how the connection's state
reads. Split from bot/domain/tracker_sync.py (the fields and the merge), whose rules these are.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from bot.domain.backlog import ITEM_TYPES
from bot.domain.tracker_field_merge import FIELD_WORDS, WRITABLE
from bot.domain.tracker_sync import (
    EPIC,
    FIRST_RETRY,
    JIRA,
    MAX_RETRY,
    PLURAL_FIELDS,
    READ_ONLY,
    REFUSED_RETRY,
    SUBTASK,
    WATERMARK_MARGIN,
    agreed_status,
    closed_there,
    current_values,
    home_word,
    local_minute,
    owned_values,
    retyped,
    tracker_name,
)
from bot.domain.trackers import NewIssue, StatusCategory, TrackerIssue
from storage.models import BacklogItem, TrackerLink

# -- writing back ------------------------------------------------------------------------------


def to_write(current: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    """The writable fields whose value Timebox changed since both sides last agreed."""
    return {
        name: current[name]
        for name in WRITABLE
        if name in current and (name not in base or current[name] != base[name])
    }


def new_issue(item: BacklogItem) -> NewIssue:
    """The issue an item added in Slack is created as: with its epic, its labels (a label
    cannot hold a space) and its type by name, which the client maps to one its tracker has
    (a Jira project without Spikes makes a Story), so the issue made is what the link's
    ``base`` then records."""
    return NewIssue(
        summary=item.title,
        issue_type=ITEM_TYPES.get(item.type, ITEM_TYPES["story"]),
        estimate=item.estimate,
        labels=tuple(label.replace(" ", "-") for label in item.labels),
        acceptance_criteria=tuple(item.acceptance_criteria),
        epic=item.epic or None,
    )


def created_as(
    item: BacklogItem, issue: TrackerIssue, kind: str = JIRA
) -> tuple[dict[str, list[Any]], str | None]:
    """The item made to hold what the issue just created for it holds of the fields Timebox
    does not write (``READ_ONLY``: type, epic, labels), where the tracker could not take the
    item's: a type the Jira project lacks (made a Story), an epic that is no issue key, a
    label a Linear team lacks, a GitHub type label. Changed in place, so both sides agree from
    the start (the link's ``base`` is the issue as made) and nothing later shows as an edit
    made in the tracker (connecting again, these fields are the tracker's). The epic only
    where the create sends it (Jira's parent): elsewhere the item keeps its own. Labels in
    another order are the same labels. The changes (field: [was, now]) and the history line
    that says why, or ({}, None)."""
    ours, theirs = current_values(item), owned_values(issue)
    fields = [n for n in READ_ONLY if n != "epic" or kind == JIRA]
    changes = {n: [ours[n], theirs[n]] for n in fields if not _same(n, ours[n], theirs[n])}
    if not changes:
        return {}, None
    for name, (_, now) in changes.items():
        setattr(item, name, list(now) if name == "labels" else now)
    words = [FIELD_WORDS[name] for name in changes]
    named = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    many = len(changes) > 1 or next(iter(changes)) in PLURAL_FIELDS
    are = "are" if many else "is"
    tracker = tracker_name(kind)
    return changes, (
        f"The {named} {are} now as {tracker} holds {'them' if many else 'it'} on {issue.key}, "
        f"just created there: {tracker}'s to change"
    )


def _same(name: str, ours: Any, theirs: Any) -> bool:
    if name == "labels":
        return sorted(ours or ()) == sorted(theirs or ())
    return bool(ours == theirs)


@dataclass(frozen=True)
class ItemWrite:
    """What a write of an item sends: its new issue, its changed fields, or nothing (why)."""

    new_issue: NewIssue | None = None
    values: dict[str, Any] = field(default_factory=dict)
    nothing: str | None = None


def estimated_after_done(events: Iterable[Any]) -> bool:
    """The item's estimate changed after it was last done (`events`: its history, oldest
    first): a poker round accepted late, whose estimate is of work no longer to do."""
    done = estimated = -1
    for at, event in enumerate(events):
        changes = event.changes or {}
        status = changes.get("status")
        if isinstance(status, list) and status[-1:] == ["done"]:
            done = at
        if "estimate" in changes:
            estimated = at
    return done >= 0 and estimated > done


def item_write(
    effect: str,
    item: BacklogItem,
    link: TrackerLink,
    kind: str = JIRA,
    *,
    estimated_late: bool = False,
) -> ItemWrite:
    """What a "create", "fields", "done", "reopen" or "archive" write sends when it runs, from
    the item as it is then (a late retry sends the latest value, or nothing once it is moot: a
    done item restored, a restored one done or archived again, an archived one restored). A
    rank needs the backlog's order and the board's: tracker_order.RankWish. A done item's
    estimate changed after it was done (`estimated_late`: ``estimated_after_done``) is not
    written: the issue keeps the points it was done with, which the tracker's sprint reports
    count."""
    if effect == "create":
        if link.key is not None:
            return ItemWrite(nothing=f"created already as {link.key}")
        return ItemWrite(new_issue=new_issue(item))
    if effect == "fields":
        values = to_write(current_values(item), link.base)
        kept = estimated_late and item.status == "done" and "estimate" in values
        if kept:
            del values["estimate"]
        if values:
            return ItemWrite(values=values)
        said = "a done issue keeps its estimate" if kept else f"in {tracker_name(kind)} already"
        return ItemWrite(nothing=said)
    if effect == "done" and item.status != "done":
        return ItemWrite(nothing="not done in Timebox any more")
    if effect == "done" and agreed_status(link) == StatusCategory.DONE.value:
        return ItemWrite(nothing=f"done in {tracker_name(kind)} already")
    if effect == "reopen" and item.status == "done":
        return ItemWrite(nothing="done in Timebox again")
    if effect == "reopen" and item.archived_at is not None:
        return ItemWrite(nothing="archived in Timebox again")
    if effect == "archive" and item.archived_at is None:
        return ItemWrite(nothing="restored in Timebox already")
    if effect == "archive" and item.status == "done":
        return ItemWrite(nothing="done: its done write closes it")
    return ItemWrite()  # the clients look at the issue's status before they move it


def closes_on_archive(item: BacklogItem, link: TrackerLink | None) -> bool:
    """Archiving the item closes its issue as won't do: one linked whose issue is not closed
    as both sides last agreed, and not done (a done item's issue is closed as done)."""
    linked = link is not None and link.connection_id is not None
    return linked and item.status != "done" and not closed_there(link)


GONE_WORDS = {
    # A deletion is never told: a check finds the issue gone (the hourly look at the board, or
    # a webhook's probe), so the time is when Timebox noticed it, not when it was deleted.
    "deleted": "{key} was deleted in {tracker} (or the {tracker} account can no longer see it), "
    "noticed on {at}",
    "moved": "{key} left the board in {tracker} on {at} (moved to another project, or out of "
    "the board's filter)",
    # The tracker answered the old key with the issue under its new one: not gone, moved.
    "moved_to": "{key} left the board in {tracker} on {at} (moved to another {home}: it is "
    "{new} now)",
    # Turned into what no backlog holds (tracker_sync.retyped): seen by the sync or a look.
    EPIC: "{key} became an epic in {tracker} (noticed on {at}), and an epic is no backlog row",
    SUBTASK: "{key} became a sub-task in {tracker} (noticed on {at}), and a sub-task is no "
    "backlog row (its parent is)",
}


def gone_note(
    reason: str,
    key: str,
    at: datetime,
    number: int,
    archived: bool,
    kind: str = "jira",
    zone: tzinfo = UTC,
    moved_to: str | None = None,
) -> str:
    """The history line of an item whose issue is gone: what happened, when (in `zone`, the
    team's, as conflict lines are), and what became of the item. `moved_to`: the issue's new
    key, moved to another project off the board (``unlink``): a restore brings the item back
    unlinked, and the issue moved back onto the board links to it again."""
    when = local_minute(at, zone)
    words = GONE_WORDS["moved_to" if moved_to else reason]
    said = words.format(
        key=key, at=when, tracker=tracker_name(kind), new=moved_to, home=home_word(kind)
    )
    if archived and moved_to:
        return (
            f"{said}: unlinked and archived; `/backlog restore {number}` brings it back here, "
            "unlinked (moved back onto the board, the issue is linked to it again)"
        )
    if archived and reason in (EPIC, SUBTASK):  # still there: a restore would make it twice
        return (
            f"{said}: unlinked and archived; made a backlog row again in {tracker_name(kind)}, "
            f"{key} brings #{number} back at the next sync"
        )
    if archived:
        return f"{said}: unlinked and archived; `/backlog restore {number}` brings it back"
    return f"{said}: unlinked, kept here"


def unlink(
    link: TrackerLink,
    item: BacklogItem | None,
    reason: str,
    now: datetime,
    moved_to: str | None = None,
) -> bool:
    """An issue gone from the board ("deleted", "moved", or become an ``EPIC`` or a
    ``SUBTASK``: tracker_sync.retyped): the link ends, its key kept so
    the issue coming back relinks it. An item on the backlog is archived (a row nobody sees
    in the tracker would stand amid the board's order); one in a sprint or done stays (a
    sprint's scope changes only by renegotiation). True if it was archived.

    `moved_to`: the tracker answered the old key with the issue under this new one (moved to
    another project, off the board): the issue is not gone, so the link says where it went
    (``moved_to``) and not ``gone``, which a restore reads to create the issue again (a copy
    beside the moved one); the item comes back unlinked, and the issue moved back onto the
    board relinks it (``relink``)."""
    link.connection_id, link.pending, link.error = None, 0, None
    left = {"gone": reason} if moved_to is None else {"gone": None, "moved_to": moved_to}
    link.remote = {**(link.remote or {}), **left, "gone_at": now.isoformat()}
    if item is None:
        return False
    archived = item.archived_at is None and item.status not in ("done", "sprint")
    if archived:
        item.archived_at, item.updated_at = now, now
    return archived


def for_new_issue(link: TrackerLink, connection_id: int, kind: str) -> None:
    """A link whose issue is gone, made ready for a new issue on `connection_id`: as a link
    `/backlog add` makes, the old key let go (it stays in the item's history)."""
    link.connection_id, link.key, link.issue_id, link.url = connection_id, None, "", ""
    link.base, link.remote = {}, {"tracker": kind}
    link.remote_updated, link.pending, link.error, link.synced_at = None, 0, None, None


APPLY = "apply"


def probe_verdict(
    issue: TrackerIssue | None, board: tuple[Collection[str], datetime] | None
) -> str | None:
    """What a linked issue asked for one by one means (`board`: the board's keys and when
    they were read; None for a webhook's named key, only checked for deletion and a change
    of type): "deleted" (not found), ``EPIC`` or ``SUBTASK`` (turned into no backlog row
    there: tracker_sync.retyped), ``APPLY`` (done, planned in a sprint, or on the board after
    all: a change; an issue in a sprint, cycle or iteration, put there by Timebox's
    commitment or in the tracker, has not left the board), "moved" (off the board, and not
    changed just before the board was read), else None (judged next time)."""
    if issue is None:
        return "deleted"
    if (became := retyped(issue)) is not None:
        return became
    if board is None:
        return None
    keys, asked_at = board
    if issue.status_category is StatusCategory.DONE or issue.sprint or issue.key in keys:
        return APPLY
    if issue.updated < asked_at - WATERMARK_MARGIN:
        return "moved"
    return None


def retry_delay(attempt: int, *, retry_after: float | None, retryable: bool) -> float:
    """Seconds before a failed write is tried again: what the tracker asked for (429's
    Retry-After), else 10 s doubling to 15 minutes; a refused write (bad token, a field the
    tracker will not take) hourly, so it is fixed on the other side rather than given up."""
    if retry_after is not None:
        return max(1.0, float(retry_after))
    if not retryable:
        return REFUSED_RETRY
    return min(MAX_RETRY, FIRST_RETRY * 2 ** max(0, attempt - 1))


SENDING, FAILING = "sending", "failing"
BEHIND = "behind"  # the tracker's changes do not all come in: a sync failing, or an issue held back


def connection_state(status: str, pending: int, failing: int, *, behind: bool = False) -> str:
    """How far a connection is in step, as its status says: its stored status while it imports
    or its sync fails ("importing", "error"); connected, it is behind while the tracker's
    changes do not all come in (`behind`: a sync failing again and again, or an issue whose
    change failed to apply, ``BEHIND``), while Timebox's changes wait to be written
    (``SENDING``) or are retried after an error (``FAILING``), and in step ("connected") only
    once every write has landed."""
    if status != "connected":
        return status
    if behind:
        return BEHIND
    if failing > 0:
        return FAILING
    return SENDING if pending > 0 else status


def pending_text(pending: int, error: str | None, tracker: str = "Jira") -> str | None:
    """What an item says while a write to its tracker (named: "GitHub") waits, or None when
    all is written."""
    if pending <= 0:
        return None
    if error:
        return f"not yet in {tracker}: retrying ({error})"
    return f"not yet in {tracker}: sending"
