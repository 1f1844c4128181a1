"""Jira's issues, a mixin on the site: read (``GET /rest/api/3/issue/{key}``, a moved issue
found by its old key), the types an issue can be created as
(``GET /rest/api/3/issue/createmeta/{project}/issuetypes``), edit and create (each field
checked as Jira does: an ADF description, a number estimate, only fields on the screen), rank
(``PUT /rest/agile/1.0/issue/rank``: 204, or 207 with an entry per issue) and move through the
workflow (``GET/POST /rest/api/3/issue/{key}/transitions``); and an issue's web page
(``/browse/{key}``, where the clients link an issue: ``issue_page.py``).
"""

from __future__ import annotations

import copy
from typing import Any

from aiohttp import web

from bot.emulator.issue_page import IssueView, issue_page
from bot.emulator.jira_records import (
    ISSUE_HIDDEN,
    ISSUE_TYPES,
    NOT_ADF,
    RANK_FIELD_ID,
    RESOLUTIONS,
    STORY_POINTS,
    TRANSITIONS,
    WORKFLOW,
    JiraFailure,
    JiraIssue,
    JiraUser,
    is_adf,
    jira_error,
)
from bot.emulator.jira_site import JiraSite
from bot.emulator.tracker import route


def adf_plain(node: Any) -> str:
    """An Atlassian Document's text, its blocks (paragraphs, list items...) one a line."""
    if not isinstance(node, dict):
        return ""
    if node.get("type") == "text":
        return str(node.get("text") or "")
    if node.get("type") == "hardBreak":
        return "\n"
    parts = [adf_plain(child) for child in node.get("content") or []]
    inline = all(
        isinstance(c, dict) and c.get("type") in ("text", "hardBreak")
        for c in node.get("content") or []
    )
    return "".join(parts) if inline else "\n".join(p for p in parts if p)


