"""The channel's message when its tracker connection breaks (or its tracker has long not
answered), and when it works again (bot.usecases.tracker.Outage), and when the tracker's
sprint of the running sprint was closed there (SprintClosedThere), when no Linear cycle can
hold a sprint (SprintCycleTaken), and when the tracker refused a write for good
(WriteRefused): registered as the use case's announcers by handlers/jobs.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.domain.tracker_sprints import sprint_there
from bot.domain.tracker_sync import CLOSED_AS, board_word
from bot.usecases.tracker import IssueGone, Outage, SprintClosedThere
from bot.usecases.tracker_push import SprintCycleTaken
from bot.usecases.tracker_refusal import WriteRefused
from handlers.blocks.connect import CREDENTIALS, retry_every
from handlers.blocks.kit import mrkdwn_notice
from handlers.render import render


def outage(said: Outage) -> dict[str, Any]:
    """What broke, that Timebox's changes wait, and who reconnects how; or that it is over.
    An outage of the tracker: what fails, that nothing is lost and nobody need act; its end."""
    template = "tracker_broken.md.j2" if said.broken else "tracker_working.md.j2"
    if said.unreachable:
        template = "tracker_unreachable.md.j2"
    word = board_word(said.kind, said.board_id)
    every = retry_every(said.retry_minutes)
    credential = CREDENTIALS.get(said.credential, "credential")
    return mrkdwn_notice(render(template, said=said, word=word, every=every, credential=credential))


def sprint_closed(said: SprintClosedThere) -> dict[str, Any]:
    """The tracker's sprint closed there while the sprint runs here: what that means (the
    sprint runs on here, its scope no longer written there) and what to do (`/sprint close`)."""
    there, closing = sprint_there(said.kind, said.board_id)
    return mrkdwn_notice(
        render("tracker_sprint_closed.md.j2", said=said, there=there, closing=closing)
    )


def cycle_taken(said: SprintCycleTaken) -> dict[str, Any]:
    """No Linear cycle can hold the sprint (its dates fall in cycles other sprints use): what
    that means, who makes room in Linear and how, and that Timebox then goes on by itself."""
    return mrkdwn_notice(
        render("tracker_cycle_taken.md.j2", said=said, first=_day(said.first), last=_day(said.last))
    )


def write_refused(said: WriteRefused) -> dict[str, Any]:
    """A change the tracker refused for good: which item and issue, what was refused and
    why in the tracker's words, that it is not tried again, and who does what about it."""
    closed_as = CLOSED_AS.get(said.kind, "won't do")
    return mrkdwn_notice(render("tracker_refused_told.md.j2", said=said, closed_as=closed_as))


def issue_gone(said: IssueGone) -> dict[str, Any]:
    """A write that found its item's issue gone: the item, unlinked, and why."""
    return mrkdwn_notice(render("tracker_gone_told.md.j2", said=said))


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"
