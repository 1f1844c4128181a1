"""What the pure tracker sync tests share: the sync's clock and an issue as a tracker gives it.
(tests/app/trackers.py is for the clients and the app: it starts emulators and the sandbox.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.trackers import StatusCategory, TrackerIssue

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(hours=1)


def issue(**changes: object) -> TrackerIssue:
    """Story TB-1 "Pay": to do, 5 points, nobody's, in no epic, with no labels or blockers,
    updated an hour after T0."""
    values: dict[str, object] = {
        "key": "TB-1",
        "url": "https://x.atlassian.net/browse/TB-1",
        "summary": "Pay",
        "description": "",
        "acceptance_criteria": (),
        "estimate": 5.0,
        "issue_type": "Story",
        "status_category": StatusCategory.TODO,
        "status": "To Do",
        "assignee": None,
        "epic": None,
        "labels": (),
        "blocked_by": (),
        "updated": LATER,
        "id": "10001",
        "rank": "0|a",
    }
    values.update(changes)
    return TrackerIssue(**values)  # type: ignore[arg-type]
