"""Jira's boards and sprints, a mixin on the site: a board's configuration
(``GET /rest/agile/1.0/board/{id}/configuration``: columns, Rank field, estimation statistic),
its sprints (``GET /rest/agile/1.0/board/{id}/sprint``), a sprint created, read and updated
with the documented rules of its states (future, active, closed), and issues moved into a
sprint or back to the backlog.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot.emulator.jira_records import (
    RANK_FIELD_ID,
    STATUSES,
    WORKFLOW,
    JiraFailure,
    JiraIssue,
    JiraSprint,
    JiraUser,
    jira_error,
)
from bot.emulator.jira_site import JiraSite
from bot.emulator.tracker import route


class JiraBoards(JiraSite):
    """A board's configuration and its sprints."""

    # -- boards --------------------------------------------------------------------------

    @route("GET", "/rest/agile/1.0/board/{board}/configuration", "board.configuration")
    def _configuration(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        board = self._board_for(user, request.match_info["board"])
        # A column per default status, holding every status of its category.
        columns = [
            {
                "name": name,
                "statuses": [
                    {"id": status_id, "self": f"{self.url}/rest/api/3/status/{status_id}"}
                    for status_id, _, _, category, _ in STATUSES.values()
                    if category == STATUSES[name][3]
                ],
            }
            for name in WORKFLOW
        ]
        out: dict[str, Any] = {
            "id": board.id,
            "name": board.name,
            "type": board.type,
            "self": f"{self.url}/rest/agile/1.0/board/{board.id}/configuration",
            "location": {"type": "project", "projectKeyOrId": board.project},
            "filter": {
                "id": board.filter_id,
                "self": f"{self.url}/rest/api/3/filter/{board.filter_id}",
            },
            "columnConfig": {"columns": columns, "constraintType": "issueCount"},
            "ranking": {"rankCustomFieldId": RANK_FIELD_ID},
        }
        if board.type == "scrum":
            if board.estimation_field:
                out["estimation"] = {
                    "type": "field",
                    "field": {
                        "fieldId": board.estimation_field,
                        "displayName": self.custom_fields.get(
                            board.estimation_field, board.estimation_field
                        ),
                    },
                }
            else:
                out["estimation"] = {"type": "issueCount"}
        return 200, out

    # -- sprints -------------------------------------------------------------------------

    def _parse_date(self, value: Any, name: str) -> str | None:
        if value in (None, ""):
            return None
        try:
            when = datetime.fromisoformat(str(value))
        except ValueError as exc:
            raise jira_error(400, **{name: f"Invalid date format: {value}"}) from exc
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return self._iso(when)

    def _sprint_for(self, sprint_id: str) -> JiraSprint:
        try:
            return self.sprints[int(sprint_id)]
        except (KeyError, ValueError) as exc:
            raise jira_error(
                404, f"Sprint with id {sprint_id} does not exist or you do not have permission."
            ) from exc

    @route("POST", "/rest/agile/1.0/sprint", "sprint.create")
    def _create_sprint(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict):
            raise jira_error(400, "Invalid request payload.")
        name = str(body.get("name") or "").strip()
        if not name:
            raise jira_error(400, name="Sprint name is required.")
        if body.get("originBoardId") is None:
            raise jira_error(400, originBoardId="The board id is required.")
        board = self._board_for(user, body["originBoardId"])
        if board.type != "scrum":
            raise jira_error(400, "The board does not support sprints.")
        self._sprint_ids += 1
        sprint = JiraSprint(
            id=self._sprint_ids,
            name=name,
            board_id=board.id,
            goal=str(body.get("goal") or ""),
            start=self._parse_date(body.get("startDate"), "startDate"),
            end=self._parse_date(body.get("endDate"), "endDate"),
            created=self._now_iso(),
        )
        self.sprints[sprint.id] = sprint
        return 201, sprint.to_jira(self.url)

    @route("GET", "/rest/agile/1.0/sprint/{sprint}", "sprint.get")
    def _get_sprint(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        return 200, self._sprint_for(request.match_info["sprint"]).to_jira(self.url)

    @route("POST", "/rest/agile/1.0/sprint/{sprint}", "sprint.update")
    def _update_sprint(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        """Partial update. Documented rules: a closed sprint takes only a new name and goal
        (other changes are ignored); ``active`` needs a future sprint with both dates;
        ``closed`` needs an active sprint and sets ``completeDate``; no other state change."""
        sprint = self._sprint_for(request.match_info["sprint"])
        if not isinstance(body, dict):
            raise jira_error(400, "Invalid request payload.")
        if "name" in body and str(body["name"]).strip():
            name = str(body["name"]).strip()
        else:
            name = sprint.name
        goal = str(body.get("goal") or "") if "goal" in body else sprint.goal
        if sprint.state == "closed":
            sprint.name, sprint.goal = name, goal
            return 200, sprint.to_jira(self.url)
        state = body.get("state")
        start = self._parse_date(body.get("startDate"), "startDate") or sprint.start
        end = self._parse_date(body.get("endDate"), "endDate") or sprint.end
        if state == "active":
            if sprint.state != "future":
                raise jira_error(400, "A sprint can only be started when it is a future sprint.")
            if not start or not end:
                raise jira_error(400, "A sprint needs a start date and an end date to start.")
            if any(
                s.state == "active" and s.board_id == sprint.board_id for s in self.sprints.values()
            ):
                raise jira_error(400, "This board already has an active sprint.")
        elif state == "closed":
            if sprint.state != "active":
                raise jira_error(400, "Only an active sprint can be completed.")
            self.complete_sprint(sprint.id)
        elif state not in (None, sprint.state):
            raise jira_error(400, f"The sprint state cannot be changed to '{state}'.")
        sprint.state = state or sprint.state
        sprint.start, sprint.end, sprint.name, sprint.goal = start, end, name, goal
        return 200, sprint.to_jira(self.url)

    def complete_sprint(self, sprint_id: int) -> None:
        """A sprint completed (by the API, or a person in Jira): its open issues back to the
        backlog, keeping their rank, each remembering the sprint."""
        sprint = self.sprints[sprint_id]
        sprint.complete = self._now_iso()
        for issue in self.issues.values():
            if issue.sprint == sprint.id:
                issue.closed_sprints.append(sprint.id)
                if not issue.done:
                    issue.sprint = None
                    issue.updated = self._stamp()
        sprint.state = "closed"

    def _issue_list(self, body: Any) -> list[JiraIssue]:
        keys = body.get("issues") if isinstance(body, dict) else None
        if not isinstance(keys, list) or not keys:
            raise jira_error(400, "Specify the issues to move.")
        if len(keys) > 50:
            raise jira_error(400, "At most 50 issues can be moved at once.")
        issues = []
        for ref in keys:
            try:
                issues.append(self._issue_for(str(ref)))
            except JiraFailure as exc:
                raise jira_error(400, f"Issue {ref} does not exist or you cannot see it.") from exc
        return issues

    @route("GET", "/rest/agile/1.0/board/{board}/sprint", "board.sprints")
    def _board_sprints(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        board = self._board_for(user, request.match_info["board"])
        states = {s.strip() for s in (request.query.get("state") or "").split(",") if s.strip()}
        start, limit = self._agile_page(request.query, 50)
        sprints = [
            s
            for s in sorted(self.sprints.values(), key=lambda s: s.id)
            if s.board_id == board.id and (not states or s.state in states)
        ]
        page = sprints[start : start + limit]
        return 200, {
            "maxResults": limit,
            "startAt": start,
            "isLast": start + limit >= len(sprints),
            "values": [s.to_jira(self.url) for s in page],
        }

    @route("POST", "/rest/agile/1.0/sprint/{sprint}/issue", "sprint.issues")
    def _sprint_issues(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        sprint = self._sprint_for(request.match_info["sprint"])
        if sprint.state == "closed":
            raise jira_error(400, "Issues cannot be moved into a closed sprint.")
        for issue in self._issue_list(body):
            if issue.sprint != sprint.id:
                issue.sprint = sprint.id
                issue.updated = self._stamp()
        return 204, None

    @route("POST", "/rest/agile/1.0/backlog/issue", "backlog.issues")
    def _backlog_issues(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        for issue in self._issue_list(body):
            if issue.sprint is not None:
                issue.sprint = None
                issue.updated = self._stamp()
        return 204, None
