"""The Jira site every route works on. ``JiraSite`` declares the state the route families share
(users, projects, boards, issues in rank order, sprints, fields, webhooks) and holds what they all
use: its time formats and Rank values, making and ranking issues, the JSON views of the records in
Atlassian's shapes, looking up a board or an issue as a caller may see it, and the webhook events a
change sends. ``JiraEmulator`` (jira.py) builds that state; each family (``jira_search``,
``jira_issues``, ``jira_boards``) is a mixin on this base.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from bot.emulator.jira_records import (
    BLOCKS,
    BOARD_HIDDEN,
    ISSUE_HIDDEN,
    ISSUE_TYPES,
    RANK_FIELD,
    RESOLUTIONS,
    SPRINT_FIELD,
    STATUSES,
    JiraBoard,
    JiraIssue,
    JiraSprint,
    JiraUser,
    JiraWebhook,
    jira_error,
)
from bot.emulator.tracker import RestServer, iso_millis
from bot.emulator.webhooks import Delivery, hub_signature


class JiraSite(RestServer):
    """The state the route families share, and the helpers they all use.

    Only declared here: ``JiraEmulator.__init__`` sets every attribute.
    """

    users: dict[str, JiraUser]
    projects: dict[str, dict[str, str]]
    filters: dict[str, str]
    boards: dict[int, JiraBoard]
    issues: dict[str, JiraIssue]
    rank: list[str]
    moved: dict[str, str]
    workflow: dict[str, list[str]] | None
    done_needs: set[str]
    resolution_screens: dict[str, list[str]]
    browse_denied: set[str]
    sprints: dict[int, JiraSprint]
    custom_fields: dict[str, str]
    number_fields: set[str]
    text_fields: set[str]
    webhooks: list[JiraWebhook]
    user: JiraUser
    _ranks: int
    _numbers: dict[str, int]
    _sprint_ids: int

    # -- time and ids --------------------------------------------------------------------

    @staticmethod
    def format_time(ms: float) -> str:
        return iso_millis(datetime.fromtimestamp(ms / 1000, UTC), "+0000")

    @staticmethod
    def _iso(value: datetime) -> str:
        return iso_millis(value.astimezone(UTC))

    def _now_iso(self) -> str:
        """Now, as a sprint's dates are written."""
        return self._iso(datetime.fromtimestamp(self.epoch(), UTC))

    def _rank_token(self) -> str:
        """A new value of the Rank field (LexoRank-shaped; unique per ranking)."""
        self._ranks += 1
        return f"0|i{self._ranks:05x}:"

    # -- issues made and ranked ----------------------------------------------------------

    def _next_key(self, project: str) -> str:
        """The project's next issue key (``TB-12``): numbers are never given twice."""
        self._numbers[project] = self._numbers.get(project, 0) + 1
        return f"{project}-{self._numbers[project]}"

    def _new_issue(
        self, project: str, summary: str, *, stamp: float | None = None, **values: Any
    ) -> JiraIssue:
        """An issue with the project's next key, stamped ``stamp`` (now unless given) and
        holding every board's estimation field; not yet ranked."""
        stamp = self._stamp() if stamp is None else stamp
        issue = JiraIssue(
            id=self._next_id(),
            key=self._next_key(project),
            project=project,
            summary=summary,
            created=stamp,
            updated=stamp,
            **values,
        )
        for field_id in {b.estimation_field for b in self.boards.values() if b.estimation_field}:
            issue.fields.setdefault(field_id, None)
        issue.resolve()
        return issue

    def _rank_last(self, issue: JiraIssue, user: JiraUser | None = None) -> None:
        """Ranks a new issue last and tells the webhooks it was created (by ``user``)."""
        issue.fields[RANK_FIELD] = self._rank_token()
        self.issues[issue.key] = issue
        self.rank.append(issue.key)
        self._event("jira:issue_created", issue, user)

    def _move_in_rank(self, keys: list[str], anchor: str, before: bool) -> None:
        """Ranks ``keys`` next to ``anchor``: each gets a new Rank value and ``updated``."""
        for key in keys:
            self.rank.remove(key)
        at = self.rank.index(anchor) + (0 if before else 1)
        self.rank[at:at] = keys
        for key in keys:
            issue = self.issues[key]
            issue.fields[RANK_FIELD] = self._rank_token()
            issue.updated = self._stamp()
            changelog = [
                {
                    "field": "Rank",
                    "fieldtype": "custom",
                    "fieldId": RANK_FIELD,
                    "from": "",
                    "fromString": "",
                    "to": "",
                    "toString": "Ranked higher" if before else "Ranked lower",
                }
            ]
            self._event("jira:issue_updated", issue, changelog=changelog)

    # -- views ---------------------------------------------------------------------------

    def _status_json(self, name: str) -> dict[str, Any]:
        status_id, key, category_id, category, colour = STATUSES[name]
        return {
            "self": f"{self.url}/rest/api/3/status/{status_id}",
            "id": status_id,
            "name": name,
            "statusCategory": {
                "self": f"{self.url}/rest/api/3/statuscategory/{category_id}",
                "id": category_id,
                "key": key,
                "colorName": colour,
                "name": category,
            },
        }

    def _resolution_json(self, name: str | None) -> dict[str, Any] | None:
        if name is None:
            return None
        resolution_id = RESOLUTIONS.get(name, "10000")
        return {
            "self": f"{self.url}/rest/api/3/resolution/{resolution_id}",
            "id": resolution_id,
            "name": name,
        }

    def _type_json(self, name: str) -> dict[str, Any]:
        type_id, level = ISSUE_TYPES.get(name, ("10001", 0))
        return {
            "self": f"{self.url}/rest/api/3/issuetype/{type_id}",
            "id": type_id,
            "name": name,
            "subtask": level < 0,
            "hierarchyLevel": level,
        }

    def _user_json(self, account_id: str | None) -> dict[str, Any] | None:
        user = next((u for u in self.users.values() if u.account_id == account_id), None)
        if user is None:
            return None
        return {
            "self": f"{self.url}/rest/api/3/user?accountId={user.account_id}",
            "accountId": user.account_id,
            "emailAddress": user.email,
            "displayName": user.display_name,
            "active": True,
            "timeZone": user.time_zone,
            "accountType": "atlassian",
        }

    def _ref_json(self, issue: JiraIssue) -> dict[str, Any]:
        return {
            "id": str(issue.id),
            "key": issue.key,
            "self": f"{self.url}/rest/api/3/issue/{issue.id}",
            "fields": {
                "summary": issue.summary,
                "status": self._status_json(issue.status),
                "issuetype": self._type_json(issue.issue_type),
            },
        }

    def _blocks_index(self) -> dict[str, list[str]]:
        """blocker key -> keys of the issues it blocks."""
        index: dict[str, list[str]] = {}
        for issue in self.issues.values():
            for blocker in issue.blocked_by:
                index.setdefault(blocker, []).append(issue.key)
        return index

    def _issue_json(
        self,
        issue: JiraIssue,
        wanted: set[str] | None,
        *,
        agile: bool = False,
        blocks: dict[str, list[str]] | None = None,
    ) -> dict[str, Any]:
        def want(name: str) -> bool:
            return wanted is None or name in wanted

        fields: dict[str, Any] = {}
        if want("summary"):
            fields["summary"] = issue.summary
        if want("description"):
            fields["description"] = copy.deepcopy(issue.description)
        if want("issuetype"):
            fields["issuetype"] = self._type_json(issue.issue_type)
        if want("status"):
            fields["status"] = self._status_json(issue.status)
        if want("resolution"):
            fields["resolution"] = self._resolution_json(issue.resolution)
        if want("assignee"):
            fields["assignee"] = self._user_json(issue.assignee)
        if want("labels"):
            fields["labels"] = list(issue.labels)
        if want("created"):
            fields["created"] = self.format_time(issue.created)
        if want("updated"):
            fields["updated"] = self.format_time(issue.updated)
        if want("project"):
            fields["project"] = dict(self.projects[issue.project])
        parent = self.issues.get(issue.parent) if issue.parent else None
        if want("parent") and parent is not None:
            fields["parent"] = self._ref_json(parent)
        if want("issuelinks"):
            links = []
            for key in issue.blocked_by:
                if key in self.issues:
                    links.append(
                        {
                            "id": f"{issue.id}{self.issues[key].id}",
                            "type": dict(BLOCKS),
                            "inwardIssue": self._ref_json(self.issues[key]),
                        }
                    )
            index = blocks if blocks is not None else self._blocks_index()
            for key in index.get(issue.key, []):
                links.append(
                    {
                        "id": f"{self.issues[key].id}{issue.id}",
                        "type": dict(BLOCKS),
                        "outwardIssue": self._ref_json(self.issues[key]),
                    }
                )
            fields["issuelinks"] = links
        for field_id in self.custom_fields:
            if field_id == SPRINT_FIELD:
                if want(field_id):
                    fields[field_id] = self._sprints_of(issue)
            elif want(field_id) and (field_id in issue.fields or wanted is not None):
                fields[field_id] = copy.deepcopy(issue.fields.get(field_id))
        if agile:
            sprint = self.sprints.get(issue.sprint) if issue.sprint else None
            if want("sprint"):
                fields["sprint"] = sprint.to_jira(self.url) if sprint else None
            if want("closedSprints"):
                fields["closedSprints"] = [
                    self.sprints[s].to_jira(self.url) for s in issue.closed_sprints
                ]
            if want("flagged"):
                fields["flagged"] = False
            if want("epic"):
                epic = parent if parent is not None and parent.issue_type == "Epic" else None
                fields["epic"] = (
                    {
                        "id": epic.id,
                        "key": epic.key,
                        "self": f"{self.url}/rest/agile/1.0/epic/{epic.id}",
                        "name": epic.summary,
                        "summary": epic.summary,
                        "done": epic.done,
                    }
                    if epic
                    else None
                )
        return {
            "expand": "renderedFields,names,schema,operations,editmeta,changelog",
            "id": str(issue.id),
            "self": f"{self.url}/rest/api/3/issue/{issue.id}",
            "key": issue.key,
            "fields": fields,
        }

    def _sprints_of(self, issue: JiraIssue) -> list[dict[str, Any]] | None:
        """The Sprint field's value: every sprint the issue is or was in (closed ones first),
        None when it never was in one."""
        ids = dict.fromkeys([*issue.closed_sprints, *([issue.sprint] if issue.sprint else [])])
        return [self.sprints[i].in_field() for i in ids if i in self.sprints] or None

    @staticmethod
    def _wanted(values: Iterable[str] | None) -> set[str] | None:
        """A ``fields`` parameter: None (or ``*all``/``*navigable``) means every field."""
        if values is None:
            return None
        names = {v.strip() for value in values for v in str(value).split(",") if v.strip()}
        if not names or names & {"*all", "*navigable"}:
            return None
        return names

    # -- looked up as the caller may see them --------------------------------------------

    def _board_for(self, user: JiraUser, board_id: Any) -> JiraBoard:
        try:
            board = self.boards[int(board_id)]
        except (KeyError, TypeError, ValueError) as exc:
            raise jira_error(404, BOARD_HIDDEN) from exc
        denied = board.access.get(user.email)
        if denied == 403:
            raise jira_error(403, "You do not have permission to view this board.")
        if denied:
            raise jira_error(404, BOARD_HIDDEN)
        return board

    @staticmethod
    def _int(value: Any, default: int, name: str) -> int:
        if value in (None, ""):
            return default
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise jira_error(400, f"The '{name}' parameter must be a number.") from exc

    def _max_results(self, value: Any, most: int) -> int:
        """A ``maxResults``: 50 unless given, kept from 1 to ``most`` (the resource's cap)."""
        return max(1, min(self._int(value, 50, "maxResults"), most))

    def _agile_page(self, query: Mapping[str, str], most: int) -> tuple[int, int]:
        """An agile list's ``startAt`` (0 unless given) and ``maxResults``."""
        start = max(0, self._int(query.get("startAt"), 0, "startAt"))
        return start, self._max_results(query.get("maxResults"), most)

    def _issue_for(self, key: str) -> JiraIssue:
        while key in self.moved and key not in self.issues:
            key = self.moved[key]
        issue = self.issues.get(key) or next(
            (i for i in self.issues.values() if str(i.id) == key), None
        )
        if issue is None:
            raise jira_error(404, ISSUE_HIDDEN)
        return issue

    # -- webhooks ------------------------------------------------------------------------

    def add_webhook(self, url: str, secret: str | None = None) -> JiraWebhook:
        """Registers a webhook (what a Jira admin does); events are sent by
        ``deliver_webhooks()``, or at once when ``auto_webhooks`` is set."""
        hook = JiraWebhook(url, secret)
        self.webhooks.append(hook)
        return hook

    def _event(
        self,
        kind: str,
        issue: JiraIssue,
        user: JiraUser | None = None,
        *,
        changelog: list[dict[str, Any]] | None = None,
    ) -> None:
        if not self.webhooks:
            return
        event: dict[str, Any] = {
            "timestamp": int(self.epoch() * 1000),
            "webhookEvent": kind,
            "issue_event_type_name": "issue_generic",
            "user": (user or self.user).to_jira(self.url or "http://jira.invalid"),
            "issue": self._issue_json(issue, None),
        }
        if changelog:
            event["changelog"] = {"id": str(self._next_id()), "items": changelog}
        self._queue_event(event)

    def _deliveries(self, event: dict[str, Any]) -> Iterable[Delivery]:
        body = json.dumps(event).encode()
        for hook in self.webhooks:
            if event["webhookEvent"] in hook.events:
                headers = {"Content-Type": "application/json"}
                if hook.secret:
                    headers["X-Hub-Signature"] = hub_signature(hook.secret, body)
                yield Delivery(hook, body, headers)
