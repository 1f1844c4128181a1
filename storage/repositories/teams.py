"""Teams (a workspace's channel), their roles and item numbers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, delete, select

from bot.domain.teams import RoleGroup
from storage.models import (
    RoleAssignment,
    Team,
)
from storage.repositories.base import Repository


class TeamQueries(Repository):
    """Teams and roles."""

    async def team(self, workspace_id: str, channel_id: str) -> Team | None:
        return await self.session.scalar(
            select(Team).where(Team.workspace_id == workspace_id, Team.channel_id == channel_id)
        )

    async def ensure_team(self, workspace_id: str, channel_id: str, now: datetime) -> Team:
        """The channel's team, made on first use and locked until the transaction ends.

        The lock (FOR UPDATE on PostgreSQL) serialises work on one team across instances as
        SQLite serialises all writers: a read-then-write (the first Product Owner, a meeting's
        clock, a poll) never races the same team's work on another instance.
        """
        team = await self._locked_team(
            Team.workspace_id == workspace_id, Team.channel_id == channel_id
        )
        if team is None:
            await self._insert_ignoring_conflict(
                Team,
                {
                    "workspace_id": workspace_id,
                    "channel_id": channel_id,
                    "created_at": now,
                    "sprint_weeks": 2,
                    "working_days": "mon,tue,wed,thu,fri",
                    "next_number": 1,
                },
            )
            team = await self._locked_team(
                Team.workspace_id == workspace_id, Team.channel_id == channel_id
            )
            assert team is not None
        return team

    async def _locked_team(self, *where: ColumnElement[bool]) -> Team | None:
        query = select(Team).where(*where).with_for_update()
        return await self.session.scalar(query.execution_options(populate_existing=True))

    async def set_role(
        self,
        team: Team,
        role: str,
        user_ids: Sequence[str],
        groups: Sequence[RoleGroup] | None = None,
    ) -> None:
        """Who holds `role`: these people, and these user groups (None: the user groups that
        hold it keep it, as a form that names people only is saved)."""
        query = delete(RoleAssignment).where(
            RoleAssignment.team_id == team.id, RoleAssignment.role == role
        )
        if groups is None:
            query = query.where(RoleAssignment.members.is_(None))
        await self.session.execute(query)
        for user_id in dict.fromkeys(user_ids):
            self.session.add(RoleAssignment(team_id=team.id, user_id=user_id, role=role))
        for group in {g.id: g for g in groups or ()}.values():
            self.session.add(
                RoleAssignment(
                    team_id=team.id,
                    user_id=group.id,
                    role=role,
                    handle=group.handle,
                    members=list(group.members),
                )
            )
        await self.session.flush()
        await self.session.refresh(team, ["roles"])

    async def refresh_groups(self, team: Team, groups: Sequence[RoleGroup]) -> None:
        """The members (and handles) of the user groups holding a role, as Slack says now."""
        fresh = {g.id: g for g in groups}
        for assignment in team.roles:
            group = fresh.get(assignment.user_id)
            if assignment.members is not None and group is not None:
                assignment.handle, assignment.members = group.handle, list(group.members)
        await self.session.flush()

    async def team_by_id(self, team_id: int, *, lock: bool = False) -> Team | None:
        """A team by id; `lock` takes the team's lock as `ensure_team` does (for jobs)."""
        if lock:
            return await self._locked_team(Team.id == team_id)
        return await self.session.get(Team, team_id)
