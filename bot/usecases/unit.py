"""The unit of work of one use case: a transaction, the team it acts in, the time, who acts.

Every use case starts from an `Actor`, the workspace, channel and user a request comes from,
so what a request names (an item, a round, a meeting) is looked up inside that team only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from bot.domain import teams
from bot.runtime.services import Services
from storage.models import Team
from storage.repositories import Store


@dataclass(frozen=True)
class Actor:
    """Who acts, and in which team: a Slack workspace and channel, and a user."""

    workspace: str
    channel: str
    user: str
    request: str | None = None
    """The request's identity (Slack's trigger_id, or an event's id): a use case that changes
    state records it in its own transaction, so copies of one request act once."""


class Replayed(Exception):
    """This request has acted already: a copy (a retry, a replay, a double delivery) does
    nothing."""


@dataclass
class Work:
    """What a use case works with inside its transaction."""

    store: Store
    team: Team
    now: datetime
    actor: Actor

    @property
    def user(self) -> str:
        return self.actor.user

    async def require(self, roles: tuple[str, ...], doing: str) -> None:
        """Refuses (NotAllowed) unless the actor holds one of `roles`. While nobody holds them
        (a channel not set up yet), the refusal is SetupNeeded, answered with a button to the
        team's setup form: nobody becomes Product Owner by being the first to try."""
        teams.role_verdict(teams.Roles.of(self.team), self.user, roles, doing)


@asynccontextmanager
async def team_work(
    svc: Services, actor: Actor, *, once: bool = False, urgent: bool = False
) -> AsyncIterator[Work]:
    """One transaction on the actor's team, made on first use and locked until it ends.

    `once`: the request's identity is recorded first, in this same transaction, and a copy of
    a request that has acted raises Replayed; a request that failed left no record, so a
    retry of it acts."""
    async with svc.db.transaction(urgent=urgent) as store:
        now = svc.clock.now()
        if once and actor.request and not await store.first_act(actor.request, now):
            raise Replayed(actor.request)
        team = await store.ensure_team(actor.workspace, actor.channel, now)
        yield Work(store=store, team=team, now=now, actor=actor)
