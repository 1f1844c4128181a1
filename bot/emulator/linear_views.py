"""What Linear's resolvers return, a layer on the workspace: each record as its GraphQL object
(a user, state, label, team, cycle with its progress and flags, relation, issue), with the
nested objects and connections resolved lazily, and the lists behind every connection: the
items a filter lets through (``_matches``, as Linear reads a filter: every field given must
match, ``and``/``or`` combine, a nested entity's filter follows the reference), ordered and
paged by linear_filters.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from bot.emulator.linear_errors import invalid_input
from bot.emulator.linear_filters import comparator_matches, ordered_issues, paged_connection
from bot.emulator.linear_records import (
    LinearCycle,
    LinearIssue,
    LinearLabel,
    LinearRelation,
    LinearState,
    LinearTeam,
    LinearUser,
    iso_from_ms,
)
from bot.emulator.linear_workspace import LinearWorkspace


class LinearViews(LinearWorkspace):
    """The GraphQL objects of the workspace's records, and the filtered lists of them."""

    # -- views: what the resolvers return ------------------------------------------------

    def _user(self, info: Any) -> LinearUser:
        return info.context["user"]

    def _user_view(self, user: LinearUser | None) -> dict[str, Any] | None:
        if user is None:
            return None
        return {
            "id": user.id,
            "name": user.name,
            "displayName": user.display_name,
            "email": user.email,
            "active": True,
            "timezone": user.timezone,
        }

    def _state_view(self, state: LinearState) -> dict[str, Any]:
        return {
            "id": state.id,
            "name": state.name,
            "type": state.type,
            "position": state.position,
            "color": state.color,
            "team": lambda info: self._team_view(self.teams[state.team_id]),
        }

    def _label_view(self, label: LinearLabel) -> dict[str, Any]:
        return {
            "id": label.id,
            "name": label.name,
            "color": label.color,
            "team": lambda info: (
                self._team_view(self.teams[label.team_id]) if label.team_id else None
            ),
        }

    def _team_view(self, team: LinearTeam) -> dict[str, Any]:
        def states(info: Any, **args: Any) -> dict[str, Any]:
            return self._listed("state", self._team_states(team), args, info, self._state_view)

        return {
            "id": team.id,
            "key": team.key,
            "name": team.name,
            "timezone": team.timezone,
            "cyclesEnabled": team.cycles_enabled,
            "cycleDuration": team.cycle_duration,
            "issueEstimationType": team.estimation,
            "issueEstimationAllowZero": team.allow_zero,
            "issueEstimationExtended": team.extended,
            "states": states,
        }

    def _cycle_flags(self, cycle: LinearCycle, now_ms: float) -> dict[str, bool]:
        done = cycle.completed is not None
        return {
            "isActive": not done and cycle.starts <= now_ms < cycle.ends,
            "isFuture": not done and cycle.starts > now_ms,
            "isPast": done or cycle.ends <= now_ms,
        }

    def _cycle_view(self, cycle: LinearCycle) -> dict[str, Any]:
        now = self.epoch() * 1000
        flags = self._cycle_flags(cycle, now)

        def issues(info: Any, **args: Any) -> dict[str, Any]:
            scope = {"and": [args.get("filter") or {}, {"cycle": {"id": {"eq": cycle.id}}}]}
            return self._issues(info, {**args, "filter": scope})

        def uncompleted(info: Any, **args: Any) -> dict[str, Any]:
            """The issues open when the cycle closed (Linear's ``uncompletedIssuesUponClose``),
            wherever they are now."""
            ids = set(cycle.uncompleted)
            scope = {"and": [args.get("filter") or {}, {"id": {"in": sorted(ids)}}]}
            return self._issues(info, {**args, "filter": scope}) if ids else _empty()

        inside = [i for i in self.issues.values() if i.cycle_id == cycle.id]
        done = [i for i in inside if self.states[i.state_id].type == "completed"]
        return {
            "id": cycle.id,
            "number": float(cycle.number),
            "name": cycle.name,
            "description": cycle.description,
            "startsAt": iso_from_ms(cycle.starts),
            "endsAt": iso_from_ms(cycle.ends),
            "completedAt": iso_from_ms(cycle.completed),
            "createdAt": iso_from_ms(cycle.created),
            "updatedAt": iso_from_ms(cycle.updated),
            "progress": len(done) / len(inside) if inside else 0.0,
            "team": lambda info: self._team_view(self.teams[cycle.team_id]),
            "issues": issues,
            "uncompletedIssuesUponClose": uncompleted,
            **flags,
        }

    def _relation_view(self, relation: LinearRelation) -> dict[str, Any]:
        by_id = {i.id: i for i in self.issues.values()}
        return {
            "id": relation.id,
            "type": relation.type,
            "createdAt": iso_from_ms(relation.created),
            "updatedAt": iso_from_ms(relation.created),
            "issue": lambda info: self._issue_view(by_id[relation.issue_id]),
            "relatedIssue": lambda info: self._issue_view(by_id[relation.related_id]),
        }

    def _issue_view(self, issue: LinearIssue) -> dict[str, Any]:
        by_id = {i.id: i for i in self.issues.values()} if issue.parent_id else {}

        def labels(info: Any, **args: Any) -> dict[str, Any]:
            given = [self.labels[label_id] for label_id in issue.label_ids]
            return self._listed("label", given, args, info, self._label_view)

        def relations(info: Any, **args: Any) -> dict[str, Any]:
            found = [r for r in self.relations if r.issue_id == issue.id]
            return paged_connection(found, args, self._relation_view)

        def inverse(info: Any, **args: Any) -> dict[str, Any]:
            found = [r for r in self.relations if r.related_id == issue.id]
            return paged_connection(found, args, self._relation_view)

        def children(info: Any, **args: Any) -> dict[str, Any]:
            """Its sub-issues (those whose parent it is), in the trash or archived left out
            unless asked for, as ``issues`` lists them."""
            archived = bool(args.get("includeArchived"))
            found = [
                i
                for i in self.issues.values()
                if i.parent_id == issue.id and (archived or i.archived is None)
            ]
            return self._listed("issue", ordered_issues(found, args), args, info, self._issue_view)

        return {
            **self._issue_fields(issue),
            "number": float(issue.number),
            "estimate": float(issue.estimate) if issue.estimate is not None else None,
            "priority": float(issue.priority),
            "state": lambda info: self._state_view(self.states[issue.state_id]),
            "team": lambda info: self._team_view(self.teams[issue.team_id]),
            "assignee": lambda info: self._user_view(self.users.get(issue.assignee_id or "")),
            "parent": lambda info: (
                self._issue_view(by_id[issue.parent_id]) if issue.parent_id else None
            ),
            "cycle": lambda info: (
                self._cycle_view(self.cycles[issue.cycle_id]) if issue.cycle_id else None
            ),
            "labels": labels,
            "relations": relations,
            "inverseRelations": inverse,
            "children": children,
        }

    # -- filters -------------------------------------------------------------------------

    def _matches(self, kind: str, item: Any, spec: Mapping[str, Any], info: Any) -> bool:
        """Whether ``item`` (an entity of ``kind``) passes a filter, as Linear reads one:
        every field given must match; ``and``/``or`` combine filters."""
        if item is None:
            return bool(spec.get("null")) if "null" in spec else False
        for name, value in spec.items():
            if value is None:
                continue
            if name == "and":
                if not all(self._matches(kind, item, part, info) for part in value):
                    return False
            elif name == "or":
                if not any(self._matches(kind, item, part, info) for part in value):
                    return False
            elif name == "null":
                if value:  # {null: true} matches only a missing entity
                    return False
            elif not self._field_matches(kind, item, name, value, info):
                return False
        return True

    def _field_matches(
        self, kind: str, item: Any, name: str, spec: Mapping[str, Any], info: Any
    ) -> bool:
        now = self.epoch() * 1000
        if kind == "issue":
            nested = {
                "team": ("team", lambda i: self.teams[i.team_id]),
                "state": ("state", lambda i: self.states[i.state_id]),
                "cycle": ("cycle", lambda i: self.cycles.get(i.cycle_id or "")),
            }
            if name in nested:
                inner_kind, get = nested[name]
                return self._matches(inner_kind, get(item), spec, info)
            scalars = {
                "id": lambda i: i.id,
                "number": lambda i: float(i.number),
                "title": lambda i: i.title,
                "priority": lambda i: float(i.priority),
            }
            if name in scalars:
                value = scalars[name](item)
                if name == "id" and isinstance(spec.get("eq"), str) and "-" in spec["eq"]:
                    value = item.id if spec["eq"] == item.id else item.identifier
                return comparator_matches(spec, value)
            dates = {
                "createdAt": item.created,
                "updatedAt": item.updated,
                "completedAt": item.completed,
            }
            return comparator_matches(spec, dates[name], dates=True)
        if kind == "team":
            if name == "id":
                return comparator_matches(spec, item.id)
            return comparator_matches(spec, {"key": item.key, "name": item.name}[name])
        if kind == "state":
            if name == "team":
                return self._matches("team", self.teams[item.team_id], spec, info)
            value = {"id": item.id, "name": item.name, "type": item.type, "position": item.position}
            return comparator_matches(spec, value[name])
        if kind == "label":
            if name == "team":
                owner = self.teams.get(item.team_id or "")
                return self._matches("team", owner, spec, info)
            return comparator_matches(spec, {"id": item.id, "name": item.name}[name])
        if kind == "cycle":
            if name == "team":
                return self._matches("team", self.teams[item.team_id], spec, info)
            flags = self._cycle_flags(item, now)
            if name in flags:
                return comparator_matches(spec, flags[name])
            if name in ("completedAt", "startsAt", "endsAt"):
                value = {
                    "completedAt": item.completed,
                    "startsAt": item.starts,
                    "endsAt": item.ends,
                }
                return comparator_matches(spec, value[name], dates=True)
            return comparator_matches(
                spec, {"id": item.id, "name": item.name, "number": float(item.number)}[name]
            )
        raise invalid_input(f"Cannot filter {kind} by {name}")

    # -- lists ---------------------------------------------------------------------------

    def _listed(
        self,
        kind: str,
        items: Iterable[Any],
        args: Mapping[str, Any],
        info: Any,
        view: Callable[[Any], dict[str, Any]],
    ) -> dict[str, Any]:
        """A connection of the ``items`` (entities of ``kind``) that pass the ``filter``."""
        spec = args.get("filter") or {}
        found = [item for item in items if self._matches(kind, item, spec, info)]
        return paged_connection(found, args, view)

    def _issues(self, info: Any, args: Mapping[str, Any]) -> dict[str, Any]:
        user = self._user(info)
        archived = bool(args.get("includeArchived"))
        visible = [
            i
            for i in self.issues.values()
            if self._visible(i.team_id, user) and (archived or i.archived is None)
        ]
        return self._listed("issue", ordered_issues(visible, args), args, info, self._issue_view)


def _empty() -> dict[str, Any]:
    """A connection with nothing in it."""
    page = {"startCursor": None, "endCursor": None, "hasPreviousPage": False}
    return {"nodes": [], "pageInfo": {**page, "hasNextPage": False}}
