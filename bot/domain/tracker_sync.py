"""The rules of the two-way sync between a channel's backlog and a tracker board (Jira first).

Plain rules, no I/O: how a tracker issue maps onto a backlog item, which fields the tracker
owns and which stay Timebox's, how a change from each side is merged (both changed: the later
change wins, and the item's history says which side and when), what a write back sends, where
a reordered item goes in the tracker's rank, and how long a failed write waits.

Fields the tracker owns (Jira is their source of truth): summary (the title), acceptance
criteria, estimate, issue type, epic, labels, "blocks" links (as dependencies), and the status
category (done or not); the description, status name and assignee are kept with the link and
shown. Timebox's own, which every sync leaves alone: the value hypothesis (Jira has no field
for it), the Definition-of-Ready answers (the checklist), poker history, readiness and snoozes,
the owner, priority, and dependencies typed in Slack.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.backlog import EPIC_MAX, ESTIMATE_MAX, TITLE_MAX
from bot.domain.trackers import StatusCategory, TrackerIssue

JIRA = "jira"
"""The actor of item events that come from the tracker (a Slack user id never looks so)."""

MERGED = ("title", "acceptance_criteria", "estimate", "type", "epic", "labels", "blocked_by")
"""The tracker-owned fields merged per field (the status category is applied apart)."""
WRITABLE = ("title", "acceptance_criteria", "estimate")
"""What Timebox writes back when its side changed (the rest is read from the tracker only)."""
LOCAL_NAMES = {"blocked_by": "dependencies"}
"""The item field (and history name) each merged field is edited as in Slack."""
FIELD_WORDS = {
    "title": "title",
    "acceptance_criteria": "acceptance criteria",
    "estimate": "estimate",
    "type": "type",
    "epic": "epic",
    "labels": "labels",
    "blocked_by": "dependencies",
}
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
TRACKER_TYPES = {"story": "Story", "bug": "Bug", "spike": "Story", "enabler": "Story"}
NOT_BACKLOG_TYPES = {"epic", "subtask", "sub-task", "sub task"}

SYNC_EVERY = timedelta(minutes=5)
IMPORT_BATCH = 100  # issues per page, per transaction, per due-work row
WATERMARK_MARGIN = timedelta(minutes=5)  # clocks of Timebox and the tracker disagree a little
FIRST_RETRY = 10.0  # seconds
MAX_RETRY = 15 * 60.0  # a failing write is tried again at least every 15 minutes
REFUSED_RETRY = 60 * 60.0  # a refused write (fix it in Jira, or reconnect): hourly


# -- the tracker's fields in Timebox's terms ---------------------------------------------------


def item_type(issue_type: str) -> str:
    """Timebox's item type for a tracker issue type (a Task is a story here)."""
    return TYPES.get(issue_type.strip().lower(), "story")


def tracker_type(kind: str) -> str:
    """The issue type an item added in Slack is created as."""
    return TRACKER_TYPES.get(kind, "Task")


def is_backlog_issue(issue: TrackerIssue) -> bool:
    """Epics and sub-tasks are not backlog rows (the board's backlog leaves them out too)."""
    return issue.issue_type.strip().lower() not in NOT_BACKLOG_TYPES


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


def facts(issue: TrackerIssue) -> dict[str, Any]:
    """What only the tracker has, kept with the link and shown with the item."""
    return {
        "description": issue.description,
        "status": issue.status,
        "status_category": issue.status_category.value,
        "issue_type": issue.issue_type,
        "assignee": issue.assignee.name if issue.assignee else None,
        "epic": issue.epic,
    }


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


def status_after(status: str, category: str, was: str | None) -> str | None:
    """The item's new status for the tracker's status category, or None to leave it.

    Done in the tracker: done here. Reopened in the tracker (done before, not now): back on the
    backlog. Anything else (to do, in progress) leaves Timebox's status alone: the sprint
    status is Timebox's."""
    if category == StatusCategory.DONE.value:
        return None if status == "done" else "done"
    if status == "done" and was == StatusCategory.DONE.value:
        return "open"
    return None


# -- merging -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """Both sides changed a field since they last agreed; the later change was kept."""

    field: str
    kept: str  # "Jira" or "Timebox"
    jira_at: datetime
    timebox_at: datetime | None
    jira_value: Any
    timebox_value: Any

    def note(self) -> str:
        """The history line."""
        word = FIELD_WORDS.get(self.field, self.field)
        jira_at = self.jira_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        ours = (
            self.timebox_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
            if self.timebox_at
            else "an unknown time"
        )
        if self.kept == "Jira":
            return (
                f"{word} changed on both sides: Jira's change ({jira_at}) is later than "
                f"Timebox's ({ours}), so Jira's is kept"
            )
        return (
            f"{word} changed on both sides: Timebox's change ({ours}) is later than Jira's "
            f"({jira_at}), so Timebox's is kept and written to Jira"
        )


