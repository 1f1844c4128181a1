"""The Linear workspace every part of the GraphQL API works on. ``LinearWorkspace`` declares the
state the views and resolvers share (the organization, users, teams, workflow states, labels,
issues, relations, cycles, webhooks) and holds what they all use: ids and sync ids, a
team's states and who may see it, making an issue or a cycle (a team's cycles do not overlap),
an issue's completion and ``updatedAt``, the Issue webhook events a change sends, and an issue's
web page at its ``url`` (``/<org>/issue/<identifier>``: ``issue_page.py``).
``LinearEmulator`` (linear.py) builds that state; ``LinearViews`` (linear_views.py) and
``LinearResolvers`` (linear_resolvers.py) stand on this base.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from aiohttp import web

from bot.emulator.issue_page import IssueView, issue_page
from bot.emulator.linear_errors import invalid_input
from bot.emulator.linear_records import (
    PRIORITY_LABELS,
    LinearCall,
    LinearCycle,
    LinearIssue,
    LinearLabel,
    LinearRelation,
    LinearState,
    LinearTeam,
    LinearUser,
    LinearWebhook,
    iso_from_ms,
)
from bot.emulator.linear_webhooks import signed_delivery
from bot.emulator.tracker import TrackerServer
from bot.emulator.webhooks import Delivery


class LinearWorkspace(TrackerServer[LinearCall]):
    """The state the views and resolvers share, and the helpers they all use.

    Only declared here: ``LinearEmulator.__init__`` sets every attribute.
    """

    organization: dict[str, str]
    users: dict[str, LinearUser]
    teams: dict[str, LinearTeam]
    states: dict[str, LinearState]
    labels: dict[str, LinearLabel]
    issues: dict[str, LinearIssue]
    relations: list[LinearRelation]
    cycles: dict[str, LinearCycle]
    webhooks: list[LinearWebhook]
    reorder_touches: bool
    user: LinearUser
    team: LinearTeam
    _sync_id: float

    VENDOR = "Linear"

    # -- time and ids --------------------------------------------------------------------

    def _uuid(self, kind: str, n: int | None = None) -> str:
        if n is None:
            n = self._next_id()
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"linear-emulator/{kind}/{n}"))

    def _next_sync(self) -> float:
        self._sync_id += 1
        return self._sync_id

    # -- teams ---------------------------------------------------------------------------

    def team_by_key(self, key: str) -> LinearTeam:
        return next(t for t in self.teams.values() if t.key == key.upper())

    def state_named(self, name: str, team: LinearTeam | None = None) -> LinearState:
        team = team or self.team
        return next(
            s
            for s in self.states.values()
            if s.team_id == team.id and s.name.lower() == name.lower()
        )

    def _team_states(self, team: LinearTeam) -> list[LinearState]:
        return sorted(
            (s for s in self.states.values() if s.team_id == team.id), key=lambda s: s.position
        )

    def _visible(self, team_id: str, user: LinearUser) -> bool:
        return user.id not in self.teams[team_id].hidden_from

    # -- issues and cycles made and changed ----------------------------------------------

    def _sort_last(self, team: LinearTeam) -> float:
        orders = [i.sort_order for i in self.issues.values() if i.team_id == team.id]
        return (max(orders) if orders else 0.0) + 1000.0

    def _new_issue(
        self,
        team: LinearTeam,
        title: str,
        state_id: str,
        *,
        stamp: float | None = None,
        sort_order: float | None = None,
        **fields: Any,
    ) -> LinearIssue:
        """An issue numbered next in ``team``, created at ``stamp`` (now) and ordered at
        ``sort_order`` (last); not stored yet."""
        team.issue_count += 1
        stamp = self._stamp() if stamp is None else stamp
        return LinearIssue(
            id=self._uuid("issue"),
            identifier=f"{team.key}-{team.issue_count}",
            number=team.issue_count,
            team_id=team.id,
            title=title,
            state_id=state_id,
            sort_order=self._sort_last(team) if sort_order is None else sort_order,
            priority_sort_order=float(team.issue_count),
            created=stamp,
            updated=stamp,
            **fields,
        )

    def _completed(self, issue: LinearIssue) -> None:
        done = self.states[issue.state_id].type == "completed"
        if done and issue.completed is None:
            issue.completed = self.epoch() * 1000
        elif not done:
            issue.completed = None

    def _touch(self, issue: LinearIssue, reorder_only: bool) -> None:
        """Bumps ``updatedAt``, unless the change is only a reorder and ``reorder_touches``
        is off."""
        if self.reorder_touches or not reorder_only:
            issue.updated = self._stamp()

    def issue_url(self, issue: LinearIssue) -> str:
        return f"{self.url}/{self.organization['urlKey']}/issue/{issue.identifier}"

    @issue_page("/{org}/issue/{identifier}")
    def _issue_page(self, request: web.Request) -> IssueView | None:
        """The issue's page at its ``url``, as a browser opens it (an identifier it had
        before it moved to another team opens it too)."""
        identifier = request.match_info["identifier"].upper()
        if request.match_info["org"] != self.organization["urlKey"]:
            return None
        issue = next(
            (
                i
                for i in self.issues.values()
                if identifier == i.identifier or identifier in i.previous_identifiers
            ),
            None,
        )
        if issue is None:
            return None
        status = self.states[issue.state_id].name
        return IssueView(
            issue.identifier, issue.title, status, issue.estimate, issue.description or ""
        )

    def _make_cycle(
        self,
        team: LinearTeam,
        starts: float,
        ends: float,
        name: str | None,
        description: str | None,
        completed: float | None = None,
        skip: str | None = None,
    ) -> LinearCycle:
        self._check_dates(team, starts, ends, skip)
        team.cycle_count += 1
        stamp = self._stamp()
        cycle = LinearCycle(
            self._uuid("cycle"),
            team.id,
            team.cycle_count,
            starts,
            ends,
            name,
            description,
            completed,
            stamp,
            stamp,
        )
        self.cycles[cycle.id] = cycle
        return cycle

    def _close_cycle(self, cycle: LinearCycle, at: float) -> list[LinearIssue]:
        """The cycle completed at ``at`` (epoch milliseconds): the issues still open in it are
        its ``uncompletedIssuesUponClose``; they are returned (where they go is the caller's)."""
        cycle.completed = at
        open_ones = [
            i
            for i in self.issues.values()
            if i.cycle_id == cycle.id
            and self.states[i.state_id].type not in ("completed", "canceled", "duplicate")
        ]
        cycle.uncompleted = [i.id for i in open_ones]
        return open_ones

    def roll_over(self) -> int:
        """What Linear does when a cycle's end passes (docs, "Cycle automations": cycles run
        on their schedule and "any unfinished work rolls over to the next cycle
        automatically"): each ended cycle is completed at its end, and its open issues move to
        the team's next cycle (the first not completed that starts at or after that end; none:
        out of any cycle), each with an Issue ``update`` event. How many cycles it closed."""
        now = self.epoch() * 1000
        ended = sorted(
            (c for c in self.cycles.values() if c.completed is None and c.ends <= now),
            key=lambda c: c.ends,
        )
        for cycle in ended:
            later = [
                c
                for c in self.cycles.values()
                if c.team_id == cycle.team_id
                and c.id != cycle.id
                and c.completed is None
                and c.starts >= cycle.ends
            ]
            following = min(later, key=lambda c: c.starts, default=None)
            for issue in self._close_cycle(cycle, cycle.ends):
                before = self._webhook_data(issue)
                issue.cycle_id = following.id if following else None
                self._touch(issue, False)
                self._event("update", issue, before)
        return len(ended)

    def _check_dates(self, team: LinearTeam, starts: float, ends: float, skip: str | None) -> None:
        """A cycle ends after it starts, and a team's cycles do not overlap."""
        if ends <= starts:
            raise invalid_input("The cycle must end after it starts.")
        for other in self.cycles.values():
            if other.team_id != team.id or other.id == skip or other.completed is not None:
                continue
            if starts < other.ends and other.starts < ends:
                raise invalid_input(
                    f"The cycle's dates overlap Cycle {other.number}: a team's cycles cannot "
                    "overlap."
                )

    # -- webhooks ------------------------------------------------------------------------

    def add_webhook(
        self,
        url: str,
        secret: str,
        *,
        resource_types: tuple[str, ...] = ("Issue",),
        team: str | None = None,
        label: str | None = None,
    ) -> LinearWebhook:
        """Registers a webhook (what a Linear admin does in Settings > API, or an admin's key
        with ``webhookCreate``), for one team's events or all; events are sent by
        ``deliver_webhooks()``, or at once when ``auto_webhooks`` is set."""
        owner = self.team_by_key(team).id if team else None
        hook = LinearWebhook(
            url, secret, self._uuid("webhook"), resource_types, owner, label, self._stamp()
        )
        self.webhooks.append(hook)
        return hook

    def _issue_fields(self, issue: LinearIssue) -> dict[str, Any]:
        """What the API's Issue and a webhook's issue data give alike (numbers apart: the API
        gives them as Float)."""
        return {
            "id": issue.id,
            "identifier": issue.identifier,
            "url": self.issue_url(issue),
            "title": issue.title,
            "description": issue.description,
            "priorityLabel": PRIORITY_LABELS.get(issue.priority, "No priority"),
            "sortOrder": issue.sort_order,
            "prioritySortOrder": issue.priority_sort_order,
            "createdAt": iso_from_ms(issue.created),
            "updatedAt": iso_from_ms(issue.updated),
            "completedAt": iso_from_ms(issue.completed),
            "archivedAt": iso_from_ms(issue.archived),
            "trashed": issue.trashed or None,
            "labelIds": list(issue.label_ids),
        }

    def _webhook_data(self, issue: LinearIssue) -> dict[str, Any]:
        """The ``data`` of an Issue webhook (Linear's IssueWebhookPayload, the usual fields)."""
        team = self.teams[issue.team_id]
        state = self.states[issue.state_id]
        by_id = {i.id: i for i in self.issues.values()}
        return {
            **self._issue_fields(issue),
            "number": issue.number,
            "estimate": issue.estimate,
            "priority": issue.priority,
            "teamId": team.id,
            "team": {"id": team.id, "key": team.key, "name": team.name},
            "stateId": state.id,
            "state": {"id": state.id, "name": state.name, "type": state.type, "color": state.color},
            "assigneeId": issue.assignee_id,
            "cycleId": issue.cycle_id,
            "parentId": issue.parent_id,
            "labels": [
                {
                    "id": self.labels[i].id,
                    "name": self.labels[i].name,
                    "color": self.labels[i].color,
                }
                for i in issue.label_ids
            ],
            "previousIdentifiers": list(issue.previous_identifiers),
            "subscriberIds": [],
            "reactionData": {},
            "parent": (
                {"id": issue.parent_id, "identifier": by_id[issue.parent_id].identifier}
                if issue.parent_id in by_id
                else None
            ),
        }

    def _event(
        self,
        action: str,
        issue: LinearIssue,
        before: dict[str, Any] | None = None,
        *,
        actor: LinearUser | None = None,
    ) -> None:
        if not self.webhooks:
            return
        data = self._webhook_data(issue)
        event: dict[str, Any] = {
            "action": action,
            "type": "Issue",
            "data": data,
            "url": data["url"],
            "createdAt": data["updatedAt"],
            "organizationId": self.organization["id"],
            "actor": {
                "id": (actor or self.user).id,
                "type": "user",
                "name": (actor or self.user).name,
            },
        }
        if before is not None:
            changed = {k: v for k, v in before.items() if data.get(k) != v}
            changed["updatedAt"] = before.get("updatedAt")
            event["updatedFrom"] = changed
        self._queue_event(event)

    def _deliveries(self, event: dict[str, Any]) -> Iterable[Delivery]:
        """To each webhook that wants the event's type (and team), signed and stamped as
        Linear does."""
        for hook in self.webhooks:
            if event["type"] not in hook.resource_types:
                continue
            if hook.team_id is not None and event["data"].get("teamId") != hook.team_id:
                continue
            payload = {**event, "webhookId": hook.id, "webhookTimestamp": int(self.epoch() * 1000)}
            yield Delivery(hook, *signed_delivery(hook.secret, payload))
