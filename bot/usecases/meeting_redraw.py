"""A meeting's agenda card that Slack did not take, drawn again by due work.

A step, a timer or an end redraws the agenda card at once (handlers/flows/meetings.refresh).
A redraw Slack refuses (after the client's own retries) is not left to the meeting's next
change: an ended meeting has none, so its card would show it running, with its clock's
buttons, for ever; a running one would show its old section until its next timer. It asks
for `redraw_later` instead: one `REDRAW` job per meeting (several failures make that one
row, due again), claimed with a lease and retried with the job runner's backoff, which draws
the card from the meeting as it is when it runs (`to_redraw`): an ended one's card says so,
without buttons. The same for every kind of meeting (refinement, planning, review).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.runtime.services import Services
from storage.models import Meeting, Team
from storage.repositories import Store

REDRAW = "meeting_redraw"  # the job that draws a meeting's agenda card again
REDRAW_KEY = "meeting-redraw"  # its key's start: one per meeting (never a timer's key)
REDRAW_AFTER = timedelta(seconds=10)  # after a redraw Slack refused (it had its retries)


def key_of(meeting_id: int) -> str:
    """The meeting's one redraw job: not under its timer keys (`meeting:<id>:`), which every
    change of its clock cancels."""
    return f"{REDRAW_KEY}:{meeting_id}"


async def redraw_later(svc: Services, meeting_id: int, workspace: str | None) -> None:
    """Slack refused the meeting's agenda card: it is drawn again by `REDRAW_AFTER`, in a
    transaction of its own (`redraw_at`)."""
    async with svc.db.transaction() as store:
        await redraw_at(store, meeting_id, workspace, svc.clock.now() + REDRAW_AFTER)


async def redraw_at(store: Store, meeting_id: int, workspace: str | None, due: datetime) -> None:
    """The meeting's redraw job due at `due`, in the caller's transaction: the one row under
    its key, added or made due again (done before, or running now: it draws once more, from
    the meeting as it is then)."""
    payload = {"meeting": meeting_id, "workspace": workspace}
    await store.schedule(REDRAW, key_of(meeting_id), due, payload, even_done=True)


async def to_redraw(svc: Services, meeting_id: int) -> tuple[Team, Meeting] | None:
    """The meeting as it is now, with its team, for its card; None when there is no card to
    draw (the meeting or its team gone, or its card never reached Slack)."""
    async with svc.db.reading() as store:
        meeting = await store.meeting(meeting_id)
        team = None if meeting is None else await store.team_by_id(meeting.team_id)
    if meeting is None or team is None or meeting.message_ts is None:
        return None
    return team, meeting