class JiraIssues(JiraSite):
    """Issues read, edited, created, ranked and transitioned; and each one's web page."""

    VENDOR = "Jira"

    # -- the web page --------------------------------------------------------------------

    @issue_page("/browse/{key}")
    def _browse(self, request: web.Request) -> IssueView | None:
        """The issue's page, as a browser opens it (a moved issue's old key opens it too)."""
        key = request.match_info["key"]
        while key in self.moved and key not in self.issues:
            key = self.moved[key]
        issue = self.issues.get(key)
        if issue is None:
            return None
        estimated = [b.estimation_field for b in self.boards.values() if b.estimation_field]
        estimate = next(
            (
                issue.fields[f]
                for f in [*estimated, STORY_POINTS, *sorted(self.number_fields)]
                if isinstance(issue.fields.get(f), int | float)
            ),
            None,
        )
        return IssueView(
            issue.key, issue.summary, issue.status, estimate, adf_plain(issue.description)
        )

    # -- issues --------------------------------------------------------------------------

    @route("GET", "/rest/api/3/issue/{key}", "issue.get")
    def _get_issue(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        if user.email in self.browse_denied:
            raise jira_error(404, ISSUE_HIDDEN)
        issue = self._issue_for(request.match_info["key"])
        wanted = self._wanted(request.query.getall("fields", None) or None)
        return 200, self._issue_json(issue, wanted)

    def _settable(self, fields: dict[str, Any], *, creating: bool) -> dict[str, str]:
        """Per-field errors for values Jira would refuse."""
        errors: dict[str, str] = {}
        system = {"summary", "description", "labels", "assignee", "parent"}
        if creating:
            system |= {"project", "issuetype"}
        board_fields = {b.estimation_field for b in self.boards.values() if b.estimation_field}
        for name, value in fields.items():
            if name == "summary":
                if not isinstance(value, str) or not value.strip():
                    errors[name] = "You must specify a summary of the issue."
                elif len(value) > 255:
                    errors[name] = "Summary must be less than 255 characters."
            elif name == "description" or name in self.text_fields:
                if value is not None and not is_adf(value):
                    errors[name] = NOT_ADF
            elif name == "labels":
                if not isinstance(value, list) or any(
                    not isinstance(v, str) or " " in v for v in value
                ):
                    errors[name] = "Labels must be a list of words without spaces."
            elif name in board_fields or name in self.number_fields:
                if value is not None and (
                    isinstance(value, bool) or not isinstance(value, int | float)
                ):
                    errors[name] = "Operation value must be a number"
            elif name not in system:
                errors[name] = (
                    f"Field '{name}' cannot be set. It is not on the appropriate screen, or "
                    "unknown."
                )
        return errors

    def _apply(self, issue: JiraIssue, fields: dict[str, Any]) -> None:
        for name, value in fields.items():
            if name == "summary":
                issue.summary = value
            elif name == "description":
                issue.description = copy.deepcopy(value)
            elif name == "labels":
                issue.labels = list(value)
            elif name == "assignee":
                issue.assignee = (value or {}).get("accountId") if value else None
            elif name == "parent":
                issue.parent = (value or {}).get("key") if value else None
            elif name not in ("project", "issuetype"):
                issue.fields[name] = copy.deepcopy(value)

    @route("PUT", "/rest/api/3/issue/{key}", "issue.edit")
    def _edit_issue(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        issue = self._issue_for(request.match_info["key"])
        if not isinstance(body, dict) or not isinstance(body.get("fields", {}), dict):
            raise jira_error(400, "Invalid request payload. Refer to the REST API documentation.")
        fields = body.get("fields") or {}
        errors = self._settable(fields, creating=False)
        if errors:
            raise jira_error(400, **errors)
        self._apply(issue, fields)
        issue.updated = self._stamp()
        self._event("jira:issue_updated", issue, user)
        return 204, None

    @route("POST", "/rest/api/3/issue", "issue.create")
    def _create_issue(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        fields = body.get("fields") if isinstance(body, dict) else None
        if not isinstance(fields, dict):
            raise jira_error(400, "Invalid request payload. Refer to the REST API documentation.")
        errors = self._settable(fields, creating=True)
        project_ref = fields.get("project") or {}
        project = next(
            (
                p["key"]
                for p in self.projects.values()
                if project_ref.get("key") == p["key"] or str(project_ref.get("id")) == p["id"]
            ),
            None,
        )
        if project is None:
            errors["project"] = "Specify a valid project ID or key"
        kind = fields.get("issuetype") or {}
        type_name = kind.get("name") or next(
            (n for n, (i, _) in ISSUE_TYPES.items() if i == str(kind.get("id"))), None
        )
        if type_name not in ISSUE_TYPES:
            errors["issuetype"] = "Specify an issue type"
        if "summary" not in fields:
            errors["summary"] = "You must specify a summary of the issue."
        parent = self.issues.get(str((fields.get("parent") or {}).get("key") or ""))
        if fields.get("parent") and (
            parent is None or ISSUE_TYPES.get(parent.issue_type, ("", 0))[1] != 1
        ):
            errors["parent"] = "Given parent work item does not belong to appropriate hierarchy."
        if errors:
            raise jira_error(400, **errors)
        assert project is not None and type_name is not None
        issue = self._new_issue(project, fields["summary"], issue_type=type_name)
        self._apply(issue, fields)
        self._rank_last(issue, user)
        return 201, {
            "id": str(issue.id),
            "key": issue.key,
            "self": f"{self.url}/rest/api/3/issue/{issue.id}",
        }

    @route("GET", "/rest/api/3/issue/createmeta/{project}/issuetypes", "issue.createmeta")
    def _create_meta(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        """The issue types an issue of the project can be created as (one page)."""
        wanted = request.match_info["project"]
        if not any(wanted in (p["key"], p["id"]) for p in self.projects.values()):
            raise jira_error(404, f"No project could be found with key '{wanted}'.")
        types = [self._type_json(name) for name in ISSUE_TYPES]
        return 200, {"maxResults": 200, "startAt": 0, "total": len(types), "issueTypes": types}

    @route("PUT", "/rest/agile/1.0/issue/rank", "issue.rank")
    def _rank(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict):
            raise jira_error(400, "Invalid request payload.")
        keys = body.get("issues") or []
        before, after = body.get("rankBeforeIssue"), body.get("rankAfterIssue")
        if not isinstance(keys, list) or not keys:
            raise jira_error(400, "Specify at least one issue to rank.")
        if len(keys) > 50:
            raise jira_error(400, "At most 50 issues can be ranked at once.")
        if (before is None) == (after is None):
            raise jira_error(400, "Specify exactly one of rankBeforeIssue and rankAfterIssue.")
        field_id = body.get("rankCustomFieldId")
        if field_id is not None and int(field_id) != RANK_FIELD_ID:
            raise jira_error(400, f"The rank field {field_id} is not a rank field.")
        anchor_key = before if before is not None else after
        try:
            anchor = self._issue_for(str(anchor_key)).key
        except JiraFailure as exc:
            raise jira_error(400, f"Issue {anchor_key} does not exist.") from exc
        entries, moving = [], []
        for ref in keys:
            issue = self.issues.get(str(ref)) or next(
                (i for i in self.issues.values() if str(i.id) == str(ref)), None
            )
            if issue is None:
                entries.append({"issueKey": str(ref), "status": 404, "errors": [ISSUE_HIDDEN]})
            elif issue.key == anchor:
                entries.append(
                    {
                        "issueId": issue.id,
                        "issueKey": issue.key,
                        "status": 400,
                        "errors": ["An issue cannot be ranked relative to itself."],
                    }
                )
            else:
                moving.append(issue.key)
                entries.append({"issueId": issue.id, "issueKey": issue.key, "status": 200})
        if moving:
            self._move_in_rank(moving, anchor, before is not None)
        if any(e["status"] >= 400 for e in entries):
            return 207, {"entries": entries}
        return 204, None

    # -- workflow ------------------------------------------------------------------------

    def _targets(self, issue: JiraIssue) -> list[str]:
        """The statuses a transition leads to from the issue's status."""
        if self.workflow is not None and issue.status in self.workflow:
            return [s for s in self.workflow[issue.status] if s != issue.status]
        return [s for s in WORKFLOW if s != issue.status]

    def _screen(self, target: str) -> dict[str, Any]:
        """The fields of the step to ``target``'s screen, as Jira's ``FieldMetadata``: the
        resolutions ``resolution_screens`` offers there, and on the step to Done the fields
        ``done_needs`` requires."""
        needs = self.done_needs if target == "Done" else set()
        fields: dict[str, Any] = {}
        offered = self.resolution_screens.get(target) or []
        if offered:
            fields["resolution"] = {
                "required": "resolution" in needs,
                "schema": {"type": "resolution", "system": "resolution"},
                "name": "Resolution",
                "key": "resolution",
                "hasDefaultValue": False,
                "operations": ["set"],
                "allowedValues": [self._resolution_json(name) for name in offered],
            }
        for name in sorted(needs - fields.keys()):
            fields[name] = {
                "required": True,
                "schema": {"type": "string", "system": name},
                "name": name.capitalize(),
                "key": name,
                "operations": ["set"],
            }
        return fields

    @route("GET", "/rest/api/3/issue/{key}/transitions", "issue.transitions")
    def _transitions(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        issue = self._issue_for(request.match_info["key"])
        expand = request.query.get("expand", "").split(",")
        out = []
        for target in self._targets(issue):
            transition_id, name = TRANSITIONS[target]
            screen = self._screen(target)
            out.append(
                {
                    "id": transition_id,
                    "name": name,
                    "to": self._status_json(target),
                    "hasScreen": bool(screen),
                    "isGlobal": self.workflow is None,
                    "isInitial": False,
                    "isAvailable": True,
                    "isConditional": False,
                    "isLooped": False,
                    **({"fields": screen} if "transitions.fields" in expand else {}),
                }
            )
        return 200, {"expand": "transitions", "transitions": out}

    @route("POST", "/rest/api/3/issue/{key}/transitions", "issue.transition")
    def _transition(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        issue = self._issue_for(request.match_info["key"])
        wanted = str(((body or {}).get("transition") or {}).get("id") or "")
        target = next((t for t in self._targets(issue) if TRANSITIONS[t][0] == wanted), None)
        if target is None:
            raise jira_error(
                400,
                f"Transition id '{wanted}' is not valid for this issue.",
            )
        given = (body or {}).get("fields") or {}
        screen = self._screen(target)
        errors = {
            f: f"Field '{f}' cannot be set. It is not on the appropriate screen, or unknown."
            for f in given
            if f not in screen
        }
        errors |= {
            f: f"{f.capitalize()} is required."
            for f, meta in screen.items()
            if meta["required"] and f not in given
        }
        if errors:
            raise jira_error(400, **errors)
        resolution = self._resolution_given(given.get("resolution"), target)
        issue.status = target
        issue.resolve(resolution)
        issue.updated = self._stamp()
        self._event("jira:issue_updated", issue, user)
        return 204, None

    def _resolution_given(self, value: Any, target: str) -> str | None:
        """The name of the resolution a transition's ``fields`` names (``{"name": ...}`` or
        ``{"id": ...}``), one the step to ``target`` offers; None when it names none."""
        if value is None:
            return None
        ref = value if isinstance(value, dict) else {}
        for name in self.resolution_screens.get(target) or []:
            if ref.get("name") == name or str(ref.get("id")) == RESOLUTIONS.get(name):
                return name
        raise jira_error(
            400, resolution="Could not find valid 'id' or 'name' in resolution object."
        )
