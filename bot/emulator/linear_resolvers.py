"""The resolvers of Linear's root fields, a layer on the views: the queries (``viewer``,
``organization``, ``teams``/``team``, ``issues``/``issue``, ``cycles``/``cycle``,
``issueLabels``, ``workflowStates``: only what the caller may see) and the mutations
(``issueUpdate``, ``issueCreate``: all or nothing, each reference checked against the issue's
team, an archived issue refused until ``issueUnarchive`` restores it; ``cycleCreate``,
``cycleUpdate``; ``webhookCreate``: a workspace admin's), and their binding to ``SCHEMA``'s
root fields, resolved through the emulator as the root value.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from graphql import GraphQLError, GraphQLSchema

from bot.emulator.linear_errors import entity_not_found, invalid_input
from bot.emulator.linear_filters import parse_when
from bot.emulator.linear_records import LinearCycle, LinearIssue, LinearTeam, iso_from_ms
from bot.emulator.linear_schema import SCHEMA
from bot.emulator.linear_views import LinearViews


class LinearResolvers(LinearViews):
    """The root fields' resolvers: Linear's queries and mutations."""

    # -- queries -------------------------------------------------------------------------

    def viewer(self, info: Any) -> dict[str, Any] | None:
        return self._user_view(self._user(info))

    def _organization(self, info: Any) -> dict[str, Any]:
        return dict(self.organization)

    def teams_(self, info: Any, **args: Any) -> dict[str, Any]:
        user = self._user(info)
        visible = [t for t in self.teams.values() if self._visible(t.id, user)]
        return self._listed("team", visible, args, info, self._team_view)

    def _team_for(self, team_id: str, info: Any) -> LinearTeam:
        user = self._user(info)
        for team in self.teams.values():
            if team_id in (team.id, team.key) and self._visible(team.id, user):
                return team
        raise entity_not_found("Team")

    def team_(self, info: Any, id: str) -> dict[str, Any]:
        return self._team_view(self._team_for(id, info))

    def _issue_for(self, key: str, info: Any) -> LinearIssue:
        user = self._user(info)
        issue = self.issues.get(key.upper()) or next(
            (i for i in self.issues.values() if i.id == key), None
        )
        if issue is None or not self._visible(issue.team_id, user):
            raise entity_not_found("Issue")
        return issue

    def issue_(self, info: Any, id: str) -> dict[str, Any]:
        return self._issue_view(self._issue_for(id, info))

    def issues_(self, info: Any, **args: Any) -> dict[str, Any]:
        return self._issues(info, args)

    def _cycle_for(self, cycle_id: str, info: Any) -> LinearCycle:
        cycle = self.cycles.get(cycle_id)
        if cycle is None or not self._visible(cycle.team_id, self._user(info)):
            raise entity_not_found("Cycle")
        return cycle

    def cycle_(self, info: Any, id: str) -> dict[str, Any]:
        return self._cycle_view(self._cycle_for(id, info))

    def cycles_(self, info: Any, **args: Any) -> dict[str, Any]:
        user = self._user(info)
        visible = [c for c in self.cycles.values() if self._visible(c.team_id, user)]
        visible.sort(key=lambda c: (c.starts, c.number))
        return self._listed("cycle", visible, args, info, self._cycle_view)

    def issue_labels(self, info: Any, **args: Any) -> dict[str, Any]:
        user = self._user(info)
        visible = [
            label
            for label in self.labels.values()
            if label.team_id is None or self._visible(label.team_id, user)
        ]
        return self._listed("label", visible, args, info, self._label_view)

    def workflow_states(self, info: Any, **args: Any) -> dict[str, Any]:
        user = self._user(info)
        visible = [s for s in self.states.values() if self._visible(s.team_id, user)]
        return self._listed("state", visible, args, info, self._state_view)

    # -- mutations -----------------------------------------------------------------------

    def _check_team_ref(self, issue_team: LinearTeam, value: Any, kind: str) -> Any:
        if kind == "state":
            state = self.states.get(value or "")
            if state is None or state.team_id != issue_team.id:
                raise entity_not_found("WorkflowState")
            return state.id
        if kind == "cycle":
            if value is None:
                return None
            cycle = self.cycles.get(value)
            if cycle is None or cycle.team_id != issue_team.id:
                raise entity_not_found("Cycle")
            if cycle.completed is not None:
                raise invalid_input("Cannot add an issue to a completed cycle.")
            return cycle.id
        if kind == "labels":
            for label_id in value or []:
                label = self.labels.get(label_id)
                if label is None or label.team_id not in (None, issue_team.id):
                    raise entity_not_found("IssueLabel")
            return list(value or [])
        raise AssertionError(kind)

    def _apply(self, issue: LinearIssue, values: Mapping[str, Any]) -> None:
        team = self.teams[issue.team_id]
        if "title" in values:
            title = values["title"]
            if title is None or not str(title).strip():
                raise invalid_input("Title can't be empty.")
            issue.title = str(title)
        if "description" in values:
            issue.description = values["description"]
        if "estimate" in values:
            issue.estimate = values["estimate"]
        if "stateId" in values:
            issue.state_id = self._check_team_ref(team, values["stateId"], "state")
        if "cycleId" in values:
            issue.cycle_id = self._check_team_ref(team, values["cycleId"], "cycle")
        if "labelIds" in values:
            issue.label_ids = self._check_team_ref(team, values["labelIds"], "labels")
        if values.get("sortOrder") is not None:
            issue.sort_order = float(values["sortOrder"])
        self._completed(issue)

    def issue_update(self, info: Any, id: str, input: dict[str, Any]) -> dict[str, Any]:
        issue = self._issue_for(id, info)
        if issue.archived is not None:  # archived, or in the trash: restored first
            raise invalid_input(
                "Cannot update an archived issue.",
                "Archived issues cannot be edited until restored.",
            )
        before = self._webhook_data(issue)
        trial = copy.deepcopy(issue)
        self._apply(trial, input)  # all or nothing: a refused field changes nothing
        self._apply(issue, input)
        self._touch(issue, set(input) == {"sortOrder"})
        self._event("update", issue, before, actor=self._user(info))
        return {"success": True, "issue": self._issue_view(issue), "lastSyncId": self._next_sync()}

    def issue_unarchive(self, info: Any, id: str) -> dict[str, Any]:
        """Restores an issue from the team's archive (or its recently deleted issues): in the
        lists again, editable; ``updatedAt`` bumped, an Issue ``update`` event."""
        issue = self._issue_for(id, info)
        before = self._webhook_data(issue)
        issue.archived, issue.trashed = None, False
        self._touch(issue, False)
        self._event("update", issue, before, actor=self._user(info))
        return {"success": True, "entity": self._issue_view(issue), "lastSyncId": self._next_sync()}

    def issue_create(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        team = self._team_for(str(input.get("teamId") or ""), info)
        if not str(input.get("title") or "").strip():
            raise invalid_input("Title can't be empty.")
        default = (
            self.state_named("Todo", team)
            if any(s.name == "Todo" for s in self._team_states(team))
            else self._team_states(team)[0]
        )
        issue = self._new_issue(team, str(input["title"]), default.id)
        self._apply(issue, {k: v for k, v in input.items() if k not in ("teamId", "title")})
        self.issues[issue.identifier] = issue
        self._event("create", issue, actor=self._user(info))
        return {"success": True, "issue": self._issue_view(issue), "lastSyncId": self._next_sync()}

    def cycle_create(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        team = self._team_for(str(input.get("teamId") or ""), info)
        if not team.cycles_enabled:
            raise invalid_input("Cycles are not enabled for this team.")
        cycle = self._make_cycle(
            team,
            parse_when(input["startsAt"]),
            parse_when(input["endsAt"]),
            input.get("name"),
            input.get("description"),
            parse_when(input["completedAt"]) if input.get("completedAt") else None,
        )
        return {"success": True, "cycle": self._cycle_view(cycle), "lastSyncId": self._next_sync()}

    def cycle_update(self, info: Any, id: str, input: dict[str, Any]) -> dict[str, Any]:
        cycle = self._cycle_for(id, info)
        team = self.teams[cycle.team_id]
        starts = parse_when(input["startsAt"]) if input.get("startsAt") else cycle.starts
        ends = parse_when(input["endsAt"]) if input.get("endsAt") else cycle.ends
        if cycle.completed is not None and ("startsAt" in input or "endsAt" in input):
            raise invalid_input("A completed cycle's dates cannot change.")
        if (starts, ends) != (cycle.starts, cycle.ends):
            self._check_dates(team, starts, ends, cycle.id)
        cycle.starts, cycle.ends = starts, ends
        if "name" in input:
            cycle.name = input["name"]
        if "description" in input:
            cycle.description = input["description"]
        if input.get("completedAt"):
            self._close_cycle(cycle, parse_when(input["completedAt"]))
        cycle.updated = self._stamp()
        return {"success": True, "cycle": self._cycle_view(cycle), "lastSyncId": self._next_sync()}

    def webhook_create(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        user = self._user(info)
        if not user.admin:
            raise GraphQLError(
                "Forbidden",
                extensions={
                    "code": "FORBIDDEN",
                    "type": "forbidden",
                    "userError": True,
                    "userPresentableMessage": "Only workspace admins can create webhooks.",
                },
            )
        team = self._team_for(str(input["teamId"]), info) if input.get("teamId") else None
        if not str(input.get("url") or "").startswith(("http://", "https://")):
            raise invalid_input("The webhook URL must be an http or https address.")
        hook = self.add_webhook(
            str(input["url"]),
            str(input.get("secret") or f"lin_wh_{uuid.uuid4().hex}"),
            resource_types=tuple(input.get("resourceTypes") or ()),
            team=team.key if team else None,
            label=input.get("label"),
        )
        view = {
            "id": hook.id,
            "url": hook.url,
            "label": hook.label,
            "enabled": True,
            "resourceTypes": list(hook.resource_types),
            "secret": hook.secret,
            "team": (lambda info: self._team_view(team)) if team else None,
            "createdAt": iso_from_ms(hook.created),
            "updatedAt": iso_from_ms(hook.created),
        }
        return {"success": True, "webhook": view, "lastSyncId": self._next_sync()}

    def webhook_delete(self, info: Any, id: str) -> dict[str, Any]:
        """Removes a webhook (an admin's key, as ``webhookCreate``); an unknown id is "Entity
        not found"."""
        self._user(info)
        hook = next((h for h in self.webhooks if h.id == id), None)
        if hook is None:
            raise entity_not_found("Webhook")
        self.webhooks.remove(hook)
        return {"success": True, "entityId": id, "lastSyncId": self._next_sync()}


# -- the root fields bound to the resolvers ------------------------------------------------


def _bind(schema: GraphQLSchema) -> None:
    """Root fields resolve through the emulator (the root value)."""
    query = {
        "viewer": "viewer",
        "organization": "_organization",
        "teams": "teams_",
        "team": "team_",
        "issue": "issue_",
        "issues": "issues_",
        "cycle": "cycle_",
        "cycles": "cycles_",
        "issueLabels": "issue_labels",
        "workflowStates": "workflow_states",
    }
    mutation = {
        "issueUpdate": "issue_update",
        "issueCreate": "issue_create",
        "issueUnarchive": "issue_unarchive",
        "cycleCreate": "cycle_create",
        "cycleUpdate": "cycle_update",
        "webhookCreate": "webhook_create",
        "webhookDelete": "webhook_delete",
    }
    for kind, names in ((schema.query_type, query), (schema.mutation_type, mutation)):
        assert kind is not None
        for field_name, method in names.items():
            kind.fields[field_name].resolve = _root_resolver(method)


def _root_resolver(method: str) -> Callable[..., Any]:
    def resolve(emulator: LinearResolvers, info: Any, **args: Any) -> Any:
        return getattr(emulator, method)(info, **args)

    return resolve


_bind(SCHEMA)
