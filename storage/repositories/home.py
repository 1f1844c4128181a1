"""Queries for the App Home tab (mixed into `Store`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, exists, or_, select

from storage.models import (
    BacklogItem,
    PokerPoll,
    PokerRound,
    PokerVote,
    RoleAssignment,
    Sprint,
    SprintItem,
    SprintTask,
    Team,
)
from storage.repositories.base import Repository


class HomeQueries(Repository):
    async def home_teams(
        self, workspace_id: str, user_id: str, channels: Sequence[str] = ()
    ) -> Sequence[Team]:
        """The teams the user works in (README, App Home): a role named for them, or held
        through a user group they are in; the teams of `channels` (where Slack said they are a
        member: a Developer by default, see `open_teams`); and, of the teams nobody holds a
        role in yet, those with their work (`_worked_on`). Once a team's roles are set, an
        item, task or vote of someone outside them shows them nothing of it."""
        roled = set(
            await self.session.scalars(
                select(RoleAssignment.team_id).where(RoleAssignment.user_id == user_id)
            )
        )
        # A role held through a user group: its members are a JSON list, checked here.
        groups = await self.session.execute(
            select(RoleAssignment.team_id, RoleAssignment.members)
            .join(Team, Team.id == RoleAssignment.team_id)
            .where(Team.workspace_id == workspace_id, RoleAssignment.members.is_not(None))
        )
        roled |= {team_id for team_id, members in groups.all() if user_id in (members or [])}
        worked = await self._worked_on(workspace_id, user_id)
        if not roled and not worked and not channels:
            return []
        unset = ~exists().where(RoleAssignment.team_id == Team.id)
        result = await self.session.scalars(
            select(Team)
            .where(
                Team.workspace_id == workspace_id,
                or_(
                    Team.id.in_(roled),
                    Team.channel_id.in_(channels),
                    and_(Team.id.in_(worked), unset),
                ),
            )
            .order_by(Team.id)
        )
        return result.all()

    async def _worked_on(self, workspace_id: str, user_id: str) -> set[int]:
        """The teams where the user owns an item, has a task in the active sprint, or is
        expected to vote in an open poker poll."""
        owned = select(BacklogItem.team_id).where(BacklogItem.owner == user_id)
        tasked = (
            select(Sprint.team_id)
            .join(SprintItem, SprintItem.sprint_id == Sprint.id)
            .join(SprintTask, SprintTask.sprint_item_id == SprintItem.id)
            .where(
                Sprint.status == "active",
                SprintItem.removed.is_(False),
                SprintTask.owner == user_id,
            )
        )
        ids = set(await self.session.scalars(owned.union(tasked)))
        # Voters are a JSON list: the few open polls of the workspace are checked here.
        polls = await self.session.execute(
            select(PokerPoll.team_id, PokerPoll.voters)
            .join(Team, Team.id == PokerPoll.team_id)
            .where(Team.workspace_id == workspace_id, PokerPoll.status == "open")
        )
        return ids | {team_id for team_id, voters in polls.all() if user_id in (voters or [])}

    async def open_teams(self, workspace_id: str) -> Sequence[Team]:
        """The workspace's set-up teams (someone holds a role) whose Developers are everyone
        else in the channel: nobody, not even a user group, is named for the role, so anyone
        in the channel is one (only Slack knows who that is)."""
        held = exists().where(RoleAssignment.team_id == Team.id)
        dev = exists().where(RoleAssignment.team_id == Team.id, RoleAssignment.role == "dev")
        result = await self.session.scalars(
            select(Team)
            .where(Team.workspace_id == workspace_id, held, ~dev)
            .where(~Team.channel_id.startswith("D"))  # a DM is nobody's team
            .order_by(Team.id)
        )
        return result.all()

    async def polls_awaiting(
        self, team_id: int, user_id: str
    ) -> list[tuple[PokerPoll, PokerRound]]:
        """Open rounds of the team's open polls that expect this user's vote and have none."""
        voted = exists().where(PokerVote.round_id == PokerRound.id, PokerVote.voter == user_id)
        result = await self.session.execute(
            select(PokerPoll, PokerRound)
            .join(PokerRound, PokerRound.poll_id == PokerPoll.id)
            .where(
                PokerPoll.team_id == team_id,
                PokerPoll.status == "open",
                PokerRound.status == "voting",
                ~voted,
            )
            .order_by(PokerPoll.id, PokerRound.item_number, PokerRound.number)
        )
        return [(poll, round_) for poll, round_ in result.all() if user_id in (poll.voters or [])]
