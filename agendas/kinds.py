"""What makes a refinement session or a sprint planning a kind of meeting.

The clock (agendas/engine.py) is the same for every meeting; a kind says what a meeting of it
starts with, what each of its sections opens (by the actions its agenda gives the section) and
what its minutes record. The meetings use case holds one `MeetingKind` per kind and asks it,
so nothing generic knows about sprints or triage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from agendas import engine
from storage.models import Meeting, Team
from storage.repositories import Store


@dataclass(frozen=True)
class People:
    """Who is in the team's channel (read from Slack by the caller), and the bot's own id,
    which never counts as a developer. `known` False: Slack could not say who is in it (the
    members are then nobody, and people named for a role are kept as if they were in it)."""

    members: tuple[str, ...]
    bot: str = ""
    known: bool = True


class MeetingKind(Protocol):
    name: str
    needs_people: bool
    """Whether its sections need the channel's people (say, to know the developers)."""

    async def begin(self, store: Store, team: Team, now: datetime) -> dict[str, Any]:
        """What a new meeting of this kind keeps in its `data` from the start."""
        ...

    async def section(
        self, store: Store, team: Team, meeting: Meeting, now: datetime, people: People | None
    ) -> Sequence[Any]:
        """What the meeting's current section opens: content for the Slack side to show."""
        ...

    async def minutes(self, store: Store, team: Team, meeting: Meeting) -> dict[str, Any]:
        """The ended meeting's record."""
        ...


async def conclude(
    store: Store, team: Team, meeting: Meeting, kind: MeetingKind, now: datetime
) -> None:
    """Ends the meeting (if its last section has not) and writes its minutes: the one way
    every meeting ends, whoever ends it (the facilitator, its timer, a commitment)."""
    if meeting.status != "ended":
        await engine.end(store, meeting, now)
    meeting.minutes = await kind.minutes(store, team, meeting)