@dataclass
class Merge:
    """What a tracker issue changes on its item."""

    changes: dict[str, list[Any]] = field(default_factory=dict)  # field: [old, new] to apply
    base: dict[str, Any] = field(default_factory=dict)  # what both sides now agree on
    conflicts: list[Conflict] = field(default_factory=list)
    write: list[str] = field(default_factory=list)  # Timebox's side won: write these back


def merge(
    current: Mapping[str, Any],
    base: Mapping[str, Any],
    remote: Mapping[str, Any],
    remote_at: datetime,
    local_at: Mapping[str, datetime],
) -> Merge:
    """Three-way merge per field: `base` is what both sides last agreed on.

    Only Jira changed it: Jira's value. Only Timebox changed it: Timebox's (its write is
    pending). Both, to different values: the later change wins (Timebox's time from the item's
    history, Jira's the issue's last update); a field never agreed on (a first import) takes
    Jira's value.
    """
    result = Merge(base=dict(base))
    for name in MERGED:
        theirs, ours = remote.get(name), current.get(name)
        if name not in base:
            take = True
        else:
            agreed = base[name]
            if theirs == agreed:  # Jira did not change it
                continue
            if ours in (agreed, theirs):
                take = True
            else:
                when = local_at.get(LOCAL_NAMES.get(name, name))
                ours_later = when is not None and when > remote_at
                result.conflicts.append(
                    Conflict(
                        name,
                        "Timebox" if ours_later else "Jira",
                        remote_at,
                        when,
                        theirs,
                        ours,
                    )
                )
                take = not ours_later
                if ours_later and name in WRITABLE:
                    result.write.append(name)
        result.base[name] = theirs
        if take and ours != theirs:
            result.changes[name] = [ours, theirs]
    return result


def local_change_times(events: Iterable[Any], since: datetime | None) -> dict[str, datetime]:
    """When Timebox last changed each field, from the item's history (edits by people, not
    by the sync), after `since` (the last sync of the item)."""
    times: dict[str, datetime] = {}
    for event in events:
        if event.actor == JIRA or (since is not None and event.at <= since):
            continue
        if event.action not in ("edited", "estimated"):
            continue
        for name in event.changes or {}:
            if name not in times or event.at > times[name]:
                times[name] = event.at
    return times


# -- writing back ------------------------------------------------------------------------------


def to_write(current: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    """The writable fields whose value Timebox changed since both sides last agreed."""
    return {
        name: current[name]
        for name in WRITABLE
        if name in current and (name not in base or current[name] != base[name])
    }


def rank_anchor(order: Sequence[tuple[int, str | None]], item_id: int) -> tuple[str, str] | None:
    """Where a moved item goes in the tracker: ("after", key) of the nearest linked item
    above it, else ("before", key) of the nearest below; None when it has no linked
    neighbour. `order`: (item id, key or None) of the backlog, top first."""
    ids = [i for i, _ in order]
    if item_id not in ids:
        return None
    at = ids.index(item_id)
    for _, key in reversed(order[:at]):
        if key:
            return ("after", key)
    for _, key in order[at + 1 :]:
        if key:
            return ("before", key)
    return None


def sprint_name(number: int) -> str:
    return f"Sprint {number}"


def sprint_times(starts_on: Any, ends_on: Any, zone: str | None) -> tuple[datetime, datetime]:
    """A sprint's first morning (09:00) and its last evening (17:00), in the team's zone."""
    try:
        tz = ZoneInfo(zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    start = datetime.combine(starts_on, time(9), tzinfo=tz)
    end = datetime.combine(ends_on, time(17), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def retry_delay(attempt: int, *, retry_after: float | None, retryable: bool) -> float:
    """Seconds before a failed write is tried again: what the tracker asked for (429's
    Retry-After), else 10 s doubling to 15 minutes; a refused write (bad token, a field Jira
    will not take) hourly, so it is fixed on the other side rather than given up."""
    if retry_after is not None:
        return max(1.0, float(retry_after))
    if not retryable:
        return REFUSED_RETRY
    return min(MAX_RETRY, FIRST_RETRY * 2 ** max(0, attempt - 1))


def pending_text(pending: int, error: str | None) -> str | None:
    """What an item says while a write to Jira waits, or None when all is written."""
    if pending <= 0:
        return None
    if error:
        return f"not yet in Jira: retrying ({error})"
    return "not yet in Jira: sending"


# -- webhooks ----------------------------------------------------------------------------------


def webhook_signature(secret: str, body: bytes) -> str:
    """Jira's webhook signature: ``sha256=`` and the HMAC-SHA256 of the body, in hex."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    """True when `header` (``X-Hub-Signature``) signs `body` with `secret` (constant time)."""
    if not header or not secret:
        return False
    return hmac.compare_digest(webhook_signature(secret, body), header.strip())
