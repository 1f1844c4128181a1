"""The merge of an issue's tracker-owned fields into its item, field by field, against what
both sides last agreed on (``merge``: three-way, the later change winning a conflict), and
the history lines a merge leaves on the item (``MergeApplied``: what was edited, each
conflict and which side was kept, a change of readiness).

bot.domain.tracker_sync applies an issue to its item with it (``apply_merge``,
``merge_before_write``: the fields merged here; the status, the hypothesis and the facts kept
with the link there), and is where the use cases reach it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from storage.models import BacklogItem

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


# -- the three-way merge of the fields --------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """Both sides changed a field since they last agreed; the later change was kept."""

    field: str
    kept: str  # the tracker's name ("Jira", "GitHub", "Linear") or "Timebox"
    tracker_at: datetime
    timebox_at: datetime | None
    tracker_value: Any
    timebox_value: Any
    tracker: str = "Jira"  # the tracker's name

    def note(self, zone: tzinfo = UTC) -> str:
        """The history line, its times in `zone` (the team's), to the second when both
        changes fall in one minute."""
        word = FIELD_WORDS.get(self.field, self.field)
        close = self.timebox_at is not None and (
            self.tracker_at.timestamp() // 60 == self.timebox_at.timestamp() // 60
        )
        shape = "%Y-%m-%d %H:%M:%S" if close else "%Y-%m-%d %H:%M"
        theirs = f"{self.tracker_at.astimezone(zone):{shape}} {zone}"
        ours = (
            f"{self.timebox_at.astimezone(zone):{shape}} {zone}"
            if self.timebox_at
            else "an unknown time"
        )
        name = self.tracker
        if self.kept != "Timebox":
            return (
                f"{word} changed on both sides: {name}'s change ({theirs}) is later than "
                f"Timebox's ({ours}), so {name}'s is kept"
            )
        return (
            f"{word} changed on both sides: Timebox's change ({ours}) is later than {name}'s "
            f"({theirs}), so Timebox's is kept and written to {name}"
        )


@dataclass
class Merge:
    """What a tracker issue changes on its item."""

    changes: dict[str, list[Any]] = field(default_factory=dict)  # field: [old, new] to apply
    base: dict[str, Any] = field(default_factory=dict)  # what both sides now agree on
    conflicts: list[Conflict] = field(default_factory=list)
    write: list[str] = field(default_factory=list)  # Timebox's side won: write these back


_NEVER = object()
"""A field both sides never agreed on (no value in the link's ``base``)."""


def merge(
    current: Mapping[str, Any],
    base: Mapping[str, Any],
    remote: Mapping[str, Any],
    remote_at: datetime,
    local_at: Mapping[str, datetime],
    *,
    tracker: str = "Jira",
    relinked: bool = False,
    other_board: bool = False,
    moved: Collection[str] = (),
) -> Merge:
    """Three-way merge per field: `base` is what both sides last agreed on.

    Only the tracker changed it: the tracker's value. Only Timebox changed it: Timebox's (its
    write is pending). Both, to different values: the later change wins (Timebox's time from
    the item's history, the tracker's the issue's last update); a field never agreed on (a
    first import) takes the tracker's value. `tracker`: its name, for the history lines.

    `relinked` (connected again after a disconnect: no write of Timebox's is on the way): a
    writable field only Timebox changed meanwhile is written now; one never agreed on goes by
    the later change too (the tracker's when Timebox never edited it); the fields Timebox does
    not write (type, epic, labels, links) are the tracker's.

    `other_board` (relinked on a board other than the one both sides agreed on: ``moved_board``,
    such as a GitHub project's Estimate field, then the repository's ``estimate: N`` labels):
    a writable field that board shows empty where both sides had agreed on a value is no edit
    made there (``unheld``): that board keeps it another way, or not at all. Timebox's value
    stays and is written there (the new board's way); a value that board does show is merged
    as above, the later change winning.

    `moved`: writable fields the board keeps in another place than the one both sides agreed
    on (Jira's estimation field switched: ``estimate_moved``), merged as `other_board` merges
    every field: empty there, Timebox's value stays and is written there.
    """
    result = Merge(base=dict(base))
    for name in MERGED:
        theirs, ours = remote.get(name), current.get(name)
        agreed = base.get(name, _NEVER)
        when = local_at.get(LOCAL_NAMES.get(name, name))
        never = agreed is _NEVER and (not relinked or when is None)  # first import, or unedited
        if ours == theirs or never or (relinked and name not in WRITABLE):
            take = True
        elif (other_board or name in moved) and unheld(name, agreed, theirs):
            result.base[name] = theirs  # what that board holds: Timebox's value is to write
            result.write.append(name)
            continue
        elif theirs == agreed:  # the tracker did not change it
            if relinked:
                result.write.append(name)
            continue
        elif ours == agreed:
            take = True
        else:
            ours_later = when is not None and when > remote_at
            result.conflicts.append(
                Conflict(
                    name,
                    "Timebox" if ours_later else tracker,
                    remote_at,
                    when,
                    theirs,
                    ours,
                    tracker,
                )
            )
            take = not ours_later
            if ours_later and name in WRITABLE:
                result.write.append(name)
        result.base[name] = theirs
        if take and ours != theirs:
            result.changes[name] = [ours, theirs]
    return result


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def unheld(name: str, agreed: Any, theirs: Any) -> bool:
    """A writable field a board shows empty where both sides had agreed on a value (on the
    board the link was on before): on a board matched again after a switch of boards, the
    board's way of keeping it (or of not keeping it), not an edit made there."""
    return name in WRITABLE and agreed is not _NEVER and not _empty(agreed) and _empty(theirs)


# -- what a merge leaves in the item's history ------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A line the sync adds to an item's history: its action and what it records."""

    action: str
    changes: dict[str, Any]


@dataclass(frozen=True)
class MergeApplied:
    """What merging an issue into its linked item did."""

    lines: list[Line]  # the item's history lines, in order
    changed: bool  # the item's fields changed (an "edited" line)
    conflicts: int
    write: bool  # Timebox's side won a writable field: it goes back to the tracker
    # The status news (``status_news``) for an item the running sprint holds, left to
    # the use case: finished, unfinished or let go through the sprint, as a person would.
    sprint_news: str | None = None

    @classmethod
    def of(
        cls,
        item: BacklogItem,
        merged: Merge,
        edited: dict[str, list[Any]],
        now: datetime,
        zone: tzinfo,
        then: Sequence[Line] = (),
        sprint_news: str | None = None,
        readiness: str | None = None,
    ) -> MergeApplied:
        """What a merge did to `item` (its fields `edited`, dated `now`, in place): the
        "edited" line, a line per conflict (times in `zone`), the change of `readiness` it
        made ("became ready", "no longer ready": ``readiness_change``, as a person's edit
        logs it), then the lines `then`."""
        lines = [Line("edited", edited)] if edited else []
        if edited:
            item.updated_at = now
        lines += conflict_lines(merged, zone)
        lines += [Line(readiness, {})] if readiness and edited else []
        lines += then
        return cls(lines, bool(edited), len(merged.conflicts), bool(merged.write), sprint_news)


def conflict_lines(merged: Merge, zone: tzinfo = UTC) -> list[Line]:
    """The item's history lines of a merge's conflicts (which side was kept, and why), their
    times in `zone`."""
    return [
        Line("conflict", {"field": c.field, "kept": c.kept, "note": c.note(zone)})
        for c in merged.conflicts
    ]
