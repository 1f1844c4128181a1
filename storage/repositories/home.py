"""Queries for the App Home tab (mixed into `Store`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, or_, select

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
        """The user's teams: a role (theirs, or a user group's they are in), an item they own,
        a task of theirs in the active sprint, or an open poker poll that expects their vote;
        and the teams of `channels` (where Slack said they are a member: a Developer by
        default, see `open_teams`)."""
        roled = select(RoleAssignment.team_id).where(RoleAssignment.user_id == user_id)
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
        ids = set(await self.session.scalars(roled.union(owned, tasked)))
        # Voters are a JSON list: the few open polls of the workspace are checked here.
        polls = await self.session.execute(
            select(PokerPoll.team_id, PokerPoll.voters)
            .join(Team, Team.id == PokerPoll.team_id)
            .where(Team.workspace_id == workspace_id, PokerPoll.status == "open")
        )
        ids |= {team_id for team_id, voters in polls.all() if user_id in (voters or [])}
        # A role held through a user group: its members are a JSON list, checked the same way.
        groups = await self.session.execute(
            select(RoleAssignment.team_id, RoleAssignment.members)
            .join(Team, Team.id == RoleAssignment.team_id)
            .where(Team.workspace_id == workspace_id, RoleAssignment.members.is_not(None))
        )
        ids |= {team_id for team_id, members in groups.all() if user_id in (members or [])}
        if not ids and not channels:
            return []
        result = await self.session.scalars(
            select(Team)
            .where(
                Team.workspace_id == workspace_id,
                or_(Team.id.in_(ids), Team.channel_id.in_(channels)),
            )
            .order_by(Team.id)
        )
        return result.all()

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
